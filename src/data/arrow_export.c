/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arrow_export.c - batch_export_arrow: a batch as an Arrow C Data Interface struct array
 * ("+s", one child per column) with its schema. Every exported array owns copies of exactly
 * its rows (slices are normalised to offset 0: bitmaps re-aligned, offsets rebased), so it
 * outlives the builders. Release callbacks free a node's private data and its children
 * (skipping children a consumer moved out, whose release is NULL) and mark the node released,
 * as the spec requires. Calls column.h only.
 */
#include <stdlib.h>

#include "column.h"
#include "zest.h"

/* ---- schema -------------------------------------------------------------------------------- */

struct exp_schema {
    char *name;
    char *metadata;
    struct ArrowSchema **child_ptrs;
    struct ArrowSchema *kids;
};

static void exp_schema_release(struct ArrowSchema *s) {
    struct exp_schema *p = s->private_data;
    for (int64_t k = 0; k < s->n_children; k++)
        if (s->children[k]->release) s->children[k]->release(s->children[k]);
    free(p->kids);
    free(p->child_ptrs);
    free(p->name);
    free(p->metadata);
    free(p);
    s->release = NULL;
}

static const char *exp_format(enum col_type t) {
    switch (t) {
    case COL_NULL: return "n";
    case COL_BOOL: return "b";
    case COL_INT64: return "l";
    case COL_DOUBLE: return "g";
    case COL_UTF8:
    case COL_JSON: return "U";
    case COL_STRUCT: return "+s";
    case COL_LIST: return "+L";
    }
    return "n";
}

static char *exp_strdup(const char *s) {
    const size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void exp_put_i32(char **p, int32_t v) {
    memcpy(*p, &v, sizeof v);
    *p += sizeof v;
}

/* Field metadata in the C Data Interface encoding (native-endian int32 counts and lengths):
 * one pair, ARROW:extension:name = arrow.json. */
static char *exp_json_metadata(void) {
    static const char key[] = "ARROW:extension:name", val[] = "arrow.json";
    const int32_t kl = (int32_t)(sizeof key - 1), vl = (int32_t)(sizeof val - 1);
    char *m = malloc(3 * sizeof(int32_t) + (size_t)kl + (size_t)vl);
    if (!m) return NULL;
    char *p = m;
    exp_put_i32(&p, 1);
    exp_put_i32(&p, kl);
    memcpy(p, key, (size_t)kl);
    p += kl;
    exp_put_i32(&p, vl);
    memcpy(p, val, (size_t)vl);
    return m;
}

static size_t exp_n_children(const struct column *c) {
    return c->type == COL_STRUCT ? c->n_children : c->type == COL_LIST ? 1 : 0;
}

/* Fills `s` for column `c`. On failure `s` may be half built but is releasable (release set
 * first, children counted only once allocated). */
static int exp_schema_init(struct ArrowSchema *s, const struct column *c, const char *name,
                           int64_t flags) {
    memset(s, 0, sizeof *s);
    struct exp_schema *p = calloc(1, sizeof *p);
    if (!p) return ZEST_E_NOMEM;
    s->private_data = p;
    s->release = exp_schema_release;
    s->format = exp_format(c->type);
    s->flags = flags;
    s->name = p->name = exp_strdup(name);
    if (!p->name) return ZEST_E_NOMEM;
    if (c->type == COL_JSON && !(s->metadata = p->metadata = exp_json_metadata()))
        return ZEST_E_NOMEM;
    const size_t n = exp_n_children(c);
    if (!n) return 0;
    p->kids = calloc(n, sizeof *p->kids);
    p->child_ptrs = calloc(n, sizeof *p->child_ptrs);
    if (!p->kids || !p->child_ptrs) return ZEST_E_NOMEM;
    for (size_t k = 0; k < n; k++) p->child_ptrs[k] = &p->kids[k];
    s->children = p->child_ptrs;
    s->n_children = (int64_t)n;
    for (size_t k = 0; k < n; k++) {
        const char *cn = c->type == COL_STRUCT ? c->child_names[k] : "item";
        int rc = exp_schema_init(&p->kids[k], &c->children[k], cn, ARROW_FLAG_NULLABLE);
        if (rc) return rc;
    }
    return 0;
}

/* ---- arrays -------------------------------------------------------------------------------- */

struct exp_array {
    const void *bufs[3];
    void *owned[3];
    struct ArrowArray **child_ptrs;
    struct ArrowArray *kids;
};

static void exp_array_release(struct ArrowArray *a) {
    struct exp_array *p = a->private_data;
    for (int64_t k = 0; k < a->n_children; k++)
        if (a->children[k]->release) a->children[k]->release(a->children[k]);
    for (int k = 0; k < 3; k++) free(p->owned[k]);
    free(p->kids);
    free(p->child_ptrs);
    free(p);
    a->release = NULL;
}

/* A new buffer `slot` of n bytes (never a NULL pointer, even when empty). */
static void *exp_buf(struct exp_array *p, int slot, size_t n) {
    void *m = malloc(n ? n : 1);
    p->owned[slot] = m;
    p->bufs[slot] = m;
    return m;
}

/* Bits [off, off+n) of an LSB-first bitmap, re-aligned to start at bit 0. */
static int exp_bits(struct exp_array *p, int slot, const uint8_t *src, int64_t off, int64_t n) {
    const size_t nbytes = (size_t)(n + 7) / 8;
    uint8_t *d = exp_buf(p, slot, nbytes);
    if (!d) return ZEST_E_NOMEM;
    if ((off & 7) == 0) {
        if (nbytes) memcpy(d, src + (off >> 3), nbytes);
        return 0;
    }
    memset(d, 0, nbytes);
    for (int64_t k = 0; k < n; k++) {
        const int64_t j = off + k;
        if ((src[j >> 3] >> (j & 7)) & 1) d[k >> 3] |= (uint8_t)(1u << (k & 7));
    }
    return 0;
}

/* Offsets of rows [off, off+n], rebased to start at 0. */
static int exp_offsets(struct exp_array *p, const int64_t *src, int64_t off, int64_t n) {
    int64_t *d = exp_buf(p, 1, (size_t)(n + 1) * sizeof *d);
    if (!d) return ZEST_E_NOMEM;
    for (int64_t k = 0; k <= n; k++) d[k] = src[off + k] - src[off];
    return 0;
}

static int exp_array_init(struct ArrowArray *a, const struct column *c);

static int exp_children(struct ArrowArray *a, struct exp_array *p, const struct column *c) {
    const size_t n = exp_n_children(c);
    if (!n) return 0;
    p->kids = calloc(n, sizeof *p->kids);
    p->child_ptrs = calloc(n, sizeof *p->child_ptrs);
    if (!p->kids || !p->child_ptrs) return ZEST_E_NOMEM;
    for (size_t k = 0; k < n; k++) p->child_ptrs[k] = &p->kids[k];
    a->children = p->child_ptrs;
    a->n_children = (int64_t)n;
    for (size_t k = 0; k < n; k++) {
        struct column view;
        if (c->type == COL_STRUCT) { /* the parent's offset applies to its children */
            view = col_slice(&c->children[k], c->offset, c->length);
        } else {
            const int64_t lo = c->offsets[c->offset], hi = c->offsets[c->offset + c->length];
            view = col_slice(&c->children[0], lo, hi - lo);
        }
        int rc = exp_array_init(&p->kids[k], &view);
        if (rc) return rc;
    }
    return 0;
}

/* The buffers after the validity bitmap, by type. */
static int exp_values(struct exp_array *p, const struct column *c) {
    const int64_t off = c->offset, n = c->length;
    switch (c->type) {
    case COL_NULL:
    case COL_STRUCT: return 0;
    case COL_BOOL: return exp_bits(p, 1, c->bits, off, n);
    case COL_INT64:
    case COL_DOUBLE: {
        const void *src = c->type == COL_INT64 ? (const void *)(c->i64 + off)
                                               : (const void *)(c->f64 + off);
        void *d = exp_buf(p, 1, (size_t)n * 8);
        if (!d) return ZEST_E_NOMEM;
        if (n) memcpy(d, src, (size_t)n * 8);
        return 0;
    }
    case COL_LIST: return exp_offsets(p, c->offsets, off, n);
    case COL_UTF8:
    case COL_JSON: {
        int rc = exp_offsets(p, c->offsets, off, n);
        if (rc) return rc;
        const size_t bytes = (size_t)(c->offsets[off + n] - c->offsets[off]);
        void *d = exp_buf(p, 2, bytes);
        if (!d) return ZEST_E_NOMEM;
        if (bytes) memcpy(d, c->data + c->offsets[off], bytes);
        return 0;
    }
    }
    return ZEST_E_INTERNAL;
}

static int64_t exp_n_buffers(enum col_type t) {
    switch (t) {
    case COL_NULL: return 0;
    case COL_STRUCT: return 1;
    case COL_UTF8:
    case COL_JSON: return 3;
    default: return 2;
    }
}

static int exp_array_init(struct ArrowArray *a, const struct column *c) {
    memset(a, 0, sizeof *a);
    struct exp_array *p = calloc(1, sizeof *p);
    if (!p) return ZEST_E_NOMEM;
    a->private_data = p;
    a->release = exp_array_release;
    a->length = c->length;
    a->null_count = c->type == COL_NULL ? c->length : c->null_count;
    a->n_buffers = exp_n_buffers(c->type);
    a->buffers = p->bufs;
    int rc = 0;
    if (c->type != COL_NULL && c->null_count > 0 && c->validity)
        rc = exp_bits(p, 0, c->validity, c->offset, c->length);
    if (!rc) rc = exp_values(p, c);
    return rc ? rc : exp_children(a, p, c);
}

int batch_export_arrow(const struct batch *b, struct ArrowSchema *schema, struct ArrowArray *array) {
    memset(schema, 0, sizeof *schema);
    memset(array, 0, sizeof *array);
    for (size_t k = 0; k < b->n_cols; k++)
        if (b->cols[k].length != b->length) return ZEST_E_PARAM;
    const struct column root = {.type = COL_STRUCT, .length = b->length,
                                .n_children = b->n_cols, .children = b->cols,
                                .child_names = b->names};
    int rc = exp_schema_init(schema, &root, "", 0);
    if (!rc) rc = exp_array_init(array, &root);
    if (rc) {
        if (schema->release) schema->release(schema);
        if (array->release) array->release(array);
    }
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * selection.c - selections (one keep-bit per row, an exact count of kept rows), compaction of
 * a column through a selection into a builder, and copying single rows into builders.
 * Compaction copies runs of consecutive kept rows: one memcpy per run for fixed-width values
 * and for utf8/json bytes (offsets shifted), row by row only for bools and nested types.
 * Calls the builder API and builder internals (col_internal.h).
 */
#include <stdlib.h>

#include "col_internal.h"
#include "zest.h"

int sel_init(struct selection *s, int64_t length) {
    s->bits = NULL;
    s->cap = 0;
    return sel_reset(s, length);
}

int sel_reset(struct selection *s, int64_t length) {
    if (length < 0) return ZEST_E_PARAM;
    const size_t nbytes = (size_t)(length + 7) / 8;
    if (nbytes > s->cap || !s->bits) {
        uint8_t *bits = realloc(s->bits, nbytes ? nbytes : 1);
        if (!bits) return ZEST_E_NOMEM;
        s->bits = bits;
        s->cap = nbytes ? nbytes : 1;
    }
    s->length = length;
    s->kept = length;
    memset(s->bits, 0xFF, nbytes);
    /* Bits past the end stay 0 so run scans stop at `length` without a check per byte. */
    if (length & 7) s->bits[nbytes - 1] = (uint8_t)((1u << (length & 7)) - 1);
    return 0;
}

void sel_free(struct selection *s) {
    if (!s) return;
    free(s->bits);
    s->bits = NULL;
    s->cap = 0;
    s->length = s->kept = 0;
}

void sel_drop(struct selection *s, int64_t row) {
    if (row < 0 || row >= s->length || !sel_is_kept(s, row)) return;
    s->bits[row >> 3] &= (uint8_t)~(1u << (row & 7));
    s->kept--;
}

/* Next run of kept rows at or after `from`: [*r0, *r1). Returns false when none is left.
 * Whole 0x00 / 0xFF bytes are skipped at once. */
static bool sel_next_run(const struct selection *s, int64_t from, int64_t *r0, int64_t *r1) {
    int64_t i = from;
    while (i < s->length) {
        if ((i & 7) == 0 && s->bits[i >> 3] == 0) {
            i += 8;
            continue;
        }
        if (sel_is_kept(s, i)) break;
        i++;
    }
    if (i >= s->length) return false;
    *r0 = i;
    while (i < s->length) {
        if ((i & 7) == 0 && i + 8 <= s->length && s->bits[i >> 3] == 0xFF) {
            i += 8;
            continue;
        }
        if (!sel_is_kept(s, i)) break;
        i++;
    }
    *r1 = i;
    return true;
}

/* ---- copying one row ----------------------------------------------------------------------- */

static int colb_copy_list_row(struct col_builder *b, const struct column *c, int64_t i) {
    struct col_builder *item = colb_list_item(b);
    if (!item) return ZEST_E_PARAM;
    const int64_t j = c->offset + i;
    for (int64_t k = c->offsets[j]; k < c->offsets[j + 1]; k++) {
        int rc = colb_append_row(item, &c->children[0], k);
        if (rc) return rc;
    }
    return colb_list_end_row(b);
}

static int colb_copy_struct_row(struct col_builder *b, const struct column *c, int64_t i) {
    for (size_t k = 0; k < c->n_children; k++) {
        const char *name = c->child_names[k];
        struct col_builder *f = colb_struct_field(b, name, strlen(name));
        if (!f) return ZEST_E_PARAM;
        int rc = colb_append_row(f, &c->children[k], c->offset + i);
        if (rc) return rc;
    }
    return colb_struct_end_row(b);
}

/* A row that b cannot take as typed values goes in as its JSON text. */
static int colb_copy_as_json(struct col_builder *b, const struct column *c, int64_t i) {
    buf_clear(&b->scratch);
    int rc = col_write_json(c, i, &b->scratch);
    return rc ? rc : colb_append_json_text(b, b->scratch.data, b->scratch.len);
}

int colb_append_row(struct col_builder *b, const struct column *c, int64_t i) {
    if (!col_is_valid(c, i)) return colb_append_null(b);
    const bool nested = c->type == COL_STRUCT || c->type == COL_LIST;
    const bool fits = b->type == c->type || (b->infer && b->type == COL_NULL);
    if ((b->type == COL_JSON && c->type != COL_JSON) || (nested && !fits))
        return colb_copy_as_json(b, c, i);
    const int64_t j = c->offset + i;
    size_t n;
    const char *s;
    switch (c->type) {
    case COL_NULL: return colb_append_null(b);
    case COL_BOOL: return colb_append_bool(b, (c->bits[j >> 3] >> (j & 7)) & 1);
    case COL_INT64: return colb_append_int(b, c->i64[j]);
    case COL_DOUBLE: return colb_append_double(b, c->f64[j]);
    case COL_UTF8: s = col_str(c, i, &n); return colb_append_str(b, s, n);
    case COL_JSON: s = col_str(c, i, &n); return colb_append_json_text(b, s, n);
    case COL_LIST: return colb_copy_list_row(b, c, i);
    case COL_STRUCT: return colb_copy_struct_row(b, c, i);
    }
    return ZEST_E_INTERNAL;
}

/* ---- compaction ---------------------------------------------------------------------------- */

/* Validity and length for rows [r0, r1) of c just copied into `out`. */
static int col_copy_validity(struct col_builder *out, const struct column *c, int64_t r0,
                             int64_t r1) {
    if (c->null_count == 0 && out->null_count == 0) {
        out->length += r1 - r0;
        return 0;
    }
    for (int64_t r = r0; r < r1; r++) {
        const bool valid = col_is_valid(c, r);
        int rc = colb_push_bit(out, valid);
        if (rc) return rc;
        out->length++;
        if (!valid) out->null_count++;
    }
    return 0;
}

static int col_compact_fixed(const struct column *c, int64_t r0, int64_t r1,
                             struct col_builder *out) {
    const void *src = c->type == COL_INT64 ? (const void *)(c->i64 + c->offset + r0)
                                           : (const void *)(c->f64 + c->offset + r0);
    int rc = buf_append(&out->values, src, (size_t)(r1 - r0) * sizeof(int64_t));
    return rc ? rc : col_copy_validity(out, c, r0, r1);
}

/* One memcpy for the run's bytes; its offsets shifted onto the end of out's data. */
static int col_compact_str(const struct column *c, int64_t r0, int64_t r1,
                           struct col_builder *out) {
    const int64_t *off = c->offsets + c->offset;
    const int64_t first = off[r0], n = r1 - r0;
    const int64_t shift = (int64_t)out->data.len - first;
    int rc = colb_offsets_begin(out);
    if (!rc) rc = buf_append(&out->data, c->data + first, (size_t)(off[r1] - first));
    if (!rc) rc = buf_reserve(&out->offsets, (size_t)n * sizeof(int64_t));
    if (rc) return rc;
    for (int64_t r = r0 + 1; r <= r1; r++) {
        const int64_t v = off[r] + shift;
        buf_put(&out->offsets, &v, sizeof v);
    }
    return col_copy_validity(out, c, r0, r1);
}

static int col_compact_run(const struct column *c, int64_t r0, int64_t r1,
                           struct col_builder *out) {
    const bool same = out->type == c->type;
    if (same && (c->type == COL_INT64 || c->type == COL_DOUBLE))
        return col_compact_fixed(c, r0, r1, out);
    if (same && (c->type == COL_UTF8 || c->type == COL_JSON))
        return col_compact_str(c, r0, r1, out);
    for (int64_t r = r0; r < r1; r++) {
        int rc = colb_append_row(out, c, r);
        if (rc) return rc;
    }
    return 0;
}

int col_compact(const struct column *c, const struct selection *s, struct col_builder *out) {
    if (s->length != c->length) return ZEST_E_PARAM;
    int rc = colb_adopt(out, c);
    int64_t r0, r1 = 0;
    while (!rc && sel_next_run(s, r1, &r0, &r1)) rc = col_compact_run(c, r0, r1, out);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_read.c - Parquet files to batches: the footer (parquet_meta.c) becomes a schema tree
 * (structs, lists in their standard and legacy shapes, maps as lists of key/value structs);
 * each row group's column chunks are decoded page by page (v1/v2, dictionary, PLAIN, RLE,
 * DELTA_*, BYTE_STREAM_SPLIT, every supported codec) into levels and values, then rows are
 * assembled from definition/repetition levels into column builders. Every offset, length and
 * count from the file is checked before use. Calls io/parquet_meta, io/parquet_codec/encode,
 * data/column, common/.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/err.h"
#include "parquet.h"
#include "parquet_meta.h"

#define PR_MAX_DEPTH 64
#define PR_PAGE_LIMIT (1ull << 30)

enum pr_kind { PR_LEAF, PR_STRUCT, PR_LIST };
/* What a leaf's values become. */
enum pr_conv { CV_BOOL, CV_INT, CV_UINT64, CV_DOUBLE, CV_STR, CV_JSON, CV_DECIMAL, CV_DATE,
               CV_TIMESTAMP, CV_INT96, CV_FLOAT16 };

struct pr_vals {
    struct buf num;        /* int64 or double per value */
    struct buf offs, data; /* byte arrays: int64 end offsets, bytes */
    size_t n;
};

struct pr_leaf {
    const struct pq_sel *el;
    char path[256];
    int max_def, max_rep;
    int ptype;
    enum pr_conv conv;
    int scale, time_unit;
    bool utc;
    struct buf def, rep; /* uint16 per entry */
    size_t n_levels, cur, vcur;
    struct pr_vals vals, dict;
    bool have_dict;
};

struct pr_node {
    char *name;
    enum pr_kind kind;
    int present_def; /* def level at which the node is non-null */
    int elem_def;    /* lists: def level at which the list has an item */
    int rep_level;   /* lists: repetition level of its items */
    size_t first_leaf, n_leaves;
    size_t n_children;
    struct pr_node *children; /* struct fields, or the list item */
};

struct parquet_reader {
    char *name;
    const uint8_t *data;
    size_t size;
    void *map; /* mmap'd file, or NULL for memory input */
    struct pq_meta meta;
    struct pr_node root;
    size_t n_leaves;
    struct pr_leaf *leaves;
    bool *keep;    /* per top-level column */
    size_t page_limit;
    struct buf page;
    uint32_t *tmp;
    size_t cap_tmp;
    /* output */
    struct col_builder *builders;
    size_t n_builders;
    struct column *cols;
    const char **names;
};

/* ---- schema ------------------------------------------------------------------------------ */

static bool is_list_group(const struct pq_sel *e) {
    return e->conv == PQ_CT_LIST || e->logical == PQ_LT_LIST || e->conv == PQ_CT_MAP ||
           e->conv == PQ_CT_MAP_KEY_VALUE || e->logical == PQ_LT_MAP;
}

struct pr_build {
    struct parquet_reader *r;
    size_t next; /* next schema element */
    const char *why;
};

static int pr_node_from(struct pr_build *b, struct pr_node *n, int def, int rep, int depth);

static char *dupn(const uint8_t *p, size_t n) {
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = 0;
    }
    return s;
}

/* The element at b->next is a child; builds it (and its subtree) as a value node whose own
 * repetition is accounted for by the caller when `as_elem` (the repeated item of a list). */
static int pr_add_leaf(struct pr_build *b, const struct pq_sel *e, int def, int rep,
                       const char *path);

static int pr_value_node(struct pr_build *b, struct pr_node *n, const struct pq_sel *e, int def,
                         int rep, int depth, bool item) {
    const struct parquet_reader *r = b->r;
    n->name = dupn(e->name, e->name_len);
    if (!n->name) return ZEST_E_NOMEM;
    n->present_def = def;
    n->first_leaf = r->n_leaves;
    if (e->num_children <= 0 && e->type >= 0) {
        n->kind = PR_LEAF;
        n->n_leaves = 1;
        return pr_add_leaf(b, e, def, rep, n->name);
    }
    if (e->num_children <= 0) {
        b->why = "group without children";
        return ZEST_E_FORMAT;
    }
    if ((size_t)e->num_children > r->meta.n_schema - b->next) {
        b->why = "schema num_children past the end";
        return ZEST_E_FORMAT;
    }
    const size_t nc = (size_t)e->num_children;
    if (!item && is_list_group(e)) {
        /* LIST / MAP: one repeated child */
        const struct pq_sel *rp = &r->meta.schema[b->next];
        if (nc != 1 || rp->rep != PQ_REPEATED) {
            b->why = "LIST or MAP group without a single repeated child";
            return ZEST_E_UNSUPPORTED;
        }
        n->kind = PR_LIST;
        n->elem_def = def + 1;
        n->rep_level = rep + 1;
        n->children = calloc(1, sizeof *n->children);
        if (!n->children) return ZEST_E_NOMEM;
        n->n_children = 1;
        b->next++;
        const bool legacy_struct =
            rp->num_children > 1 || (rp->name_len == 5 && memcmp(rp->name, "array", 5) == 0) ||
            (rp->name_len == e->name_len + 6 && memcmp(rp->name, e->name, e->name_len) == 0 &&
             memcmp(rp->name + e->name_len, "_tuple", 6) == 0) ||
            e->conv == PQ_CT_MAP || e->logical == PQ_LT_MAP || e->conv == PQ_CT_MAP_KEY_VALUE;
        if (rp->num_children <= 0 || legacy_struct) /* the repeated node is the item */
            return pr_value_node(b, &n->children[0], rp, def + 1, rep + 1, depth + 1, true);
        /* standard: repeated group with one child, the item */
        return pr_node_from(b, &n->children[0], def + 1, rep + 1, depth + 1);
    }
    n->kind = PR_STRUCT;
    n->children = calloc(nc, sizeof *n->children);
    if (!n->children) return ZEST_E_NOMEM;
    n->n_children = nc;
    for (size_t k = 0; k < nc; k++) {
        int rc = pr_node_from(b, &n->children[k], def, rep, depth + 1);
        if (rc) return rc;
    }
    return 0;
}

static int pr_add_leaf(struct pr_build *b, const struct pq_sel *e, int def, int rep,
                       const char *path) {
    struct parquet_reader *r = b->r;
    struct pr_leaf *nl = realloc(r->leaves, (r->n_leaves + 1) * sizeof *nl);
    if (!nl) return ZEST_E_NOMEM;
    r->leaves = nl;
    struct pr_leaf *L = &r->leaves[r->n_leaves++];
    memset(L, 0, sizeof *L);
    L->el = e;
    snprintf(L->path, sizeof L->path, "%s", path);
    L->max_def = def;
    L->max_rep = rep;
    L->ptype = e->type;
    buf_init(&L->def, 0);
    buf_init(&L->rep, 0);
    buf_init(&L->vals.num, 0);
    buf_init(&L->vals.offs, 0);
    buf_init(&L->vals.data, 0);
    buf_init(&L->dict.num, 0);
    buf_init(&L->dict.offs, 0);
    buf_init(&L->dict.data, 0);
    L->scale = e->scale;
    L->time_unit = e->time_unit;
    const bool dec = e->conv == PQ_CT_DECIMAL || e->logical == PQ_LT_DECIMAL;
    switch (e->type) {
    case PQ_BOOLEAN: L->conv = CV_BOOL; break;
    case PQ_INT32:
        L->conv = dec ? CV_DECIMAL : (e->conv == PQ_CT_DATE || e->logical == PQ_LT_DATE) ? CV_DATE : CV_INT;
        break;
    case PQ_INT64:
        L->conv = CV_INT;
        if (dec) L->conv = CV_DECIMAL;
        else if (e->logical == PQ_LT_TIMESTAMP) L->conv = CV_TIMESTAMP;
        else if (e->conv == PQ_CT_TIMESTAMP_MILLIS) {
            L->conv = CV_TIMESTAMP;
            L->time_unit = PQ_MILLIS;
        } else if (e->conv == PQ_CT_TIMESTAMP_MICROS) {
            L->conv = CV_TIMESTAMP;
            L->time_unit = PQ_MICROS;
        } else if (e->conv == PQ_CT_UINT_64 || (e->logical == PQ_LT_INTEGER && !e->int_signed))
            L->conv = CV_UINT64;
        break;
    case PQ_INT96: L->conv = CV_INT96; break;
    case PQ_FLOAT:
    case PQ_DOUBLE: L->conv = CV_DOUBLE; break;
    case PQ_BYTE_ARRAY:
        L->conv = dec ? CV_DECIMAL
                      : (e->conv == PQ_CT_JSON || e->logical == PQ_LT_JSON) ? CV_JSON : CV_STR;
        break;
    case PQ_FIXED:
        if (e->type_length < 0) {
            b->why = "negative FIXED_LEN_BYTE_ARRAY length";
            return ZEST_E_FORMAT;
        }
        if (dec) L->conv = CV_DECIMAL;
        else if (e->logical == PQ_LT_FLOAT16 && e->type_length == 2) L->conv = CV_FLOAT16;
        else L->conv = CV_STR; /* UUID and others: bytes (as text) */
        break;
    default: b->why = "unknown physical type"; return ZEST_E_UNSUPPORTED;
    }
    if (L->conv == CV_DECIMAL && (L->scale < 0 || L->scale > 76)) {
        b->why = "decimal scale out of range";
        return ZEST_E_FORMAT;
    }
    if (e->logical == PQ_LT_TIMESTAMP && !L->time_unit) L->time_unit = PQ_MICROS;
    return 0;
}

/* Builds the node for the schema element at b->next (a field of a struct or the item of a
 * standard list), with the parent's levels. */
static int pr_node_from(struct pr_build *b, struct pr_node *n, int def, int rep, int depth) {
    struct parquet_reader *r = b->r;
    if (depth >= PR_MAX_DEPTH) {
        b->why = "schema nested too deeply";
        return ZEST_E_UNSUPPORTED;
    }
    if (b->next >= r->meta.n_schema) {
        b->why = "schema ends early";
        return ZEST_E_FORMAT;
    }
    const struct pq_sel *e = &r->meta.schema[b->next++];
    const int my_def = def + (e->rep == PQ_OPTIONAL || e->rep == PQ_REPEATED);
    const int my_rep = rep + (e->rep == PQ_REPEATED);
    if (e->rep == PQ_REPEATED) {
        /* a bare repeated field: a list (never null) of its values */
        n->name = dupn(e->name, e->name_len);
        if (!n->name) return ZEST_E_NOMEM;
        n->kind = PR_LIST;
        n->present_def = def;
        n->elem_def = my_def;
        n->rep_level = my_rep;
        n->first_leaf = r->n_leaves;
        n->children = calloc(1, sizeof *n->children);
        if (!n->children) return ZEST_E_NOMEM;
        n->n_children = 1;
        return pr_value_node(b, &n->children[0], e, my_def, my_rep, depth + 1, true);
    }
    return pr_value_node(b, n, e, my_def, my_rep, depth, false);
}

/* Sets first_leaf / n_leaves of groups from their children. */
static void pr_fix_counts(struct pr_node *n) {
    size_t first = (size_t)-1, total = 0;
    for (size_t k = 0; k < n->n_children; k++) {
        pr_fix_counts(&n->children[k]);
        if (n->children[k].first_leaf < first) first = n->children[k].first_leaf;
        total += n->children[k].n_leaves;
    }
    if (n->n_children) {
        n->first_leaf = first;
        n->n_leaves = total;
    }
}

static void pr_node_free(struct pr_node *n) {
    for (size_t k = 0; k < n->n_children; k++) pr_node_free(&n->children[k]);
    free(n->children);
    free(n->name);
}

static int pr_schema(struct parquet_reader *r, zest_error *err) {
    struct pr_build b = {.r = r, .next = 1, .why = NULL};
    const struct pq_sel *root = &r->meta.schema[0];
    int rc = 0;
    const size_t nc = root->num_children > 0 ? (size_t)root->num_children : 0;
    if (nc > r->meta.n_schema - 1) {
        b.why = "root num_children past the end";
        rc = ZEST_E_FORMAT;
        goto out;
    }
    r->root.kind = PR_STRUCT;
    r->root.children = calloc(nc ? nc : 1, sizeof *r->root.children);
    if (!r->root.children) {
        rc = ZEST_E_NOMEM;
        goto out;
    }
    r->root.n_children = nc;
    for (size_t k = 0; k < nc && !rc; k++) rc = pr_node_from(&b, &r->root.children[k], 0, 0, 0);
    if (!rc) pr_fix_counts(&r->root);
out:
    if (rc)
        return err_set(err, rc, "%s: schema: %s", r->name,
                       b.why ? b.why : rc == ZEST_E_NOMEM ? "out of memory" : "malformed");
    return 0;
}

/* ---- open / close ------------------------------------------------------------------------ */

static int pr_open_common(struct parquet_reader *r, zest_error *err) {
    const size_t n = r->size;
    if (n < 12 || memcmp(r->data, "PAR1", 4) != 0 || memcmp(r->data + n - 4, "PAR1", 4) != 0) {
        if (n >= 4 && memcmp(r->data + n - 4, "PARE", 4) == 0)
            return err_set(err, ZEST_E_UNSUPPORTED, "%s: encrypted parquet files are not supported", r->name);
        return err_set(err, ZEST_E_FORMAT, "%s: not a parquet file (no PAR1 magic at both ends)", r->name);
    }
    uint32_t flen;
    memcpy(&flen, r->data + n - 8, 4);
    if (flen > n - 12)
        return err_set(err, ZEST_E_FORMAT, "%s: footer length %u exceeds the file size %zu", r->name,
                       flen, n);
    const size_t foff = n - 8 - flen;
    const char *why = NULL;
    size_t pos = 0;
    int rc = pq_meta_decode(r->data + foff, flen, &r->meta, &why, &pos);
    if (rc)
        return err_set(err, rc, "%s: footer at offset %zu: %s (footer byte %zu)", r->name, foff,
                       why, pos);
    if ((rc = pr_schema(r, err))) return rc;
    for (size_t g = 0; g < r->meta.n_rgs; g++) {
        const struct pq_rg *rg = &r->meta.rgs[g];
        if (rg->n_cols != r->n_leaves)
            return err_set(err, ZEST_E_FORMAT, "%s: row group %zu has %zu columns, the schema %zu leaves",
                           r->name, g, rg->n_cols, r->n_leaves);
        if (rg->num_rows < 0)
            return err_set(err, ZEST_E_FORMAT, "%s: row group %zu has a negative row count", r->name, g);
        for (size_t c = 0; c < rg->n_cols; c++) {
            const struct pq_chunk *ch = &rg->cols[c];
            if (!ch->has_meta)
                return err_set(err, ZEST_E_FORMAT, "%s: column '%s' row group %zu: no metadata",
                               r->name, r->leaves[c].path, g);
            if (ch->type != r->leaves[c].ptype)
                return err_set(err, ZEST_E_FORMAT,
                               "%s: column '%s' row group %zu: chunk type %d differs from the schema's %d",
                               r->name, r->leaves[c].path, g, ch->type, r->leaves[c].ptype);
        }
    }
    r->keep = calloc(r->root.n_children ? r->root.n_children : 1, sizeof *r->keep);
    if (!r->keep) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", r->name);
    for (size_t k = 0; k < r->root.n_children; k++) r->keep[k] = true;
    return 0;
}

static struct parquet_reader *pr_new(const char *name) {
    struct parquet_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->name = strdup(name);
    if (!r->name) {
        free(r);
        return NULL;
    }
    r->page_limit = PR_PAGE_LIMIT;
    buf_init(&r->page, 0);
    return r;
}

int parquet_reader_open_mem(const char *name, const void *data, size_t len,
                            struct parquet_reader **out, zest_error *err) {
    *out = NULL;
    struct parquet_reader *r = pr_new(name);
    if (!r) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", name);
    r->data = data;
    r->size = len;
    int rc = pr_open_common(r, err);
    if (rc) {
        parquet_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int parquet_reader_open(const char *path, struct parquet_reader **out, zest_error *err) {
    *out = NULL;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno == ENOENT ? ZEST_E_NOTFOUND : ZEST_E_IO, "%s: %s", path,
                       strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(err, ZEST_E_IO, "%s: not a regular file", path);
    }
    struct parquet_reader *r = pr_new(path);
    if (!r) {
        close(fd);
        return err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
    }
    r->size = (size_t)st.st_size;
    if (r->size > 0) {
        void *m = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            parquet_reader_close(r);
            return err_set(err, ZEST_E_IO, "%s: mmap: %s", path, strerror(errno));
        }
        r->map = m;
        r->data = m;
    } else {
        r->data = (const uint8_t *)"";
    }
    close(fd);
    int rc = pr_open_common(r, err);
    if (rc) {
        parquet_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

void parquet_reader_set_page_limit(struct parquet_reader *r, size_t bytes) { r->page_limit = bytes; }
int64_t parquet_reader_rows(const struct parquet_reader *r) {
    int64_t n = 0;
    for (size_t g = 0; g < r->meta.n_rgs; g++) n += r->meta.rgs[g].num_rows;
    return n;
}
size_t parquet_reader_row_groups(const struct parquet_reader *r) { return r->meta.n_rgs; }
int64_t parquet_reader_row_group_rows(const struct parquet_reader *r, size_t rg) {
    return rg < r->meta.n_rgs ? r->meta.rgs[rg].num_rows : 0;
}

int parquet_reader_project(struct parquet_reader *r, const char *const *names, size_t n,
                           zest_error *err) {
    for (size_t k = 0; k < r->root.n_children; k++) r->keep[k] = n == 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < r->root.n_children && strcmp(r->root.children[k].name, names[i]) != 0) k++;
        if (k == r->root.n_children)
            return err_set(err, ZEST_E_NOTFOUND, "%s: no column '%s'", r->name, names[i]);
        r->keep[k] = true;
    }
    return 0;
}

static void pr_vals_free(struct pr_vals *v) {
    buf_free(&v->num);
    buf_free(&v->offs);
    buf_free(&v->data);
}

void parquet_reader_close(struct parquet_reader *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_leaves; i++) {
        struct pr_leaf *L = &r->leaves[i];
        buf_free(&L->def);
        buf_free(&L->rep);
        pr_vals_free(&L->vals);
        pr_vals_free(&L->dict);
    }
    free(r->leaves);
    for (size_t i = 0; i < r->n_builders; i++) colb_destroy(&r->builders[i]);
    free(r->builders);
    free(r->cols);
    free(r->names);
    pr_node_free(&r->root);
    pq_meta_free(&r->meta);
    free(r->keep);
    buf_free(&r->page);
    free(r->tmp);
    if (r->map) munmap(r->map, r->size);
    free(r->name);
    free(r);
}

/* ---- page decoding ------------------------------------------------------------------------ */

struct pr_ctx {
    struct parquet_reader *r;
    struct pr_leaf *L;
    size_t rg;
    zest_error *err;
};

static int pr_fail(const struct pr_ctx *c, int code, const char *fmt, const char *what) {
    return err_set(c->err, code, "%s: column '%s', row group %zu: %s%s", c->r->name, c->L->path,
                   c->rg, fmt, what ? what : "");
}

static int pr_tmp(struct parquet_reader *r, size_t n) {
    if (n <= r->cap_tmp) return 0;
    uint32_t *t = realloc(r->tmp, n * sizeof *t);
    if (!t) return ZEST_E_NOMEM;
    r->tmp = t;
    r->cap_tmp = n;
    return 0;
}

/* Appends n levels decoded from an RLE hybrid run of bit width for max into dst (uint16). */
static int pr_levels(const struct pr_ctx *c, const uint8_t *p, size_t len, int max, size_t n,
                     struct buf *dst, size_t *used) {
    if (buf_reserve(dst, n * 2) || pr_tmp(c->r, n + 1)) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
    const char *why = NULL;
    int rc = pq_rle_decode(p, len, pq_bit_width((uint64_t)max), c->r->tmp, n, used, &why);
    if (rc) return pr_fail(c, rc, "levels: ", why);
    for (size_t k = 0; k < n; k++) {
        if (c->r->tmp[k] > (uint32_t)max) return pr_fail(c, ZEST_E_FORMAT, "level above the maximum", NULL);
        const uint16_t v = (uint16_t)c->r->tmp[k];
        buf_put(dst, &v, 2);
    }
    return 0;
}

/* (Room for one more byte is kept so that an empty value never points into a NULL buffer.) */
static int put_bytes(struct pr_vals *v, const void *p, size_t n) {
    int rc = buf_reserve(&v->data, n + 1);
    if (!rc && n) buf_put(&v->data, p, n);
    const int64_t end = (int64_t)v->data.len;
    if (!rc) rc = buf_append(&v->offs, &end, 8);
    if (!rc) v->n++;
    return rc;
}

static int put_num(struct pr_vals *v, const void *x8) {
    int rc = buf_append(&v->num, x8, 8);
    if (!rc) v->n++;
    return rc;
}

static int pr_width(int ptype, int32_t type_length) {
    switch (ptype) {
    case PQ_INT32:
    case PQ_FLOAT: return 4;
    case PQ_INT64:
    case PQ_DOUBLE: return 8;
    case PQ_INT96: return 12;
    case PQ_FIXED: return type_length;
    default: return -1;
    }
}

/* One fixed-width value (little-endian bytes) into the store, widened to 8 bytes. */
static int put_fixed(struct pr_vals *v, int ptype, const uint8_t *p, size_t w) {
    if (ptype == PQ_INT32) {
        int32_t x;
        memcpy(&x, p, 4);
        const int64_t y = x;
        return put_num(v, &y);
    }
    if (ptype == PQ_FLOAT) {
        float x;
        memcpy(&x, p, 4);
        const double y = x;
        return put_num(v, &y);
    }
    if (ptype == PQ_INT64 || ptype == PQ_DOUBLE) return put_num(v, p);
    return put_bytes(v, p, w); /* INT96, FIXED */
}

/* PLAIN values: n of them from [p, p+len) into v. */
static int pr_plain(const struct pr_ctx *c, const uint8_t *p, size_t len, size_t n, struct pr_vals *v) {
    const struct pr_leaf *L = c->L;
    int rc = 0;
    if (L->ptype == PQ_BOOLEAN) {
        if ((n + 7) / 8 > len) return pr_fail(c, ZEST_E_FORMAT, "PLAIN booleans past the end of the page", NULL);
        for (size_t k = 0; k < n && !rc; k++) {
            const int64_t b = p[k >> 3] >> (k & 7) & 1;
            rc = put_num(v, &b);
        }
    } else if (L->ptype == PQ_BYTE_ARRAY) {
        size_t pos = 0;
        for (size_t k = 0; k < n && !rc; k++) {
            uint32_t l;
            if (len - pos < 4) return pr_fail(c, ZEST_E_FORMAT, "PLAIN byte array length past the end of the page", NULL);
            memcpy(&l, p + pos, 4);
            pos += 4;
            if (l > len - pos) return pr_fail(c, ZEST_E_FORMAT, "PLAIN byte array past the end of the page", NULL);
            rc = put_bytes(v, p + pos, l);
            pos += l;
        }
    } else {
        const int w = pr_width(L->ptype, L->el->type_length);
        if (w < 0) return pr_fail(c, ZEST_E_UNSUPPORTED, "physical type not supported", NULL);
        if (w > 0 && n > len / (size_t)w) return pr_fail(c, ZEST_E_FORMAT, "PLAIN values past the end of the page", NULL);
        if (w == 0 && n > 0 && L->ptype == PQ_FIXED) {
            for (size_t k = 0; k < n && !rc; k++) rc = put_bytes(v, p, 0);
        }
        for (size_t k = 0; w > 0 && k < n && !rc; k++) rc = put_fixed(v, L->ptype, p + k * (size_t)w, (size_t)w);
    }
    return rc ? pr_fail(c, rc, "out of memory", NULL) : 0;
}

static int pr_delta_ints(const struct pr_ctx *c, const uint8_t *p, size_t len, size_t n,
                         int64_t **out, size_t *count, size_t *used) {
    struct parquet_reader *r = c->r;
    if (pr_tmp(r, 2 * n + 2)) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
    int64_t *vals = (int64_t *)(void *)r->tmp;
    const char *why = NULL;
    int rc = pq_delta_decode(p, len, vals, n, count, used, &why);
    if (rc) return pr_fail(c, rc, "DELTA_BINARY_PACKED: ", why);
    *out = vals;
    return 0;
}

/* DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY. */
static int pr_delta_bytes(const struct pr_ctx *c, const uint8_t *p, size_t len, size_t n,
                          bool with_prefix, struct pr_vals *v) {
    size_t used = 0, cnt = 0, pos = 0;
    int64_t *tmpv;
    int64_t *prefix = NULL, *lens = NULL;
    int rc = 0;
    if (with_prefix) {
        if ((rc = pr_delta_ints(c, p, len, n, &tmpv, &cnt, &used))) return rc;
        if (cnt != n) return pr_fail(c, ZEST_E_FORMAT, "DELTA_BYTE_ARRAY prefix count differs from the page", NULL);
        prefix = malloc((n ? n : 1) * sizeof *prefix);
        if (!prefix) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
        memcpy(prefix, tmpv, n * sizeof *prefix);
        pos = used;
    }
    if ((rc = pr_delta_ints(c, p + pos, len - pos, n, &tmpv, &cnt, &used))) goto out;
    if (cnt != n) {
        rc = pr_fail(c, ZEST_E_FORMAT, "DELTA length count differs from the page", NULL);
        goto out;
    }
    lens = tmpv;
    pos += used;
    size_t prev_start = 0, prev_len = 0;
    for (size_t k = 0; k < n; k++) {
        const int64_t l = lens[k];
        const int64_t pre = prefix ? prefix[k] : 0;
        if (l < 0 || (uint64_t)l > len - pos || pre < 0 || (uint64_t)pre > prev_len) {
            rc = pr_fail(c, ZEST_E_FORMAT, "DELTA byte array length or prefix out of range", NULL);
            goto out;
        }
        const size_t start = v->data.len;
        if (buf_reserve(&v->data, (size_t)(pre + l) + 1)) {
            rc = pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
            goto out;
        }
        if (pre) buf_put(&v->data, v->data.data + prev_start, (size_t)pre);
        if (l) buf_put(&v->data, p + pos, (size_t)l);
        pos += (size_t)l;
        const int64_t end = (int64_t)v->data.len;
        if (buf_append(&v->offs, &end, 8)) {
            rc = pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
            goto out;
        }
        v->n++;
        prev_start = start;
        prev_len = (size_t)(pre + l);
    }
out:
    free(prefix);
    return rc;
}

static int pr_values(const struct pr_ctx *c, int enc, const uint8_t *p, size_t len, size_t n) {
    struct pr_leaf *L = c->L;
    struct pr_vals *v = &L->vals;
    int rc = 0;
    const char *why = NULL;
    switch (enc) {
    case PQ_PLAIN: return pr_plain(c, p, len, n, v);
    case PQ_PLAIN_DICTIONARY:
    case PQ_RLE_DICTIONARY: {
        if (!L->have_dict) return pr_fail(c, ZEST_E_FORMAT, "dictionary-encoded page without a dictionary page", NULL);
        if (n == 0) return 0;
        if (len < 1) return pr_fail(c, ZEST_E_FORMAT, "dictionary page data is empty", NULL);
        size_t used;
        if (pr_tmp(c->r, n + 1)) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
        if ((rc = pq_rle_decode(p + 1, len - 1, p[0], c->r->tmp, n, &used, &why)))
            return pr_fail(c, rc, "dictionary indices: ", why);
        const struct pr_vals *d = &L->dict;
        const bool bytes = d->offs.len > 0 || L->ptype == PQ_BYTE_ARRAY || L->ptype == PQ_FIXED || L->ptype == PQ_INT96;
        if (bytes ? buf_reserve(&v->offs, n * 8) : buf_reserve(&v->num, n * 8))
            return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
        for (size_t k = 0; k < n; k++) {
            const uint32_t ix = c->r->tmp[k];
            if (ix >= d->n) return pr_fail(c, ZEST_E_FORMAT, "dictionary index out of range", NULL);
            if (bytes) {
                const int64_t *o = (const int64_t *)d->offs.data;
                const int64_t s = ix ? o[ix - 1] : 0;
                if (put_bytes(v, d->data.data + s, (size_t)(o[ix] - s))) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
            } else {
                buf_put(&v->num, d->num.data + (size_t)ix * 8, 8);
                v->n++;
            }
        }
        return 0;
    }
    case PQ_RLE: {
        if (L->ptype != PQ_BOOLEAN) return pr_fail(c, ZEST_E_UNSUPPORTED, "RLE encoding of a non-boolean column is not supported", NULL);
        if (len < 4) return pr_fail(c, ZEST_E_FORMAT, "RLE booleans: truncated length", NULL);
        uint32_t l;
        memcpy(&l, p, 4);
        if (l > len - 4) return pr_fail(c, ZEST_E_FORMAT, "RLE booleans past the end of the page", NULL);
        size_t used;
        if (pr_tmp(c->r, n + 1)) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
        if ((rc = pq_rle_decode(p + 4, l, 1, c->r->tmp, n, &used, &why))) return pr_fail(c, rc, "RLE booleans: ", why);
        for (size_t k = 0; k < n; k++) {
            const int64_t b = c->r->tmp[k] & 1;
            if (put_num(v, &b)) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
        }
        return 0;
    }
    case PQ_DELTA_BINARY_PACKED: {
        if (L->ptype != PQ_INT32 && L->ptype != PQ_INT64)
            return pr_fail(c, ZEST_E_FORMAT, "DELTA_BINARY_PACKED on a non-integer column", NULL);
        int64_t *vals;
        size_t cnt, used;
        if ((rc = pr_delta_ints(c, p, len, n, &vals, &cnt, &used))) return rc;
        if (cnt != n) return pr_fail(c, ZEST_E_FORMAT, "DELTA_BINARY_PACKED count differs from the page", NULL);
        for (size_t k = 0; k < n; k++) {
            const int64_t x = L->ptype == PQ_INT32 ? (int64_t)(int32_t)vals[k] : vals[k];
            if (put_num(v, &x)) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
        }
        return 0;
    }
    case PQ_DELTA_LENGTH_BYTE_ARRAY:
    case PQ_DELTA_BYTE_ARRAY:
        if (L->ptype != PQ_BYTE_ARRAY && !(enc == PQ_DELTA_BYTE_ARRAY && L->ptype == PQ_FIXED))
            return pr_fail(c, ZEST_E_FORMAT, "DELTA byte array encoding on a non-byte-array column", NULL);
        return pr_delta_bytes(c, p, len, n, enc == PQ_DELTA_BYTE_ARRAY, v);
    case PQ_BYTE_STREAM_SPLIT: {
        const int w = pr_width(L->ptype, L->el->type_length);
        if (w <= 0 || L->ptype == PQ_INT96) return pr_fail(c, ZEST_E_FORMAT, "BYTE_STREAM_SPLIT on an unsupported type", NULL);
        if (n > len / (size_t)w) return pr_fail(c, ZEST_E_FORMAT, "BYTE_STREAM_SPLIT values past the end of the page", NULL);
        uint8_t tmp[64];
        if (w > 64) return pr_fail(c, ZEST_E_UNSUPPORTED, "BYTE_STREAM_SPLIT wider than 64 bytes", NULL);
        for (size_t k = 0; k < n; k++) {
            for (int b = 0; b < w; b++) tmp[b] = p[(size_t)b * n + k];
            if (put_fixed(v, L->ptype, tmp, (size_t)w)) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
        }
        return 0;
    }
    default: {
        char what[64];
        snprintf(what, sizeof what, "encoding %d is not supported", enc);
        return pr_fail(c, ZEST_E_UNSUPPORTED, what, NULL);
    }
    }
}

static int pr_data_page(const struct pr_ctx *c, const struct pq_page_header *h, const uint8_t *p, size_t len) {
    struct pr_leaf *L = c->L;
    const size_t n = (size_t)h->num_values;
    size_t pos = 0, used = 0;
    int rc;
    const size_t before = L->def.len / 2;
    if (h->has_v2) {
        if ((size_t)h->rep_len + (size_t)h->def_len > len) return pr_fail(c, ZEST_E_FORMAT, "v2 level lengths past the end of the page", NULL);
        if (L->max_rep > 0) {
            if ((rc = pr_levels(c, p, (size_t)h->rep_len, L->max_rep, n, &L->rep, &used))) return rc;
        }
        pos = (size_t)h->rep_len;
        if (L->max_def > 0) {
            if ((rc = pr_levels(c, p + pos, (size_t)h->def_len, L->max_def, n, &L->def, &used))) return rc;
        }
        pos += (size_t)h->def_len;
    } else {
        if (L->max_rep > 0) {
            uint32_t l;
            if (len < 4) return pr_fail(c, ZEST_E_FORMAT, "truncated repetition levels", NULL);
            memcpy(&l, p, 4);
            if (l > len - 4) return pr_fail(c, ZEST_E_FORMAT, "repetition levels past the end of the page", NULL);
            if ((rc = pr_levels(c, p + 4, l, L->max_rep, n, &L->rep, &used))) return rc;
            pos = 4 + (size_t)l;
        }
        if (L->max_def > 0) {
            uint32_t l;
            if (len - pos < 4) return pr_fail(c, ZEST_E_FORMAT, "truncated definition levels", NULL);
            memcpy(&l, p + pos, 4);
            if (l > len - pos - 4) return pr_fail(c, ZEST_E_FORMAT, "definition levels past the end of the page", NULL);
            if ((rc = pr_levels(c, p + pos + 4, l, L->max_def, n, &L->def, &used))) return rc;
            pos += 4 + (size_t)l;
        }
    }
    /* required columns: every entry is defined; no repetition: every entry starts a row */
    if (L->max_def == 0 && n) {
        if (buf_reserve(&L->def, n * 2)) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
        memset(L->def.data + L->def.len, 0, n * 2);
        L->def.len += n * 2;
    }
    if (L->max_rep == 0 && n) {
        if (buf_reserve(&L->rep, n * 2)) return pr_fail(c, ZEST_E_NOMEM, "out of memory", NULL);
        memset(L->rep.data + L->rep.len, 0, n * 2);
        L->rep.len += n * 2;
    }
    size_t nn = 0;
    const uint16_t *d = (const uint16_t *)(const void *)L->def.data;
    for (size_t k = before; k < before + n; k++) nn += d[k] == L->max_def;
    return pr_values(c, h->encoding, p + pos, len - pos, nn);
}

static int pr_chunk(struct parquet_reader *r, size_t rg, size_t li, zest_error *err) {
    struct pr_leaf *L = &r->leaves[li];
    const struct pq_chunk *ch = &r->meta.rgs[rg].cols[li];
    struct pr_ctx c = {.r = r, .L = L, .rg = rg, .err = err};
    buf_clear(&L->def);
    buf_clear(&L->rep);
    buf_clear(&L->vals.num);
    buf_clear(&L->vals.offs);
    buf_clear(&L->vals.data);
    L->vals.n = 0;
    L->have_dict = false;
    L->cur = L->vcur = 0;
    int64_t start = ch->data_off;
    if (ch->dict_off > 0 && ch->dict_off < start) start = ch->dict_off;
    const int64_t limit = (int64_t)r->size - 8;
    if (start < 4 || ch->csize < 0 || start > limit || ch->csize > limit - start)
        return pr_fail(&c, ZEST_E_FORMAT, "column chunk offset or size outside the file", NULL);
    if (ch->num_values < 0) return pr_fail(&c, ZEST_E_FORMAT, "negative value count", NULL);
    const char *cname = parquet_codec_name(ch->codec);
    if (ch->codec != PQ_UNCOMPRESSED && ch->codec != PQ_SNAPPY && ch->codec != PQ_GZIP &&
        ch->codec != PQ_ZSTD && ch->codec != PQ_LZ4_RAW)
        return pr_fail(&c, ZEST_E_UNSUPPORTED, "unsupported compression codec ", cname ? cname : "(unknown)");
    size_t pos = (size_t)start;
    const size_t end = (size_t)(start + ch->csize);
    int64_t got = 0;
    while (got < ch->num_values && pos < end) {
        struct pq_page_header h;
        size_t used;
        const char *why = NULL;
        int rc = pq_page_header_decode(r->data + pos, end - pos, &h, &used, &why);
        if (rc) return pr_fail(&c, rc, "page header: ", why);
        pos += used;
        if ((size_t)h.csize > end - pos) return pr_fail(&c, ZEST_E_FORMAT, "page past the end of the column chunk", NULL);
        if ((size_t)h.usize > r->page_limit) return pr_fail(&c, ZEST_E_LIMIT, "page larger than the page limit", NULL);
        const uint8_t *body = r->data + pos;
        pos += (size_t)h.csize;
        if (h.type == PQ_INDEX_PAGE) continue;
        if (h.type != PQ_DATA_PAGE && h.type != PQ_DATA_PAGE_V2 && h.type != PQ_DICTIONARY_PAGE)
            return pr_fail(&c, ZEST_E_UNSUPPORTED, "unknown page type", NULL);
        if ((h.type == PQ_DATA_PAGE && !h.has_data) || (h.type == PQ_DATA_PAGE_V2 && !h.has_v2) ||
            (h.type == PQ_DICTIONARY_PAGE && !h.has_dict))
            return pr_fail(&c, ZEST_E_FORMAT, "page header lacks its type's sub-header", NULL);
        /* decompress: v2 keeps its levels uncompressed in front */
        size_t lv = 0;
        bool compressed = ch->codec != PQ_UNCOMPRESSED;
        if (h.type == PQ_DATA_PAGE_V2) {
            lv = (size_t)h.rep_len + (size_t)h.def_len;
            if (lv > (size_t)h.csize || lv > (size_t)h.usize)
                return pr_fail(&c, ZEST_E_FORMAT, "v2 level lengths exceed the page", NULL);
            compressed = compressed && h.is_compressed;
        }
        buf_clear(&r->page);
        if (buf_reserve(&r->page, (size_t)h.usize + 1)) return pr_fail(&c, ZEST_E_NOMEM, "out of memory", NULL);
        memcpy(r->page.data, body, lv);
        if (compressed) {
            rc = parquet_decompress(ch->codec, body + lv, (size_t)h.csize - lv, r->page.data + lv,
                                    (size_t)h.usize - lv, &why);
            if (rc) return pr_fail(&c, rc, "", why);
        } else {
            if (h.csize != h.usize) return pr_fail(&c, ZEST_E_FORMAT, "uncompressed page sizes differ", NULL);
            memcpy(r->page.data + lv, body + lv, (size_t)h.usize - lv);
        }
        const uint8_t *pg = (const uint8_t *)r->page.data;
        if (h.type == PQ_DICTIONARY_PAGE) {
            if (L->have_dict) return pr_fail(&c, ZEST_E_FORMAT, "a second dictionary page", NULL);
            if (h.encoding != PQ_PLAIN && h.encoding != PQ_PLAIN_DICTIONARY)
                return pr_fail(&c, ZEST_E_UNSUPPORTED, "dictionary page encoding is not PLAIN", NULL);
            buf_clear(&L->dict.num);
            buf_clear(&L->dict.offs);
            buf_clear(&L->dict.data);
            L->dict.n = 0;
            if ((rc = pr_plain(&c, pg, (size_t)h.usize, (size_t)h.num_values, &L->dict))) return rc;
            L->have_dict = true;
            continue;
        }
        if (h.num_values > ch->num_values - got)
            return pr_fail(&c, ZEST_E_FORMAT, "pages hold more values than the column chunk", NULL);
        if ((rc = pr_data_page(&c, &h, pg, (size_t)h.usize))) return rc;
        got += h.num_values;
    }
    if (got != ch->num_values) return pr_fail(&c, ZEST_E_FORMAT, "column chunk ends before its values", NULL);
    L->n_levels = (size_t)got;
    return 0;
}

/* ---- assembly ----------------------------------------------------------------------------- */

static int days_to_civil(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
    return 0;
}

static int fmt_timestamp(char *out, size_t cap, int64_t v, int unit) {
    const int64_t per = unit == PQ_MILLIS ? 1000 : unit == PQ_NANOS ? 1000000000 : 1000000;
    int64_t secs = v / per, frac = v % per;
    if (frac < 0) {
        frac += per;
        secs--;
    }
    int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    int64_t y;
    unsigned m, d;
    days_to_civil(days, &y, &m, &d);
    int n = snprintf(out, cap, "%04lld-%02u-%02u %02d:%02d:%02d", (long long)y, m, d,
                     (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    if (frac) {
        const int digits = unit == PQ_MILLIS ? 3 : unit == PQ_NANOS ? 9 : 6;
        char f[16];
        snprintf(f, sizeof f, "%0*lld", digits, (long long)frac);
        int k = digits;
        while (k > 1 && f[k - 1] == '0') f[--k] = 0;
        n += snprintf(out + n, cap - (size_t)n, ".%s", f);
    }
    return n;
}

static double pow10i(int e) {
    double x = 1;
    while (e-- > 0) x *= 10;
    return x;
}

/* Big-endian two's complement bytes to a double. */
static double be_to_double(const uint8_t *p, size_t n) {
    if (n == 0) return 0;
    const bool neg = p[0] & 0x80;
    double x = 0;
    for (size_t k = 0; k < n; k++) x = x * 256 + (neg ? (uint8_t)~p[k] : p[k]);
    return neg ? -(x + 1) : x;
}

static double half_to_double(uint16_t h) {
    const int s = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v;
    if (e == 0) v = ldexp(m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexp(m + 1024, e - 25);
    return s ? -v : v;
}

/* Appends value vcur of leaf L to builder b. */
static int pr_put_value(struct pr_leaf *L, struct col_builder *b) {
    const size_t k = L->vcur++;
    const struct pr_vals *v = &L->vals;
    const int64_t *o = (const int64_t *)(const void *)v->offs.data;
    const bool bytes = L->ptype == PQ_BYTE_ARRAY || L->ptype == PQ_FIXED || L->ptype == PQ_INT96;
    const char *s = NULL;
    size_t n = 0;
    int64_t i = 0;
    double f = 0;
    if (bytes) {
        const int64_t st = k ? o[k - 1] : 0;
        s = v->data.data + st;
        n = (size_t)(o[k] - st);
    } else {
        memcpy(&i, v->num.data + k * 8, 8);
        memcpy(&f, v->num.data + k * 8, 8);
    }
    char tmp[64];
    switch (L->conv) {
    case CV_BOOL: return colb_append_bool(b, i != 0);
    case CV_INT: return colb_append_int(b, i);
    case CV_UINT64: return i < 0 ? colb_append_double(b, (double)(uint64_t)i) : colb_append_int(b, i);
    case CV_DOUBLE: return colb_append_double(b, f);
    case CV_STR: return colb_append_str(b, s, n);
    case CV_JSON: return colb_append_json_text(b, s, n);
    case CV_DECIMAL:
        f = bytes ? be_to_double((const uint8_t *)s, n) : (double)i;
        return colb_append_double(b, f / pow10i(L->scale));
    case CV_DATE: {
        int64_t y;
        unsigned m, d;
        days_to_civil(i, &y, &m, &d);
        const int len = snprintf(tmp, sizeof tmp, "%04lld-%02u-%02u", (long long)y, m, d);
        return colb_append_str(b, tmp, (size_t)len);
    }
    case CV_TIMESTAMP: {
        const int len = fmt_timestamp(tmp, sizeof tmp, i, L->time_unit);
        return colb_append_str(b, tmp, (size_t)len);
    }
    case CV_INT96: {
        int64_t nanos;
        int32_t jd;
        memcpy(&nanos, s, 8);
        memcpy(&jd, s + 8, 4);
        const int64_t t = ((int64_t)jd - 2440588) * 86400000000ll + nanos / 1000;
        const int len = fmt_timestamp(tmp, sizeof tmp, t, PQ_MICROS);
        return colb_append_str(b, tmp, (size_t)len);
    }
    case CV_FLOAT16: {
        uint16_t h = (uint16_t)((uint8_t)s[0] | (uint8_t)s[1] << 8);
        return colb_append_double(b, half_to_double(h));
    }
    }
    return ZEST_E_INTERNAL;
}

static uint16_t lv_at(const struct buf *b, size_t k) {
    uint16_t v;
    memcpy(&v, b->data + 2 * k, 2);
    return v;
}

/* Advances every leaf under n by one entry (a null or empty value above them). */
static int pr_skip(struct parquet_reader *r, const struct pr_node *n) {
    for (size_t k = n->first_leaf; k < n->first_leaf + n->n_leaves; k++) {
        struct pr_leaf *L = &r->leaves[k];
        if (L->cur >= L->n_levels) return ZEST_E_FORMAT;
        L->cur++;
    }
    return 0;
}

static int pr_assemble(struct parquet_reader *r, const struct pr_node *n, struct col_builder *b) {
    if (n->n_leaves == 0) return colb_append_null(b);
    struct pr_leaf *F = &r->leaves[n->first_leaf];
    if (F->cur >= F->n_levels) return ZEST_E_FORMAT;
    const int d = lv_at(&F->def, F->cur);
    int rc = 0;
    if (d < n->present_def) {
        if ((rc = pr_skip(r, n))) return rc;
        return colb_append_null(b);
    }
    if (n->kind == PR_LEAF) {
        F->cur++;
        if (F->vcur >= F->vals.n) return ZEST_E_FORMAT;
        return pr_put_value(F, b);
    }
    if (n->kind == PR_STRUCT) {
        for (size_t k = 0; k < n->n_children && !rc; k++) {
            const struct pr_node *ch = &n->children[k];
            struct col_builder *cb = colb_struct_field(b, ch->name, strlen(ch->name));
            if (!cb) return ZEST_E_NOMEM;
            rc = pr_assemble(r, ch, cb);
        }
        return rc ? rc : colb_struct_end_row(b);
    }
    struct col_builder *item = colb_list_item(b);
    if (!item) return ZEST_E_FORMAT;
    if (d < n->elem_def) {
        if ((rc = pr_skip(r, n))) return rc;
        return colb_list_end_row(b);
    }
    for (;;) {
        if ((rc = pr_assemble(r, &n->children[0], item))) return rc;
        if (F->cur >= F->n_levels || lv_at(&F->rep, F->cur) < n->rep_level) break;
        if (lv_at(&F->rep, F->cur) > n->rep_level) return ZEST_E_FORMAT;
    }
    return colb_list_end_row(b);
}

static enum col_type pr_top_type(const struct parquet_reader *r, const struct pr_node *n) {
    if (n->kind == PR_STRUCT) return COL_STRUCT;
    if (n->kind == PR_LIST) return COL_LIST;
    switch (r->leaves[n->first_leaf].conv) {
    case CV_BOOL: return COL_BOOL;
    case CV_INT: return COL_INT64;
    case CV_DOUBLE:
    case CV_DECIMAL:
    case CV_FLOAT16:
    case CV_UINT64: return COL_DOUBLE;
    case CV_JSON: return COL_JSON;
    default: return COL_UTF8;
    }
}

int parquet_reader_read(struct parquet_reader *r, size_t rg, struct batch *out, zest_error *err) {
    memset(out, 0, sizeof *out);
    if (rg >= r->meta.n_rgs)
        return err_set(err, ZEST_E_PARAM, "%s: no row group %zu (the file has %zu)", r->name, rg,
                       r->meta.n_rgs);
    const size_t nc = r->root.n_children;
    if (!r->builders) {
        r->builders = calloc(nc ? nc : 1, sizeof *r->builders);
        r->cols = calloc(nc ? nc : 1, sizeof *r->cols);
        r->names = calloc(nc ? nc : 1, sizeof *r->names);
        if (!r->builders || !r->cols || !r->names) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", r->name);
        r->n_builders = nc;
        for (size_t k = 0; k < nc; k++) {
            const enum col_type t = pr_top_type(r, &r->root.children[k]);
            colb_init(&r->builders[k], t, t == COL_STRUCT || t == COL_LIST || r->leaves[r->root.children[k].first_leaf].conv == CV_UINT64, 0);
        }
    }
    int rc = 0;
    const int64_t rows = r->meta.rgs[rg].num_rows;
    size_t n_out = 0;
    for (size_t k = 0; k < nc; k++) {
        if (!r->keep[k]) continue;
        const struct pr_node *top = &r->root.children[k];
        for (size_t li = top->first_leaf; li < top->first_leaf + top->n_leaves; li++)
            if ((rc = pr_chunk(r, rg, li, err))) return rc;
        struct col_builder *b = &r->builders[k];
        colb_reset(b);
        for (int64_t i = 0; i < rows && !rc; i++) rc = pr_assemble(r, top, b);
        if (rc == ZEST_E_FORMAT)
            return err_set(err, rc, "%s: column '%s', row group %zu: levels and values do not agree "
                           "with the row count", r->name, top->name, rg);
        if (rc) return err_set(err, rc, "%s: column '%s', row group %zu: building the column failed",
                               r->name, top->name, rg);
        for (size_t li = top->first_leaf; li < top->first_leaf + top->n_leaves; li++)
            if (r->leaves[li].cur != r->leaves[li].n_levels)
                return err_set(err, ZEST_E_FORMAT,
                               "%s: column '%s', row group %zu: more values than rows", r->name,
                               r->leaves[li].path, rg);
        if ((rc = colb_finish(b, &r->cols[n_out])))
            return err_set(err, rc, "%s: column '%s': out of memory", r->name, top->name);
        r->names[n_out++] = top->name;
    }
    out->length = rows;
    out->n_cols = n_out;
    out->cols = r->cols;
    out->names = r->names;
    return 0;
}

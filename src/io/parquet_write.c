/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_write.c - batches to a Parquet file: the schema tree from the first batch, shredding
 * of rows into definition / repetition levels and values per leaf column (structs and lists),
 * string dictionaries with fallback to PLAIN, pages v1/v2, codecs, statistics, row groups
 * closed by size, and the footer. Bytes go to a caller function (the sink for files, the
 * checkpoint writer for checkpoints). Calls io/thrift_compact, io/parquet_codec/encode,
 * io/sink, data/column, common/.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../common/hash.h"
#include "parquet.h"
#include "sink.h"
#include "thrift_compact.h"

#define PW_MAX_DEPTH 64
#define PW_SLICE_ROWS 4096
#define PW_STAT_MAX 64 /* longest string kept as a min/max statistic */

/* A node of the schema: a top-level column, a struct field or a list item. */
struct pw_node {
    char *name;
    enum col_type type; /* COL_JSON also for empty structs */
    size_t n_children;
    struct pw_node *children; /* struct fields, or the list item */
    size_t first_leaf, n_leaves; /* top-level nodes: their leaves */
};

struct pw_leaf {
    const struct pw_node *path[PW_MAX_DEPTH]; /* top-level column .. leaf */
    size_t first_rg; /* the leaf joined the schema at this row group (earlier: all null) */
    bool dead;       /* a null column replaced by a typed one */
    size_t depth;
    const char *path_names[PW_MAX_DEPTH * 2]; /* path_in_schema (list levels add "list", "element") */
    size_t n_path_names;
    enum pq_type ptype;
    int max_def, max_rep;
    const struct column *cols[PW_MAX_DEPTH]; /* this batch's column per level (NULL: absent) */
    struct buf def, rep; /* one byte per level entry */
    struct buf vals;     /* fixed-width values / bools (one byte each) */
    struct buf offs, data; /* strings: int64 end offsets, bytes */
    size_t n_vals;
    /* dictionary of strings */
    bool dict_on;
    uint32_t *ht; /* index + 1, 0 = empty */
    size_t ht_cap;
    struct buf dict_offs, dict_data, idx;
    size_t n_dict;
    /* statistics */
    int64_t nulls;
    bool has_minmax;
    int64_t min_i, max_i;
    double min_d, max_d;
    struct buf smin, smax;
    bool str_stats_ok;
    /* the finished chunk, for the footer */
    int64_t dict_off, data_off, csize, usize;
    bool chunk_dict;
};

struct pw_chunk_meta {
    int64_t dict_off, data_off, csize, usize, num_values, nulls;
    bool dict, has_minmax;
    struct buf min, max;
};

struct pw_rowgroup {
    int64_t rows, usize, csize, offset;
    struct pw_chunk_meta *chunks;
    size_t n_chunks;
};

struct parquet_writer {
    char *name;
    struct parquet_write_opts o;
    parquet_out_fn out;
    void *user;
    bool have_schema;
    size_t n_top, cap_top, n_dead;
    struct pw_node **top;  /* top-level columns in schema order */
    struct pw_node **dead; /* replaced null columns (their leaves still point here) */
    size_t n_leaves, cap_leaves;
    struct pw_leaf *leaves;
    int64_t pos;  /* bytes written */
    int64_t rows; /* total rows */
    int64_t rg_rows;
    struct pw_rowgroup *rgs;
    size_t n_rgs, cap_rgs;
    struct buf page, comp, hdr, levels, json;
    uint32_t *tmp32;
    size_t cap32;
    struct sink *sink; /* parquet_file_open only */
    int status;
};

/* ---- schema ------------------------------------------------------------------------------ */

static void pw_node_free(struct pw_node *n) {
    for (size_t i = 0; i < n->n_children; i++) pw_node_free(&n->children[i]);
    free(n->children);
    free(n->name);
}

static int pw_node_build(struct pw_node *n, const char *name, const struct column *c, int depth) {
    memset(n, 0, sizeof *n);
    if (depth >= PW_MAX_DEPTH / 2) return ZEST_E_LIMIT;
    n->name = strdup(name ? name : "element");
    if (!n->name) return ZEST_E_NOMEM;
    n->type = c->type;
    if (c->type == COL_STRUCT && c->n_children == 0) n->type = COL_JSON;
    if (n->type != COL_STRUCT && n->type != COL_LIST) return 0;
    n->children = calloc(c->n_children, sizeof *n->children);
    if (!n->children) return ZEST_E_NOMEM;
    n->n_children = c->n_children;
    for (size_t k = 0; k < c->n_children; k++) {
        int rc = pw_node_build(&n->children[k], c->type == COL_STRUCT ? c->child_names[k] : NULL,
                               &c->children[k], depth + 1);
        if (rc) return rc;
    }
    return 0;
}

static enum pq_type pw_ptype(enum col_type t) {
    switch (t) {
    case COL_BOOL: return PQ_BOOLEAN;
    case COL_INT64: return PQ_INT64;
    case COL_DOUBLE: return PQ_DOUBLE;
    case COL_UTF8:
    case COL_JSON: return PQ_BYTE_ARRAY;
    default: return PQ_INT32; /* COL_NULL */
    }
}

static int pw_add_leaves(struct parquet_writer *w, struct pw_leaf *proto, const struct pw_node *n) {
    if (proto->depth >= PW_MAX_DEPTH || proto->n_path_names + 3 > PW_MAX_DEPTH * 2)
        return ZEST_E_LIMIT;
    struct pw_leaf cur = *proto;
    cur.path[cur.depth++] = n;
    cur.max_def++;
    cur.path_names[cur.n_path_names++] = n->name;
    if (n->type == COL_STRUCT) {
        for (size_t k = 0; k < n->n_children; k++) {
            int rc = pw_add_leaves(w, &cur, &n->children[k]);
            if (rc) return rc;
        }
        return 0;
    }
    if (n->type == COL_LIST) {
        cur.max_def++;
        cur.max_rep++;
        cur.path_names[cur.n_path_names++] = "list";
        return pw_add_leaves(w, &cur, &n->children[0]);
    }
    if (w->n_leaves == w->cap_leaves) {
        const size_t cap = w->cap_leaves ? 2 * w->cap_leaves : 16;
        struct pw_leaf *nl = realloc(w->leaves, cap * sizeof *nl);
        if (!nl) return ZEST_E_NOMEM;
        w->leaves = nl;
        w->cap_leaves = cap;
    }
    struct pw_leaf *L = &w->leaves[w->n_leaves++];
    *L = cur;
    L->ptype = pw_ptype(n->type);
    buf_init(&L->def, 0);
    buf_init(&L->rep, 0);
    buf_init(&L->vals, 0);
    buf_init(&L->offs, 0);
    buf_init(&L->data, 0);
    buf_init(&L->dict_offs, 0);
    buf_init(&L->dict_data, 0);
    buf_init(&L->idx, 0);
    buf_init(&L->smin, 0);
    buf_init(&L->smax, 0);
    L->ht = NULL;
    L->ht_cap = 0;
    return 0;
}

static void pw_leaf_reset(struct pw_leaf *L, const struct parquet_writer *w);

/* Adds top-level column `name` shaped like c; rows already buffered in this row group get
 * nulls, earlier row groups get null chunks at close. Replaces *slot when given. */
static int pw_add_top(struct parquet_writer *w, const char *name, const struct column *c,
                      struct pw_node **slot) {
    struct pw_node *n = calloc(1, sizeof *n);
    if (!n) return ZEST_E_NOMEM;
    int rc = pw_node_build(n, name, c, 0);
    if (rc) {
        pw_node_free(n);
        free(n);
        return rc;
    }
    if (!slot) {
        if (w->n_top == w->cap_top) {
            const size_t cap = w->cap_top ? 2 * w->cap_top : 16;
            struct pw_node **t = realloc(w->top, cap * sizeof *t);
            if (!t) {
                pw_node_free(n);
                free(n);
                return ZEST_E_NOMEM;
            }
            w->top = t;
            w->cap_top = cap;
        }
        slot = &w->top[w->n_top++];
    }
    *slot = n;
    n->first_leaf = w->n_leaves;
    struct pw_leaf proto;
    memset(&proto, 0, sizeof proto);
    rc = pw_add_leaves(w, &proto, n);
    n->n_leaves = w->n_leaves - n->first_leaf;
    for (size_t i = n->first_leaf; !rc && i < w->n_leaves; i++) {
        struct pw_leaf *L = &w->leaves[i];
        L->first_rg = w->n_rgs;
        pw_leaf_reset(L, w);
        for (int64_t r = 0; r < w->rg_rows && !rc; r++) {
            rc = buf_putc(&L->def, 0);
            if (!rc) rc = buf_putc(&L->rep, 0);
            L->nulls++;
        }
    }
    return rc;
}

/* A null column that now has typed values: its leaves die (their chunks so far held only
 * nulls), and a typed column takes its place. */
static int pw_upgrade_top(struct parquet_writer *w, size_t j, const struct column *c) {
    struct pw_node *old = w->top[j];
    struct pw_node **d = realloc(w->dead, (w->n_dead + 1) * sizeof *d);
    if (!d) return ZEST_E_NOMEM;
    w->dead = d;
    w->dead[w->n_dead++] = old;
    for (size_t i = old->first_leaf; i < old->first_leaf + old->n_leaves; i++) w->leaves[i].dead = true;
    return pw_add_top(w, old->name, c, &w->top[j]);
}

static int pw_schema(struct parquet_writer *w, const struct batch *b) {
    for (size_t i = 0; i < b->n_cols; i++) {
        int rc = pw_add_top(w, b->names[i], &b->cols[i], NULL);
        if (rc) return rc;
    }
    w->have_schema = true;
    return 0;
}

static const char *pw_type_name(enum col_type t) {
    static const char *const names[] = {"null", "bool", "int64", "double", "utf8", "json", "struct", "list"};
    return (unsigned)t < 8 ? names[t] : "?";
}

/* Checks that column c fits node n (and recursively its children); names the column. */
static int pw_check(struct parquet_writer *w, const struct pw_node *n, const struct column *c,
                    const char *top, zest_error *err) {
    if (c->type == COL_NULL || n->type == COL_JSON) return 0;
    if (c->type == COL_INT64 && n->type == COL_DOUBLE) return 0;
    if (c->type != n->type)
        return err_set(err, ZEST_E_UNSUPPORTED,
                       "%s: column '%s': type %s does not fit the file's schema type %s (fixed "
                       "by the first batch)",
                       w->name, top, pw_type_name(c->type), pw_type_name(n->type));
    if (c->type == COL_LIST) return pw_check(w, &n->children[0], &c->children[0], top, err);
    for (size_t k = 0; c->type == COL_STRUCT && k < c->n_children; k++) {
        const struct pw_node *f = NULL;
        for (size_t j = 0; j < n->n_children && !f; j++)
            if (strcmp(n->children[j].name, c->child_names[k]) == 0) f = &n->children[j];
        if (!f)
            return err_set(err, ZEST_E_UNSUPPORTED,
                           "%s: column '%s': struct field '%s' is not in the file's schema "
                           "(fixed by the first batch)",
                           w->name, top, c->child_names[k]);
        int rc = pw_check(w, f, &c->children[k], top, err);
        if (rc) return rc;
    }
    return 0;
}

static int pw_check_batch(struct parquet_writer *w, const struct batch *b, zest_error *err) {
    for (size_t i = 0; i < b->n_cols; i++) {
        size_t j = 0;
        while (j < w->n_top && strcmp(w->top[j]->name, b->names[i]) != 0) j++;
        int rc = 0;
        if (j == w->n_top) rc = pw_add_top(w, b->names[i], &b->cols[i], NULL);
        else if (w->top[j]->type == COL_NULL && b->cols[i].type != COL_NULL)
            rc = pw_upgrade_top(w, j, &b->cols[i]);
        if (rc)
            return err_set(err, rc, "%s: column '%s': extending the schema failed (%s)", w->name,
                           b->names[i], rc == ZEST_E_LIMIT ? "nesting too deep" : "out of memory");
        rc = pw_check(w, w->top[j], &b->cols[i], b->names[i], err);
        if (rc) return rc;
    }
    return 0;
}

/* ---- shredding ---------------------------------------------------------------------------- */

static int pw_levels(struct pw_leaf *L, int def, int rep) {
    int rc = buf_putc(&L->def, (char)def);
    if (!rc) rc = buf_putc(&L->rep, (char)rep);
    return rc;
}

static int pw_dict_grow(struct pw_leaf *L) {
    const size_t cap = L->ht_cap ? 2 * L->ht_cap : 1024;
    uint32_t *ht = calloc(cap, sizeof *ht);
    if (!ht) return ZEST_E_NOMEM;
    const int64_t *offs = (const int64_t *)L->dict_offs.data;
    for (size_t i = 0; i < L->n_dict; i++) {
        const int64_t s = i ? offs[i - 1] : 0;
        const uint64_t h = hash_finish(hash_bytes(HASH_SEED, L->dict_data.data + s, (size_t)(offs[i] - s)));
        size_t j = h & (cap - 1);
        while (ht[j]) j = (j + 1) & (cap - 1);
        ht[j] = (uint32_t)i + 1;
    }
    free(L->ht);
    L->ht = ht;
    L->ht_cap = cap;
    return 0;
}

static int pw_dict_add(struct pw_leaf *L, const char *s, size_t n) {
    if (L->n_dict * 2 >= L->ht_cap) {
        int rc = pw_dict_grow(L);
        if (rc) return rc;
    }
    const int64_t *offs = (const int64_t *)L->dict_offs.data;
    const uint64_t h = hash_finish(hash_bytes(HASH_SEED, s, n));
    size_t j = h & (L->ht_cap - 1);
    uint32_t id;
    for (;;) {
        if (!L->ht[j]) {
            if (L->dict_data.len + n > PARQUET_DICT_MAX) {
                L->dict_on = false; /* fall back to PLAIN for this chunk */
                return 0;
            }
            id = (uint32_t)L->n_dict++;
            int rc = buf_reserve(&L->dict_data, n + 1);
            if (!rc && n) buf_put(&L->dict_data, s, n);
            const int64_t end = (int64_t)L->dict_data.len;
            if (!rc) rc = buf_append(&L->dict_offs, &end, sizeof end);
            if (rc) return rc;
            L->ht[j] = id + 1;
            break;
        }
        const uint32_t k = L->ht[j] - 1;
        const int64_t st = k ? offs[k - 1] : 0;
        if ((size_t)(offs[k] - st) == n && memcmp(L->dict_data.data + st, s, n) == 0) {
            id = k;
            break;
        }
        j = (j + 1) & (L->ht_cap - 1);
    }
    return buf_append(&L->idx, &id, sizeof id);
}

static void pw_stat_str(struct pw_leaf *L, const char *s, size_t n) {
    if (!L->str_stats_ok) return;
    if (n > PW_STAT_MAX) {
        L->str_stats_ok = false;
        return;
    }
    int rc = 0;
    if (!L->has_minmax) {
        rc = buf_append(&L->smin, s, n);
        if (!rc) rc = buf_append(&L->smax, s, n);
        L->has_minmax = true;
    } else {
        const size_t a = L->smin.len < n ? L->smin.len : n;
        int c = memcmp(s, L->smin.data, a);
        if (c < 0 || (c == 0 && n < L->smin.len)) {
            buf_clear(&L->smin);
            rc = buf_append(&L->smin, s, n);
        }
        const size_t m = L->smax.len < n ? L->smax.len : n;
        c = memcmp(s, L->smax.data, m);
        if (!rc && (c > 0 || (c == 0 && n > L->smax.len))) {
            buf_clear(&L->smax);
            rc = buf_append(&L->smax, s, n);
        }
    }
    if (rc) L->str_stats_ok = false;
}

/* (One spare byte: an empty string never points into a NULL buffer.) */
static int pw_put_str(struct pw_leaf *L, const char *s, size_t n) {
    int rc = buf_reserve(&L->data, n + 1);
    if (!rc && n) buf_put(&L->data, s, n);
    const int64_t end = (int64_t)L->data.len;
    if (!rc) rc = buf_append(&L->offs, &end, sizeof end);
    if (!rc && L->dict_on) rc = pw_dict_add(L, s, n);
    if (!rc) pw_stat_str(L, s, n);
    return rc;
}

static int pw_value(struct parquet_writer *w, struct pw_leaf *L, const struct pw_node *n,
                    const struct column *c, int64_t i) {
    const int64_t j = c->offset + i;
    int rc = 0;
    if (n->type == COL_JSON && c->type != COL_JSON) {
        buf_clear(&w->json);
        rc = col_write_json(c, i, &w->json);
        if (!rc) rc = pw_put_str(L, w->json.data, w->json.len);
    } else if (n->type == COL_UTF8 || n->type == COL_JSON) {
        size_t len;
        const char *s = col_str(c, i, &len);
        rc = pw_put_str(L, s, len);
    } else if (n->type == COL_BOOL) {
        rc = buf_putc(&L->vals, (char)((c->bits[j >> 3] >> (j & 7)) & 1));
    } else if (n->type == COL_INT64) {
        const int64_t v = c->i64[j];
        rc = buf_append(&L->vals, &v, 8);
        if (!L->has_minmax || v < L->min_i) L->min_i = v;
        if (!L->has_minmax || v > L->max_i) L->max_i = v;
        L->has_minmax = true;
    } else if (n->type == COL_DOUBLE) {
        const double v = c->type == COL_INT64 ? (double)c->i64[j] : c->f64[j];
        rc = buf_append(&L->vals, &v, 8);
        if (!isnan(v)) {
            if (!L->has_minmax || v < L->min_d) L->min_d = v;
            if (!L->has_minmax || v > L->max_d) L->max_d = v;
            L->has_minmax = true;
        }
    }
    L->n_vals++;
    return rc;
}

/* Shreds row i of column c, at level lvl of the leaf's path, into levels and values. */
static int pw_shred(struct parquet_writer *w, struct pw_leaf *L, size_t lvl, const struct column *c,
                    int64_t i, int def, int rep) {
    const struct pw_node *n = L->path[lvl];
    if (!c || c->type == COL_NULL || !col_is_valid(c, i)) {
        L->nulls++;
        return pw_levels(L, def, rep);
    }
    def++;
    if (lvl + 1 == L->depth) {
        int rc = pw_levels(L, def, rep);
        return rc ? rc : pw_value(w, L, n, c, i);
    }
    const struct column *child = L->cols[lvl + 1];
    if (n->type == COL_STRUCT) return pw_shred(w, L, lvl + 1, child, c->offset + i, def, rep);
    /* list: def counts the repeated level when the list has items */
    const int64_t s = c->offsets[c->offset + i], e = c->offsets[c->offset + i + 1];
    if (s == e) {
        L->nulls++;
        return pw_levels(L, def, rep);
    }
    int my_rep = 0;
    for (size_t k = 0; k <= lvl; k++) my_rep += L->path[k]->type == COL_LIST;
    for (int64_t k = s; k < e; k++) {
        int rc = pw_shred(w, L, lvl + 1, child, k, def + 1, k == s ? rep : my_rep);
        if (rc) return rc;
    }
    return 0;
}

/* Resolves this batch's column at each level of the leaf's path. */
static void pw_resolve(struct pw_leaf *L, const struct batch *b) {
    const int top = batch_find(b, L->path[0]->name);
    L->cols[0] = top < 0 ? NULL : &b->cols[top];
    for (size_t k = 1; k < L->depth; k++) {
        const struct column *p = L->cols[k - 1];
        const struct column *c = NULL;
        if (p && p->type == COL_STRUCT && L->path[k - 1]->type == COL_STRUCT) {
            const int idx = col_child_index(p, L->path[k]->name);
            if (idx >= 0) c = &p->children[idx];
        } else if (p && p->type == COL_LIST && L->path[k - 1]->type == COL_LIST) {
            c = &p->children[0];
        }
        L->cols[k] = c;
    }
}

/* ---- pages and chunks --------------------------------------------------------------------- */

static int pw_emit(struct parquet_writer *w, const void *p, size_t n, zest_error *err) {
    int rc = w->out(w->user, p, n, err);
    if (!rc) w->pos += (int64_t)n;
    return rc;
}

static int pw_tmp32(struct parquet_writer *w, size_t n) {
    if (n <= w->cap32) return 0;
    uint32_t *t = realloc(w->tmp32, n * sizeof *t);
    if (!t) return ZEST_E_NOMEM;
    w->tmp32 = t;
    w->cap32 = n;
    return 0;
}

/* RLE-encodes levels [a, b) of `lv` with the given max into w->levels (cleared). */
static int pw_encode_levels(struct parquet_writer *w, const struct buf *lv, size_t a, size_t b, int max) {
    buf_clear(&w->levels);
    int rc = pw_tmp32(w, b - a + 1);
    if (rc) return rc;
    for (size_t k = a; k < b; k++) w->tmp32[k - a] = (uint8_t)lv->data[k];
    return pq_rle_encode(w->tmp32, b - a, pq_bit_width((uint64_t)max), &w->levels);
}

/* Writes one page: header for `type` then w->comp (compressed body). */
static int pw_page(struct parquet_writer *w, struct pw_leaf *L, int type, size_t usize,
                   int32_t num_values, int32_t nulls, int32_t rows, int enc, int32_t def_len,
                   int32_t rep_len, zest_error *err) {
    if (usize > INT32_MAX || w->comp.len > INT32_MAX)
        return err_set(err, ZEST_E_LIMIT, "%s: column '%s': a page exceeds 2 GiB", w->name,
                       L->path[0]->name);
    buf_clear(&w->hdr);
    struct tc_writer t;
    tcw_init(&t, &w->hdr);
    tcw_struct_begin(&t);
    tcw_i32_field(&t, 1, type);
    tcw_i32_field(&t, 2, (int32_t)usize);
    tcw_i32_field(&t, 3, (int32_t)w->comp.len);
    if (type == PQ_DATA_PAGE) {
        tcw_field(&t, 5, TC_STRUCT);
        tcw_struct_begin(&t);
        tcw_i32_field(&t, 1, num_values);
        tcw_i32_field(&t, 2, enc);
        tcw_i32_field(&t, 3, PQ_RLE);
        tcw_i32_field(&t, 4, PQ_RLE);
        tcw_struct_end(&t);
    } else if (type == PQ_DICTIONARY_PAGE) {
        tcw_field(&t, 7, TC_STRUCT);
        tcw_struct_begin(&t);
        tcw_i32_field(&t, 1, num_values);
        tcw_i32_field(&t, 2, PQ_PLAIN);
        tcw_struct_end(&t);
    } else {
        tcw_field(&t, 8, TC_STRUCT);
        tcw_struct_begin(&t);
        tcw_i32_field(&t, 1, num_values);
        tcw_i32_field(&t, 2, nulls);
        tcw_i32_field(&t, 3, rows);
        tcw_i32_field(&t, 4, enc);
        tcw_i32_field(&t, 5, def_len);
        tcw_i32_field(&t, 6, rep_len);
        tcw_bool_field(&t, 7, w->o.codec != PQ_UNCOMPRESSED);
        tcw_struct_end(&t);
    }
    tcw_struct_end(&t);
    if (t.status) return err_set(err, t.status, "%s: page header: out of memory", w->name);
    int rc = pw_emit(w, w->hdr.data, w->hdr.len, err);
    if (!rc) rc = pw_emit(w, w->comp.data, w->comp.len, err);
    L->usize += (int64_t)(w->hdr.len + usize);
    L->csize += (int64_t)(w->hdr.len + w->comp.len);
    return rc;
}

static int pw_compress(struct parquet_writer *w, const void *p, size_t n, zest_error *err) {
    int rc = parquet_compress(w->o.codec, p, n, &w->comp);
    if (rc) return err_set(err, rc, "%s: %s compression failed", w->name,
                           parquet_codec_name(w->o.codec));
    return 0;
}

/* Appends the values [va, vb) to w->page in the leaf's encoding. */
static int pw_values(struct parquet_writer *w, const struct pw_leaf *L, size_t va, size_t vb) {
    struct buf *pg = &w->page;
    int rc = 0;
    if (L->chunk_dict) {
        const uint32_t *idx = (const uint32_t *)L->idx.data;
        const int width = pq_bit_width(L->n_dict > 1 ? L->n_dict - 1 : 1);
        rc = buf_putc(pg, (char)width);
        if (!rc && vb > va) rc = pq_rle_encode(idx + va, vb - va, width, pg);
        return rc;
    }
    switch (L->ptype) {
    case PQ_BOOLEAN: {
        const size_t bytes = (vb - va + 7) / 8;
        if ((rc = buf_reserve(pg, bytes))) return rc;
        uint8_t *p = (uint8_t *)pg->data + pg->len;
        memset(p, 0, bytes);
        for (size_t k = va; k < vb; k++)
            if (L->vals.data[k]) p[(k - va) >> 3] |= (uint8_t)(1u << ((k - va) & 7));
        pg->len += bytes;
        return 0;
    }
    case PQ_INT64:
    case PQ_DOUBLE: return buf_append(pg, L->vals.data + va * 8, (vb - va) * 8);
    case PQ_BYTE_ARRAY: {
        const int64_t *offs = (const int64_t *)L->offs.data;
        if (vb == va) return 0;
        const int64_t s0 = va ? offs[va - 1] : 0;
        if ((rc = buf_reserve(pg, (size_t)(offs[vb - 1] - s0) + 4 * (vb - va)))) return rc;
        for (size_t k = va; k < vb; k++) {
            const int64_t s = k ? offs[k - 1] : 0;
            const uint32_t n = (uint32_t)(offs[k] - s);
            buf_put(pg, &n, 4);
            buf_put(pg, L->data.data + s, n);
        }
        return 0;
    }
    default: return 0; /* INT32 UNKNOWN: never a value */
    }
}

static int pw_data_page(struct parquet_writer *w, struct pw_leaf *L, size_t a, size_t b, size_t va,
                        size_t vb, zest_error *err) {
    buf_clear(&w->page);
    int32_t rows = 0, def_len = 0, rep_len = 0;
    for (size_t k = a; k < b; k++) rows += L->rep.data[k] == 0;
    int rc = 0;
    if (!w->o.page_v2) {
        if (L->max_rep > 0 && !rc) {
            rc = pw_encode_levels(w, &L->rep, a, b, L->max_rep);
            const uint32_t n = (uint32_t)w->levels.len;
            if (!rc) rc = buf_append(&w->page, &n, 4);
            if (!rc) rc = buf_append(&w->page, w->levels.data, w->levels.len);
        }
        if (!rc) {
            rc = pw_encode_levels(w, &L->def, a, b, L->max_def);
            const uint32_t n = (uint32_t)w->levels.len;
            if (!rc) rc = buf_append(&w->page, &n, 4);
            if (!rc) rc = buf_append(&w->page, w->levels.data, w->levels.len);
        }
        if (!rc) rc = pw_values(w, L, va, vb);
        if (rc) return err_set(err, rc, "%s: encoding a page: out of memory", w->name);
        if ((rc = pw_compress(w, w->page.data, w->page.len, err))) return rc;
        return pw_page(w, L, PQ_DATA_PAGE, w->page.len, (int32_t)(b - a), 0, rows,
                       L->chunk_dict ? PQ_RLE_DICTIONARY : PQ_PLAIN, 0, 0, err);
    }
    /* v2: levels uncompressed ahead of the compressed values */
    if (L->max_rep > 0) {
        rc = pw_encode_levels(w, &L->rep, a, b, L->max_rep);
        if (!rc) rc = buf_append(&w->page, w->levels.data, w->levels.len);
        rep_len = (int32_t)w->levels.len;
    }
    if (!rc) {
        rc = pw_encode_levels(w, &L->def, a, b, L->max_def);
        if (!rc) rc = buf_append(&w->page, w->levels.data, w->levels.len);
        def_len = (int32_t)w->levels.len;
    }
    const size_t lv = w->page.len;
    if (!rc) rc = pw_values(w, L, va, vb);
    if (rc) return err_set(err, rc, "%s: encoding a page: out of memory", w->name);
    if ((rc = pw_compress(w, w->page.data + lv, w->page.len - lv, err))) return rc;
    /* header bytes, then levels, then compressed values: prepend the levels to comp */
    if ((rc = buf_reserve(&w->comp, lv))) return err_set(err, rc, "%s: out of memory", w->name);
    memmove(w->comp.data + lv, w->comp.data, w->comp.len);
    memcpy(w->comp.data, w->page.data, lv);
    w->comp.len += lv;
    return pw_page(w, L, PQ_DATA_PAGE_V2, w->page.len, (int32_t)(b - a),
                   (int32_t)((b - a) - (vb - va)), rows, L->chunk_dict ? PQ_RLE_DICTIONARY : PQ_PLAIN,
                   def_len, rep_len, err);
}

static size_t pw_value_bytes(const struct pw_leaf *L, size_t v) {
    if (L->chunk_dict) return 2;
    if (L->ptype == PQ_BYTE_ARRAY) {
        const int64_t *offs = (const int64_t *)L->offs.data;
        return (size_t)(offs[v] - (v ? offs[v - 1] : 0)) + 4;
    }
    return L->ptype == PQ_BOOLEAN ? 1 : 8;
}

static int pw_chunk(struct parquet_writer *w, struct pw_leaf *L, struct pw_chunk_meta *m,
                    zest_error *err) {
    int rc = 0;
    L->usize = L->csize = 0;
    L->chunk_dict = L->dict_on && L->ptype == PQ_BYTE_ARRAY && L->n_vals > 0;
    L->dict_off = -1;
    if (L->chunk_dict) {
        L->dict_off = w->pos;
        buf_clear(&w->page);
        const int64_t *offs = (const int64_t *)L->dict_offs.data;
        for (size_t k = 0; k < L->n_dict && !rc; k++) {
            const int64_t s = k ? offs[k - 1] : 0;
            const uint32_t n = (uint32_t)(offs[k] - s);
            rc = buf_append(&w->page, &n, 4);
            if (!rc) rc = buf_append(&w->page, L->dict_data.data + s, n);
        }
        if (rc) return err_set(err, rc, "%s: dictionary page: out of memory", w->name);
        if ((rc = pw_compress(w, w->page.data, w->page.len, err))) return rc;
        if ((rc = pw_page(w, L, PQ_DICTIONARY_PAGE, w->page.len, (int32_t)L->n_dict, 0, 0, 0, 0, 0, err)))
            return rc;
    }
    L->data_off = w->pos;
    const size_t n = L->def.len;
    size_t a = 0, va = 0;
    while (a < n) {
        size_t b = a, vb = va, bytes = 0;
        while (b < n) {
            if (b > a && L->rep.data[b] == 0 && bytes >= (size_t)w->o.page_bytes) break;
            if ((uint8_t)L->def.data[b] == L->max_def) bytes += pw_value_bytes(L, vb++);
            b++;
        }
        if ((rc = pw_data_page(w, L, a, b, va, vb, err))) return rc;
        a = b;
        va = vb;
    }
    m->dict_off = L->dict_off;
    m->data_off = L->data_off;
    m->csize = L->csize;
    m->usize = L->usize;
    m->num_values = (int64_t)n;
    m->nulls = L->nulls;
    m->dict = L->chunk_dict;
    m->has_minmax = L->has_minmax && (L->ptype != PQ_BYTE_ARRAY || L->str_stats_ok) &&
                    L->ptype != PQ_BOOLEAN;
    if (m->has_minmax) {
        if (L->ptype == PQ_INT64) {
            rc = buf_append(&m->min, &L->min_i, 8);
            if (!rc) rc = buf_append(&m->max, &L->max_i, 8);
        } else if (L->ptype == PQ_DOUBLE) {
            double mn = L->min_d == 0 ? -0.0 : L->min_d, mx = L->max_d == 0 ? 0.0 : L->max_d;
            rc = buf_append(&m->min, &mn, 8);
            if (!rc) rc = buf_append(&m->max, &mx, 8);
        } else {
            rc = buf_append(&m->min, L->smin.data, L->smin.len);
            if (!rc) rc = buf_append(&m->max, L->smax.data, L->smax.len);
        }
        if (rc) return err_set(err, rc, "%s: out of memory", w->name);
    }
    return 0;
}

static void pw_leaf_reset(struct pw_leaf *L, const struct parquet_writer *w) {
    buf_clear(&L->def);
    buf_clear(&L->rep);
    buf_clear(&L->vals);
    buf_clear(&L->offs);
    buf_clear(&L->data);
    buf_clear(&L->dict_offs);
    buf_clear(&L->dict_data);
    buf_clear(&L->idx);
    buf_clear(&L->smin);
    buf_clear(&L->smax);
    if (L->ht) memset(L->ht, 0, L->ht_cap * sizeof *L->ht);
    L->n_vals = L->n_dict = 0;
    L->dict_on = !w->o.no_dictionary && L->ptype == PQ_BYTE_ARRAY;
    L->nulls = 0;
    L->has_minmax = false;
    L->str_stats_ok = true;
}

static int64_t pw_buffered(const struct parquet_writer *w) {
    int64_t s = 0;
    for (size_t i = 0; i < w->n_leaves; i++) {
        const struct pw_leaf *L = &w->leaves[i];
        s += (int64_t)(L->vals.len + L->data.len + L->def.len);
    }
    return s;
}

static int pw_flush(struct parquet_writer *w, zest_error *err) {
    if (w->rg_rows == 0) return 0;
    if (w->n_rgs == w->cap_rgs) {
        const size_t cap = w->cap_rgs ? 2 * w->cap_rgs : 8;
        struct pw_rowgroup *r = realloc(w->rgs, cap * sizeof *r);
        if (!r) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", w->name);
        w->rgs = r;
        w->cap_rgs = cap;
    }
    struct pw_rowgroup *rg = &w->rgs[w->n_rgs];
    memset(rg, 0, sizeof *rg);
    rg->chunks = calloc(w->n_leaves ? w->n_leaves : 1, sizeof *rg->chunks);
    if (!rg->chunks) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", w->name);
    w->n_rgs++;
    rg->rows = w->rg_rows;
    rg->offset = w->pos;
    rg->n_chunks = w->n_leaves;
    for (size_t i = 0; i < w->n_leaves; i++) {
        struct pw_leaf *L = &w->leaves[i];
        buf_init(&rg->chunks[i].min, 0);
        buf_init(&rg->chunks[i].max, 0);
        if (L->dead) continue;
        int rc = pw_chunk(w, L, &rg->chunks[i], err);
        if (rc) return rc;
        rg->usize += L->usize;
        rg->csize += L->csize;
        pw_leaf_reset(L, w);
    }
    w->rg_rows = 0;
    return 0;
}

/* ---- public ------------------------------------------------------------------------------- */

void parquet_write_opts_default(struct parquet_write_opts *o) {
    memset(o, 0, sizeof *o);
    o->codec = PQ_SNAPPY;
}

int parquet_writer_new(const char *name, const struct parquet_write_opts *o, parquet_out_fn out,
                       void *user, struct parquet_writer **wp, zest_error *err) {
    *wp = NULL;
    struct parquet_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->name = strdup(name))) {
        free(w);
        return err_set(err, ZEST_E_NOMEM, "%s: out of memory", name);
    }
    if (o) w->o = *o;
    else parquet_write_opts_default(&w->o);
    if (w->o.row_group_bytes <= 0) w->o.row_group_bytes = PARQUET_ROW_GROUP_BYTES;
    if (w->o.page_bytes <= 0) w->o.page_bytes = PARQUET_PAGE_BYTES;
    w->out = out;
    w->user = user;
    buf_init(&w->page, 0);
    buf_init(&w->comp, 0);
    buf_init(&w->hdr, 0);
    buf_init(&w->levels, 0);
    buf_init(&w->json, 0);
    int rc = pw_emit(w, "PAR1", 4, err);
    if (rc) {
        parquet_writer_free(w);
        return rc;
    }
    *wp = w;
    return 0;
}

int parquet_writer_write(struct parquet_writer *w, const struct batch *b, zest_error *err) {
    if (w->status) return err_set(err, w->status, "%s: an earlier write failed", w->name);
    int rc = 0;
    if (!w->have_schema) {
        if ((rc = pw_schema(w, b))) {
            err_set(err, rc, "%s: building the schema failed (%s)", w->name,
                    rc == ZEST_E_LIMIT ? "nesting too deep" : "out of memory");
            goto out;
        }
    } else if ((rc = pw_check_batch(w, b, err))) {
        goto out;
    }
    for (size_t i = 0; i < w->n_leaves; i++)
        if (!w->leaves[i].dead) pw_resolve(&w->leaves[i], b);
    for (int64_t s = 0; s < b->length; s += PW_SLICE_ROWS) {
        const int64_t e = s + PW_SLICE_ROWS < b->length ? s + PW_SLICE_ROWS : b->length;
        for (size_t i = 0; i < w->n_leaves && !rc; i++) {
            struct pw_leaf *L = &w->leaves[i];
            if (L->dead) continue;
            for (int64_t r = s; r < e && !rc; r++) rc = pw_shred(w, L, 0, L->cols[0], r, 0, 0);
        }
        if (rc) {
            err_set(err, rc, "%s: buffering rows: %s", w->name,
                    rc == ZEST_E_NOMEM ? "out of memory" : "encoding failed");
            goto out;
        }
        w->rg_rows += e - s;
        w->rows += e - s;
        if (pw_buffered(w) >= w->o.row_group_bytes && (rc = pw_flush(w, err))) goto out;
    }
out:
    if (rc) w->status = rc;
    return rc;
}

/* Null chunks for leaves that joined the schema after some row groups were written: the data
 * goes after the last row group, which the chunk offsets allow. */
static int pw_late_chunks(struct parquet_writer *w, zest_error *err) {
    for (size_t g = 0; g < w->n_rgs; g++) {
        struct pw_rowgroup *rg = &w->rgs[g];
        if (rg->n_chunks == w->n_leaves) continue;
        struct pw_chunk_meta *c = realloc(rg->chunks, w->n_leaves * sizeof *c);
        if (!c) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", w->name);
        rg->chunks = c;
        for (size_t i = rg->n_chunks; i < w->n_leaves; i++) {
            memset(&c[i], 0, sizeof c[i]);
            buf_init(&c[i].min, 0);
            buf_init(&c[i].max, 0);
        }
        const size_t from = rg->n_chunks;
        rg->n_chunks = w->n_leaves;
        for (size_t i = from; i < w->n_leaves; i++) {
            struct pw_leaf *L = &w->leaves[i];
            if (L->dead) continue;
            pw_leaf_reset(L, w);
            int rc = 0;
            for (int64_t r = 0; r < rg->rows && !rc; r++) {
                rc = buf_putc(&L->def, 0);
                if (!rc) rc = buf_putc(&L->rep, 0);
                L->nulls++;
            }
            if (!rc) rc = pw_chunk(w, L, &c[i], err);
            else err_set(err, rc, "%s: out of memory", w->name);
            pw_leaf_reset(L, w);
            if (rc) return rc;
            rg->usize += L->usize;
            rg->csize += L->csize;
        }
    }
    return 0;
}

static void pw_schema_el(struct tc_writer *t, const struct pw_node *n);

static void pw_schema_leaf(struct tc_writer *t, const struct pw_node *n) {
    tcw_struct_begin(t);
    tcw_i32_field(t, 1, pw_ptype(n->type));
    tcw_i32_field(t, 3, PQ_OPTIONAL);
    tcw_binary_field(t, 4, n->name, strlen(n->name));
    if (n->type == COL_UTF8) tcw_i32_field(t, 6, PQ_CT_UTF8);
    if (n->type == COL_JSON) tcw_i32_field(t, 6, PQ_CT_JSON);
    int lt = n->type == COL_UTF8 ? PQ_LT_STRING : n->type == COL_JSON ? PQ_LT_JSON :
             n->type == COL_NULL ? PQ_LT_UNKNOWN : PQ_LT_NONE;
    if (lt) {
        tcw_field(t, 10, TC_STRUCT);
        tcw_struct_begin(t);
        tcw_field(t, (int16_t)lt, TC_STRUCT);
        tcw_struct_begin(t);
        tcw_struct_end(t);
        tcw_struct_end(t);
    }
    tcw_struct_end(t);
}

static void pw_schema_el(struct tc_writer *t, const struct pw_node *n) {
    if (n->type == COL_STRUCT) {
        tcw_struct_begin(t);
        tcw_i32_field(t, 3, PQ_OPTIONAL);
        tcw_binary_field(t, 4, n->name, strlen(n->name));
        tcw_i32_field(t, 5, (int32_t)n->n_children);
        tcw_struct_end(t);
        for (size_t k = 0; k < n->n_children; k++) pw_schema_el(t, &n->children[k]);
    } else if (n->type == COL_LIST) {
        tcw_struct_begin(t);
        tcw_i32_field(t, 3, PQ_OPTIONAL);
        tcw_binary_field(t, 4, n->name, strlen(n->name));
        tcw_i32_field(t, 5, 1);
        tcw_i32_field(t, 6, PQ_CT_LIST);
        tcw_field(t, 10, TC_STRUCT);
        tcw_struct_begin(t);
        tcw_field(t, PQ_LT_LIST, TC_STRUCT);
        tcw_struct_begin(t);
        tcw_struct_end(t);
        tcw_struct_end(t);
        tcw_struct_end(t);
        tcw_struct_begin(t);
        tcw_i32_field(t, 3, PQ_REPEATED);
        tcw_binary_field(t, 4, "list", 4);
        tcw_i32_field(t, 5, 1);
        tcw_struct_end(t);
        pw_schema_el(t, &n->children[0]);
    } else {
        pw_schema_leaf(t, n);
    }
}

static size_t pw_count_elements(const struct pw_node *n) {
    size_t c = n->type == COL_LIST ? 2 : 1;
    for (size_t k = 0; k < n->n_children; k++) c += pw_count_elements(&n->children[k]);
    return c;
}

static void pw_footer_chunk(struct tc_writer *t, const struct pw_leaf *L,
                            const struct pw_chunk_meta *m, int codec) {
    tcw_struct_begin(t);
    tcw_i64_field(t, 2, m->dict ? m->dict_off : m->data_off);
    tcw_field(t, 3, TC_STRUCT);
    tcw_struct_begin(t);
    tcw_i32_field(t, 1, L->ptype);
    tcw_field(t, 2, TC_LIST);
    tcw_list(t, TC_I32, m->dict ? 3 : 2);
    tcw_i32(t, m->dict ? PQ_RLE_DICTIONARY : PQ_PLAIN);
    tcw_i32(t, PQ_RLE);
    if (m->dict) tcw_i32(t, PQ_PLAIN);
    tcw_field(t, 3, TC_LIST);
    tcw_list(t, TC_BINARY, (uint32_t)L->n_path_names);
    for (size_t k = 0; k < L->n_path_names; k++)
        tcw_binary(t, L->path_names[k], strlen(L->path_names[k]));
    tcw_i32_field(t, 4, codec);
    tcw_i64_field(t, 5, m->num_values);
    tcw_i64_field(t, 6, m->usize);
    tcw_i64_field(t, 7, m->csize);
    tcw_i64_field(t, 9, m->data_off);
    if (m->dict) tcw_i64_field(t, 11, m->dict_off);
    tcw_field(t, 12, TC_STRUCT);
    tcw_struct_begin(t);
    tcw_i64_field(t, 3, m->nulls);
    if (m->has_minmax) {
        tcw_binary_field(t, 5, m->max.data, m->max.len);
        tcw_binary_field(t, 6, m->min.data, m->min.len);
    }
    tcw_struct_end(t);
    tcw_struct_end(t);
    tcw_struct_end(t);
}

static void pw_kv(struct tc_writer *t, const char *k, const char *v) {
    tcw_struct_begin(t);
    tcw_binary_field(t, 1, k, strlen(k));
    tcw_binary_field(t, 2, v, strlen(v));
    tcw_struct_end(t);
}

int parquet_writer_close(struct parquet_writer *w, zest_error *err) {
    if (w->status) return err_set(err, w->status, "%s: an earlier write failed", w->name);
    int rc = pw_flush(w, err);
    if (rc) return w->status = rc;
    if ((rc = pw_late_chunks(w, err))) return w->status = rc;
    if (!w->have_schema) { /* no batch: one string column "text", as readers want a column */
        struct column none;
        memset(&none, 0, sizeof none);
        none.type = COL_UTF8;
        if ((rc = pw_add_top(w, "text", &none, NULL)))
            return w->status = err_set(err, rc, "%s: out of memory", w->name);
        w->have_schema = true;
    }
    struct buf *f = &w->page;
    buf_clear(f);
    struct tc_writer t;
    tcw_init(&t, f);
    tcw_struct_begin(&t);
    tcw_i32_field(&t, 1, 1);
    tcw_field(&t, 2, TC_LIST);
    size_t n_el = 1;
    for (size_t i = 0; i < w->n_top; i++) n_el += pw_count_elements(w->top[i]);
    tcw_list(&t, TC_STRUCT, (uint32_t)n_el);
    tcw_struct_begin(&t);
    tcw_binary_field(&t, 4, "schema", 6);
    tcw_i32_field(&t, 5, (int32_t)w->n_top);
    tcw_struct_end(&t);
    for (size_t i = 0; i < w->n_top; i++) pw_schema_el(&t, w->top[i]);
    tcw_i64_field(&t, 3, w->rows);
    tcw_field(&t, 4, TC_LIST);
    tcw_list(&t, TC_STRUCT, (uint32_t)w->n_rgs);
    for (size_t g = 0; g < w->n_rgs; g++) {
        const struct pw_rowgroup *rg = &w->rgs[g];
        tcw_struct_begin(&t);
        tcw_field(&t, 1, TC_LIST);
        size_t live = 0;
        for (size_t i = 0; i < w->n_top; i++) live += w->top[i]->n_leaves;
        tcw_list(&t, TC_STRUCT, (uint32_t)live);
        for (size_t i = 0; i < w->n_top; i++)
            for (size_t l = w->top[i]->first_leaf; l < w->top[i]->first_leaf + w->top[i]->n_leaves; l++)
                pw_footer_chunk(&t, &w->leaves[l], &rg->chunks[l], w->o.codec);
        tcw_i64_field(&t, 2, rg->usize);
        tcw_i64_field(&t, 3, rg->rows);
        tcw_i64_field(&t, 5, rg->offset);
        tcw_i64_field(&t, 6, rg->csize);
        tcw_field(&t, 7, TC_I16);
        tcw_i32(&t, (int32_t)g);
        tcw_struct_end(&t);
    }
    tcw_field(&t, 5, TC_LIST);
    tcw_list(&t, TC_STRUCT, 1);
    pw_kv(&t, "zest.version", ZEST_VERSION);
    static const char created[] = "zest version " ZEST_VERSION;
    tcw_binary_field(&t, 6, created, sizeof created - 1);
    tcw_struct_end(&t);
    if (t.status) return w->status = err_set(err, t.status, "%s: footer: out of memory", w->name);
    const uint32_t flen = (uint32_t)f->len;
    rc = pw_emit(w, f->data, f->len, err);
    if (!rc) rc = pw_emit(w, &flen, 4, err);
    if (!rc) rc = pw_emit(w, "PAR1", 4, err);
    if (rc) w->status = rc;
    return rc;
}

int64_t parquet_writer_rows(const struct parquet_writer *w) { return w->rows; }

void parquet_writer_free(struct parquet_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n_leaves; i++) {
        struct pw_leaf *L = &w->leaves[i];
        buf_free(&L->def);
        buf_free(&L->rep);
        buf_free(&L->vals);
        buf_free(&L->offs);
        buf_free(&L->data);
        buf_free(&L->dict_offs);
        buf_free(&L->dict_data);
        buf_free(&L->idx);
        buf_free(&L->smin);
        buf_free(&L->smax);
        free(L->ht);
    }
    free(w->leaves);
    for (size_t g = 0; g < w->n_rgs; g++) {
        for (size_t i = 0; i < w->rgs[g].n_chunks; i++) {
            buf_free(&w->rgs[g].chunks[i].min);
            buf_free(&w->rgs[g].chunks[i].max);
        }
        free(w->rgs[g].chunks);
    }
    free(w->rgs);
    for (size_t i = 0; i < w->n_top; i++) {
        pw_node_free(w->top[i]);
        free(w->top[i]);
    }
    free(w->top);
    for (size_t i = 0; i < w->n_dead; i++) {
        pw_node_free(w->dead[i]);
        free(w->dead[i]);
    }
    free(w->dead);
    buf_free(&w->page);
    buf_free(&w->comp);
    buf_free(&w->hdr);
    buf_free(&w->levels);
    buf_free(&w->json);
    free(w->tmp32);
    sink_abort(w->sink);
    free(w->name);
    free(w);
}

/* ---- files through the sink --------------------------------------------------------------- */

static int pw_sink_out(void *user, const void *data, size_t len, zest_error *err) {
    return sink_write(user, data, len, err);
}

int parquet_file_open(const char *path, const struct parquet_write_opts *o,
                      struct parquet_writer **wp, zest_error *err) {
    struct sink *s = NULL;
    *wp = NULL;
    int rc = sink_open(path, &s, err);
    if (rc) return rc;
    rc = parquet_writer_new(path, o, pw_sink_out, s, wp, err);
    if (rc) {
        sink_abort(s);
        return rc;
    }
    (*wp)->sink = s;
    return 0;
}

int parquet_file_commit(struct parquet_writer *w, uint64_t *bytes, zest_error *err) {
    int rc = parquet_writer_close(w, err);
    if (!rc) {
        rc = sink_commit(w->sink, bytes, err);
        w->sink = NULL;
    }
    parquet_writer_free(w);
    return rc;
}

void parquet_file_abort(struct parquet_writer *w) { parquet_writer_free(w); }

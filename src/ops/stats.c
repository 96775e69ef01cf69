/* SPDX-License-Identifier: Apache-2.0 */
/* stats.c - columnar filter stats: lookup for reuse, pending writes, commit per op. */
#include "stats.h"

#include <string.h>

#include "zest.h"

void stats_view_init(struct stats_view *sv, struct arena *arena, int64_t rows) {
    memset(sv, 0, sizeof *sv);
    sv->arena = arena;
    sv->rows = rows;
}

static int find_col(const struct stats_view *sv, const char *key) {
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->names[i], key) == 0) return (int)i;
    return -1;
}

int stats_view_add(struct stats_view *sv, const char *name, const struct column *col) {
    const int at = find_col(sv, name);
    if (at >= 0) {
        sv->cols[at] = *col;
        return 0;
    }
    if (sv->n == STATS_MAX_KEYS) return ZEST_E_LIMIT;
    sv->names[sv->n] = name;
    sv->cols[sv->n++] = *col;
    return 0;
}

int stats_get_number(struct stats_view *sv, const char *key, int64_t row, double *out) {
    const int at = find_col(sv, key);
    if (at < 0) return 0;
    const struct column *c = &sv->cols[at];
    if (!col_is_valid(c, row)) return 0;
    switch (c->type) {
    case COL_INT64: *out = (double)c->i64[c->offset + row]; return 1;
    case COL_DOUBLE: *out = c->f64[c->offset + row]; return 1;
    default: return 0;
    }
}

int stats_get_string(struct stats_view *sv, const char *key, int64_t row, const char **out,
                     size_t *len) {
    const int at = find_col(sv, key);
    if (at < 0) return 0;
    const struct column *c = &sv->cols[at];
    if (c->type != COL_UTF8 || !col_is_valid(c, row)) return 0;
    *out = col_str(c, row, len);
    return 1;
}

static struct stats_pending *pending_for(struct stats_view *sv, const char *key,
                                         enum col_type type) {
    for (size_t i = 0; i < sv->n_pending; i++)
        if (strcmp(sv->pending[i].key, key) == 0) return &sv->pending[i];
    if (sv->n_pending == sizeof sv->pending / sizeof sv->pending[0]) return NULL;
    const size_t rows = (size_t)(sv->rows > 0 ? sv->rows : 1);
    struct stats_pending *p = &sv->pending[sv->n_pending];
    p->key = key;
    p->type = type;
    p->values = arena_alloc(sv->arena, rows * 8);
    p->set = arena_alloc(sv->arena, (rows + 7) / 8);
    if (!p->values || !p->set) return NULL;
    memset(p->set, 0, (rows + 7) / 8);
    sv->n_pending++;
    return p;
}

int stats_set_int(struct stats_view *sv, const char *key, int64_t row, int64_t v) {
    struct stats_pending *p = pending_for(sv, key, COL_INT64);
    if (!p) return ZEST_E_NOMEM;
    ((int64_t *)p->values)[row] = v;
    p->set[row >> 3] |= (uint8_t)(1u << (row & 7));
    return 0;
}

int stats_set_double(struct stats_view *sv, const char *key, int64_t row, double v) {
    struct stats_pending *p = pending_for(sv, key, COL_DOUBLE);
    if (!p) return ZEST_E_NOMEM;
    ((double *)p->values)[row] = v;
    p->set[row >> 3] |= (uint8_t)(1u << (row & 7));
    return 0;
}

/* A string stat: the row keeps a NUL-terminated copy in the batch arena until the commit. */
int stats_set_string(struct stats_view *sv, const char *key, int64_t row, const char *v,
                     size_t len) {
    struct stats_pending *p = pending_for(sv, key, COL_UTF8);
    if (!p) return ZEST_E_NOMEM;
    char *copy = arena_strndup(sv->arena, v, len);
    if (!copy) return ZEST_E_NOMEM;
    ((const char **)p->values)[row] = copy;
    p->set[row >> 3] |= (uint8_t)(1u << (row & 7));
    return 0;
}

static int64_t count_nulls(const uint8_t *bits, int64_t rows) {
    int64_t valid = 0;
    for (int64_t i = 0; i < rows; i++) valid += (bits[i >> 3] >> (i & 7)) & 1;
    return rows - valid;
}

/* Rows the op did not compute keep the value the stats already had (same numeric type). */
static void merge_old(struct stats_pending *p, const struct column *old, int64_t rows) {
    for (int64_t r = 0; r < rows; r++) {
        if ((p->set[r >> 3] >> (r & 7)) & 1) continue;
        if (!col_is_valid(old, r)) continue;
        const int64_t j = old->offset + r;
        if (p->type == COL_INT64 && old->type == COL_INT64)
            ((int64_t *)p->values)[r] = old->i64[j];
        else if (p->type == COL_UTF8 && old->type == COL_UTF8)
            ((const char **)p->values)[r] = old->data + old->offsets[j]; /* its length below */
        else if (p->type == COL_DOUBLE && (old->type == COL_INT64 || old->type == COL_DOUBLE))
            ((double *)p->values)[r] = old->type == COL_INT64 ? (double)old->i64[j] : old->f64[j];
        else
            continue;
        p->set[r >> 3] |= (uint8_t)(1u << (r & 7));
    }
}

/* The length of row r of a string stat: an old row's from its column, a new one's by strlen. */
static size_t string_len(const struct stats_pending *p, const struct column *old, int64_t r) {
    const char *s = ((const char *const *)p->values)[r];
    if (old && old->type == COL_UTF8 && col_is_valid(old, r) &&
        s == old->data + old->offsets[old->offset + r])
        return (size_t)(old->offsets[old->offset + r + 1] - old->offsets[old->offset + r]);
    return strlen(s);
}

/* A string stat's rows as a UTF-8 column in the arena. */
static int string_column(struct stats_view *sv, const struct stats_pending *p,
                         const struct column *old, struct column *c) {
    const int64_t rows = sv->rows;
    int64_t *offsets = arena_alloc(sv->arena, (size_t)(rows + 1) * sizeof *offsets);
    if (!offsets) return ZEST_E_NOMEM;
    offsets[0] = 0;
    for (int64_t r = 0; r < rows; r++)
        offsets[r + 1] = offsets[r] + ((p->set[r >> 3] >> (r & 7)) & 1 ? (int64_t)string_len(p, old, r) : 0);
    char *data = arena_alloc(sv->arena, (size_t)offsets[rows] + 1);
    if (!data) return ZEST_E_NOMEM;
    for (int64_t r = 0; r < rows; r++)
        if (offsets[r + 1] > offsets[r])
            memcpy(data + offsets[r], ((const char *const *)p->values)[r], (size_t)(offsets[r + 1] - offsets[r]));
    c->offsets = offsets;
    c->data = data;
    return 0;
}

int stats_view_commit(struct stats_view *sv) {
    for (size_t i = 0; i < sv->n_pending; i++) {
        struct stats_pending *p = &sv->pending[i];
        const int at = find_col(sv, p->key);
        const struct column *old = at >= 0 ? &sv->cols[at] : NULL;
        if (old) merge_old(p, old, sv->rows);
        struct column c = {.type = p->type, .length = sv->rows};
        c.null_count = count_nulls(p->set, sv->rows);
        c.validity = c.null_count ? p->set : NULL;
        int rc = 0;
        if (p->type == COL_INT64)
            c.i64 = p->values;
        else if (p->type == COL_DOUBLE)
            c.f64 = p->values;
        else
            rc = string_column(sv, p, old, &c);
        if (rc == 0) rc = stats_view_add(sv, p->key, &c);
        if (rc) return rc;
    }
    sv->n_pending = 0;
    return 0;
}

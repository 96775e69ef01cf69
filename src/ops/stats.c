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
        else if (p->type == COL_DOUBLE)
            ((double *)p->values)[r] = old->type == COL_INT64 ? (double)old->i64[j] : old->f64[j];
        else
            continue;
        p->set[r >> 3] |= (uint8_t)(1u << (r & 7));
    }
}

int stats_view_commit(struct stats_view *sv) {
    for (size_t i = 0; i < sv->n_pending; i++) {
        struct stats_pending *p = &sv->pending[i];
        const int at = find_col(sv, p->key);
        if (at >= 0) merge_old(p, &sv->cols[at], sv->rows);
        struct column c = {.type = p->type, .length = sv->rows};
        c.null_count = count_nulls(p->set, sv->rows);
        c.validity = c.null_count ? p->set : NULL;
        if (p->type == COL_INT64)
            c.i64 = p->values;
        else
            c.f64 = p->values;
        const int rc = stats_view_add(sv, p->key, &c);
        if (rc) return rc;
    }
    sv->n_pending = 0;
    return 0;
}

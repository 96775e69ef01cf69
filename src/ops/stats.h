/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stats.h - the per-batch stats table behind `__dj__stats__`. Stats are kept as one column per
 * key (columnar, compacted with the batch) and assembled into the `__dj__stats__` object only
 * when a record is written. The runner creates the view per batch from the input's stats
 * (if any), filters read and add values through op.h's stats_get/stats_set, and the runner
 * commits them after each op. Memory comes from the batch arena.
 */
#ifndef ZEST_STATS_H
#define ZEST_STATS_H

#include "op.h"

#define STATS_MAX_KEYS 64

struct stats_pending {
    const char *key;
    enum col_type type; /* COL_INT64, COL_DOUBLE or COL_UTF8 */
    void *values;       /* int64_t[], double[] or const char *[], one per row */
    uint8_t *set;       /* validity: which rows got a value */
};

struct stats_view {
    struct arena *arena;
    int64_t rows;
    size_t n;                        /* committed stats columns */
    const char *names[STATS_MAX_KEYS];
    struct column cols[STATS_MAX_KEYS];
    size_t n_pending;
    struct stats_pending pending[8];
};

/* Starts a view over `rows` rows, empty. */
void stats_view_init(struct stats_view *sv, struct arena *arena, int64_t rows);
/* Adds an existing stats column (e.g. a child of the input's __dj__stats__ struct). */
int stats_view_add(struct stats_view *sv, const char *name, const struct column *col);
/* Folds the values an op set into the columns: a new key becomes a column; for a key already
 * present, rows the op computed take the new value and the others keep the old one. */
int stats_view_commit(struct stats_view *sv);

#endif

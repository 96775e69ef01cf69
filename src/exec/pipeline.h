/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipeline.h - runs the op list over one batch: op instances, the working columns (a mapper's
 * new text, compaction after a filter), the stats table, and per-op figures. One pipeline per
 * worker; nothing here is shared between threads. Depends on ops/, data/ and common/.
 */
#ifndef ZEST_PIPELINE_H
#define ZEST_PIPELINE_H

#include <stdint.h>

#include "../common/arena.h"
#include "../config/config.h"
#include "../data/column.h"
#include "../ops/stats.h"
#include "faults.h"

struct pipe_op {
    const struct op_desc *desc;
    void *state;
    int64_t rows_in, rows_out;
    int64_t bytes_in, bytes_out; /* text bytes */
    double seconds;
    struct dedup_run dedup; /* a deduplicator's phase, set by the barrier (barrier.h) */
};

/* Builders that compaction and mappers write into, handed out in turn and all reset per
 * batch: memory is reused from batch to batch. */
struct pipe_pool {
    struct col_builder *b;
    size_t n, used;
};

struct pipeline {
    size_t n_ops;
    struct pipe_op *ops;
    struct pipe_pool pool;
    struct selection sel;
    /* the batch as the ops see it */
    struct batch cur;
    struct column *cols;
    size_t cap_cols;
    const uint16_t **perm; /* per-row key order, compacted with the rows */
    size_t cap_perm;
    int text_col;
    int stats_col;
    int failed_op; /* index of the op whose error ended pipeline_run_batch, or -1 */
    struct faults *faults; /* injected faults (tests), may be NULL */
    /* Called after op k has run on the batch (checkpoints); may be NULL. */
    int (*after_op)(void *user, size_t k, const struct pipeline *p, zest_error *err);
    void *after_op_user;
    int64_t partition;     /* what faults see as the partition: 0 for the sequential run */
    size_t op_from, op_to; /* the ops pipeline_run_batch runs: [op_from, op_to) */
    struct stats_view stats;
};

/* Instantiates every op of the config (init with its bound parameters). */
int pipeline_init(struct pipeline *p, const struct zest_config *cfg, zest_error *err);
void pipeline_destroy(struct pipeline *p);
/* Runs ops [op_from, op_to) (all of them after init) over `in` (borrowed until the next call). On return p->cur is the result,
 * p->perm its key orders and p->stats its stats; memory comes from `arena` and the pool. */
int pipeline_run_batch(struct pipeline *p, const struct batch *in, const uint16_t *const *perm,
                       const char *text_key, struct arena *arena, zest_error *err);

#endif

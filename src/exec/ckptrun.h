/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ckptrun.h - a worker's checkpoints: after each op the checkpoint strategy selects
 * (checkpoint.strategy / checkpointing: every_op, every_n_ops, manual, disabled), the
 * partition's rows as that op left them (stats kept) go into
 * checkpoints/checkpoint_op_<k>_partition_<p>.<ext> through the checkpoint store, batch by
 * batch; at the end of the partition each is committed to its manifest with its op-prefix
 * hash, logged as checkpoint_save, and old ones are pruned (checkpoint_cleanup).
 * Depends on ckpt/, exec's pipeline/partplan/runevents, io/jsonl, config/.
 */
#ifndef ZEST_CKPTRUN_H
#define ZEST_CKPTRUN_H

#include <stdbool.h>

#include "../ckpt/ckpt.h"
#include "../config/config.h"
#include "partplan.h"
#include "pipeline.h"
#include "runevents.h"

struct ckptrun {
    const struct ckpt_store *store; /* NULL: checkpoints are off */
    enum ckpt_format format;
    size_t n_ops;
    bool *want;               /* ops whose output is checkpointed */
    uint64_t *prefix;         /* op-prefix hashes of the current partition */
    struct ckpt_writer **w;   /* open writers of the current partition */
    int64_t *rows;
    struct buf scratch;
};

/* Which ops the config's strategy checkpoints (Data-Juicer's rules). */
bool ckptrun_wanted(const struct zest_config *cfg, size_t k);

int ckptrun_init(struct ckptrun *c, const struct zest_config *cfg, const struct ckpt_store *store,
                 enum ckpt_format format, zest_error *err);
void ckptrun_destroy(struct ckptrun *c);
/* Opens this partition's checkpoint writers. */
int ckptrun_begin(struct ckptrun *c, const struct zest_config *cfg, const struct partplan_part *part,
                  const char *fingerprint_hex, zest_error *err);
/* The pipeline's after-op hook: appends the batch as op k left it. */
int ckptrun_after_op(void *user, size_t k, const struct pipeline *p, zest_error *err);
/* Finishes, commits and prunes this partition's checkpoints, with their events. */
int ckptrun_commit(struct ckptrun *c, const struct zest_config *cfg, struct runevents *ev,
                   int64_t part, int worker, zest_error *err);
/* Drops this partition's unfinished checkpoints (the partition failed). */
void ckptrun_abort(struct ckptrun *c);

#endif

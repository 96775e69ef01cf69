/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ckptrun.h - a worker's checkpoints. The checkpoint strategy (checkpoint.strategy /
 * checkpointing: every_op, every_n_ops, manual, disabled) cuts the op list into segments that
 * end at a checkpointed op; a worker runs one segment over the whole partition, writing the
 * rows as its last op left them into checkpoints/checkpoint_op_<k>_partition_<p>.<ext>
 * batch by batch, and commits it (manifest record with its op-prefix hash, checkpoint_save)
 * before the next segment reads it back. A crash or a failed attempt therefore resumes after
 * the last committed op. Old checkpoints are pruned (checkpoint_cleanup).
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
    bool *want;             /* ops whose output is checkpointed */
    bool final_keep_stats;  /* the last op's checkpoint is the export: its stats rule */
    uint64_t *prefix;       /* op-prefix hashes of the current partition */
    struct ckpt_writer *w;  /* the open writer, for op w_op */
    size_t w_op;
    int64_t rows;
    struct buf scratch;
};

/* Which ops the config's strategy checkpoints (Data-Juicer's rules). */
bool ckptrun_wanted(const struct zest_config *cfg, size_t k);

int ckptrun_init(struct ckptrun *c, const struct zest_config *cfg, const struct ckpt_store *store,
                 enum ckpt_format format, zest_error *err);
void ckptrun_destroy(struct ckptrun *c);
/* True when op k's output is checkpointed. */
bool ckptrun_wants(const struct ckptrun *c, size_t k);
/* Computes this partition's op-prefix hashes. The last op's checkpoint holds the partition's
 * export lines (stats as keep_stats_in_res_ds says), so its hash also covers that rule. */
int ckptrun_begin(struct ckptrun *c, const struct zest_config *cfg, const struct partplan_part *part,
                  const char *fingerprint_hex, zest_error *err);
/* The latest valid checkpoint of the partition (size and checksum verified; each one passed
 * over is logged as a warning saying why). Returns 1 and fills *rec, 0 when there is none,
 * or < 0. */
int ckptrun_latest(struct ckptrun *c, struct runevents *ev, int64_t part, int worker,
                   struct ckpt_record *rec, zest_error *err);
/* The path of a record's file. */
int ckptrun_file(const struct ckptrun *c, const struct ckpt_record *rec, char *out, size_t cap,
                 zest_error *err);
/* Opens the checkpoint writer of op k (one at a time). */
int ckptrun_open(struct ckptrun *c, int64_t part, size_t k, zest_error *err);
/* The pipeline's after-op hook: appends the batch as op k left it (stats kept, so later
 * filters reuse them), unless k is the last op (see ckptrun_write_export). */
int ckptrun_after_op(void *user, size_t k, const struct pipeline *p, zest_error *err);
/* The last op's checkpoint gets the export lines themselves. */
int ckptrun_write_export(struct ckptrun *c, const void *data, size_t len, int64_t rows,
                         zest_error *err);
/* Finishes and commits the open checkpoint (checkpoint_save); *rec gets its record. */
int ckptrun_commit(struct ckptrun *c, const struct zest_config *cfg, struct runevents *ev,
                   int64_t part, int worker, struct ckpt_record *rec, zest_error *err);
/* Prunes old checkpoints of the partition as the config says (checkpoint_cleanup). */
int ckptrun_prune(struct ckptrun *c, const struct zest_config *cfg, struct runevents *ev,
                  int64_t part, int worker, zest_error *err);
/* Drops the unfinished checkpoint (the partition failed). */
void ckptrun_abort(struct ckptrun *c);

#endif

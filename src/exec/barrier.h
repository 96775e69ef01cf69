/* SPDX-License-Identifier: Apache-2.0 */
/*
 * barrier.h - global operators (deduplicators) in the partitioned run. Before the export
 * pass, each global op in turn gets a signature pass: every partition runs the ops before it
 * (from its checkpoints when it has them) and the op's signature phase, and commits a
 * signature file; then, once, the combine and finalize phases turn all of them into a
 * decision file, committed atomically. The export pass then runs every partition through the
 * whole op list, each global op applying its decision as a selection. A resumed job reuses
 * every signature file and decision that is complete and made from the same input and
 * parameters, so nothing after the barrier is recomputed. Files under <job dir>/dedup/
 * (docs/dedup.md). Depends on exec's worker, dedupfile, runevents; ckpt/ (op-prefix hashes).
 */
#ifndef ZEST_BARRIER_H
#define ZEST_BARRIER_H

#include <stdbool.h>
#include <stddef.h>

#include "worker.h"

/* Runs every global op's signature, combine and finalize phases that the job does not have
 * yet, and loads the decisions. Sets job->barrier (freed by barrier_free). Nothing to do,
 * and no files, when the config has no global op. */
int barrier_run(struct job *job, const char *work_dir, zest_error *err);
void barrier_free(struct job *job);

/* Raises *rows / *bytes to what partition p's signature passes read of its input: the export
 * pass may start from checkpoints and read none of it. */
void barrier_input_read(const struct job *job, size_t p, int64_t *rows, int64_t *bytes);

/* For the workers. While a signature pass runs, the ops end at the global op being signed
 * (barrier_end: its index + 1, else n_ops), which is never checkpointed and writes no export. */
bool barrier_signing(const struct job *job);
size_t barrier_end(const struct job *job, size_t n_ops);
bool barrier_is_target(const struct job *job, size_t k);
/* True when the partition's signature file for the op being signed is already complete. */
bool barrier_part_done(const struct job *job, int64_t part);
/* Sets up the global ops of the pipeline for one segment of a partition (their phase, their
 * row count, the partition's decision); and, at the end of a signature segment, commits
 * the signature file. */
int barrier_segment_begin(struct job *job, struct pipeline *p, struct buf *sigs, int64_t part,
                          zest_error *err);
int barrier_segment_end(struct job *job, struct pipeline *p, struct buf *sigs, int64_t part,
                        int worker, zest_error *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runevents.h - what a run tells its event log: processing start (config summary, input
 * fingerprint), config warnings, each operation's start and completion (rows, bytes, rates,
 * selectivity) or error, malformed records (rate-limited, with a count of what was
 * suppressed), the periodic resource and throughput events, and the end of processing.
 * Depends on events/, exec's pipeline/fingerprint/resmon and config/.
 */
#ifndef ZEST_RUNEVENTS_H
#define ZEST_RUNEVENTS_H

#include "../ckpt/ckpt.h"
#include "../config/config.h"
#include "../events/evlog.h"
#include "alerts.h"
#include "fingerprint.h"
#include "partplan.h"
#include "pipeline.h"
#include "resmon.h"

/* Malformed-record warnings: the first RUNEV_BAD_BURST go out one by one, then at most one
 * per second, each carrying how many were suppressed since the last (runev_bad_record is not
 * thread-safe: callers serialise it). */
#define RUNEV_BAD_BURST 100

struct runevents {
    struct evlog *log;
    struct resmon mon;
    struct alerts alerts;
    struct run_counters counters;
    int64_t bad_emitted, bad_suppressed;
    double bad_last;
    double started;
};

/* Opens the job's event log (<job dir>/events) and starts the resource monitor. */
int runev_open(struct runevents *ev, const struct zest_config *cfg, const char *job_dir,
               const char *job_id, zest_error *err);
void runev_processing_start(struct runevents *ev, const struct zest_config *cfg,
                            const char *job_dir, const char *export_path,
                            const struct fingerprint *fp);
/* The partition plan: how many, and why that size (an info event). */
void runev_plan(struct runevents *ev, const struct partplan *plan);
/* A partition's life on worker `worker`: start; its ops' start; their completion with the
 * counts since `before` (the op counters when the partition began); an op's error; the end
 * (partition_complete, or partition_error with the status). Thread-safe. */
void runev_partition_start(struct runevents *ev, const struct partplan_part *part, int worker,
                           int attempt);
void runev_partition_ops_start(struct runevents *ev, const struct pipeline *p, int64_t part,
                               int worker);
void runev_partition_ops_complete(struct runevents *ev, const struct pipeline *p,
                                  const struct pipe_op *before, int64_t part, int worker);
/* The ops run are p->op_from .. p->op_to - 1 (one segment). */
void runev_partition_op_error(struct runevents *ev, const struct pipeline *p, int64_t part,
                              int worker, const zest_error *err);
/* What one attempt at a partition did; cpu_s is its worker thread's CPU time. */
struct runev_attempt {
    int64_t rows_in, rows_out, bytes_in, bytes_out;
    double seconds, cpu_s;
};
void runev_partition_end(struct runevents *ev, int64_t part, int worker, int attempt, int status,
                         const struct runev_attempt *a, const zest_error *err);
/* partition_retry: attempt `next_attempt` follows after `delay_s` seconds. */
void runev_partition_retry(struct runevents *ev, int64_t part, int worker, int next_attempt,
                           double delay_s, const zest_error *err);
/* partition_skip: the partition failed for good after `attempts` and is left out. */
void runev_partition_skip(struct runevents *ev, int64_t part, int worker, int attempts,
                          const zest_error *err);
/* partition_resume: the partition continues after the checkpoint `rec` of an earlier run
 * (complete: it needs no op, its export lines are that checkpoint). */
void runev_partition_resume(struct runevents *ev, int64_t part, int worker,
                            const struct ckpt_record *rec, bool complete);
/* An event of type `type` about checkpoint `rec` of partition `part`: its op and worker set. */
struct evlog_event runev_checkpoint_event(enum evlog_type type, const struct ckpt_record *rec,
                                          int64_t part, int worker);
/* checkpoint_load: the partition reads `path` (the checkpoint `rec`). */
void runev_checkpoint_load(struct runevents *ev, int64_t part, int worker,
                           const struct ckpt_record *rec, const char *path);
void runev_bad_record(struct runevents *ev, const zest_bad_record *bad);
/* processing_complete (status 0) or processing_error, with the run's totals. */
void runev_processing_end(struct runevents *ev, int status, const zest_run_summary *sum,
                          const zest_error *err);
/* Stops the monitor and closes the log; returns the log's first write error. */
int runev_close(struct runevents *ev, zest_error *err);

#endif

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

#include "../config/config.h"
#include "../events/evlog.h"
#include "fingerprint.h"
#include "pipeline.h"
#include "resmon.h"

/* Malformed-record warnings: the first RUNEV_BAD_BURST go out one by one, then at most one
 * per second, each carrying how many were suppressed since the last. */
#define RUNEV_BAD_BURST 100

struct runevents {
    struct evlog *log;
    struct resmon mon;
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
void runev_ops_start(struct runevents *ev, const struct pipeline *p);
void runev_ops_complete(struct runevents *ev, const struct pipeline *p);
void runev_op_error(struct runevents *ev, const struct pipeline *p, const zest_error *err);
void runev_bad_record(struct runevents *ev, const zest_bad_record *bad);
/* processing_complete (status 0) or processing_error, with the run's totals. */
void runev_processing_end(struct runevents *ev, int status, const zest_run_summary *sum,
                          const zest_error *err);
/* Stops the monitor and closes the log; returns the log's first write error. */
int runev_close(struct runevents *ev, zest_error *err);

#endif

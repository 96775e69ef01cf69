/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.h - the progress ticker: a thread that, every interval, turns the run's counters
 * (struct run_counters, updated by the workers) into a zest_progress and hands it to the
 * caller's on_progress, then one final call when the run ends. It needs no event log, so it
 * runs whether event logging is on or off. Only the ticker thread calls back while it runs;
 * the final call comes after it has been joined, so calls never overlap.
 * Depends on exec's resmon (the counters) and zest.h.
 */
#ifndef ZEST_PROGRESS_H
#define ZEST_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "resmon.h"
#include "zest.h"

struct partplan;

struct progress {
    zest_progress_fn fn;
    void *user;
    const struct run_counters *c;
    double t0; /* when the run began (monotonic seconds) */
    double interval_s;
    int64_t parts_total;
    int64_t bytes_total; /* input bytes of the plan; -1 when a partition's size is unknown */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, started, final_sent;
};

/* Ready for a run that began at t0; inactive (every call a no-op) when opts has no
 * on_progress. */
void progress_init(struct progress *p, const zest_run_options *opts, const struct run_counters *c,
                   double t0);
/* The planned input bytes of one partition, or -1 when unknown. */
int64_t progress_part_bytes(const struct partplan *plan, size_t i);
/* Starts ticking once the plan is known. */
int progress_start(struct progress *p, const struct partplan *plan);
/* Stops the ticker thread; safe when it never started. */
void progress_stop(struct progress *p);
/* The final call (at most once): totals from the summary when the run got as far as the
 * export (`exported`), else from the counters. */
void progress_final(struct progress *p, const zest_run_summary *sum, bool exported);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resmon.h - the resource monitor: a thread that, every interval, emits a resource_usage event
 * (RSS, peak RSS, CPU user/sys, threads, open fds, bytes read/written) and a
 * performance_metric event (rows/s and MB/s over the last interval) from counters the run
 * updates. Depends on events/ and common/.
 */
#ifndef ZEST_RESMON_H
#define ZEST_RESMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../events/evlog.h"

/* Progress counters, written by the run and read by the monitor and the progress ticker.
 * bytes_done is the input done: the planned bytes of finished partitions plus the bytes read
 * so far of running ones (a retry takes back what its failed attempt had read), so it
 * reaches the plan's total however partitions end; bytes_reused is the part of it that
 * resumed partitions brought without being run. */
struct run_counters {
    _Atomic int64_t rows_read, bytes_read, rows_written, bytes_written;
    _Atomic int64_t parts_running, parts_done, parts_skipped, parts_failed, parts_reused;
    _Atomic int64_t retries, bytes_done, bytes_reused;
};

struct resmon {
    struct evlog *log;
    const struct run_counters *counters;
    double interval_s;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, started;
    int64_t last_rows, last_bytes;
    double last_time;
};

/* A snapshot of this process's resources, as the JSON object resource_usage carries. */
int resmon_usage_json(const struct run_counters *c, struct buf *out);

int resmon_start(struct resmon *m, struct evlog *log, const struct run_counters *c,
                 double interval_s);
/* Stops the thread after one last pair of events; safe on a monitor never started. */
void resmon_stop(struct resmon *m);

#endif

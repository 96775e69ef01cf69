/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alerts.h - the alert watcher: a thread that checks the monitoring.alerts rules of the config
 * against the run's counters and the process's memory four times a second, raises a `warning`
 * event (metadata.alert names the rule) when one fires, and runs monitoring.alert_command with
 * the alert's JSON on stdin. The workers never wait on it: it only reads their counters, and a
 * slow command only delays the next check. Depends on config/, events/ and exec's resmon.
 */
#ifndef ZEST_ALERTS_H
#define ZEST_ALERTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../config/config.h"
#include "../events/evlog.h"
#include "resmon.h"

#define ALERTS_CHILDREN 8 /* alert commands running at once; more are skipped and counted */

struct alerts {
    const struct zest_config *cfg;
    struct evlog *log;
    const struct run_counters *c;
    char job_id[128];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, started;
    /* the rules' state */
    int64_t skipped_seen, progress_mark;
    double progress_t;
    bool raised[CFG_ALERTS_MAX]; /* a threshold rule fires once, again after it clears */
    pid_t child[ALERTS_CHILDREN];
    int64_t commands_skipped;
};

/* Starts watching when the config has rules; a no-op otherwise. 0, or -1 when the thread
 * could not start. */
int alerts_start(struct alerts *a, const struct zest_config *cfg, struct evlog *log,
                 const struct run_counters *c, const char *job_id);
/* One last check, then stops the thread and waits (at most 2 s) for the alert commands;
 * safe when never started. */
void alerts_stop(struct alerts *a);

#endif

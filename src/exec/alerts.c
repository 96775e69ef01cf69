/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alerts.c - the alert watcher (alerts.h): evaluates the monitoring.alerts rules on a timer,
 * emits `warning` events and spawns monitoring.alert_command. Owns its thread and the
 * commands it started. Depends on config/, events/, io/json.h and exec's resmon.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/buf.h"
#include "../io/json.h"
#include "alerts.h"

extern char **environ;

#define ALERTS_TICK_S 0.25

static double alerts_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int64_t alerts_load(const _Atomic int64_t *v) {
    return atomic_load(v);
}

/* Resident memory of this process in MB, or -1. */
static double alerts_rss_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %lld", &kb) == 1) break;
    if (f) fclose(f);
    return kb < 0 ? -1 : (double)kb / 1024.0;
}

static void alerts_reap(struct alerts *a, bool wait_all) {
    const double until = alerts_now() + 2.0;
    for (int i = 0; i < ALERTS_CHILDREN; i++) {
        while (a->child[i] > 0) {
            const pid_t r = waitpid(a->child[i], NULL, WNOHANG);
            if (r == a->child[i] || (r < 0 && errno != EINTR))
                a->child[i] = 0;
            else if (!wait_all)
                break;
            else if (alerts_now() > until)
                kill(a->child[i], SIGKILL);
            else
                usleep(10000);
        }
    }
}

/* Writes the alert to the command's stdin. A command that exits without reading it must not
 * kill the run with SIGPIPE: the signal is blocked in this thread for the write, and one it
 * raised is taken off before it is unblocked. An alert is far below the pipe's capacity, so
 * the write does not wait for the reader. */
static void alerts_write(int fd, const char *json, size_t len) {
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    const ssize_t w = write(fd, json, len);
    if (w < 0 && errno == EPIPE) {
        const struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Runs the alert command with `json` on stdin; never waits for it here. */
static void alerts_spawn(struct alerts *a, const char *json, size_t len) {
    int slot = -1;
    for (int i = 0; i < ALERTS_CHILDREN && slot < 0; i++)
        if (a->child[i] == 0) slot = i;
    int fd[2];
    if (slot < 0 || pipe2(fd, O_CLOEXEC) != 0) {
        a->commands_skipped++;
        return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[0], 0);
    char *argv[] = {"sh", "-c", a->cfg->alert_command, NULL};
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[0]);
    if (rc == 0) {
        a->child[slot] = pid;
        alerts_write(fd[1], json, len);
    } else
        a->commands_skipped++;
    close(fd[1]);
}

static void alerts_raise(struct alerts *a, const struct cfg_alert *r, double value,
                         const char *what) {
    static const char *const names[] = {"partition_skipped", "error_rate", "no_progress_s",
                                        "rss_mb"};
    char msg[256];
    snprintf(msg, sizeof msg, "alert %s: %s", r->rule, what);
    struct buf b;
    struct json_obj o;
    buf_init(&b, 0);
    json_obj_begin(&o, &b);
    json_obj_str(&o, "alert", names[r->kind]);
    json_obj_str(&o, "rule", r->rule);
    json_obj_double(&o, "value", value);
    json_obj_double(&o, "threshold", r->threshold);
    const int bad = json_obj_end(&o) || buf_putc(&b, '\0');
    struct evlog_event e = EVLOG_EVENT(WARNING);
    e.message = msg;
    if (!bad) e.metadata = b.data;
    evlog_emit(a->log, &e);
    if (!bad && a->cfg->alert_command && a->cfg->alert_command[0]) {
        struct buf cmd;
        buf_init(&cmd, 0);
        json_obj_begin(&o, &cmd);
        json_obj_str(&o, "job_id", a->job_id);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        json_obj_double(&o, "timestamp", (double)now.tv_sec + (double)now.tv_nsec * 1e-9);
        json_obj_str(&o, "message", msg);
        json_obj_raw(&o, "metadata", b.data);
        if (json_obj_end(&o) == 0 && buf_putc(&cmd, '\n') == 0) alerts_spawn(a, cmd.data, cmd.len);
        buf_free(&cmd);
    }
    buf_free(&b);
}

/* A threshold rule: fires when `value` goes above, once until it is back below. */
static void alerts_threshold(struct alerts *a, size_t i, double value, const char *what) {
    const struct cfg_alert *r = &a->cfg->alerts[i];
    const bool above = value > r->threshold;
    if (above && !a->raised[i]) alerts_raise(a, r, value, what);
    a->raised[i] = above;
}

static void alerts_check(struct alerts *a) {
    const struct run_counters *c = a->c;
    const int64_t skipped = alerts_load(&c->parts_skipped), failed = alerts_load(&c->parts_failed),
                  retries = alerts_load(&c->retries), running = alerts_load(&c->parts_running),
                  done = alerts_load(&c->parts_done) - alerts_load(&c->parts_reused);
    const int64_t mark = done + alerts_load(&c->rows_read) + alerts_load(&c->bytes_done);
    const double now = alerts_now();
    if (mark != a->progress_mark) a->progress_mark = mark, a->progress_t = now;
    char what[200];
    for (size_t i = 0; i < a->cfg->n_alerts; i++) {
        const struct cfg_alert *r = &a->cfg->alerts[i];
        switch (r->kind) {
        case CFG_ALERT_PARTITION_SKIPPED:
            if (skipped > a->skipped_seen) {
                snprintf(what, sizeof what, "%lld partition(s) skipped so far", (long long)skipped);
                alerts_raise(a, r, (double)skipped, what);
            }
            break;
        case CFG_ALERT_ERROR_RATE: {
            const int64_t bad = retries + skipped + failed, finished = done + bad;
            const double rate = finished > 0 ? (double)bad / (double)finished : 0;
            snprintf(what, sizeof what, "%lld of %lld partition attempts failed (%.0f%%)",
                     (long long)bad, (long long)finished, 100 * rate);
            alerts_threshold(a, i, rate, what);
            break;
        }
        case CFG_ALERT_NO_PROGRESS: {
            const double idle = running > 0 ? now - a->progress_t : 0;
            snprintf(what, sizeof what, "no partition done and no row read for %.1f s", idle);
            alerts_threshold(a, i, idle, what);
            break;
        }
        case CFG_ALERT_RSS_MB: {
            const double mb = alerts_rss_mb();
            snprintf(what, sizeof what, "resident memory %.1f MB", mb);
            alerts_threshold(a, i, mb, what);
            break;
        }
        }
    }
    a->skipped_seen = skipped;
    alerts_reap(a, false);
}

static void *alerts_main(void *arg) {
    struct alerts *a = arg;
    pthread_mutex_lock(&a->mu);
    while (!a->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)(ALERTS_TICK_S * 1e9);
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&a->cv, &a->mu, &ts);
        if (a->stop) break;
        pthread_mutex_unlock(&a->mu);
        alerts_check(a);
        pthread_mutex_lock(&a->mu);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

int alerts_start(struct alerts *a, const struct zest_config *cfg, struct evlog *log,
                 const struct run_counters *c, const char *job_id) {
    memset(a, 0, sizeof *a);
    if (!cfg->n_alerts) return 0;
    a->cfg = cfg;
    a->log = log;
    a->c = c;
    snprintf(a->job_id, sizeof a->job_id, "%s", job_id ? job_id : "");
    a->progress_t = alerts_now();
    a->progress_mark = -1;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    if (pthread_create(&a->thread, NULL, alerts_main, a) != 0) {
        pthread_mutex_destroy(&a->mu);
        pthread_cond_destroy(&a->cv);
        return -1;
    }
    a->started = true;
    return 0;
}

void alerts_stop(struct alerts *a) {
    if (!a->started) return;
    pthread_mutex_lock(&a->mu);
    a->stop = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    alerts_check(a); /* what happened since the last tick (a skip just before the end) */
    alerts_reap(a, true);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    a->started = false;
}

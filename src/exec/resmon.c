/* SPDX-License-Identifier: Apache-2.0 */
/* resmon.c - periodic resource_usage and performance_metric events (see resmon.h). */
#include "resmon.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../io/json.h"

static double resmon_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* kB values and the thread count from /proc/self/status. */
static void resmon_status(int64_t *rss_kb, int64_t *hwm_kb, int64_t *threads) {
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    *rss_kb = *hwm_kb = *threads = -1;
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        long long v;
        if (sscanf(line, "VmRSS: %lld", &v) == 1) *rss_kb = v;
        else if (sscanf(line, "VmHWM: %lld", &v) == 1) *hwm_kb = v;
        else if (sscanf(line, "Threads: %lld", &v) == 1) *threads = v;
    }
    fclose(f);
}

static int64_t resmon_open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    int64_t n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

int resmon_usage_json(const struct run_counters *c, struct buf *out) {
    int64_t rss, hwm, threads;
    struct rusage ru;
    struct json_obj o;
    resmon_status(&rss, &hwm, &threads);
    getrusage(RUSAGE_SELF, &ru);
    json_obj_begin(&o, out);
    json_obj_double(&o, "rss_mb", (double)rss / 1024.0);
    json_obj_double(&o, "peak_rss_mb", (double)hwm / 1024.0);
    json_obj_double(&o, "cpu_user_s", (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6);
    json_obj_double(&o, "cpu_sys_s", (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6);
    json_obj_int(&o, "threads", threads);
    json_obj_int(&o, "open_fds", resmon_open_fds());
    json_obj_int(&o, "bytes_read", atomic_load(&c->bytes_read));
    json_obj_int(&o, "bytes_written", atomic_load(&c->bytes_written));
    return json_obj_end(&o);
}

static void resmon_emit_usage(struct resmon *m) {
    struct buf b;
    buf_init(&b, 0);
    if (resmon_usage_json(m->counters, &b) == 0 && buf_putc(&b, '\0') == 0) {
        struct evlog_event ev = evlog_event_init(EVT_RESOURCE_USAGE);
        ev.message = "resource usage";
        ev.resource_usage = b.data;
        evlog_emit(m->log, &ev);
    }
    buf_free(&b);
}

static void resmon_emit_rate(struct resmon *m) {
    const double now = resmon_now(), dt = now - m->last_time;
    const int64_t rows = atomic_load(&m->counters->rows_read);
    const int64_t bytes = atomic_load(&m->counters->bytes_read);
    if (dt <= 0) return;
    char perf[160];
    snprintf(perf, sizeof perf, "{\"interval_s\":%.3f,\"rows_per_s\":%.1f,\"mb_per_s\":%.3f}", dt,
             (double)(rows - m->last_rows) / dt, (double)(bytes - m->last_bytes) / dt / 1e6);
    struct evlog_event ev = evlog_event_init(EVT_PERFORMANCE_METRIC);
    ev.message = "throughput over the last interval";
    ev.performance_metrics = perf;
    evlog_emit(m->log, &ev);
    m->last_rows = rows;
    m->last_bytes = bytes;
    m->last_time = now;
}

static void *resmon_main(void *arg) {
    struct resmon *m = arg;
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        const double t = (double)until.tv_nsec * 1e-9 + m->interval_s;
        until.tv_sec += (time_t)t;
        until.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
        pthread_cond_timedwait(&m->cv, &m->mu, &until);
        if (m->stop) break;
        pthread_mutex_unlock(&m->mu);
        resmon_emit_usage(m);
        resmon_emit_rate(m);
        pthread_mutex_lock(&m->mu);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

int resmon_start(struct resmon *m, struct evlog *log, const struct run_counters *c,
                 double interval_s) {
    memset(m, 0, sizeof *m);
    m->log = log;
    m->counters = c;
    m->interval_s = interval_s > 0 ? interval_s : 5;
    m->last_time = resmon_now();
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    if (pthread_create(&m->thread, NULL, resmon_main, m) != 0) return ZEST_E_INTERNAL;
    m->started = true;
    return 0;
}

void resmon_stop(struct resmon *m) {
    if (!m->started) return;
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, NULL);
    resmon_emit_usage(m); /* the run's final figures, whatever its length */
    resmon_emit_rate(m);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    m->started = false;
}

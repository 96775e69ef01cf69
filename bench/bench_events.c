/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_events.c - a by-hand throughput check of the event logger (not a test: tests never
 * time things). Two threads each emit N typical events (a message, an operation, a small
 * metadata object) into a log in a temporary directory; prints the rate at which the
 * emitters got their events queued (evlog_emit calls per second, both threads together,
 * including any time spent waiting for the writer) and the writer's sustained rate (events
 * per second from the first emit until evlog_flush returned, i.e. all of them formatted and
 * written). Rotation is off so the figure is the writer's own.
 *
 *   cc -std=c11 -O2 -Iinclude -D_GNU_SOURCE -pthread bench/bench_events.c src/events/evlog.c \
 *      src/events/evqueue.c src/events/evrotate.c src/io/json_write.c src/common/buf.c \
 *      src/common/err.c src/common/fsutil.c -lz -lm -o build/bench_events
 *   build/bench_events [events-per-thread]       (default 1000000)
 */
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../src/events/evlog.h"

#define N_THREADS 2
#define N_META 1024

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct emitter {
    struct evlog *log;
    long n;
    int t;
    double took;
};

static pthread_barrier_t start;

static void *emitter_main(void *arg) {
    struct emitter *e = arg;
    char meta[N_META][48]; /* made up front: the loop times evlog_emit, not printf */
    for (int i = 0; i < N_META; i++)
        snprintf(meta[i], sizeof meta[i], "{\"rows\":%d,\"kept\":%d}", 1000 + i, 500 + i);
    pthread_barrier_wait(&start);
    const double t0 = now();
    for (long i = 0; i < e->n; i++) {
        struct evlog_event ev = EVLOG_EVENT(OPERATION_COMPLETE);
        ev.message = "operation finished on its batch";
        ev.operation_name = "text_length_filter";
        ev.operation_idx = 2;
        ev.partition_id = e->t;
        ev.worker = e->t;
        ev.duration = 0.00125;
        ev.metadata = meta[i % N_META];
        evlog_emit(e->log, &ev);
    }
    e->took = now() - t0;
    return NULL;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int main(int argc, char **argv) {
    const long n = argc > 1 ? atol(argv[1]) : 1000000;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/zest-bench-events-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) return perror("mkdtemp"), 1;
    const struct evlog_config cfg = {
        .dir = dir,
        .job_id = "bench",
        .enabled = true,
        .min_level = EVLOG_DEBUG,
        .max_log_size_mb = 0,
        .backup_count = 0,
        .flush_interval_s = 1,
        .ring_events = 100,
    };
    struct evlog *log = NULL;
    zest_error err;
    if (evlog_open(&cfg, &log, &err) != 0) return fprintf(stderr, "%s\n", err.msg), 1;

    pthread_t th[N_THREADS];
    struct emitter em[N_THREADS];
    pthread_barrier_init(&start, NULL, N_THREADS + 1);
    for (int t = 0; t < N_THREADS; t++) {
        em[t] = (struct emitter){log, n, t, 0};
        pthread_create(&th[t], NULL, emitter_main, &em[t]);
    }
    pthread_barrier_wait(&start);
    const double t0 = now();
    double slowest = 0;
    for (int t = 0; t < N_THREADS; t++) {
        pthread_join(th[t], NULL);
        if (em[t].took > slowest) slowest = em[t].took;
    }
    evlog_flush(log);
    const double all = now() - t0;
    struct evlog_stats st;
    evlog_stats(log, &st);
    const int rc = evlog_close(log, &err);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    if (rc) return fprintf(stderr, "%s\n", err.msg), 1;

    const double total = (double)n * N_THREADS;
    printf("events enqueue: %.2f M events/s from %d threads (%ld each, %.3f s, %llu waits for "
           "a full queue)\n",
           total / slowest / 1e6, N_THREADS, n, slowest, (unsigned long long)st.queue_waits);
    printf("events writer:  %.2f M events/s sustained (%llu lines written in %.3f s)\n",
           (double)st.written / all / 1e6, (unsigned long long)st.written, all);
    return st.written == (uint64_t)total ? 0 : 1;
}

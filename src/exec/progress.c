/* SPDX-License-Identifier: Apache-2.0 */
/* progress.c - the progress ticker (see progress.h). */
#include "progress.h"

#include <string.h>
#include <time.h>

#include "partplan.h"

/* The interval when the caller gives none. */
#define PROGRESS_DEFAULT_INTERVAL_S 0.5

static double progress_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int64_t progress_load(const _Atomic int64_t *v) {
    return atomic_load_explicit(v, memory_order_relaxed);
}

void progress_init(struct progress *p, const zest_run_options *opts, const struct run_counters *c,
                   double t0) {
    memset(p, 0, sizeof *p);
    p->fn = opts ? opts->on_progress : NULL;
    p->user = opts ? opts->user : NULL;
    p->c = c;
    p->t0 = t0;
    p->interval_s = opts && opts->progress_interval_s > 0 ? opts->progress_interval_s
                                                          : PROGRESS_DEFAULT_INTERVAL_S;
    p->bytes_total = -1;
}

int64_t progress_part_bytes(const struct partplan *plan, size_t i) {
    const struct partplan_part *part = &plan->parts[i];
    return part->kind == PARTPLAN_RANGE && part->end >= part->start ? part->end - part->start : -1;
}

/* Seconds left: the work still to do at the rate of the work done so far this run (what
 * resumed partitions brought is done, but took no time). From input bytes when the plan
 * knows every partition's size, else from partitions. -1 before anything is done. */
static double progress_eta(const struct progress *p, const zest_progress *o) {
    int64_t total = p->bytes_total, done, work;
    if (total >= 0) {
        done = progress_load(&p->c->bytes_done);
        done = done < total ? done : total;
        work = done - progress_load(&p->c->bytes_reused);
    } else {
        total = o->partitions_total;
        done = o->partitions_done + o->partitions_skipped + o->partitions_failed;
        work = done - o->partitions_reused;
    }
    if (done >= total) return 0;
    if (work <= 0 || o->elapsed_s <= 0) return -1;
    return (double)(total - done) * o->elapsed_s / (double)work;
}

static void progress_rates(zest_progress *o) {
    const double t = o->elapsed_s;
    o->rows_per_s = t > 0 ? (double)o->rows_read / t : 0;
    o->mb_per_s = t > 0 ? (double)o->bytes_read / 1e6 / t : 0;
}

static void progress_fill(const struct progress *p, zest_progress *o) {
    const struct run_counters *c = p->c;
    memset(o, 0, sizeof *o);
    o->partitions_total = p->parts_total;
    o->partitions_done = progress_load(&c->parts_done);
    o->partitions_running = progress_load(&c->parts_running);
    o->partitions_skipped = progress_load(&c->parts_skipped);
    o->partitions_failed = progress_load(&c->parts_failed);
    o->partitions_reused = progress_load(&c->parts_reused);
    o->retries = progress_load(&c->retries);
    o->rows_read = progress_load(&c->rows_read);
    o->rows_written = progress_load(&c->rows_written);
    o->bytes_read = progress_load(&c->bytes_read);
    o->bytes_written = progress_load(&c->bytes_written);
    o->elapsed_s = progress_now() - p->t0;
    progress_rates(o);
    o->eta_s = progress_eta(p, o);
}

static void *progress_main(void *arg) {
    struct progress *p = arg;
    zest_progress snap;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        const double t = (double)until.tv_nsec * 1e-9 + p->interval_s;
        until.tv_sec += (time_t)t;
        until.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
        pthread_cond_timedwait(&p->cv, &p->mu, &until);
        if (p->stop) break;
        pthread_mutex_unlock(&p->mu); /* the callback may be slow: stop must not wait on it */
        progress_fill(p, &snap);
        p->fn(&snap, p->user);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int progress_start(struct progress *p, const struct partplan *plan) {
    if (!p->fn) return 0;
    p->parts_total = (int64_t)plan->count;
    p->bytes_total = 0;
    for (size_t i = 0; i < plan->count && p->bytes_total >= 0; i++) {
        const int64_t n = progress_part_bytes(plan, i);
        p->bytes_total = n < 0 ? -1 : p->bytes_total + n;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        return ZEST_E_INTERNAL;
    }
    p->started = true;
    return 0;
}

void progress_stop(struct progress *p) {
    if (!p->started) return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    p->started = false;
}

void progress_final(struct progress *p, const zest_run_summary *sum, bool exported) {
    if (!p->fn || p->final_sent) return;
    progress_stop(p);
    zest_progress o;
    progress_fill(p, &o);
    if (sum && !o.partitions_total) o.partitions_total = sum->partitions;
    if (sum && exported) {
        o.rows_read = sum->rows_read;
        o.rows_written = sum->rows_written;
        o.bytes_read = sum->bytes_read;
        o.bytes_written = sum->bytes_written;
        progress_rates(&o);
        o.eta_s = 0;
    } else {
        o.eta_s = -1; /* the run ended short of its end: there is nothing to estimate */
    }
    o.final = 1;
    p->final_sent = true;
    p->fn(&o, p->user);
}

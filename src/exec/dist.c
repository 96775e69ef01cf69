/* SPDX-License-Identifier: Apache-2.0 */
/* dist.c - the coordinator and the ranks' side of a distributed run (see dist.h). */
#include "dist.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/err.h"
#include "../common/fsutil.h"
#include "../io/json.h"
#include "mpi_rt.h"
#include "resume.h"

/* Message tags. A thread's replies and result lines carry its own tag, so the threads of a
 * rank never take each other's messages. */
enum {
    DIST_TAG_ASK = 1,      /* int32 thread: a thread of the sender wants a partition */
    DIST_TAG_DONE = 2,     /* struct dist_result */
    DIST_TAG_BYE = 3,      /* the sender's threads have all ended */
    DIST_TAG_GIVE = 10000, /* + thread: int64 partition, -1 for none */
    DIST_TAG_DATA = 20000, /* + thread: the export lines of a DONE */
};
#define DIST_MAX_THREADS 10000

/* A thread that asked and waits. */
struct dist_ask {
    int rank, thread;
    double t; /* when it came */
};

/* What rank 0 needs of a partition run elsewhere: its slot's fields (same binary on every
 * rank, so the structs travel as they are). */
struct dist_result {
    int64_t part, rows_read, rows_out, bytes_read, bytes_out, bad;
    uint64_t out_len;
    int32_t thread, attempt, status;
    uint8_t skipped, final_ckpt, reused;
    struct ckpt_record final;
    zest_error err;
};

/* Rank 0's status at a meeting point. */
struct dist_status {
    int32_t rc;
    uint64_t parts;
    zest_error err;
};

static bool dist_shared; /* the last status returned came from a meeting */

bool dist_status_shared(void) { return dist_shared; }

/* Broadcasts rank 0's status; every rank returns it (and its error). */
static int dist_meet(int rc, uint64_t *parts, zest_error *err) {
    struct dist_status st;
    memset(&st, 0, sizeof st);
    st.rc = rc;
    if (parts) st.parts = *parts;
    if (rc && err) st.err = *err;
    zest_error merr;
    const int mrc = mpirt_bcast(&st, sizeof st, 0, &merr);
    if (mrc) {
        if (err) *err = merr;
        return mrc;
    }
    if (st.rc && err) *err = st.err;
    if (parts) *parts = st.parts;
    if (st.rc) mpirt_agreed();
    dist_shared = st.rc != 0;
    return st.rc;
}

int dist_identify(const struct zest_config *cfg, bool resume, struct jobpaths *jp,
                  struct jobfile *jf, bool *found, zest_error *err) {
    struct {
        struct jobpaths jp;
        struct jobfile jf;
        uint8_t found;
    } msg;
    memset(&msg, 0, sizeof msg);
    int rc = 0;
    if (mpirt_rank() == 0) {
        bool f = false;
        rc = resume_identify(cfg, resume, &msg.jp, &msg.jf, &f, err);
        msg.found = f;
    }
    zest_error merr;
    if (mpirt_bcast(&msg, sizeof msg, 0, &merr) != 0) {
        if (err) *err = merr;
        return merr.code;
    }
    *jp = msg.jp;
    *jf = msg.jf;
    *found = msg.found;
    return dist_meet(rc, NULL, err);
}

/* ------------------------------------------------------------------------------ probe */

struct dist_probe_id {
    char host[256];
    int64_t pid;
};

static void dist_probe_path(const char *work_dir, int rank, char *out, size_t cap) {
    snprintf(out, cap, "%s/.rank%05d.probe", work_dir, rank);
}

/* Does rank r's probe file, as rank 0 sees it, hold what rank r wrote? */
static bool dist_probe_seen(const char *work_dir, int r, const struct dist_probe_id *id) {
    char path[1200], want[400], got[400] = "";
    dist_probe_path(work_dir, r, path, sizeof path);
    snprintf(want, sizeof want, "%s %lld\n", id->host, (long long)id->pid);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    const size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = '\0';
    return strcmp(got, want) == 0;
}

/* Rank 0: the ranks whose probe it does not see, named with their hosts. */
static int dist_probe_verdict(const char *work_dir, const struct dist_probe_id *ids, int size,
                              zest_error *err) {
    char list[700] = "";
    size_t len = 0;
    int missing = 0;
    for (int r = 1; r < size; r++) {
        if (dist_probe_seen(work_dir, r, &ids[r])) continue;
        missing++;
        if (len < sizeof list - 80)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%d (%s)",
                                    missing > 1 ? ", " : "", r, ids[r].host);
    }
    if (!missing) return 0;
    return err_set_at(err, ZEST_E_CONFIG, work_dir, 0, -1,
                      "the work dir is not shared by all ranks: rank 0 (%s) does not see the "
                      "probe files of rank%s %s; put work_dir on a file system that every "
                      "node mounts at the same path", ids[0].host, missing > 1 ? "s" : "", list);
}

int dist_probe(const char *work_dir, int rc0, zest_error *err) {
    const int rank = mpirt_rank(), size = mpirt_size();
    char path[1200], text[400];
    struct dist_probe_id me = {.pid = (int64_t)getpid()};
    struct dist_probe_id *ids = calloc((size_t)size, sizeof *ids);
    snprintf(me.host, sizeof me.host, "%s", mpirt_host());
    dist_probe_path(work_dir, rank, path, sizeof path);
    snprintf(text, sizeof text, "%s %lld\n", me.host, (long long)me.pid);
    if (!ids) return err_set(err, ZEST_E_NOMEM, "out of memory");
    char probe_file[1200];
    snprintf(probe_file, sizeof probe_file, "%s/job.json", work_dir);
    int rc = jobpaths_make_parent(probe_file, err);
    if (rc == 0) rc = fsutil_write_atomic(path, text, strlen(text), err);
    if (rc) { /* this rank cannot go on: it leaves, and the launcher ends the job */
        free(ids);
        return rc;
    }
    rc = mpirt_allgather(&me, ids, sizeof me, err);
    if (rc == 0 && rank == 0) rc = rc0 ? rc0 : dist_probe_verdict(work_dir, ids, size, err);
    free(ids);
    if (rc && rank != 0) return rc; /* an MPI failure */
    rc = dist_meet(rc, NULL, err);
    unlink(path);
    return rc;
}

/* ------------------------------------------------------------------------- meetings */

int dist_sync_plan(struct dist *d, int rc, size_t *parts, zest_error *err) {
    uint64_t n = *parts;
    d->synced_plan = true;
    rc = dist_meet(rc, &n, err);
    d->began = rc == 0;
    *parts = (size_t)n;
    return rc;
}

int dist_threads(struct dist *d, size_t threads, zest_error *err) {
    uint64_t mine = threads, *all = calloc((size_t)d->size, sizeof *all);
    if (!all) return err_set(err, ZEST_E_NOMEM, "out of memory");
    const int rc = mpirt_allgather(&mine, all, sizeof mine, err);
    d->threads = threads;
    d->worker_base = d->total_threads = 0;
    for (int r = 0; rc == 0 && r < d->size; r++) {
        if (r < d->rank) d->worker_base += all[r];
        d->total_threads += all[r];
    }
    free(all);
    if (rc == 0 && threads > DIST_MAX_THREADS)
        return err_set(err, ZEST_E_CONFIG, "np %zu: at most %d threads per rank", threads,
                       DIST_MAX_THREADS);
    return rc;
}

int dist_end(int rc, zest_error *err) {
    const int end = dist_meet(rc, NULL, err);
    mpirt_agreed();
    return end;
}

void dist_free(struct dist *d) {
    if (!d) return;
    free(d->asks);
    free(d->outbox);
    d->asks = NULL;
    d->outbox = NULL;
}

/* ----------------------------------------------------------------------- coordinator */

static double dist_clock(clockid_t id) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double dist_now(void) { return dist_clock(CLOCK_MONOTONIC); }

static int dist_ask_push(struct dist *d, int rank, int thread) {
    if (d->n_asks == d->cap_asks) {
        const size_t cap = d->cap_asks ? 2 * d->cap_asks : 64;
        struct dist_ask *a = realloc(d->asks, cap * sizeof *a);
        if (!a) return err_set(&d->err, ZEST_E_NOMEM, "out of memory");
        d->asks = a;
        d->cap_asks = cap;
    }
    d->asks[d->n_asks++] = (struct dist_ask){rank, thread, dist_now()};
    return 0;
}


/* Answers the waiting threads while partitions may start (or none is left); *served counts
 * the answers. */
static int dist_serve(struct dist *d, struct job *job, size_t *n_served) {
    size_t served = 0;
    while (served < d->n_asks) {
        const size_t p = worker_take_nowait(job);
        if (p == WORKER_TAKE_WAIT) break;
        const struct dist_ask *a = &d->asks[served];
        const int64_t msg = p == SIZE_MAX ? -1 : (int64_t)p;
        if (p != SIZE_MAX) {
            atomic_fetch_add_explicit(&job->ev.counters.parts_running, 1, memory_order_relaxed);
            d->handouts++;
            const double held = dist_now() - a->t;
            d->held_s += held;
            if (held > d->held_max_s) d->held_max_s = held;
        }
        ZEST_TRY(mpirt_send(a->rank, DIST_TAG_GIVE + a->thread, &msg, sizeof msg, &d->err));
        served++;
    }
    if (served) memmove(d->asks, d->asks + served, (d->n_asks - served) * sizeof *d->asks);
    d->n_asks -= served;
    *n_served = served;
    return 0;
}

/* A partition run elsewhere: its slot filled as its worker would have, then done. */
static int dist_take_result(struct dist *d, struct job *job, int src) {
    struct dist_result r;
    ZEST_TRY(mpirt_recv(src, DIST_TAG_DONE, &r, sizeof r, &d->err));
    if (r.part < 0 || (size_t)r.part >= job->plan.count || r.thread < 0)
        return err_set(&d->err, ZEST_E_FORMAT, "rank %d: a result for partition %lld",
                       src, (long long)r.part);
    struct part_slot *slot = &job->slots[r.part];
    buf_clear(&slot->out);
    if (r.out_len && buf_reserve(&slot->out, (size_t)r.out_len))
        return err_set(&d->err, ZEST_E_NOMEM, "out of memory for partition %lld's %llu bytes",
                       (long long)r.part, (unsigned long long)r.out_len);
    if (r.out_len)
        ZEST_TRY(mpirt_recv(src, DIST_TAG_DATA + r.thread, slot->out.data, (size_t)r.out_len,
                            &d->err));
    slot->out.len = (size_t)r.out_len;
    slot->rows_read = r.rows_read, slot->rows_out = r.rows_out, slot->bad = r.bad;
    slot->bytes_read = r.bytes_read, slot->bytes_out = r.bytes_out;
    slot->attempt = r.attempt, slot->status = r.status, slot->err = r.err;
    slot->skipped = r.skipped, slot->final_ckpt = r.final_ckpt, slot->reused = r.reused;
    slot->final = r.final;
    d->results++;
    struct run_counters *c = &job->ev.counters;
    atomic_fetch_add_explicit(&c->rows_read, r.rows_read, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->bytes_read, r.bytes_read, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->bytes_done, r.bytes_read, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->rows_written, r.rows_out, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->bytes_written, r.bytes_out, memory_order_relaxed);
    worker_count_end(job, (size_t)r.part);
    pthread_mutex_lock(&job->mu);
    if (slot->status && !slot->skipped && slot->status != ZEST_E_CANCELLED)
        atomic_store(&job->stop, true);
    slot->done = true;
    pthread_cond_broadcast(&job->cv);
    pthread_mutex_unlock(&job->mu);
    return 0;
}

/* One message from another rank. */
static int dist_handle(struct dist *d, struct job *job, int src, int tag) {
    if (tag == DIST_TAG_ASK) {
        int32_t thread = -1;
        ZEST_TRY(mpirt_recv(src, tag, &thread, sizeof thread, &d->err));
        if (thread < 0 || thread >= DIST_MAX_THREADS)
            return err_set(&d->err, ZEST_E_FORMAT, "rank %d: thread %d", src, thread);
        return dist_ask_push(d, src, thread);
    }
    if (tag == DIST_TAG_DONE) return dist_take_result(d, job, src);
    if (tag == DIST_TAG_BYE) {
        ZEST_TRY(mpirt_recv(src, tag, NULL, 0, &d->err));
        d->byes++;
        return 0;
    }
    return err_set(&d->err, ZEST_E_FORMAT, "rank %d: unexpected message tag %d", src, tag);
}

/* What the coordinator did: hand-outs, results taken, and its service time (the time spent
 * on messages, waits excluded), per hand-out: the figure that says how many ranks one
 * coordinator can serve (docs/mpi.md). */
static void dist_coord_event(const struct dist *d, struct job *job, double wall) {
    struct buf b;
    struct json_obj o;
    char msg[200];
    buf_init(&b, 0);
    json_obj_begin(&o, &b);
    json_obj_int(&o, "ranks", d->size);
    json_obj_int(&o, "threads", (int64_t)d->total_threads);
    json_obj_int(&o, "handouts", d->handouts);
    json_obj_int(&o, "results", d->results);
    json_obj_double(&o, "service_s", d->service_s);
    json_obj_double(&o, "service_cpu_s", d->service_cpu_s);
    json_obj_double(&o, "service_ms_per_handout",
                    d->handouts ? 1e3 * d->service_s / (double)d->handouts : 0);
    json_obj_double(&o, "service_cpu_ms_per_handout",
                    d->handouts ? 1e3 * d->service_cpu_s / (double)d->handouts : 0);
    json_obj_double(&o, "ask_held_s", d->held_s);
    json_obj_double(&o, "ask_held_max_s", d->held_max_s);
    json_obj_double(&o, "wall_s", wall);
    snprintf(msg, sizeof msg, "coordinator: %lld hand-outs to other ranks, %.3f ms of service "
             "(%.3f ms CPU) each", (long long)d->handouts,
             d->handouts ? 1e3 * d->service_s / (double)d->handouts : 0,
             d->handouts ? 1e3 * d->service_cpu_s / (double)d->handouts : 0);
    struct evlog_event e = evlog_event_init(EVT_PERFORMANCE_METRIC);
    e.message = msg;
    if (json_obj_end(&o) == 0 && buf_putc(&b, '\0') == 0) e.metadata = b.data;
    evlog_emit(job->ev.log, &e);
    buf_free(&b);
}

static void *dist_coord_main(void *arg) {
    struct job *job = arg;
    struct dist *d = job->dist;
    unsigned idle = 0;
    const double t_start = dist_now();
    while (d->rc == 0 && d->byes < d->size - 1) {
        int src = 0, tag = 0;
        size_t served = 0;
        const double t0 = dist_now(), c0 = dist_clock(CLOCK_THREAD_CPUTIME_ID);
        const int got = mpirt_probe(-1, -1, &src, &tag, NULL, &d->err);
        if (got < 0) d->rc = got;
        if (got == 1) d->rc = dist_handle(d, job, src, tag);
        if (d->rc == 0) d->rc = dist_serve(d, job, &served);
        if (got == 1 || served) {
            d->service_s += dist_now() - t0;
            d->service_cpu_s += dist_clock(CLOCK_THREAD_CPUTIME_ID) - c0;
        }
        if (got == 1) idle = 0;
        else mpirt_idle(idle < 63 ? idle++ : idle); /* at most 100 us between looks */
    }
    dist_coord_event(d, job, dist_now() - t_start);
    if (d->rc) { /* MPI itself failed: the job cannot go on */
        pthread_mutex_lock(&job->mu);
        atomic_store(&job->stop, true);
        pthread_cond_broadcast(&job->cv);
        pthread_mutex_unlock(&job->mu);
    }
    return NULL;
}

int dist_coord_start(struct dist *d, struct job *job, zest_error *err) {
    if (pthread_create(&d->coord, NULL, dist_coord_main, job) != 0)
        return err_set(err, ZEST_E_INTERNAL, "cannot start the coordinator thread");
    d->coord_started = true;
    return 0;
}

int dist_coord_join(struct dist *d, zest_error *err) {
    if (!d->coord_started) return 0;
    pthread_join(d->coord, NULL);
    d->coord_started = false;
    if (d->rc && err) *err = d->err;
    return d->rc;
}

/* ----------------------------------------------------------------------- other ranks */

int dist_ask(int thread, zest_error *err) {
    const int32_t t = thread;
    return mpirt_send(0, DIST_TAG_ASK, &t, sizeof t, err);
}

size_t dist_take(struct job *job, int thread) {
    int64_t p = -1;
    zest_error err;
    if (mpirt_recv_wait(0, DIST_TAG_GIVE + thread, &p, sizeof p, NULL, &err) != 0) {
        atomic_store(&job->stop, true);
        return SIZE_MAX;
    }
    return p < 0 ? SIZE_MAX : (size_t)p;
}

int dist_send_result(struct job *job, int thread, size_t p, zest_error *err) {
    struct part_slot *slot = &job->slots[p];
    struct dist_result r;
    memset(&r, 0, sizeof r);
    r.part = (int64_t)p, r.thread = thread;
    r.rows_read = slot->rows_read, r.rows_out = slot->rows_out, r.bad = slot->bad;
    r.bytes_read = slot->bytes_read, r.bytes_out = slot->bytes_out;
    r.attempt = slot->attempt, r.status = slot->status, r.err = slot->err;
    r.skipped = slot->skipped, r.final_ckpt = slot->final_ckpt, r.reused = slot->reused;
    r.final = slot->final;
    /* lines only for a partition that succeeded without a final checkpoint */
    r.out_len = slot->status == 0 && !slot->skipped && !slot->final_ckpt ? slot->out.len : 0;
    int rc = mpirt_send(0, DIST_TAG_DONE, &r, sizeof r, err);
    if (rc == 0 && r.out_len)
        rc = mpirt_send(0, DIST_TAG_DATA + thread, slot->out.data, (size_t)r.out_len, err);
    buf_free(&slot->out);
    return rc;
}

int dist_bye(zest_error *err) { return mpirt_send(0, DIST_TAG_BYE, NULL, 0, err); }

/* The next result waiting to be sent (its thread in *t), or SIZE_MAX. Under out_mu. */
static size_t dist_outbox_next(const struct dist *d, int *t) {
    for (size_t i = 0; i < d->threads; i++)
        if (d->outbox[i] != SIZE_MAX) {
            *t = (int)i;
            return d->outbox[i];
        }
    return SIZE_MAX;
}

static void *dist_sender_main(void *arg) {
    struct dist *d = arg;
    pthread_mutex_lock(&d->out_mu);
    for (;;) {
        int t = 0;
        const size_t p = dist_outbox_next(d, &t);
        if (p == SIZE_MAX) {
            if (d->sender_closed) break;
            pthread_cond_wait(&d->out_cv, &d->out_mu);
            continue;
        }
        pthread_mutex_unlock(&d->out_mu);
        zest_error err;
        const int rc = d->out_rc ? 0 : dist_send_result(d->job, t, p, &err);
        pthread_mutex_lock(&d->out_mu);
        if (rc && !d->out_rc) {
            d->out_rc = rc;
            d->out_err = err;
            atomic_store(&d->job->stop, true);
        }
        d->outbox[t] = SIZE_MAX;
        pthread_cond_broadcast(&d->out_cv);
    }
    pthread_mutex_unlock(&d->out_mu);
    return NULL;
}

int dist_sender_start(struct dist *d, struct job *job, zest_error *err) {
    d->job = job;
    if (!(d->outbox = malloc((d->threads ? d->threads : 1) * sizeof *d->outbox)))
        return err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t i = 0; i < d->threads; i++) d->outbox[i] = SIZE_MAX;
    pthread_mutex_init(&d->out_mu, NULL);
    pthread_cond_init(&d->out_cv, NULL);
    if (pthread_create(&d->sender, NULL, dist_sender_main, d) != 0)
        return err_set(err, ZEST_E_INTERNAL, "cannot start the result sender thread");
    d->sender_started = true;
    return 0;
}

int dist_post_result(struct job *job, int thread, size_t p) {
    struct dist *d = job->dist;
    pthread_mutex_lock(&d->out_mu);
    while (d->outbox[thread] != SIZE_MAX && !d->out_rc) pthread_cond_wait(&d->out_cv, &d->out_mu);
    const int rc = d->out_rc;
    if (!rc) d->outbox[thread] = p;
    pthread_cond_broadcast(&d->out_cv);
    pthread_mutex_unlock(&d->out_mu);
    return rc;
}

int dist_sender_stop(struct dist *d, zest_error *err) {
    if (!d->sender_started) return 0;
    pthread_mutex_lock(&d->out_mu);
    d->sender_closed = true;
    pthread_cond_broadcast(&d->out_cv);
    pthread_mutex_unlock(&d->out_mu);
    pthread_join(d->sender, NULL);
    d->sender_started = false;
    pthread_mutex_destroy(&d->out_mu);
    pthread_cond_destroy(&d->out_cv);
    if (d->out_rc && err) *err = d->out_err;
    return d->out_rc;
}

int dist_reduce_ops(zest_run_summary *s, zest_error *err) {
    const size_t n = s->n_ops * 3;
    double *v = calloc(n ? n : 1, sizeof *v);
    if (!v) return err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t k = 0; k < s->n_ops; k++) {
        v[3 * k] = (double)s->ops[k].rows_in;
        v[3 * k + 1] = (double)s->ops[k].rows_out;
        v[3 * k + 2] = s->ops[k].seconds;
    }
    const int rc = mpirt_reduce_sum(v, n, err);
    for (size_t k = 0; rc == 0 && mpirt_rank() == 0 && k < s->n_ops; k++) {
        s->ops[k].rows_in = (int64_t)v[3 * k];
        s->ops[k].rows_out = (int64_t)v[3 * k + 1];
        s->ops[k].seconds = v[3 * k + 2];
    }
    free(v);
    return rc;
}

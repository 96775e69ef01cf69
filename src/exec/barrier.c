/* SPDX-License-Identifier: Apache-2.0 */
/* barrier.c - global operators around a barrier in the partitioned run (see barrier.h). */
#include "barrier.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/err.h"
#include "../common/hash.h"
#include "../io/json.h"
#include "dedupfile.h"
#include "jobpaths.h"

struct barrier_op {
    size_t k; /* its index in the op list */
    size_t sig_size;
    uint64_t key;       /* of its decision: all partitions' keys */
    uint64_t *part_key; /* per partition: the op-prefix hash after this op */
    struct dedup_decision dec;
    bool loaded;
};

struct barrier {
    struct barrier_op *ops;
    size_t n;
    size_t target;                   /* index in ops[] being signed, or SIZE_MAX */
    int64_t *rows_read, *bytes_read; /* per partition: the input its signature passes read */
    char dir[1100];
};

static double barrier_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool barrier_signing(const struct job *job) {
    return job->barrier && job->barrier->target != SIZE_MAX;
}

size_t barrier_end(const struct job *job, size_t n_ops) {
    return barrier_signing(job) ? job->barrier->ops[job->barrier->target].k + 1 : n_ops;
}

bool barrier_is_target(const struct job *job, size_t k) {
    return barrier_signing(job) && job->barrier->ops[job->barrier->target].k == k;
}

static void barrier_sig_path(const struct barrier *b, size_t k, int64_t part, char *out,
                             size_t cap) {
    snprintf(out, cap, "%s/op_%04zu_signatures_%06lld.bin", b->dir, k, (long long)part);
}

static void barrier_decision_path(const struct barrier *b, size_t k, char *out, size_t cap) {
    snprintf(out, cap, "%s/op_%04zu_decision.bin", b->dir, k);
}

bool barrier_part_done(const struct job *job, int64_t part) {
    if (!barrier_signing(job)) return false;
    const struct barrier *b = job->barrier;
    const struct barrier_op *o = &b->ops[b->target];
    char path[1200];
    barrier_sig_path(b, o->k, part, path, sizeof path);
    return dedupfile_sigs_valid(path, o->part_key[part], part, o->sig_size);
}

/* An operation event of one phase of op k (partition -1 for the global phases). */
static void barrier_event(struct job *job, enum evlog_type t, size_t k, const char *phase,
                          int64_t part, int worker, double secs, int64_t rows_in, int64_t rows_out,
                          int64_t bytes_in) {
    char meta[240];
    if (rows_in >= 0 && bytes_in >= 0)
        snprintf(meta, sizeof meta,
                 "{\"phase\":\"%s\",\"rows_in\":%lld,\"rows_out\":%lld,"
                 "\"bytes_in\":%lld}",
                 phase, (long long)rows_in, (long long)rows_out, (long long)bytes_in);
    else if (rows_in >= 0)
        snprintf(meta, sizeof meta, "{\"phase\":\"%s\",\"rows_in\":%lld,\"rows_out\":%lld}", phase,
                 (long long)rows_in, (long long)rows_out);
    else
        snprintf(meta, sizeof meta, "{\"phase\":\"%s\"}", phase);
    char msg[96];
    snprintf(msg, sizeof msg, "%s phase %s", phase,
             t == EVT_OPERATION_START ? "started" : "completed");
    struct evlog_event e = evlog_event_init(t);
    e.message = msg;
    e.operation_name = job->cfg->ops[k].desc->info.name;
    e.operation_idx = (int)k;
    e.partition_id = part;
    e.worker = worker;
    e.metadata = meta;
    if (t == EVT_OPERATION_COMPLETE) e.duration = secs;
    evlog_emit(job->ev.log, &e);
}

int barrier_segment_begin(struct job *job, struct pipeline *p, struct buf *sigs, int64_t part,
                          zest_error *err) {
    struct barrier *b = job->barrier;
    if (!b) return 0;
    buf_clear(sigs);
    for (size_t i = 0; i < b->n; i++) {
        struct barrier_op *o = &b->ops[i];
        struct dedup_run *run = &p->ops[o->k].dedup;
        run->seq = 0;
        run->sigs = sigs;
        run->mode = i == b->target ? DEDUP_SIGNATURE : o->loaded ? DEDUP_APPLY : DEDUP_OFF;
        run->keep = o->loaded ? o->dec.bits[part] : NULL;
        run->n_keep = o->loaded ? o->dec.rows[part] : 0;
        run->seconds0 = p->ops[o->k].seconds;
        run->bytes0 = p->ops[o->k].bytes_in;
        if (i == b->target && o->k >= p->op_from && o->k < p->op_to)
            barrier_event(job, EVT_OPERATION_START, o->k, "signature", part, -1, 0, -1, -1, -1);
    }
    (void)err;
    return 0;
}

int barrier_segment_end(struct job *job, struct pipeline *p, struct buf *sigs, int64_t part,
                        int worker, zest_error *err) {
    struct barrier *b = job->barrier;
    for (size_t i = 0; b && i < b->n; i++) {
        const struct barrier_op *o = &b->ops[i];
        const struct dedup_run *run = &p->ops[o->k].dedup;
        if (o->k < p->op_from || o->k >= p->op_to) continue;
        if (run->mode == DEDUP_APPLY && run->seq != run->n_keep)
            return err_set(err, ZEST_E_FORMAT,
                           "partition %lld: %lld rows reached op %s, but its "
                           "stored decision is for %lld",
                           (long long)part, (long long)run->seq,
                           job->cfg->ops[o->k].desc->info.name, (long long)run->n_keep);
        if (i != b->target) continue;
        /* the op's own time over the partition, plus committing its signatures */
        const double t0 = barrier_now();
        char path[1200];
        barrier_sig_path(b, o->k, part, path, sizeof path);
        ZEST_TRY(dedupfile_write_sigs(path, o->part_key[part], part, o->sig_size, sigs, err));
        const struct pipe_op *op = &p->ops[o->k];
        barrier_event(job, EVT_OPERATION_COMPLETE, o->k, "signature", part, worker,
                      op->seconds - run->seconds0 + barrier_now() - t0, run->seq, run->seq,
                      op->bytes_in - run->bytes0);
    }
    return 0;
}

/* The op-prefix hashes of every partition: the keys of signature and decision files. */
static int barrier_keys(struct job *job, struct barrier *b, zest_error *err) {
    const struct zest_config *cfg = job->cfg;
    struct ckpt_op_ref *refs = calloc(cfg->n_ops, sizeof *refs);
    uint64_t *h = calloc(cfg->n_ops, sizeof *h);
    int rc = refs && h ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t k = 0; rc == 0 && k < cfg->n_ops; k++)
        refs[k] = (struct ckpt_op_ref){.desc = cfg->ops[k].desc, .params = &cfg->ops[k].params};
    for (size_t p = 0; rc == 0 && p < job->plan.count; p++) {
        const struct partplan_part *part = &job->plan.parts[p];
        const struct ckpt_partition_ref pref = {
            .source = part->origin, .start = part->start, .end = part->end};
        rc = ckpt_prefix_hashes(job->plan.fp.hex, &pref, refs, cfg->n_ops, h, err);
        for (size_t i = 0; rc == 0 && i < b->n; i++)
            b->ops[i].part_key[p] = h[b->ops[i].k];
    }
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        struct barrier_op *o = &b->ops[i];
        o->key = hash_finish(hash_bytes(HASH_SEED, o->part_key, job->plan.count * 8));
    }
    free(refs);
    free(h);
    return rc;
}

/* Bytes of one signature under the op's parameters (from an instance made for the purpose). */
static int barrier_sig_size(const struct zest_config *cfg, size_t k, size_t *out, zest_error *err) {
    const struct op_desc *op = cfg->ops[k].desc;
    void *state = calloc(1, op->state_size ? op->state_size : 1);
    int rc = state ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory");
    if (rc == 0 && op->init) rc = op->init(state, &cfg->ops[k].params, err);
    if (rc == 0) *out = op->dedup->sig_size(state);
    if (state && op->destroy) op->destroy(state);
    free(state);
    return rc;
}

static int barrier_init(struct job *job, const char *work_dir, zest_error *err) {
    const struct zest_config *cfg = job->cfg;
    size_t n = 0;
    for (size_t k = 0; k < cfg->n_ops; k++)
        n += cfg->ops[k].desc->dedup != NULL;
    if (!n) return 0;
    struct barrier *b = calloc(1, sizeof *b);
    if (!b) return err_set(err, ZEST_E_NOMEM, "out of memory");
    job->barrier = b;
    b->target = SIZE_MAX;
    snprintf(b->dir, sizeof b->dir, "%s/dedup", work_dir);
    const size_t parts = job->plan.count ? job->plan.count : 1;
    b->ops = calloc(n, sizeof *b->ops);
    b->rows_read = calloc(parts, sizeof *b->rows_read);
    b->bytes_read = calloc(parts, sizeof *b->bytes_read);
    if (!b->ops || !b->rows_read || !b->bytes_read)
        return err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t k = 0; k < cfg->n_ops; k++) {
        if (!cfg->ops[k].desc->dedup) continue;
        struct barrier_op *o = &b->ops[b->n++];
        o->k = k;
        o->part_key = calloc(job->plan.count ? job->plan.count : 1, sizeof *o->part_key);
        if (!o->part_key) return err_set(err, ZEST_E_NOMEM, "out of memory");
        ZEST_TRY(barrier_sig_size(cfg, k, &o->sig_size, err));
    }
    char probe[1200];
    snprintf(probe, sizeof probe, "%s/x", b->dir);
    ZEST_TRY(jobpaths_make_parent(probe, err));
    return barrier_keys(job, b, err);
}

void barrier_free(struct job *job) {
    struct barrier *b = job->barrier;
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) {
        free(b->ops[i].part_key);
        dedupfile_decision_free(&b->ops[i].dec);
    }
    free(b->ops);
    free(b->rows_read);
    free(b->bytes_read);
    free(b);
    job->barrier = NULL;
}

void barrier_input_read(const struct job *job, size_t p, int64_t *rows, int64_t *bytes) {
    const struct barrier *b = job->barrier;
    if (!b || p >= job->plan.count) return;
    if (b->rows_read[p] > *rows) *rows = b->rows_read[p];
    if (b->bytes_read[p] > *bytes) *bytes = b->bytes_read[p];
}

static size_t barrier_np(const struct job *job) {
    size_t n = job->cfg->np > 0 ? (size_t)job->cfg->np : 1;
    if (job->cfg->np <= 0) {
        const long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (size_t)c : 1;
    }
    return n < job->plan.count ? n : job->plan.count;
}

/* Slots and counters as a fresh pass needs them: the signature pass read the input once
 * already, which the export pass's figures must not count. */
static void barrier_reset(struct job *job) {
    struct barrier *b = job->barrier;
    for (size_t p = 0; p < job->plan.count; p++) {
        struct part_slot *s = &job->slots[p];
        if (s->rows_read > b->rows_read[p]) b->rows_read[p] = s->rows_read;
        if (s->bytes_read > b->bytes_read[p]) b->bytes_read[p] = s->bytes_read;
        const int64_t bad_seen = s->bad_seen;
        struct buf out = s->out;
        buf_clear(&out);
        memset(s, 0, sizeof *s);
        s->out = out;
        s->bad_seen = bad_seen;
    }
    struct run_counters *c = &job->ev.counters;
    atomic_store(&c->rows_read, 0);
    atomic_store(&c->bytes_read, 0);
    atomic_store(&c->bytes_done, 0);
    atomic_store(&c->parts_done, 0);
    atomic_store(&c->parts_reused, 0);
    atomic_store(&c->bytes_reused, 0);
    atomic_store(&c->parts_running, 0);
    job->next = job->merged = 0;
}

/* Every partition through the ops up to the global op being signed, on the job's workers;
 * no export. A partition that failed fails the pass (the decision needs them all). */
static int barrier_sign(struct job *job, zest_error *err) {
    const size_t n = barrier_np(job);
    struct worker *w = calloc(n ? n : 1, sizeof *w);
    int rc = w ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory");
    job->window = job->plan.count + 1; /* nothing is merged: no reason to wait */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = worker_init(&w[i], job, (int)i, err);
        if (rc == 0 && pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
            rc = err_set(err, ZEST_E_INTERNAL, "cannot start worker thread %zu", i);
        if (rc == 0) w[i].started = true;
    }
    if (rc) atomic_store(&job->stop, true);
    for (size_t i = 0; i < n && w; i++)
        if (w[i].started) pthread_join(w[i].thread, NULL);
    for (size_t p = 0; rc == 0 && p < job->plan.count; p++) {
        const struct part_slot *s = &job->slots[p];
        if (s->status == 0 && !s->skipped && s->done) continue;
        rc = s->status && s->status != ZEST_E_CANCELLED ? s->status : ZEST_E_CANCELLED;
        if (err) *err = s->err;
        if (rc == ZEST_E_CANCELLED)
            err_set(err, rc, "run cancelled");
        else
            err_prefix(err, "partition %zu (signature phase)", p);
    }
    /* a partition that failed for good was the first error: report that one */
    for (size_t p = 0; rc == ZEST_E_CANCELLED && p < job->plan.count; p++) {
        const struct part_slot *s = &job->slots[p];
        if (s->done && s->status && s->status != ZEST_E_CANCELLED) {
            rc = s->status;
            if (err) *err = s->err;
        }
    }
    for (size_t i = 0; i < n && w; i++)
        worker_destroy(&w[i]);
    free(w);
    return rc;
}

/* The global step of one op: combine the signature files, finalize, commit the decision. */
static int barrier_decide(struct job *job, struct barrier_op *o, zest_error *err) {
    struct barrier *b = job->barrier;
    const size_t parts = job->plan.count;
    const struct zest_config *cfg = job->cfg;
    char **paths = calloc(parts ? parts : 1, sizeof *paths);
    int64_t *rows = calloc(parts ? parts : 1, sizeof *rows);
    struct buf store;
    struct dedup_sigs sigs;
    buf_init(&store, 0);
    int rc = paths && rows ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t p = 0; rc == 0 && p < parts; p++) {
        if (!(paths[p] = malloc(1200)))
            rc = err_set(err, ZEST_E_NOMEM, "out of memory");
        else
            barrier_sig_path(b, o->k, (int64_t)p, paths[p], 1200);
    }
    double t0 = barrier_now();
    if (rc == 0) barrier_event(job, EVT_OPERATION_START, o->k, "combine", -1, -1, 0, -1, -1, -1);
    if (rc == 0)
        rc = dedupfile_combine(paths, o->part_key, parts, o->sig_size, &store, &sigs, rows, err);
    if (rc == 0)
        barrier_event(job, EVT_OPERATION_COMPLETE, o->k, "combine", -1, -1, barrier_now() - t0,
                      sigs.total, sigs.total, -1);
    if (rc == 0) rc = faults_before_op(&job->faults, "dedup_combine", 0, err);
    char path[1200];
    barrier_decision_path(b, o->k, path, sizeof path);
    int64_t kept = 0;
    t0 = barrier_now();
    if (rc == 0) barrier_event(job, EVT_OPERATION_START, o->k, "finalize", -1, -1, 0, -1, -1, -1);
    if (rc == 0)
        rc = dedupfile_finalize(cfg->ops[o->k].desc, &cfg->ops[o->k].params, &sigs, rows, parts,
                                o->key, (int)barrier_np(job), path, &kept, err);
    if (rc == 0)
        barrier_event(job, EVT_OPERATION_COMPLETE, o->k, "finalize", -1, -1, barrier_now() - t0,
                      sigs.total, kept, -1);
    if (rc == 0) rc = faults_before_op(&job->faults, "dedup_decided", 0, err);
    if (rc) err_set_op(err, cfg->ops[o->k].desc->info.name);
    for (size_t p = 0; paths && p < parts; p++)
        free(paths[p]);
    free(paths);
    free(rows);
    buf_free(&store);
    return rc;
}

static void barrier_note(struct job *job, const struct barrier_op *o, const char *what) {
    char msg[300];
    snprintf(msg, sizeof msg, "op %zu %s: %s", o->k, job->cfg->ops[o->k].desc->info.name, what);
    struct evlog_event e = evlog_event_init(EVT_INFO);
    e.message = msg;
    e.operation_name = job->cfg->ops[o->k].desc->info.name;
    e.operation_idx = (int)o->k;
    evlog_emit(job->ev.log, &e);
}

static int barrier_load(struct job *job, struct barrier_op *o, zest_error *err) {
    char path[1200];
    barrier_decision_path(job->barrier, o->k, path, sizeof path);
    dedupfile_decision_free(&o->dec);
    const int got = dedupfile_load_decision(path, o->key, job->plan.count, &o->dec, err);
    if (got < 0) return got;
    o->loaded = got == 1;
    return 0;
}

int barrier_run(struct job *job, const char *work_dir, zest_error *err) {
    ZEST_TRY(barrier_init(job, work_dir, err));
    struct barrier *b = job->barrier;
    for (size_t i = 0; b && i < b->n; i++) {
        struct barrier_op *o = &b->ops[i];
        ZEST_TRY(barrier_load(job, o, err));
        if (o->loaded) {
            barrier_note(job, o, "decision reused from an earlier run (barrier passed)");
            continue;
        }
        b->target = i;
        barrier_note(job, o, "barrier: signature phase over every partition");
        int rc = barrier_sign(job, err);
        b->target = SIZE_MAX;
        if (rc == 0) rc = barrier_decide(job, o, err);
        if (rc == 0) rc = barrier_load(job, o, err);
        if (rc == 0 && !o->loaded)
            rc = err_set(err, ZEST_E_INTERNAL, "the decision of op %zu does not read back", o->k);
        barrier_reset(job);
        if (rc) return rc;
        barrier_note(job, o, "barrier passed: decision committed");
    }
    return 0;
}

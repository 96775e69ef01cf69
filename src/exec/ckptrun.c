/* SPDX-License-Identifier: Apache-2.0 */
/* ckptrun.c - a worker's per-op checkpoints (see ckptrun.h). */
#include "ckptrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/err.h"
#include "../common/hash.h"
#include "../io/json.h"
#include "../io/jsonl.h"

bool ckptrun_wanted(const struct zest_config *cfg, size_t k) {
    if (!cfg->checkpoint_enabled) return false;
    switch (cfg->checkpoint_strategy) {
    case CFG_CKPT_EVERY_OP: return true;
    case CFG_CKPT_EVERY_N_OPS:
        return cfg->checkpoint_n_ops > 0 && (int64_t)(k + 1) % cfg->checkpoint_n_ops == 0;
    case CFG_CKPT_MANUAL:
        for (size_t i = 0; i < cfg->n_checkpoint_op_names; i++)
            if (strcmp(cfg->checkpoint_op_names[i], cfg->ops[k].desc->info.name) == 0) return true;
        return false;
    case CFG_CKPT_DISABLED: return false;
    }
    return false;
}

int ckptrun_init(struct ckptrun *c, const struct zest_config *cfg, const struct ckpt_store *store,
                 enum ckpt_format format, zest_error *err) {
    memset(c, 0, sizeof *c);
    buf_init(&c->scratch, 0);
    c->store = store;
    c->format = format;
    c->n_ops = cfg->n_ops;
    c->final_keep_stats = cfg->keep_stats_in_res_ds;
    const size_t n = c->n_ops ? c->n_ops : 1;
    c->want = calloc(n, sizeof *c->want);
    c->prefix = calloc(n, sizeof *c->prefix);
    if (!c->want || !c->prefix) return err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t k = 0; k < c->n_ops; k++) c->want[k] = store && ckptrun_wanted(cfg, k);
    return 0;
}

void ckptrun_destroy(struct ckptrun *c) {
    if (!c) return;
    ckptrun_abort(c);
    free(c->want);
    free(c->prefix);
    buf_free(&c->scratch);
    memset(c, 0, sizeof *c);
}

bool ckptrun_wants(const struct ckptrun *c, size_t k) {
    return k < c->n_ops && c->want[k];
}

static int ckptrun_hashes(struct ckptrun *c, const struct zest_config *cfg,
                          const struct partplan_part *part, const char *fp, zest_error *err) {
    struct ckpt_op_ref *refs = calloc(c->n_ops ? c->n_ops : 1, sizeof *refs);
    if (!refs) return err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t k = 0; k < c->n_ops; k++) {
        refs[k].desc = cfg->ops[k].desc;
        refs[k].params = &cfg->ops[k].params;
    }
    const struct ckpt_partition_ref pref = {.source = part->origin, .start = part->start,
                                            .end = part->end};
    const int rc = ckpt_prefix_hashes(fp, &pref, refs, c->n_ops, c->prefix, err);
    free(refs);
    return rc;
}

int ckptrun_begin(struct ckptrun *c, const struct zest_config *cfg, const struct partplan_part *part,
                  const char *fingerprint_hex, zest_error *err) {
    if (!c->store || !c->n_ops) return 0;
    ZEST_TRY(ckptrun_hashes(c, cfg, part, fingerprint_hex, err));
    /* The last checkpoint is in export form: reusable only under the same stats rule. */
    uint64_t *last = &c->prefix[c->n_ops - 1];
    *last = hash_finish(*last ^ (c->final_keep_stats ? 0x6b656570ull : 0x64726f70ull));
    return 0;
}

struct ckptrun_findings {
    struct runevents *ev;
    int64_t part;
    int worker;
};

static void ckptrun_finding(void *user, const struct ckpt_finding *f) {
    const struct ckptrun_findings *u = user;
    char meta[256];
    snprintf(meta, sizeof meta, "{\"problem\":\"%s\",\"file\":\"%s\"}",
             ckpt_problem_name(f->problem), f->file);
    struct evlog_event e = evlog_event_init(EVT_WARNING);
    e.message = f->detail;
    e.partition_id = u->part;
    e.operation_idx = f->op_index;
    e.worker = u->worker;
    e.metadata = meta;
    evlog_emit(u->ev->log, &e);
}

int ckptrun_latest(struct ckptrun *c, struct runevents *ev, int64_t part, int worker,
                   struct ckpt_record *rec, zest_error *err) {
    if (!c->store || !c->n_ops) return 0;
    struct ckptrun_findings u = {.ev = ev, .part = part, .worker = worker};
    zest_error why;
    const int rc = ckpt_latest_valid(c->store, (int)part, c->prefix, c->n_ops, ckptrun_finding,
                                     &u, rec, &why);
    if (rc != ZEST_E_FORMAT) {
        if (rc < 0 && err) *err = why;
        return rc;
    }
    /* A damaged manifest: its checkpoints cannot be trusted; the partition starts over. */
    char msg[1200];
    snprintf(msg, sizeof msg, "%s; the partition's checkpoints are removed and it starts from "
             "its source", why.msg);
    struct evlog_event e = evlog_event_init(EVT_WARNING);
    e.message = msg;
    e.partition_id = part;
    e.worker = worker;
    evlog_emit(ev->log, &e);
    return ckpt_remove_partition(c->store, (int)part, NULL, err);
}

int ckptrun_file(const struct ckptrun *c, const struct ckpt_record *rec, char *out, size_t cap,
                 zest_error *err) {
    return ckpt_path(c->store, rec->file, out, cap, err);
}

int ckptrun_open(struct ckptrun *c, int64_t part, size_t k, zest_error *err) {
    ckptrun_abort(c);
    c->w_op = k;
    c->rows = 0;
    return ckpt_writer_open(c->store, (int)part, (int)k, c->format, &c->w, err);
}

int ckptrun_after_op(void *user, size_t k, const struct pipeline *p, zest_error *err) {
    struct ckptrun *c = user;
    if (!c->w || k != c->w_op || k + 1 == c->n_ops) return 0;
    const struct jsonl_write_spec spec = {
        .b = &p->cur,
        .perm = p->perm,
        .stats_col = p->stats_col,
        .keep_stats = true,
        .n_stats = p->stats.n,
        .stats_names = p->stats.names,
        .stats_cols = p->stats.cols,
    };
    buf_clear(&c->scratch);
    const int rc = jsonl_write_batch(&spec, &c->scratch);
    if (rc) return err_set(err, rc, "checkpoint: formatting rows: %s", zest_strerror(rc));
    c->rows += p->cur.length;
    return ckpt_writer_write(c->w, c->scratch.data, c->scratch.len, err);
}

int ckptrun_write_export(struct ckptrun *c, const void *data, size_t len, int64_t rows,
                         zest_error *err) {
    if (!c->w || c->w_op + 1 != c->n_ops) return 0;
    c->rows += rows;
    return ckpt_writer_write(c->w, data, len, err);
}

static void ckptrun_event_save(struct runevents *ev, const struct ckpt_record *rec,
                               const char *dir, int64_t part, int worker, double secs) {
    char meta[1024];
    snprintf(meta, sizeof meta,
             "{\"checkpoint_path\":\"%s/%s\",\"rows\":%lld,\"bytes\":%llu,\"prefix_hash\":\"%016llx\"}",
             dir, rec->file, (long long)rec->rows, (unsigned long long)rec->bytes,
             (unsigned long long)rec->prefix_hash);
    struct evlog_event e = runev_checkpoint_event(EVT_CHECKPOINT_SAVE, rec, part, worker);
    e.message = "checkpoint saved";
    e.duration = secs;
    e.metadata = meta;
    evlog_emit(ev->log, &e);
}

static void ckptrun_event_cleanup(struct runevents *ev, const struct ckpt_record *removed,
                                  size_t n, int64_t part, int worker) {
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += removed[i].bytes;
    char meta[128], msg[128];
    snprintf(meta, sizeof meta, "{\"removed\":%zu,\"bytes_freed\":%llu}", n,
             (unsigned long long)bytes);
    snprintf(msg, sizeof msg, "%zu old checkpoint%s removed", n, n == 1 ? "" : "s");
    struct evlog_event e = evlog_event_init(EVT_CHECKPOINT_CLEANUP);
    e.message = msg;
    e.partition_id = part;
    e.worker = worker;
    e.metadata = meta;
    evlog_emit(ev->log, &e);
}

static double ckptrun_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int ckptrun_prune(struct ckptrun *c, const struct zest_config *cfg, struct runevents *ev,
                  int64_t part, int worker, zest_error *err) {
    if (!c->store || !cfg->cleanup_old_checkpoints || cfg->max_checkpoints_per_partition <= 0)
        return 0;
    struct ckpt_record *removed = NULL;
    size_t n = 0;
    ZEST_TRY(ckpt_cleanup(c->store, (int)part, (size_t)cfg->max_checkpoints_per_partition,
                          &removed, &n, err));
    if (n) ckptrun_event_cleanup(ev, removed, n, part, worker);
    free(removed);
    return 0;
}

int ckptrun_commit(struct ckptrun *c, const struct zest_config *cfg, struct runevents *ev,
                   int64_t part, int worker, struct ckpt_record *rec, zest_error *err) {
    const double t0 = ckptrun_now();
    struct ckpt_writer *w = c->w;
    const size_t k = c->w_op;
    c->w = NULL;
    ZEST_TRY(ckpt_writer_finish(w, cfg->ops[k].desc->info.name, c->prefix[k], c->rows, rec, err));
    ZEST_TRY(ckpt_commit(c->store, (int)part, rec, err));
    ckptrun_event_save(ev, rec, ckpt_store_dir(c->store), part, worker, ckptrun_now() - t0);
    return 0;
}

void ckptrun_abort(struct ckptrun *c) {
    ckpt_writer_abort(c->w);
    c->w = NULL;
}

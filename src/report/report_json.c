/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_json.c - the JSON renderings of the status report and the performance summary
 * (schemas: docs/report.md). Numbers are rounded to 6 decimals; an unknown figure (a rate or
 * ETA of -1) is null.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "../io/json.h"
#include "report.h"

#define JW_DEPTH 8

/* A streaming writer of nested objects and arrays; the first failure sticks. */
struct jw {
    struct buf *b;
    int rc;
    int depth;
    bool first[JW_DEPTH];
};

static void jw_sep(struct jw *w, const char *key) {
    if (w->rc) return;
    if (!w->first[w->depth]) w->rc = buf_putc(w->b, ',');
    w->first[w->depth] = false;
    if (key && !w->rc) {
        w->rc = json_write_string(w->b, key, strlen(key));
        if (!w->rc) w->rc = buf_putc(w->b, ':');
    }
}

static void jw_open(struct jw *w, const char *key, char c) {
    jw_sep(w, key);
    if (!w->rc) w->rc = w->depth + 1 < JW_DEPTH ? buf_putc(w->b, c) : ZEST_E_LIMIT;
    if (!w->rc) w->first[++w->depth] = true;
}

static void jw_close(struct jw *w, char c) {
    if (!w->rc) w->rc = buf_putc(w->b, c);
    if (!w->rc) w->depth--;
}

static void jw_int(struct jw *w, const char *key, int64_t v) {
    jw_sep(w, key);
    if (!w->rc) w->rc = json_write_int(w->b, v);
}

static void jw_num(struct jw *w, const char *key, double v) {
    jw_sep(w, key);
    if (w->rc) return;
    if (!isfinite(v)) w->rc = buf_append(w->b, "null", 4);
    else w->rc = json_write_double(w->b, round(v * 1e6) / 1e6);
}

/* A figure that is -1 when unknown. */
static void jw_known(struct jw *w, const char *key, double v) { jw_num(w, key, v < 0 ? NAN : v); }

static void jw_str(struct jw *w, const char *key, const char *s) {
    jw_sep(w, key);
    if (!w->rc) w->rc = json_write_string(w->b, s, strlen(s));
}

static void jw_bool(struct jw *w, const char *key, bool v) {
    jw_sep(w, key);
    if (!w->rc) w->rc = buf_append(w->b, v ? "true" : "false", v ? 4 : 5);
}

/* Hands the document over as a NUL-terminated string. */
static int jw_finish(struct jw *w, char **out, zest_error *err) {
    if (!w->rc) w->rc = buf_putc(w->b, '\0');
    if (w->rc) {
        buf_free(w->b);
        return err_set(err, w->rc, "cannot render the report: %s", zest_strerror(w->rc));
    }
    *out = w->b->data;
    return 0;
}

/* ---------------------------------------------------------------------------- status */

static void js_partition(struct jw *w, const zest_partition_status *p) {
    jw_open(w, NULL, '{');
    jw_int(w, "id", p->id);
    jw_str(w, "state", p->state);
    jw_int(w, "attempts", p->attempts);
    jw_int(w, "worker", p->worker);
    jw_bool(w, "reused", p->reused);
    jw_int(w, "rows_in", p->rows_in);
    jw_int(w, "rows_out", p->rows_out);
    jw_num(w, "seconds", p->seconds);
    if (p->error[0]) jw_str(w, "error", p->error);
    jw_close(w, '}');
}

static void js_counts(struct jw *w, const zest_status_report *r) {
    jw_open(w, "counts", '{');
    jw_int(w, "done", r->done);
    jw_int(w, "running", r->running);
    jw_int(w, "pending", r->pending);
    jw_int(w, "retrying", r->retrying);
    jw_int(w, "failed", r->failed);
    jw_int(w, "skipped", r->skipped);
    jw_int(w, "reused", r->reused);
    jw_close(w, '}');
}

int zest_status_report_json(const zest_status_report *r, char **out, zest_error *err) {
    struct buf b;
    buf_init(&b, 0);
    struct jw w = {.b = &b, .first = {true}};
    jw_open(&w, NULL, '{');
    jw_str(&w, "job_id", r->job_id);
    jw_str(&w, "job_dir", r->job_dir);
    jw_str(&w, "state", r->state);
    jw_num(&w, "started", r->started);
    jw_num(&w, "updated", r->updated);
    jw_num(&w, "elapsed_s", r->elapsed_s);
    jw_int(&w, "runs", r->runs);
    jw_int(&w, "partitions_total", r->partitions);
    js_counts(&w, r);
    jw_int(&w, "retries", r->retries);
    jw_open(&w, "checkpoints", '{');
    jw_int(&w, "files", r->checkpoints);
    jw_int(&w, "bytes", r->checkpoint_bytes);
    jw_close(&w, '}');
    jw_int(&w, "rows_in", r->rows_in);
    jw_int(&w, "rows_out", r->rows_out);
    jw_int(&w, "bytes_in", r->bytes_in);
    jw_int(&w, "bytes_out", r->bytes_out);
    jw_known(&w, "rows_per_s", r->rows_per_s);
    jw_known(&w, "mb_per_s", r->mb_per_s);
    jw_known(&w, "eta_s", r->eta_s);
    if (r->error[0]) jw_str(&w, "error", r->error);
    jw_open(&w, "partitions", '[');
    for (size_t i = 0; i < r->n_partitions; i++) js_partition(&w, &r->partition[i]);
    jw_close(&w, ']');
    jw_close(&w, '}');
    return jw_finish(&w, out, err);
}

/* --------------------------------------------------------------------------- summary */

static void jp_op(struct jw *w, const zest_op_perf *o) {
    jw_open(w, NULL, '{');
    jw_str(w, "name", o->name);
    jw_int(w, "index", o->index);
    jw_int(w, "runs", o->runs);
    jw_num(w, "total_s", o->total_s);
    jw_num(w, "mean_s", o->mean_s);
    jw_num(w, "share", o->share);
    jw_int(w, "rows_in", o->rows_in);
    jw_int(w, "rows_out", o->rows_out);
    jw_int(w, "bytes_in", o->bytes_in);
    jw_int(w, "bytes_out", o->bytes_out);
    jw_num(w, "selectivity", o->selectivity);
    jw_num(w, "rows_per_s", o->rows_per_s);
    jw_num(w, "mb_per_s", o->mb_per_s);
    jw_open(w, "slowest", '[');
    for (size_t i = 0; i < o->n_slowest; i++) {
        jw_open(w, NULL, '{');
        jw_int(w, "partition", o->slowest[i].partition);
        jw_num(w, "seconds", o->slowest[i].seconds);
        jw_close(w, '}');
    }
    jw_close(w, ']');
    jw_close(w, '}');
}

static void jp_partition(struct jw *w, const zest_partition_perf *p) {
    jw_open(w, NULL, '{');
    jw_int(w, "id", p->id);
    jw_str(w, "state", p->state);
    jw_int(w, "worker", p->worker);
    jw_int(w, "attempts", p->attempts);
    jw_int(w, "retries", p->retries);
    jw_num(w, "start_s", p->start_s);
    jw_num(w, "wall_s", p->wall_s);
    jw_num(w, "cpu_s", p->cpu_s);
    jw_num(w, "op_s", p->op_s);
    jw_num(w, "checkpoint_s", p->checkpoint_s);
    jw_int(w, "rows_in", p->rows_in);
    jw_int(w, "rows_out", p->rows_out);
    jw_int(w, "bytes_in", p->bytes_in);
    jw_bool(w, "straggler", p->straggler);
    jw_close(w, '}');
}

static void jp_worker(struct jw *w, const zest_worker_perf *k) {
    jw_open(w, NULL, '{');
    jw_int(w, "worker", k->worker);
    jw_int(w, "attempts", k->attempts);
    jw_num(w, "busy_s", k->busy_s);
    jw_num(w, "cpu_s", k->cpu_s);
    jw_num(w, "busy_share", k->busy_share);
    jw_num(w, "cpu_share", k->cpu_share);
    jw_close(w, '}');
}

static void jp_finding(struct jw *w, const zest_finding *f) {
    jw_open(w, NULL, '{');
    jw_str(w, "kind", f->kind);
    jw_str(w, "config_key", f->config_key);
    jw_num(w, "value", f->value);
    jw_num(w, "threshold", f->threshold);
    jw_str(w, "message", f->message);
    jw_close(w, '}');
}

static void jp_time_and_resources(struct jw *w, const zest_perf_summary *s) {
    jw_open(w, "time", '{');
    jw_num(w, "op_s", s->op_s);
    jw_num(w, "checkpoint_s", s->checkpoint_s);
    jw_num(w, "other_s", s->other_s);
    jw_num(w, "cpu_s", s->cpu_s);
    jw_num(w, "median_partition_s", s->median_partition_s);
    jw_close(w, '}');
    jw_open(w, "resources", '{');
    jw_num(w, "peak_rss_mb", s->peak_rss_mb);
    jw_num(w, "mean_rss_mb", s->mean_rss_mb);
    jw_num(w, "cpu_user_s", s->cpu_user_s);
    jw_num(w, "cpu_sys_s", s->cpu_sys_s);
    jw_num(w, "cpu_utilisation", s->cpu_utilisation);
    jw_int(w, "bytes_read", s->bytes_read);
    jw_int(w, "bytes_written", s->bytes_written);
    jw_close(w, '}');
}

int zest_perf_summary_json(const zest_perf_summary *s, char **out, zest_error *err) {
    struct buf b;
    buf_init(&b, 0);
    struct jw w = {.b = &b, .first = {true}};
    jw_open(&w, NULL, '{');
    jw_str(&w, "job_id", s->job_id);
    jw_str(&w, "state", s->state);
    if (s->op_filter[0]) jw_str(&w, "op_filter", s->op_filter);
    jw_num(&w, "started", s->started);
    jw_num(&w, "wall_s", s->wall_s);
    jw_int(&w, "workers", s->workers);
    jw_int(&w, "partitions_total", s->partitions);
    jw_int(&w, "rows_in", s->rows_in);
    jw_int(&w, "rows_out", s->rows_out);
    jw_int(&w, "bytes_in", s->bytes_in);
    jw_int(&w, "bytes_out", s->bytes_out);
    jw_int(&w, "retries", s->retries);
    jw_int(&w, "skipped", s->skipped);
    jp_time_and_resources(&w, s);
    jw_open(&w, "ops", '[');
    for (size_t i = 0; i < s->n_ops; i++) jp_op(&w, &s->ops[i]);
    jw_close(&w, ']');
    jw_open(&w, "partitions", '[');
    for (size_t i = 0; i < s->n_partitions; i++) jp_partition(&w, &s->partition[i]);
    jw_close(&w, ']');
    jw_open(&w, "workers_detail", '[');
    for (size_t i = 0; i < s->n_workers; i++) jp_worker(&w, &s->worker[i]);
    jw_close(&w, ']');
    jw_open(&w, "ranks", '[');
    for (size_t i = 0; i < s->n_ranks; i++) {
        const zest_rank_perf *k = &s->ranks[i];
        jw_open(&w, NULL, '{');
        jw_int(&w, "rank", k->rank);
        jw_str(&w, "host", k->host);
        jw_int(&w, "workers", k->workers);
        jw_int(&w, "partitions", k->partitions);
        jw_int(&w, "rows_in", k->rows_in);
        jw_int(&w, "rows_out", k->rows_out);
        jw_num(&w, "busy_s", k->busy_s);
        jw_num(&w, "idle_share", k->idle_share);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "findings", '[');
    for (size_t i = 0; i < s->n_findings; i++) jp_finding(&w, &s->findings[i]);
    jw_close(&w, ']');
    jw_open(&w, "barriers", '[');
    for (size_t i = 0; i < s->n_barriers; i++) {
        const zest_barrier_perf *bp = &s->barriers[i];
        jw_open(&w, NULL, '{');
        jw_str(&w, "op", bp->op);
        jw_int(&w, "op_index", bp->op_index);
        jw_num(&w, "signature_s", bp->signature_s);
        jw_num(&w, "combine_s", bp->combine_s);
        jw_num(&w, "finalize_s", bp->finalize_s);
        jw_int(&w, "rows_in", bp->rows_in);
        jw_int(&w, "rows_kept", bp->rows_kept);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "throughput", '[');
    for (size_t i = 0; i < s->n_points; i++) {
        jw_open(&w, NULL, '{');
        jw_num(&w, "t", s->points[i].t);
        jw_num(&w, "rows_per_s", s->points[i].rows_per_s);
        jw_num(&w, "mb_per_s", s->points[i].mb_per_s);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_close(&w, '}');
    return jw_finish(&w, out, err);
}

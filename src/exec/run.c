/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c - zest_run: the whole dataset through the pipeline, sequentially, in input order:
 * list the input files, read records into batches, run the ops, write the export through an
 * atomic sink, report malformed records by the configured policy, and log it all as events.
 * Depends on io/, events/ (through runevents), exec's pipeline and jobpaths, config/, common/.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/err.h"
#include "../io/jsonl.h"
#include "../io/sink.h"
#include "../io/source.h"
#include "jobpaths.h"
#include "outq.h"
#include "pipeline.h"
#include "runevents.h"

/* A batch also ends when its buffered bytes pass this, so huge records stay bounded. */
#define RUN_BATCH_BYTES (64u << 20)

struct run {
    const struct zest_config *cfg;
    const zest_run_options *opts;
    zest_run_summary *sum;
    const char *text_key;
    int64_t batch_rows;
    struct arena arena;
    struct jsonl_reader reader;
    struct pipeline pipe;
    struct sink *sink;
    struct outq outq;
    struct runevents ev;
    struct faults faults;
    int64_t batches;
    zest_error *err;
};

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int write_batch(struct run *r) {
    const struct pipeline *p = &r->pipe;
    const struct jsonl_write_spec spec = {
        .b = &p->cur,
        .perm = p->perm,
        .stats_col = p->stats_col,
        .keep_stats = r->cfg->keep_stats_in_res_ds,
        .n_stats = p->stats.n,
        .stats_names = p->stats.names,
        .stats_cols = p->stats.cols,
    };
    struct buf *out = outq_acquire(&r->outq);
    int rc = jsonl_write_batch(&spec, out);
    if (rc) return err_set(r->err, rc, "writing %s: %s", r->sum->export_path, zest_strerror(rc));
    r->sum->rows_written += p->cur.length;
    r->sum->bytes_written += (int64_t)out->len;
    atomic_fetch_add_explicit(&r->ev.counters.rows_written, p->cur.length, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->ev.counters.bytes_written, (int64_t)out->len,
                              memory_order_relaxed);
    return outq_submit(&r->outq, r->err);
}

static void log_batch(struct run *r, int64_t rows_in) {
    char msg[160];
    snprintf(msg, sizeof msg, "batch %lld: %lld rows in, %lld out", (long long)r->batches,
             (long long)rows_in, (long long)r->pipe.cur.length);
    struct evlog_event e = evlog_event_init(EVT_DEBUG);
    e.message = msg;
    evlog_emit(r->ev.log, &e);
}

static int flush_batch(struct run *r) {
    struct batch b;
    const uint16_t *const *perm = NULL;
    int rc = jsonl_reader_finish(&r->reader, &b, &perm);
    if (rc == 0 && b.length > 0) {
        rc = pipeline_run_batch(&r->pipe, &b, perm, r->text_key, &r->arena, r->err);
        if (rc == 0) rc = write_batch(r);
        r->batches++;
        if (rc == 0) log_batch(r, b.length);
    }
    jsonl_reader_reset(&r->reader);
    arena_reset(&r->arena);
    return rc;
}

static int only_whitespace(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return 0;
    return 1;
}

static int report_bad(struct run *r, const char *path, int64_t line_no, int64_t offset,
                      const struct jsonl_bad *bad) {
    zest_run_summary *s = r->sum;
    zest_bad_record rec;
    snprintf(rec.path, sizeof rec.path, "%s", path);
    rec.line = line_no;
    rec.offset = offset + bad->column;
    snprintf(rec.reason, sizeof rec.reason, "%s", bad->reason);
    s->bad_records++;
    if (s->bad_records_kept < ZEST_BAD_RECORDS_KEPT) s->bad[s->bad_records_kept++] = rec;
    if (r->opts && r->opts->on_bad_record) r->opts->on_bad_record(&rec, r->opts->user);
    runev_bad_record(&r->ev, &rec);
    if (r->cfg->bad_record_policy != CFG_BAD_FAIL) return 0;
    return err_set_at(r->err, ZEST_E_BADRECORDS, path, line_no, rec.offset,
                      "malformed record (bad_record_policy: fail): %s", bad->reason);
}

/* An over-long line, already skipped by the reader, is a malformed record like any other. */
static int report_long_line(struct run *r, const char *path) {
    struct jsonl_bad bad = {.column = 0};
    snprintf(bad.reason, sizeof bad.reason, "line longer than max_line_size_mb (%lld bytes)",
             (long long)r->cfg->max_line_bytes);
    const int64_t line = r->err ? r->err->line : 0, offset = r->err ? r->err->offset : 0;
    if (r->err) zest_error_clear(r->err);
    return report_bad(r, path, line, offset, &bad);
}

static int run_file(struct run *r, const char *path) {
    struct linereader *lr = NULL;
    const char *line;
    size_t len;
    int64_t line_no, offset;
    int rc = linereader_open(path, (size_t)r->cfg->max_line_bytes, 0, -1, &lr, r->err);
    if (rc == 0) linereader_set_skip_long(lr, r->cfg->bad_record_policy == CFG_BAD_SKIP);
    while (rc == 0) {
        rc = linereader_next(lr, &line, &len, &line_no, &offset, r->err);
        if (rc == ZEST_E_LIMIT && r->cfg->bad_record_policy == CFG_BAD_SKIP) {
            rc = report_long_line(r, path);
            continue;
        }
        if (rc != 1) break;
        rc = 0;
        r->sum->bytes_read += (int64_t)len + 1;
        atomic_fetch_add_explicit(&r->ev.counters.bytes_read, (int64_t)len + 1,
                                  memory_order_relaxed);
        if (only_whitespace(line, len)) continue;
        struct jsonl_bad bad;
        const int got = jsonl_parse_record(&r->reader, line, len, &bad);
        if (got == 1) {
            rc = report_bad(r, path, line_no, offset, &bad);
        } else if (got < 0) {
            rc = err_set_at(r->err, got, path, line_no, offset, "%s", zest_strerror(got));
        } else {
            r->sum->rows_read++;
            atomic_fetch_add_explicit(&r->ev.counters.rows_read, 1, memory_order_relaxed);
            if (r->reader.rows >= r->batch_rows || jsonl_reader_bytes(&r->reader) >= RUN_BATCH_BYTES)
                rc = flush_batch(r);
        }
    }
    linereader_close(lr);
    return rc;
}

static void log_committed(struct run *r, const char *path) {
    char msg[1200];
    snprintf(msg, sizeof msg, "export committed: %s", path);
    struct evlog_event e = evlog_event_init(EVT_INFO);
    e.message = msg;
    evlog_emit(r->ev.log, &e);
}

static int run_all(struct run *r, const struct jobpaths *jp) {
    struct source_list files = {0};
    struct fingerprint fp;
    int rc = source_list(jp->dataset_path, &files, r->err);
    if (rc == 0) rc = fingerprint_compute(&files, &fp, r->err);
    if (rc == 0) {
        runev_processing_start(&r->ev, r->cfg, jp->work_dir, jp->export_path, &fp);
        runev_ops_start(&r->ev, &r->pipe);
    }
    if (rc == 0) rc = jobpaths_make_parent(jp->export_path, r->err);
    if (rc == 0) rc = sink_open(jp->export_path, &r->sink, r->err);
    if (rc == 0) rc = outq_start(&r->outq, r->sink, r->err);
    for (size_t i = 0; rc == 0 && i < files.count; i++) rc = run_file(r, files.files[i].path);
    if (rc == 0) rc = flush_batch(r);
    const int wrc = outq_finish(&r->outq, rc ? NULL : r->err);
    if (rc == 0) rc = wrc;
    if (rc == 0) {
        rc = sink_commit(r->sink, NULL, r->err);
        r->sink = NULL;
        if (rc == 0) log_committed(r, jp->export_path);
    }
    sink_abort(r->sink);
    r->sink = NULL;
    source_list_free(&files);
    return rc;
}

/* The end of the run in the event log; a failure to write the log fails a run that had
 * otherwise succeeded (its record of what happened would be incomplete). */
static int run_log_end(struct run *r, int rc) {
    if (rc == 0 || r->pipe.failed_op < 0) runev_ops_complete(&r->ev, &r->pipe);
    if (rc) runev_op_error(&r->ev, &r->pipe, r->err);
    runev_processing_end(&r->ev, rc, r->sum, r->err);
    zest_error lerr;
    zest_error_clear(&lerr);
    const int lrc = runev_close(&r->ev, &lerr);
    if (rc == 0 && lrc != 0 && r->err) *r->err = lerr;
    return rc ? rc : lrc;
}

static zest_run_summary *summary_new(const struct zest_config *cfg) {
    zest_run_summary *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->ops = calloc(cfg->n_ops ? cfg->n_ops : 1, sizeof *s->ops);
    s->bad = calloc(ZEST_BAD_RECORDS_KEPT, sizeof *s->bad);
    if (!s->ops || !s->bad) {
        zest_run_summary_destroy(s);
        return NULL;
    }
    s->n_ops = cfg->n_ops;
    return s;
}

static void summary_ops(zest_run_summary *s, const struct pipeline *p) {
    for (size_t i = 0; i < p->n_ops && i < s->n_ops; i++) {
        snprintf(s->ops[i].name, sizeof s->ops[i].name, "%s", p->ops[i].desc->info.name);
        s->ops[i].rows_in = p->ops[i].rows_in;
        s->ops[i].rows_out = p->ops[i].rows_out;
        s->ops[i].seconds = p->ops[i].seconds;
    }
}

int zest_run(const zest_config *cfg, const zest_run_options *opts, zest_run_summary **out,
             zest_error *err) {
    const double t0 = now_seconds();
    struct jobpaths jp;
    struct run r = {.cfg = cfg, .opts = opts, .err = err, .pipe = {.failed_op = -1}};
    int rc;
    if (out) *out = NULL;
    if (!(r.sum = summary_new(cfg))) return err_set(err, ZEST_E_NOMEM, "out of memory");
    r.text_key = cfg->n_text_keys ? cfg->text_keys[0] : "text";
    r.batch_rows = cfg->arrow_batch_size > 0 ? cfg->arrow_batch_size : 1000;
    arena_init(&r.arena, 1 << 20);
    jsonl_reader_init(&r.reader, r.text_key, false, &r.arena);
    /* With no op to read the text, it passes through as JSON text, never unescaped. */
    r.reader.text_raw = cfg->n_ops == 0;
    rc = jobpaths_resolve(cfg, &jp, err);
    if (rc == 0) {
        snprintf(r.sum->export_path, sizeof r.sum->export_path, "%s", jp.export_path);
        snprintf(r.sum->job_id, sizeof r.sum->job_id, "%s", jp.job_id);
        snprintf(r.sum->job_dir, sizeof r.sum->job_dir, "%s", jp.work_dir);
        rc = runev_open(&r.ev, cfg, jp.work_dir, jp.job_id, err);
    }
    const bool logging = rc == 0;
    if (rc == 0) rc = faults_parse(getenv("ZEST_FAULTS"), &r.faults, err);
    if (rc == 0) rc = pipeline_init(&r.pipe, cfg, err);
    r.pipe.faults = &r.faults;
    if (rc == 0) rc = run_all(&r, &jp);
    summary_ops(r.sum, &r.pipe);
    r.sum->seconds = now_seconds() - t0;
    if (logging) rc = run_log_end(&r, rc);
    pipeline_destroy(&r.pipe);
    jsonl_reader_destroy(&r.reader);
    arena_destroy(&r.arena);
    if (out)
        *out = r.sum;
    else
        zest_run_summary_destroy(r.sum);
    return rc;
}

void zest_run_summary_destroy(zest_run_summary *s) {
    if (!s) return;
    free(s->ops);
    free(s->bad);
    free(s);
}

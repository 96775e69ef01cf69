/* SPDX-License-Identifier: Apache-2.0 */
/* runevents.c - the events a run emits (see runevents.h). */
#include "runevents.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/err.h"
#include "../io/json.h"
#include "mpi_rt.h"

static double runev_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int runev_open(struct runevents *ev, const struct zest_config *cfg, const char *job_dir,
               const char *job_id, zest_error *err) {
    char dir[1100];
    memset(ev, 0, sizeof *ev);
    ev->started = runev_now();
    /* Rank 0 (and a local run) writes events/events.jsonl; rank k of a distributed run its
     * own log in events/rank<k>/, rotated on its own (readers merge them by time). */
    if (mpirt_rank() == 0)
        snprintf(dir, sizeof dir, "%s/events", job_dir);
    else
        snprintf(dir, sizeof dir, "%s/events/rank%04d", job_dir, mpirt_rank());
    const struct evlog_config lc = {
        .rank = mpirt_rank(),
        .host = mpirt_host(),
        .dir = dir,
        .job_id = job_id,
        .enabled = cfg->event_logging_enabled,
        .min_level = (enum evlog_level)cfg->log_level,
        .max_log_size_mb = cfg->max_log_size_mb,
        .backup_count = (int)cfg->backup_count,
        .flush_interval_s = cfg->flush_interval_s > 0 ? cfg->flush_interval_s : 1,
        .ring_events = (size_t)cfg->event_ring_size,
    };
    ZEST_TRY(evlog_open(&lc, &ev->log, err));
    if (cfg->event_logging_enabled && resmon_start(&ev->mon, ev->log, &ev->counters,
                                                   cfg->resource_interval_s) != 0)
        return err_set(err, ZEST_E_INTERNAL, "cannot start the resource monitor thread");
    if (alerts_start(&ev->alerts, cfg, ev->log, &ev->counters, job_id) != 0)
        return err_set(err, ZEST_E_INTERNAL, "cannot start the alert watcher thread");
    return 0;
}

/* Emits an event whose metadata is the object `b` holds (when building it succeeded). */
static void runev_emit(struct runevents *ev, struct evlog_event *e, struct buf *b) {
    if (b && buf_putc(b, '\0') == 0) e->metadata = b->data;
    evlog_emit(ev->log, e);
}

static void runev_config_json(struct json_obj *o, const struct zest_config *cfg) {
    static const char *const executors[] = {"default", "ray", "ray_partitioned", "local"};
    json_obj_str(o, "project_name", cfg->project_name);
    json_obj_str(o, "config", cfg->path);
    json_obj_str(o, "dataset_path", cfg->dataset_path);
    json_obj_str(o, "executor_type", executors[cfg->executor_type]);
    json_obj_int(o, "np", cfg->np);
    json_obj_int(o, "n_ops", (int64_t)cfg->n_ops);
    json_obj_bool(o, "keep_stats_in_res_ds", cfg->keep_stats_in_res_ds);
    json_obj_str(o, "bad_record_policy", cfg->bad_record_policy == CFG_BAD_FAIL ? "fail" : "skip");
}

void runev_processing_start(struct runevents *ev, const struct zest_config *cfg,
                            const char *job_dir, const char *export_path,
                            const struct fingerprint *fp) {
    struct buf b, ops;
    struct json_obj o;
    buf_init(&b, 0);
    buf_init(&ops, 0);
    buf_putc(&ops, '[');
    for (size_t i = 0; i < cfg->n_ops; i++) {
        if (i) buf_putc(&ops, ',');
        const char *name = cfg->ops[i].desc->info.name;
        json_write_string(&ops, name, strlen(name));
    }
    buf_append(&ops, "]", 2); /* with the NUL, for json_obj_raw */
    json_obj_begin(&o, &b);
    json_obj_str(&o, "zest_version", ZEST_VERSION);
    runev_config_json(&o, cfg);
    json_obj_raw(&o, "ops", ops.data);
    json_obj_str(&o, "job_dir", job_dir);
    json_obj_str(&o, "export_path", export_path);
    if (fp) {
        json_obj_str(&o, "input_fingerprint", fp->hex);
        json_obj_int(&o, "input_files", (int64_t)fp->files);
        json_obj_int(&o, "input_bytes", (int64_t)fp->bytes);
    }
    struct evlog_event e = evlog_event_init(EVT_PROCESSING_START);
    e.message = "processing started";
    runev_emit(ev, &e, json_obj_end(&o) ? NULL : &b);
    for (size_t i = 0; i < cfg->n_warnings; i++) {
        struct evlog_event w = evlog_event_init(EVT_WARNING);
        w.message = cfg->warnings[i];
        evlog_emit(ev->log, &w);
    }
    buf_free(&ops);
    buf_free(&b);
}

void runev_plan(struct runevents *ev, const struct partplan *plan) {
    char msg[700];
    snprintf(msg, sizeof msg, "partition plan: %zu partition%s; %s", plan->count,
             plan->count == 1 ? "" : "s", plan->decision);
    struct buf b;
    struct json_obj o;
    buf_init(&b, 0);
    json_obj_begin(&o, &b);
    json_obj_int(&o, "partitions", (int64_t)plan->count);
    json_obj_int(&o, "rows_per_partition", plan->chosen_rows);
    json_obj_int(&o, "bytes_per_partition", plan->chosen_bytes);
    json_obj_str(&o, "decision", plan->decision);
    struct evlog_event e = evlog_event_init(EVT_INFO);
    e.message = msg;
    runev_emit(ev, &e, json_obj_end(&o) ? NULL : &b);
    buf_free(&b);
}

void runev_partition_start(struct runevents *ev, const struct partplan_part *part, int worker,
                           int attempt) {
    struct buf b;
    struct json_obj o;
    buf_init(&b, 0);
    json_obj_begin(&o, &b);
    json_obj_str(&o, "source", part->origin);
    json_obj_int(&o, "start", part->start);
    json_obj_int(&o, "end", part->end);
    json_obj_int(&o, "first_line", part->origin_line);
    json_obj_int(&o, "lines", part->lines);
    struct evlog_event e = evlog_event_init(EVT_PARTITION_START);
    e.message = "partition started";
    e.partition_id = part->id;
    e.worker = worker;
    e.attempt = attempt;
    runev_emit(ev, &e, json_obj_end(&o) ? NULL : &b);
    buf_free(&b);
}

void runev_partition_ops_start(struct runevents *ev, const struct pipeline *p, int64_t part,
                               int worker) {
    for (size_t i = p->op_from; i < p->op_to; i++) {
        struct evlog_event e = evlog_event_init(EVT_OPERATION_START);
        e.message = "operation started";
        e.operation_name = p->ops[i].desc->info.name;
        e.operation_idx = (int)i;
        e.partition_id = part;
        e.worker = worker;
        evlog_emit(ev->log, &e);
    }
}

static double runev_rate(double n, double s) { return s > 0 ? n / s : 0; }

/* One op's counts over a partition (now minus before). */
static void runev_op_complete(struct runevents *ev, const struct pipe_op *now,
                              const struct pipe_op *before, int idx, int64_t part, int worker) {
    const int64_t rows_in = now->rows_in - before->rows_in, rows_out = now->rows_out - before->rows_out;
    const int64_t bytes_in = now->bytes_in - before->bytes_in;
    const double secs = now->seconds - before->seconds;
    struct buf m, perf;
    struct json_obj o;
    buf_init(&m, 0);
    buf_init(&perf, 0);
    json_obj_begin(&o, &m);
    json_obj_int(&o, "rows_in", rows_in);
    json_obj_int(&o, "rows_out", rows_out);
    json_obj_int(&o, "bytes_in", bytes_in);
    json_obj_int(&o, "bytes_out", now->bytes_out - before->bytes_out);
    const int mrc = json_obj_end(&o);
    json_obj_begin(&o, &perf);
    json_obj_double(&o, "rows_per_s", runev_rate((double)rows_in, secs));
    json_obj_double(&o, "mb_per_s", runev_rate((double)bytes_in / 1e6, secs));
    json_obj_double(&o, "selectivity", rows_in ? (double)rows_out / (double)rows_in : 1.0);
    const int prc = json_obj_end(&o) || buf_putc(&perf, '\0');
    struct evlog_event e = evlog_event_init(EVT_OPERATION_COMPLETE);
    e.message = "operation completed";
    e.operation_name = now->desc->info.name;
    e.operation_idx = idx;
    e.partition_id = part;
    e.worker = worker;
    e.duration = secs;
    if (!prc) e.performance_metrics = perf.data;
    runev_emit(ev, &e, mrc ? NULL : &m);
    buf_free(&m);
    buf_free(&perf);
}

void runev_partition_ops_complete(struct runevents *ev, const struct pipeline *p,
                                  const struct pipe_op *before, int64_t part, int worker) {
    for (size_t i = p->op_from; i < p->op_to; i++)
        runev_op_complete(ev, &p->ops[i], &before[i], (int)i, part, worker);
}

void runev_partition_op_error(struct runevents *ev, const struct pipeline *p, int64_t part,
                              int worker, const zest_error *err) {
    if (p->failed_op < 0) return;
    struct evlog_event e = evlog_event_init(EVT_OPERATION_ERROR);
    e.message = "operation failed";
    e.operation_name = p->ops[p->failed_op].desc->info.name;
    e.operation_idx = p->failed_op;
    e.partition_id = part;
    e.worker = worker;
    e.error_message = err ? err->msg : NULL;
    evlog_emit(ev->log, &e);
}

/* A partition's retry or skip: the attempt, a message, metadata and the error. */
static void runev_partition_attempt(struct runevents *ev, enum evlog_type type, int64_t part,
                                    int worker, int attempt, const char *msg, const char *meta,
                                    const zest_error *err) {
    struct evlog_event e = evlog_event_init(type);
    e.message = msg;
    e.partition_id = part;
    e.worker = worker;
    e.attempt = attempt;
    e.metadata = meta;
    e.error_message = err && err->msg[0] ? err->msg : NULL;
    evlog_emit(ev->log, &e);
}

void runev_partition_retry(struct runevents *ev, int64_t part, int worker, int next_attempt,
                           double delay_s, const zest_error *err) {
    char meta[96], msg[160];
    snprintf(meta, sizeof meta, "{\"backoff_s\":%.6f}", delay_s);
    snprintf(msg, sizeof msg, "partition %lld: attempt %d in %.3f s", (long long)part,
             next_attempt, delay_s);
    runev_partition_attempt(ev, EVT_PARTITION_RETRY, part, worker, next_attempt, msg, meta, err);
}

void runev_partition_skip(struct runevents *ev, int64_t part, int worker, int attempts,
                          const zest_error *err) {
    char meta[64], msg[160];
    snprintf(meta, sizeof meta, "{\"attempts\":%d}", attempts);
    snprintf(msg, sizeof msg, "partition %lld skipped after %d attempt%s "
             "(enable_fault_tolerance): the export will not hold its rows",
             (long long)part, attempts, attempts == 1 ? "" : "s");
    runev_partition_attempt(ev, EVT_PARTITION_SKIP, part, worker, attempts, msg, meta, err);
}

void runev_partition_resume(struct runevents *ev, int64_t part, int worker,
                            const struct ckpt_record *rec, bool complete) {
    char meta[256], msg[256];
    snprintf(meta, sizeof meta, "{\"after_op\":%d,\"rows\":%lld,\"complete\":%s}",
             rec->op_index, (long long)rec->rows, complete ? "true" : "false");
    if (complete)
        snprintf(msg, sizeof msg, "partition %lld was complete: its export lines are reused",
                 (long long)part);
    else
        snprintf(msg, sizeof msg, "partition %lld resumes after op %d (%s)", (long long)part,
                 rec->op_index, rec->op_name);
    struct evlog_event e = evlog_event_init(EVT_PARTITION_RESUME);
    e.message = msg;
    e.partition_id = part;
    e.operation_name = rec->op_name;
    e.operation_idx = rec->op_index;
    e.worker = worker;
    e.metadata = meta;
    evlog_emit(ev->log, &e);
}

struct evlog_event runev_checkpoint_event(enum evlog_type type, const struct ckpt_record *rec,
                                          int64_t part, int worker) {
    struct evlog_event e = evlog_event_init(type);
    e.partition_id = part;
    e.operation_name = rec->op_name;
    e.operation_idx = rec->op_index;
    e.worker = worker;
    return e;
}

void runev_checkpoint_load(struct runevents *ev, int64_t part, int worker,
                           const struct ckpt_record *rec, const char *path) {
    struct buf m;
    struct json_obj o;
    buf_init(&m, 0);
    json_obj_begin(&o, &m);
    json_obj_str(&o, "checkpoint_path", path);
    json_obj_int(&o, "rows", rec->rows);
    json_obj_int(&o, "bytes", (int64_t)rec->bytes);
    const int mrc = json_obj_end(&o);
    struct evlog_event e = runev_checkpoint_event(EVT_CHECKPOINT_LOAD, rec, part, worker);
    e.message = "checkpoint loaded";
    runev_emit(ev, &e, mrc == 0 ? &m : NULL);
    buf_free(&m);
}

void runev_partition_end(struct runevents *ev, int64_t part, int worker, int attempt, int status,
                         const struct runev_attempt *a, const zest_error *err) {
    char meta[256];
    snprintf(meta, sizeof meta,
             "{\"rows_in\":%lld,\"rows_out\":%lld,\"bytes_in\":%lld,\"bytes_out\":%lld,"
             "\"cpu_s\":%.6f}",
             (long long)a->rows_in, (long long)a->rows_out, (long long)a->bytes_in,
             (long long)a->bytes_out, a->cpu_s);
    struct evlog_event e =
        evlog_event_init(status ? EVT_PARTITION_ERROR : EVT_PARTITION_COMPLETE);
    e.message = status == ZEST_E_CANCELLED ? "partition cancelled (another one failed)"
                : status                    ? "partition failed"
                                            : "partition completed";
    e.partition_id = part;
    e.worker = worker;
    e.attempt = attempt;
    e.duration = a->seconds;
    e.metadata = meta;
    if (status) e.error_message = err && err->msg[0] ? err->msg : zest_strerror(status);
    evlog_emit(ev->log, &e);
}

void runev_bad_record(struct runevents *ev, const zest_bad_record *bad) {
    const double now = runev_now();
    if (ev->bad_emitted >= RUNEV_BAD_BURST && now - ev->bad_last < 1.0) {
        ev->bad_suppressed++;
        return;
    }
    struct buf b;
    struct json_obj o;
    char msg[1024];
    buf_init(&b, 0);
    json_obj_begin(&o, &b);
    json_obj_str(&o, "file", bad->path);
    json_obj_int(&o, "line", bad->line);
    json_obj_int(&o, "offset", bad->offset);
    json_obj_str(&o, "reason", bad->reason);
    json_obj_int(&o, "suppressed_before", ev->bad_suppressed);
    snprintf(msg, sizeof msg, "malformed record at %s:%lld: %s", bad->path, (long long)bad->line,
             bad->reason);
    struct evlog_event e = evlog_event_init(EVT_WARNING);
    e.message = msg;
    runev_emit(ev, &e, json_obj_end(&o) ? NULL : &b);
    buf_free(&b);
    ev->bad_emitted++;
    ev->bad_suppressed = 0;
    ev->bad_last = now;
}

static void runev_suppressed_tail(struct runevents *ev) {
    if (!ev->bad_suppressed) return;
    char msg[160], meta[64];
    snprintf(msg, sizeof msg, "%lld more malformed-record warnings were suppressed",
             (long long)ev->bad_suppressed);
    snprintf(meta, sizeof meta, "{\"suppressed\":%lld}", (long long)ev->bad_suppressed);
    struct evlog_event e = evlog_event_init(EVT_WARNING);
    e.message = msg;
    e.metadata = meta;
    evlog_emit(ev->log, &e);
    ev->bad_suppressed = 0;
}

void runev_processing_end(struct runevents *ev, int status, const zest_run_summary *sum,
                          const zest_error *err) {
    struct buf b;
    struct json_obj o;
    resmon_stop(&ev->mon); /* its last figures come before the end of processing */
    alerts_stop(&ev->alerts);
    runev_suppressed_tail(ev);
    buf_init(&b, 0);
    json_obj_begin(&o, &b);
    json_obj_int(&o, "rows_read", sum->rows_read);
    json_obj_int(&o, "rows_written", sum->rows_written);
    json_obj_int(&o, "bytes_read", sum->bytes_read);
    json_obj_int(&o, "bytes_written", sum->bytes_written);
    json_obj_int(&o, "malformed_records", sum->bad_records);
    json_obj_str(&o, "export_path", sum->export_path);
    json_obj_int(&o, "partitions", sum->partitions);
    json_obj_int(&o, "partitions_skipped", (int64_t)sum->n_skipped);
    json_obj_int(&o, "partitions_reused", sum->partitions_reused);
    const bool partial = status == ZEST_E_PARTIAL;
    struct evlog_event e =
        evlog_event_init(status && !partial ? EVT_PROCESSING_ERROR : EVT_PROCESSING_COMPLETE);
    e.message = partial  ? "processing completed without the skipped partitions"
                : status ? "processing failed"
                         : "processing completed";
    e.duration = runev_now() - ev->started;
    if (status) e.error_message = err ? err->msg : zest_strerror(status);
    runev_emit(ev, &e, json_obj_end(&o) ? NULL : &b);
    buf_free(&b);
}

int runev_close(struct runevents *ev, zest_error *err) {
    resmon_stop(&ev->mon);
    alerts_stop(&ev->alerts);
    const int rc = evlog_close(ev->log, err);
    ev->log = NULL;
    return rc;
}

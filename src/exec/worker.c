/* SPDX-License-Identifier: Apache-2.0 */
/* worker.c - a worker thread running whole partitions (see worker.h). */
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/err.h"
#include "../common/hash.h"
#include "../io/parquet_lines.h"
#include "../io/source.h"
#include "barrier.h"
#include "dist.h"

/* A batch also ends when its buffered bytes pass this, so huge records stay bounded. */
#define WORKER_BATCH_BYTES (64u << 20)
/* The head partition hands its output to the writer in pieces of at least this much. */
#define WORKER_STREAM_BYTES ((size_t)1 << 20)

static double worker_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread: a partition's compute share of its wall time. */
static double worker_cpu_now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int worker_init(struct worker *w, struct job *job, int index, zest_error *err) {
    memset(w, 0, sizeof *w);
    buf_init(&w->sigs, 0);
    w->job = job;
    w->index = index;
    arena_init(&w->arena, 1 << 20);
    jsonl_reader_init(&w->reader, job->text_key, false, &w->arena);
    /* With no op to read the text, it passes through as JSON text, never unescaped. */
    w->reader.text_raw = job->cfg->n_ops == 0;
    ZEST_TRY(pipeline_init(&w->pipe, job->cfg, err));
    w->pipe.faults = &job->faults;
    ZEST_TRY(ckptrun_init(&w->ckpt, job->cfg, job->ckpt, job->ckpt_format, err));
    w->pipe.after_op = ckptrun_after_op;
    w->pipe.after_op_user = &w->ckpt;
    w->before = calloc(job->cfg->n_ops ? job->cfg->n_ops : 1, sizeof *w->before);
    return w->before ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory");
}

void worker_destroy(struct worker *w) {
    if (!w) return;
    pipeline_destroy(&w->pipe);
    ckptrun_destroy(&w->ckpt);
    jsonl_reader_destroy(&w->reader);
    arena_destroy(&w->arena);
    buf_free(&w->sigs);
    free(w->before);
    w->before = NULL;
}

static int worker_write(struct worker *w, struct part_slot *slot, zest_error *err) {
    const struct pipeline *p = &w->pipe;
    const struct jsonl_write_spec spec = {
        .b = &p->cur,
        .perm = p->perm,
        .stats_col = p->stats_col,
        .keep_stats = w->job->cfg->keep_stats_in_res_ds,
        .n_stats = p->stats.n,
        .stats_names = p->stats.names,
        .stats_cols = p->stats.cols,
    };
    /* A checkpointed last op: its checkpoint holds the lines, the merge reads them there. */
    struct buf *out = slot->final_ckpt ? &w->ckpt.scratch : &slot->out;
    if (slot->final_ckpt) buf_clear(out);
    const size_t before = out->len;
    int rc = jsonl_write_batch(&spec, out);
    if (rc) return err_set(err, rc, "formatting output: %s", zest_strerror(rc));
    const int64_t bytes = (int64_t)(out->len - before);
    if (slot->final_ckpt)
        ZEST_TRY(ckptrun_write_export(&w->ckpt, out->data, out->len, p->cur.length, err));
    slot->rows_out += p->cur.length;
    slot->bytes_out += bytes;
    atomic_fetch_add_explicit(&w->job->ev.counters.rows_written, p->cur.length,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&w->job->ev.counters.bytes_written, bytes, memory_order_relaxed);
    return 0;
}

/* Partition p is next in export order: its lines go to the writer now. Only this worker
 * writes while p is the head (the merger waits for p to finish), so the order holds. */
static int worker_stream(struct worker *w, size_t p, struct part_slot *slot, zest_error *err) {
    struct job *job = w->job;
    /* A partition that may still be skipped keeps its lines until it is done. */
    if (slot->out.len < WORKER_STREAM_BYTES || job->cfg->enable_fault_tolerance) return 0;
    pthread_mutex_lock(&job->mu);
    const bool head = job->merged == p;
    pthread_mutex_unlock(&job->mu);
    if (!head) return 0;
    if (slot->skip > 0) { /* a retry regenerates what an earlier attempt already sent */
        const size_t drop = (size_t)slot->skip < slot->out.len ? (size_t)slot->skip : slot->out.len;
        memmove(slot->out.data, slot->out.data + drop, slot->out.len - drop);
        slot->out.len -= drop;
        slot->skip -= (int64_t)drop;
        if (!slot->out.len) return 0;
    }
    slot->streamed += (int64_t)slot->out.len;
    struct buf *b = outq_acquire(job->outq);
    const struct buf tmp = *b;
    *b = slot->out;
    slot->out = tmp;
    return outq_submit(job->outq, err);
}

static void worker_log_batch(struct worker *w, int64_t part, int64_t rows_in) {
    char msg[200];
    snprintf(msg, sizeof msg, "partition %lld batch %lld: %lld rows in, %lld out",
             (long long)part, (long long)w->batches, (long long)rows_in,
             (long long)w->pipe.cur.length);
    struct evlog_event e = evlog_event_init(EVT_DEBUG);
    e.message = msg;
    e.partition_id = part;
    e.worker = w->index;
    evlog_emit(w->job->ev.log, &e);
}

static int worker_flush(struct worker *w, struct part_slot *slot, int64_t part, zest_error *err) {
    struct batch b;
    const uint16_t *const *perm = NULL;
    int rc = jsonl_reader_finish(&w->reader, &b, &perm);
    if (rc == 0 && b.length > 0) {
        rc = pipeline_run_batch(&w->pipe, &b, perm, w->job->text_key, &w->arena, err);
        if (rc == 0 && w->seg_last) rc = worker_write(w, slot, err);
        if (rc == 0 && w->seg_last) rc = worker_stream(w, (size_t)part, slot, err);
        w->batches++;
        if (rc == 0) worker_log_batch(w, part, b.length);
    }
    jsonl_reader_reset(&w->reader);
    arena_reset(&w->arena);
    return rc;
}

static int only_whitespace(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return 0;
    return 1;
}

/* A malformed record: counted, reported (one at a time: the report and its rate limit are
 * shared), and fatal under bad_record_policy: fail. */
static int worker_bad(struct worker *w, struct part_slot *slot, const char *path, int64_t line,
                      int64_t offset, const char *reason, zest_error *err) {
    struct job *job = w->job;
    zest_bad_record rec;
    slot->bad++;
    if (line <= slot->bad_seen) return 0; /* reported by an earlier attempt */
    slot->bad_seen = line;
    snprintf(rec.path, sizeof rec.path, "%s", path);
    rec.line = line;
    rec.offset = offset;
    snprintf(rec.reason, sizeof rec.reason, "%s", reason);
    pthread_mutex_lock(&job->mu);
    zest_run_summary *s = job->sum;
    s->bad_records++;
    if (s->bad_records_kept < ZEST_BAD_RECORDS_KEPT) s->bad[s->bad_records_kept++] = rec;
    if (job->opts && job->opts->on_bad_record) job->opts->on_bad_record(&rec, job->opts->user);
    runev_bad_record(&job->ev, &rec);
    pthread_mutex_unlock(&job->mu);
    if (job->cfg->bad_record_policy != CFG_BAD_FAIL) return 0;
    return err_set_at(err, ZEST_E_BADRECORDS, path, line, offset,
                      "malformed record (bad_record_policy: fail): %s", reason);
}

/* Line numbers in the partition's source, mapped to the input file the lines came from. */
static int64_t origin_line(const struct partplan_part *part, int64_t line_no) {
    return part->origin_line + (line_no - part->first_line);
}

/* A line of a checkpoint that does not parse: the file passed its checksum, so it was
 * written that way; the partition fails rather than lose the record. */
static int worker_ckpt_bad(const struct seg_input *in, int64_t line_no, int64_t offset,
                           const char *reason, zest_error *err) {
    return err_set_at(err, ZEST_E_FORMAT, in->path, line_no, offset,
                      "checkpoint record does not parse: %s", reason);
}

static int worker_line(struct worker *w, struct part_slot *slot, const struct partplan_part *part,
                       const struct seg_input *in, const char *line, size_t len, int64_t line_no,
                       int64_t offset, zest_error *err) {
    if (in->source) {
        slot->bytes_read += (int64_t)len + 1;
        atomic_fetch_add_explicit(&w->job->ev.counters.bytes_read, (int64_t)len + 1,
                                  memory_order_relaxed);
        atomic_fetch_add_explicit(&w->job->ev.counters.bytes_done, (int64_t)len + 1,
                                  memory_order_relaxed);
    }
    if (only_whitespace(line, len)) return 0;
    struct jsonl_bad bad;
    const int got = jsonl_parse_record(&w->reader, line, len, &bad);
    if (got == 1 && !in->source) return worker_ckpt_bad(in, line_no, offset + bad.column, bad.reason, err);
    const bool same_file = part->source == part->origin || !strcmp(part->source, part->origin);
    if (got == 1)
        return worker_bad(w, slot, part->origin, origin_line(part, line_no),
                          same_file ? offset + bad.column : -1, bad.reason, err);
    if (got < 0)
        return err_set_at(err, got, in->source ? part->origin : in->path,
                          in->source ? origin_line(part, line_no) : line_no, offset, "%s",
                          zest_strerror(got));
    if (in->source) {
        slot->rows_read++;
        atomic_fetch_add_explicit(&w->job->ev.counters.rows_read, 1, memory_order_relaxed);
    }
    if (w->reader.rows >= w->job->batch_rows || jsonl_reader_bytes(&w->reader) >= WORKER_BATCH_BYTES)
        return worker_flush(w, slot, part->id, err);
    return 0;
}

/* An over-long line: skipped and reported under bad_record_policy: skip, else fatal. */
static int worker_long_line(struct worker *w, struct part_slot *slot,
                            const struct partplan_part *part, zest_error *err) {
    char reason[128];
    snprintf(reason, sizeof reason, "line longer than max_line_size_mb (%lld bytes)",
             (long long)w->job->cfg->max_line_bytes);
    const int64_t l = err ? err->line : 0, o = err ? err->offset : -1;
    return worker_bad(w, slot, part->origin, origin_line(part, l), o, reason, err);
}

/* A Parquet or Arrow checkpoint: its rows come back as the JSON lines that were written. */
static int worker_read_parquet(struct worker *w, struct part_slot *slot,
                               const struct partplan_part *part, const struct seg_input *in,
                               zest_error *err) {
    struct parquet_linesrc *src = NULL;
    const char *line;
    size_t len;
    int64_t row;
    int rc = parquet_linesrc_open(in->path, 0, -1, &src, err);
    while (rc == 0 && !atomic_load_explicit(&w->job->stop, memory_order_relaxed)) {
        rc = parquet_linesrc_next(src, &line, &len, &row, err);
        if (rc != 1) break;
        rc = worker_line(w, slot, part, in, line, len, row, 0, err);
    }
    if (rc == 0 && atomic_load(&w->job->stop)) rc = ZEST_E_CANCELLED;
    if (rc == 0) rc = worker_flush(w, slot, part->id, err);
    parquet_linesrc_close(src);
    return rc;
}

static int worker_read(struct worker *w, struct part_slot *slot, const struct partplan_part *part,
                       const struct seg_input *in, zest_error *err) {
    const struct zest_config *cfg = w->job->cfg;
    if (!in->source && columnar_path(in->path)) return worker_read_parquet(w, slot, part, in, err);
    const bool skip_long = in->source && cfg->bad_record_policy == CFG_BAD_SKIP;
    struct linereader *lr = NULL;
    const char *line;
    size_t len;
    int64_t line_no, offset;
    int rc = linereader_open(in->path, (size_t)cfg->max_line_bytes, in->start, in->end, &lr, err);
    if (rc == 0) {
        linereader_set_first_line(lr, in->first_line);
        linereader_set_skip_long(lr, skip_long);
    }
    while (rc == 0 && !atomic_load_explicit(&w->job->stop, memory_order_relaxed)) {
        rc = linereader_next(lr, &line, &len, &line_no, &offset, err);
        if (rc == ZEST_E_LIMIT && skip_long) {
            rc = worker_long_line(w, slot, part, err);
            continue;
        }
        if (rc != 1) break;
        rc = worker_line(w, slot, part, in, line, len, line_no, offset, err);
    }
    if (rc == 0 && atomic_load(&w->job->stop)) rc = ZEST_E_CANCELLED;
    if (rc == 0) rc = worker_flush(w, slot, part->id, err);
    linereader_close(lr);
    return rc;
}

static void worker_snapshot(struct worker *w) {
    memcpy(w->before, w->pipe.ops, w->pipe.n_ops * sizeof *w->before);
}

/* The end (exclusive) of the segment that starts at op `from`: just after the next
 * checkpointed op, or the end of the list. */
static size_t worker_segment_end(const struct worker *w, size_t from) {
    const size_t end = barrier_end(w->job, w->pipe.n_ops);
    for (size_t k = from; k < end; k++)
        if (ckptrun_wants(&w->ckpt, k) && !barrier_is_target(w->job, k)) return k + 1;
    return end;
}

/* Ops [from, to) over the whole input; a checkpointed last op is committed at the end, and
 * *in then points at it for the next segment. */
static int worker_segment(struct worker *w, const struct partplan_part *part,
                          struct part_slot *slot, struct seg_input *in, size_t from, size_t to) {
    struct job *job = w->job;
    const bool ckpt =
        to > from && ckptrun_wants(&w->ckpt, to - 1) && !barrier_is_target(job, to - 1);
    w->pipe.op_from = from;
    w->pipe.op_to = to;
    w->seg_last = to == w->pipe.n_ops && !barrier_signing(job);
    slot->final_ckpt = ckpt && w->seg_last;
    worker_snapshot(w);
    runev_partition_ops_start(&job->ev, &w->pipe, part->id, w->index);
    jsonl_reader_reset(&w->reader);
    arena_reset(&w->arena);
    int rc = ckpt ? ckptrun_open(&w->ckpt, part->id, to - 1, &slot->err) : 0;
    if (rc == 0) rc = barrier_segment_begin(job, &w->pipe, &w->sigs, part->id, &slot->err);
    if (rc == 0) rc = worker_read(w, slot, part, in, &slot->err);
    if (rc == 0)
        rc = barrier_segment_end(job, &w->pipe, &w->sigs, part->id, w->index, &slot->err);
    if (rc == 0 || w->pipe.failed_op < 0)
        runev_partition_ops_complete(&job->ev, &w->pipe, w->before, part->id, w->index);
    if (rc == 0 && ckpt) {
        struct ckpt_record rec;
        rc = ckptrun_commit(&w->ckpt, job->cfg, &job->ev, part->id, w->index, &rec, &slot->err);
        if (rc == 0) rc = ckptrun_file(&w->ckpt, &rec, w->ckpt_path, sizeof w->ckpt_path, &slot->err);
        if (rc == 0) *in = (struct seg_input){.path = w->ckpt_path, .end = -1, .first_line = 1};
        if (rc == 0 && slot->final_ckpt) slot->final = rec;
    }
    ckptrun_abort(&w->ckpt); /* what a failure left open */
    return rc;
}

/* Where the partition starts: after its latest valid checkpoint (from this run's earlier
 * attempt or an earlier run), or at its source. Returns the first op to run, or < 0. */
static int worker_start(struct worker *w, const struct partplan_part *part,
                        struct part_slot *slot, struct seg_input *in) {
    struct job *job = w->job;
    const struct zest_config *cfg = job->cfg;
    *in = (struct seg_input){.path = part->source, .start = part->start, .end = part->end,
                             .first_line = part->first_line, .source = true};
    ZEST_TRY(ckptrun_begin(&w->ckpt, cfg, part, job->plan.fp.hex, &slot->err));
    struct ckpt_record rec;
    const int got = cfg->use_checkpoints_for_recovery
                        ? ckptrun_latest(&w->ckpt, &job->ev, part->id, w->index, &rec, &slot->err)
                        : 0;
    if (got < 0) return got;
    if (got == 1 && (size_t)rec.op_index + 1 >= barrier_end(job, w->pipe.n_ops) &&
        barrier_signing(job))
        return 0; /* past the op being signed: only its own input is of use */
    if (got == 0) {
        if (slot->attempt > 1 && !cfg->restart_from_beginning_if_no_checkpoint)
            return err_set(&slot->err, ZEST_E_NOTFOUND,
                           "partition %lld: no checkpoint to retry from "
                           "(restart_from_beginning_if_no_checkpoint: false)",
                           (long long)part->id);
        return 0;
    }
    ZEST_TRY(ckptrun_file(&w->ckpt, &rec, w->ckpt_path, sizeof w->ckpt_path, &slot->err));
    *in = (struct seg_input){.path = w->ckpt_path, .end = -1, .first_line = 1};
    const bool complete = (size_t)rec.op_index + 1 == w->pipe.n_ops;
    if (slot->attempt == 1) runev_partition_resume(&job->ev, part->id, w->index, &rec, complete);
    runev_checkpoint_load(&job->ev, part->id, w->index, &rec, w->ckpt_path);
    if (complete) {
        slot->final_ckpt = true;
        slot->final = rec;
        slot->reused = slot->attempt == 1;
    }
    return rec.op_index + 1;
}

/* One attempt at a partition: from its latest valid checkpoint or its source, segment by
 * segment. */
static int worker_attempt(struct worker *w, const struct partplan_part *part,
                          struct part_slot *slot) {
    struct job *job = w->job;
    const double t0 = worker_now(), cpu0 = worker_cpu_now();
    struct seg_input in;
    runev_partition_start(&job->ev, part, w->index, slot->attempt);
    slot->final_ckpt = false;
    w->pipe.failed_op = -1;
    /* a partition whose signatures are committed has nothing to run in a signature pass */
    const bool signed_already = barrier_part_done(job, part->id);
    int rc = signed_already ? 0 : worker_start(w, part, slot, &in);
    size_t from = rc > 0 ? (size_t)rc : 0;
    if (rc > 0) rc = 0;
    const bool done = slot->final_ckpt || signed_already; /* nothing to run */
    slot->reused = slot->reused || signed_already;
    const size_t end = barrier_end(job, w->pipe.n_ops);
    for (bool first = true; rc == 0 && !done && (first || from < end); first = false) {
        const size_t to = worker_segment_end(w, from);
        rc = worker_segment(w, part, slot, &in, from, to);
        from = to;
    }
    if (rc == 0) rc = ckptrun_prune(&w->ckpt, job->cfg, &job->ev, part->id, w->index, &slot->err);
    if (rc && rc != ZEST_E_CANCELLED)
        runev_partition_op_error(&job->ev, &w->pipe, part->id, w->index, &slot->err);
    if (slot->final_ckpt && rc == 0) slot->rows_out = slot->final.rows;
    const struct runev_attempt figures = {
        .rows_in = slot->rows_read, .rows_out = slot->rows_out, .bytes_in = slot->bytes_read,
        .bytes_out = slot->bytes_out, .seconds = worker_now() - t0,
        .cpu_s = worker_cpu_now() - cpu0};
    runev_partition_end(&job->ev, part->id, w->index, slot->attempt, rc, &figures, &slot->err);
    return rc;
}

/* Malformed input under bad_record_policy: fail (a bad record, an over-long line) and
 * cancellation do not change on a retry, and are not skipped: the policy says fail. */
static bool worker_retryable(int rc) {
    return rc != 0 && rc != ZEST_E_CANCELLED && rc != ZEST_E_BADRECORDS && rc != ZEST_E_LIMIT;
}

/* Exponential backoff with jitter: base * 2^(attempt-1), times 1..1.5 drawn from the
 * partition and attempt (so delays always grow, and do not depend on timing). */
static double worker_backoff(const struct zest_config *cfg, int64_t part, int attempt) {
    const uint64_t r = hash_finish((uint64_t)part * 0x9e3779b97f4a7c15ull + (uint64_t)attempt);
    const double jitter = 1.0 + 0.5 * (double)(r >> 11) / 9007199254740992.0;
    return cfg->retry_delay_seconds * (double)(1ull << (attempt - 1 < 30 ? attempt - 1 : 30)) *
           jitter;
}

/* Sleeps up to `secs`, waking early when the job stops. */
static void worker_wait(struct job *job, double secs) {
    const double until = worker_now() + secs;
    while (!atomic_load(&job->stop) && worker_now() < until) {
        const double left = until - worker_now(), step = left < 0.05 ? left : 0.05;
        if (step <= 0) break;
        struct timespec ts = {.tv_sec = (time_t)step,
                              .tv_nsec = (long)((step - (double)(time_t)step) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* A fresh attempt keeps only what must survive: output already sent, malformed records
 * already reported. */
static void worker_slot_reset(struct job *job, struct part_slot *slot) {
    /* the input the failed attempt read is to be read again: not done yet */
    atomic_fetch_sub_explicit(&job->ev.counters.bytes_done, slot->bytes_read,
                              memory_order_relaxed);
    slot->rows_read = slot->rows_out = slot->bytes_read = slot->bytes_out = slot->bad = 0;
    buf_clear(&slot->out);
    slot->skip = slot->streamed;
    zest_error_clear(&slot->err);
}

static void worker_partition(struct worker *w, size_t p) {
    struct job *job = w->job;
    const struct zest_config *cfg = job->cfg;
    const struct partplan_part *part = &job->plan.parts[p];
    struct part_slot *slot = &job->slots[p];
    const int retries = cfg->recovery_enabled ? (int)cfg->recovery_max_retries : 0;
    w->pipe.partition = part->id; /* what injected faults match */
    for (slot->attempt = 1;; slot->attempt++) {
        slot->status = worker_attempt(w, part, slot);
        if (!worker_retryable(slot->status) || slot->attempt > retries) break;
        const double delay = worker_backoff(cfg, part->id, slot->attempt);
        runev_partition_retry(&job->ev, part->id, w->index, slot->attempt + 1, delay, &slot->err);
        atomic_fetch_add_explicit(&job->ev.counters.retries, 1, memory_order_relaxed);
        worker_wait(job, delay);
        if (atomic_load(&job->stop)) break;
        worker_slot_reset(job, slot);
    }
    if (!worker_retryable(slot->status) || !cfg->enable_fault_tolerance) {
        if (slot->status && slot->status != ZEST_E_CANCELLED) atomic_store(&job->stop, true);
        return;
    }
    /* Graceful degradation: the others go on; the export will lack this one. */
    slot->skipped = true;
    buf_clear(&slot->out);
    runev_partition_skip(&job->ev, part->id, w->index, slot->attempt, &slot->err);
}

size_t worker_take_nowait(struct job *job) {
    size_t p = SIZE_MAX;
    pthread_mutex_lock(&job->mu);
    if (!atomic_load(&job->stop) && job->next < job->plan.count)
        p = job->next >= job->merged + job->window ? WORKER_TAKE_WAIT : job->next++;
    pthread_mutex_unlock(&job->mu);
    return p;
}

/* The next partition to run, or SIZE_MAX when there is none (or the job stops). */
static size_t worker_take(struct job *job) {
    size_t p = SIZE_MAX;
    pthread_mutex_lock(&job->mu);
    while (!atomic_load(&job->stop) && job->next < job->plan.count &&
           job->next >= job->merged + job->window)
        pthread_cond_wait(&job->cv, &job->mu);
    if (!atomic_load(&job->stop) && job->next < job->plan.count) p = job->next++;
    pthread_mutex_unlock(&job->mu);
    return p;
}

/* How partition p ended, in the progress counters. A finished partition's input is done in
 * full: its planned bytes replace what its reads counted (a last line without a newline,
 * a checkpoint read instead of the source). */
void worker_count_end(struct job *job, size_t p) {
    struct run_counters *c = &job->ev.counters;
    const struct part_slot *slot = &job->slots[p];
    const int64_t planned = progress_part_bytes(&job->plan, p);
    const bool finished = slot->skipped || slot->status == 0;
    atomic_fetch_sub_explicit(&c->parts_running, 1, memory_order_relaxed);
    if (finished && planned >= 0)
        atomic_fetch_add_explicit(&c->bytes_done, planned - slot->bytes_read,
                                  memory_order_relaxed);
    if (slot->skipped) {
        atomic_fetch_add_explicit(&c->parts_skipped, 1, memory_order_relaxed);
    } else if (slot->status == 0) {
        atomic_fetch_add_explicit(&c->parts_done, 1, memory_order_relaxed);
        if (slot->reused) atomic_fetch_add_explicit(&c->parts_reused, 1, memory_order_relaxed);
        if (slot->reused && planned >= 0)
            atomic_fetch_add_explicit(&c->bytes_reused, planned, memory_order_relaxed);
    } else if (slot->status != ZEST_E_CANCELLED) {
        atomic_fetch_add_explicit(&c->parts_failed, 1, memory_order_relaxed);
    }
}

/* A thread of a rank other than 0 asks rank 0 for partitions and sends their results
 * back; its own slots only hold a partition while it runs. */
static void *worker_main_remote(struct worker *w) {
    struct job *job = w->job;
    const int thread = w->index - (int)job->dist->worker_base;
    zest_error err;
    size_t p;
    if (dist_ask(thread, &err) != 0) return NULL;
    while ((p = dist_take(job, thread)) != SIZE_MAX) {
        atomic_fetch_add_explicit(&job->ev.counters.parts_running, 1, memory_order_relaxed);
        worker_partition(w, p);
        worker_count_end(job, p);
        if (dist_ask(thread, &err) != 0 || dist_post_result(job, thread, p) != 0) {
            atomic_store(&job->stop, true);
            break;
        }
    }
    return NULL;
}

void *worker_main(void *arg) {
    struct worker *w = arg;
    struct job *job = w->job;
    size_t p;
    if (job->dist && job->dist->rank > 0) return worker_main_remote(w);
    while ((p = worker_take(job)) != SIZE_MAX) {
        atomic_fetch_add_explicit(&job->ev.counters.parts_running, 1, memory_order_relaxed);
        worker_partition(w, p);
        worker_count_end(job, p);
        pthread_mutex_lock(&job->mu);
        job->slots[p].done = true;
        pthread_cond_broadcast(&job->cv);
        pthread_mutex_unlock(&job->mu);
    }
    return NULL;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c - zest_run: plan the input's partitions, run them on `np` worker threads, and merge
 * their results in partition order into the export, committed atomically; everything logged
 * as events. The output bytes do not depend on the number of workers: each partition is
 * processed whole by one worker, and the merge follows partition order.
 * Depends on exec's worker, barrier, partplan, runevents, progress, jobpaths, outq, remoterun;
 * io/; config/; common/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/err.h"
#include "../common/fsutil.h"
#include "../io/parquet_lines.h"
#include "../io/shardsink.h"
#include "../io/remote.h"
#include "../io/sink.h"
#include "../io/source.h"
#include "barrier.h"
#include "dist.h"
#include "jobpaths.h"
#include "mpi_rt.h"
#include "remoterun.h"
#include "resume.h"
#include "worker.h"

/* The merge hands checkpointed lines to the writer in pieces of about this size. */
#define RUN_MERGE_PIECE ((size_t)1 << 20)

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t run_np(const struct zest_config *cfg) {
    if (cfg->np > 0) return (size_t)cfg->np;
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* A continued job keeps its plan (its input must be unchanged); the settings note is a
 * warning event. `fp`: the input's fingerprint when it is known already (a remote input). */
static int run_plan_stored(struct job *job, const char *dataset, const struct fingerprint *fp,
                           const char *plan_path, zest_error *err) {
    struct partplan_settings settings;
    char note[1400];
    partplan_settings_from_config(job->cfg, &settings);
    ZEST_TRY(resume_plan(plan_path, dataset, fp, &settings, &job->plan, note, sizeof note, err));
    if (note[0]) {
        struct evlog_event e = evlog_event_init(EVT_WARNING);
        e.message = note;
        evlog_emit(job->ev.log, &e);
    }
    return 0;
}

/* Plans the partitions and writes partitions.json into the job dir; compressed inputs are
 * decompressed once into partition files there, a remote input is downloaded first into
 * its inputs/ directory. A continued job reads its plan back. */
static int run_plan(struct job *job, const struct jobpaths *jp, zest_error *err) {
    struct source_list files = {0};
    struct partplan_settings settings;
    struct fingerprint rfp;
    char path[1200], plan_path[1200], local[1200];
    const char *dataset = jp->dataset_path;
    const bool remote = remote_is_url(dataset);
    if (remote) {
        ZEST_TRY(remoterun_fetch(job->cfg, job->ev.log, dataset, jp->work_dir, local,
                                 sizeof local, &rfp, err));
        dataset = local;
    }
    snprintf(plan_path, sizeof plan_path, "%s/partitions.json", jp->work_dir);
    if (job->resuming && access(plan_path, F_OK) == 0)
        return run_plan_stored(job, dataset, remote ? &rfp : NULL, plan_path, err);
    int rc = source_list(dataset, &files, err);
    partplan_settings_from_config(job->cfg, &settings);
    if (rc == 0) rc = partplan_build(&files, &settings, &job->plan, err);
    if (rc == 0 && remote) job->plan.fp = rfp;
    snprintf(path, sizeof path, "%s/partitions", jp->work_dir);
    if (rc == 0) rc = partplan_split_streams(&job->plan, path, (size_t)job->cfg->max_line_bytes, err);
    if (rc == 0) rc = partplan_write(&job->plan, plan_path, err);
    source_list_free(&files);
    return rc;
}

/* Lines (newlines) in n bytes. */
static int64_t run_count_lines(const char *p, size_t n) {
    int64_t lines = 0;
    for (const char *end = p + n; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) lines++;
    return lines;
}

/* The checkpoint's uncompressed bytes into the writer, in pieces (a plain file is read as it
 * is; a compressed one through the line reader). */
static int run_merge_read(struct job *job, struct outq *q, const char *path, int64_t *rows,
                          uint64_t *bytes, zest_error *err) {
    struct linereader *lr = NULL;
    const char *line;
    size_t len;
    int64_t line_no, offset;
    ZEST_TRY(linereader_open(path, (size_t)job->cfg->max_line_bytes, 0, -1, &lr, err));
    struct buf *b = outq_acquire(q);
    int rc;
    while ((rc = linereader_next(lr, &line, &len, &line_no, &offset, err)) == 1) {
        if (buf_append(b, line, len) || buf_append(b, "\n", 1)) {
            rc = err_set(err, ZEST_E_NOMEM, "out of memory merging %s", path);
            break;
        }
        ++*rows;
        *bytes += len + 1;
        if (b->len < RUN_MERGE_PIECE) continue;
        if ((rc = outq_submit(q, err)) != 0) break;
        b = outq_acquire(q);
    }
    linereader_close(lr);
    return rc ? rc : outq_submit(q, err);
}

static int run_merge_plain(struct outq *q, const char *path, int64_t *rows, uint64_t *bytes,
                           zest_error *err) {
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return err_set_at(err, ZEST_E_IO, path, 0, -1, "open: %s", strerror(errno));
    int rc = 0;
    for (;;) {
        struct buf *b = outq_acquire(q);
        if (buf_reserve(b, RUN_MERGE_PIECE)) {
            rc = err_set(err, ZEST_E_NOMEM, "out of memory merging %s", path);
            break;
        }
        const ssize_t n = read(fd, b->data + b->len, RUN_MERGE_PIECE);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = err_set_at(err, ZEST_E_IO, path, 0, -1, "read: %s", strerror(errno));
        if (n <= 0) break;
        *rows += run_count_lines(b->data + b->len, (size_t)n);
        *bytes += (uint64_t)n;
        b->len += (size_t)n;
        if ((rc = outq_submit(q, err)) != 0) break;
    }
    close(fd);
    return rc;
}

/* A partition's export lines from its last op's checkpoint, into the writer; rows and bytes
 * are checked against the manifest's record. */
/* A Parquet or Arrow checkpoint's rows, as the JSON lines that were written, into the writer. */
static int run_merge_parquet(struct outq *q, const char *path, int64_t *rows, uint64_t *bytes,
                             zest_error *err) {
    struct parquet_linesrc *src = NULL;
    ZEST_TRY(parquet_linesrc_open(path, 0, -1, &src, err));
    struct buf *b = outq_acquire(q);
    const char *line;
    size_t len;
    int rc;
    while ((rc = parquet_linesrc_next(src, &line, &len, NULL, err)) == 1) {
        if (buf_append(b, line, len) || buf_append(b, "\n", 1)) {
            rc = err_set(err, ZEST_E_NOMEM, "out of memory merging %s", path);
            break;
        }
        ++*rows;
        *bytes += len + 1;
        if (b->len < RUN_MERGE_PIECE) continue;
        if ((rc = outq_submit(q, err)) != 0) break;
        b = outq_acquire(q);
    }
    parquet_linesrc_close(src);
    return rc ? rc : outq_submit(q, err);
}

static int run_merge_ckpt(struct job *job, struct outq *q, size_t p, zest_error *err) {
    const struct ckpt_record *rec = &job->slots[p].final;
    char path[1200];
    int64_t rows = 0;
    uint64_t bytes = 0;
    ZEST_TRY(ckpt_path(job->ckpt, rec->file, path, sizeof path, err));
    const bool pq = columnar_path(path);
    const bool plain = sink_codec_for_path(path) == SINK_PLAIN;
    ZEST_TRY(pq      ? run_merge_parquet(q, path, &rows, &bytes, err)
             : plain ? run_merge_plain(q, path, &rows, &bytes, err)
                     : run_merge_read(job, q, path, &rows, &bytes, err));
    if (rows != rec->rows || (!pq && bytes != rec->content_bytes))
        return err_set(err, ZEST_E_FORMAT,
                       "%s: %lld rows in %llu bytes, but its manifest records %lld in %llu",
                       path, (long long)rows, (unsigned long long)bytes, (long long)rec->rows,
                       (unsigned long long)rec->content_bytes);
    job->sum->bytes_written += (int64_t)bytes;
    return 0;
}

/* Hands the merged partition's lines to the writer thread (without copying them when they
 * are in memory). */
static int run_merge_one(struct job *job, struct outq *q, size_t p, zest_error *err) {
    struct part_slot *slot = &job->slots[p];
    zest_run_summary *s = job->sum;
    int64_t rows = slot->rows_read, bytes = slot->bytes_read;
    barrier_input_read(job, p, &rows, &bytes); /* the export pass may not read the input */
    s->rows_read += rows;
    s->bytes_read += bytes;
    if (slot->skipped) return 0;
    s->rows_written += slot->rows_out;
    s->partitions_reused += slot->reused;
    if (slot->final_ckpt) return run_merge_ckpt(job, q, p, err);
    struct buf *b = outq_acquire(q);
    const struct buf tmp = *b;
    *b = slot->out;
    slot->out = tmp;
    buf_free(&slot->out); /* the writer's recycled buffer: a merged slot holds nothing */
    s->bytes_written += slot->bytes_out;
    return outq_submit(q, err);
}

/* The error that ended the run: the lowest partition that failed on its own (the others
 * were only cancelled because of it). */
static int run_first_error(struct job *job, zest_error *err) {
    for (size_t p = 0; p < job->plan.count; p++) {
        const struct part_slot *slot = &job->slots[p];
        if (slot->done && slot->status && !slot->skipped && slot->status != ZEST_E_CANCELLED) {
            if (err) *err = slot->err;
            return slot->status;
        }
    }
    return err_set(err, ZEST_E_CANCELLED, "run cancelled");
}

/* Merges partitions in order as they complete; stops at the first failed one. */
static int run_merge(struct job *job, struct outq *q, zest_error *err) {
    for (size_t p = 0; p < job->plan.count; p++) {
        pthread_mutex_lock(&job->mu);
        while (!job->slots[p].done) pthread_cond_wait(&job->cv, &job->mu);
        pthread_mutex_unlock(&job->mu);
        if (job->slots[p].status && !job->slots[p].skipped) return ZEST_E_CANCELLED;
        const int rc = run_merge_one(job, q, p, err);
        if (rc) return rc;
        pthread_mutex_lock(&job->mu);
        job->merged = p + 1;
        pthread_cond_broadcast(&job->cv);
        pthread_mutex_unlock(&job->mu);
    }
    return 0;
}

static void run_stop(struct job *job) {
    pthread_mutex_lock(&job->mu);
    atomic_store(&job->stop, true);
    pthread_cond_broadcast(&job->cv);
    pthread_mutex_unlock(&job->mu);
}

static int run_workers_start(struct job *job, struct worker *w, size_t n, zest_error *err) {
    const size_t base = job->dist ? job->dist->worker_base : 0; /* job-wide worker indexes */
    for (size_t i = 0; i < n; i++) {
        ZEST_TRY(worker_init(&w[i], job, (int)(base + i), err));
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
            return err_set(err, ZEST_E_INTERNAL, "cannot start worker thread %zu", i);
        w[i].started = true;
    }
    return 0;
}

static void run_workers_join(struct worker *w, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (w[i].started) pthread_join(w[i].thread, NULL);
}

/* Sums each op's counters over the workers into the summary. */
static void run_summary_ops(zest_run_summary *s, const struct worker *w, size_t n) {
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < w[i].pipe.n_ops && k < s->n_ops; k++) {
            const struct pipe_op *op = &w[i].pipe.ops[k];
            snprintf(s->ops[k].name, sizeof s->ops[k].name, "%s", op->desc->info.name);
            s->ops[k].rows_in += op->rows_in;
            s->ops[k].rows_out += op->rows_out;
            s->ops[k].seconds += op->seconds;
        }
    }
}

static void run_log_committed(struct job *job, const char *path, size_t files) {
    char msg[1200], first[1100];
    if (job->cfg->export_shard_size > 0 &&
        shardsink_shard_path(path, 0, files, first, sizeof first, NULL) == 0)
        snprintf(msg, sizeof msg, "export committed: %zu shard%s, %s ...", files,
                 files == 1 ? "" : "s", first);
    else
        snprintf(msg, sizeof msg, "export committed: %s", path);
    struct evlog_event e = evlog_event_init(EVT_INFO);
    e.message = msg;
    evlog_emit(job->ev.log, &e);
}

/* The skipped partitions into the summary; ZEST_E_PARTIAL naming them when there are any. */
static int run_skipped(struct job *job, zest_error *err) {
    zest_run_summary *s = job->sum;
    size_t n = 0;
    for (size_t p = 0; p < job->plan.count; p++) n += job->slots[p].skipped;
    if (!n) return 0;
    if (!(s->skipped = calloc(n, sizeof *s->skipped)))
        return err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t p = 0; p < job->plan.count; p++) {
        const struct part_slot *slot = &job->slots[p];
        if (!slot->skipped) continue;
        zest_skipped_partition *k = &s->skipped[s->n_skipped++];
        k->partition = (int64_t)p;
        k->attempts = slot->attempt;
        snprintf(k->error, sizeof k->error, "%s", slot->err.msg);
    }
    return err_set(err, ZEST_E_PARTIAL, "%zu of %zu partitions skipped after failing (first: "
                   "partition %lld: %s); the export holds the others", n, job->plan.count,
                   (long long)s->skipped[0].partition, s->skipped[0].error);
}

/* This rank's worker threads. */
static size_t run_threads(const struct job *job) {
    return run_np(job->cfg) < job->plan.count ? run_np(job->cfg) : job->plan.count;
}

/* A distributed run: the ranks' thread counts, then (rank 0) the coordinator, which answers
 * every rank until all are done, whatever happens here. */
static int run_dist_begin(struct job *job, size_t n, zest_error *err) {
    if (!job->dist) return 0;
    ZEST_TRY(dist_threads(job->dist, n, err));
    job->window = job->dist->total_threads ? 2 * job->dist->total_threads : 1;
    return job->dist->rank == 0 ? dist_coord_start(job->dist, job, err) : 0;
}

/* The coordinator ends once every rank said it is done; then the op counters of all ranks
 * are summed into rank 0's summary. */
static int run_dist_end(struct job *job, int rc, zest_error *err) {
    if (!job->dist) return rc;
    zest_error derr;
    int drc = dist_coord_join(job->dist, &derr);
    if (drc == 0) drc = dist_reduce_ops(job->sum, &derr);
    if (rc == 0 && drc) {
        rc = drc;
        if (err) *err = derr;
    }
    return rc;
}

/* Workers run partitions while this thread merges them into the export. */
static int run_partitions(struct job *job, const struct jobpaths *jp, zest_error *err) {
    const size_t n = run_threads(job);
    struct worker *w = calloc(n ? n : 1, sizeof *w);
    struct shardsink *sink = NULL;
    struct outq q = {0};
    /* A partition starts at most 2n ahead of the merge: a worker done early takes the next
     * one while a slower one finishes the head, and memory stays bounded. */
    job->window = n ? 2 * n : 1;
    int rc = run_dist_begin(job, n, err);
    if (rc == 0 && !w) rc = err_set(err, ZEST_E_NOMEM, "out of memory");
    job->outq = &q;
    if (rc == 0) rc = jobpaths_make_parent(jp->export_path, err);
    if (rc == 0) rc = shardsink_open(jp->export_path, job->cfg->export_shard_size, &sink, err);
    if (rc == 0) rc = outq_start(&q, sink, err);
    if (rc == 0) rc = run_workers_start(job, w, n, err);
    if (rc == 0) rc = run_merge(job, &q, err);
    if (rc) run_stop(job);
    run_workers_join(w, n);
    if (rc) run_stop(job); /* a coordinator failure ends the merge: the ranks get no more */
    run_summary_ops(job->sum, w, n);
    rc = run_dist_end(job, rc, err);
    if (rc == ZEST_E_CANCELLED) rc = run_first_error(job, err);
    const int wrc = outq_finish(&q, rc ? NULL : err);
    if (rc == 0) rc = wrc;
    if (rc == 0) {
        rc = shardsink_commit(sink, &job->sum->export_files, err);
        sink = NULL;
        if (rc == 0) run_log_committed(job, jp->export_path, job->sum->export_files);
        if (rc == 0) rc = run_skipped(job, err);
    }
    shardsink_abort(sink);
    for (size_t i = 0; i < n && w; i++) worker_destroy(&w[i]);
    free(w);
    return rc;
}

/* The end of the run in the event log; a failure to write the log fails a run that had
 * otherwise succeeded (its record of what happened would be incomplete). */
static int run_log_end(struct job *job, int rc, zest_error *err) {
    runev_processing_end(&job->ev, rc, job->sum, err);
    zest_error lerr;
    zest_error_clear(&lerr);
    const int lrc = runev_close(&job->ev, &lerr);
    if (rc == 0 && lrc != 0 && err) *err = lerr;
    return rc ? rc : lrc;
}

/* The checkpoint format: the config's, or JSONL (with the same compression) for pairs without
 * a writer (arrow with gzip), said once as a warning event. */
static enum ckpt_format run_ckpt_format(struct job *job) {
    static const char *const formats[] = {"parquet", "arrow", "jsonl"};
    static const char *const codecs[] = {"snappy", "gzip", "zstd", "none"};
    const struct zest_config *cfg = job->cfg;
    enum ckpt_format f = CKPT_JSONL;
    if (ckpt_format_from_config(formats[cfg->checkpoint_format],
                                codecs[cfg->checkpoint_compression], &f, NULL) == 0)
        return f;
    f = cfg->checkpoint_compression == CFG_COMP_GZIP   ? CKPT_JSONL_GZ
        : cfg->checkpoint_compression == CFG_COMP_ZSTD ? CKPT_JSONL_ZST
                                                       : CKPT_JSONL;
    char msg[256];
    snprintf(msg, sizeof msg, "checkpointing.storage_format '%s' (compression '%s') is not "
             "supported yet: checkpoints are written as %s", formats[cfg->checkpoint_format],
             codecs[cfg->checkpoint_compression], ckpt_format_ext(f));
    struct evlog_event e = evlog_event_init(EVT_WARNING);
    e.message = msg;
    evlog_emit(job->ev.log, &e);
    return f;
}

/* Opens the checkpoint store when the strategy checkpoints any op. */
static int run_ckpt_open(struct job *job, const struct jobpaths *jp, zest_error *err) {
    bool any = false;
    for (size_t k = 0; k < job->cfg->n_ops; k++) any = any || ckptrun_wanted(job->cfg, k);
    if (!any) return 0;
    char dir[1200];
    if (job->cfg->checkpoint_dir)
        snprintf(dir, sizeof dir, "%s", job->cfg->checkpoint_dir);
    else
        snprintf(dir, sizeof dir, "%s/checkpoints", jp->work_dir);
    job->ckpt_format = run_ckpt_format(job);
    return ckpt_store_open(dir, &job->ckpt, err);
}

/* preserve_intermediate_data: false - after a good export the checkpoints go. */
static void run_ckpt_drop(struct job *job) {
    if (!job->ckpt || job->cfg->preserve_intermediate_data) return;
    size_t files = 0;
    for (size_t p = 0; p < job->plan.count; p++) {
        size_t n = 0;
        if (ckpt_remove_partition(job->ckpt, (int)p, &n, NULL) == 0) files += n;
    }
    char msg[128];
    snprintf(msg, sizeof msg, "%zu checkpoint files removed (preserve_intermediate_data: false)",
             files);
    struct evlog_event e = evlog_event_init(EVT_CHECKPOINT_CLEANUP);
    e.message = msg;
    evlog_emit(job->ev.log, &e);
}

static int run_job(struct job *job, const struct jobpaths *jp, zest_error *err) {
    int rc = faults_parse(getenv("ZEST_FAULTS"), &job->faults, err);
    if (rc == 0) rc = run_plan(job, jp, err);
    if (rc == 0) {
        runev_processing_start(&job->ev, job->cfg, jp->work_dir, jp->export_path, &job->plan.fp);
        runev_plan(&job->ev, &job->plan);
        if (job->opts && job->opts->on_start) job->opts->on_start(jp->work_dir, job->opts->user);
        job->sum->partitions = (int64_t)job->plan.count;
        job->slots = calloc(job->plan.count ? job->plan.count : 1, sizeof *job->slots);
        if (!job->slots) rc = err_set(err, ZEST_E_NOMEM, "out of memory");
        for (size_t p = 0; rc == 0 && p < job->plan.count; p++) buf_init(&job->slots[p].out, 0);
    }
    if (rc == 0) rc = run_ckpt_open(job, jp, err);
    if (rc == 0 && progress_start(&job->progress, &job->plan) != 0)
        rc = err_set(err, ZEST_E_INTERNAL, "cannot start the progress thread");
    if (rc == 0) rc = barrier_run(job, jp->work_dir, err); /* global ops' decisions */
    if (job->dist) { /* the other ranks start (or stop) here */
        size_t parts = job->plan.count;
        const int s = dist_sync_plan(job->dist, rc, &parts, err);
        if (s) return s;
    }
    if (rc == 0) rc = run_partitions(job, jp, err);
    if (rc == 0) run_ckpt_drop(job); /* not after a partial run: a rerun may reuse them */
    return rc;
}

/* A rank other than 0: its event log, the plan rank 0 wrote, and worker threads that take
 * partitions from rank 0 until none is left. A failure here makes the rank leave without
 * agreement (the launcher then ends the job). */
static int run_rank_workers(struct job *job, zest_error *err) {
    const size_t n = run_threads(job);
    struct worker *w = calloc(n ? n : 1, sizeof *w);
    job->merged = SIZE_MAX; /* no partition is ever the head of this rank's merge */
    int rc = run_dist_begin(job, n, err);
    if (rc == 0 && !w) rc = err_set(err, ZEST_E_NOMEM, "out of memory");
    if (rc == 0) rc = dist_sender_start(job->dist, job, err);
    if (rc == 0) rc = run_workers_start(job, w, n, err);
    if (rc) atomic_store(&job->stop, true);
    run_workers_join(w, n);
    const int src = dist_sender_stop(job->dist, rc ? NULL : err); /* every result before BYE */
    if (rc == 0) rc = src;
    if (rc == 0) rc = dist_bye(err);
    run_summary_ops(job->sum, w, n);
    if (rc == 0) rc = dist_reduce_ops(job->sum, err);
    for (size_t i = 0; i < n && w; i++) worker_destroy(&w[i]);
    free(w);
    return rc;
}

static int run_rank(struct job *job, const struct jobpaths *jp, zest_error *err) {
    char plan_path[1200];
    size_t parts = 0;
    snprintf(plan_path, sizeof plan_path, "%s/partitions.json", jp->work_dir);
    int rc = runev_open(&job->ev, job->cfg, jp->work_dir, jp->job_id, err);
    if (rc == 0) rc = faults_parse(getenv("ZEST_FAULTS"), &job->faults, err);
    if (rc == 0) rc = dist_sync_plan(job->dist, 0, &parts, err);
    if (rc == 0) rc = partplan_read(plan_path, &job->plan, err);
    if (rc == 0 && job->plan.count != parts)
        rc = err_set_at(err, ZEST_E_FORMAT, plan_path, 0, -1,
                        "%zu partitions where rank 0 planned %zu", job->plan.count, parts);
    if (rc == 0 && !(job->slots = calloc(parts ? parts : 1, sizeof *job->slots)))
        rc = err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t p = 0; rc == 0 && p < parts; p++) buf_init(&job->slots[p].out, 0);
    if (rc == 0) rc = run_ckpt_open(job, jp, err);
    /* rank 0 committed every global op's decision before the plan's meeting point: load them */
    if (rc == 0) rc = barrier_run(job, jp->work_dir, err);
    if (rc == 0) rc = run_rank_workers(job, err);
    zest_error lerr;
    const int lrc = runev_close(&job->ev, &lerr);
    if (rc == 0 && lrc) {
        rc = lrc;
        if (err) *err = lerr;
    }
    return rc;
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
    for (size_t i = 0; i < cfg->n_ops; i++)
        snprintf(s->ops[i].name, sizeof s->ops[i].name, "%s", cfg->ops[i].desc->info.name);
    return s;
}

static void job_free(struct job *job) {
    for (size_t p = 0; job->slots && p < job->plan.count; p++) buf_free(&job->slots[p].out);
    free(job->slots);
    barrier_free(job);
    partplan_free(&job->plan);
    ckpt_store_close(job->ckpt);
    pthread_mutex_destroy(&job->mu);
    pthread_cond_destroy(&job->cv);
}

static double epoch_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* job.json: running at the start (one more run), then how the run ended. */
static int run_job_state(struct job *job, const struct jobpaths *jp, enum jobfile_state state,
                         zest_error *err) {
    struct jobfile *jf = &job->jobfile;
    if (state == JOBFILE_RUNNING) {
        snprintf(jf->job_id, sizeof jf->job_id, "%s", jp->job_id);
        snprintf(jf->export_path, sizeof jf->export_path, "%s",
                 job->cfg->export_path ? job->cfg->export_path : "");
        if (!job->resuming) jf->started = epoch_seconds();
        jf->runs++;
        char path[1200];
        snprintf(path, sizeof path, "%s/" JOBFILE_NAME, jp->work_dir);
        ZEST_TRY(jobpaths_make_parent(path, err));
    }
    jf->state = state;
    jf->updated = epoch_seconds();
    return jobfile_write(jp->work_dir, jf, err);
}

static enum jobfile_state run_end_state(int rc) {
    return rc == 0 ? JOBFILE_COMPLETE : rc == ZEST_E_PARTIAL ? JOBFILE_PARTIAL : JOBFILE_FAILED;
}

static void run_summary_paths(zest_run_summary *s, const struct jobpaths *jp) {
    snprintf(s->export_path, sizeof s->export_path, "%s", jp->export_path);
    snprintf(s->job_id, sizeof s->job_id, "%s", jp->job_id);
    snprintf(s->job_dir, sizeof s->job_dir, "%s", jp->work_dir);
}

/* JOB/report.json: the performance summary of the job as it ended (also partial or
 * failed), from its event log. Without a log (event_logging.enabled: false) there is none;
 * a report that cannot be written leaves the run's result as it is: `zest report` rebuilds
 * it from the log at any time. */
static void run_write_report(const char *job_dir) {
    zest_perf_summary *s = NULL;
    char *json = NULL, path[1200];
    if (zest_get_performance_summary(job_dir, NULL, &s, NULL) == 0 &&
        zest_perf_summary_json(s, &json, NULL) == 0 &&
        (size_t)snprintf(path, sizeof path, "%s/report.json", job_dir) < sizeof path)
        fsutil_write_atomic(path, json, strlen(json), NULL);
    free(json);
    zest_perf_summary_destroy(s);
}

/* The run proper, once the job is known and not complete. */
static int run_open_job(struct job *job, const struct jobpaths *jp, double t0, zest_error *err) {
    int rc = runev_open(&job->ev, job->cfg, jp->work_dir, jp->job_id, err);
    if (rc) return rc;
    rc = run_job_state(job, jp, JOBFILE_RUNNING, err);
    if (rc == 0) {
        rc = run_job(job, jp, err);
        zest_error serr;
        const int src = run_job_state(job, jp, run_end_state(rc), &serr);
        if (rc == 0 && src) {
            rc = src;
            if (err) *err = serr;
        }
    }
    job->sum->seconds = now_seconds() - t0;
    rc = run_log_end(job, rc, err);
    run_write_report(jp->work_dir);
    return rc;
}

/* Rank 0 of a distributed run that failed before the plan's meeting point: the other ranks
 * wait there for its status. */
static int run_dist_unsynced(struct job *job, int rc, zest_error *err) {
    if (!job->dist || job->dist->rank != 0 || job->dist->synced_plan) return rc;
    size_t parts = 0;
    if (!rc) rc = err_set(err, ZEST_E_INTERNAL, "the run ended before its plan");
    dist_sync_plan(job->dist, rc, &parts, err);
    return rc;
}

/* The job proper once identified: rank 0 locks it (the others check they share its work
 * dir) and runs it; the other ranks of a distributed run work for rank 0. */
static int run_identified(struct job *job, const struct jobpaths *jp, double t0,
                          zest_error *err) {
    const int rank = job->dist ? job->dist->rank : 0;
    int rc = 0, lock = -1;
    if (rank == 0) {
        lock = jobfile_lock(jp->work_dir, err);
        if (lock < 0) rc = lock;
    }
    if (job->dist) rc = dist_probe(jp->work_dir, rc, err);
    if (rc == 0 && rank == 0) rc = run_dist_unsynced(job, run_open_job(job, jp, t0, err), err);
    if (rc == 0 && rank > 0) rc = run_rank(job, jp, err);
    jobfile_unlock(lock);
    return rc;
}

int zest_run(const zest_config *cfg, const zest_run_options *opts, zest_run_summary **out,
             zest_error *err) {
    const double t0 = now_seconds();
    struct jobpaths jp;
    struct job job = {.cfg = cfg, .opts = opts};
    struct dist dist = {0};
    int rc;
    if (out) *out = NULL;
    if (!(job.sum = summary_new(cfg))) return err_set(err, ZEST_E_NOMEM, "out of memory");
    job.text_key = cfg->n_text_keys ? cfg->text_keys[0] : "text";
    job.batch_rows = cfg->arrow_batch_size > 0 ? cfg->arrow_batch_size : 1000;
    pthread_mutex_init(&job.mu, NULL);
    pthread_cond_init(&job.cv, NULL);
    progress_init(&job.progress, opts, &job.ev.counters, t0);
    rc = mpirt_init(err);
    if (rc == 0 && mpirt_distributed()) {
        dist.rank = mpirt_rank();
        dist.size = mpirt_size();
        job.dist = &dist;
        job.sum->rank = dist.rank;
    }
    if (rc == 0)
        rc = job.dist ? dist_identify(cfg, opts && opts->resume, &jp, &job.jobfile, &job.resuming,
                                      err)
                      : resume_identify(cfg, opts && opts->resume, &jp, &job.jobfile,
                                        &job.resuming, err);
    if (rc == 0) {
        run_summary_paths(job.sum, &jp);
        job.sum->resumed = job.resuming;
        job.sum->already_complete = job.resuming && job.jobfile.state == JOBFILE_COMPLETE;
        if (job.sum->already_complete && job.dist) mpirt_agreed();
        if (!job.sum->already_complete) rc = run_identified(&job, &jp, t0, err);
    }
    /* The ranks that began the work together end it together, with rank 0's status; a rank
     * that failed on its own leaves without (and the launcher ends the job). */
    const bool began = job.dist && dist.synced_plan && dist.began;
    if (began && (dist.rank == 0 || rc == 0)) rc = dist_end(rc, err);
    job.sum->quiet = job.dist && dist.rank > 0 && (rc == 0 || dist_status_shared());
    job.sum->seconds = now_seconds() - t0;
    if (!job.dist || dist.rank == 0)
        progress_final(&job.progress, job.sum, rc == 0 || rc == ZEST_E_PARTIAL);
    dist_free(&dist);
    job_free(&job);
    if (out)
        *out = job.sum;
    else
        zest_run_summary_destroy(job.sum);
    return rc;
}

void zest_run_summary_destroy(zest_run_summary *s) {
    if (!s) return;
    free(s->ops);
    free(s->bad);
    free(s->skipped);
    free(s);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * digest.h - one pass over a job's event log, kept as the facts the status report and the
 * performance summary are computed from: the runs of the job (a resume starts another), each
 * partition's latest state and figures, every attempt and every operator execution with its
 * times, checkpoint saves, and the periodic resource and throughput samples. Times are epoch
 * seconds as in the log. Owns everything it holds. Depends on common/, io/json.h and the
 * public event reader.
 */
#ifndef ZEST_DIGEST_H
#define ZEST_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zest.h"

/* Partition ids from 0 to this - 1 are reported on; an event naming another (a damaged log)
 * is passed over. */
#define DIGEST_MAX_PARTITIONS ((int64_t)1 << 20)
/* Likewise for worker and op indexes. */
#define DIGEST_MAX_WORKERS 4096

enum dg_part_state {
    DG_PENDING = 0,
    DG_RUNNING,
    DG_DONE,
    DG_RETRYING, /* an attempt failed, another follows */
    DG_FAILED,   /* an attempt failed and no retry or skip followed (the run failed) */
    DG_SKIPPED,
};

/* The state's name in reports: pending, running, done, retrying, failed, skipped. */
const char *digest_part_state_name(enum dg_part_state state);

/* One attempt at a partition: partition_start to partition_complete / partition_error. */
struct dg_attempt {
    int64_t partition;
    int attempt, worker, rank; /* rank: the MPI rank of the worker (0 for a local job) */
    double t0, t1; /* t1 0 while running */
    bool failed, skipped;
    double cpu_s;
};

/* One operator's execution on one partition (operation_start + operation_complete). */
struct dg_op_run {
    int64_t partition;
    int op, worker;
    double t0, seconds;
    int64_t rows_in, rows_out, bytes_in, bytes_out;
};

struct dg_part {
    enum dg_part_state state;
    bool seen, reused;
    int attempts, worker, rank;
    double t0, seconds, cpu_s; /* of the latest attempt */
    double op_s, ckpt_s;       /* summed over its attempts */
    int64_t rows_in, rows_out, bytes_in, bytes_out;
    char *error; /* the latest attempt's error */
};

/* A run of the job: processing_start to processing_complete / processing_error. */
struct dg_run {
    double t0, t1; /* t1: its end event, or its last event when it has none */
    bool ended, failed;
    int64_t skipped;
    char *error;
    double cpu_user_s, cpu_sys_s; /* the last resource sample of the run */
    int64_t bytes_read, bytes_written;
};

/* A global op's phases (barrier events: operation_complete with metadata.phase). */
struct dg_barrier {
    int op;
    double signature_s, combine_s, finalize_s;
    int64_t rows_in, rows_kept;
};

struct dg_sample {
    double t, rss_mb, peak_rss_mb;
};

struct dg_point {
    double t, rows_per_s, mb_per_s;
};

#define DG_VEC(T) \
    struct {      \
        T *v;     \
        size_t n, cap; \
    }

/* An MPI rank as its events show it. */
struct dg_rank {
    bool seen;
    char host[64];
};

struct digest {
    char *job_id;
    char *job_dir;
    int np;          /* workers of the latest run */
    int64_t planned; /* partitions in the plan (0 when no plan event was seen) */
    char **ops;      /* operator names of the latest run, in pipeline order */
    size_t n_ops;
    int64_t retries, ckpt_saves;
    double first_t, last_t;
    DG_VEC(struct dg_part) parts; /* indexed by partition id */
    DG_VEC(struct dg_attempt) attempts;
    DG_VEC(struct dg_op_run) op_runs;
    DG_VEC(struct dg_run) runs;
    DG_VEC(struct dg_sample) samples;
    DG_VEC(struct dg_point) points;
    DG_VEC(struct dg_barrier) barriers; /* in the order first seen */
    DG_VEC(struct dg_rank) ranks; /* indexed by rank */
    size_t skipped_lines; /* torn or malformed event lines */
    const char *state;    /* digest_state */
};

/* Reads the events of `job_dir` into `d`: a job directory (it holds events/), or a work
 * directory holding jobs, then its job whose log was written last. ZEST_E_NOTFOUND when
 * there is no event log. */
int digest_load(struct digest *d, const char *job_dir, zest_error *err);
void digest_free(struct digest *d);

/* The job's state: running (its run lock is held), complete, partial, failed, or
 * interrupted (its last run never ended and nobody runs it; what it left running is
 * pending again). */
const char *digest_state(const struct digest *d);

/* The latest run, or NULL when no run started. */
const struct dg_run *digest_last_run(const struct digest *d);

/* Seconds the job's runs took, summed (a resume's wait in between is not counted). */
double digest_run_seconds(const struct digest *d);

#endif

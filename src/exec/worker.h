/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker.h - one worker of a run and the job they share. A worker owns its arena, record
 * reader and pipeline (its own op instances) and runs whole partitions: lines of the
 * partition's byte range -> records -> batches -> ops -> JSONL, into the partition's slot.
 * With checkpoints the ops run in segments (see ckptrun.h): each segment reads the previous
 * one's committed checkpoint, and a partition starts from its latest valid checkpoint.
 * The job hands partitions out in order, at most `window` ahead of the merge, so memory stays
 * bounded by the partitions running ahead of the merge whatever the input size. Depends on exec/, io/, events/.
 */
#ifndef ZEST_WORKER_H
#define ZEST_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "../io/jsonl.h"
#include "ckptrun.h"
#include "faults.h"
#include "jobfile.h"
#include "outq.h"
#include "partplan.h"
#include "pipeline.h"
#include "progress.h"
#include "runevents.h"

/* One partition's result, waiting for the merge. */
struct part_slot {
    struct buf out;  /* its export lines not yet handed to the writer */
    int64_t rows_read, rows_out, bytes_read, bytes_out, bad;
    int64_t streamed;  /* bytes already handed to the writer (head partition) */
    int64_t skip;      /* of those, what a retry must not hand over again */
    int64_t bad_seen;  /* last line whose malformed record was reported (retries repeat) */
    int attempt;
    int status;      /* 0, or what ended it (ZEST_E_CANCELLED when stopped for another) */
    zest_error err;
    bool done;
    bool skipped;    /* failed for good under enable_fault_tolerance: not in the export */
    bool final_ckpt; /* its export lines are in the last op's checkpoint, `final` */
    bool reused;     /* complete in an earlier run: nothing was run */
    struct ckpt_record final;
};

/* What a segment reads: the partition's byte range of its source, or a checkpoint. */
struct seg_input {
    const char *path;
    int64_t start, end;
    int64_t first_line;
    bool source; /* the input: malformed records are reported, bytes and rows counted */
};

struct barrier; /* global operators (barrier.h) */

struct job {
    const struct zest_config *cfg;
    const zest_run_options *opts;
    zest_run_summary *sum;
    const char *text_key;
    int64_t batch_rows;
    struct partplan plan;
    struct part_slot *slots;
    struct runevents ev;
    struct faults faults;
    pthread_mutex_t mu; /* slots' done flags, next/merged, the malformed-record report */
    pthread_cond_t cv;
    size_t next, merged, window;
    /* The writer. The worker running partition `merged` (the next in export order) hands
     * its lines to it batch by batch instead of keeping them, so memory stays bounded by the
     * partitions running ahead of it. */
    struct outq *outq;
    struct ckpt_store *ckpt; /* NULL when no op is checkpointed */
    bool resuming;           /* this run continues an earlier run of the job */
    struct jobfile jobfile;
    enum ckpt_format ckpt_format;
    atomic_bool stop;
    struct progress progress; /* the on_progress ticker, reading ev.counters */
    struct barrier *barrier;  /* NULL when the config has no global op */
    struct dist *dist;        /* a run over several MPI ranks (dist.h); NULL when local */
};

struct worker {
    struct job *job;
    int index;
    pthread_t thread;
    bool started;
    struct arena arena;
    struct jsonl_reader reader;
    struct pipeline pipe;
    struct pipe_op *before; /* op counters when the current partition began */
    struct ckptrun ckpt;
    bool seg_last; /* the segment running ends with the last op: its rows are the output */
    char ckpt_path[1200];
    int64_t batches;
    struct buf sigs; /* a global op's signatures of the partition running */
};

int worker_init(struct worker *w, struct job *job, int index, zest_error *err);
void worker_destroy(struct worker *w);
/* The thread body: takes partitions until none is left or the job stops. */
void *worker_main(void *arg);

/* What worker_take_nowait returns when the next partition may not start yet (the window
 * ahead of the merge is full). */
#define WORKER_TAKE_WAIT (SIZE_MAX - 1)
/* The next partition to run, SIZE_MAX when there is none (or the job stops), or
 * WORKER_TAKE_WAIT; never blocks (the coordinator of a distributed run hands these out). */
size_t worker_take_nowait(struct job *job);
/* How partition p ended, in the progress counters (its slot filled). */
void worker_count_end(struct job *job, size_t p);

#endif

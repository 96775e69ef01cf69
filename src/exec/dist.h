/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dist.h - one job over several MPI ranks (docs/mpi.md). Rank 0 identifies the job, plans
 * it, merges and exports exactly as a local run; the other ranks run worker threads only.
 * Rank 0's coordinator thread hands partitions out one at a time to any rank's thread that
 * asks (in partition order, at most `window` ahead of the merge, as local threads take them)
 * and takes back each partition's result: its counts, status and export lines, or the
 * record of its last op's checkpoint. Checkpoints, manifests and the commit protocol are the
 * local ones, on a work dir that every rank shares (checked with probe files at the start).
 *
 * The ranks meet at fixed points, each a broadcast of rank 0's status: the job (identify),
 * the work dir (probe), the plan, and the end. A failure on rank 0 before the work begins is
 * broadcast and every rank returns it; a failure on another rank makes it leave without
 * agreement, and the MPI launcher then ends the whole job (as it does when a rank dies).
 * Depends on exec's worker, jobfile, jobpaths, resume and mpi_rt.
 */
#ifndef ZEST_DIST_H
#define ZEST_DIST_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "jobfile.h"
#include "jobpaths.h"
#include "worker.h"

struct dist {
    int rank, size;
    size_t threads;     /* this rank's worker threads */
    size_t worker_base; /* the job-wide index of this rank's first worker */
    size_t total_threads;
    bool synced_plan;   /* the plan's meeting point is behind */
    bool began;         /* ... and every rank went on to the work */
    /* rank 0: the coordinator */
    pthread_t coord;
    bool coord_started;
    int byes;           /* ranks whose threads have all ended */
    struct dist_ask *asks; /* threads waiting for a partition, first come first served */
    size_t n_asks, cap_asks;
    int64_t handouts, results;
    double service_s;   /* time the coordinator spent on messages (not waiting for them) */
    double service_cpu_s; /* the same in its thread's CPU time (not waiting for a core) */
    double held_s, held_max_s; /* how long asks waited for a partition (the window was full) */
    int rc;             /* the coordinator's own failure (MPI), else 0 */
    zest_error err;
    /* another rank: the sender thread, which returns results to rank 0 while the worker
     * that made one goes on with its next partition (one result in flight per worker) */
    pthread_t sender;
    bool sender_started, sender_closed;
    pthread_mutex_t out_mu;
    pthread_cond_t out_cv;
    size_t *outbox; /* per thread: the partition whose result waits to be sent, or SIZE_MAX */
    int out_rc;
    zest_error out_err;
    struct job *job;
};

/* The job (resume_identify on rank 0, the result on every rank). */
int dist_identify(const struct zest_config *cfg, bool resume, struct jobpaths *jp,
                  struct jobfile *jf, bool *found, zest_error *err);
/* The shared work dir check: every rank writes <work_dir>/.rank<k>.probe, rank 0 looks for
 * them all. `rc0` is rank 0's own status so far (its job lock): it travels with the verdict. */
int dist_probe(const char *work_dir, int rc0, zest_error *err);
/* The plan's meeting point: rank 0 passes its status and partition count, the others get
 * them. Returns the status (0: go on). */
int dist_sync_plan(struct dist *d, int rc, size_t *parts, zest_error *err);
/* Before the threads start: each rank's thread count, so workers get job-wide indexes. */
int dist_threads(struct dist *d, size_t threads, zest_error *err);
/* Rank 0: starts and joins the coordinator thread (join returns its failure, if any). */
int dist_coord_start(struct dist *d, struct job *job, zest_error *err);
int dist_coord_join(struct dist *d, zest_error *err);
/* A worker thread of another rank asks rank 0 for a partition (before it sends the result
 * of its last one, so that the answer is on its way meanwhile), then takes the answer: the
 * partition, or SIZE_MAX when none is left. */
int dist_ask(int thread, zest_error *err);
size_t dist_take(struct job *job, int thread);
/* A worker thread of another rank: partition p's result to rank 0 (its lines are freed). */
int dist_send_result(struct job *job, int thread, size_t p, zest_error *err);
/* Another rank: the sender thread. dist_post_result hands it partition p's result (waiting
 * while the thread's previous one is still being sent; 0, or the sender's failure);
 * dist_sender_stop sends what is left and joins it. */
int dist_sender_start(struct dist *d, struct job *job, zest_error *err);
int dist_post_result(struct job *job, int thread, size_t p);
int dist_sender_stop(struct dist *d, zest_error *err);
/* Another rank: all its threads have ended. */
int dist_bye(zest_error *err);
/* Sums the op counters of every rank into rank 0's summary. */
int dist_reduce_ops(zest_run_summary *s, zest_error *err);
/* The end: every rank returns rank 0's status and error. */
int dist_end(int rc, zest_error *err);
void dist_free(struct dist *d);
/* True when the status returned last came from a meeting: rank 0 reports it. */
bool dist_status_shared(void);

#endif

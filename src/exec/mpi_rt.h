/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mpi_rt.h - the only door to MPI. A process started by an MPI launcher (mpirun, srun: seen
 * in its environment before MPI is touched) joins MPI_COMM_WORLD at mpirt_init; any other
 * process, and every build without Open MPI's development files, is rank 0 of 1 and never
 * loads MPI at all. Every call is serialised by one mutex (MPI_THREAD_SERIALIZED), and every
 * wait polls with short sleeps instead of MPI's spinning progress loop: a rank waiting for
 * work or for the coordinator leaves its core to the threads that compute.
 * Depends on common/ (and mpi.h when built with ZEST_HAVE_MPI).
 */
#ifndef ZEST_MPI_RT_H
#define ZEST_MPI_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zest.h"

/* Joins MPI when launched by an MPI launcher (idempotent). Returns 0 or a status. */
int mpirt_init(zest_error *err);
int mpirt_rank(void);
int mpirt_size(void);
/* True when this process is one of several ranks. */
bool mpirt_distributed(void);
/* This rank's host name. */
const char *mpirt_host(void);
/* The ranks agreed on how the job ended: MPI_Finalize runs at exit. Without that call a
 * rank that leaves makes the launcher end the whole job. */
void mpirt_agreed(void);

/* Collectives (every rank calls them, in the same order). n bytes from rank `root`. */
int mpirt_bcast(void *buf, size_t n, int root, zest_error *err);
/* Each rank's n bytes into all (size * n bytes) on every rank. */
int mpirt_allgather(const void *mine, void *all, size_t n, zest_error *err);
/* Element-wise sum of n doubles into rank 0's `v`. */
int mpirt_reduce_sum(double *v, size_t n, zest_error *err);

/* Point to point. A message of n bytes to rank `dest` with tag `tag` (completes when sent). */
int mpirt_send(int dest, int tag, const void *buf, size_t n, zest_error *err);
/* 1 and *src, *tag, *n set when a message from `src` (-1: any) with `tag` (-1: any) waits;
 * 0 when none does. */
int mpirt_probe(int src, int tag, int *src_out, int *tag_out, size_t *n, zest_error *err);
/* Receives the message that mpirt_probe found (exactly n bytes) into buf. */
int mpirt_recv(int src, int tag, void *buf, size_t n, zest_error *err);
/* Waits (polling) for a message from src with tag, then receives it: at most cap bytes. */
int mpirt_recv_wait(int src, int tag, void *buf, size_t cap, size_t *n, zest_error *err);

/* Sleeps for the i-th idle round of a poll loop: short at first, then up to 1 ms. */
void mpirt_idle(unsigned i);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outq.h - a writer thread in front of the export's shardsink: the pipeline fills one buffer
 * while the thread writes (and compresses) the previous ones, so encoding and the kernel's copy
 * into the page cache overlap. Buffers go out strictly in the order they were submitted.
 * Depends on io/shardsink and common/.
 */
#ifndef ZEST_OUTQ_H
#define ZEST_OUTQ_H

#include <pthread.h>
#include <stdbool.h>

#include "../common/buf.h"
#include "../io/shardsink.h"

#define OUTQ_SLOTS 3

struct outq {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct shardsink *sink;
    struct buf slots[OUTQ_SLOTS];
    unsigned head;   /* next slot the writer takes */
    unsigned filled; /* slots waiting to be written */
    unsigned next;   /* next slot the producer fills */
    bool stop, started;
    int status;      /* first write error, sticky */
    zest_error err;
};

/* Starts the writer thread over `sink` (borrowed until outq_finish). */
int outq_start(struct outq *q, struct shardsink *sink, zest_error *err);
/* The buffer to fill next (empty); blocks while every slot is waiting to be written. */
struct buf *outq_acquire(struct outq *q);
/* Hands the buffer from outq_acquire to the writer. Returns the writer's first error, if any
 * happened so far (with err filled), else 0. */
int outq_submit(struct outq *q, zest_error *err);
/* Waits until everything submitted is written, stops the thread and frees the buffers.
 * Returns the first write error (err filled), else 0. Safe on a queue never started. */
int outq_finish(struct outq *q, zest_error *err);

#endif

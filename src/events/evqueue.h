/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evqueue.h - a single-producer single-consumer byte ring of variable-size records, the
 * per-thread event queue of the logger (evlog.c). One emitting thread reserves and commits
 * records; the logger's writer thread reads and pops them in order. Records larger than a
 * quarter of the ring travel as a malloc'd block whose pointer goes through the ring, so any
 * size fits. A full ring makes the producer wait (spin, then yield, then sleep) - it never
 * drops. Depends on libc and POSIX threads only.
 */
#ifndef ZEST_EVQUEUE_H
#define ZEST_EVQUEUE_H

#include <stddef.h>
#include <stdint.h>

struct evq;

/* Creates a ring of `cap` bytes (rounded up to a power of two, at least 4 KiB). `wake` (may
 * be NULL) is called by the producer when it finds the ring full, before it waits, so the
 * consumer can be woken early. Returns 0 or ZEST_E_NOMEM. */
int evq_create(size_t cap, void (*wake)(void *), void *wake_ctx, struct evq **out);
/* Frees the ring and any malloc'd records still in it; accepts NULL. No thread may use it. */
void evq_destroy(struct evq *q);

/* Producer: room for a record of n bytes (8-byte aligned), waiting while the ring is full.
 * Returns NULL only when a large record's malloc fails. Follow with evq_commit. */
void *evq_reserve(struct evq *q, size_t n);
/* Producer: publishes the record last reserved. */
void evq_commit(struct evq *q);
/* How many reservations had to wait for room (read from any thread). */
uint64_t evq_waits(const struct evq *q);

/* Consumer: the producer's position now; records published before it are readable. */
uint64_t evq_snapshot(const struct evq *q);
/* Consumer: the oldest record before position `limit` (*n its size), or NULL when none. The
 * record stays valid until evq_pop. */
const void *evq_front(struct evq *q, uint64_t limit, size_t *n);
/* Consumer: releases the record evq_front returned. */
void evq_pop(struct evq *q);

#endif

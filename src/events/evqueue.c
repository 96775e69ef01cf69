/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evqueue.c - the single-producer single-consumer record ring behind each emitting thread
 * (see evqueue.h). Positions are 64-bit byte counters that only grow; the producer owns
 * `head`, the consumer owns `tail`, and each publishes its counter with a release store that
 * the other reads with an acquire load - no lock, no syscall unless the ring is full. Each
 * record is an 8-byte header {len, kind} and its payload padded to 8 bytes; a record never
 * wraps: a PAD record fills the end of the ring instead. Calls libc and POSIX only.
 */
#include "evqueue.h"

#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zest.h"

enum { EVQ_INLINE = 1, EVQ_HEAP = 2, EVQ_PAD = 3 };
#define EVQ_HDR 8u

struct evq_hdr {
    uint32_t len; /* payload bytes (INLINE, HEAP) or bytes to skip (PAD) */
    uint32_t kind;
};

struct evq {
    /* producer side: one cache line of its own so the consumer's stores never bounce it */
    alignas(64) atomic_uint_fast64_t head;
    uint64_t tail_seen; /* the consumer's tail as last read: a stale value is only pessimistic */
    uint64_t res_pos;   /* where the reserved record's header goes */
    uint32_t res_len, res_kind;
    void *res_heap;
    atomic_uint_fast64_t waits;
    void (*wake)(void *);
    void *wake_ctx;
    /* consumer side */
    alignas(64) atomic_uint_fast64_t tail;
    uint64_t cur_span;
    void *cur_heap;
    /* shared, read-only after creation */
    alignas(64) char *data;
    size_t cap;
};

static inline uint64_t evq_round8(uint64_t n) {
    return (n + 7) & ~(uint64_t)7;
}

static inline void evq_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

int evq_create(size_t cap, void (*wake)(void *), void *wake_ctx, struct evq **out) {
    size_t c = 4096;
    while (c < cap && c < ((size_t)1 << 40))
        c <<= 1;
    struct evq *q = aligned_alloc(64, sizeof *q);
    char *data = malloc(c);
    if (!q || !data) {
        free(q);
        free(data);
        return ZEST_E_NOMEM;
    }
    memset(q, 0, sizeof *q);
    atomic_init(&q->head, 0);
    atomic_init(&q->tail, 0);
    atomic_init(&q->waits, 0);
    q->data = data;
    q->cap = c;
    q->wake = wake;
    q->wake_ctx = wake_ctx;
    *out = q;
    return 0;
}

void evq_destroy(struct evq *q) {
    if (!q) return;
    size_t n;
    const uint64_t limit = evq_snapshot(q);
    while (evq_front(q, limit, &n))
        evq_pop(q); /* frees malloc'd records still queued */
    free(q->data);
    free(q);
}

/* Waits until `need` bytes are free past `head`: spin briefly (the writer usually frees room
 * within microseconds), then yield, then sleep so a stalled writer does not burn a core.
 * Once the ring was full it waits for half of it to drain: one wait then covers thousands
 * of events, instead of the producer and the writer taking turns event by event. */
static void evq_wait_room(struct evq *q, uint64_t head, uint64_t need) {
    if (need < q->cap / 2) need = q->cap / 2;
    atomic_store_explicit(&q->waits, atomic_load_explicit(&q->waits, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    for (unsigned i = 0;; i++) {
        if (q->wake && i % 256 == 0) q->wake(q->wake_ctx);
        q->tail_seen = atomic_load_explicit(&q->tail, memory_order_acquire);
        if (q->cap - (head - q->tail_seen) >= need) return;
        if (i < 64) {
            evq_cpu_relax();
        } else if (i < 128) {
            sched_yield();
        } else {
            const struct timespec ts = {0, 50000};
            nanosleep(&ts, NULL);
        }
    }
}

/* Makes room for a record spanning `span` bytes; returns the position of its header. */
static uint64_t evq_room(struct evq *q, uint64_t span) {
    const uint64_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    const uint64_t off = head & (q->cap - 1);
    const uint64_t pad = off + span > q->cap ? q->cap - off : 0;
    if (q->cap - (head - q->tail_seen) < pad + span) {
        q->tail_seen = atomic_load_explicit(&q->tail, memory_order_acquire);
        if (q->cap - (head - q->tail_seen) < pad + span) evq_wait_room(q, head, pad + span);
    }
    if (pad) {
        const struct evq_hdr h = {(uint32_t)pad, EVQ_PAD};
        memcpy(q->data + off, &h, sizeof h);
    }
    return head + pad;
}

void *evq_reserve(struct evq *q, size_t n) {
    if (n > q->cap / 4) {
        /* Too big to share the ring fairly: the record lives on the heap, its pointer in the
         * ring, so FIFO order still holds. */
        void *m = malloc(n ? n : 1);
        if (!m) return NULL;
        q->res_pos = evq_room(q, EVQ_HDR + sizeof m);
        q->res_len = (uint32_t)n;
        q->res_kind = EVQ_HEAP;
        q->res_heap = m;
        return m;
    }
    q->res_pos = evq_room(q, EVQ_HDR + evq_round8(n));
    q->res_len = (uint32_t)n;
    q->res_kind = EVQ_INLINE;
    return q->data + (q->res_pos & (q->cap - 1)) + EVQ_HDR;
}

void evq_commit(struct evq *q) {
    char *at = q->data + (q->res_pos & (q->cap - 1));
    const struct evq_hdr h = {q->res_len, q->res_kind};
    memcpy(at, &h, sizeof h);
    uint64_t span = EVQ_HDR + evq_round8(q->res_len);
    if (q->res_kind == EVQ_HEAP) {
        memcpy(at + EVQ_HDR, &q->res_heap, sizeof q->res_heap);
        span = EVQ_HDR + sizeof q->res_heap;
    }
    atomic_store_explicit(&q->head, q->res_pos + span, memory_order_release);
}

uint64_t evq_waits(const struct evq *q) {
    return atomic_load_explicit(&((struct evq *)q)->waits, memory_order_relaxed);
}

uint64_t evq_snapshot(const struct evq *q) {
    return atomic_load_explicit(&((struct evq *)q)->head, memory_order_acquire);
}

const void *evq_front(struct evq *q, uint64_t limit, size_t *n) {
    for (;;) {
        const uint64_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
        if (tail >= limit) return NULL;
        const char *at = q->data + (tail & (q->cap - 1));
        struct evq_hdr h;
        memcpy(&h, at, sizeof h);
        if (h.kind == EVQ_PAD) {
            atomic_store_explicit(&q->tail, tail + h.len, memory_order_release);
            continue;
        }
        *n = h.len;
        if (h.kind == EVQ_HEAP) {
            memcpy(&q->cur_heap, at + EVQ_HDR, sizeof q->cur_heap);
            q->cur_span = EVQ_HDR + sizeof q->cur_heap;
            return q->cur_heap;
        }
        q->cur_heap = NULL;
        q->cur_span = EVQ_HDR + evq_round8(h.len);
        return at + EVQ_HDR;
    }
}

void evq_pop(struct evq *q) {
    free(q->cur_heap);
    q->cur_heap = NULL;
    const uint64_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    atomic_store_explicit(&q->tail, tail + q->cur_span, memory_order_release);
}

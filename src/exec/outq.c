/* SPDX-License-Identifier: Apache-2.0 */
/* outq.c - the writer thread behind the export sink (see outq.h). */
#include "outq.h"

#include <string.h>

#include "../common/err.h"

#define OUTQ_KEEP_BYTES ((size_t)16 << 20)

static void *writer_main(void *arg) {
    struct outq *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->filled && !q->stop) pthread_cond_wait(&q->cv, &q->mu);
        if (!q->filled) break;
        struct buf *b = &q->slots[q->head];
        const int failed = q->status != 0;
        pthread_mutex_unlock(&q->mu);
        zest_error e;
        zest_error_clear(&e);
        const int rc = failed ? 0 : shardsink_write(q->sink, b->data, b->len, &e);
        pthread_mutex_lock(&q->mu);
        if (rc && !q->status) {
            q->status = rc;
            q->err = e;
        }
        /* A slot that carried a whole partition gives its memory back: kept, three of them
         * would hold three partitions' worth for the rest of the run. */
        if (b->cap > OUTQ_KEEP_BYTES)
            buf_free(b);
        else
            buf_clear(b);
        q->head = (q->head + 1) % OUTQ_SLOTS;
        q->filled--;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int outq_start(struct outq *q, struct shardsink *sink, zest_error *err) {
    memset(q, 0, sizeof *q);
    for (int i = 0; i < OUTQ_SLOTS; i++) buf_init(&q->slots[i], 0);
    q->sink = sink;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    if (pthread_create(&q->thread, NULL, writer_main, q) != 0)
        return err_set(err, ZEST_E_INTERNAL, "cannot start the output writer thread");
    q->started = true;
    return 0;
}

struct buf *outq_acquire(struct outq *q) {
    pthread_mutex_lock(&q->mu);
    while (q->filled == OUTQ_SLOTS) pthread_cond_wait(&q->cv, &q->mu);
    struct buf *b = &q->slots[q->next];
    pthread_mutex_unlock(&q->mu);
    return b;
}

int outq_submit(struct outq *q, zest_error *err) {
    pthread_mutex_lock(&q->mu);
    q->next = (q->next + 1) % OUTQ_SLOTS;
    q->filled++;
    const int rc = q->status;
    if (rc && err) *err = q->err;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

int outq_finish(struct outq *q, zest_error *err) {
    if (!q->started) return 0;
    pthread_mutex_lock(&q->mu);
    q->stop = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    q->started = false;
    const int rc = q->status;
    if (rc && err) *err = q->err;
    for (int i = 0; i < OUTQ_SLOTS; i++) buf_free(&q->slots[i]);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    return rc;
}

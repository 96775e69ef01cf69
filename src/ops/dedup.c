/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dedup.c - the process() every deduplicator shares (signatures in the signature phase, the
 * stored decision in the apply phase), the smallest-root union-find and the thread helper
 * (see dedup.h and op.h). Depends on common/ and ops/op.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "dedup.h"

static int dedup_signatures(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct dedup_desc *d = ctx->dedup->desc;
    const size_t size = d->sig_size(state);
    const struct column *text = &ctx->in->cols[ctx->text_col];
    struct buf *out = ctx->dedup->sigs;
    if (buf_reserve(out, size * (size_t)ctx->in->length))
        return err_set(err, ZEST_E_NOMEM, "out of memory for %lld signatures",
                       (long long)ctx->in->length);
    for (int64_t r = 0; r < ctx->in->length; r++) {
        size_t n = 0;
        const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
        const int rc = d->signature(state, t, n, (unsigned char *)out->data + out->len);
        if (rc) return err_set(err, rc, "computing a signature: %s", zest_strerror(rc));
        out->len += size;
    }
    ctx->dedup->seq += ctx->in->length;
    return 0;
}

static int dedup_apply(struct op_ctx *ctx, zest_error *err) {
    struct dedup_run *run = ctx->dedup;
    if (run->seq + ctx->in->length > run->n_keep)
        return err_set(err, ZEST_E_FORMAT,
                       "the stored decision has %lld rows for this partition, but row %lld "
                       "reached the op: the rows before it changed since it was made",
                       (long long)run->n_keep, (long long)(run->seq + ctx->in->length));
    for (int64_t r = 0; r < ctx->in->length; r++) {
        const int64_t i = run->seq + r;
        if (!((run->keep[i >> 3] >> (i & 7)) & 1)) sel_drop(ctx->sel, r);
    }
    run->seq += ctx->in->length;
    return 0;
}

int dedup_process(void *state, struct op_ctx *ctx, zest_error *err) {
    if (!ctx->dedup || ctx->dedup->mode == DEDUP_OFF || !ctx->dedup->desc)
        return err_set(err, ZEST_E_INTERNAL, "a deduplicator ran outside the executor's barrier");
    if (ctx->dedup->mode == DEDUP_SIGNATURE) return dedup_signatures(state, ctx, err);
    return dedup_apply(ctx, err);
}

int dedup_uf_init(struct dedup_uf *u, int64_t n) {
    u->n = n;
    u->parent = malloc((size_t)(n ? n : 1) * sizeof *u->parent);
    if (!u->parent) return ZEST_E_NOMEM;
    for (int64_t i = 0; i < n; i++)
        u->parent[i] = (uint32_t)i;
    return 0;
}

void dedup_uf_free(struct dedup_uf *u) {
    free(u->parent);
    u->parent = NULL;
}

uint32_t dedup_uf_find(struct dedup_uf *u, uint32_t x) {
    uint32_t r = x;
    while (u->parent[r] != r)
        r = u->parent[r];
    while (u->parent[x] != r) { /* path compression */
        const uint32_t next = u->parent[x];
        u->parent[x] = r;
        x = next;
    }
    return r;
}

void dedup_uf_union(struct dedup_uf *u, uint32_t x, uint32_t y) {
    const uint32_t a = dedup_uf_find(u, x), b = dedup_uf_find(u, y);
    if (a < b)
        u->parent[b] = a;
    else if (b < a)
        u->parent[a] = b;
}

void dedup_uf_merge(struct dedup_uf *into, struct dedup_uf *from) {
    for (int64_t i = 0; i < from->n; i++) {
        const uint32_t r = dedup_uf_find(from, (uint32_t)i);
        if (r != (uint32_t)i) dedup_uf_union(into, (uint32_t)i, r);
    }
}

void dedup_uf_keep(struct dedup_uf *u, uint8_t *keep) {
    for (int64_t i = 0; i < u->n; i++)
        if (dedup_uf_find(u, (uint32_t)i) == (uint32_t)i) keep[i >> 3] |= (uint8_t)(1u << (i & 7));
}

struct dedup_job {
    int (*fn)(void *, int);
    void *user;
    int t, n, step, rc;
};

static void *dedup_thread(void *arg) {
    struct dedup_job *j = arg;
    for (int t = j->t; t < j->n && !j->rc; t += j->step)
        j->rc = j->fn(j->user, t);
    return NULL;
}

int dedup_parallel(int threads, int n, int (*fn)(void *user, int t), void *user) {
    if (threads < 1) threads = 1;
    if (threads > n) threads = n;
    if (threads > 64) threads = 64;
    struct dedup_job jobs[64];
    pthread_t tid[64];
    bool started[64] = {false};
    for (int i = 0; i < threads; i++) {
        jobs[i] = (struct dedup_job){.fn = fn, .user = user, .t = i, .n = n, .step = threads};
        if (i > 0) started[i] = pthread_create(&tid[i], NULL, dedup_thread, &jobs[i]) == 0;
    }
    /* The calling thread takes stripe 0, and the stripe of any thread that could not start. */
    for (int i = 0; i < threads; i++)
        if (i == 0 || !started[i]) dedup_thread(&jobs[i]);
    int rc = 0;
    for (int i = 0; i < threads; i++) {
        if (i > 0 && started[i]) pthread_join(tid[i], NULL);
        if (!rc) rc = jobs[i].rc;
    }
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* pipeline.c - the op loop over one batch (see pipeline.h). */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/err.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int pipeline_init(struct pipeline *p, const struct zest_config *cfg, zest_error *err) {
    memset(p, 0, sizeof *p);
    p->failed_op = -1;
    p->ops = calloc(cfg->n_ops ? cfg->n_ops : 1, sizeof *p->ops);
    if (!p->ops) return err_set(err, ZEST_E_NOMEM, "out of memory");
    for (size_t i = 0; i < cfg->n_ops; i++) {
        struct pipe_op *op = &p->ops[i];
        op->desc = cfg->ops[i].desc;
        op->state = calloc(1, op->desc->state_size ? op->desc->state_size : 1);
        if (!op->state) return err_set(err, ZEST_E_NOMEM, "out of memory");
        op->dedup.desc = op->desc->dedup;
        p->n_ops = i + 1;
        if (op->desc->init) {
            const int rc = op->desc->init(op->state, &cfg->ops[i].params, err);
            if (rc) {
                err_prefix(err, "op %s", op->desc->info.name);
                err_set_op(err, op->desc->info.name);
                return rc;
            }
        }
    }
    p->op_to = p->n_ops;
    return 0;
}

void pipeline_destroy(struct pipeline *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n_ops; i++) {
        if (p->ops[i].desc->destroy) p->ops[i].desc->destroy(p->ops[i].state);
        free(p->ops[i].state);
    }
    free(p->ops);
    for (size_t i = 0; i < p->pool.n; i++) colb_destroy(&p->pool.b[i]);
    free(p->pool.b);
    sel_free(&p->sel);
    free(p->cols);
    free(p->perm);
    memset(p, 0, sizeof *p);
}

/* A builder of `type` from the pool; builders are retyped as needed (compaction of nested
 * types makes its own children). */
static struct col_builder *pool_take(struct pipe_pool *pool, enum col_type type) {
    if (pool->used == pool->n) {
        struct col_builder *b = realloc(pool->b, (pool->n + 8) * sizeof *b);
        if (!b) return NULL;
        pool->b = b;
        for (size_t i = pool->n; i < pool->n + 8; i++) colb_init(&pool->b[i], COL_NULL, false, 0);
        pool->n += 8;
    }
    struct col_builder *b = &pool->b[pool->used++];
    if (b->type != type || type == COL_STRUCT || type == COL_LIST) {
        colb_destroy(b);
        colb_init(b, type, false, 0);
    } else {
        colb_reset(b);
    }
    return b;
}

static int set_input(struct pipeline *p, const struct batch *in, const uint16_t *const *perm,
                     const char *text_key, struct arena *arena) {
    if (in->n_cols > p->cap_cols) {
        struct column *c = realloc(p->cols, in->n_cols * sizeof *c);
        if (!c) return ZEST_E_NOMEM;
        p->cols = c;
        p->cap_cols = in->n_cols;
    }
    if ((size_t)in->length > p->cap_perm || !p->perm) {
        const size_t cap = (size_t)in->length + 1;
        const uint16_t **pp = realloc(p->perm, cap * sizeof *pp);
        if (!pp) return ZEST_E_NOMEM;
        p->perm = pp;
        p->cap_perm = cap;
    }
    memcpy(p->cols, in->cols, in->n_cols * sizeof *p->cols);
    for (int64_t r = 0; r < in->length; r++) p->perm[r] = perm ? perm[r] : NULL;
    p->cur = (struct batch){.length = in->length, .n_cols = in->n_cols, .cols = p->cols,
                            .names = in->names};
    p->text_col = batch_find(in, text_key);
    p->stats_col = batch_find(in, OP_STATS_FIELD);
    p->pool.used = 0;
    stats_view_init(&p->stats, arena, in->length);
    if (p->stats_col < 0 || p->cols[p->stats_col].type != COL_STRUCT) return 0;
    const struct column *s = &p->cols[p->stats_col];
    for (size_t i = 0; i < s->n_children; i++) {
        struct column child = col_slice(&s->children[i], s->offset, s->length);
        ZEST_TRY(stats_view_add(&p->stats, s->child_names[i], &child));
    }
    return 0;
}

static int compact_column(struct pipeline *p, struct column *c) {
    struct col_builder *b = pool_take(&p->pool, c->type);
    if (!b) return ZEST_E_NOMEM;
    ZEST_TRY(col_compact(c, &p->sel, b));
    return colb_finish(b, c);
}

/* Applies the filter's selection to every column, the stats and the key orders: once per
 * op, not per sample. */
static int compact(struct pipeline *p) {
    for (size_t i = 0; i < p->cur.n_cols; i++) ZEST_TRY(compact_column(p, &p->cols[i]));
    for (size_t i = 0; i < p->stats.n; i++) ZEST_TRY(compact_column(p, &p->stats.cols[i]));
    int64_t w = 0;
    for (int64_t r = 0; r < p->cur.length; r++)
        if ((p->sel.bits[r >> 3] >> (r & 7)) & 1) p->perm[w++] = p->perm[r];
    p->cur.length = w;
    p->stats.rows = w;
    return 0;
}

static int run_op(struct pipeline *p, struct pipe_op *op, struct arena *arena, zest_error *err) {
    struct op_ctx ctx = {.in = &p->cur, .text_col = p->text_col, .arena = arena,
                         .stats = &p->stats, .dedup = &op->dedup};
    const int is_filter = op->desc->info.kind != ZEST_OP_MAPPER; /* deduplicators select too */
    ZEST_TRY(sel_reset(&p->sel, p->cur.length));
    ctx.sel = &p->sel;
    if (!is_filter && !(ctx.text_out = pool_take(&p->pool, COL_UTF8))) return ZEST_E_NOMEM;
    int rc = faults_before_op(p->faults, op->desc->info.name, p->partition, err);
    if (rc == 0) rc = op->desc->process(op->state, &ctx, err);
    if (rc) {
        err_set_op(err, op->desc->info.name);
        return rc;
    }
    if (ctx.text_replaced) ZEST_TRY(colb_finish(ctx.text_out, &p->cols[p->text_col]));
    if (is_filter) ZEST_TRY(stats_view_commit(&p->stats));
    if (p->sel.kept < p->cur.length) ZEST_TRY(compact(p));
    return 0;
}

/* Bytes of the text column: what an op reads and writes. */
static int64_t text_bytes(const struct pipeline *p) {
    if (p->text_col < 0 || !p->cur.length) return 0;
    const struct column *c = &p->cols[p->text_col];
    return c->offsets[c->offset + p->cur.length] - c->offsets[c->offset];
}

int pipeline_run_batch(struct pipeline *p, const struct batch *in, const uint16_t *const *perm,
                       const char *text_key, struct arena *arena, zest_error *err) {
    p->failed_op = -1;
    ZEST_TRY(set_input(p, in, perm, text_key, arena));
    if (p->text_col < 0) return p->cur.length ? ZEST_E_INTERNAL : 0;
    for (size_t i = p->op_from; i < p->op_to && i < p->n_ops; i++) {
        struct pipe_op *op = &p->ops[i];
        const double t0 = now_seconds();
        op->rows_in += p->cur.length;
        op->bytes_in += text_bytes(p);
        int rc = run_op(p, op, arena, err);
        if (rc == 0 && p->after_op) rc = p->after_op(p->after_op_user, i, p, err);
        if (rc) {
            p->failed_op = (int)i;
            return rc;
        }
        op->rows_out += p->cur.length;
        op->bytes_out += text_bytes(p);
        op->seconds += now_seconds() - t0;
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_load.c - reading fastText's binary model format (version 11 and 12): the args, the
 * dictionary (words and labels with counts, the pruned n-gram index), then the input and
 * output matrices, each dense or product-quantized. Every read is bounds-checked against the
 * file; sizes are checked against each other before anything is allocated from them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "../common/fsutil.h"
#include "ft_internal.h"

#define FT_MAGIC 793712314
#define FT_VERSION 12
#define FT_MAX_DIM 4096
#define FT_MAX_ROWS ((int64_t)1 << 31)

/* A bounds-checked reader over the file's bytes; the first failure sticks. */
struct ft_cur {
    const unsigned char *p;
    size_t n, at;
    const char *path;
    zest_error *err;
    int rc;
};

static int ft_bad(struct ft_cur *c, const char *what) {
    if (!c->rc)
        c->rc = err_set_at(c->err, ZEST_E_FORMAT, c->path, 0, (int64_t)c->at,
                           "not a fastText model (or damaged): %s", what);
    return c->rc;
}

static bool ft_take(struct ft_cur *c, void *dst, size_t n, const char *what) {
    if (c->rc) return false;
    if (n > c->n - c->at) {
        ft_bad(c, what);
        return false;
    }
    memcpy(dst, c->p + c->at, n);
    c->at += n;
    return true;
}

static int32_t ft_i32(struct ft_cur *c, const char *what) {
    int32_t v = 0;
    ft_take(c, &v, sizeof v, what);
    return v;
}

static int64_t ft_i64(struct ft_cur *c, const char *what) {
    int64_t v = 0;
    ft_take(c, &v, sizeof v, what);
    return v;
}

static uint8_t ft_u8(struct ft_cur *c, const char *what) {
    uint8_t v = 0;
    ft_take(c, &v, 1, what);
    return v;
}

/* n elements of `size` bytes into a new array (NULL after a failure). */
static void *ft_array(struct ft_cur *c, int64_t n, size_t size, const char *what) {
    if (c->rc) return NULL;
    if (n < 0 || (uint64_t)n > (c->n - c->at) / size) {
        ft_bad(c, what);
        return NULL;
    }
    void *v = malloc(n ? (size_t)n * size : 1);
    if (!v) {
        c->rc = err_set(c->err, ZEST_E_NOMEM, "%s: out of memory", c->path);
        return NULL;
    }
    ft_take(c, v, (size_t)n * size, what);
    return v;
}

/* ------------------------------------------------------------------------------- args */

static void ft_read_args(struct ft_cur *c, struct ft_model *m) {
    int32_t *f[] = {&m->dim,   &m->ws,    &m->epoch, &m->min_count, &m->neg, &m->word_ngrams,
                    &m->loss,  &m->model, &m->bucket, &m->minn,     &m->maxn};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) *f[i] = ft_i32(c, "truncated args");
    (void)ft_i32(c, "truncated args"); /* lrUpdateRate */
    double t;
    ft_take(c, &t, sizeof t, "truncated args");
    if (c->rc) return;
    if (m->dim < 1 || m->dim > FT_MAX_DIM) ft_bad(c, "dim out of range");
    else if (m->model != 3) ft_bad(c, "not a supervised model (only those predict labels)");
    else if (m->loss < FT_LOSS_HS || m->loss > FT_LOSS_OVA) ft_bad(c, "unknown loss");
    else if (m->bucket < 0 || m->minn < 0 || m->maxn < 0 || m->maxn > 64 || m->word_ngrams < 1)
        ft_bad(c, "bucket, minn, maxn or wordNgrams out of range");
}

/* ------------------------------------------------------------------------- dictionary */

static void ft_read_entries(struct ft_cur *c, struct ft_model *m) {
    const size_t start = c->at;
    for (int32_t i = 0; i < m->size && !c->rc; i++) { /* first pass: find the strings' end */
        const unsigned char *z = memchr(c->p + c->at, 0, c->n - c->at);
        if (!z) ft_bad(c, "truncated dictionary word");
        else c->at = (size_t)(z - c->p) + 1 + 9;
        if (c->at > c->n) ft_bad(c, "truncated dictionary entry");
    }
    if (c->rc) return;
    m->strings = malloc(c->at - start);
    m->entries = calloc((size_t)m->size ? (size_t)m->size : 1, sizeof *m->entries);
    if (!m->strings || !m->entries) {
        c->rc = err_set(c->err, ZEST_E_NOMEM, "%s: out of memory", c->path);
        return;
    }
    memcpy(m->strings, c->p + start, c->at - start);
    size_t at = 0;
    int32_t words = 0, labels = 0;
    for (int32_t i = 0; i < m->size; i++) {
        struct ft_entry_rec *e = &m->entries[i];
        e->word = m->strings + at;
        e->len = (uint32_t)strlen(e->word);
        at += e->len + 1;
        memcpy(&e->count, m->strings + at, 8);
        e->type = (int8_t)m->strings[at + 8];
        at += 9;
        words += e->type == FT_WORD;
        labels += e->type == FT_LABEL;
    }
    if (words != m->nwords || labels != m->nlabels || words + labels != m->size)
        ft_bad(c, "dictionary counts do not match its entries");
    for (int32_t i = 0; i < m->size && !c->rc; i++)
        if ((i < m->nwords) != (m->entries[i].type == FT_WORD))
            ft_bad(c, "dictionary words and labels out of order");
}

static void ft_read_dict(struct ft_cur *c, struct ft_model *m) {
    m->size = ft_i32(c, "truncated dictionary");
    m->nwords = ft_i32(c, "truncated dictionary");
    m->nlabels = ft_i32(c, "truncated dictionary");
    m->ntokens = ft_i64(c, "truncated dictionary");
    m->pruneidx_size = ft_i64(c, "truncated dictionary");
    if (c->rc) return;
    if (m->size < 1 || m->nwords < 0 || m->nlabels < 1 || m->pruneidx_size < -1 ||
        m->pruneidx_size > FT_MAX_ROWS)
        ft_bad(c, "dictionary sizes out of range");
    ft_read_entries(c, m);
    if (c->rc || m->pruneidx_size <= 0) return;
    int32_t *pairs = ft_array(c, m->pruneidx_size * 2, sizeof(int32_t), "truncated pruned index");
    if (!pairs) return;
    m->prune_from = malloc((size_t)m->pruneidx_size * sizeof(int32_t));
    m->prune_to = malloc((size_t)m->pruneidx_size * sizeof(int32_t));
    if (m->prune_from && m->prune_to)
        for (int64_t i = 0; i < m->pruneidx_size; i++) {
            m->prune_from[i] = pairs[2 * i];
            m->prune_to[i] = pairs[2 * i + 1];
        }
    else c->rc = err_set(c->err, ZEST_E_NOMEM, "%s: out of memory", c->path);
    free(pairs);
}

/* --------------------------------------------------------------------------- matrices */

static void ft_read_pq(struct ft_cur *c, struct ft_pq *pq, int64_t dim) {
    pq->dim = ft_i32(c, "truncated quantizer");
    pq->nsubq = ft_i32(c, "truncated quantizer");
    pq->dsub = ft_i32(c, "truncated quantizer");
    pq->lastdsub = ft_i32(c, "truncated quantizer");
    if (c->rc) return;
    if (pq->dim != dim || pq->nsubq < 1 || pq->dsub < 1 || pq->lastdsub < 1 ||
        (int64_t)(pq->nsubq - 1) * pq->dsub + pq->lastdsub != dim)
        ft_bad(c, "quantizer shape does not match the matrix");
    else pq->centroids = ft_array(c, (int64_t)dim * FT_KSUB, sizeof(float), "truncated centroids");
}

static void ft_read_quant(struct ft_cur *c, struct ft_matrix *x) {
    x->quant = true;
    x->qnorm = ft_u8(c, "truncated matrix") != 0;
    x->m = ft_i64(c, "truncated matrix");
    x->n = ft_i64(c, "truncated matrix");
    const int32_t codesize = ft_i32(c, "truncated matrix");
    if (c->rc) return;
    if (x->m < 1 || x->m > FT_MAX_ROWS || x->n < 1 || x->n > FT_MAX_DIM || codesize < 0) {
        ft_bad(c, "matrix shape out of range");
        return;
    }
    x->codes = ft_array(c, codesize, 1, "truncated codes");
    ft_read_pq(c, &x->pq, x->n);
    if (!c->rc && (int64_t)codesize != x->m * x->pq.nsubq) ft_bad(c, "code size does not match");
    if (!x->qnorm) return;
    x->norm_codes = ft_array(c, x->m, 1, "truncated norm codes");
    ft_read_pq(c, &x->npq, 1);
}

static void ft_read_dense(struct ft_cur *c, struct ft_matrix *x) {
    x->m = ft_i64(c, "truncated matrix");
    x->n = ft_i64(c, "truncated matrix");
    if (c->rc) return;
    if (x->m < 1 || x->m > FT_MAX_ROWS || x->n < 1 || x->n > FT_MAX_DIM) {
        ft_bad(c, "matrix shape out of range");
        return;
    }
    x->data = ft_array(c, x->m * x->n, sizeof(float), "truncated matrix data");
}

static void ft_read_matrices(struct ft_cur *c, struct ft_model *m) {
    const bool quant_input = ft_u8(c, "truncated model") != 0;
    if (quant_input) ft_read_quant(c, &m->input);
    else ft_read_dense(c, &m->input);
    if (!quant_input && m->pruneidx_size >= 0 && !c->rc) ft_bad(c, "a pruned model must be quantized");
    const bool qout = ft_u8(c, "truncated model") != 0;
    if (quant_input && qout) ft_read_quant(c, &m->output);
    else ft_read_dense(c, &m->output);
    if (c->rc) return;
    const int64_t ngram_rows = m->pruneidx_size >= 0 ? m->pruneidx_size : m->bucket;
    if (m->input.n != m->dim || m->output.n != m->dim) ft_bad(c, "matrix width is not dim");
    else if (m->input.m < m->nwords + ngram_rows) ft_bad(c, "input matrix has too few rows");
    else if (m->output.m != m->nlabels) ft_bad(c, "output matrix rows are not the labels");
    else if (c->at != c->n) ft_bad(c, "bytes after the output matrix");
}

/* ------------------------------------------------------------------------------- load */

static int ft_parse(struct ft_model *m, const unsigned char *p, size_t n, zest_error *err) {
    struct ft_cur c = {.p = p, .n = n, .path = m->path, .err = err};
    const int32_t magic = ft_i32(&c, "too short"), version = ft_i32(&c, "too short");
    if (!c.rc && magic != FT_MAGIC) ft_bad(&c, "wrong magic number");
    if (!c.rc && (version < 11 || version > FT_VERSION)) ft_bad(&c, "unsupported version");
    ft_read_args(&c, m);
    if (!c.rc && version == 11) m->maxn = 0; /* version 11 supervised models had no subwords */
    ft_read_dict(&c, m);
    ft_read_matrices(&c, m);
    return c.rc;
}

void ft_free(struct ft_model *m) {
    if (!m) return;
    struct ft_matrix *mats[] = {&m->input, &m->output};
    for (size_t i = 0; i < 2; i++) {
        free(mats[i]->data);
        free(mats[i]->codes);
        free(mats[i]->norm_codes);
        free(mats[i]->pq.centroids);
        free(mats[i]->npq.centroids);
    }
    free(m->entries);
    free(m->strings);
    free(m->prune_from);
    free(m->prune_to);
    free(m->word_slots);
    free(m->sub_start);
    free(m->sub_rows);
    free(m->kept_bits);
    free(m->kept_keys);
    free(m->kept_vals);
    free(m->rows);
    free(m->word_vecs);
    free(m->word_rows);
    free(m->tree);
    free(m->path);
    free(m);
}

int ft_load(const char *path, struct ft_model **out, zest_error *err) {
    *out = NULL;
    struct ft_model *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(path))) {
        free(m);
        return err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
    }
    struct buf b;
    buf_init(&b, 0);
    int rc = fsutil_read_file(path, &b, err);
    if (rc == 0) rc = ft_parse(m, (const unsigned char *)b.data, b.len, err);
    buf_free(&b);
    if (rc == 0) rc = ft_tables_build(m, err);
    if (rc) ft_free(m);
    else *out = m;
    return rc;
}

int ft_label_count(const struct ft_model *m) { return m->nlabels; }

const char *ft_label(const struct ft_model *m, int label) {
    return m->entries[m->nwords + label].word;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_predict.c - one line of text to its k best labels, as fastText 0.9 computes them: the
 * line's tokens (split on fastText's seven separators, ended by "</s>"), each word's rows
 * (its own and its char n-grams; n-grams only for a word not in the dictionary), word
 * n-gram rows, their average, then the loss's scores and a top-k by log-probability. Float
 * operations follow fastText's, except that a word's rows are summed before they join the
 * line's sum (docs/fasttext.md): probabilities agree to about 1e-6.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ft_internal.h"

#define FT_EOS "</s>"
#define FT_LABEL_PREFIX "__label__"

void ft_scratch_init(struct ft_scratch *s) { memset(s, 0, sizeof *s); }

void ft_scratch_free(struct ft_scratch *s) {
    free(s->cache.table);
    free(s->cache.tags);
    free(s->frames);
    free(s->rows);
    free(s->hashes);
    free(s->word);
    free(s->vec);
    memset(s, 0, sizeof *s);
}

static int ft_grow(void **v, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    void *nv = realloc(*v, c * size);
    if (!nv) return ZEST_E_NOMEM;
    *v = nv;
    *cap = c;
    return 0;
}

/* ----------------------------------------------------------------------------- tokens */

/* Two passes: the n-grams' bucket ids first, the kept ones chosen without a branch (whether a
 * pruned model kept a bucket is a coin toss for the branch predictor), then their rows. */
int ft_push_subwords(const struct ft_model *m, const char *w, size_t len, struct ft_scratch *s) {
    if (m->bucket <= 0 || m->pruneidx_size == 0) return 0;
    if (ft_grow((void **)&s->rows, &s->cap_rows, s->n_rows + len * (size_t)m->maxn,
                sizeof *s->rows))
        return ZEST_E_NOMEM;
    const bool pruned = m->pruneidx_size > 0;
    const size_t minn = (size_t)m->minn, maxn = (size_t)m->maxn, first = s->n_rows;
    size_t k = first;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)w[i] & 0xC0) == 0x80) continue;
        uint32_t h = 2166136261u;
        for (size_t j = i, n = 1; j < len && n <= maxn; n++) {
            do { /* one UTF-8 character: its lead byte and continuation bytes */
                h = (h ^ (uint32_t)(int32_t)(int8_t)w[j]) * 16777619u;
                j++;
            } while (j < len && ((unsigned char)w[j] & 0xC0) == 0x80);
            if (n < minn || (n == 1 && (i == 0 || j == len))) continue;
            const uint32_t b = ft_mod_bucket(m, h);
            s->rows[k] = (int32_t)b;
            k += pruned ? ft_bucket_kept(m, b) : 1u;
        }
    }
    for (size_t r = first; r < k; r++)
        s->rows[r] = pruned ? ft_kept_row(m, s->rows[r]) : m->nwords + s->rows[r];
    s->n_rows = k;
    return 0;
}

static bool ft_is_sep(unsigned char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0';
}

/* ------------------------------------------------------------------------ word cache */

#define FT_CACHE_BYTES ((size_t)16 << 20) /* per thread */
#define FT_CACHE_TOKEN 20                  /* longer tokens are not cached */

struct ft_cached {
    uint32_t len;
    uint32_t n_rows;
    char tok[FT_CACHE_TOKEN];
    float vec[]; /* dim floats */
};

static struct ft_cached *ft_cache_at(const struct ft_word_cache *c, uint32_t i) {
    return (struct ft_cached *)(void *)(c->table + (size_t)i * c->entry);
}

/* The table, sized for the model's dim at the first use. Best effort: NULL without memory. */
static struct ft_word_cache *ft_cache_get(struct ft_word_cache *c, int32_t dim) {
    if (c->table) return c;
    c->entry = (sizeof(struct ft_cached) + (size_t)dim * sizeof(float) + 15) / 16 * 16;
    uint32_t n = 1024;
    while ((size_t)n * 2 * c->entry <= FT_CACHE_BYTES) n *= 2;
    c->table = malloc((size_t)n * c->entry);
    c->tags = calloc(n, sizeof *c->tags);
    if (!c->table || !c->tags) {
        free(c->table);
        free(c->tags);
        c->table = NULL;
        c->tags = NULL;
        return NULL;
    }
    c->n_slots = n;
    c->used = 0;
    return c;
}

/* The cached entry of a token, or NULL. Probes walk the tags (a small array that stays in
 * cache), so a miss costs no visit to the entries. */
static const struct ft_cached *ft_cache_find(const struct ft_word_cache *c, const char *tok,
                                             size_t n, uint32_t h) {
    if (!c->table || n > FT_CACHE_TOKEN) return NULL;
    const uint32_t tag = h | 1u;
    for (uint32_t i = h & (c->n_slots - 1);; i = (i + 1) & (c->n_slots - 1)) {
        if (!c->tags[i]) return NULL;
        if (c->tags[i] != tag) continue;
        const struct ft_cached *e = ft_cache_at(c, i);
        if (e->len == n && memcmp(e->tok, tok, n) == 0) return e;
    }
}

/* Remembers a token's vector and row count; emptied when three quarters full. */
static void ft_cache_add(struct ft_word_cache *c, const char *tok, size_t n, uint32_t h,
                         const float *vec, int32_t dim, size_t n_rows) {
    if (n == 0 || n > FT_CACHE_TOKEN || !ft_cache_get(c, dim)) return;
    if (c->used >= c->n_slots / 4 * 3) {
        memset(c->tags, 0, (size_t)c->n_slots * sizeof *c->tags);
        c->used = 0;
    }
    uint32_t i = h & (c->n_slots - 1);
    while (c->tags[i]) i = (i + 1) & (c->n_slots - 1);
    c->tags[i] = h | 1u;
    struct ft_cached *e = ft_cache_at(c, i);
    e->len = (uint32_t)n;
    e->n_rows = (uint32_t)n_rows;
    memcpy(e->tok, tok, n);
    memcpy(e->vec, vec, (size_t)dim * sizeof *vec);
    c->used++;
}

/* x += v, element by element; a fixed width lets the compiler unroll and vectorise it. */
static inline void ft_add(float *restrict x, const float *restrict v, int32_t d) {
    if (d == 16)
        for (int32_t j = 0; j < 16; j++) x[j] += v[j]; /* lid.176 */
    else
        for (int32_t j = 0; j < d; j++) x[j] += v[j];
}

/* A word not in the dictionary: the sum of its n-gram rows, from the cache or computed. */
static int ft_oov(const struct ft_model *m, const char *tok, size_t n, uint32_t h,
                  struct ft_scratch *s, float *x) {
    const struct ft_cached *e = m->row_by_row ? NULL : ft_cache_find(&s->cache, tok, n, h);
    if (e) {
        ft_add(x, e->vec, m->dim);
        s->n_rows += e->n_rows;
        return 0;
    }
    if (ft_grow((void **)&s->word, &s->cap_word, n + 2, 1)) return ZEST_E_NOMEM;
    s->word[0] = '<';
    memcpy(s->word + 1, tok, n);
    s->word[n + 1] = '>';
    const size_t before = s->n_rows;
    s->n_rows = 0; /* s->rows collects this word's n-gram rows */
    if (ft_push_subwords(m, s->word, n + 2, s)) return ZEST_E_NOMEM;
    if (m->row_by_row) {
        for (size_t r = 0; r < s->n_rows; r++) ft_add(x, m->rows + (size_t)s->rows[r] * m->dim, m->dim);
        s->n_rows += before;
        return 0;
    }
    float *w = x + m->dim + m->nlabels; /* the scratch's third part */
    memset(w, 0, (size_t)m->dim * sizeof *w);
    for (size_t r = 0; r < s->n_rows; r++) ft_add(w, m->rows + (size_t)s->rows[r] * m->dim, m->dim);
    ft_add(x, w, m->dim);
    ft_cache_add(&s->cache, tok, n, h, w, m->dim, s->n_rows);
    s->n_rows += before;
    return 0;
}

/* One token: its vector and hash when it is a word; labels are passed over. 1 at "</s>". */
static int ft_token(const struct ft_model *m, const char *tok, size_t n, struct ft_scratch *s,
                    float *x) {
    const uint32_t h = ft_hash(tok, n);
    const int32_t id = ft_find(m, tok, n, h);
    const bool eos = n == 4 && memcmp(tok, FT_EOS, 4) == 0;
    const bool label = id >= 0 ? m->entries[id].type == FT_LABEL
                               : n >= 9 && memcmp(tok, FT_LABEL_PREFIX, 9) == 0;
    if (label) return eos;
    if (id >= 0 && m->row_by_row) { /* its rows as listed: itself, then its n-grams */
        for (int32_t k = m->sub_start[id]; k < m->sub_start[id + 1]; k++)
            ft_add(x, m->rows + (size_t)m->sub_rows[k] * m->dim, m->dim);
        s->n_rows += (size_t)m->word_rows[id];
    } else if (id >= 0) {
        ft_add(x, m->word_vecs + (size_t)id * m->dim, m->dim);
        s->n_rows += (size_t)m->word_rows[id];
    } else if (!eos && ft_oov(m, tok, n, h, s, x)) {
        return ZEST_E_NOMEM;
    }
    if (ft_grow((void **)&s->hashes, &s->cap_hashes, s->n_hashes + 1, sizeof *s->hashes))
        return ZEST_E_NOMEM;
    s->hashes[s->n_hashes++] = h;
    return eos;
}

static int ft_word_ngrams(const struct ft_model *m, struct ft_scratch *s, float *x) {
    if (m->bucket <= 0) return 0;
    /* fastText keeps the word hashes as int32: they widen to 64 bits sign-extended */
    for (size_t i = 0; i < s->n_hashes; i++) {
        uint64_t h = (uint64_t)(int64_t)(int32_t)s->hashes[i];
        for (size_t j = i + 1; j < s->n_hashes && j < i + (size_t)m->word_ngrams; j++) {
            h = h * 116049371u + (uint64_t)(int64_t)(int32_t)s->hashes[j];
            const int32_t row = ft_bucket_row(m, (int32_t)(h % (uint64_t)m->bucket));
            if (row < 0) continue;
            ft_add(x, m->rows + (size_t)row * m->dim, m->dim);
            s->n_rows++;
        }
    }
    return 0;
}

/* The line's hidden vector into x: the sum of its rows (its tokens' up to the first '\n' or
 * the end, then "</s>"'s, then the word n-grams'), divided by their number. */
static int ft_line(const struct ft_model *m, const char *t, size_t len, struct ft_scratch *s,
                   float *x) {
    s->n_rows = s->n_hashes = 0;
    memset(x, 0, (size_t)m->dim * sizeof *x);
    size_t i = 0;
    int rc = 0;
    while (rc == 0) {
        while (i < len && ft_is_sep((unsigned char)t[i]) && t[i] != '\n') i++;
        if (i >= len || t[i] == '\n') {
            rc = ft_token(m, FT_EOS, 4, s, x);
            break;
        }
        const size_t start = i;
        while (i < len && !ft_is_sep((unsigned char)t[i])) i++;
        rc = ft_token(m, t + start, i - start, s, x); /* 1: a "</s>" in the text ends it */
    }
    if (rc < 0 || ft_word_ngrams(m, s, x)) return ZEST_E_NOMEM;
    const float scale = (float)(1.0 / (double)(s->n_rows ? s->n_rows : 1));
    for (int32_t j = 0; j < m->dim; j++) x[j] *= scale;
    return 0;
}

/* ----------------------------------------------------------------------------- scores */

static float ft_dot_quant(const struct ft_matrix *o, int64_t i, const float *x) {
    const struct ft_pq *pq = &o->pq;
    float alpha = 1, res = 0;
    if (o->qnorm) alpha = o->npq.centroids[(size_t)o->norm_codes[i] * (size_t)o->npq.lastdsub];
    const uint8_t *code = o->codes + (size_t)i * pq->nsubq;
    for (int32_t sub = 0; sub < pq->nsubq; sub++) {
        const bool last = sub == pq->nsubq - 1;
        const int32_t d = last ? pq->lastdsub : pq->dsub;
        const float *c = last ? &pq->centroids[(size_t)sub * FT_KSUB * pq->dsub + (size_t)code[sub] * d]
                              : &pq->centroids[((size_t)sub * FT_KSUB + code[sub]) * pq->dsub];
        for (int32_t k = 0; k < d; k++) res += x[sub * pq->dsub + k] * c[k];
    }
    return res * alpha;
}

/* Row i of the output matrix times the hidden vector. */
static float ft_dot(const struct ft_model *m, int64_t i, const float *x) {
    if (m->output.quant) return ft_dot_quant(&m->output, i, x);
    const float *row = m->output.data + i * m->dim;
    float d = 0;
    for (int32_t j = 0; j < m->dim; j++) d += row[j] * x[j];
    return d;
}

static float ft_std_log(float x) { return (float)log((double)x + 1e-5); }

static float ft_sigmoid(const struct ft_model *m, float x) {
    if (x < -8) return 0;
    if (x > 8) return 1;
    return m->sigmoid_table[(int64_t)((x + 8) * 512 / 8 / 2)];
}

/* The best k so far, best first; a new score enters when the list has room or it beats the
 * worst, as fastText's heap admits it. */
struct ft_top {
    struct ft_pred *v;
    int n, k;
};

static void ft_top_offer(struct ft_top *t, float logp, int label) {
    if (t->n == t->k && logp < t->v[t->n - 1].prob) return;
    int i = t->n < t->k ? t->n++ : t->k - 1;
    for (; i > 0 && t->v[i - 1].prob < logp; i--) t->v[i] = t->v[i - 1];
    t->v[i] = (struct ft_pred){.label = label, .prob = logp};
}

static void ft_softmax(const struct ft_model *m, const float *x, float *out) {
    const int32_t osz = m->nlabels;
    for (int32_t i = 0; i < osz; i++) out[i] = ft_dot(m, i, x);
    float max = out[0], z = 0;
    for (int32_t i = 0; i < osz; i++) max = out[i] > max ? out[i] : max;
    for (int32_t i = 0; i < osz; i++) {
        out[i] = (float)exp((double)(out[i] - max));
        z += out[i];
    }
    for (int32_t i = 0; i < osz; i++) out[i] /= z;
}

static void ft_flat(const struct ft_model *m, const float *x, float *out, float threshold,
                    struct ft_top *t) {
    if (m->loss == FT_LOSS_SOFTMAX) ft_softmax(m, x, out);
    else
        for (int32_t i = 0; i < m->nlabels; i++) out[i] = ft_sigmoid(m, ft_dot(m, i, x));
    for (int32_t i = 0; i < m->nlabels; i++)
        if (out[i] >= threshold) ft_top_offer(t, ft_std_log(out[i]), i);
}

/* Hierarchical softmax: fastText's depth-first walk (left child first), with an explicit
 * stack so a deep tree cannot overflow the C stack. */
static int ft_hs(const struct ft_model *m, const float *x, float threshold, struct ft_top *t,
                 struct ft_scratch *s) {
    const int32_t osz = m->nlabels, root = 2 * osz - 2;
    if (ft_grow((void **)&s->frames, &s->cap_frames, (size_t)(2 * osz), sizeof *s->frames))
        return ZEST_E_NOMEM;
    struct ft_hs_frame *stack = s->frames;
    const float min_score = ft_std_log(threshold);
    size_t sp = 0;
    stack[sp++] = (struct ft_hs_frame){root, 0};
    while (sp) {
        const struct ft_hs_frame f = stack[--sp];
        if (f.score < min_score) continue;
        if (t->n == t->k && f.score < t->v[t->n - 1].prob) continue;
        const struct ft_tree_node *nd = &m->tree[f.node];
        if (nd->left == -1 && nd->right == -1) {
            ft_top_offer(t, f.score, f.node);
            continue;
        }
        const float dot = ft_dot(m, f.node - osz, x);
        const float p = (float)(1. / (1 + expf(-dot)));
        stack[sp++] = (struct ft_hs_frame){nd->right, f.score + ft_std_log(p)};
        stack[sp++] = (struct ft_hs_frame){nd->left, f.score + ft_std_log((float)(1.0 - p))};
    }
    return 0;
}

int ft_predict(const struct ft_model *m, const char *text, size_t len, int k, float threshold,
               struct ft_scratch *s, struct ft_pred *out) {
    if (k <= 0) return 0;
    const size_t vec = 2 * (size_t)m->dim + (size_t)m->nlabels; /* hidden, output, a word's */
    if (ft_grow((void **)&s->vec, &s->cap_vec, vec, sizeof *s->vec)) return ZEST_E_NOMEM;
    float *x = s->vec, *o = s->vec + m->dim;
    if (ft_line(m, text, len, s, x)) return ZEST_E_NOMEM;
    if (s->n_rows == 0) return 0;
    struct ft_top t = {.v = out, .k = k};
    if (m->loss == FT_LOSS_HS) {
        if (ft_hs(m, x, threshold, &t, s)) return ZEST_E_NOMEM;
    } else {
        ft_flat(m, x, o, threshold, &t);
    }
    for (int i = 0; i < t.n; i++) out[i].prob = expf(out[i].prob);
    return t.n;
}

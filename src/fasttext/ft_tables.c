/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_tables.c - what prediction looks up, built once per model: the word hash table, each
 * word's vector (the sum of its own row and its char n-grams' rows, in fastText's order),
 * the pruned n-gram index as a bitmap plus an open-addressing table, the input matrix decoded
 * to plain floats (a quantized row is norm x centroid, computed here exactly as fastText
 * computes it per use), the Huffman tree of hierarchical softmax, and the sigmoid table.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "ft_internal.h"

int32_t ft_find(const struct ft_model *m, const char *w, size_t n, uint32_t h) {
    for (uint32_t i = h & m->word_mask;; i = (i + 1) & m->word_mask) {
        const struct ft_word_slot sl = m->word_slots[i];
        if (sl.entry < 0) return -1;
        if (sl.hash == h && m->entries[sl.entry].len == n &&
            memcmp(m->entries[sl.entry].word, w, n) == 0)
            return sl.entry;
    }
}

static int ft_words(struct ft_model *m) {
    uint32_t slots = 16;
    while (slots < (uint32_t)m->size * 2u) slots <<= 1;
    m->word_mask = slots - 1;
    m->word_slots = malloc(slots * sizeof *m->word_slots);
    if (!m->word_slots) return ZEST_E_NOMEM;
    for (uint32_t i = 0; i < slots; i++) m->word_slots[i] = (struct ft_word_slot){0, -1};
    for (int32_t e = 0; e < m->size; e++) {
        const uint32_t h = ft_hash(m->entries[e].word, m->entries[e].len);
        uint32_t i = h & m->word_mask;
        while (m->word_slots[i].entry >= 0) i = (i + 1) & m->word_mask;
        m->word_slots[i] = (struct ft_word_slot){h, e}; /* a repeated word keeps its first entry, as fastText finds it */
    }
    return 0;
}

static int ft_pruned(struct ft_model *m) {
    if (m->pruneidx_size <= 0) return 0;
    uint32_t slots = 16;
    while (slots < (uint64_t)m->pruneidx_size * 2) slots <<= 1;
    m->kept_mask = slots - 1;
    m->kept_bits = calloc(((size_t)m->bucket >> 6) + 1, sizeof *m->kept_bits);
    m->kept_keys = malloc(slots * sizeof *m->kept_keys);
    m->kept_vals = malloc(slots * sizeof *m->kept_vals);
    if (!m->kept_bits || !m->kept_keys || !m->kept_vals) return ZEST_E_NOMEM;
    memset(m->kept_keys, 0xff, slots * sizeof *m->kept_keys);
    for (int64_t k = 0; k < m->pruneidx_size; k++) {
        const int32_t from = m->prune_from[k], to = m->prune_to[k];
        if (from < 0 || from >= m->bucket || to < 0 || m->nwords + (int64_t)to >= m->input.m)
            return ZEST_E_FORMAT;
        uint32_t i = (uint32_t)from * 2654435761u & m->kept_mask;
        while (m->kept_keys[i] >= 0 && m->kept_keys[i] != from) i = (i + 1) & m->kept_mask;
        m->kept_keys[i] = from; /* a repeated key: the last pair wins, as in fastText's map */
        m->kept_vals[i] = to;
        m->kept_bits[(uint32_t)from >> 6] |= (uint64_t)1 << ((uint32_t)from & 63);
    }
    return 0;
}

/* Rows of every word: itself, then its n-grams (none for the end-of-sentence token). */
static int ft_subwords(struct ft_model *m) {
    struct ft_scratch s;
    ft_scratch_init(&s);
    int rc = 0;
    size_t cap = (size_t)m->size * 8 + 16, n = 0;
    m->sub_start = malloc(((size_t)m->size + 1) * sizeof *m->sub_start);
    m->sub_rows = malloc(cap * sizeof *m->sub_rows);
    char *w = malloc(4096);
    if (!m->sub_start || !m->sub_rows || !w) rc = ZEST_E_NOMEM;
    for (int32_t e = 0; rc == 0 && e < m->size; e++) {
        const struct ft_entry_rec *en = &m->entries[e];
        s.n_rows = 0;
        if (en->len + 3 > 4096) rc = ZEST_E_FORMAT;
        if (rc == 0 && strcmp(en->word, "</s>") != 0) {
            w[0] = '<';
            memcpy(w + 1, en->word, en->len);
            w[en->len + 1] = '>';
            rc = ft_push_subwords(m, w, en->len + 2, &s);
        }
        if (rc == 0 && n + 1 + s.n_rows > cap) {
            cap = (n + 1 + s.n_rows) * 2;
            int32_t *v = realloc(m->sub_rows, cap * sizeof *v);
            if (!v) rc = ZEST_E_NOMEM;
            else m->sub_rows = v;
        }
        if (rc) break;
        m->sub_start[e] = (int32_t)n;
        m->sub_rows[n++] = e;
        if (s.n_rows) memcpy(m->sub_rows + n, s.rows, s.n_rows * sizeof *s.rows);
        n += s.n_rows;
    }
    if (rc == 0) m->sub_start[m->size] = (int32_t)n;
    free(w);
    ft_scratch_free(&s);
    return rc;
}

static const float *ft_centroid(const struct ft_pq *pq, int32_t sub, uint8_t code) {
    if (sub == pq->nsubq - 1) return &pq->centroids[(size_t)sub * FT_KSUB * pq->dsub + (size_t)code * pq->lastdsub];
    return &pq->centroids[((size_t)sub * FT_KSUB + code) * pq->dsub];
}

/* Row r of a quantized matrix as fastText adds it to a vector: alpha * centroid. */
static void ft_decode_row(const struct ft_matrix *x, int64_t r, float *dst) {
    float alpha = 1;
    if (x->qnorm) alpha = ft_centroid(&x->npq, 0, x->norm_codes[r])[0];
    const uint8_t *code = x->codes + (size_t)r * x->pq.nsubq;
    for (int32_t sub = 0; sub < x->pq.nsubq; sub++) {
        const float *c = ft_centroid(&x->pq, sub, code[sub]);
        const int32_t d = sub == x->pq.nsubq - 1 ? x->pq.lastdsub : x->pq.dsub;
        for (int32_t k = 0; k < d; k++) dst[sub * x->pq.dsub + k] = alpha * c[k];
    }
}

/* The input matrix as plain floats. Dense models keep their data as is. */
static int ft_rows(struct ft_model *m) {
    m->n_rows = m->input.m;
    if (!m->input.quant) {
        m->rows = m->input.data;
        m->input.data = NULL;
        return 0;
    }
    m->rows = malloc((size_t)m->n_rows * (size_t)m->dim * sizeof *m->rows);
    if (!m->rows) return ZEST_E_NOMEM;
    for (int64_t r = 0; r < m->n_rows; r++) ft_decode_row(&m->input, r, m->rows + r * m->dim);
    return 0;
}

/* Each dictionary word's vector: the sum of its rows in fastText's order (itself, then its
 * n-grams; only itself when the model has no subwords). The lists are not needed after.
 * Labels get none: a prediction passes them over, and the row fastText lists for a label (its
 * entry id) lies past the input matrix of a pruned model, which holds only the kept words and
 * n-grams. */
static int ft_word_vecs(struct ft_model *m) {
    const size_t d = (size_t)m->dim;
    m->word_vecs = calloc((size_t)m->size * d, sizeof *m->word_vecs);
    m->word_rows = calloc((size_t)m->size, sizeof *m->word_rows);
    if (!m->word_vecs || !m->word_rows) return ZEST_E_NOMEM;
    for (int32_t e = 0; e < m->nwords; e++) {
        const int32_t a = m->maxn > 0 ? m->sub_start[e] : 0, b = m->maxn > 0 ? m->sub_start[e + 1] : 1;
        float *v = m->word_vecs + (size_t)e * d;
        for (int32_t k = a; k < b; k++) {
            const int32_t r = m->maxn > 0 ? m->sub_rows[k] : e;
            for (size_t j = 0; j < d; j++) v[j] += m->rows[(size_t)r * d + j];
        }
        m->word_rows[e] = b - a;
    }
    if (m->row_by_row) return 0; /* it adds the listed rows one by one */
    free(m->sub_start);
    free(m->sub_rows);
    m->sub_start = m->sub_rows = NULL;
    return 0;
}

/* fastText's Huffman tree over the label counts (leaves 0..osz-1 in dictionary order). */
static int ft_tree(struct ft_model *m) {
    const int32_t osz = m->nlabels, n = 2 * osz - 1;
    m->tree = malloc((size_t)n * sizeof *m->tree);
    if (!m->tree) return ZEST_E_NOMEM;
    for (int32_t i = 0; i < n; i++)
        m->tree[i] = (struct ft_tree_node){.left = -1, .right = -1, .count = (int64_t)1e15};
    for (int32_t i = 0; i < osz; i++) m->tree[i].count = m->entries[m->nwords + i].count;
    int32_t leaf = osz - 1, node = osz;
    for (int32_t i = osz; i < n; i++) {
        int32_t mini[2];
        for (int j = 0; j < 2; j++)
            mini[j] = leaf >= 0 && m->tree[leaf].count < m->tree[node].count ? leaf-- : node++;
        m->tree[i].left = mini[0];
        m->tree[i].right = mini[1];
        m->tree[i].count = m->tree[mini[0]].count + m->tree[mini[1]].count;
    }
    return 0;
}

/* fastText's sigmoid: a 512-step table over [-8, 8]. */
static void ft_sigmoid_table(struct ft_model *m) {
    for (int i = 0; i <= 512; i++) {
        const float x = (float)(i * 2 * 8) / 512 - 8;
        m->sigmoid_table[i] = (float)(1.0 / (1.0 + expf(-x)));
    }
}

int ft_tables_build(struct ft_model *m, zest_error *err) {
    if (m->bucket > 0) m->bucket_magic = UINT64_MAX / (uint32_t)m->bucket + 1;
    /* One-vs-all scores go through a 512-step sigmoid table: a sum one float off can land a
     * score on the next step, so those models add rows in fastText's exact order. */
    m->row_by_row = m->loss == FT_LOSS_OVA || m->loss == FT_LOSS_NS;
    int rc = ft_words(m);
    if (rc == 0) rc = ft_pruned(m);
    if (rc == 0) rc = ft_subwords(m);
    if (rc == 0) rc = ft_rows(m);
    if (rc == 0) rc = ft_word_vecs(m);
    if (rc == 0 && m->loss == FT_LOSS_HS) rc = ft_tree(m);
    ft_sigmoid_table(m);
    if (rc == ZEST_E_FORMAT)
        return err_set_at(err, rc, m->path, 0, -1,
                          "not a fastText model (or damaged): pruned index or word out of range");
    if (rc) return err_set(err, rc, "%s: out of memory", m->path);
    return 0;
}

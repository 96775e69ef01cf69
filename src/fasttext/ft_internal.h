/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_internal.h - the loaded model, shared by the loader (ft_load.c), the table builder
 * (ft_tables.c) and prediction (ft_predict.c). Not for other modules.
 */
#ifndef ZEST_FT_INTERNAL_H
#define ZEST_FT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fasttext.h"

enum ft_loss { FT_LOSS_HS = 1, FT_LOSS_NS = 2, FT_LOSS_SOFTMAX = 3, FT_LOSS_OVA = 4 };
enum ft_entry { FT_WORD = 0, FT_LABEL = 1 };

#define FT_KSUB 256 /* centroids per sub-quantizer (8-bit codes) */

/* A product quantizer as stored: nsubq sub-quantizers of dsub dimensions (the last lastdsub). */
struct ft_pq {
    int32_t dim, nsubq, dsub, lastdsub;
    float *centroids; /* dim * FT_KSUB */
};

/* A matrix as stored: dense floats, or codes decoded through a product quantizer. */
struct ft_matrix {
    int64_t m, n;
    bool quant, qnorm;
    float *data;       /* dense: m * n */
    uint8_t *codes;    /* quantized: m * pq.nsubq */
    uint8_t *norm_codes;
    struct ft_pq pq, npq;
};

struct ft_entry_rec {
    const char *word; /* into ft_model.strings */
    uint32_t len;
    int64_t count;
    int8_t type;
};

struct ft_tree_node {
    int32_t left, right;
    int64_t count;
};

/* A slot of the word table: the hash sits beside the entry index so that a probe compares
 * hashes without touching the entries (most tokens probed are not in the dictionary). */
struct ft_word_slot {
    uint32_t hash;
    int32_t entry; /* -1: empty */
};

struct ft_model {
    char *path;
    /* args */
    int32_t dim, ws, epoch, min_count, neg, word_ngrams, loss, model, bucket, minn, maxn;
    /* dictionary */
    int32_t size, nwords, nlabels;
    int64_t ntokens, pruneidx_size;
    struct ft_entry_rec *entries;
    char *strings;
    int32_t *prune_from, *prune_to; /* pruneidx pairs: bucket -> row offset */
    struct ft_matrix input, output;
    /* tables built after loading (ft_tables.c) */
    uint32_t word_mask;   /* word table: slots - 1 */
    struct ft_word_slot *word_slots; /* probed from the word's hash */
    int32_t *sub_start;   /* per entry: its rows in sub_rows[sub_start[i] .. sub_start[i+1]) */
    int32_t *sub_rows;
    uint64_t *kept_bits;  /* pruned models: bucket ids kept, one bit each */
    uint32_t kept_mask;
    int32_t *kept_keys, *kept_vals; /* bucket id -> row offset, open addressing */
    float *rows;          /* the input matrix decoded: rows x dim */
    float *word_vecs;     /* per entry: the sum of its rows (itself, its n-grams), dim floats */
    int32_t *word_rows;   /* per entry: how many rows that sum holds */
    bool row_by_row;      /* add each row in turn (sub_start/sub_rows kept), no sums */
    int64_t n_rows;
    struct ft_tree_node *tree; /* hierarchical softmax: 2 * nlabels - 1 nodes */
    float sigmoid_table[513];
    uint64_t bucket_magic; /* for ft_mod_bucket: UINT64_MAX / bucket + 1 */
};

/* h % bucket without a division (Lemire's fastmod; exact for 32-bit operands). */
static inline uint32_t ft_mod_bucket(const struct ft_model *m, uint32_t h) {
    const uint64_t low = m->bucket_magic * h;
    return (uint32_t)(((__uint128_t)low * (uint32_t)m->bucket) >> 64);
}

/* fastText's hash: FNV-1a over the bytes taken as signed chars. */
static inline uint32_t ft_hash(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint32_t)(int32_t)(int8_t)s[i];
        h *= 16777619u;
    }
    return h;
}

/* Whether a pruned model kept bucket `b`: 1 or 0, as a number (callers add it, no branch). */
static inline uint32_t ft_bucket_kept(const struct ft_model *m, uint32_t b) {
    return (uint32_t)(m->kept_bits[b >> 6] >> (b & 63)) & 1u;
}

/* The row of a bucket a pruned model kept. */
static inline int32_t ft_kept_row(const struct ft_model *m, int32_t b) {
    for (uint32_t i = (uint32_t)b * 2654435761u & m->kept_mask;; i = (i + 1) & m->kept_mask)
        if (m->kept_keys[i] == b) return m->nwords + m->kept_vals[i];
}

/* The row of bucket id `b` (an n-gram), or -1 when a pruned model dropped it. */
static inline int32_t ft_bucket_row(const struct ft_model *m, int32_t b) {
    if (m->pruneidx_size == 0) return -1;
    if (m->pruneidx_size < 0) return m->nwords + b;
    return ft_bucket_kept(m, (uint32_t)b) ? ft_kept_row(m, b) : -1;
}

int ft_tables_build(struct ft_model *m, zest_error *err);
/* Appends the rows of the char n-grams of `word` (already "<token>") to s->rows. */
int ft_push_subwords(const struct ft_model *m, const char *word, size_t len, struct ft_scratch *s);
/* The entry index of a word, or -1. */
int32_t ft_find(const struct ft_model *m, const char *w, size_t n, uint32_t h);

#endif

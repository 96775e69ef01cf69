/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fasttext.h - fastText supervised models in C: the binary format (.bin, dense matrices, and
 * .ftz, product-quantized and pruned), fastText's tokenisation and hashing, and prediction
 * with its three losses (softmax, hierarchical softmax, one-vs-all / negative sampling). A
 * loaded model is read-only and serves every thread; each caller brings its own scratch.
 * Results are fastText 0.9's `predict-prob`, with probabilities equal to about 1e-6 (a
 * word's rows are summed first; docs/fasttext.md). Depends on common/ only.
 */
#ifndef ZEST_FASTTEXT_H
#define ZEST_FASTTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "zest.h"

struct ft_model;

/* Reads and checks the whole file; every size and index is bounds-checked, so a truncated
 * or damaged file is an error naming the file, the offset and what is wrong. */
int ft_load(const char *path, struct ft_model **out, zest_error *err);
void ft_free(struct ft_model *m);

int ft_label_count(const struct ft_model *m);
/* The label's name as in the model, with its "__label__" prefix. */
const char *ft_label(const struct ft_model *m, int label);

/* Words not in the dictionary seen lately, with the sum of their n-gram rows: natural text
 * repeats its words, and a hit costs one vector add instead of hashing every n-gram again.
 * One open-addressing table whose entries hold the token and its vector side by side, so a
 * lookup touches one place in memory. */
struct ft_word_cache {
    unsigned char *table; /* n_slots entries of `entry` bytes */
    uint32_t *tags;       /* per slot: the token's hash | 1, or 0 when the slot is empty */
    size_t entry;
    uint32_t n_slots, used;
};

/* A node still to visit in the hierarchical-softmax walk, with its path's log-probability. */
struct ft_hs_frame {
    int32_t node;
    float score;
};

/* Per-caller working memory, reused across calls (it only grows). */
struct ft_scratch {
    struct ft_hs_frame *frames; /* the walk's stack: at most 2 x labels */
    size_t cap_frames;
    struct ft_word_cache cache;
    int32_t *rows;     /* the n-gram rows of a word being looked up */
    uint32_t *hashes;  /* word hashes, for word n-grams */
    size_t n_rows, cap_rows, n_hashes, cap_hashes; /* n_rows: rows summed into the line */
    char *word;        /* "<token>" */
    size_t cap_word;
    float *vec;        /* the hidden vector, the output scores, a word's vector */
    size_t cap_vec;
};

void ft_scratch_init(struct ft_scratch *s);
void ft_scratch_free(struct ft_scratch *s);

struct ft_pred {
    int label;
    float prob;
};

/* The k most probable labels of one line of text (it ends at the first '\n', as fastText's
 * reader does), best first, each with prob >= threshold: how many (0..k), or ZEST_E_NOMEM. */
int ft_predict(const struct ft_model *m, const char *text, size_t len, int k, float threshold,
               struct ft_scratch *s, struct ft_pred *out);

#endif

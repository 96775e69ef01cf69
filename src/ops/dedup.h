/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dedup.h - what the deduplicators share: preparing a text as Data-Juicer's near-duplicate
 * ops do (lowercase, ignore_pattern removed, then shingles of `window_size` tokens by space,
 * punctuation or character tokenization), a union-find whose root is always the smallest
 * index (so "keep the first of each cluster" does not depend on the order of unions), and the
 * open-addressing tables the finalize phases use. Depends on common/ and ops/pylower.
 */
#ifndef ZEST_DEDUP_H
#define ZEST_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/hash128.h"
#include "op.h"

enum dedup_tokenization { DEDUP_TOK_SPACE, DEDUP_TOK_PUNCTUATION, DEDUP_TOK_CHARACTER };

/* The settings and the scratch memory of one instance (per worker). */
struct dedup_text {
    enum dedup_tokenization tok;
    size_t window;
    bool lowercase;
    void *ignore; /* the compiled ignore_pattern (pcre2_code), or NULL */
    void *match;  /* its match data */
    struct buf lower, cleaned;
    size_t *tok_start, *tok_end; /* token byte ranges of the prepared text */
    size_t tok_cap;
    uint64_t *tok_hash; /* dedup_text_shingle_hashes: one per token */
    size_t hash_cap;
    struct buf shingle;
};

/* Validates and compiles; `pattern` may be NULL or "". ZEST_E_PARAM naming the parameter. */
int dedup_text_init(struct dedup_text *t, const char *tokenization, int64_t window, bool lowercase,
                    const char *pattern, zest_error *err);
void dedup_text_destroy(struct dedup_text *t);

typedef void (*dedup_shingle_fn)(void *user, const char *s, size_t n);
/* Calls fn once per shingle of the text, in order, as Data-Juicer lists them: windows i in
 * range(tokens - window_size + 1) (a text of fewer than window_size tokens has none), tokens
 * joined by ' ' (space, punctuation) or taken as a substring (character). */
int dedup_text_shingles(struct dedup_text *t, const char *text, size_t len, dedup_shingle_fn fn,
                        void *user);

typedef void (*dedup_hash_fn)(void *user, uint64_t h);
/* The same shingles as dedup_text_shingles, handed as 64-bit hashes instead of text: each
 * token is hashed once and a shingle's hash combines its tokens' hashes in order, so equal
 * shingles hash equal without being joined. */
int dedup_text_shingle_hashes(struct dedup_text *t, const char *text, size_t len, dedup_hash_fn fn,
                              void *user);

/* Union-find over n indexes; the root of a set is its smallest member. */
struct dedup_uf {
    uint32_t *parent;
    int64_t n;
};
int dedup_uf_init(struct dedup_uf *u, int64_t n);
void dedup_uf_free(struct dedup_uf *u);
uint32_t dedup_uf_find(struct dedup_uf *u, uint32_t x);
void dedup_uf_union(struct dedup_uf *u, uint32_t x, uint32_t y);
/* Every set of `from` merged into `into` (the per-thread results of a parallel phase). */
void dedup_uf_merge(struct dedup_uf *into, struct dedup_uf *from);
/* keep bit i set iff i is the root of its set. */
void dedup_uf_keep(struct dedup_uf *u, uint8_t *keep);

/* Runs fn(user, t) for t in [0, n) on up to `threads` threads (the calling one included).
 * Returns the first non-zero result. */
int dedup_parallel(int threads, int n, int (*fn)(void *user, int t), void *user);

/* The table slot for a 64-bit key in a table of `cap` slots (multiply-shift range). */
static inline size_t dedup_slot(uint64_t key, size_t cap) {
    return (size_t)(((hash128_u128)key * cap) >> 64);
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ngrams.h - a counting table for the n-grams of one text (character or word n-grams of the
 * repetition filters): open addressing over (hash, first position, count) in a reused buffer,
 * so counting allocates nothing once the buffer has grown. Equality is decided by the caller
 * (`eq`) on a hash match, so counts are exact whatever the hash does. Depends on common/.
 */
#ifndef ZEST_NGRAMS_H
#define ZEST_NGRAMS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../common/buf.h"
#include "zest.h"

struct ngram_slot {
    uint64_t hash;
    uint32_t pos;   /* where its first occurrence starts */
    uint32_t count; /* 0: empty */
};

struct ngram_table {
    struct buf mem;
    struct ngram_slot *slots;
    size_t mask;
    size_t distinct;
};

/* Empties the table, sized for up to `items` n-grams. 0 or a negative status. */
static inline int ngram_table_reset(struct ngram_table *t, size_t items) {
    size_t cap = 16;
    while (cap < items * 2) cap *= 2;
    buf_clear(&t->mem);
    const int rc = buf_reserve(&t->mem, cap * sizeof(struct ngram_slot));
    if (rc) return rc;
    t->slots = (struct ngram_slot *)(void *)t->mem.data;
    memset(t->slots, 0, cap * sizeof *t->slots);
    t->mask = cap - 1;
    t->distinct = 0;
    return 0;
}

static inline uint64_t ngram_mix(uint64_t h) {
    h ^= h >> 31;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

/* Counts the n-gram starting at `pos` whose hash is `h`; eq(ctx, a, b) says whether the
 * n-grams at positions a and b are equal. Returns the position of its first occurrence. */
static inline uint32_t ngram_table_add(struct ngram_table *t, uint64_t h, uint32_t pos,
                                   bool (*eq)(const void *ctx, uint32_t a, uint32_t b),
                                   const void *ctx) {
    for (size_t j = ngram_mix(h) & t->mask;; j = (j + 1) & t->mask) {
        struct ngram_slot *s = &t->slots[j];
        if (!s->count) {
            *s = (struct ngram_slot){.hash = h, .pos = pos, .count = 1};
            t->distinct++;
            return pos;
        }
        if (s->hash == h && eq(ctx, s->pos, pos)) {
            s->count++;
            return s->pos;
        }
    }
}

#endif

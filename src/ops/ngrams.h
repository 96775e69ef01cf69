/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ngrams.h - a counting table for the n-grams of one text (character or word n-grams of the
 * repetition filters): open addressing over (hash, first position, count) in a reused buffer,
 * so counting allocates nothing once the buffer has grown, and the filled slots are listed. Equality is decided by the caller
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
    struct buf mem;   /* the slots: all empty between texts */
    struct buf used;  /* uint32_t: the slots filled for this text, in order */
    struct ngram_slot *slots;
    size_t mask;
    size_t distinct;
};

static inline void ngram_table_init(struct ngram_table *t) {
    memset(t, 0, sizeof *t);
    buf_init(&t->mem, 0);
    buf_init(&t->used, 0);
}

static inline void ngram_table_free(struct ngram_table *t) {
    buf_free(&t->mem);
    buf_free(&t->used);
    t->slots = NULL;
    t->distinct = 0;
}

/* Empties the table, sized for up to `items` n-grams. Only the slots the previous text
 * filled are cleared (a whole-table memset per text cost more than the counting); the memory
 * only grows. 0 or a negative status. */
static inline int ngram_table_reset(struct ngram_table *t, size_t items) {
    const uint32_t *used = (const uint32_t *)(const void *)t->used.data;
    for (size_t k = 0; k < t->distinct; k++) t->slots[used[k]].count = 0;
    t->distinct = 0;
    buf_clear(&t->used);
    size_t cap = 16;
    while (cap < items * 2) cap *= 2;
    const size_t have = t->mem.len / sizeof(struct ngram_slot);
    if (cap > have) {
        const int rc = buf_reserve(&t->mem, (cap - have) * sizeof(struct ngram_slot));
        if (rc) return rc;
        memset(t->mem.data + t->mem.len, 0, (cap - have) * sizeof(struct ngram_slot));
        t->mem.len = cap * sizeof(struct ngram_slot);
    }
    t->slots = (struct ngram_slot *)(void *)t->mem.data;
    t->mask = cap - 1;
    return buf_reserve(&t->used, (items ? items : 1) * sizeof(uint32_t));
}

/* The i-th distinct n-gram of this text (i < t->distinct). */
static inline const struct ngram_slot *ngram_table_entry(const struct ngram_table *t, size_t i) {
    return &t->slots[((const uint32_t *)(const void *)t->used.data)[i]];
}

static inline uint64_t ngram_mix(uint64_t h) {
    h ^= h >> 31;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

/* Counts the n-gram starting at `pos` whose hash is `h`; eq(ctx, a, b) says whether the
 * n-grams at positions a and b are equal. Returns the position of its first occurrence. At
 * most `items` (of the reset) n-grams are added per text. */
static inline uint32_t ngram_table_add(struct ngram_table *t, uint64_t h, uint32_t pos,
                                   bool (*eq)(const void *ctx, uint32_t a, uint32_t b),
                                   const void *ctx) {
    for (size_t j = ngram_mix(h) & t->mask;; j = (j + 1) & t->mask) {
        struct ngram_slot *s = &t->slots[j];
        if (!s->count) {
            *s = (struct ngram_slot){.hash = h, .pos = pos, .count = 1};
            ((uint32_t *)(void *)t->used.data)[t->distinct++] = (uint32_t)j;
            return pos;
        }
        if (s->hash == h && eq(ctx, s->pos, pos)) {
            s->count++;
            return s->pos;
        }
    }
}

#endif

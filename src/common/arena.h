/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.h - a bump-pointer arena: a list of chunks, aligned allocations, reset between batches.
 * Each worker owns its arenas; nothing is freed one by one. Under AddressSanitizer the unused
 * and reset parts are poisoned, so a use after arena_reset() is caught. Depends on libc only.
 */
#ifndef ZEST_ARENA_H
#define ZEST_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;  /* chunk being filled */
    struct arena_chunk *spare; /* chunks kept by arena_reset for reuse */
    size_t chunk_size;         /* default size of a new chunk */
    size_t used;               /* bytes handed out since the last reset */
};

/* Prepares an empty arena; no memory is taken until the first allocation. */
void arena_init(struct arena *a, size_t chunk_size);
/* Returns `size` bytes aligned to 16, or NULL when memory is exhausted. */
void *arena_alloc(struct arena *a, size_t size);
/* Copies `n` bytes into the arena and appends a NUL; NULL when memory is exhausted. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Forgets every allocation but keeps the chunks for reuse. */
void arena_reset(struct arena *a);
/* Frees every chunk; the arena may be initialised again. */
void arena_destroy(struct arena *a);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* arena.c - chunked bump allocator with ASan poisoning of unused space. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif

#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define REDZONE 16
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define REDZONE 0
#endif

#define ALIGN 16

struct arena_chunk {
    struct arena_chunk *next;
    size_t size; /* usable bytes in data[] */
    size_t pos;
    _Alignas(ALIGN) unsigned char data[];
};

void arena_init(struct arena *a, size_t chunk_size) {
    a->head = NULL;
    a->spare = NULL;
    a->chunk_size = chunk_size ? chunk_size : (size_t)1 << 20;
    a->used = 0;
}

static struct arena_chunk *chunk_new(size_t size) {
    struct arena_chunk *c = malloc(sizeof *c + size);
    if (!c) return NULL;
    c->next = NULL;
    c->size = size;
    c->pos = 0;
    POISON(c->data, size);
    return c;
}

/* Takes a spare chunk big enough for `need`, or makes one. */
static struct arena_chunk *chunk_take(struct arena *a, size_t need) {
    struct arena_chunk **pp = &a->spare;
    for (; *pp; pp = &(*pp)->next) {
        if ((*pp)->size >= need) {
            struct arena_chunk *c = *pp;
            *pp = c->next;
            c->pos = 0;
            return c;
        }
    }
    return chunk_new(need > a->chunk_size ? need : a->chunk_size);
}

void *arena_alloc(struct arena *a, size_t size) {
    const size_t rounded = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    const size_t need = rounded + REDZONE;
    if (rounded < size) return NULL;
    struct arena_chunk *c = a->head;
    if (!c || c->size - c->pos < need) {
        c = chunk_take(a, need);
        if (!c) return NULL;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->pos;
    c->pos += need;
    a->used += rounded;
    UNPOISON(p, size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void arena_reset(struct arena *a) {
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        POISON(c->data, c->size);
        c->pos = 0;
        c->next = a->spare;
        a->spare = c;
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

static void chunk_list_free(struct arena_chunk *c) {
    while (c) {
        struct arena_chunk *next = c->next;
        UNPOISON(c->data, c->size);
        free(c);
        c = next;
    }
}

void arena_destroy(struct arena *a) {
    chunk_list_free(a->head);
    chunk_list_free(a->spare);
    a->head = a->spare = NULL;
    a->used = 0;
}

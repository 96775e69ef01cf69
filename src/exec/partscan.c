/* SPDX-License-Identifier: Apache-2.0 */
/* partscan.c - newline scans and the parallel per-range pass of the planner (see partscan.h). */
#include "partscan.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../common/hash.h"

/* Bytes hashed and counted per step: a multiple of 32, so the chunked hash equals the hash
 * of the whole range in one call (hash_wide folds 32-byte blocks first). */
#define PARTSCAN_BLOCK ((size_t)1 << 20)
/* More threads than this only contend for memory bandwidth. */
#define PARTSCAN_MAX_THREADS 8

/* High bit set in each byte of w that equals '\n' (exact per byte: no borrow crosses). */
static inline uint64_t nl_mask(uint64_t w) {
    const uint64_t x = w ^ 0x0A0A0A0A0A0A0A0Aull;
    const uint64_t t = ((x & 0x7F7F7F7F7F7F7F7Full) + 0x7F7F7F7F7F7F7F7Full) | x;
    return ~t & 0x8080808080808080ull;
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* Newlines in p[0, n), 16 bytes per step: each match adds 1 to a byte lane (compare gives
 * 0xFF = -1), and the lanes are summed with SAD before any can pass 255. */
int64_t partscan_nl_count(const unsigned char *p, size_t n) {
    const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    int64_t c = 0;
    size_t i = 0;
    while (i + 16 <= n) {
        __m128i acc = zero;
        for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
            const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
        }
        const __m128i sums = _mm_sad_epu8(acc, zero);
        c += _mm_cvtsi128_si64(sums) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
    }
    for (; i < n; i++) c += p[i] == '\n';
    return c;
}
#else
/* Newlines in p[0, n): the 0/1 byte flags of up to 255 words are summed lane-wise and added
 * up once (baseline x86-64 has no popcount instruction; the library call is slow). */
int64_t partscan_nl_count(const unsigned char *p, size_t n) {
    int64_t c = 0;
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t acc = 0;
        for (int k = 0; k < 255 && i + 8 <= n; k++, i += 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            acc += nl_mask(w) >> 7;
        }
        /* eight byte lanes (each < 256) -> four 16-bit lanes -> their sum */
        const uint64_t pairs = (acc & 0x00FF00FF00FF00FFull) + ((acc >> 8) & 0x00FF00FF00FF00FFull);
        c += (int64_t)((pairs * 0x0001000100010001ull) >> 48);
    }
    for (; i < n; i++) c += p[i] == '\n';
    return c;
}
#endif

/* Offset just past the k-th (k >= 1) newline of p[0, n), or -1 when there are fewer. */
int64_t partscan_nl_find_nth(const unsigned char *p, size_t n, int64_t k) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        const int c = __builtin_popcountll(nl_mask(w));
        if (c >= k) break; /* the k-th newline is in this word */
        k -= c;
    }
    for (; i < n; i++)
        if (p[i] == '\n' && --k == 0) return (int64_t)i + 1;
    return -1;
}

/* ---- the per-range pass ------------------------------------------------------------- */

struct partscan_pool {
    const unsigned char *base;
    struct partscan_range *r;
    size_t n;
    atomic_size_t next;
    size_t page;
};

/* Hands back the whole pages inside [start, end): the range is scanned, and its neighbours'
 * pages (a shared page at either end) are left to them. */
static void partscan_release(const struct partscan_pool *pool, int64_t start, int64_t end) {
    const uintptr_t a = (uintptr_t)(pool->base + start), b = (uintptr_t)(pool->base + end);
    const uintptr_t lo = (a + pool->page - 1) / pool->page * pool->page;
    const uintptr_t hi = b / pool->page * pool->page;
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_DONTNEED); /* advisory */
}

static void partscan_one(const struct partscan_pool *pool, struct partscan_range *r) {
    struct hash_wide h;
    hash_wide_init(&h);
    int64_t lines = 0;
    for (int64_t at = r->start; at < r->end;) {
        const size_t n = (size_t)(r->end - at) < PARTSCAN_BLOCK ? (size_t)(r->end - at) : PARTSCAN_BLOCK;
        lines += partscan_nl_count(pool->base + at, n);
        hash_wide_update(&h, pool->base + at, n);
        at += (int64_t)n;
    }
    if (r->end > r->start && pool->base[r->end - 1] != '\n') lines++;
    r->lines = lines;
    r->hash = hash_wide_final(&h);
    partscan_release(pool, r->start, r->end);
}

static void *partscan_main(void *arg) {
    struct partscan_pool *pool = arg;
    size_t i;
    while ((i = atomic_fetch_add(&pool->next, 1)) < pool->n) partscan_one(pool, &pool->r[i]);
    return NULL;
}

void partscan_ranges(const unsigned char *base, struct partscan_range *r, size_t n, int threads) {
    struct partscan_pool pool = {.base = base, .r = r, .n = n,
                                 .page = (size_t)sysconf(_SC_PAGESIZE)};
    atomic_init(&pool.next, 0);
    if (threads > PARTSCAN_MAX_THREADS) threads = PARTSCAN_MAX_THREADS;
    if ((size_t)threads > n) threads = (int)n;
    pthread_t t[PARTSCAN_MAX_THREADS];
    int started = 0;
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&t[started], NULL, partscan_main, &pool) != 0) break;
        started++;
    }
    partscan_main(&pool);
    for (int i = 0; i < started; i++) pthread_join(t[i], NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash.h - a 64-bit non-cryptographic hash (FNV-1a folded over 8-byte words, then mixed) for
 * fingerprints and content hashes: fast, stable across machines and runs. Not for security.
 * Depends on libc only.
 */
#ifndef ZEST_HASH_H
#define ZEST_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HASH_SEED 0xcbf29ce484222325ull

/* Continues hash h over n bytes. */
static inline uint64_t hash_bytes(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; n; n--, p++) h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

/* Final avalanche, so nearby inputs give unrelated outputs. */
static inline uint64_t hash_finish(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

/* A hash for long inputs (partition content hashes), four 64-bit lanes fed 32 bytes at a
 * time with the multiply-accumulate step of the XXH3 family: per lane, with d the data word
 * and k a fixed key, acc += lo32(d ^ k) * hi32(d ^ k) + d' (d' the neighbouring word).
 * The SSE2 and the plain C versions give the same value. Feed pieces whose lengths are
 * multiples of 32 bytes; only the last piece may be shorter. Not for security. */
struct hash_wide {
    uint64_t lane[4];
    uint64_t len;
    uint64_t tail; /* hash_bytes of a final short piece */
};

static const uint64_t hash_wide_key[4] = {0xbe4ba423396cfeb8ull, 0x1cad21f72c81017cull,
                                          0xdb979083e96dd4deull, 0x1f67b3b7a4a44072ull};

static inline void hash_wide_init(struct hash_wide *h) {
    for (int i = 0; i < 4; i++) h->lane[i] = HASH_SEED + 0x9e3779b97f4a7c15ull * (uint64_t)i;
    h->len = 0;
    h->tail = HASH_SEED;
}

/* One 32-byte stripe, plain C: lane i takes word i, and word i^1 as its neighbour. */
static inline void hash_wide_stripe_c(uint64_t lane[4], const unsigned char *p) {
    uint64_t w[4];
    memcpy(w, p, 32);
    for (int i = 0; i < 4; i++) {
        const uint64_t dk = w[i] ^ hash_wide_key[i];
        lane[i] += (dk & 0xffffffffull) * (dk >> 32) + w[i ^ 1];
    }
}

#if defined(__SSE2__)
#include <emmintrin.h>
static inline void hash_wide_stripes(uint64_t lane[4], const unsigned char *p, size_t n) {
    __m128i a0 = _mm_loadu_si128((const __m128i *)(const void *)lane);
    __m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)(lane + 2));
    const __m128i k0 = _mm_loadu_si128((const __m128i *)(const void *)hash_wide_key);
    const __m128i k1 = _mm_loadu_si128((const __m128i *)(const void *)(hash_wide_key + 2));
    for (; n >= 32; n -= 32, p += 32) {
        const __m128i d0 = _mm_loadu_si128((const __m128i *)(const void *)p);
        const __m128i d1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
        const __m128i x0 = _mm_xor_si128(d0, k0), x1 = _mm_xor_si128(d1, k1);
        const __m128i m0 = _mm_mul_epu32(x0, _mm_srli_epi64(x0, 32));
        const __m128i m1 = _mm_mul_epu32(x1, _mm_srli_epi64(x1, 32));
        a0 = _mm_add_epi64(a0, _mm_add_epi64(m0, _mm_shuffle_epi32(d0, 0x4E)));
        a1 = _mm_add_epi64(a1, _mm_add_epi64(m1, _mm_shuffle_epi32(d1, 0x4E)));
    }
    _mm_storeu_si128((__m128i *)(void *)lane, a0);
    _mm_storeu_si128((__m128i *)(void *)(lane + 2), a1);
}
#else
static inline void hash_wide_stripes(uint64_t lane[4], const unsigned char *p, size_t n) {
    for (; n >= 32; n -= 32, p += 32) hash_wide_stripe_c(lane, p);
}
#endif

static inline void hash_wide_update(struct hash_wide *h, const void *data, size_t n) {
    const unsigned char *p = data;
    const size_t whole = n / 32 * 32;
    hash_wide_stripes(h->lane, p, whole);
    h->len += n;
    if (n > whole) h->tail = hash_bytes(h->tail, p + whole, n - whole);
}

static inline uint64_t hash_wide_final(const struct hash_wide *h) {
    uint64_t x = h->len * 0x9e3779b97f4a7c15ull ^ h->tail;
    for (int i = 0; i < 4; i++) x = hash_finish(x ^ h->lane[i]);
    return x;
}

#endif

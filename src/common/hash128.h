/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash128.h - a 128-bit non-cryptographic hash for content identity (exact deduplication):
 * two 64-bit lanes take 16 bytes per step through folded 64x64->128-bit multiplies (the
 * halves of the product xored), and each step crosses the lanes, so the 128-bit state depends
 * on every input byte. Stable across machines and runs. Accidental collisions are governed by
 * the birthday bound (about n^2 / 2^129 for n distinct inputs); it is not built to resist
 * inputs crafted to collide (docs/dedup.md says what that means). Depends on libc only.
 */
#ifndef ZEST_HASH128_H
#define ZEST_HASH128_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 64x64->128-bit products (a GCC and Clang extension, said so to -Wpedantic). */
__extension__ typedef unsigned __int128 hash128_u128;

struct hash128 {
    uint64_t lo, hi;
};

static inline uint64_t hash128_fold(uint64_t a, uint64_t b) {
    const hash128_u128 r = (hash128_u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t hash128_rotl(uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}

/* One 16-byte block (w0, w1) into the lanes. */
static inline void hash128_step(uint64_t *a, uint64_t *b, uint64_t w0, uint64_t w1) {
    const uint64_t x =
        hash128_fold(w0 ^ *a ^ 0xa0761d6478bd642full, w1 ^ *b ^ 0xe7037ed1a0b428dbull);
    const uint64_t y =
        hash128_fold(w0 ^ *b ^ 0x8ebc6af09c88c6e3ull, w1 ^ *a ^ 0x589965cc75374cc3ull);
    *a = x + hash128_rotl(*b, 23);
    *b = y ^ hash128_rotl(*a, 41);
}

static inline struct hash128 hash128_bytes(const void *data, size_t n) {
    const unsigned char *p = data;
    uint64_t a = 0x243f6a8885a308d3ull ^ (uint64_t)n, b = 0x13198a2e03707344ull;
    size_t left = n;
    for (; left >= 16; left -= 16, p += 16) {
        uint64_t w0, w1;
        memcpy(&w0, p, 8);
        memcpy(&w1, p + 8, 8);
        hash128_step(&a, &b, w0, w1);
    }
    unsigned char tail[16] = {0};
    memcpy(tail, p, left);
    uint64_t w0, w1;
    memcpy(&w0, tail, 8);
    memcpy(&w1, tail + 8, 8);
    hash128_step(&a, &b, w0 ^ (uint64_t)left, w1);
    hash128_step(&a, &b, (uint64_t)n, 0x452821e638d01377ull); /* length, then avalanche */
    return (struct hash128){.lo = a, .hi = b};
}

#endif

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

/* The same kind of hash over four 8-byte lanes at once, for long inputs (partition content
 * hashes): the lanes are independent, so it runs several times faster than hash_bytes. Feed
 * pieces whose lengths are multiples of 32 bytes; only the last piece may be shorter. */
struct hash_wide {
    uint64_t lane[4];
    uint64_t len;
};

static inline void hash_wide_init(struct hash_wide *h) {
    for (int i = 0; i < 4; i++) h->lane[i] = HASH_SEED + 0x9e3779b97f4a7c15ull * (uint64_t)i;
    h->len = 0;
}

static inline void hash_wide_update(struct hash_wide *h, const void *data, size_t n) {
    const unsigned char *p = data;
    h->len += n;
    for (; n >= 32; n -= 32, p += 32) {
        for (int i = 0; i < 4; i++) {
            uint64_t w;
            memcpy(&w, p + 8 * i, 8);
            h->lane[i] = (h->lane[i] ^ w) * 0x100000001b3ull;
            h->lane[i] ^= h->lane[i] >> 29;
        }
    }
    h->lane[0] = hash_bytes(h->lane[0], p, n);
}

static inline uint64_t hash_wide_final(const struct hash_wide *h) {
    uint64_t x = h->len * 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 4; i++) x = hash_finish(x ^ h->lane[i]);
    return x;
}

#endif

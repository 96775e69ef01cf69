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

#endif

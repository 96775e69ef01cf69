/* SPDX-License-Identifier: Apache-2.0 */
/*
 * utf8.h - decoding helpers for text that is already known to be valid UTF-8 (everything in a
 * batch was validated by the JSON parser), and SWAR byte tests used by hot loops.
 */
#ifndef ZEST_UTF8_H
#define ZEST_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Decodes the code point at p (valid UTF-8); *n gets its byte length. */
static inline uint32_t utf8_decode(const unsigned char *p, size_t *n) {
    const uint32_t b = p[0];
    if (b < 0x80) {
        *n = 1;
        return b;
    }
    if (b < 0xE0) {
        *n = 2;
        return ((b & 0x1F) << 6) | (p[1] & 0x3F);
    }
    if (b < 0xF0) {
        *n = 3;
        return ((b & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    *n = 4;
    return ((b & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) |
           (p[3] & 0x3F);
}

/* Start of the code point that ends just before `end` (valid UTF-8, end > start). */
static inline const unsigned char *utf8_prev(const unsigned char *start, const unsigned char *end) {
    const unsigned char *p = end - 1;
    while (p > start && (*p & 0xC0) == 0x80) p--;
    return p;
}

static inline uint64_t utf8_load8(const void *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Nonzero when some byte of w is zero (the classic SWAR test). */
static inline uint64_t swar_has_zero(uint64_t w) {
    return (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
}
static inline uint64_t swar_has_byte(uint64_t w, unsigned char c) {
    return swar_has_zero(w ^ (0x0101010101010101ull * c));
}

#endif

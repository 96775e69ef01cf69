/* SPDX-License-Identifier: Apache-2.0 */
/*
 * special_chars.h - Data-Juicer's SPECIAL_CHARACTERS: string.punctuation, string.digits, the six
 * ASCII whitespace characters, its list of typographic and CJK symbols, and every one-code-point
 * emoji of the emoji package 2.2.0 (Emoji 15.0), the version Data-Juicer pins. The table is
 * generated into special_chars_table.c by scripts/gen_special_chars.py. Depends on libc only.
 */
#ifndef ZEST_SPECIAL_CHARS_H
#define ZEST_SPECIAL_CHARS_H

#include <stdbool.h>
#include <stdint.h>

extern const uint64_t special_chars_bmp[1024];
extern const uint32_t special_chars_astral[];
extern const unsigned special_chars_astral_count;
extern const unsigned special_chars_count;
extern const char special_chars_emoji_version[];

/* Is the code point in SPECIAL_CHARACTERS? */
static inline bool special_chars_has(uint32_t c) {
    if (c < 0x10000) return (special_chars_bmp[c >> 6] >> (c & 63)) & 1;
    unsigned lo = 0, hi = special_chars_astral_count;
    while (lo < hi) {
        const unsigned mid = (lo + hi) / 2;
        if (special_chars_astral[mid] == c) return true;
        if (special_chars_astral[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

#endif

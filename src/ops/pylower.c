/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pylower.c - Python's str.lower() on UTF-8 (see pylower.h): ASCII bytes through a table,
 * other code points through utf8proc's lowercase mapping plus the two rules where Python's
 * full case mapping differs from the simple one: U+0130 becomes "i" + U+0307, and a capital
 * sigma at the end of a word becomes the final sigma.
 */
#include "pylower.h"

#include <string.h>
#include <utf8proc.h>

#include "../common/err.h"
#include "zest.h"

/* Cased letters (Unicode's Cased property, as far as categories tell it). */
static bool pl_cased(utf8proc_int32_t c) {
    const utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL || k == UTF8PROC_CATEGORY_LT ||
           (c >= 0x2160 && c <= 0x217F) || (c >= 0x24B6 && c <= 0x24E9) ||
           c == 0x00AA || c == 0x00BA || (c >= 0x02B0 && c <= 0x02B8) || c == 0x0345;
}

/* Case_Ignorable: marks, format characters, modifier letters and symbols, and the word-break
 * MidLetter / MidNumLet / Single_Quote characters. */
static bool pl_case_ignorable(utf8proc_int32_t c) {
    static const utf8proc_int32_t mid[] = {0x0027, 0x002E, 0x003A, 0x00B7, 0x0387, 0x055F,
                                           0x05F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13,
                                           0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A};
    const utf8proc_category_t k = utf8proc_category(c);
    if (k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_ME || k == UTF8PROC_CATEGORY_CF ||
        k == UTF8PROC_CATEGORY_LM || k == UTF8PROC_CATEGORY_SK)
        return true;
    for (size_t i = 0; i < sizeof mid / sizeof mid[0]; i++)
        if (mid[i] == c) return true;
    return false;
}

/* The code point before byte `at` (or -1), skipping case-ignorable ones: is it cased? */
static bool pl_cased_before(const unsigned char *s, size_t at) {
    while (at > 0) {
        size_t start = at - 1;
        while (start > 0 && (s[start] & 0xC0) == 0x80) start--;
        utf8proc_int32_t c;
        if (utf8proc_iterate(s + start, (utf8proc_ssize_t)(at - start), &c) < 0) return false;
        if (!pl_case_ignorable(c)) return pl_cased(c);
        at = start;
    }
    return false;
}

static bool pl_cased_after(const unsigned char *s, size_t at, size_t len) {
    while (at < len) {
        utf8proc_int32_t c;
        const utf8proc_ssize_t n = utf8proc_iterate(s + at, (utf8proc_ssize_t)(len - at), &c);
        if (n <= 0) return false;
        if (!pl_case_ignorable(c)) return pl_cased(c);
        at += (size_t)n;
    }
    return false;
}

static utf8proc_int32_t pl_sigma(const unsigned char *s, size_t at, size_t next, size_t len) {
    const bool final = pl_cased_before(s, at) && !pl_cased_after(s, next, len);
    return final ? 0x03C2 : 0x03C3;
}

/* Lowercases the run of ASCII bytes from *at, a byte each, branch-free, and moves *at past it. */
static int pl_ascii_run(const unsigned char *s, size_t *at, size_t len, bool newline_to_space,
                        struct buf *out) {
    const size_t i = *at;
    size_t j = i;
    while (j < len && s[j] < 0x80) j++;
    ZEST_TRY(buf_reserve(out, j - i));
    char *d = out->data + out->len;
    const unsigned char nl = newline_to_space ? '\n' : 0x80; /* 0x80: no ASCII byte matches */
    for (size_t k = i; k < j; k++) {
        const unsigned char c = s[k];
        const unsigned char lc = (unsigned char)(c + ((unsigned)(c - 'A') < 26u) * 32u);
        d[k - i] = (char)(c == nl ? ' ' : lc);
    }
    out->len += j - i;
    *at = j;
    return 0;
}

int pylower(const char *text, size_t len, bool newline_to_space, struct buf *out) {
    const unsigned char *s = (const unsigned char *)text;
    buf_clear(out);
    ZEST_TRY(buf_reserve(out, len + 16));
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            ZEST_TRY(pl_ascii_run(s, &i, len, newline_to_space, out));
            continue;
        }
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c);
        if (n <= 0) { /* not UTF-8: the byte as it is (the reader repaired input already) */
            ZEST_TRY(buf_putc(out, (char)s[i++]));
            continue;
        }
        utf8proc_uint8_t enc[8];
        utf8proc_ssize_t m;
        if (c == 0x0130) {
            m = utf8proc_encode_char(0x0069, enc);
            m += utf8proc_encode_char(0x0307, enc + m);
        } else {
            const utf8proc_int32_t lc = c == 0x03A3 ? pl_sigma(s, i, i + (size_t)n, len)
                                                    : utf8proc_tolower(c);
            m = utf8proc_encode_char(lc, enc);
        }
        ZEST_TRY(buf_append(out, enc, (size_t)m));
        i += (size_t)n;
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pychar.c - Python's str character classes and splitlines() boundaries (see pychar.h). ASCII
 * goes through one flag table; other code points through utf8proc's general category, which
 * decides isalpha and isalnum exactly (checked over every code point against Python 3.11:
 * isalnum is precisely the L* and N* categories, isalpha the L* ones). isdigit also needs
 * Numeric_Type=Digit, which utf8proc lacks: those characters (all category No) are listed.
 */
#include "pychar.h"

#include <string.h>
#include <utf8proc.h>

#include "../common/utf8.h"

enum { PC_ALPHA = 1, PC_DIGIT = 2, PC_SPACE = 4, PC_BREAK = 8 };

static const unsigned char ascii_flags[128] = {
    [0x09] = PC_SPACE,          [0x0A] = PC_SPACE | PC_BREAK, [0x0B] = PC_SPACE | PC_BREAK,
    [0x0C] = PC_SPACE | PC_BREAK, [0x0D] = PC_SPACE | PC_BREAK, [0x1C] = PC_SPACE | PC_BREAK,
    [0x1D] = PC_SPACE | PC_BREAK, [0x1E] = PC_SPACE | PC_BREAK, [0x1F] = PC_SPACE,
    [' '] = PC_SPACE,
    ['0'] = PC_DIGIT, ['1'] = PC_DIGIT, ['2'] = PC_DIGIT, ['3'] = PC_DIGIT, ['4'] = PC_DIGIT,
    ['5'] = PC_DIGIT, ['6'] = PC_DIGIT, ['7'] = PC_DIGIT, ['8'] = PC_DIGIT, ['9'] = PC_DIGIT,
    ['A'] = PC_ALPHA, ['B'] = PC_ALPHA, ['C'] = PC_ALPHA, ['D'] = PC_ALPHA, ['E'] = PC_ALPHA,
    ['F'] = PC_ALPHA, ['G'] = PC_ALPHA, ['H'] = PC_ALPHA, ['I'] = PC_ALPHA, ['J'] = PC_ALPHA,
    ['K'] = PC_ALPHA, ['L'] = PC_ALPHA, ['M'] = PC_ALPHA, ['N'] = PC_ALPHA, ['O'] = PC_ALPHA,
    ['P'] = PC_ALPHA, ['Q'] = PC_ALPHA, ['R'] = PC_ALPHA, ['S'] = PC_ALPHA, ['T'] = PC_ALPHA,
    ['U'] = PC_ALPHA, ['V'] = PC_ALPHA, ['W'] = PC_ALPHA, ['X'] = PC_ALPHA, ['Y'] = PC_ALPHA,
    ['Z'] = PC_ALPHA, ['a'] = PC_ALPHA, ['b'] = PC_ALPHA, ['c'] = PC_ALPHA, ['d'] = PC_ALPHA,
    ['e'] = PC_ALPHA, ['f'] = PC_ALPHA, ['g'] = PC_ALPHA, ['h'] = PC_ALPHA, ['i'] = PC_ALPHA,
    ['j'] = PC_ALPHA, ['k'] = PC_ALPHA, ['l'] = PC_ALPHA, ['m'] = PC_ALPHA, ['n'] = PC_ALPHA,
    ['o'] = PC_ALPHA, ['p'] = PC_ALPHA, ['q'] = PC_ALPHA, ['r'] = PC_ALPHA, ['s'] = PC_ALPHA,
    ['t'] = PC_ALPHA, ['u'] = PC_ALPHA, ['v'] = PC_ALPHA, ['w'] = PC_ALPHA, ['x'] = PC_ALPHA,
    ['y'] = PC_ALPHA, ['z'] = PC_ALPHA,
};

bool pychar_isalpha(uint32_t c) {
    if (c < 0x80) return ascii_flags[c] & PC_ALPHA;
    const utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

bool pychar_isalnum(uint32_t c) {
    if (c < 0x80) return ascii_flags[c] & (PC_ALPHA | PC_DIGIT);
    const utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
           (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO);
}

/* Numeric_Type=Digit outside category Nd (Unicode 14.0 and 15.0 agree). */
static const uint32_t digit_ranges[][2] = {
    {0x00B2, 0x00B3},   {0x00B9, 0x00B9},   {0x1369, 0x1371},   {0x19DA, 0x19DA},
    {0x2070, 0x2070},   {0x2074, 0x2079},   {0x2080, 0x2089},   {0x2460, 0x2468},
    {0x2474, 0x247C},   {0x2488, 0x2490},   {0x24EA, 0x24EA},   {0x24F5, 0x24FD},
    {0x24FF, 0x24FF},   {0x2776, 0x277E},   {0x2780, 0x2788},   {0x278A, 0x2792},
    {0x10A40, 0x10A43}, {0x10E60, 0x10E68}, {0x11052, 0x1105A}, {0x1F100, 0x1F10A},
};

bool pychar_isdigit(uint32_t c) {
    if (c < 0x80) return ascii_flags[c] & PC_DIGIT;
    if (utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_ND) return true;
    for (size_t i = 0; i < sizeof digit_ranges / sizeof digit_ranges[0]; i++)
        if (c >= digit_ranges[i][0] && c <= digit_ranges[i][1]) return true;
    return false;
}

bool pychar_isspace(uint32_t c) {
    if (c < 0x80) return ascii_flags[c] & PC_SPACE;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool pychar_is_line_break(uint32_t c) {
    if (c < 0x80) return ascii_flags[c] & PC_BREAK;
    return c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* Code points = bytes that are not UTF-8 continuation bytes (10xxxxxx); 8 bytes at a time. */
int64_t pychar_len(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    int64_t cont = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        const uint64_t w = utf8_load8(p + i);
        const uint64_t m = (w & ~(w << 1) & 0x8080808080808080ull) >> 7;
        cont += (int64_t)((m * 0x0101010101010101ull) >> 56);
    }
    for (; i < len; i++) cont += (p[i] & 0xC0) == 0x80;
    return (int64_t)len - cont;
}

/* Bytes that may start a boundary: the ASCII ones, 0xC2 (U+0085) and 0xE2 (U+2028/9). */
static bool maybe_break(unsigned char b) {
    return b < 0x80 ? (ascii_flags[b] & PC_BREAK) != 0 : b == 0xC2 || b == 0xE2;
}

/* The boundary at p, if any: its byte length, else 0. */
static size_t break_at(const unsigned char *p, const unsigned char *end) {
    if (*p < 0x80) {
        if (!(ascii_flags[*p] & PC_BREAK)) return 0;
        return *p == '\r' && p + 1 < end && p[1] == '\n' ? 2 : 1;
    }
    if (*p == 0xC2) return end - p >= 2 && p[1] == 0x85 ? 2 : 0;
    if (*p == 0xE2)
        return end - p >= 3 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9) ? 3 : 0;
    return 0;
}

int pychar_next_line(const char *s, size_t len, size_t *pos, const char **line,
                     size_t *line_len) {
    const unsigned char *start = (const unsigned char *)s + *pos, *end = (const unsigned char *)s + len;
    if (start >= end) return 0;
    for (const unsigned char *p = start; p < end; p++) {
        if (!maybe_break(*p)) continue;
        const size_t n = break_at(p, end);
        if (!n) continue;
        *line = (const char *)start;
        *line_len = (size_t)(p - start);
        *pos = (size_t)(p + n - (const unsigned char *)s);
        return 1;
    }
    *line = (const char *)start;
    *line_len = (size_t)(end - start);
    *pos = len;
    return 1;
}

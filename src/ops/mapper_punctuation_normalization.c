/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_punctuation_normalization.c - punctuation_normalization_mapper (Data-Juicer's): each
 * character of Data-Juicer's table of 34 Unicode punctuation marks becomes its ASCII stand-in
 * (one character for one string: '—' becomes " - ", '．' becomes ". ", '…' becomes "...",
 * and the fullwidth digit one '１' becomes '"', as in the table). Everything else is copied.
 */
#include "../common/utf8.h"
#include "textmap.h"

struct punct {
    uint32_t cp;
    const char *to;
};

/* Data-Juicer's punctuation_unicode table, sorted by code point for the binary search. */
static const struct punct punct_table[] = {
    {0x00AB, "\""},  {0x00B4, "'"},   {0x00BB, "\""},  {0x2013, "-"},  {0x2014, " - "},
    {0x2019, "'"},   {0x201C, "\""},  {0x201D, "\""},  {0x201E, "\""}, {0x2026, "..."},
    {0x2236, ":"},   {0x2501, "-"},   {0x25BA, "-"},   {0x3001, ","},  {0x3002, "."},
    {0x3008, "<"},   {0x3009, ">"},   {0x300A, "\""},  {0x300B, "\""}, {0x300C, "\""},
    {0x300D, "\""},  {0x3010, "["},   {0x3011, "]"},   {0xFF01, "!"},  {0xFF05, "%"},
    {0xFF08, "("},   {0xFF09, ")"},   {0xFF0C, ","},   {0xFF0E, ". "}, {0xFF11, "\""},
    {0xFF1A, ":"},   {0xFF1B, ";"},   {0xFF1F, "?"},   {0xFF5E, "~"},
};

static const char *punct_lookup(uint32_t cp) {
    size_t lo = 0, hi = sizeof punct_table / sizeof punct_table[0];
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (punct_table[mid].cp == cp) return punct_table[mid].to;
        if (punct_table[mid].cp < cp) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* A replacement is at most 3 bytes and never longer than the character it replaces except
 * '—' (3 -> 3) and '．' (3 -> 2), so the output fits in len bytes. */
static int punct_apply(void *state, const char *s, size_t len, struct buf *out) {
    (void)state;
    ZEST_TRY(buf_reserve(out, len));
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    unsigned char *o = (unsigned char *)out->data + out->len;
    while (p < end) {
        while (end - p >= 8 && !(utf8_load8(p) & 0x8080808080808080ull)) {
            memcpy(o, p, 8);
            p += 8, o += 8;
        }
        if (p == end) break;
        if (*p < 0x80) {
            *o++ = *p++;
            continue;
        }
        size_t n;
        const uint32_t cp = utf8_decode(p, &n);
        const char *to = (cp >= 0xAB && cp <= 0xFF5E) ? punct_lookup(cp) : NULL;
        if (to) {
            const size_t k = strlen(to);
            memcpy(o, to, k);
            o += k;
        } else {
            memcpy(o, p, n);
            o += n;
        }
        p += n;
    }
    out->len = (size_t)((char *)o - out->data);
    return 0;
}

static int punct_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, punct_apply, state, err);
}

const struct op_desc op_punctuation_normalization_mapper = {
    .info = {.name = "punctuation_normalization_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Turn Unicode punctuation (CJK, typographic quotes and dashes) into its "
                        "ASCII equivalent",
             .params = NULL,
             .n_params = 0},
    .state_size = 0,
    .process = punct_process,
};

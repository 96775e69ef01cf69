/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_whitespace_normalization.c - whitespace_normalization_mapper, exactly as Data-Juicer:
 * Python's str.strip() (every character for which str.isspace() is true, at both ends), then
 * each character of VARIOUS_WHITESPACES becomes one ASCII space, one for one (runs are not
 * collapsed; \n \r \v \f stay; zero-width characters become spaces; U+0084 is in the set and
 * U+0085 is not, as in Data-Juicer's table).
 */
#include "../common/err.h"
#include "../common/utf8.h"
#include "op.h"

/* Python's str.isspace(). */
static int is_py_space(uint32_t c) {
    if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Data-Juicer's VARIOUS_WHITESPACES, beyond the ASCII space itself. */
static int is_various_ws(uint32_t c) {
    return c == 0x09 || c == 0x84 || c == 0xA0 || (c >= 0x2000 && c <= 0x200D) || c == 0x2060 ||
           c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFFFC;
}

static void strip_ends(const unsigned char **begin, const unsigned char **end) {
    size_t n;
    while (*begin < *end && is_py_space(utf8_decode(*begin, &n))) *begin += n;
    while (*end > *begin) {
        const unsigned char *p = utf8_prev(*begin, *end);
        if (!is_py_space(utf8_decode(p, &n))) break;
        *end = p;
    }
}

/* Writes [p, end) to out with the replacements; returns the bytes written (never more than
 * the input). Plain ASCII without tabs is copied 8 bytes at a time. */
#if defined(__SSE2__)
#include <emmintrin.h>

/* Copies 16-byte blocks that hold no tab and no lead byte of a character in the table (C2,
 * E2, E3, EF); stops at a character start. Most text, of any script, moves this way. */
static const unsigned char *copy_plain_blocks(const unsigned char *p, const unsigned char *end,
                                              unsigned char **o) {
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        const __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xC2))),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE2)),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE3))),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xEF))));
        const unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask) {
            const unsigned k = (unsigned)__builtin_ctz(mask);
            memcpy(*o, p, k);
            *o += k;
            return p + k;
        }
        /* never stop inside a character: the byte loop below decodes from p */
        const unsigned tail = p[15] >= 0xC0 ? 1 : p[14] >= 0xE0 ? 2 : p[13] >= 0xF0 ? 3 : 0;
        _mm_storeu_si128((__m128i *)(void *)*o, v);
        *o += 16 - tail;
        p += 16 - tail;
    }
    return p;
}
#endif

static size_t replace_ws(const unsigned char *p, const unsigned char *end, unsigned char *out) {
    unsigned char *o = out;
    while (p < end) {
#if defined(__SSE2__)
        p = copy_plain_blocks(p, end, &o);
#endif
        while (end - p >= 8) {
            const uint64_t w = utf8_load8(p);
            if ((w & 0x8080808080808080ull) || swar_has_byte(w, '\t')) break;
            memcpy(o, p, 8);
            p += 8, o += 8;
        }
        if (p == end) break;
        if (*p < 0x80) {
            *o++ = *p == '\t' ? ' ' : *p;
            p++;
            continue;
        }
        size_t n;
        const uint32_t c = utf8_decode(p, &n);
        if (is_various_ws(c)) {
            *o++ = ' ';
        } else {
            memcpy(o, p, n);
            o += n;
        }
        p += n;
    }
    return (size_t)(o - out);
}

static int whitespace_process(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct column *text = &ctx->in->cols[ctx->text_col];
    struct col_builder *out = ctx->text_out;
    (void)state, (void)err;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        if (!col_is_valid(text, r)) {
            ZEST_TRY(colb_append_null(out));
            continue;
        }
        size_t len;
        const unsigned char *b = (const unsigned char *)col_str(text, r, &len), *e = b + len;
        strip_ends(&b, &e);
        ZEST_TRY(buf_reserve(&out->data, (size_t)(e - b)));
        out->data.len += replace_ws(b, e, (unsigned char *)out->data.data + out->data.len);
        ZEST_TRY(colb_commit_str(out));
    }
    ctx->text_replaced = true;
    return 0;
}

const struct op_desc op_whitespace_normalization_mapper = {
    .info = {.name = "whitespace_normalization_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Strip the text and turn every kind of unicode whitespace into an ASCII "
                        "space, one for one",
             .params = NULL,
             .n_params = 0},
    .state_size = 0,
    .process = whitespace_process,
};

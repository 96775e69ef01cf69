/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_fix_unicode.c - fix_unicode_mapper: the part of Data-Juicer's ftfy.fix_text(text,
 * normalization=...) that a table can do, in ftfy's order:
 *   1. HTML character references decoded when the text has no '<' (named ones from libxml2's
 *      HTML 4 table, numeric ones);
 *   2. terminal escapes (ESC [ digits/; letter) deleted;
 *   3. mojibake repaired: a run of characters that, written back as Windows-1252 / Latin-1
 *      bytes, is one well-formed multi-byte UTF-8 character becomes that character; passes
 *      repeat until nothing changes, so text decoded wrongly twice or three times comes back;
 *      C1 controls left over are read as Windows-1252;
 *   4. Latin ligatures split (ﬁ -> fi), fullwidth forms made ASCII-width (NFKC of
 *      U+FF01..U+FFEF, U+3000 -> ' '), curly quotes made straight, line breaks (\r\n, \r,
 *      U+0085, U+2028, U+2029) made '\n', and ftfy's control characters deleted;
 *   5. Unicode normalization (NFC by default) with utf8proc.
 * docs/ops/fix_unicode_mapper.md says what ftfy repairs that this does not.
 */
#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <strings.h>
#include <utf8proc.h>

#include "../common/err.h"
#include "../common/utf8.h"
#include "textmap.h"

enum { P_NORMALIZATION };

static const zest_param_desc params[] = {
    {.name = "normalization", .type = ZEST_PARAM_STRING, .default_value = NULL,
     .help = "Unicode normalization form: NFC, NFKC, NFD or NFKD (any case; null or empty: "
             "NFC)"},
};

struct state {
    utf8proc_option_t norm;
    struct buf a, b;
    utf8proc_int32_t *cps;
    size_t cap;
};

static int fix_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    const char *n = p->v[P_NORMALIZATION].s;
    buf_init(&s->a, 0);
    buf_init(&s->b, 0);
    s->norm = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    if (!n || !*n || strcasecmp(n, "NFC") == 0) return 0;
    if (strcasecmp(n, "NFKC") == 0) s->norm = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
    else if (strcasecmp(n, "NFD") == 0) s->norm = UTF8PROC_STABLE | UTF8PROC_DECOMPOSE;
    else if (strcasecmp(n, "NFKD") == 0)
        s->norm = UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT;
    else
        return err_set(err, ZEST_E_CONFIG,
                       "normalization '%s' is not supported (NFC, NFKC, NFD or NFKD)",
                       n);
    return 0;
}

static int put_cp(struct buf *out, uint32_t v) {
    unsigned char u[4];
    const utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)v, u);
    return buf_append(out, u, (size_t)n);
}

/* --- 1. HTML character references ----------------------------------------------------------- */

static long entity_value(const char *name, size_t n) {
    char tmp[40];
    if (n == 0 || n >= sizeof tmp) return -1;
    memcpy(tmp, name, n);
    tmp[n] = '\0';
    if (tmp[0] == '#') {
        char *end;
        const bool hex = tmp[1] == 'x' || tmp[1] == 'X';
        const long v = strtol(tmp + 1 + hex, &end, hex ? 16 : 10);
        if (*end || end == tmp + 1 + hex || v <= 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return -1;
        return v;
    }
    const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)tmp);
    return e ? (long)e->value : -1;
}

/* &name; and &#N; / &#xH; (1 to 24 characters between '&' and ';', as ftfy's pattern). */
static int unescape_html(const char *s, size_t len, struct buf *out) {
    size_t copied = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '&') continue;
        size_t j = i + 1;
        while (j < len && j - i <= 25 && s[j] != ';' && s[j] != '&' && (unsigned char)s[j] > ' ')
            j++;
        if (j >= len || s[j] != ';') continue;
        const long v = entity_value(s + i + 1, j - i - 1);
        if (v < 0) continue;
        ZEST_TRY(buf_append(out, s + copied, i - copied));
        ZEST_TRY(put_cp(out, (uint32_t)v));
        copied = j + 1;
        i = j;
    }
    return buf_append(out, s + copied, len - copied);
}

/* --- 2. terminal escapes ------------------------------------------------------------------- */

static int remove_terminal_escapes(const char *s, size_t len, struct buf *out) {
    size_t copied = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] != '\x1b' || s[i + 1] != '[') continue;
        size_t j = i + 2;
        while (j < len && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';')) j++;
        if (j >= len || !((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) continue;
        ZEST_TRY(buf_append(out, s + copied, i - copied));
        copied = j + 1;
        i = j;
    }
    return buf_append(out, s + copied, len - copied);
}

/* --- 3. mojibake --------------------------------------------------------------------------- */

/* Windows-1252's characters for bytes 0x80..0x9F (0: undefined, read as Latin-1). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/* The byte a character was decoded from (Windows-1252 or Latin-1), or -1. */
static int cp_byte(uint32_t c) {
    if (c < 0x100) return (int)c;
    for (int i = 0; i < 32; i++)
        if (cp1252_high[i] == c) return 0x80 + i;
    return -1;
}

/* Tries to read one UTF-8 character from the bytes of the characters at p; returns the
 * characters' byte length in the text and the decoded code point, or 0. */
static size_t moji_seq(const unsigned char *p, const unsigned char *end, uint32_t *cp) {
    size_t n;
    const int b0 = cp_byte(utf8_decode(p, &n));
    if (b0 < 0xC2 || b0 > 0xF4) return 0;
    const int need = b0 < 0xE0 ? 1 : b0 < 0xF0 ? 2 : 3;
    uint32_t v = (uint32_t)b0 & (need == 1 ? 0x1F : need == 2 ? 0x0F : 0x07);
    const unsigned char *q = p + n;
    for (int k = 0; k < need; k++) {
        if (q >= end) return 0;
        size_t m;
        const int b = cp_byte(utf8_decode(q, &m));
        if (b < 0x80 || b > 0xBF) return 0;
        if (k == 0 && ((b0 == 0xE0 && b < 0xA0) || (b0 == 0xED && b > 0x9F) ||
                       (b0 == 0xF0 && b < 0x90) || (b0 == 0xF4 && b > 0x8F)))
            return 0;
        v = (v << 6) | ((uint32_t)b & 0x3F);
        q += m;
    }
    *cp = v;
    return (size_t)(q - p);
}

/* One pass; *changed tells whether a sequence was repaired. */
static int moji_pass(const char *s, size_t len, struct buf *out, bool *changed) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    const unsigned char *copied = p;
    *changed = false;
    while (p < end) {
        if (*p != 0xC3) { /* a lead byte C2..F4 read as a character is U+00C2..U+00F4 */
            p += *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
            continue;
        }
        uint32_t cp;
        const size_t n = moji_seq(p, end, &cp);
        if (!n) {
            p += *p < 0xE0 ? 2 : 3;
            continue;
        }
        ZEST_TRY(buf_append(out, copied, (size_t)(p - copied)));
        ZEST_TRY(put_cp(out, cp));
        p += n;
        copied = p;
        *changed = true;
    }
    return buf_append(out, copied, (size_t)(end - copied));
}

/* --- 4. per-character fixes ---------------------------------------------------------------- */

static const struct {
    uint32_t cp;
    const char *to;
} ligatures[] = {{0x0132, "IJ"}, {0x0133, "ij"}, {0x0149, "\u02bcn"}, {0x01C4, "D\u017d"},
                 {0x01C5, "D\u017e"}, {0x01C6, "d\u017e"}, {0x01C7, "LJ"}, {0x01C8, "Lj"},
                 {0x01C9, "lj"}, {0x01CA, "NJ"}, {0x01CB, "Nj"}, {0x01CC, "nj"},
                 {0x01F1, "DZ"}, {0x01F2, "Dz"}, {0x01F3, "dz"}, {0xFB00, "ff"},
                 {0xFB01, "fi"}, {0xFB02, "fl"}, {0xFB03, "ffi"}, {0xFB04, "ffl"},
                 {0xFB05, "\u017ft"}, {0xFB06, "st"}};

static bool ftfy_control(uint32_t c) {
    return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F ||
           (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
}

/* Appends the replacement of c (1 when it has one). */
static int char_fix(uint32_t c, struct buf *out, int *done) {
    *done = 1;
    if (c >= 0x80 && c <= 0x9F) { /* fix_c1_controls */
        const uint32_t w = cp1252_high[c - 0x80];
        return put_cp(out, w ? w : c);
    }
    if (c == 0x02BC || (c >= 0x2018 && c <= 0x201B)) return buf_putc(out, '\'');
    if (c >= 0x201C && c <= 0x201F) return buf_putc(out, '"');
    if (c == 0x85 || c == 0x2028 || c == 0x2029) return buf_putc(out, '\n');
    if (c == 0x3000) return buf_putc(out, ' ');
    if (ftfy_control(c)) return 0;
    for (size_t i = 0; i < sizeof ligatures / sizeof ligatures[0]; i++)
        if (ligatures[i].cp == c) return buf_append(out, ligatures[i].to, strlen(ligatures[i].to));
    if (c >= 0xFF01 && c <= 0xFFEF) {
        utf8proc_int32_t d[8];
        const utf8proc_ssize_t n = utf8proc_decompose_char(
            (utf8proc_int32_t)c, d, 8, UTF8PROC_COMPAT | UTF8PROC_COMPOSE, NULL);
        if (n == 1 && (uint32_t)d[0] != c) return put_cp(out, (uint32_t)d[0]);
    }
    *done = 0;
    return 0;
}

static int char_pass(const char *s, size_t len, struct buf *out) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p < 0x7F) p++;
        ZEST_TRY(buf_append(out, run, (size_t)(p - run)));
        if (p == end) break;
        if (*p == '\r') {
            ZEST_TRY(buf_putc(out, '\n'));
            p += p + 1 < end && p[1] == '\n' ? 2 : 1;
            continue;
        }
        size_t n;
        const uint32_t c = utf8_decode(p, &n);
        int done;
        ZEST_TRY(char_fix(c, out, &done));
        if (!done) ZEST_TRY(buf_append(out, p, n));
        p += n;
    }
    return 0;
}

/* --- 5. normalization ---------------------------------------------------------------------- */

static int normalize(struct state *st, const char *s, size_t len, struct buf *out) {
    for (;;) {
        const utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s,
                                                      (utf8proc_ssize_t)len, st->cps,
                                                      (utf8proc_ssize_t)st->cap, st->norm);
        if (n < 0) return buf_append(out, s, len); /* not reached: the text is valid UTF-8 */
        if ((size_t)n <= st->cap) {
            const utf8proc_ssize_t m = utf8proc_reencode(st->cps, n, st->norm);
            if (m < 0) return buf_append(out, s, len);
            return buf_append(out, st->cps, (size_t)m);
        }
        const size_t cap = (size_t)n + 64;
        void *grown = realloc(st->cps, cap * sizeof *st->cps);
        if (!grown) return ZEST_E_NOMEM;
        st->cps = grown;
        st->cap = cap;
    }
}

/* ASCII printable text plus \t \n \f without '&' or ESC needs nothing at all. */
static bool plain_ascii(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c >= 0x7F || c == '&' || (c < 0x20 && c != '\t' && c != '\n' && c != '\f'))
            return false;
    }
    return true;
}

static int fix_apply(void *state, const char *s, size_t len, struct buf *out) {
    struct state *st = state;
    if (plain_ascii(s, len)) return buf_append(out, s, len);
    struct buf *cur = &st->a, *nxt = &st->b, *t;
#define FIX_STEP(call)                                                                         \
    do {                                                                                       \
        buf_clear(nxt);                                                                        \
        ZEST_TRY(call);                                                                        \
        s = nxt->data, len = nxt->len;                                                         \
        t = cur, cur = nxt, nxt = t;                                                           \
    } while (0)
    if (memchr(s, '&', len) && !memchr(s, '<', len)) FIX_STEP(unescape_html(s, len, nxt));
    if (memchr(s, '\x1b', len)) FIX_STEP(remove_terminal_escapes(s, len, nxt));
    for (int pass = 0; pass < 8; pass++) {
        bool changed;
        FIX_STEP(moji_pass(s, len, nxt, &changed));
        if (!changed) break;
    }
    FIX_STEP(char_pass(s, len, nxt));
#undef FIX_STEP
    for (size_t i = 0; i < len; i++) /* ASCII is the same in every normalization form */
        if ((unsigned char)s[i] >= 0x80) return normalize(st, s, len, out);
    return buf_append(out, s, len);
}

static int fix_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, fix_apply, state, err);
}

static void fix_destroy(void *state) {
    struct state *s = state;
    buf_free(&s->a);
    buf_free(&s->b);
    free(s->cps);
}

const struct op_desc op_fix_unicode_mapper = {
    .info = {.name = "fix_unicode_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Repair mojibake and other Unicode damage (as ftfy does for the common "
                        "cases) and normalize (NFC by default)",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = fix_init,
    .process = fix_process,
    .destroy = fix_destroy,
};

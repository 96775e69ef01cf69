/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c - the strict JSON cursor parser: whitespace, value dispatch, the record-object walk
 * (json_object_begin / json_object_next_key), string reading with word-at-a-time scanning,
 * and one recursive walker that validates any value and either skips it, writes its canonical
 * form, or builds an arena tree. Everything json.h promises about strictness (RFC 8259 only,
 * strict UTF-8, paired surrogates, depth limit, duplicate keys) is enforced here, with a
 * precise message and the offending byte on every error. Calls common/buf, common/arena and
 * the escape helper of json_write.c; nothing else.
 */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/err.h"
#include "zest.h"

#if defined(__GNUC__)
#define JSON_INLINE static inline __attribute__((always_inline))
#define JSON_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define JSON_INLINE static inline
#define JSON_UNLIKELY(x) (x)
#endif

/* Objects with up to this many keys are checked for duplicates by linear comparison; larger
 * ones get an open-addressing table. */
#define JSON_DUP_LINEAR 16
/* Below this many remaining input bytes, output room is reserved for the whole remainder;
 * above it, and when the buffer would have to grow, the value's extent is measured first so
 * a huge record does not inflate every column buffer to its size. */
#define JSON_RESERVE_EXACT ((size_t)64 << 10)
/* Output room past a string's decoded end: block copies store whole 16-byte words. */
#define JSON_SLACK 16

/* ------------------------------------------------------------------------------ errors */

static int json_fail(struct json_cursor *c, const char *pos, const char *msg) {
    c->err = msg;
    c->err_pos = pos;
    return ZEST_E_FORMAT;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int json_failf(struct json_cursor *c, const char *pos, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err_buf, sizeof c->err_buf, fmt, ap);
    va_end(ap);
    c->err = c->err_buf;
    c->err_pos = pos;
    return ZEST_E_FORMAT;
}

/* An output buffer or arena refused to grow: not a format error, so keep the status. */
static int json_fail_mem(struct json_cursor *c, int rc) {
    c->err = rc == ZEST_E_LIMIT ? "value exceeds the output buffer limit" : "out of memory";
    c->err_pos = c->p;
    return rc;
}

/* "unexpected character 'x'" for printable ASCII, "unexpected byte 0xNN" otherwise. */
static int json_fail_found(struct json_cursor *c, const char *what) {
    const unsigned char ch = (unsigned char)*c->p;
    if (ch > 0x20 && ch < 0x7F)
        return json_failf(c, c->p, "unexpected character '%c' (%s)", ch, what);
    return json_failf(c, c->p, "unexpected byte 0x%02X (%s)", ch, what);
}

/* Explains why no value can start at the cursor (which is not at the end). */
static int json_fail_value_start(struct json_cursor *c) {
    const char *p = c->p;
    if (p == c->start && c->end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        return json_fail(c, p, "byte order mark (U+FEFF) before the value is not allowed");
    switch (*p) {
    case '/': return json_fail(c, p, "unexpected character '/' (comments are not allowed)");
    case '\'': return json_fail(c, p, "unexpected character ''' (strings take double quotes)");
    case '+': return json_fail(c, p, "unexpected character '+' (numbers cannot start with '+')");
    case '.': return json_fail(c, p, "unexpected character '.' (numbers must start with a digit)");
    case 'N': case 'I': return json_fail(c, p, "NaN and Infinity are not JSON values");
    default: return json_fail_found(c, "expected a value");
    }
}

/* Copies another cursor's error (its message may live in that cursor's err_buf). */
static int json_take_error(struct json_cursor *c, const struct json_cursor *from, int rc) {
    if (from->err == from->err_buf) {
        memcpy(c->err_buf, from->err_buf, sizeof c->err_buf);
        c->err = c->err_buf;
    } else {
        c->err = from->err;
    }
    c->err_pos = from->err_pos;
    return rc;
}

/* ------------------------------------------------------------------------- whitespace */

JSON_INLINE void json_ws(struct json_cursor *c) {
    const char *p = c->p;
    while (p < c->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    c->p = p;
}

void json_cursor_init(struct json_cursor *c, const char *text, size_t len) {
    c->start = c->p = text;
    c->end = text + len;
    c->err = NULL;
    c->err_pos = NULL;
    c->err_buf[0] = '\0';
}

void json_skip_ws(struct json_cursor *c) { json_ws(c); }

int json_peek_type(struct json_cursor *c) {
    json_ws(c);
    if (c->p == c->end) {
        json_fail(c, c->p, "unexpected end of input (expected a value)");
        return -1;
    }
    switch (*c->p) {
    case '{': return JSON_OBJECT;
    case '[': return JSON_ARRAY;
    case '"': return JSON_STRING;
    case 't': return JSON_TRUE;
    case 'f': return JSON_FALSE;
    case 'n': return JSON_NULL;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': return JSON_NUMBER;
    default: json_fail_value_start(c); return -1;
    }
}

/* ------------------------------------------------------------------------- UTF-8 */

/* Length of the well-formed UTF-8 sequence at s (lead byte >= 0x80), or 0 when it is not
 * one: overlongs, UTF-8-encoded surrogates, code points above U+10FFFF, stray continuation
 * bytes and truncated sequences are all refused (RFC 3629, table 3-7 of Unicode). */
JSON_INLINE size_t json_utf8_seq(const unsigned char *s, const unsigned char *end) {
    const unsigned c0 = s[0];
    const size_t avail = (size_t)(end - s);
    if (c0 < 0xC2) return 0;
    if (c0 < 0xE0) return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c0 < 0xF0) {
        if (avail < 3 || (s[2] & 0xC0) != 0x80) return 0;
        const unsigned lo = c0 == 0xE0 ? 0xA0 : 0x80, hi = c0 == 0xED ? 0x9F : 0xBF;
        return s[1] >= lo && s[1] <= hi ? 3 : 0;
    }
    if (c0 < 0xF5) {
        if (avail < 4 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        const unsigned lo = c0 == 0xF0 ? 0x90 : 0x80, hi = c0 == 0xF4 ? 0x8F : 0xBF;
        return s[1] >= lo && s[1] <= hi ? 4 : 0;
    }
    return 0;
}

/* Says what is wrong with the sequence json_utf8_seq refused at p (cold path). */
static int json_fail_utf8(struct json_cursor *c, const char *p) {
    const unsigned char *s = (const unsigned char *)p, *end = (const unsigned char *)c->end;
    const unsigned c0 = s[0];
    if (c0 < 0xC0)
        return json_failf(c, p, "invalid UTF-8 byte 0x%02X in string (continuation byte "
                                "without a lead byte)", c0);
    if (c0 < 0xC2)
        return json_failf(c, p, "invalid UTF-8 byte 0x%02X in string (overlong encoding)", c0);
    if (c0 >= 0xF5) return json_failf(c, p, "invalid UTF-8 byte 0x%02X in string", c0);
    const size_t need = c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
    for (size_t i = 1; i < need; i++)
        if (s + i >= end || (s[i] & 0xC0) != 0x80)
            return json_failf(c, p, "invalid UTF-8 in string: truncated sequence starting "
                                    "with byte 0x%02X", c0);
    if (c0 == 0xED) {
        const unsigned cp = ((c0 & 0x0F) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        return json_failf(c, p, "invalid UTF-8 in string: surrogate U+%04X encoded in UTF-8",
                          cp);
    }
    if (c0 == 0xF4)
        return json_fail(c, p, "invalid UTF-8 in string: code point above U+10FFFF");
    return json_failf(c, p, "invalid UTF-8 in string: overlong encoding starting with byte "
                            "0x%02X", c0);
}

/* Encodes a code point (a scalar value, never a surrogate) as UTF-8; returns its length. */
JSON_INLINE size_t json_utf8_put(char *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ------------------------------------------------------------------------- escapes */

/* Reads 4 hex digits; returns -1 when one is not a hex digit. */
/* Value of one hex digit, or -1. */
static int json_hex_digit(unsigned char h) {
    if (h >= '0' && h <= '9') return h - '0';
    if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f') return (h | 0x20) - 'a' + 10;
    return -1;
}

/* Reads 4 hex digits; returns -1 when one is not a hex digit. */
static int32_t json_hex4(const char *p) {
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        const int d = json_hex_digit((unsigned char)p[i]);
        if (d < 0) return -1;
        v = v << 4 | d;
    }
    return v;
}

/* Decodes the \u escape at p (p[1] == 'u'), pairing surrogates; returns the bytes consumed
 * (6 or 12) and the code point in *cp, or 0 after setting an error. */
static size_t json_read_u_escape(struct json_cursor *c, const char *p, uint32_t *cp) {
    for (int i = 2; i < 6; i++) {
        if (p + i == c->end) {
            json_fail(c, c->end, "unexpected end of input in string");
            return 0;
        }
        if (json_hex_digit((unsigned char)p[i]) < 0) {
            json_fail(c, p, "invalid \\u escape in string (expected 4 hex digits)");
            return 0;
        }
    }
    const uint32_t hi = (uint32_t)json_hex4(p + 2);
    if (hi >= 0xDC00 && hi <= 0xDFFF) {
        json_failf(c, p, "lone low surrogate \\u%04x in string", (unsigned)hi);
        return 0;
    }
    if (hi < 0xD800 || hi > 0xDBFF) {
        *cp = hi;
        return 6;
    }
    const int32_t lo = c->end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? json_hex4(p + 8) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF) {
        json_failf(c, p, "lone high surrogate \\u%04x in string", (unsigned)hi);
        return 0;
    }
    *cp = 0x10000 + ((hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
    return 12;
}

/* Decodes the escape at p (*p == '\\'); returns the bytes consumed, or 0 after an error. */
static size_t json_read_escape(struct json_cursor *c, const char *p, uint32_t *cp) {
    if (c->end - p < 2) {
        json_fail(c, c->end, "unexpected end of input in string");
        return 0;
    }
    const unsigned char e = (unsigned char)p[1];
    switch (e) {
    case '"': case '\\': case '/': *cp = e; return 2;
    case 'b': *cp = '\b'; return 2;
    case 'f': *cp = '\f'; return 2;
    case 'n': *cp = '\n'; return 2;
    case 'r': *cp = '\r'; return 2;
    case 't': *cp = '\t'; return 2;
    case 'u': return json_read_u_escape(c, p, cp);
    default:
        if (e > 0x20 && e < 0x7F) json_failf(c, p, "invalid escape '\\%c' in string", e);
        else json_failf(c, p, "invalid escape in string ('\\' followed by byte 0x%02X)", e);
        return 0;
    }
}

/* The canonical text of one escaped code point: the JSON escape for controls, '"' and '\\',
 * raw UTF-8 for everything else. */
JSON_INLINE size_t json_canon_cp(char *o, uint32_t cp) {
    if (cp < 0x20 || cp == '"' || cp == '\\') return json_escape_ascii(o, (unsigned char)cp);
    return json_utf8_put(o, cp);
}

/* The escapes whose canonical form is themselves, by the byte after the backslash: the byte
 * they stand for ('/' is absent: its canonical form is the bare character). */
static const unsigned char json_short_escape[256] = {
    ['"'] = '"', ['\\'] = '\\', ['b'] = '\b', ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
};

/* ------------------------------------------------------------------------- SSE2 blocks */

#if defined(__SSE2__)
#include <emmintrin.h>
#define JSON_HAVE_SSE2 1

/* Unsigned a >= b, per byte. */
JSON_INLINE __m128i json_sse_ge(__m128i a, __m128i b) {
    return _mm_cmpeq_epi8(_mm_max_epu8(a, b), a);
}
JSON_INLINE __m128i json_sse_set(unsigned char c) { return _mm_set1_epi8((char)c); }

/* Bit i set when byte i is '"', '\\' or a control character: what ends a plain run. */
JSON_INLINE unsigned json_sse_special(__m128i v) {
    const __m128i q = _mm_cmpeq_epi8(v, json_sse_set('"'));
    const __m128i bs = _mm_cmpeq_epi8(v, json_sse_set('\\'));
    const __m128i ctl = json_sse_ge(json_sse_set(0x1F), v);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, bs), ctl));
}

/* Bit i set when byte i breaks UTF-8 (RFC 3629), judged with the three bytes before it
 * (p1..p3 are the block loaded 1..3 bytes earlier): a continuation byte where none is due or
 * a missing one, C0/C1/F5..FF, and the second-byte ranges after E0, ED, F0 and F4 (overlongs,
 * surrogates, code points above U+10FFFF). The same rule as json_utf8_seq, 16 bytes at once. */
JSON_INLINE unsigned json_sse_utf8_errors(__m128i v, __m128i p1, __m128i p2, __m128i p3) {
    const __m128i is_cont = _mm_cmplt_epi8(v, json_sse_set(0xC0)); /* signed: 0x80..0xBF */
    const __m128i due = _mm_or_si128(
        _mm_or_si128(json_sse_ge(p1, json_sse_set(0xC0)), json_sse_ge(p2, json_sse_set(0xE0))),
        json_sse_ge(p3, json_sse_set(0xF0)));
    __m128i err = _mm_xor_si128(is_cont, due);
    err = _mm_or_si128(err, _mm_cmpeq_epi8(v, json_sse_set(0xC0)));
    err = _mm_or_si128(err, _mm_cmpeq_epi8(v, json_sse_set(0xC1)));
    err = _mm_or_si128(err, json_sse_ge(v, json_sse_set(0xF5)));
    const __m128i low_a0 = json_sse_ge(json_sse_set(0x9F), v), low_90 = json_sse_ge(json_sse_set(0x8F), v);
    err = _mm_or_si128(err, _mm_and_si128(_mm_cmpeq_epi8(p1, json_sse_set(0xE0)), low_a0));
    err = _mm_or_si128(err, _mm_andnot_si128(low_a0, _mm_cmpeq_epi8(p1, json_sse_set(0xED))));
    err = _mm_or_si128(err, _mm_and_si128(_mm_cmpeq_epi8(p1, json_sse_set(0xF0)), low_90));
    err = _mm_or_si128(err, _mm_andnot_si128(low_90, _mm_cmpeq_epi8(p1, json_sse_set(0xF4))));
    return (unsigned)_mm_movemask_epi8(err);
}

/* Bytes at the end of a block that start a sequence the block does not finish. */
JSON_INLINE unsigned json_sse_open_tail(const unsigned char *b) {
    if (b[15] >= 0xC0) return 1;
    if (b[14] >= 0xE0) return 2;
    if (b[13] >= 0xF0) return 3;
    return 0;
}

/* Moves over plain string bytes (any valid UTF-8 but '"', '\\' and controls) 16 at a time,
 * copying them to *o when `write`. Stops before a special byte, near the end of the input, or
 * at a block with a UTF-8 error (left for the byte loop, which names it). Needs 3 bytes of
 * history before p: the bytes before a string's first byte are its quote and ASCII. */
JSON_INLINE const char *json_sse_run(const char *p, const char *start, const char *end,
                                     char **o, bool write) {
    if (p - start < 3) return p;
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        const unsigned sp = json_sse_special(v);
        const unsigned k = sp ? (unsigned)__builtin_ctz(sp) : 16;
        const unsigned upto = k < 16 ? (2u << k) - 1 : 0xFFFFu;
        /* ASCII needs no UTF-8 check: a block never starts inside a sequence (see below) */
        if ((unsigned)_mm_movemask_epi8(v) & upto) {
            const unsigned bad = json_sse_utf8_errors(
                v, _mm_loadu_si128((const __m128i *)(const void *)(p - 1)),
                _mm_loadu_si128((const __m128i *)(const void *)(p - 2)),
                _mm_loadu_si128((const __m128i *)(const void *)(p - 3)));
            if (bad & upto) return p;
        }
        if (k < 16) {
            if (write) { /* room: the caller leaves JSON_SLACK bytes past the string */
                _mm_storeu_si128((__m128i *)(void *)*o, v);
                *o += k;
            }
            return p + k;
        }
        const unsigned step = 16 - json_sse_open_tail((const unsigned char *)p);
        if (write) {
            _mm_storeu_si128((__m128i *)(void *)*o, v);
            *o += step;
        }
        p += step;
    }
    return p;
}
#endif

/* ------------------------------------------------------------------------- strings */

enum json_str_mode { JSON_STR_SKIP, JSON_STR_UNESCAPE, JSON_STR_CANON };

struct json_str {
    size_t out_len; /* bytes written */
    bool escaped;   /* the source held at least one escape */
};

/* Scans the string whose opening quote is at c->p, leaving c->p after the closing quote.
 * UNESCAPE writes the decoded bytes at o, CANON the canonical literal with its quotes, SKIP
 * nothing. The caller guarantees room for (c->end - c->p) + JSON_SLACK bytes at o, or for the
 * string's source length + JSON_SLACK: output never outruns input, and block copies may write
 * up to 15 bytes past the end of what they keep. Plain text moves 16 bytes per step (SSE2) or
 * 8 (SWAR); escapes, non-ASCII and errors drop to the byte at hand. Specialised per mode by the wrappers below. */
JSON_INLINE int json_str_scan(struct json_cursor *c, char *o, enum json_str_mode mode,
                              struct json_str *res) {
    const char *p = c->p + 1;
    const char *const end = c->end;
    const bool write = mode != JSON_STR_SKIP;
    char *const o0 = o;
    bool escaped = false;
    if (mode == JSON_STR_CANON) *o++ = '"';
    for (;;) {
#ifdef JSON_HAVE_SSE2
        p = json_sse_run(p, c->start, end, &o, write);
#endif
        /* Short escapes (\n, \t, ...) are frequent in real text; they are already canonical. */
        if (end - p >= 2 && *p == '\\' && json_short_escape[(unsigned char)p[1]]) {
            do {
                if (mode == JSON_STR_CANON) {
                    memcpy(o, p, 2);
                    o += 2;
                } else if (mode == JSON_STR_UNESCAPE) {
                    *o++ = (char)json_short_escape[(unsigned char)p[1]];
                }
                p += 2;
            } while (end - p >= 2 && *p == '\\' && json_short_escape[(unsigned char)p[1]]);
            escaped = true;
            continue;
        }
        if (p < end && *p == '"') break;
        while (end - p >= 8) {
            const uint64_t v = json_swar_load(p);
            const uint64_t m = json_swar_special(v);
            if (write) memcpy(o, &v, 8);
            if (m) {
                const unsigned k = json_swar_first(m);
                p += k;
                if (write) o += k;
                break;
            }
            p += 8;
            if (write) o += 8;
        }
        if (JSON_UNLIKELY(p == end)) return json_fail(c, end, "unexpected end of input in string");
        const unsigned char ch = (unsigned char)*p;
        if (ch == '"') break;
        if (ch >= 0x80) {
            /* Non-ASCII text tends to come in runs: stay here while it lasts. */
            do {
                const size_t n = json_utf8_seq((const unsigned char *)p, (const unsigned char *)end);
                if (JSON_UNLIKELY(!n)) return json_fail_utf8(c, p);
                if (write) {
                    if (end - p >= 4) {
                        memcpy(o, p, 4); /* room: output never outruns the input */
                    } else {
                        o[0] = p[0];
                        o[1] = p[1];
                        if (n > 2) o[2] = p[2];
                    }
                    o += n;
                }
                p += n;
            } while (p < end && (unsigned char)*p >= 0x80);
        } else if (ch == '\\') {
            uint32_t cp;
            const size_t n = json_read_escape(c, p, &cp);
            if (JSON_UNLIKELY(!n)) return ZEST_E_FORMAT;
            if (mode == JSON_STR_UNESCAPE) o += json_utf8_put(o, cp);
            if (mode == JSON_STR_CANON) o += json_canon_cp(o, cp);
            p += n;
            escaped = true;
        } else if (ch < 0x20) {
            return json_failf(c, p, "control character U+%04X in string (must be escaped)", ch);
        } else {
            if (write) *o++ = (char)ch;
            p++;
        }
    }
    if (mode == JSON_STR_CANON) *o++ = '"';
    c->p = p + 1;
    res->out_len = write ? (size_t)(o - o0) : 0;
    res->escaped = escaped;
    return 0;
}

static int json_str_skip(struct json_cursor *c, struct json_str *res) {
    return json_str_scan(c, NULL, JSON_STR_SKIP, res);
}
static int json_str_unescape(struct json_cursor *c, char *o, struct json_str *res) {
    return json_str_scan(c, o, JSON_STR_UNESCAPE, res);
}
static int json_str_canon(struct json_cursor *c, char *o, struct json_str *res) {
    return json_str_scan(c, o, JSON_STR_CANON, res);
}

/* Decodes an already validated string (opening quote at q) into o, which has room for its
 * source length + JSON_SLACK; returns the decoded length. */
static size_t json_str_decode(const char *q, const char *end, char *o) {
    struct json_cursor tmp;
    struct json_str r = {0, false};
    json_cursor_init(&tmp, q, (size_t)(end - q));
    json_str_unescape(&tmp, o, &r);
    return r.out_len;
}

/* ------------------------------------------------------------------------- numbers */

static bool json_is_digit(const char *p, const char *end) {
    return p < end && *p >= '0' && *p <= '9';
}

/* Scans an RFC 8259 number; *is_int says it has neither fraction nor exponent. */
static int json_scan_number(struct json_cursor *c, bool *is_int) {
    const char *p = c->p, *const end = c->end;
    if (*p == '-') p++;
    if (p == end) return json_fail(c, p, "unexpected end of input in number");
    if (*p == '0') {
        p++;
        if (json_is_digit(p, end))
            return json_fail(c, p - 1, "leading zeros are not allowed in numbers");
    } else if (json_is_digit(p, end)) {
        while (json_is_digit(p, end)) p++;
    } else {
        return json_fail(c, p, "expected a digit after '-' in number");
    }
    *is_int = true;
    if (p < end && *p == '.') {
        p++;
        if (!json_is_digit(p, end)) return json_fail(c, p, "expected a digit after '.' in number");
        while (json_is_digit(p, end)) p++;
        *is_int = false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (!json_is_digit(p, end))
            return json_fail(c, p, "expected a digit in the exponent of a number");
        while (json_is_digit(p, end)) p++;
        *is_int = false;
    }
    c->p = p;
    return 0;
}

/* Parses a validated integer literal; false when it does not fit int64. */
static bool json_parse_i64(const char *s, size_t len, int64_t *out) {
    const bool neg = s[0] == '-';
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t u = 0;
    for (size_t i = neg; i < len; i++) {
        const unsigned d = (unsigned)(s[i] - '0');
        if (u > (limit - d) / 10) return false;
        u = u * 10 + d;
    }
    if (!neg) *out = (int64_t)u;
    else *out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    return true;
}

/* Scans one of true/false/null. */
static int json_scan_literal(struct json_cursor *c, const char *lit, size_t n) {
    const size_t avail = (size_t)(c->end - c->p);
    if (avail >= n && memcmp(c->p, lit, n) == 0) {
        c->p += n;
        return 0;
    }
    if (avail < n && memcmp(c->p, lit, avail) == 0)
        return json_failf(c, c->end, "unexpected end of input in literal '%s'", lit);
    return json_failf(c, c->p, "invalid literal (expected '%s')", lit);
}

/* ------------------------------------------------------------------------- walker state */

/* A growable array that starts in caller-provided (stack) storage and only mallocs when a
 * value is unusually wide or deep: one allocation per call at most, never one per value. */
struct json_stack {
    void *data;
    void *small;
    size_t n, cap, elem;
};

static void json_stack_init(struct json_stack *s, void *small, size_t cap, size_t elem) {
    s->data = s->small = small;
    s->n = 0;
    s->cap = cap;
    s->elem = elem;
}

static int json_stack_reserve(struct json_stack *s, size_t extra) {
    if (s->cap - s->n >= extra) return 0;
    size_t cap = s->cap ? s->cap : 64;
    while (cap - s->n < extra) {
        if (cap > SIZE_MAX / 2 / s->elem) return ZEST_E_NOMEM;
        cap *= 2;
    }
    void *p = s->data == s->small ? malloc(cap * s->elem) : realloc(s->data, cap * s->elem);
    if (!p) return ZEST_E_NOMEM;
    if (s->data == s->small && s->n) memcpy(p, s->small, s->n * s->elem);
    s->data = p;
    s->cap = cap;
    return 0;
}

static void json_stack_free(struct json_stack *s) {
    if (s->data != s->small) free(s->data);
}

/* One key of an open object, for duplicate detection. Keys without escapes point into the
 * source; decoded ones live in the scratch stack (by offset, as it may move) or the arena. */
struct json_key {
    const char *ptr; /* NULL: at `off` in the scratch */
    size_t off, len;
    uint32_t hash;
};

enum json_walk_mode { JSON_WALK_SKIP, JSON_WALK_CANON, JSON_WALK_PARSE };

struct json_walk {
    struct json_cursor *c;
    enum json_walk_mode mode;
    char *o;               /* CANON: next output byte; room was reserved up front */
    struct arena *arena;   /* PARSE */
    struct json_stack keys;    /* struct json_key: the keys of every open object */
    struct json_stack slots;   /* uint32_t: hash tables of open objects with many keys */
    struct json_stack scratch; /* char: decoded keys that had escapes (SKIP, CANON) */
    struct json_stack vals;    /* struct json_member: children of open containers (PARSE) */
    struct json_key keys_small[32];
    char scratch_small[256];
    struct json_member vals_small[16];
};

/* The open object being walked: where its keys, decoded keys and table start. */
struct json_obj_frame {
    size_t key_base, scratch_base, slot_base, nslots;
};

static void json_walk_init(struct json_walk *w, struct json_cursor *c, enum json_walk_mode m) {
    w->c = c;
    w->mode = m;
    w->o = NULL;
    w->arena = NULL;
    json_stack_init(&w->keys, w->keys_small, 32, sizeof(struct json_key));
    json_stack_init(&w->slots, NULL, 0, sizeof(uint32_t));
    json_stack_init(&w->scratch, w->scratch_small, sizeof w->scratch_small, 1);
    json_stack_init(&w->vals, w->vals_small, 16, sizeof(struct json_member));
}

static void json_walk_free(struct json_walk *w) {
    json_stack_free(&w->keys);
    json_stack_free(&w->slots);
    json_stack_free(&w->scratch);
    json_stack_free(&w->vals);
}

/* ------------------------------------------------------------------------- duplicate keys */

static const char *json_key_bytes(const struct json_walk *w, const struct json_key *k) {
    return k->ptr ? k->ptr : (const char *)w->scratch.data + k->off;
}

static uint32_t json_key_hash(const char *s, size_t n) {
    uint32_t h = 2166136261u; /* FNV-1a: keys are short, and this only runs for wide objects */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static bool json_key_eq(const struct json_walk *w, const struct json_key *a,
                        const struct json_key *b) {
    return a->len == b->len && memcmp(json_key_bytes(w, a), json_key_bytes(w, b), a->len) == 0;
}

/* Reports a duplicate key (the cursor is just past it), quoting its source text, cut short
 * on a UTF-8 boundary. */
static int json_fail_dup(struct json_cursor *c, const char *quote) {
    const char *s = quote + 1;
    size_t n = (size_t)(c->p - quote) - 2;
    const size_t max = 60;
    if (n <= max) return json_failf(c, quote, "duplicate key \"%.*s\"", (int)n, s);
    n = max;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return json_failf(c, quote, "duplicate key \"%.*s...\"", (int)n, s);
}

/* (Re)builds the frame's hash table with `nslots` slots at the top of the slot stack. */
static int json_dup_table(struct json_walk *w, struct json_obj_frame *f, size_t nslots) {
    struct json_key *keys = (struct json_key *)w->keys.data + f->key_base;
    const size_t n = w->keys.n - f->key_base;
    w->slots.n = f->slot_base;
    if (json_stack_reserve(&w->slots, nslots)) return ZEST_E_NOMEM;
    uint32_t *slot = (uint32_t *)w->slots.data + f->slot_base;
    memset(slot, 0, nslots * sizeof *slot);
    w->slots.n += nslots;
    for (size_t i = 0; i < n; i++) {
        if (!f->nslots) keys[i].hash = json_key_hash(json_key_bytes(w, &keys[i]), keys[i].len);
        size_t at = keys[i].hash & (nslots - 1);
        while (slot[at]) at = (at + 1) & (nslots - 1);
        slot[at] = (uint32_t)(i + 1);
    }
    f->nslots = nslots;
    return 0;
}

/* Finds `k` among the frame's keys through its table, or claims a slot for it. */
static bool json_dup_probe(struct json_walk *w, struct json_obj_frame *f, struct json_key *k) {
    const struct json_key *keys = (const struct json_key *)w->keys.data + f->key_base;
    uint32_t *slot = (uint32_t *)w->slots.data + f->slot_base;
    k->hash = json_key_hash(json_key_bytes(w, k), k->len);
    size_t at = k->hash & (f->nslots - 1);
    for (; slot[at]; at = (at + 1) & (f->nslots - 1))
        if (keys[slot[at] - 1].hash == k->hash && json_key_eq(w, &keys[slot[at] - 1], k))
            return true;
    slot[at] = (uint32_t)(w->keys.n - f->key_base + 1);
    return false;
}

/* Adds a key to the open object, failing on a duplicate (reported at its opening quote). */
static int json_key_add(struct json_walk *w, struct json_obj_frame *f, struct json_key *k,
                        const char *quote) {
    struct json_cursor *c = w->c;
    const size_t n = w->keys.n - f->key_base;
    if (!f->nslots && n < JSON_DUP_LINEAR) {
        const struct json_key *keys = (const struct json_key *)w->keys.data + f->key_base;
        for (size_t i = 0; i < n; i++)
            if (json_key_eq(w, &keys[i], k)) return json_fail_dup(c, quote);
    } else {
        if ((n + 1) * 2 > f->nslots && json_dup_table(w, f, f->nslots ? f->nslots * 2 : 64))
            return json_fail_mem(c, ZEST_E_NOMEM);
        if (json_dup_probe(w, f, k)) return json_fail_dup(c, quote);
    }
    if (json_stack_reserve(&w->keys, 1)) return json_fail_mem(c, ZEST_E_NOMEM);
    ((struct json_key *)w->keys.data)[w->keys.n++] = *k;
    return 0;
}

/* ------------------------------------------------------------------------- walker */

static int json_walk_value(struct json_walk *w, int depth, struct json_value *v);

/* Copies a validated string (opening quote at q, c->p after it) into the arena. */
static int json_arena_string(struct json_walk *w, const char *q, bool escaped, const char **ptr,
                             size_t *len) {
    const size_t src = (size_t)(w->c->p - q) - 2;
    char *dst = arena_alloc(w->arena, src + JSON_SLACK + 1);
    if (!dst) return json_fail_mem(w->c, ZEST_E_NOMEM);
    if (escaped) {
        *len = json_str_decode(q, w->c->end, dst);
    } else {
        memcpy(dst, q + 1, src);
        *len = src;
    }
    dst[*len] = '\0';
    *ptr = dst;
    return 0;
}

static int json_walk_string(struct json_walk *w, struct json_value *v) {
    struct json_cursor *c = w->c;
    struct json_str r;
    const char *q = c->p;
    if (w->mode == JSON_WALK_CANON) {
        const int rc = json_str_canon(c, w->o, &r);
        if (rc) return rc;
        w->o += r.out_len;
        return 0;
    }
    const int rc = json_str_skip(c, &r);
    if (rc || w->mode == JSON_WALK_SKIP) return rc;
    v->type = JSON_STRING;
    return json_arena_string(w, q, r.escaped, &v->u.str.ptr, &v->u.str.len);
}

/* Reads a member key at c->p (a '"'), records it for duplicate detection and, in PARSE
 * mode, copies it to the arena. */
static int json_walk_key(struct json_walk *w, struct json_obj_frame *f, const char **kptr,
                         size_t *klen) {
    struct json_cursor *c = w->c;
    const char *q = c->p;
    struct json_str r;
    const int rc = w->mode == JSON_WALK_CANON ? json_str_canon(c, w->o, &r) : json_str_skip(c, &r);
    if (rc) return rc;
    if (w->mode == JSON_WALK_CANON) w->o += r.out_len;
    const size_t src = (size_t)(c->p - q) - 2;
    struct json_key k = {q + 1, 0, src, 0};
    if (w->mode == JSON_WALK_PARSE) {
        if (json_arena_string(w, q, r.escaped, kptr, klen)) return ZEST_E_NOMEM;
        k.ptr = *kptr;
        k.len = *klen;
    } else if (r.escaped) {
        if (json_stack_reserve(&w->scratch, src + JSON_SLACK))
            return json_fail_mem(c, ZEST_E_NOMEM);
        k.ptr = NULL;
        k.off = w->scratch.n;
        k.len = json_str_decode(q, c->end, (char *)w->scratch.data + k.off);
        w->scratch.n += k.len;
    }
    return json_key_add(w, f, &k, q);
}

static void json_emit(struct json_walk *w, char ch) {
    if (w->mode == JSON_WALK_CANON) *w->o++ = ch;
}

/* Pushes a finished child onto the value stack (PARSE). */
static int json_push(struct json_walk *w, const char *key, size_t key_len,
                     const struct json_value *v) {
    if (json_stack_reserve(&w->vals, 1)) return json_fail_mem(w->c, ZEST_E_NOMEM);
    struct json_member *m = (struct json_member *)w->vals.data + w->vals.n++;
    m->key = key;
    m->key_len = key_len;
    m->value = *v;
    return 0;
}

/* One "key": value member of an object (cursor after whitespace). */
static int json_walk_member(struct json_walk *w, int depth, struct json_obj_frame *f) {
    struct json_cursor *c = w->c;
    if (c->p == c->end) return json_fail(c, c->p, "unexpected end of input in object");
    if (*c->p != '"') return json_fail_found(c, "expected a string key in object");
    const char *key = NULL;
    size_t key_len = 0;
    ZEST_TRY(json_walk_key(w, f, &key, &key_len));
    json_ws(c);
    if (c->p == c->end) return json_fail(c, c->p, "unexpected end of input in object");
    if (*c->p != ':') return json_fail_found(c, "expected ':' after object key");
    c->p++;
    json_emit(w, ':');
    struct json_value child;
    const bool parse = w->mode == JSON_WALK_PARSE;
    ZEST_TRY(json_walk_value(w, depth, parse ? &child : NULL));
    return parse ? json_push(w, key, key_len, &child) : 0;
}

/* After a member or element: consumes ',' (returning 1) or the closing byte (returning 0). */
static int json_walk_sep(struct json_walk *w, char close, const char *what) {
    struct json_cursor *c = w->c;
    json_ws(c);
    if (c->p == c->end) return json_failf(c, c->p, "unexpected end of input in %s", what);
    if (*c->p == close) {
        c->p++;
        json_emit(w, close);
        return 0;
    }
    if (*c->p != ',')
        return json_fail_found(c, close == '}' ? "expected ',' or '}' after object member"
                                               : "expected ',' or ']' after array element");
    const char *comma = c->p++;
    json_emit(w, ',');
    json_ws(c);
    if (c->p < c->end && *c->p == close) return json_failf(c, comma, "trailing comma in %s", what);
    return 1;
}

/* Moves the children above `base` on the value stack into the arena (PARSE). */
static int json_collect(struct json_walk *w, size_t base, struct json_value *v) {
    const size_t n = w->vals.n - base;
    const struct json_member *kids = (const struct json_member *)w->vals.data + base;
    w->vals.n = base;
    if (v->type == JSON_OBJECT) {
        v->u.obj.n = n;
        v->u.obj.members = n ? arena_alloc(w->arena, n * sizeof *kids) : NULL;
        if (n && !v->u.obj.members) return json_fail_mem(w->c, ZEST_E_NOMEM);
        if (n) memcpy(v->u.obj.members, kids, n * sizeof *kids);
        return 0;
    }
    v->u.arr.n = n;
    v->u.arr.items = n ? arena_alloc(w->arena, n * sizeof *v->u.arr.items) : NULL;
    if (n && !v->u.arr.items) return json_fail_mem(w->c, ZEST_E_NOMEM);
    for (size_t i = 0; i < n; i++) v->u.arr.items[i] = kids[i].value;
    return 0;
}

static int json_fail_depth(struct json_cursor *c) {
    return json_failf(c, c->p, "nesting deeper than %d levels", JSON_MAX_DEPTH);
}

static int json_walk_object(struct json_walk *w, int depth, struct json_value *v) {
    struct json_cursor *c = w->c;
    if (depth > JSON_MAX_DEPTH) return json_fail_depth(c);
    struct json_obj_frame f = {w->keys.n, w->scratch.n, w->slots.n, 0};
    const size_t val_base = w->vals.n;
    c->p++;
    json_emit(w, '{');
    json_ws(c);
    int more = 1;
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        json_emit(w, '}');
        more = 0;
    }
    while (more > 0) {
        ZEST_TRY(json_walk_member(w, depth, &f));
        more = json_walk_sep(w, '}', "object");
    }
    if (more < 0) return more;
    w->keys.n = f.key_base;
    w->scratch.n = f.scratch_base;
    w->slots.n = f.slot_base;
    if (w->mode != JSON_WALK_PARSE) return 0;
    v->type = JSON_OBJECT;
    return json_collect(w, val_base, v);
}

static int json_walk_array(struct json_walk *w, int depth, struct json_value *v) {
    struct json_cursor *c = w->c;
    if (depth > JSON_MAX_DEPTH) return json_fail_depth(c);
    const size_t val_base = w->vals.n;
    const bool parse = w->mode == JSON_WALK_PARSE;
    c->p++;
    json_emit(w, '[');
    json_ws(c);
    int more = 1;
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        json_emit(w, ']');
        more = 0;
    }
    while (more > 0) {
        struct json_value child;
        ZEST_TRY(json_walk_value(w, depth, parse ? &child : NULL));
        if (parse) ZEST_TRY(json_push(w, NULL, 0, &child));
        more = json_walk_sep(w, ']', "array");
    }
    if (more < 0) return more;
    if (!parse) return 0;
    v->type = JSON_ARRAY;
    return json_collect(w, val_base, v);
}

/* Fills a number node: its text (copied, NUL-terminated), int64 value when it has one, and
 * the nearest double (infinite for 1e400: the text stays exact). */
static int json_number_fill(struct json_walk *w, struct json_value *v, const char *s, size_t len,
                            bool is_int) {
    if (len > UINT32_MAX) return json_fail(w->c, s, "number too long");
    char *text = arena_strndup(w->arena, s, len);
    if (!text) return json_fail_mem(w->c, ZEST_E_NOMEM);
    v->type = JSON_NUMBER;
    v->u.num.text = text;
    v->u.num.len = (uint32_t)len;
    v->u.num.is_int = is_int;
    v->u.num.i = 0;
    v->u.num.int_ok = is_int && json_parse_i64(text, len, &v->u.num.i);
    v->u.num.d = strtod(text, NULL);
    return 0;
}

static int json_walk_number(struct json_walk *w, struct json_value *v) {
    const char *s = w->c->p;
    bool is_int = true;
    ZEST_TRY(json_scan_number(w->c, &is_int));
    const size_t len = (size_t)(w->c->p - s);
    if (w->mode == JSON_WALK_CANON) {
        memcpy(w->o, s, len);
        w->o += len;
    }
    return w->mode == JSON_WALK_PARSE ? json_number_fill(w, v, s, len, is_int) : 0;
}

static int json_walk_literal(struct json_walk *w, const char *lit, size_t n, enum json_type t,
                             struct json_value *v) {
    ZEST_TRY(json_scan_literal(w->c, lit, n));
    if (w->mode == JSON_WALK_CANON) {
        memcpy(w->o, lit, n);
        w->o += n;
    }
    if (w->mode == JSON_WALK_PARSE) v->type = t;
    return 0;
}

static int json_walk_value(struct json_walk *w, int depth, struct json_value *v) {
    struct json_cursor *c = w->c;
    json_ws(c);
    if (c->p == c->end) return json_fail(c, c->p, "unexpected end of input (expected a value)");
    switch (*c->p) {
    case '"': return json_walk_string(w, v);
    case '{': return json_walk_object(w, depth + 1, v);
    case '[': return json_walk_array(w, depth + 1, v);
    case 't': return json_walk_literal(w, "true", 4, JSON_TRUE, v);
    case 'f': return json_walk_literal(w, "false", 5, JSON_FALSE, v);
    case 'n': return json_walk_literal(w, "null", 4, JSON_NULL, v);
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': return json_walk_number(w, v);
    default: return json_fail_value_start(c);
    }
}

/* ------------------------------------------------------------------------- public API */

/* Makes room in `out` for the value at the cursor: the whole remaining input when that is
 * small or already fits (output never outgrows input), else the value's measured extent. */
static int json_reserve_value(struct json_cursor *c, struct buf *out) {
    /* at least one byte, so out->data is never NULL when the walker takes a pointer into it */
    size_t need = (size_t)(c->end - c->p);
    const bool cheap = need <= JSON_RESERVE_EXACT || need + JSON_SLACK <= out->cap - out->len;
    int rc = cheap ? buf_reserve_slack(out, need, JSON_SLACK) : ZEST_E_LIMIT;
    if (rc == ZEST_E_LIMIT) {
        struct json_cursor probe = *c;
        if ((rc = json_skip_value(&probe))) return json_take_error(c, &probe, rc);
        need = (size_t)(probe.p - c->p);
        rc = buf_reserve_slack(out, need, JSON_SLACK);
    }
    return rc ? json_fail_mem(c, rc) : 0;
}

int json_read_string(struct json_cursor *c, struct buf *out) {
    json_ws(c);
    if (c->p == c->end) return json_fail(c, c->p, "unexpected end of input (expected a string)");
    if (*c->p != '"') return json_fail_found(c, "expected a string");
    ZEST_TRY(json_reserve_value(c, out));
    struct json_str r;
    ZEST_TRY(json_str_unescape(c, out->data + out->len, &r));
    out->len += r.out_len;
    return 0;
}

int json_canon_value(struct json_cursor *c, struct buf *out) {
    json_ws(c);
    ZEST_TRY(json_reserve_value(c, out));
    struct json_walk w;
    json_walk_init(&w, c, JSON_WALK_CANON);
    w.o = out->data + out->len;
    const int rc = json_walk_value(&w, 0, NULL);
    if (!rc) out->len = (size_t)(w.o - out->data);
    json_walk_free(&w);
    return rc;
}

int json_skip_value(struct json_cursor *c) {
    struct json_walk w;
    json_walk_init(&w, c, JSON_WALK_SKIP);
    const int rc = json_walk_value(&w, 0, NULL);
    json_walk_free(&w);
    return rc;
}

int json_parse_value(struct json_cursor *c, struct arena *a, struct json_value *out) {
    struct json_walk w;
    json_walk_init(&w, c, JSON_WALK_PARSE);
    w.arena = a;
    const int rc = json_walk_value(&w, 0, out);
    json_walk_free(&w);
    return rc;
}

int json_object_begin(struct json_cursor *c) {
    json_ws(c);
    if (c->p == c->end) return json_fail(c, c->p, "unexpected end of input (expected an object)");
    if (*c->p != '{') {
        if (json_peek_type(c) < 0) return ZEST_E_FORMAT; /* says why no value starts here */
        return json_fail_found(c, "expected an object");
    }
    c->p++;
    return 0;
}

/* The last non-whitespace byte before the cursor, or 0 at the start. */
static char json_prev_byte(const struct json_cursor *c) {
    const char *p = c->p;
    while (p > c->start && (p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\r' || p[-1] == '\t')) p--;
    return p > c->start ? p[-1] : 0;
}

int json_object_next_key(struct json_cursor *c, struct buf *key) {
    buf_clear(key);
    json_ws(c);
    if (c->p == c->end) return json_fail(c, c->p, "unexpected end of input in object");
    /* No state is kept between calls: right after '{' a key or '}' may follow, after a
     * member value a ',' or '}' (a value never ends in '{'). */
    if (json_prev_byte(c) != '{') {
        if (*c->p == '}') return c->p++, 0;
        if (*c->p != ',') return json_fail_found(c, "expected ',' or '}' after object member");
        const char *comma = c->p++;
        json_ws(c);
        if (c->p < c->end && *c->p == '}') return json_fail(c, comma, "trailing comma in object");
    } else if (*c->p == '}') {
        return c->p++, 0;
    }
    if (c->p == c->end) return json_fail(c, c->p, "unexpected end of input in object");
    if (*c->p != '"') return json_fail_found(c, "expected a string key in object");
    ZEST_TRY(json_read_string(c, key));
    json_ws(c);
    if (c->p == c->end) return json_fail(c, c->p, "unexpected end of input in object");
    if (*c->p != ':') return json_fail_found(c, "expected ':' after object key");
    c->p++;
    return 1;
}

int json_expect_end(struct json_cursor *c) {
    json_ws(c);
    if (c->p != c->end) return json_fail(c, c->p, "trailing characters after the value");
    return 0;
}

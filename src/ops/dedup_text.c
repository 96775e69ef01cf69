/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dedup_text.c - a text as the near-duplicate deduplicators see it (see dedup.h): Python's
 * str.lower(), the ignore_pattern removed (PCRE2 in UTF and Unicode-property mode, which
 * reads Data-Juicer's patterns such as \p{P} and \d alike), then tokens and shingles.
 * Depends on ops/pylower, common/ (buf, utf8, err), libpcre2-8 and utf8proc.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../common/err.h"
#include "../common/hash.h"
#include "../common/utf8.h"
#include "dedup.h"
#include "pylower.h"

int dedup_text_init(struct dedup_text *t, const char *tokenization, int64_t window, bool lowercase,
                    const char *pattern, zest_error *err) {
    memset(t, 0, sizeof *t);
    buf_init(&t->lower, 0);
    buf_init(&t->cleaned, 0);
    buf_init(&t->shingle, 0);
    if (!strcmp(tokenization, "space"))
        t->tok = DEDUP_TOK_SPACE;
    else if (!strcmp(tokenization, "punctuation"))
        t->tok = DEDUP_TOK_PUNCTUATION;
    else if (!strcmp(tokenization, "character"))
        t->tok = DEDUP_TOK_CHARACTER;
    else
        return err_set(err, ZEST_E_PARAM,
                       "tokenization '%s' is not implemented "
                       "(space, punctuation or character)",
                       tokenization);
    t->window = (size_t)window;
    t->lowercase = lowercase;
    if (!pattern || !*pattern) return 0;
    int code;
    PCRE2_SIZE off;
    t->ignore = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
                              &code, &off, NULL);
    if (!t->ignore) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        return err_set(err, ZEST_E_PARAM, "ignore_pattern '%s': at offset %zu: %s", pattern,
                       (size_t)off, (const char *)msg);
    }
    t->match = pcre2_match_data_create_from_pattern(t->ignore, NULL);
    return t->match ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory");
}

void dedup_text_destroy(struct dedup_text *t) {
    if (!t) return;
    pcre2_match_data_free(t->match);
    pcre2_code_free(t->ignore);
    buf_free(&t->lower);
    buf_free(&t->cleaned);
    buf_free(&t->shingle);
    free(t->tok_start);
    free(t->tok_end);
    free(t->tok_hash);
    memset(t, 0, sizeof *t);
}

/* text with every match of the ignore pattern removed, into t->cleaned. A text the matcher
 * refuses (not UTF-8) is taken as it is. */
static int dedup_text_strip(struct dedup_text *t, const char *s, size_t n, const char **out,
                            size_t *out_n) {
    buf_clear(&t->cleaned);
    size_t at = 0, copied = 0;
    while (at <= n) {
        const int rc = pcre2_match(t->ignore, (PCRE2_SPTR)s, n, at, 0, t->match, NULL);
        if (rc < 0) break;
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->match);
        if (buf_append(&t->cleaned, s + copied, ov[0] - copied)) return ZEST_E_NOMEM;
        copied = ov[1];
        at = ov[1];
        if (ov[1] == ov[0]) { /* an empty match: step over one code point */
            if (at >= n) break;
            size_t k = 1;
            while (at + k < n && ((unsigned char)s[at + k] & 0xC0) == 0x80)
                k++;
            at += k;
        }
    }
    if (buf_append(&t->cleaned, s + copied, n - copied)) return ZEST_E_NOMEM;
    *out = t->cleaned.data ? t->cleaned.data : "";
    *out_n = t->cleaned.len;
    return 0;
}

static int dedup_tok_push(struct dedup_text *t, size_t *n, size_t a, size_t b) {
    if (*n == t->tok_cap) {
        const size_t cap = t->tok_cap ? 2 * t->tok_cap : 256;
        size_t *s = realloc(t->tok_start, cap * sizeof *s);
        if (!s) return ZEST_E_NOMEM;
        t->tok_start = s;
        size_t *e = realloc(t->tok_end, cap * sizeof *e);
        if (!e) return ZEST_E_NOMEM;
        t->tok_end = e;
        t->tok_cap = cap;
    }
    t->tok_start[*n] = a;
    t->tok_end[*n] = b;
    ++*n;
    return 0;
}

/* Unicode general category P* (what \p{P} matches). */
static bool dedup_is_punct(uint32_t c) {
    const utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
    return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

/* Token ranges: split on ' ' dropping empty tokens (Data-Juicer's split_on_whitespace), on
 * each \p{P} code point keeping empty ones (regex.split), or one per code point. */
static int dedup_tokens(struct dedup_text *t, const char *s, size_t n, size_t *count) {
    size_t k = 0, start = 0;
    *count = 0;
    for (size_t i = 0; i < n;) {
        const unsigned char b = (unsigned char)s[i];
        const size_t need = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        size_t len = 1;
        const uint32_t c =
            need == 1 || need > n - i ? b : utf8_decode((const unsigned char *)s + i, &len);
        if (t->tok == DEDUP_TOK_CHARACTER) {
            ZEST_TRY(dedup_tok_push(t, &k, i, i + len));
        } else if (t->tok == DEDUP_TOK_SPACE ? c == ' ' : dedup_is_punct(c)) {
            if (t->tok == DEDUP_TOK_PUNCTUATION || i > start)
                ZEST_TRY(dedup_tok_push(t, &k, start, i));
            start = i + len;
        }
        i += len;
    }
    if (t->tok == DEDUP_TOK_PUNCTUATION || (t->tok == DEDUP_TOK_SPACE && n > start))
        ZEST_TRY(dedup_tok_push(t, &k, start, n));
    *count = k;
    return 0;
}

/* The text lowercased and stripped as the settings say (*s: borrowed), and its tokens. */
static int dedup_text_prepare(struct dedup_text *t, const char *text, size_t len, const char **s,
                              size_t *ntok) {
    size_t n = len;
    *s = text;
    if (t->lowercase) {
        buf_clear(&t->lower);
        ZEST_TRY(pylower(text, len, false, &t->lower));
        *s = t->lower.data ? t->lower.data : "";
        n = t->lower.len;
    }
    if (t->ignore) ZEST_TRY(dedup_text_strip(t, *s, n, s, &n));
    return dedup_tokens(t, *s, n, ntok);
}

int dedup_text_shingle_hashes(struct dedup_text *t, const char *text, size_t len, dedup_hash_fn fn,
                              void *user) {
    const char *s;
    size_t ntok;
    ZEST_TRY(dedup_text_prepare(t, text, len, &s, &ntok));
    if (ntok > t->hash_cap) {
        uint64_t *h = realloc(t->tok_hash, ntok * sizeof *h);
        if (!h) return ZEST_E_NOMEM;
        t->tok_hash = h;
        t->hash_cap = ntok;
    }
    for (size_t i = 0; i < ntok; i++)
        t->tok_hash[i] = hash_finish(
            hash_bytes(HASH_SEED, s + t->tok_start[i], t->tok_end[i] - t->tok_start[i]));
    for (size_t i = 0; i + t->window <= ntok; i++) {
        uint64_t h = HASH_SEED;
        for (size_t j = i; j < i + t->window; j++) {
            h = (h + t->tok_hash[j]) * 0x9e3779b97f4a7c15ull; /* order matters: a b != b a */
            h ^= h >> 29;
        }
        fn(user, hash_finish(h));
    }
    return 0;
}

int dedup_text_shingles(struct dedup_text *t, const char *text, size_t len, dedup_shingle_fn fn,
                        void *user) {
    const char *s;
    size_t ntok;
    ZEST_TRY(dedup_text_prepare(t, text, len, &s, &ntok));
    for (size_t i = 0; i + t->window <= ntok; i++) {
        if (t->tok == DEDUP_TOK_CHARACTER) {
            fn(user, s + t->tok_start[i], t->tok_end[i + t->window - 1] - t->tok_start[i]);
            continue;
        }
        buf_clear(&t->shingle);
        for (size_t j = i; j < i + t->window; j++) {
            if (j > i && buf_putc(&t->shingle, ' ')) return ZEST_E_NOMEM;
            if (buf_append(&t->shingle, s + t->tok_start[j], t->tok_end[j] - t->tok_start[j]))
                return ZEST_E_NOMEM;
        }
        fn(user, t->shingle.data ? t->shingle.data : "", t->shingle.len);
    }
    return 0;
}

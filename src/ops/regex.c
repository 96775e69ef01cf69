/* SPDX-License-Identifier: Apache-2.0 */
/*
 * regex.c - Python-flavoured regular expressions on PCRE2 (see regex.h): the pattern
 * translation, compilation with JIT, search, the replacement template and re.sub.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"

/* Data-Juicer compiles its patterns with the `regex` module, whose \s is Unicode's White_Space
 * (PCRE2's \s adds U+180E) and whose \w is Unicode's word class of UTS #18 - Alphabetic,
 * marks, decimal digits, connector punctuation, ZWNJ and ZWJ - where PCRE2's is letters,
 * numbers and '_'. \b and \B follow \w, so they are spelled out with lookarounds. */
#define PY_SPACE_ITEMS "\\t-\\r\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}" \
                       "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
#define PY_WORD_ITEMS "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200c}\\x{200d}"
#define PY_WORD "[" PY_WORD_ITEMS "]"
#define PY_BOUNDARY "(?:(?<=" PY_WORD ")(?!" PY_WORD ")|(?<!" PY_WORD ")(?=" PY_WORD "))"
#define PY_NOT_BOUNDARY "(?:(?<=" PY_WORD ")(?=" PY_WORD ")|(?<!" PY_WORD ")(?!" PY_WORD "))"

/* The replacement of escape \c outside a class (NULL: none) and inside one. */
static const char *rx_escape_out(char c) {
    switch (c) {
    case 's': return "[" PY_SPACE_ITEMS "]";
    case 'S': return "[^" PY_SPACE_ITEMS "]";
    case 'w': return PY_WORD;
    case 'W': return "[^" PY_WORD_ITEMS "]";
    case 'b': return PY_BOUNDARY;
    case 'B': return PY_NOT_BOUNDARY;
    case 'Z': return "\\z";
    default: return NULL;
    }
}

static const char *rx_escape_in(char c) {
    return c == 's' ? PY_SPACE_ITEMS : c == 'w' ? PY_WORD_ITEMS : NULL;
}

/* Copies \uXXXX (n = 4) or \UXXXXXXXX (n = 8) at p as \x{...}; returns the bytes consumed,
 * or 0 when the digits are not there (PCRE2 then reports the escape). */
static size_t rx_unicode_escape(const char *p, size_t n, struct buf *out) {
    for (size_t i = 0; i < n; i++) {
        const char c = p[2 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    if (buf_printf(out, "\\x{%.*s}", (int)n, p + 2)) return 0;
    return 2 + n;
}

/* Rewrites a Python pattern for PCRE2; the escapes PCRE2 reads the same way pass through. */
static int rx_translate(const char *pat, struct buf *out) {
    bool in_class = false;
    size_t class_start = 0;
    for (const char *p = pat; *p;) {
        if (*p == '\\' && p[1]) {
            const char c = p[1];
            size_t used = 0;
            const char *rep = in_class ? rx_escape_in(c) : rx_escape_out(c);
            if (rep)
                ZEST_TRY(buf_append(out, rep, strlen(rep)));
            else if ((c == 'u' || c == 'U') && (used = rx_unicode_escape(p, c == 'u' ? 4 : 8, out)))
                ;
            else
                ZEST_TRY(buf_append(out, p, 2));
            p += used ? used : 2;
            continue;
        }
        if (!in_class && *p == '[') {
            in_class = true;
            ZEST_TRY(buf_append(out, p, 1));
            p++;
            if (*p == '^') ZEST_TRY(buf_append(out, p++, 1));
            class_start = out->len;
            continue;
        }
        /* a ']' first in a class is a literal in Python and in PCRE2 */
        if (in_class && *p == ']' && out->len > class_start) in_class = false;
        ZEST_TRY(buf_append(out, p, 1));
        p++;
    }
    return buf_putc(out, '\0');
}

void regex_free(struct regex *rx) {
    if (!rx) return;
    pcre2_match_data_free(rx->md);
    pcre2_match_context_free(rx->mctx);
    pcre2_jit_stack_free(rx->jit_stack);
    pcre2_code_free(rx->code);
    memset(rx, 0, sizeof *rx);
}

static int rx_setup_match(struct regex *rx) {
    rx->md = pcre2_match_data_create_from_pattern(rx->code, NULL);
    rx->mctx = pcre2_match_context_create(NULL);
    if (!rx->md || !rx->mctx) return ZEST_E_NOMEM;
    if (pcre2_jit_compile(rx->code, PCRE2_JIT_COMPLETE) == 0) {
        rx->jit_stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, NULL);
        if (!rx->jit_stack) return ZEST_E_NOMEM;
        pcre2_jit_stack_assign(rx->mctx, NULL, rx->jit_stack);
    }
    return 0;
}

int regex_compile(struct regex *rx, const char *pattern, unsigned flags, zest_error *err) {
    struct buf pat;
    buf_init(&pat, 0);
    pcre2_compile_context *cctx = NULL;
    memset(rx, 0, sizeof *rx);
    int rc = rx_translate(pattern, &pat);
    if (rc) goto out;
    cctx = pcre2_compile_context_create(NULL);
    if (!cctx) {
        rc = ZEST_E_NOMEM;
        goto out;
    }
    pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_ALT_CIRCUMFLEX;
    if (flags & REGEX_DOTALL) opts |= PCRE2_DOTALL;
    if (flags & REGEX_MULTILINE) opts |= PCRE2_MULTILINE;
    if (flags & REGEX_IGNORECASE) opts |= PCRE2_CASELESS;
    int ecode;
    PCRE2_SIZE eoff;
    rx->code = pcre2_compile((PCRE2_SPTR)pat.data, PCRE2_ZERO_TERMINATED, opts, &ecode, &eoff, cctx);
    if (!rx->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ecode, msg, sizeof msg);
        rc = err_set(err, ZEST_E_CONFIG, "regular expression '%s': %s (near offset %zu)", pattern,
                     (const char *)msg, (size_t)eoff);
        goto out;
    }
    pcre2_pattern_info(rx->code, PCRE2_INFO_CAPTURECOUNT, &rx->n_groups);
    rc = rx_setup_match(rx);
    if (rc) err_set(err, rc, "regular expression '%s': out of memory", pattern);
out:
    if (rc) regex_free(rx);
    pcre2_compile_context_free(cctx);
    buf_free(&pat);
    return rc;
}

/* 1 found, 0 not found, RX_GAVE_UP when PCRE2 hit its match, depth or JIT stack limit (a
 * pattern with nested quantifiers on a hostile text), another negative status otherwise. */
enum { RX_GAVE_UP = -1000 };

static int rx_match(struct regex *rx, const char *s, size_t len, size_t start,
                    bool not_empty_at_start, size_t *ms, size_t *me) {
    const uint32_t opts = PCRE2_NO_UTF_CHECK | (not_empty_at_start ? PCRE2_NOTEMPTY_ATSTART : 0);
    const int rc = pcre2_match(rx->code, (PCRE2_SPTR)s, len, start, opts, rx->md, rx->mctx);
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT) {
        rx->n_gave_up++;
        return RX_GAVE_UP;
    }
    if (rc < 0) return ZEST_E_NOMEM;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
    *ms = ov[0];
    *me = ov[1];
    return 1;
}

int regex_search(struct regex *rx, const char *s, size_t len, size_t start,
                 bool not_empty_at_start, size_t *ms, size_t *me) {
    const int rc = rx_match(rx, s, len, start, not_empty_at_start, ms, me);
    return rc == RX_GAVE_UP ? 0 : rc;
}

bool regex_group(const struct regex *rx, uint32_t g, size_t *gs, size_t *ge) {
    if (g > rx->n_groups) return false;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
    if (g >= pcre2_get_ovector_count(rx->md) || ov[2 * g] == PCRE2_UNSET) return false;
    *gs = ov[2 * g];
    *ge = ov[2 * g + 1];
    return true;
}

/* --- replacement templates ------------------------------------------------------------------ */

struct repl_builder {
    struct buf lit;
    struct buf items;
    size_t lit_start; /* start of the literal run being collected */
};

static int rb_flush(struct repl_builder *b) {
    if (b->lit.len == b->lit_start) return 0;
    const struct regex_repl_item it = {.group = -1, .off = b->lit_start,
                                       .len = b->lit.len - b->lit_start};
    b->lit_start = b->lit.len;
    return buf_append(&b->items, &it, sizeof it);
}

static int rb_group(struct repl_builder *b, int g) {
    ZEST_TRY(rb_flush(b));
    const struct regex_repl_item it = {.group = g};
    return buf_append(&b->items, &it, sizeof it);
}

/* \g<...>: a number or a group name; returns the bytes consumed after the backslash, 0 on a
 * malformed reference. */
static size_t repl_named(const char *p, const struct regex *rx, int *group) {
    const char *close = p[1] == '<' ? strchr(p + 2, '>') : NULL;
    if (!close || close == p + 2) return 0;
    const size_t n = (size_t)(close - (p + 2));
    char name[128];
    if (n >= sizeof name) return 0;
    memcpy(name, p + 2, n);
    name[n] = '\0';
    char *end;
    const long v = strtol(name, &end, 10);
    if (*end == '\0' && name[0] >= '0' && name[0] <= '9') {
        *group = (int)v;
    } else {
        *group = pcre2_substring_number_from_name(rx->code, (PCRE2_SPTR)name);
        if (*group < 0) return 0;
    }
    return n + 3;
}

/* Appends code point v as UTF-8 to the literal. */
static int repl_put_cp(struct repl_builder *b, uint32_t v) {
    char u[4];
    size_t k = 0;
    if (v < 0x80) {
        u[k++] = (char)v;
    } else if (v < 0x800) {
        u[k++] = (char)(0xC0 | (v >> 6));
        u[k++] = (char)(0x80 | (v & 0x3F));
    } else if (v < 0x10000) {
        u[k++] = (char)(0xE0 | (v >> 12));
        u[k++] = (char)(0x80 | ((v >> 6) & 0x3F));
        u[k++] = (char)(0x80 | (v & 0x3F));
    } else {
        u[k++] = (char)(0xF0 | (v >> 18));
        u[k++] = (char)(0x80 | ((v >> 12) & 0x3F));
        u[k++] = (char)(0x80 | ((v >> 6) & 0x3F));
        u[k++] = (char)(0x80 | (v & 0x3F));
    }
    return buf_append(&b->lit, u, k);
}

static const char *const repl_simple = "n\nt\tr\rf\fv\va\ab\b\\\\";

/* One escape at p (p[0] == '\\'); returns the bytes consumed or 0 for an error (message set). */
static size_t repl_escape(struct repl_builder *b, const char *p, const struct regex *rx,
                          zest_error *err) {
    const char c = p[1];
    for (const char *e = repl_simple; *e; e += 2)
        if (*e == c) return buf_putc(&b->lit, e[1]) ? 0 : 2;
    if (c == 'g') {
        int g = 0;
        const size_t n = repl_named(p + 1, rx, &g);
        if (!n || g < 0 || (uint32_t)g > rx->n_groups) {
            err_set(err, ZEST_E_CONFIG, "replacement: bad group reference at '%.12s'", p);
            return 0;
        }
        return rb_group(b, g) ? 0 : 1 + n;
    }
    if (c == 'x' || c == 'u' || c == 'U') { /* the regex module's hex escapes */
        const size_t nd = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        uint32_t v = 0;
        for (size_t i = 0; i < nd; i++) {
            const char h = p[2 + i];
            const int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                          : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (d < 0 || v > 0x10FFFF) {
                err_set(err, ZEST_E_CONFIG, "replacement: incomplete escape \\%c", c);
                return 0;
            }
            v = v * 16 + (uint32_t)d;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            err_set(err, ZEST_E_CONFIG, "replacement: escape \\%c out of range", c);
            return 0;
        }
        return repl_put_cp(b, v) ? 0 : 2 + nd;
    }
    if (c == '0' || (c >= '1' && c <= '7' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
                     p[3] <= '7')) {
        size_t n = 1;
        uint32_t v = 0; /* octal: \0, \0N, \0NN or three digits, at most 0o777 */
        while (n <= 3 && p[n] >= '0' && p[n] <= '7') v = v * 8 + (uint32_t)(p[n++] - '0');
        return repl_put_cp(b, v) ? 0 : n;
    }
    if (c >= '1' && c <= '9') {
        int g = c - '0';
        size_t n = 2;
        if (p[2] >= '0' && p[2] <= '9') g = g * 10 + (p[2] - '0'), n = 3;
        if ((uint32_t)g > rx->n_groups) {
            err_set(err, ZEST_E_CONFIG, "replacement: invalid group reference %d", g);
            return 0;
        }
        return rb_group(b, g) ? 0 : n;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        err_set(err, ZEST_E_CONFIG, "replacement: bad escape \\%c", c);
        return 0;
    }
    if (c == '\0') return buf_putc(&b->lit, '\\') ? 0 : 1;
    return buf_append(&b->lit, p, 2) ? 0 : 2; /* unknown escape: kept as written */
}

static int repl_finish(struct regex_repl *r, struct repl_builder *b) {
    ZEST_TRY(rb_flush(b));
    ZEST_TRY(buf_putc(&b->lit, '\0'));
    r->lit = b->lit.data;
    r->items = (struct regex_repl_item *)(void *)b->items.data;
    r->n_items = b->items.len / sizeof(struct regex_repl_item);
    r->literal_only = true;
    for (size_t i = 0; i < r->n_items; i++)
        if (r->items[i].group >= 0) r->literal_only = false;
    return 0;
}

int regex_repl_parse(struct regex_repl *r, const char *tmpl, const struct regex *rx,
                     zest_error *err) {
    struct repl_builder b = {0};
    memset(r, 0, sizeof *r);
    buf_init(&b.lit, 0);
    buf_init(&b.items, 0);
    int rc = 0;
    for (const char *p = tmpl; *p;) {
        if (*p != '\\') {
            if ((rc = buf_putc(&b.lit, *p++))) goto out;
            continue;
        }
        const size_t n = repl_escape(&b, p, rx, err);
        if (!n) {
            rc = err->code ? err->code : ZEST_E_NOMEM;
            goto out;
        }
        p += n;
    }
    rc = repl_finish(r, &b);
out:
    if (rc) {
        buf_free(&b.lit);
        buf_free(&b.items);
        memset(r, 0, sizeof *r);
    }
    return rc;
}

int regex_repl_literal(struct regex_repl *r, const char *text) {
    struct repl_builder b = {0};
    memset(r, 0, sizeof *r);
    buf_init(&b.lit, 0);
    buf_init(&b.items, 0);
    int rc = buf_append(&b.lit, text, strlen(text));
    if (!rc) rc = repl_finish(r, &b);
    if (rc) buf_free(&b.lit), buf_free(&b.items);
    return rc;
}

void regex_repl_free(struct regex_repl *r) {
    if (!r) return;
    free(r->lit);
    free(r->items);
    memset(r, 0, sizeof *r);
}

/* --- re.sub --------------------------------------------------------------------------------- */

static int sub_expand(const struct regex *rx, const struct regex_repl *repl, const char *s,
                      struct buf *out) {
    for (size_t i = 0; i < repl->n_items; i++) {
        const struct regex_repl_item *it = &repl->items[i];
        size_t gs, ge;
        if (it->group < 0)
            ZEST_TRY(buf_append(out, repl->lit + it->off, it->len));
        else if (regex_group(rx, (uint32_t)it->group, &gs, &ge))
            ZEST_TRY(buf_append(out, s + gs, ge - gs));
    }
    return 0;
}

/* Python 3.7+: a match may be empty right after a non-empty one; after an empty match the
 * next one must not be empty at the same place. */
int regex_sub(struct regex *rx, const struct regex_repl *repl, const char *s, size_t len,
              struct buf *out, size_t *n_subs) {
    const size_t out_start = out->len;
    size_t pos = 0, copied = 0, n = 0;
    bool after_empty = false;
    while (pos <= len) {
        size_t ms, me;
        const int rc = rx_match(rx, s, len, pos, after_empty, &ms, &me);
        if (rc == RX_GAVE_UP) { /* the text stays as it was */
            out->len = out_start;
            copied = 0, n = 0;
            break;
        }
        if (rc < 0) return rc;
        if (rc == 0) break;
        ZEST_TRY(buf_append(out, s + copied, ms - copied));
        ZEST_TRY(sub_expand(rx, repl, s, out));
        n++;
        copied = me;
        after_empty = ms == me;
        pos = me;
    }
    ZEST_TRY(buf_append(out, s + copied, len - copied));
    if (n_subs) *n_subs = n;
    return 0;
}

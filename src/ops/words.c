/* SPDX-License-Identifier: Apache-2.0 */
/*
 * words.c - Data-Juicer's word splitting, refinement, augmentation and re-joining (see
 * words.h). ASCII words are lowercased through a table; others go through pylower, so final
 * sigma and U+0130 follow Python.
 */
#include "words.h"

#include <utf8proc.h>

#include "../common/err.h"
#include "../common/utf8.h"
#include "pylower.h"
#include "special_chars.h"
#include "zest.h"

size_t words_strip_special(const char **s, size_t len) {
    const unsigned char *b = (const unsigned char *)*s, *e = b + len;
    size_t n;
    while (b < e && special_chars_has(utf8_decode(b, &n))) b += n;
    while (e > b) {
        const unsigned char *p = utf8_prev(b, e);
        if (!special_chars_has(utf8_decode(p, &n))) break;
        e = p;
    }
    *s = (const char *)b;
    return (size_t)(e - b);
}

static bool all_ascii(const char *w, size_t len) {
    size_t i = 0;
    for (; i + 8 <= len; i += 8)
        if (utf8_load8(w + i) & 0x8080808080808080ull) return false;
    for (; i < len; i++)
        if ((unsigned char)w[i] >= 0x80) return false;
    return true;
}

int64_t words_refine(const char *w, size_t len, bool lower, struct buf *scratch,
                     const char **out) {
    if (lower) {
        bool upper = false;
        const bool ascii = all_ascii(w, len);
        for (size_t i = 0; ascii && i < len && !upper; i++) upper = w[i] >= 'A' && w[i] <= 'Z';
        if (!ascii) {
            const int rc = pylower(w, len, false, scratch);
            if (rc) return rc;
            w = scratch->data;
            len = scratch->len;
        } else if (upper) {
            buf_clear(scratch);
            const int rc = buf_reserve(scratch, len);
            if (rc) return rc;
            for (size_t i = 0; i < len; i++)
                scratch->data[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
            scratch->len = len;
            w = scratch->data;
        }
    }
    *out = w;
    return (int64_t)words_strip_special(out, len);
}

void word_list_init(struct word_list *wl) {
    buf_init(&wl->chars, 0);
    buf_init(&wl->spans, 0);
    buf_init(&wl->scratch, 0);
    wl->n = 0;
}

void word_list_free(struct word_list *wl) {
    buf_free(&wl->chars);
    buf_free(&wl->spans);
    buf_free(&wl->scratch);
    wl->n = 0;
}

/* Encodes c (a valid code point) at o; returns its length. */
static size_t put_utf8(unsigned char *o, uint32_t c) {
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | (c >> 6));
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (c >> 12));
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (c >> 18));
    o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* Lowercases a word with non-ASCII characters into o (room for 2 * len + 4 bytes: a simple
 * lowercase mapping at most doubles a character's length). Returns the bytes written, or 0
 * when the word holds U+0130 or U+03A3, whose lowercase forms depend on more than the
 * character (pylower handles them). */
static size_t lower_simple(const unsigned char *w, size_t len, unsigned char *o) {
    unsigned char *start = o;
    for (size_t i = 0, n; i < len; i += n) {
        if (w[i] < 0x80) {
            *o++ = (unsigned char)(w[i] | ((unsigned char)(w[i] - 'A') < 26u ? 0x20 : 0));
            n = 1;
            continue;
        }
        const uint32_t c = utf8_decode(w + i, &n);
        if (c == 0x130 || c == 0x3A3) return 0;
        o += put_utf8(o, (uint32_t)utf8proc_tolower((utf8proc_int32_t)c));
    }
    return (size_t)(o - start);
}

/* ' ', '\t' and '\n': the separators of get_words_from_document. */
#define WORD_SEPS ((1ull << ' ') | (1ull << '\t') | (1ull << '\n'))
static inline bool is_sep(unsigned char b) { return b <= ' ' && ((WORD_SEPS >> b) & 1); }

/* Copies the word starting at text[*pos] into o, ASCII letters lowercased, up to the next
 * separator: one pass for the split and the copy. Returns its length; *any gets the OR of its
 * bytes (bit 7: not all ASCII). */
static size_t copy_word_lower(const char *text, size_t len, size_t *pos, unsigned char *o,
                              unsigned *any) {
    size_t i = *pos;
    const size_t start = i;
    unsigned acc = 0;
    for (; i < len; i++) {
        const unsigned char b = (unsigned char)text[i];
        if (is_sep(b)) break;
        acc |= b;
        *o++ = (unsigned char)(b | ((unsigned char)(b - 'A') < 26u ? 0x20 : 0));
    }
    *any = acc;
    *pos = i;
    return i - start;
}

/* Appends the next word of the text, lowercased as Python does, to wl->chars; 0 at the end
 * of the text (*wlen 0), else 1. Room for the ASCII copy was reserved by the caller. */
static int next_lower(struct word_list *wl, const char *text, size_t len, size_t *pos) {
    size_t i = *pos;
    while (i < len && is_sep((unsigned char)text[i])) i++;
    *pos = i;
    if (i >= len) return 0;
    unsigned any;
    unsigned char *o = (unsigned char *)wl->chars.data + wl->chars.len;
    const size_t n = copy_word_lower(text, len, pos, o, &any);
    if (!(any & 0x80)) {
        wl->chars.len += n;
        return 1;
    }
    const char *w = text + i;
    if (wl->chars.cap - wl->chars.len < 2 * n + 4) ZEST_TRY(buf_reserve(&wl->chars, 2 * n + 4));
    const size_t m = lower_simple((const unsigned char *)w, n,
                                  (unsigned char *)wl->chars.data + wl->chars.len);
    if (m) {
        wl->chars.len += m;
        return 1;
    }
    ZEST_TRY(pylower(w, n, false, &wl->scratch));
    ZEST_TRY(buf_append(&wl->chars, wl->scratch.data, wl->scratch.len));
    return 1;
}

int word_list_build(struct word_list *wl, const char *text, size_t len, bool lower) {
    buf_clear(&wl->chars);
    buf_clear(&wl->spans);
    wl->n = 0;
    ZEST_TRY(buf_reserve(&wl->chars, len + 16));
    ZEST_TRY(buf_reserve(&wl->spans, (len / 2 + 1) * sizeof(struct word_span)));
    struct word_span *spans = (struct word_span *)(void *)wl->spans.data;
    size_t pos = 0, wlen;
    const char *w;
    for (;;) {
        /* the ASCII copy of the rest never outgrows the text: keep that much room */
        if (wl->chars.cap - wl->chars.len < len - pos + 16)
            ZEST_TRY(buf_reserve(&wl->chars, len - pos + 16));
        const size_t at = wl->chars.len;
        if (lower) {
            const int got = next_lower(wl, text, len, &pos);
            if (got < 0) return got;
            if (!got) break;
        } else {
            if (!words_next(text, len, &pos, true, &w, &wlen)) break;
            buf_put(&wl->chars, w, wlen);
        }
        const char *r = wl->chars.data + at;
        const size_t n = words_strip_special(&r, wl->chars.len - at);
        if (!n) {
            wl->chars.len = at;
            continue;
        }
        /* at most one word per two bytes of text: the spans were reserved */
        spans[wl->n++] = (struct word_span){.off = (size_t)(r - wl->chars.data), .len = n};
    }
    wl->spans.len = wl->n * sizeof(struct word_span);
    return 0;
}

int word_list_augment(struct word_list *wl, const int64_t *group_sizes, size_t n_sizes,
                      const char *join, size_t join_len) {
    const size_t n_words = wl->n;
    for (size_t g = 0; g < n_sizes; g++) {
        const size_t size = group_sizes[g] > 0 ? (size_t)group_sizes[g] : 0;
        for (size_t i = 0; size && i + size <= n_words; i++) {
            const struct word_span sp0 = {.off = wl->chars.len, .len = 0};
            for (size_t k = 0; k < size; k++) {
                size_t wlen;
                /* the word's offset, not a pointer: chars may move as it grows */
                const size_t off = ((const struct word_span *)(const void *)wl->spans.data)[i + k].off;
                wlen = ((const struct word_span *)(const void *)wl->spans.data)[i + k].len;
                if (k) ZEST_TRY(buf_append(&wl->chars, join, join_len));
                ZEST_TRY(buf_reserve(&wl->chars, wlen));
                buf_put(&wl->chars, wl->chars.data + off, wlen);
            }
            struct word_span sp = sp0;
            sp.len = wl->chars.len - sp0.off;
            ZEST_TRY(buf_append(&wl->spans, &sp, sizeof sp));
            wl->n++;
        }
    }
    return 0;
}

struct merge_state {
    struct buf *out;
    bool any_line, line_open, cell_open;
};

static int merge_word(struct merge_state *m, const char *w, size_t len) {
    char sep = 0;
    if (m->cell_open)
        sep = ' ';
    else if (m->line_open)
        sep = '\t';
    else if (m->any_line)
        sep = '\n';
    if (sep) ZEST_TRY(buf_putc(m->out, sep));
    m->any_line = m->line_open = m->cell_open = true;
    return buf_append(m->out, w, len);
}

int words_filter_merge(const char *text, size_t len, words_keep_fn keep, void *ctx,
                       struct buf *out) {
    struct merge_state m = {.out = out};
    size_t i = 0;
    while (i <= len) {
        /* one cell: up to the next '\t' or '\n' or the end */
        size_t e = i;
        while (e < len && text[e] != '\t' && text[e] != '\n') e++;
        size_t pos = 0, wlen;
        const char *w;
        while (words_next(text + i, e - i, &pos, false, &w, &wlen))
            if (keep(ctx, w, wlen)) ZEST_TRY(merge_word(&m, w, wlen));
        if (e >= len) break;
        m.cell_open = false;
        if (text[e] == '\n') m.line_open = false;
        i = e + 1;
    }
    return 0;
}

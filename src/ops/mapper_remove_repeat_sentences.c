/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_remove_repeat_sentences.c - remove_repeat_sentences_mapper (Data-Juicer's): each
 * '\n' line is cut into sentences by Data-Juicer's four substitutions (a '\n' after . 。 ！ ! ？ ?
 * not followed by a closing quote, after "......", after "……", and after an ender plus a
 * closing quote), run with the same patterns here. A sentence's key is the sentence stripped
 * (str.strip()), optionally lowercased (str.lower()), optionally reduced to ASCII letters and
 * digits, U+4E00..U+9FA5, '\n', '\t' and ' '. A key shorter than min_repeat_sentence_length
 * code points is always kept; otherwise only its first occurrence in the document is. Kept
 * sentences are joined as they were (no separator added) and lines with '\n'.
 */
#include <stdlib.h>

#include "../common/err.h"
#include "../common/hash.h"
#include "../common/utf8.h"
#include "pylower.h"
#include "textmap.h"

enum { P_LOWERCASE, P_IGNORE_SPECIAL, P_MIN_LEN };

static const zest_param_desc params[] = {
    {.name = "lowercase", .type = ZEST_PARAM_BOOL, .default_value = "false",
     .help = "compare sentences lowercased"},
    {.name = "ignore_special_character", .type = ZEST_PARAM_BOOL, .default_value = "true",
     .help = "compare sentences on letters, digits, Chinese characters and spaces only"},
    {.name = "min_repeat_sentence_length", .type = ZEST_PARAM_INT, .default_value = "2",
     .help = "sentences whose key is shorter than this (in code points) are never removed"},
};

static const char *const split_patterns[4] = {
    "([.\u3002\uff01!\uff1f\\?])([^\u2019\u201d])",
    "(\\.{6})([^\u2019\u201d])",
    "(\\\u2026{2})([^\u2019\u201d])",
    "([.\u3002!\uff01\uff1f\\?\\.{6}\\\u2026{2}][\u2019\u201d])([^\u2019\u201d])",
};

/* A set of keys: open addressing over (hash, offset, length) into `keys`. */
struct slot {
    uint64_t hash;
    size_t off, len;
};

struct state {
    bool lowercase, ignore_special;
    int64_t min_len;
    struct regex rx[4];
    struct regex_repl repl;
    struct buf split[2], key, lower, keys;
    struct slot *slots;
    size_t cap, used;
};

static int repeat_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    s->lowercase = p->v[P_LOWERCASE].b;
    s->ignore_special = p->v[P_IGNORE_SPECIAL].b;
    s->min_len = p->v[P_MIN_LEN].i;
    buf_init(&s->split[0], 0);
    buf_init(&s->split[1], 0);
    buf_init(&s->key, 0);
    buf_init(&s->lower, 0);
    buf_init(&s->keys, 0);
    for (int i = 0; i < 4; i++) ZEST_TRY(regex_compile(&s->rx[i], split_patterns[i], 0, err));
    return regex_repl_parse(&s->repl, "\\1\\n\\2", &s->rx[0], err);
}

/* Python's str.isspace(). */
static bool py_space(uint32_t c) {
    if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

static void py_strip(const unsigned char **b, const unsigned char **e) {
    size_t n;
    while (*b < *e && py_space(utf8_decode(*b, &n))) *b += n;
    while (*e > *b) {
        const unsigned char *p = utf8_prev(*b, *e);
        if (!py_space(utf8_decode(p, &n))) break;
        *e = p;
    }
}

static bool kept_char(uint32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c >= 0x4E00 && c <= 0x9FA5) || c == '\n' || c == '\t' || c == ' ';
}

/* Builds the sentence's key in s->key; returns its length in code points. */
static int make_key(struct state *s, const char *sent, size_t len, int64_t *cps) {
    const unsigned char *b = (const unsigned char *)sent, *e = b + len;
    py_strip(&b, &e);
    if (s->lowercase) {
        buf_clear(&s->lower);
        ZEST_TRY(pylower((const char *)b, (size_t)(e - b), false, &s->lower));
        b = (const unsigned char *)s->lower.data, e = b + s->lower.len;
    }
    buf_clear(&s->key);
    int64_t n = 0;
    for (const unsigned char *p = b; p < e;) {
        size_t k;
        const uint32_t c = utf8_decode(p, &k);
        if (!s->ignore_special || kept_char(c)) {
            ZEST_TRY(buf_append(&s->key, p, k));
            n++;
        }
        p += k;
    }
    *cps = n;
    return 0;
}

static int set_grow(struct state *s) {
    const size_t cap = s->cap ? s->cap * 2 : 64;
    struct slot *t = calloc(cap, sizeof *t);
    if (!t) return ZEST_E_NOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i].hash) continue;
        size_t j = s->slots[i].hash & (cap - 1);
        while (t[j].hash) j = (j + 1) & (cap - 1);
        t[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = t;
    s->cap = cap;
    return 0;
}

/* 1 when the key in s->key was new (and is now in the set), 0 when seen before. */
static int set_insert(struct state *s) {
    if ((s->used + 1) * 2 > s->cap) ZEST_TRY(set_grow(s));
    const uint64_t h = hash_finish(hash_bytes(0xcbf29ce484222325ull, s->key.data, s->key.len)) | 1; /* never 0: 0 marks empty */
    size_t j = h & (s->cap - 1);
    for (; s->slots[j].hash; j = (j + 1) & (s->cap - 1))
        if (s->slots[j].hash == h && s->slots[j].len == s->key.len &&
            memcmp(s->keys.data + s->slots[j].off, s->key.data, s->key.len) == 0)
            return 0;
    s->slots[j] = (struct slot){h, s->keys.len, s->key.len};
    s->used++;
    ZEST_TRY(buf_append(&s->keys, s->key.data, s->key.len));
    return 1;
}

/* Data-Juicer's split_sentence: the four substitutions, one after the other. */
static int split_line(struct state *s, const char *line, size_t len, const char **out,
                      size_t *out_len) {
    for (int i = 0; i < 4; i++) {
        struct buf *dst = &s->split[i & 1];
        buf_clear(dst);
        ZEST_TRY(regex_sub(&s->rx[i], &s->repl, line, len, dst, NULL));
        line = dst->data, len = dst->len;
    }
    *out = line, *out_len = len;
    return 0;
}

static int do_line(struct state *s, const char *line, size_t len, struct buf *out) {
    const char *t;
    size_t tl;
    ZEST_TRY(split_line(s, line, len, &t, &tl));
    for (size_t pos = 0; pos <= tl;) {
        const char *nl = memchr(t + pos, '\n', tl - pos);
        const size_t end = nl ? (size_t)(nl - t) : tl;
        int64_t cps;
        ZEST_TRY(make_key(s, t + pos, end - pos, &cps));
        int keep = 1;
        if (cps >= s->min_len) {
            keep = set_insert(s);
            if (keep < 0) return keep;
        }
        if (keep) ZEST_TRY(buf_append(out, t + pos, end - pos));
        pos = end + 1;
    }
    return 0;
}

static int repeat_apply(void *state, const char *text, size_t len, struct buf *out) {
    struct state *s = state;
    if (s->cap) memset(s->slots, 0, s->cap * sizeof *s->slots);
    s->used = 0;
    buf_clear(&s->keys);
    for (size_t pos = 0; pos <= len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        const size_t end = nl ? (size_t)(nl - text) : len;
        if (pos) ZEST_TRY(buf_putc(out, '\n'));
        if (end > pos) ZEST_TRY(do_line(s, text + pos, end - pos, out));
        pos = end + 1;
    }
    return 0;
}

static int repeat_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, repeat_apply, state, err);
}

static void repeat_destroy(void *state) {
    struct state *s = state;
    for (int i = 0; i < 4; i++) regex_free(&s->rx[i]);
    regex_repl_free(&s->repl);
    buf_free(&s->split[0]);
    buf_free(&s->split[1]);
    buf_free(&s->key);
    buf_free(&s->lower);
    buf_free(&s->keys);
    free(s->slots);
}

const struct op_desc op_remove_repeat_sentences_mapper = {
    .info = {.name = "remove_repeat_sentences_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete sentences already seen earlier in the same text",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = repeat_init,
    .process = repeat_process,
    .destroy = repeat_destroy,
};

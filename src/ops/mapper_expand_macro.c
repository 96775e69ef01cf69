/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_expand_macro.c - expand_macro_mapper (Data-Juicer's): collects the argument-free
 * macros a LaTeX text defines on lines of their own - \newcommand{\name}{value} first, then
 * \def\name{value}, each ending its line - and replaces, macro after macro in that order,
 * every "\name" followed by a character that is not an ASCII letter or digit with the value
 * (the following character stays). As in Data-Juicer, the scan resumes after that following
 * character, so in "\x\x " only the first \x is expanded, and the definition itself is
 * rewritten too. A name defined twice keeps its first place and its last value.
 */
#include <stdlib.h>

#include "../common/err.h"
#include "textmap.h"

struct macro {
    size_t name_off, name_len, val_off, val_len; /* in the text being scanned */
};

struct state {
    struct regex nc, def;
    struct buf defs;   /* struct macro[] */
    struct buf cur[2]; /* the text between two macro passes */
};

static int macro_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)p;
    buf_init(&s->defs, 0);
    buf_init(&s->cur[0], 0);
    buf_init(&s->cur[1], 0);
    ZEST_TRY(regex_compile(&s->nc, "\\\\\\bnewcommand\\b\\*?\\{(\\\\[a-zA-Z0-9]+?)\\}\\{(.*?)\\}$",
                           REGEX_MULTILINE, err));
    return regex_compile(&s->def, "\\\\def\\s*(\\\\[a-zA-Z0-9]+?)\\s*\\{(.*?)\\}$",
                         REGEX_MULTILINE, err);
}

/* Adds or updates one definition from the last match of rx. */
static int macro_add(struct state *s, struct regex *rx, const char *text) {
    size_t ns, ne, vs, ve;
    if (!regex_group(rx, 1, &ns, &ne) || !regex_group(rx, 2, &vs, &ve)) return 0;
    struct macro *m = (struct macro *)(void *)s->defs.data;
    const size_t n = s->defs.len / sizeof *m;
    for (size_t i = 0; i < n; i++)
        if (m[i].name_len == ne - ns && memcmp(text + m[i].name_off, text + ns, ne - ns) == 0) {
            m[i].val_off = vs, m[i].val_len = ve - vs;
            return 0;
        }
    const struct macro add = {ns, ne - ns, vs, ve - vs};
    return buf_append(&s->defs, &add, sizeof add);
}

static int macro_collect(struct state *s, struct regex *rx, const char *text, size_t len) {
    size_t pos = 0, ms, me;
    bool after_empty = false;
    int rc;
    while (pos <= len && (rc = regex_search(rx, text, len, pos, after_empty, &ms, &me)) == 1) {
        ZEST_TRY(macro_add(s, rx, text));
        after_empty = ms == me;
        pos = me;
    }
    return rc < 0 ? rc : 0;
}

static bool ascii_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* re.sub(r"(\\name)([^a-zA-Z0-9])", value + r"\2", s) with the name and value as bytes. */
static int macro_expand(const char *s, size_t len, const char *name, size_t nlen, const char *val,
                        size_t vlen, struct buf *out) {
    size_t pos = 0, copied = 0;
    while (pos + nlen < len) {
        const char *hit = memmem(s + pos, len - pos, name, nlen);
        if (!hit) break;
        const size_t at = (size_t)(hit - s), next = at + nlen;
        if (next >= len || ascii_alnum((unsigned char)s[next])) {
            pos = at + 1;
            continue;
        }
        size_t clen = 1; /* the following character, whole */
        while (next + clen < len && ((unsigned char)s[next + clen] & 0xC0) == 0x80) clen++;
        ZEST_TRY(buf_append(out, s + copied, at - copied));
        ZEST_TRY(buf_append(out, val, vlen));
        ZEST_TRY(buf_append(out, s + next, clen));
        copied = pos = next + clen;
    }
    return buf_append(out, s + copied, len - copied);
}

static int macro_apply(void *state, const char *s, size_t len, struct buf *out) {
    struct state *st = state;
    if (!memmem(s, len, "\\newcommand", 11) && !memmem(s, len, "\\def", 4))
        return buf_append(out, s, len);
    buf_clear(&st->defs);
    ZEST_TRY(macro_collect(st, &st->nc, s, len));
    ZEST_TRY(macro_collect(st, &st->def, s, len));
    const struct macro *m = (const struct macro *)(void *)st->defs.data;
    const size_t n = st->defs.len / sizeof *m;
    if (n == 0) return buf_append(out, s, len);
    /* names and values point into the original text, which stays put */
    const char *text = s;
    for (size_t i = 0; i < n; i++) {
        struct buf *dst = i == n - 1 ? out : &st->cur[i & 1];
        if (dst != out) buf_clear(dst);
        ZEST_TRY(macro_expand(s, len, text + m[i].name_off, m[i].name_len, text + m[i].val_off,
                              m[i].val_len, dst));
        if (dst != out) s = dst->data, len = dst->len;
    }
    return 0;
}

static int macro_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, macro_apply, state, err);
}

static void macro_destroy(void *state) {
    struct state *s = state;
    regex_free(&s->nc);
    regex_free(&s->def);
    buf_free(&s->defs);
    buf_free(&s->cur[0]);
    buf_free(&s->cur[1]);
}

const struct op_desc op_expand_macro_mapper = {
    .info = {.name = "expand_macro_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Expand the argument-free LaTeX macros (\\newcommand, \\def) a text "
                        "defines",
             .params = NULL,
             .n_params = 0},
    .state_size = sizeof(struct state),
    .init = macro_init,
    .process = macro_process,
    .destroy = macro_destroy,
};

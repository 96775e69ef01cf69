/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_remove_specific_chars.c - remove_specific_chars_mapper (Data-Juicer's): deletes every
 * character of chars_to_remove. Data-Juicer builds the pattern "[" + "|".join(chars) + "]", so
 * a literal '|' is deleted too (when two or more characters are given) and regex syntax in the
 * characters ('-', '^', ']', '\') means what it means there; the same pattern is compiled here.
 */
#include <stdlib.h>

#include "../common/err.h"
#include "textmap.h"

enum { P_CHARS };

static const zest_param_desc params[] = {
    {.name = "chars_to_remove", .type = ZEST_PARAM_STRING_LIST,
     .default_value = "\"\u25c6\u25cf\u25a0\u25ba\u25bc\u25b2\u25b4\u2206\u25bb\u25b7\u2756\u2661\u25a1\"",
     .help = "the characters to delete: a string (each character) or a list of strings"},
};

struct state {
    struct textmap_sub sub;
    bool active;
};

/* Appends the pieces Python's "|".join gives: the characters of a string, or the strings of a
 * list (a list of one string is taken as that string). */
static int chars_pattern(const struct param_value *v, struct buf *pat) {
    ZEST_TRY(buf_putc(pat, '['));
    if (v->n_list == 1) {
        const unsigned char *s = (const unsigned char *)v->list[0];
        for (size_t i = 0; s[i];) {
            size_t n = 1;
            while (s[i + n] && (s[i + n] & 0xC0) == 0x80) n++;
            if (i) ZEST_TRY(buf_putc(pat, '|'));
            ZEST_TRY(buf_append(pat, s + i, n));
            i += n;
        }
    } else {
        for (size_t i = 0; i < v->n_list; i++) {
            if (i) ZEST_TRY(buf_putc(pat, '|'));
            ZEST_TRY(buf_append(pat, v->list[i], strlen(v->list[i])));
        }
    }
    ZEST_TRY(buf_putc(pat, ']'));
    return buf_putc(pat, '\0');
}

static int specific_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    const struct param_value *v = &p->v[P_CHARS];
    if (v->n_list == 0 || (v->n_list == 1 && v->list[0][0] == '\0')) return 0; /* nothing */
    struct buf pat;
    buf_init(&pat, 0);
    int rc = chars_pattern(v, &pat);
    if (rc) {
        err_set(err, rc, "out of memory");
    } else {
        rc = regex_compile(&s->sub.rx, pat.data, REGEX_DOTALL, err);
        if (!rc) rc = regex_repl_literal(&s->sub.repl, "");
        s->active = rc == 0;
    }
    buf_free(&pat);
    return rc;
}

static int specific_apply(void *state, const char *s, size_t len, struct buf *out) {
    struct state *st = state;
    if (!st->active) return buf_append(out, s, len);
    return textmap_sub_apply(&st->sub, s, len, out);
}

static int specific_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, specific_apply, state, err);
}

static void specific_destroy(void *state) { textmap_sub_destroy(&((struct state *)state)->sub); }

const struct op_desc op_remove_specific_chars_mapper = {
    .info = {.name = "remove_specific_chars_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete the given characters (by default a set of bullet and box symbols)",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = specific_init,
    .process = specific_process,
    .destroy = specific_destroy,
};

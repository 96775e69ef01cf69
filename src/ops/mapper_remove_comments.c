/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_remove_comments.c - remove_comments_mapper (Data-Juicer's, LaTeX only): with inline,
 * re.sub(r"[^\\]%.+$", "", MULTILINE) - which also deletes the character before the '%' and
 * leaves comments at the very start of a line alone; with multiline, whole lines starting
 * with '%' go, with their newline (r"^%.*\n?"). doc_type is accepted and not used, as there.
 */
#include "textmap.h"

enum { P_DOC_TYPE, P_INLINE, P_MULTILINE };

static const zest_param_desc params[] = {
    {.name = "doc_type", .type = ZEST_PARAM_STRING_LIST, .default_value = "tex",
     .help = "document type(s); only tex exists and the value is not used"},
    {.name = "inline", .type = ZEST_PARAM_BOOL, .default_value = "true",
     .help = "delete comments after other text on a line (and the character before the %)"},
    {.name = "multiline", .type = ZEST_PARAM_BOOL, .default_value = "true",
     .help = "delete lines that start with %"},
};

struct state {
    struct textmap_sub inline_sub, line_sub;
    bool do_inline, do_lines;
    struct buf tmp;
};

static int comments_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    s->do_inline = p->v[P_INLINE].b;
    s->do_lines = p->v[P_MULTILINE].b;
    buf_init(&s->tmp, 0);
    if (s->do_inline) {
        ZEST_TRY(regex_compile(&s->inline_sub.rx, "[^\\\\]%.+$", REGEX_MULTILINE, err));
        ZEST_TRY(regex_repl_literal(&s->inline_sub.repl, ""));
    }
    if (s->do_lines) {
        ZEST_TRY(regex_compile(&s->line_sub.rx, "(?m)^%.*\\n?", REGEX_MULTILINE, err));
        ZEST_TRY(regex_repl_literal(&s->line_sub.repl, ""));
    }
    return 0;
}

static int comments_apply(void *state, const char *s, size_t len, struct buf *out) {
    struct state *st = state;
    if (!memchr(s, '%', len) || (!st->do_inline && !st->do_lines)) return buf_append(out, s, len);
    if (!st->do_lines) return textmap_sub_apply(&st->inline_sub, s, len, out);
    if (st->do_inline) {
        buf_clear(&st->tmp);
        ZEST_TRY(textmap_sub_apply(&st->inline_sub, s, len, &st->tmp));
        s = st->tmp.data, len = st->tmp.len;
    }
    return textmap_sub_apply(&st->line_sub, s, len, out);
}

static int comments_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, comments_apply, state, err);
}

static void comments_destroy(void *state) {
    struct state *s = state;
    textmap_sub_destroy(&s->inline_sub);
    textmap_sub_destroy(&s->line_sub);
    buf_free(&s->tmp);
}

const struct op_desc op_remove_comments_mapper = {
    .info = {.name = "remove_comments_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete LaTeX comments (inline ones and lines starting with %)",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = comments_init,
    .process = comments_process,
    .destroy = comments_destroy,
};

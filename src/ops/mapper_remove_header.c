/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_remove_header.c - remove_header_mapper (Data-Juicer's): in a LaTeX text, deletes
 * everything before the first \chapter, \part, \section, \subsection, \subsubsection or
 * \paragraph heading with Data-Juicer's pattern (whose last two alternatives are joined, so
 * "\paragraph{..}\subparagraph{..}" is one alternative and a lone \subparagraph is none).
 * A text without a heading is left unchanged whatever drop_no_head says: Data-Juicer sets the
 * text to '' and then skips the assignment, and its own tests rely on that.
 */
#include "textmap.h"

enum { P_DROP_NO_HEAD };

static const zest_param_desc params[] = {
    {.name = "drop_no_head", .type = ZEST_PARAM_BOOL, .default_value = "true",
     .help = "accepted for compatibility; as in Data-Juicer, texts without a heading stay "
             "unchanged"},
};

static const char pattern[] = "^(.*?)("
                              "\\\\\\bchapter\\b\\*?(?:\\[(.*?)\\])?\\{(.*?)\\}|"
                              "\\\\\\bpart\\b\\*?(?:\\[(.*?)\\])?\\{(.*?)\\}|"
                              "\\\\\\bsection\\b\\*?(?:\\[(.*?)\\])?\\{(.*?)\\}|"
                              "\\\\\\bsubsection\\b\\*?(?:\\[(.*?)\\])?\\{(.*?)\\}|"
                              "\\\\\\bsubsubsection\\b\\*?(?:\\[(.*?)\\])?\\{(.*?)\\}|"
                              "\\\\\\bparagraph\\b\\*?(?:\\[(.*?)\\])?\\{(.*?)\\}"
                              "\\\\\\bsubparagraph\\b\\*?(?:\\[(.*?)\\])?\\{(.*?)\\}"
                              ")";

static int header_init(void *state, const struct op_params *p, zest_error *err) {
    (void)p;
    struct textmap_sub *t = state;
    ZEST_TRY(regex_compile(&t->rx, pattern, REGEX_DOTALL, err));
    return regex_repl_parse(&t->repl, "\\2", &t->rx, err);
}

static int header_apply(void *state, const char *s, size_t len, struct buf *out) {
    if (!memchr(s, '\\', len)) return buf_append(out, s, len);
    return textmap_sub_apply(state, s, len, out);
}

static int header_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, header_apply, state, err);
}

static void header_destroy(void *state) { textmap_sub_destroy(state); }

const struct op_desc op_remove_header_mapper = {
    .info = {.name = "remove_header_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete a LaTeX text's preamble: everything before the first chapter, "
                        "part, section or paragraph heading",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct textmap_sub),
    .init = header_init,
    .process = header_process,
    .destroy = header_destroy,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_remove_bibliography.c - remove_bibliography_mapper (Data-Juicer's): in a LaTeX text,
 * deletes everything from the first \appendix, \begin{references}, \begin{REFERENCES},
 * \begin{thebibliography} or \bibliography{...} to the end (Data-Juicer's pattern, DOTALL).
 */
#include "textmap.h"

static const char pattern[] = "(\\\\appendix|"
                              "\\\\begin\\{references\\}|"
                              "\\\\begin\\{REFERENCES\\}|"
                              "\\\\begin\\{thebibliography\\}|"
                              "\\\\bibliography\\{.*\\}"
                              ").*$";

static int bibliography_init(void *state, const struct op_params *p, zest_error *err) {
    (void)p;
    return textmap_sub_init(state, NULL, pattern, "", err);
}

/* Texts without a backslash cannot match: copied without running the pattern. */
static int bibliography_apply(void *state, const char *s, size_t len, struct buf *out) {
    if (!memchr(s, '\\', len)) return buf_append(out, s, len);
    return textmap_sub_apply(state, s, len, out);
}

static int bibliography_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, bibliography_apply, state, err);
}

static void bibliography_destroy(void *state) { textmap_sub_destroy(state); }

const struct op_desc op_remove_bibliography_mapper = {
    .info = {.name = "remove_bibliography_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete a LaTeX text's bibliography and appendix (from the first "
                        "\\appendix, \\bibliography{...} or references environment to the end)",
             .params = NULL,
             .n_params = 0},
    .state_size = sizeof(struct textmap_sub),
    .init = bibliography_init,
    .process = bibliography_process,
    .destroy = bibliography_destroy,
};

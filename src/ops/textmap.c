/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textmap.c - the text mappers' row loop and the pattern/replacement mappers' state (see
 * textmap.h). Calls regex.c and the column builder.
 */
#include "textmap.h"

#include <stdlib.h>
#include <string.h>

#include "../common/err.h"

int textmap_run(struct op_ctx *ctx, textmap_fn fn, void *state, zest_error *err) {
    const struct column *text = &ctx->in->cols[ctx->text_col];
    struct col_builder *out = ctx->text_out;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        if (!col_is_valid(text, r)) {
            ZEST_TRY(colb_append_null(out));
            continue;
        }
        size_t len;
        const char *s = col_str(text, r, &len);
        const int rc = fn(state, s, len, &out->data);
        if (rc == ZEST_E_LIMIT)
            return err_set(err, rc, "row %lld: the result is over the text size limit",
                           (long long)r);
        if (rc) return err_set(err, rc, "row %lld: out of memory", (long long)r);
        ZEST_TRY(colb_commit_str(out));
    }
    ctx->text_replaced = true;
    return 0;
}

int textmap_sub_init(struct textmap_sub *t, const char *pattern, const char *default_pattern,
                     const char *repl, zest_error *err) {
    char *own = NULL;
    const char *pat = pattern ? pattern : default_pattern;
    const size_t n = strlen(pat);
    if (pattern && n > 2 && pat[0] == 'r' && (pat[1] == '\'' || pat[1] == '"') &&
        pat[n - 1] == pat[1]) {
        own = strndup(pat + 2, n - 3);
        if (!own) return err_set(err, ZEST_E_NOMEM, "out of memory");
        pat = own;
    }
    int rc = regex_compile(&t->rx, pat, REGEX_DOTALL, err);
    if (!rc) rc = regex_repl_parse(&t->repl, repl ? repl : "", &t->rx, err);
    free(own);
    return rc;
}

void textmap_sub_destroy(struct textmap_sub *t) {
    regex_repl_free(&t->repl);
    regex_free(&t->rx);
}

int textmap_sub_apply(void *state, const char *s, size_t len, struct buf *out) {
    struct textmap_sub *t = state;
    return regex_sub(&t->rx, &t->repl, s, len, out, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textmap.h - the row loop every text mapper shares: for each row of the text column, the
 * mapper appends the new text to the output builder's bytes (null rows stay null), so a mapper
 * is one function from a string to a string and allocates nothing per row. Also the
 * regex-substitution mappers' common state (pattern + replacement, as clean_email_mapper).
 */
#ifndef ZEST_TEXTMAP_H
#define ZEST_TEXTMAP_H

#include "op.h"
#include "../common/err.h"
#include "regex.h"

/* Appends the mapped text of s[0, len) to `out`. 0 or a negative status. */
typedef int (*textmap_fn)(void *state, const char *s, size_t len, struct buf *out);

/* Runs `fn` over every row of ctx's text column into ctx->text_out. */
int textmap_run(struct op_ctx *ctx, textmap_fn fn, void *state, zest_error *err);

/* A pattern and its replacement: clean_email/links/ip_mapper. */
struct textmap_sub {
    struct regex rx;
    struct regex_repl repl;
};
/* Binds `pattern` (the op's default when the parameter is null; a value written r'...' or
 * r"..." loses that wrapper, as Data-Juicer does) and `repl` (a Python re.sub template), with
 * re.DOTALL. */
int textmap_sub_init(struct textmap_sub *t, const char *pattern, const char *default_pattern,
                     const char *repl, zest_error *err);
void textmap_sub_destroy(struct textmap_sub *t);
/* textmap_fn for a struct textmap_sub. */
int textmap_sub_apply(void *state, const char *s, size_t len, struct buf *out);

#endif

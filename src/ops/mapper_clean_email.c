/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_clean_email.c - clean_email_mapper (Data-Juicer's): re.sub(pattern, repl, text, flags=DOTALL)
 * on every text, where the default pattern matches e-mail addresses (the domain in lowercase only). Built on textmap.c / regex.c.
 */
#include "textmap.h"

enum { P_PATTERN, P_REPL };

static const zest_param_desc params[] = {
    {.name = "pattern", .type = ZEST_PARAM_STRING, .default_value = NULL,
     .help = "regular expression (Python syntax) to replace; null: the built-in one"},
    {.name = "repl", .type = ZEST_PARAM_STRING, .default_value = "",
     .help = "replacement (a Python re.sub template: \\1, \\g<name>)"},
};

/* Data-Juicer's default pattern, unchanged. */
static const char default_pattern[] =
    "[A-Za-z0-9.\\-+_]+@[a-z0-9.\\-+_]+\\.[a-z]+";

static int clean_email_init(void *state, const struct op_params *p, zest_error *err) {
    return textmap_sub_init(state, p->v[P_PATTERN].s, default_pattern, p->v[P_REPL].s, err);
}

static int clean_email_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, textmap_sub_apply, state, err);
}

static void clean_email_destroy(void *state) { textmap_sub_destroy(state); }

const struct op_desc op_clean_email_mapper = {
    .info = {.name = "clean_email_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Remove (or replace) e-mail addresses",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct textmap_sub),
    .init = clean_email_init,
    .process = clean_email_process,
    .destroy = clean_email_destroy,
};

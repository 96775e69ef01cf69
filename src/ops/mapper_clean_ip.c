/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_clean_ip.c - clean_ip_mapper (Data-Juicer's): re.sub(pattern, repl, text, flags=DOTALL)
 * on every text, where the default pattern matches dotted IPv4 addresses and eight-group IPv6 addresses. Built on textmap.c / regex.c.
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
    "(?:(?:1[0-9][0-9]\\.)|(?:2[0-4][0-9]\\.)|"
    "(?:25[0-5]\\.)|(?:[1-9][0-9]\\.)|(?:[0-9]\\.))"
    "{3}(?:(?:1[0-9][0-9])|(?:2[0-4][0-9])|"
    "(?:25[0-5])|(?:[1-9][0-9])|(?:[0-9]))|"
    "([\\da-fA-F]{1,4}:){7}[\\da-fA-F]{1,4}";

static int clean_ip_init(void *state, const struct op_params *p, zest_error *err) {
    return textmap_sub_init(state, p->v[P_PATTERN].s, default_pattern, p->v[P_REPL].s, err);
}

static int clean_ip_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, textmap_sub_apply, state, err);
}

static void clean_ip_destroy(void *state) { textmap_sub_destroy(state); }

const struct op_desc op_clean_ip_mapper = {
    .info = {.name = "clean_ip_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Remove (or replace) IPv4 and full IPv6 addresses",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct textmap_sub),
    .init = clean_ip_init,
    .process = clean_ip_process,
    .destroy = clean_ip_destroy,
};

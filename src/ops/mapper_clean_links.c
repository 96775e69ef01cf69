/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_clean_links.c - clean_links_mapper (Data-Juicer's): re.sub(pattern, repl, text, flags=DOTALL)
 * on every text, where the default pattern matches URLs (Data-Juicer's liberal URL pattern, case-insensitive). Built on textmap.c / regex.c.
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
    "(?i)\\b("
    "(?:[a-z][\\w-]+:(?:\\/{1,3}|"
    "[a-z0-9%])|www\\d{0,3}[.]|"
    "[a-z0-9.\\-]+[.][a-z]{2,4}\\/)"
    "(?:[^\\s()<>]+|\\(([^\\s()<>]+|"
    "(\\([^\\s()<>]+\\)))*\\))"
    "+(?:\\(([^\\s()<>]+|(\\([^\\s()<>]+\\)))*\\)|"
    "[^\\s`!()\\[\\]{};:\\'\\\".,<>?«»“”‘’])"
    ")";

static int clean_links_init(void *state, const struct op_params *p, zest_error *err) {
    return textmap_sub_init(state, p->v[P_PATTERN].s, default_pattern, p->v[P_REPL].s, err);
}

static int clean_links_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, textmap_sub_apply, state, err);
}

static void clean_links_destroy(void *state) { textmap_sub_destroy(state); }

const struct op_desc op_clean_links_mapper = {
    .info = {.name = "clean_links_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Remove (or replace) links (URLs with a scheme, www. hosts, domain/paths)",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct textmap_sub),
    .init = clean_links_init,
    .process = clean_links_process,
    .destroy = clean_links_destroy,
};

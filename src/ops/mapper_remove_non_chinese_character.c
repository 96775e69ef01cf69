/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_remove_non_chinese_character.c - remove_non_chinese_character_mapper (Data-Juicer's):
 * deletes every character outside U+4E00..U+9FA5, keeping ASCII letters, ASCII digits and
 * Data-Juicer's punctuation set (".， ,-。%《*》/•、&＆(—)（+）：？!！“”·", the space included)
 * when asked. Data-Juicer's pattern is compiled as it is.
 */
#include "../common/err.h"
#include "textmap.h"

enum { P_ALPHA, P_NUMBER, P_PUNC };

static const zest_param_desc params[] = {
    {.name = "keep_alphabet", .type = ZEST_PARAM_BOOL, .default_value = "true",
     .help = "keep the ASCII letters A-Z and a-z"},
    {.name = "keep_number", .type = ZEST_PARAM_BOOL, .default_value = "true",
     .help = "keep the ASCII digits 0-9"},
    {.name = "keep_punc", .type = ZEST_PARAM_BOOL, .default_value = "true",
     .help = "keep Data-Juicer's Chinese and ASCII punctuation set"},
};

static int non_chinese_init(void *state, const struct op_params *p, zest_error *err) {
    char pat[256] = "[^\u4e00-\u9fa5";
    if (p->v[P_ALPHA].b) strcat(pat, "A-Za-z");
    if (p->v[P_NUMBER].b) strcat(pat, "0-9");
    /* as Data-Juicer: with the punctuation a run is one match, without it one character */
    strcat(pat, p->v[P_PUNC].b
                    ? ".\uff0c ,\\-\u3002%\u300a*\u300b/\u2022\u3001&\uff06(\u2014)\uff08+\uff09"
                      "\uff1a\uff1f!\uff01\u201c\u201d\u00b7]+"
                    : "]");
    return textmap_sub_init(state, NULL, pat, "", err);
}

static int non_chinese_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, textmap_sub_apply, state, err);
}

static void non_chinese_destroy(void *state) { textmap_sub_destroy(state); }

const struct op_desc op_remove_non_chinese_character_mapper = {
    .info = {.name = "remove_non_chinese_character_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete every character that is not a Chinese ideograph (optionally "
                        "keeping ASCII letters, digits and common punctuation)",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct textmap_sub),
    .init = non_chinese_init,
    .process = non_chinese_process,
    .destroy = non_chinese_destroy,
};

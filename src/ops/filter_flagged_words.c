/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_flagged_words.c - flagged_words_filter (Data-Juicer's): __dj__stats__
 * .flagged_words_ratio is the fraction of the text's refined words found in the flagged-word
 * list of `lang` (word_ratio.h), reused when present; kept when it lies in [min_ratio,
 * max_ratio]. Lists come from flagged_words_dir in Data-Juicer's JSON format, by default the
 * LDNOOBW lists that scripts/models.sh installs (docs/wordlists.md).
 */
#include "word_ratio.h"
#include "filter_range.h"

static const zest_param_desc params[] = {
    {.name = "lang", .type = ZEST_PARAM_STRING, .default_value = "en",
     .help = "language of the flagged-word list; all: every language together"},
    {.name = "tokenization", .type = ZEST_PARAM_BOOL, .default_value = "false",
     .help = "split words with a sentencepiece model (unavailable: must be false)"},
    {.name = "min_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.0",
     .help = "minimum ratio of flagged words"},
    {.name = "max_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.045",
     .help = "maximum ratio of flagged words"},
    {.name = "flagged_words_dir", .type = ZEST_PARAM_STRING, .default_value = "",
     .help = "directory of *flagged_words*.json files ({lang: [words]}); empty: the models "
             "directory (ZEST_MODELS_DIR, default ~/.cache/zest/models)"},
    WORD_RATIO_AUG_PARAMS,
    FILTER_RANGE_PARAMS,
};

static int flagged_prepare(struct op_params *p, zest_error *err) {
    return word_ratio_prepare(p, "flagged_words_filter", "flagged_words", err);
}

static int flagged_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return word_ratio_process(state, ctx, "flagged_words_ratio", "flagged_words_filter", err);
}

const struct op_desc op_flagged_words_filter = {
    .info = {.name = "flagged_words_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose ratio of flagged (obscene or offensive) words is "
                        "within a range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct word_ratio_state),
    .prepare = flagged_prepare,
    .init = word_ratio_init,
    .process = flagged_process,
    .destroy = word_ratio_destroy,
};

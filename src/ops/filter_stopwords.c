/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_stopwords.c - stopwords_filter (Data-Juicer's): __dj__stats__.stopwords_ratio is the
 * fraction of the text's refined words found in the stopword list of `lang` (word_ratio.h),
 * reused when present; kept when it lies in [min_ratio, max_ratio]. Lists come from
 * stopwords_dir in Data-Juicer's JSON format, by default the stopwords-iso lists that
 * scripts/models.sh installs (docs/wordlists.md).
 */
#include "word_ratio.h"
#include "filter_range.h"

static const zest_param_desc params[] = {
    {.name = "lang", .type = ZEST_PARAM_STRING, .default_value = "en",
     .help = "language of the stopword list; all: every language together"},
    {.name = "tokenization", .type = ZEST_PARAM_BOOL, .default_value = "false",
     .help = "split words with a sentencepiece model (unavailable: must be false)"},
    {.name = "min_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.3",
     .help = "minimum ratio of stopwords"},
    {.name = "max_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "1.0",
     .help = "maximum ratio of stopwords"},
    {.name = "stopwords_dir", .type = ZEST_PARAM_STRING, .default_value = "",
     .help = "directory of *stopwords*.json files ({lang: [words]}); empty: the models "
             "directory (ZEST_MODELS_DIR, default ~/.cache/zest/models)"},
    WORD_RATIO_AUG_PARAMS,
    FILTER_RANGE_PARAMS,
};

static int stopwords_prepare(struct op_params *p, zest_error *err) {
    return word_ratio_prepare(p, "stopwords_filter", "stopwords", err);
}

static int stopwords_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return word_ratio_process(state, ctx, "stopwords_ratio", "stopwords_filter", err);
}

const struct op_desc op_stopwords_filter = {
    .info = {.name = "stopwords_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose ratio of stopwords is within a range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct word_ratio_state),
    .prepare = stopwords_prepare,
    .init = word_ratio_init,
    .process = stopwords_process,
    .destroy = word_ratio_destroy,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_words_num.c - words_num_filter (Data-Juicer's): __dj__stats__.num_words counts the
 * words of the text split on spaces, tabs and newlines, each stripped of SPECIAL_CHARACTERS at
 * both ends (not lowercased), empty ones dropped - so punctuation-only tokens do not count.
 * Reused when present; kept when it lies in [min_num, max_num]. `lang` only chose the
 * sentencepiece model of `tokenization: true`, which zest does not ship (a config error).
 */
#include "../common/err.h"
#include "filter_range.h"
#include "unavailable.h"
#include "words.h"

enum { P_LANG, P_TOKENIZATION, P_MIN_NUM, P_MAX_NUM, P_RANGE_FLAGS };

static const zest_param_desc params[] = {
    {.name = "lang", .type = ZEST_PARAM_STRING, .default_value = "en",
     .help = "language of the samples (selects the tokenizer of tokenization: true)"},
    {.name = "tokenization", .type = ZEST_PARAM_BOOL, .default_value = "false",
     .help = "split words with a sentencepiece model (unavailable: must be false)"},
    {.name = "min_num", .type = ZEST_PARAM_INT, .default_value = "10",
     .help = "minimum number of words"},
    {.name = "max_num", .type = ZEST_PARAM_INT, .default_value = "9223372036854775807",
     .help = "maximum number of words (default: Python's sys.maxsize)"},
    FILTER_RANGE_PARAMS,
};

struct state {
    struct filter_range range;
};

static int words_num_prepare(struct op_params *p, zest_error *err) {
    return op_refuse_tokenization(p, P_TOKENIZATION, "words_num_filter",
                                  "a sentencepiece model ({lang}.sp.model)", err);
}

static int words_num_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->range.min = (double)p->v[P_MIN_NUM].i;
    s->range.max = (double)p->v[P_MAX_NUM].i;
    s->range.has_min = s->range.has_max = true;
    filter_range_flags(&s->range, p, P_RANGE_FLAGS);
    return 0;
}

static int64_t count_words(const char *t, size_t n) {
    size_t pos = 0, wlen;
    const char *w;
    int64_t count = 0;
    while (words_next(t, n, &pos, true, &w, &wlen)) count += words_strip_special(&w, wlen) > 0;
    return count;
}

static int words_num_process(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    (void)err;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        double v;
        if (!stats_get_number(ctx->stats, "num_words", r, &v)) {
            size_t n = 0;
            const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
            const int64_t count = count_words(t, n);
            ZEST_TRY(stats_set_int(ctx->stats, "num_words", r, count));
            v = (double)count;
        }
        if (!filter_range_keep(&s->range, v)) sel_drop(ctx->sel, r);
    }
    return 0;
}

const struct op_desc op_words_num_filter = {
    .info = {.name = "words_num_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose number of words is within a range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .prepare = words_num_prepare,
    .init = words_num_init,
    .process = words_num_process,
};

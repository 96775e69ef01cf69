/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_alphanumeric.c - alphanumeric_filter (Data-Juicer's): __dj__stats__.alnum_ratio is
 * the number of characters for which Python's str.isalnum() is true over len(text) in code
 * points (0.0 for an empty text), reused when present; kept when it lies in [min_ratio,
 * max_ratio]. CJK ideographs, letters and digits of every script count. `tokenization: true`
 * (a ratio over Hugging Face tokens) needs a tokenizer zest does not ship: a config error.
 */
#include "../common/err.h"
#include "../common/utf8.h"
#include "filter_range.h"
#include "pychar.h"
#include "unavailable.h"

enum { P_TOKENIZATION, P_MIN_RATIO, P_MAX_RATIO, P_RANGE_FLAGS };

static const zest_param_desc params[] = {
    {.name = "tokenization", .type = ZEST_PARAM_BOOL, .default_value = "false",
     .help = "count alphabetic characters per Hugging Face token instead (unavailable: must "
             "be false)"},
    {.name = "min_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.25",
     .help = "minimum ratio of alphanumeric characters"},
    {.name = "max_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "9223372036854775807",
     .help = "maximum ratio of alphanumeric characters (default: Python's sys.maxsize)"},
    FILTER_RANGE_PARAMS,
};

struct state {
    struct filter_range range;
};

static int alnum_prepare(struct op_params *p, zest_error *err) {
    return op_refuse_tokenization(p, P_TOKENIZATION, "alphanumeric_filter",
                                  "the Hugging Face tokenizer EleutherAI/pythia-6.9b-deduped",
                                  err);
}

static int alnum_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->range.min = p->v[P_MIN_RATIO].d;
    s->range.max = p->v[P_MAX_RATIO].d;
    s->range.has_min = s->range.has_max = true;
    filter_range_flags(&s->range, p, P_RANGE_FLAGS);
    return 0;
}

/* ASCII letters and digits: bit c of the two words. */
static const uint64_t ascii_alnum[2] = {0x03FF000000000000ull, 0x07FFFFFE07FFFFFEull};

static double alnum_ratio(const char *text, size_t len) {
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    int64_t alnum = 0, chars = 0;
    while (p < end) {
        if (*p < 0x80) {
            alnum += (ascii_alnum[*p >> 6] >> (*p & 63)) & 1;
            chars++;
            p++;
            continue;
        }
        size_t n;
        alnum += pychar_isalnum(utf8_decode(p, &n));
        chars++;
        p += n;
    }
    return chars ? (double)alnum / (double)chars : 0.0;
}

static int alnum_process(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    (void)err;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        double v;
        if (!stats_get_number(ctx->stats, "alnum_ratio", r, &v)) {
            size_t n = 0;
            const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
            v = alnum_ratio(t, n);
            ZEST_TRY(stats_set_double(ctx->stats, "alnum_ratio", r, v));
        }
        if (!filter_range_keep(&s->range, v)) sel_drop(ctx->sel, r);
    }
    return 0;
}

const struct op_desc op_alphanumeric_filter = {
    .info = {.name = "alphanumeric_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose ratio of alphanumeric characters is within a range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .prepare = alnum_prepare,
    .init = alnum_init,
    .process = alnum_process,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_special_characters.c - special_characters_filter (Data-Juicer's):
 * __dj__stats__.special_char_ratio is the number of characters in SPECIAL_CHARACTERS (ASCII
 * punctuation, digits and whitespace, Data-Juicer's symbol list and every one-code-point
 * emoji; special_chars.h) over len(text) in code points (0.0 for an empty text), reused when
 * present; kept when it lies in [min_ratio, max_ratio].
 */
#include "../common/err.h"
#include "../common/utf8.h"
#include "filter_range.h"
#include "special_chars.h"

enum { P_MIN_RATIO, P_MAX_RATIO, P_RANGE_FLAGS };

static const zest_param_desc params[] = {
    {.name = "min_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.0",
     .help = "minimum ratio of special characters"},
    {.name = "max_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.25",
     .help = "maximum ratio of special characters"},
    FILTER_RANGE_PARAMS,
};

struct state {
    struct filter_range range;
};

static int special_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->range.min = p->v[P_MIN_RATIO].d;
    s->range.max = p->v[P_MAX_RATIO].d;
    s->range.has_min = s->range.has_max = true;
    filter_range_flags(&s->range, p, P_RANGE_FLAGS);
    return 0;
}

static double special_ratio(const char *text, size_t len) {
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    int64_t special = 0, chars = 0;
    while (p < end) {
        if (*p < 0x80) {
            special += (special_chars_bmp[*p >> 6] >> (*p & 63)) & 1;
            chars++;
            p++;
            continue;
        }
        size_t n;
        special += special_chars_has(utf8_decode(p, &n));
        chars++;
        p += n;
    }
    return chars ? (double)special / (double)chars : 0.0;
}

static int special_process(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    (void)err;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        double v;
        if (!stats_get_number(ctx->stats, "special_char_ratio", r, &v)) {
            size_t n = 0;
            const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
            v = special_ratio(t, n);
            ZEST_TRY(stats_set_double(ctx->stats, "special_char_ratio", r, v));
        }
        if (!filter_range_keep(&s->range, v)) sel_drop(ctx->sel, r);
    }
    return 0;
}

const struct op_desc op_special_characters_filter = {
    .info = {.name = "special_characters_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose ratio of special characters (punctuation, digits, "
                        "whitespace, symbols, emoji) is within a range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = special_init,
    .process = special_process,
};

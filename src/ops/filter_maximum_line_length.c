/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_maximum_line_length.c - maximum_line_length_filter (Data-Juicer's):
 * __dj__stats__.max_line_length is the largest len(line) in code points over the lines of
 * Python's str.splitlines() (0 when there are none), reused when present; kept when it lies
 * in [min_len, max_len].
 */
#include "../common/err.h"
#include "filter_range.h"
#include "pychar.h"

enum { P_MIN_LEN, P_MAX_LEN, P_RANGE_FLAGS };

static const zest_param_desc params[] = {
    {.name = "min_len", .type = ZEST_PARAM_INT, .default_value = "10",
     .help = "minimum length of the longest line in code points"},
    {.name = "max_len", .type = ZEST_PARAM_INT, .default_value = "9223372036854775807",
     .help = "maximum length of the longest line in code points (default: Python's "
             "sys.maxsize)"},
    FILTER_RANGE_PARAMS,
};

struct state {
    struct filter_range range;
};

static int max_line_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->range.min = (double)p->v[P_MIN_LEN].i;
    s->range.max = (double)p->v[P_MAX_LEN].i;
    s->range.has_min = s->range.has_max = true;
    filter_range_flags(&s->range, p, P_RANGE_FLAGS);
    return 0;
}

static int64_t max_line_length(const char *t, size_t n) {
    size_t pos = 0, line_len;
    const char *line;
    int64_t best = 0;
    while (pychar_next_line(t, n, &pos, &line, &line_len)) {
        if ((int64_t)line_len <= best) continue; /* bytes bound code points from above */
        const int64_t len = pychar_len(line, line_len);
        if (len > best) best = len;
    }
    return best;
}

static int max_line_process(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    (void)err;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        double v;
        if (!stats_get_number(ctx->stats, "max_line_length", r, &v)) {
            size_t n = 0;
            const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
            const int64_t len = max_line_length(t, n);
            ZEST_TRY(stats_set_int(ctx->stats, "max_line_length", r, len));
            v = (double)len;
        }
        if (!filter_range_keep(&s->range, v)) sel_drop(ctx->sel, r);
    }
    return 0;
}

const struct op_desc op_maximum_line_length_filter = {
    .info = {.name = "maximum_line_length_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose longest line (in code points) is within a range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = max_line_init,
    .process = max_line_process,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_average_line_length.c - average_line_length_filter (Data-Juicer's):
 * __dj__stats__.avg_line_length is len(text) in code points (line boundaries included) over
 * the number of lines of Python's str.splitlines() (0.0 when there are none), reused when
 * present; kept when it lies in [min_len, max_len].
 */
#include "../common/err.h"
#include "filter_range.h"
#include "pychar.h"

enum { P_MIN_LEN, P_MAX_LEN, P_RANGE_FLAGS };

static const zest_param_desc params[] = {
    {.name = "min_len", .type = ZEST_PARAM_INT, .default_value = "10",
     .help = "minimum average line length in code points"},
    {.name = "max_len", .type = ZEST_PARAM_INT, .default_value = "9223372036854775807",
     .help = "maximum average line length in code points (default: Python's sys.maxsize)"},
    FILTER_RANGE_PARAMS,
};

struct state {
    struct filter_range range;
};

static int avg_line_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->range.min = (double)p->v[P_MIN_LEN].i;
    s->range.max = (double)p->v[P_MAX_LEN].i;
    s->range.has_min = s->range.has_max = true;
    filter_range_flags(&s->range, p, P_RANGE_FLAGS);
    return 0;
}

static double avg_line_length(const char *t, size_t n) {
    size_t pos = 0, line_len;
    const char *line;
    int64_t lines = 0;
    while (pychar_next_line(t, n, &pos, &line, &line_len)) lines++;
    return lines ? (double)pychar_len(t, n) / (double)lines : 0.0;
}

static int avg_line_process(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    (void)err;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        double v;
        if (!stats_get_number(ctx->stats, "avg_line_length", r, &v)) {
            size_t n = 0;
            const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
            v = avg_line_length(t, n);
            ZEST_TRY(stats_set_double(ctx->stats, "avg_line_length", r, v));
        }
        if (!filter_range_keep(&s->range, v)) sel_drop(ctx->sel, r);
    }
    return 0;
}

const struct op_desc op_average_line_length_filter = {
    .info = {.name = "average_line_length_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose average line length (in code points) is within a "
                        "range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = avg_line_init,
    .process = avg_line_process,
};

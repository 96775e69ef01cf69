/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_text_length.c - text_length_filter: keeps samples whose length in Unicode code points
 * lies in [min_len, max_len] (Data-Juicer's text_length_filter). The stat is
 * __dj__stats__.text_len, reused when the input already carries it.
 */
#include <stdint.h>
#include <string.h>

#include "filter_range.h"

enum { P_MIN_LEN, P_MAX_LEN, P_RANGE_FLAGS };

static const zest_param_desc params[] = {
    {.name = "min_len", .type = ZEST_PARAM_INT, .default_value = "10",
     .help = "minimum text length in code points"},
    {.name = "max_len", .type = ZEST_PARAM_INT, .default_value = "9223372036854775807",
     .help = "maximum text length in code points (default: Python's sys.maxsize)"},
    FILTER_RANGE_PARAMS,
};

struct state {
    struct filter_range range;
};

static int text_length_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->range.min = (double)p->v[P_MIN_LEN].i;
    s->range.max = (double)p->v[P_MAX_LEN].i;
    s->range.has_min = s->range.has_max = true;
    filter_range_flags(&s->range, p, P_RANGE_FLAGS);
    return 0;
}

/* Code points = bytes that are not UTF-8 continuation bytes (10xxxxxx); 8 bytes at a time. */
static int64_t count_code_points(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    int64_t cont = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        /* a continuation byte has bit 7 set and bit 6 clear */
        const uint64_t m = (w & ~(w << 1) & 0x8080808080808080ull) >> 7;
        cont += (int64_t)((m * 0x0101010101010101ull) >> 56); /* sums the 0/1 bytes */
    }
    for (; i < len; i++) cont += (p[i] & 0xC0) == 0x80;
    return (int64_t)len - cont;
}

static int text_length_process(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    (void)err;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        double len;
        if (!stats_get_number(ctx->stats, "text_len", r, &len)) {
            size_t n = 0;
            const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
            const int64_t cp = count_code_points(t, n);
            const int rc = stats_set_int(ctx->stats, "text_len", r, cp);
            if (rc) return rc;
            len = (double)cp;
        }
        if (!filter_range_keep(&s->range, len)) sel_drop(ctx->sel, r);
    }
    return 0;
}

const struct op_desc op_text_length_filter = {
    .info = {.name = "text_length_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose text length (in code points) is within a range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = text_length_init,
    .process = text_length_process,
};

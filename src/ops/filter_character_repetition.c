/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_character_repetition.c - character_repetition_filter (Data-Juicer's): every
 * overlapping n-gram of rep_len code points is counted; with the counts sorted from the
 * largest, k = min(int(sqrt(distinct n-grams)), n-grams seen more than once), and
 * __dj__stats__.char_rep_ratio = (sum of the k largest counts) / (number of n-grams), 0.0 when
 * the text is shorter than rep_len. Reused when present; kept when it lies in [min_ratio,
 * max_ratio]. N-grams are hashed with a rolling polynomial over code points and compared by
 * bytes, in reused buffers.
 */
#include <math.h>

#include "../common/err.h"
#include "../common/utf8.h"
#include "filter_range.h"
#include "ngrams.h"

enum { P_REP_LEN, P_MIN_RATIO, P_MAX_RATIO, P_RANGE_FLAGS };

static const zest_param_desc params[] = {
    {.name = "rep_len", .type = ZEST_PARAM_INT, .default_value = "10", .has_min = true,
     .min = 1, .help = "length of the character n-grams, in code points"},
    {.name = "min_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.0",
     .help = "minimum character repetition ratio"},
    {.name = "max_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.5",
     .help = "maximum character repetition ratio"},
    FILTER_RANGE_PARAMS,
};

#define ROLL_BASE 0x100000001b3ull

struct state {
    struct filter_range range;
    size_t n;
    uint64_t base_pow; /* ROLL_BASE^(n-1) */
    struct buf offsets; /* uint32_t: byte offset of each code point, then the end */
    struct buf code_points;
    struct buf counts;
    struct ngram_table table;
};

static int char_rep_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->n = (size_t)p->v[P_REP_LEN].i;
    s->base_pow = 1;
    for (size_t i = 1; i < s->n; i++) s->base_pow *= ROLL_BASE;
    s->range.min = p->v[P_MIN_RATIO].d;
    s->range.max = p->v[P_MAX_RATIO].d;
    s->range.has_min = s->range.has_max = true;
    filter_range_flags(&s->range, p, P_RANGE_FLAGS);
    buf_init(&s->offsets, 0);
    buf_init(&s->code_points, 0);
    buf_init(&s->counts, 0);
    ngram_table_init(&s->table);
    return 0;
}

static void char_rep_destroy(void *state) {
    struct state *s = state;
    buf_free(&s->offsets);
    buf_free(&s->code_points);
    buf_free(&s->counts);
    ngram_table_free(&s->table);
}

struct gram_ctx {
    const char *text;
    const uint32_t *off;
    size_t n;
};

static bool gram_eq(const void *ctx, uint32_t a, uint32_t b) {
    const struct gram_ctx *g = ctx;
    const uint32_t la = g->off[a + g->n] - g->off[a], lb = g->off[b + g->n] - g->off[b];
    return la == lb && memcmp(g->text + g->off[a], g->text + g->off[b], la) == 0;
}

/* The sum of the k largest of a[0..n) (k <= n): quickselect moves them to the front, in no
 * particular order, in linear time on average; sorting every count cost more than the
 * counting on texts with many repeated n-grams. */
static uint64_t sum_largest(uint32_t *a, size_t n, size_t k) {
    size_t lo = 0, hi = n; /* the k-th largest lies in [lo, hi) */
    while (hi - lo > 1 && k > lo && k < hi) {
        const uint32_t pivot = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi, m = lo; /* [lo,i): > pivot, [i,m): == pivot, [j,hi): < pivot */
        while (m < j) {
            if (a[m] > pivot) {
                const uint32_t t = a[i]; a[i++] = a[m]; a[m++] = t;
            } else if (a[m] < pivot) {
                const uint32_t t = a[--j]; a[j] = a[m]; a[m] = t;
            } else {
                m++;
            }
        }
        if (k <= i) hi = i;
        else if (k >= j) lo = j;
        else break; /* the k-th largest equals the pivot: the front k are the k largest */
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < k; i++) sum += a[i];
    return sum;
}

/* Splits the text into code points: their values and byte offsets. Returns their number. */
static int decode(struct state *s, const char *text, size_t len, size_t *count) {
    if (len >= UINT32_MAX) return ZEST_E_LIMIT;
    buf_clear(&s->offsets);
    buf_clear(&s->code_points);
    ZEST_TRY(buf_reserve(&s->offsets, (len + 1) * sizeof(uint32_t)));
    ZEST_TRY(buf_reserve(&s->code_points, (len + 1) * sizeof(uint32_t)));
    uint32_t *off = (uint32_t *)(void *)s->offsets.data;
    uint32_t *cp = (uint32_t *)(void *)s->code_points.data;
    size_t k = 0;
    for (size_t i = 0, n; i < len; i += n, k++) {
        off[k] = (uint32_t)i;
        cp[k] = utf8_decode((const unsigned char *)text + i, &n);
    }
    off[k] = (uint32_t)len;
    *count = k;
    return 0;
}

static int char_rep_ratio(struct state *s, const char *text, size_t len, double *ratio) {
    size_t chars;
    *ratio = 0.0;
    ZEST_TRY(decode(s, text, len, &chars));
    if (chars < s->n) return 0;
    const size_t grams = chars - s->n + 1;
    ZEST_TRY(ngram_table_reset(&s->table, grams));
    const uint32_t *cp = (const uint32_t *)(const void *)s->code_points.data;
    const struct gram_ctx g = {.text = text, .off = (const uint32_t *)(const void *)s->offsets.data, .n = s->n};
    uint64_t h = 0;
    for (size_t i = 0; i < s->n; i++) h = h * ROLL_BASE + cp[i] + 1;
    for (size_t i = 0;; i++) {
        ngram_table_add(&s->table, h, (uint32_t)i, gram_eq, &g);
        if (i + 1 == grams) break;
        h = (h - (cp[i] + 1) * s->base_pow) * ROLL_BASE + cp[i + s->n] + 1;
    }
    /* the counts above 1, largest first */
    buf_clear(&s->counts);
    ZEST_TRY(buf_reserve(&s->counts, s->table.distinct * sizeof(uint32_t)));
    uint32_t *counts = (uint32_t *)(void *)s->counts.data;
    size_t repeated = 0;
    for (size_t i = 0; i < s->table.distinct; i++) {
        const uint32_t c = ngram_table_entry(&s->table, i)->count;
        if (c > 1) counts[repeated++] = c;
    }
    size_t k = (size_t)sqrt((double)s->table.distinct);
    if (k > repeated) k = repeated;
    const uint64_t top = k ? sum_largest(counts, repeated, k) : 0;
    *ratio = (double)top / (double)grams;
    return 0;
}

static int char_rep_process(void *state, struct op_ctx *ctx, zest_error *err) {
    struct state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    for (int64_t r = 0; r < ctx->in->length; r++) {
        double v;
        if (!stats_get_number(ctx->stats, "char_rep_ratio", r, &v)) {
            size_t n = 0;
            const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
            const int rc = char_rep_ratio(s, t, n, &v);
            if (rc) return err_set(err, rc, "character_repetition_filter: row %lld: %s",
                                   (long long)r, zest_status_name(rc));
            ZEST_TRY(stats_set_double(ctx->stats, "char_rep_ratio", r, v));
        }
        if (!filter_range_keep(&s->range, v)) sel_drop(ctx->sel, r);
    }
    return 0;
}

const struct op_desc op_character_repetition_filter = {
    .info = {.name = "character_repetition_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose character n-gram repetition ratio is within a range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = char_rep_init,
    .process = char_rep_process,
    .destroy = char_rep_destroy,
};

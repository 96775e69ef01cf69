/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_word_repetition.c - word_repetition_filter (Data-Juicer's): the words (split on
 * spaces, tabs and newlines, lowercased as Python does, stripped of SPECIAL_CHARACTERS, empty
 * ones dropped) form overlapping n-grams of rep_len words; __dj__stats__.word_rep_ratio is
 * (occurrences of the n-grams seen more than once) / (number of n-grams), 0.0 when there are
 * fewer words than rep_len. Reused when present; kept when it lies in [min_ratio, max_ratio].
 * Words are interned to ids, so an n-gram is hashed and compared as rep_len ids.
 * `tokenization: true` needs a sentencepiece model zest does not ship (a config error).
 */
#include "../common/err.h"
#include "../common/hash.h"
#include "filter_range.h"
#include "ngrams.h"
#include "unavailable.h"
#include "words.h"

enum { P_LANG, P_TOKENIZATION, P_REP_LEN, P_MIN_RATIO, P_MAX_RATIO, P_RANGE_FLAGS };

static const zest_param_desc params[] = {
    {.name = "lang", .type = ZEST_PARAM_STRING, .default_value = "en",
     .help = "language of the samples (selects the tokenizer of tokenization: true)"},
    {.name = "tokenization", .type = ZEST_PARAM_BOOL, .default_value = "false",
     .help = "split words with a sentencepiece model (unavailable: must be false)"},
    {.name = "rep_len", .type = ZEST_PARAM_INT, .default_value = "10", .has_min = true,
     .min = 1, .help = "length of the word n-grams, in words"},
    {.name = "min_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.0",
     .help = "minimum word repetition ratio"},
    {.name = "max_ratio", .type = ZEST_PARAM_DOUBLE, .default_value = "0.5",
     .help = "maximum word repetition ratio"},
    FILTER_RANGE_PARAMS,
};

#define ROLL_BASE 0x9e3779b97f4a7c15ull

struct state {
    struct filter_range range;
    size_t n;
    uint64_t base_pow;
    struct word_list words;
    struct buf ids; /* uint32_t per word */
    struct ngram_table vocab, grams;
};

static int word_rep_prepare(struct op_params *p, zest_error *err) {
    return op_refuse_tokenization(p, P_TOKENIZATION, "word_repetition_filter",
                                  "a sentencepiece model ({lang}.sp.model)", err);
}

static int word_rep_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->n = (size_t)p->v[P_REP_LEN].i;
    s->base_pow = 1;
    for (size_t i = 1; i < s->n; i++) s->base_pow *= ROLL_BASE;
    s->range.min = p->v[P_MIN_RATIO].d;
    s->range.max = p->v[P_MAX_RATIO].d;
    s->range.has_min = s->range.has_max = true;
    filter_range_flags(&s->range, p, P_RANGE_FLAGS);
    word_list_init(&s->words);
    buf_init(&s->ids, 0);
    ngram_table_init(&s->vocab);
    ngram_table_init(&s->grams);
    return 0;
}

static void word_rep_destroy(void *state) {
    struct state *s = state;
    word_list_free(&s->words);
    buf_free(&s->ids);
    ngram_table_free(&s->vocab);
    ngram_table_free(&s->grams);
}

static bool word_eq(const void *ctx, uint32_t a, uint32_t b) {
    const struct word_list *wl = ctx;
    size_t la, lb;
    const char *wa = word_list_at(wl, a, &la), *wb = word_list_at(wl, b, &lb);
    return la == lb && memcmp(wa, wb, la) == 0;
}

struct gram_ctx {
    const uint32_t *ids;
    size_t n;
};

static bool gram_eq(const void *ctx, uint32_t a, uint32_t b) {
    const struct gram_ctx *g = ctx;
    return memcmp(g->ids + a, g->ids + b, g->n * sizeof *g->ids) == 0;
}

/* Each word's id: the position of its first occurrence. */
static int intern(struct state *s, uint32_t *ids) {
    const struct word_list *wl = &s->words;
    ZEST_TRY(ngram_table_reset(&s->vocab, wl->n));
    for (size_t i = 0; i < wl->n; i++) {
        size_t len;
        const char *w = word_list_at(wl, i, &len);
        const uint64_t h = hash_bytes(HASH_SEED, w, len) ^ len;
        ids[i] = ngram_table_add(&s->vocab, h, (uint32_t)i, word_eq, wl);
    }
    return 0;
}

static int word_rep_ratio(struct state *s, const char *text, size_t len, double *ratio) {
    *ratio = 0.0;
    ZEST_TRY(word_list_build(&s->words, text, len, true));
    const size_t n_words = s->words.n;
    if (n_words < s->n) return 0;
    if (n_words >= UINT32_MAX) return ZEST_E_LIMIT;
    buf_clear(&s->ids);
    ZEST_TRY(buf_reserve(&s->ids, n_words * sizeof(uint32_t)));
    uint32_t *ids = (uint32_t *)(void *)s->ids.data;
    ZEST_TRY(intern(s, ids));
    const size_t grams = n_words - s->n + 1;
    ZEST_TRY(ngram_table_reset(&s->grams, grams));
    const struct gram_ctx g = {.ids = ids, .n = s->n};
    uint64_t h = 0;
    for (size_t i = 0; i < s->n; i++) h = h * ROLL_BASE + ids[i] + 1;
    for (size_t i = 0;; i++) {
        ngram_table_add(&s->grams, h, (uint32_t)i, gram_eq, &g);
        if (i + 1 == grams) break;
        h = (h - ((uint64_t)ids[i] + 1) * s->base_pow) * ROLL_BASE + ids[i + s->n] + 1;
    }
    size_t once = 0;
    for (size_t i = 0; i < s->grams.distinct; i++) once += ngram_table_entry(&s->grams, i)->count == 1;
    *ratio = (double)(grams - once) / (double)grams;
    return 0;
}

static int word_rep_process(void *state, struct op_ctx *ctx, zest_error *err) {
    struct state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    for (int64_t r = 0; r < ctx->in->length; r++) {
        double v;
        if (!stats_get_number(ctx->stats, "word_rep_ratio", r, &v)) {
            size_t n = 0;
            const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
            const int rc = word_rep_ratio(s, t, n, &v);
            if (rc) return err_set(err, rc, "word_repetition_filter: row %lld: %s",
                                   (long long)r, zest_status_name(rc));
            ZEST_TRY(stats_set_double(ctx->stats, "word_rep_ratio", r, v));
        }
        if (!filter_range_keep(&s->range, v)) sel_drop(ctx->sel, r);
    }
    return 0;
}

const struct op_desc op_word_repetition_filter = {
    .info = {.name = "word_repetition_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose word n-gram repetition ratio is within a range",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .prepare = word_rep_prepare,
    .init = word_rep_init,
    .process = word_rep_process,
    .destroy = word_rep_destroy,
};

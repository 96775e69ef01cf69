/* SPDX-License-Identifier: Apache-2.0 */
/*
 * word_ratio.c - the word-list ratio of stopwords_filter and flagged_words_filter (see
 * word_ratio.h). The list is a read-only set loaded once per config (wordlists.c); each
 * instance keeps its word buffers and reuses them from text to text.
 */
#include "word_ratio.h"

#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "filter_range.h"
#include "unavailable.h"
#include "wordlists.h"
#include "words.h"

#define MAX_AUG_SIZES WORD_RATIO_MAX_AUG_SIZES

static void free_set(void *ws) { wordset_free(ws); }

/* words_aug_group_sizes: positive integers given as strings (YAML [2] or 2). */
static int parse_sizes(const struct op_params *p, const char *op, int64_t *out, size_t *n,
                       zest_error *err) {
    const struct param_value *v = &p->v[WR_AUG_SIZES];
    if (v->n_list > MAX_AUG_SIZES)
        return err_set(err, ZEST_E_CONFIG, "%s: words_aug_group_sizes: at most %d sizes", op,
                       MAX_AUG_SIZES);
    for (size_t i = 0; i < v->n_list; i++) {
        char *end;
        const long long x = strtoll(v->list[i], &end, 10);
        if (end == v->list[i] || *end || x < 1)
            return err_set(err, ZEST_E_CONFIG, "%s: words_aug_group_sizes: expected positive "
                           "integers, got '%s'", op, v->list[i]);
        if (out) out[i] = x;
    }
    *n = v->n_list;
    return 0;
}

int word_ratio_prepare(struct op_params *p, const char *op, const char *type, zest_error *err) {
    size_t n;
    ZEST_TRY(op_refuse_tokenization(p, WR_TOKENIZATION, op,
                                    "a sentencepiece model ({lang}.sp.model)", err));
    ZEST_TRY(parse_sizes(p, op, NULL, &n, err));
    struct wordset *ws = NULL;
    ZEST_TRY(wordset_load(p->v[WR_DIR].s, type, p->v[WR_LANG].s, op, &ws, err));
    p->shared = ws;
    p->free_shared = free_set;
    return 0;
}

int word_ratio_init(void *state, const struct op_params *p, zest_error *err) {
    struct word_ratio_state *s = state;
    s->set = p->shared;
    s->use_aug = p->v[WR_USE_AUG].b;
    s->join = p->v[WR_AUG_JOIN].s ? p->v[WR_AUG_JOIN].s : "";
    s->range.min = p->v[WR_MIN_RATIO].d;
    s->range.max = p->v[WR_MAX_RATIO].d;
    s->range.has_min = s->range.has_max = true;
    filter_range_flags(&s->range, p, WR_RANGE_FLAGS);
    word_list_init(&s->words);
    ZEST_TRY(parse_sizes(p, "word list", s->aug_sizes, &s->n_aug_sizes, err));
    return s->set ? 0 : ZEST_E_INTERNAL;
}

void word_ratio_destroy(void *state) {
    struct word_ratio_state *s = state;
    word_list_free(&s->words);
}

static int ratio_of(struct word_ratio_state *s, const char *text, size_t len, double *ratio) {
    ZEST_TRY(word_list_build(&s->words, text, len, true));
    if (s->use_aug)
        ZEST_TRY(word_list_augment(&s->words, s->aug_sizes, s->n_aug_sizes, s->join,
                                   strlen(s->join)));
    size_t found = 0;
    for (size_t i = 0; i < s->words.n; i++) {
        size_t wlen;
        const char *w = word_list_at(&s->words, i, &wlen);
        found += wordset_has(s->set, w, wlen);
    }
    *ratio = s->words.n ? (double)found / (double)s->words.n : 0.0;
    if (*ratio > 1.0) *ratio = 1.0;
    return 0;
}

int word_ratio_process(void *state, struct op_ctx *ctx, const char *key, const char *op,
                       zest_error *err) {
    struct word_ratio_state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    for (int64_t r = 0; r < ctx->in->length; r++) {
        double v;
        if (!stats_get_number(ctx->stats, key, r, &v)) {
            size_t n = 0;
            const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
            const int rc = ratio_of(s, t, n, &v);
            if (rc) return err_set(err, rc, "%s: row %lld: %s", op, (long long)r,
                                   zest_status_name(rc));
            ZEST_TRY(stats_set_double(ctx->stats, key, r, v));
        }
        if (!filter_range_keep(&s->range, v)) sel_drop(ctx->sel, r);
    }
    return 0;
}

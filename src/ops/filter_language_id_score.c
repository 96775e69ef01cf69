/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_language_id_score.c - language_id_score_filter (Data-Juicer's): the text, lowercased
 * as Python's str.lower() does and with '\n' made ' ', goes to the fastText language model
 * (lid.176.ftz by default); the top label without "__label__" is __dj__stats__.lang and its
 * probability, unrounded, __dj__stats__.lang_score (both reused when present). A sample is
 * kept when its language is in `lang` (any language when `lang` is empty) and its score is
 * at least min_score. The model is loaded once when the config is (a missing or damaged one
 * is a config error) and shared by every worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../fasttext/fasttext.h"
#include "filter_range.h"
#include "pylower.h"

enum { P_LANG, P_MIN_SCORE, P_MODEL_PATH, P_RANGE_FLAGS };

static const zest_param_desc params[] = {
    {.name = "lang", .type = ZEST_PARAM_STRING_LIST, .default_value = "",
     .help = "language code(s) to keep, e.g. en or [en, zh]; empty keeps any language"},
    {.name = "min_score", .type = ZEST_PARAM_DOUBLE, .default_value = "0.8",
     .help = "minimum probability of the predicted language"},
    {.name = "model_path", .type = ZEST_PARAM_STRING, .default_value = "lid.176.ftz",
     .help = "fastText language model (.ftz or .bin); a bare file name is looked up in "
             "ZEST_MODELS_DIR (default ~/.cache/zest/models)"},
    FILTER_RANGE_PARAMS,
};

#define LID_LABEL_PREFIX "__label__"

struct state {
    const struct ft_model *model;
    const char *const *lang;
    size_t n_lang;
    struct filter_range range;
    struct ft_scratch scratch;
    struct buf lower;
};

/* ------------------------------------------------------------------------------ model */

/* A bare file name lives in the models directory; a path is taken as it is. */
static void lid_model_file(const char *name, char *out, size_t cap) {
    const char *dir = getenv("ZEST_MODELS_DIR"), *cache = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (strchr(name, '/')) snprintf(out, cap, "%s", name);
    else if (dir && *dir) snprintf(out, cap, "%s/%s", dir, name);
    else if (cache && *cache) snprintf(out, cap, "%s/zest/models/%s", cache, name);
    else snprintf(out, cap, "%s/.cache/zest/models/%s", home ? home : ".", name);
}

static void lid_free_model(void *m) { ft_free(m); }

static int lid_prepare(struct op_params *p, zest_error *err) {
    char path[4096];
    lid_model_file(p->v[P_MODEL_PATH].s, path, sizeof path);
    struct ft_model *m = NULL;
    zest_error local;
    const int rc = ft_load(path, &m, &local);
    if (rc == ZEST_E_NOMEM) return err_set(err, rc, "%s: out of memory loading the model", path);
    if (rc)
        return err_set(err, ZEST_E_CONFIG,
                       "language_id_score_filter: model_path: %s%s", local.msg,
                       strchr(p->v[P_MODEL_PATH].s, '/')
                           ? ""
                           : " (scripts/models.sh installs lid.176.ftz; `make demo` and `make "
                             "test` run it)");
    p->shared = m;
    p->free_shared = lid_free_model;
    return 0;
}

/* ------------------------------------------------------------------------------- op */

static int lid_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->model = p->shared;
    s->lang = p->v[P_LANG].list;
    s->n_lang = p->v[P_LANG].n_list;
    while (s->n_lang == 1 && !s->lang[0][0]) s->n_lang = 0; /* lang: '' is no constraint */
    s->range.min = p->v[P_MIN_SCORE].d;
    s->range.has_min = true;
    filter_range_flags(&s->range, p, P_RANGE_FLAGS);
    ft_scratch_init(&s->scratch);
    buf_init(&s->lower, 0);
    return s->model ? 0 : ZEST_E_INTERNAL;
}

static void lid_destroy(void *state) {
    struct state *s = state;
    ft_scratch_free(&s->scratch);
    buf_free(&s->lower);
}

/* Predicts the row's language into the stats; its label and score come back. */
static int lid_compute(struct state *s, struct op_ctx *ctx, int64_t r, const char **lang,
                       size_t *lang_len, double *score) {
    const struct column *text = &ctx->in->cols[ctx->text_col];
    size_t n = 0;
    const char *t = col_is_valid(text, r) ? col_str(text, r, &n) : "";
    ZEST_TRY(pylower(t, n, true, &s->lower));
    struct ft_pred best;
    const int got = ft_predict(s->model, s->lower.data ? s->lower.data : "", s->lower.len, 1, 0,
                               &s->scratch, &best);
    if (got < 0) return got;
    *lang = "";
    *lang_len = 0;
    *score = 0;
    if (got == 1) {
        const char *label = ft_label(s->model, best.label);
        if (strncmp(label, LID_LABEL_PREFIX, 9) == 0) label += 9;
        *lang = label;
        *lang_len = strlen(label);
        *score = (double)best.prob;
    }
    ZEST_TRY(stats_set_string(ctx->stats, "lang", r, *lang, *lang_len));
    return stats_set_double(ctx->stats, "lang_score", r, *score);
}

static bool lid_lang_ok(const struct state *s, const char *lang, size_t len) {
    if (!s->n_lang) return true;
    for (size_t i = 0; i < s->n_lang; i++)
        if (strlen(s->lang[i]) == len && memcmp(s->lang[i], lang, len) == 0) return true;
    return false;
}

static int lid_process(void *state, struct op_ctx *ctx, zest_error *err) {
    struct state *s = state;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        const char *lang;
        size_t len;
        double score;
        if (!stats_get_string(ctx->stats, "lang", r, &lang, &len) ||
            !stats_get_number(ctx->stats, "lang_score", r, &score)) {
            const int rc = lid_compute(s, ctx, r, &lang, &len, &score);
            if (rc) return err_set(err, rc, "language_id_score_filter: out of memory");
        }
        if (!lid_lang_ok(s, lang, len) || !filter_range_keep(&s->range, score))
            sel_drop(ctx->sel, r);
    }
    return 0;
}

const struct op_desc op_language_id_score_filter = {
    .info = {.name = "language_id_score_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples in the given language(s) whose fastText language score "
                        "is at least min_score",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .prepare = lid_prepare,
    .init = lid_init,
    .process = lid_process,
    .destroy = lid_destroy,
};

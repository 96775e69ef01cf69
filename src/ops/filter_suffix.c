/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_suffix.c - suffix_filter (Data-Juicer's): keeps a sample whose __dj__suffix__ field
 * (the file suffix Data-Juicer's formatters record, e.g. ".txt") is one of `suffixes`; an
 * empty list keeps every sample. A sample without the field, or whose field is not a string,
 * has no suffix in the list. reversed_range keeps the others instead. No stats. Fields other
 * than the text arrive as canonical JSON, so each suffix is compared in its canonical JSON
 * form, encoded once.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../io/json.h"
#include "op.h"

#define SUFFIX_FIELD "__dj__suffix__"

enum { P_SUFFIXES, P_REVERSED };

static const zest_param_desc params[] = {
    {.name = "suffixes", .type = ZEST_PARAM_STRING_LIST, .default_value = NULL,
     .help = "suffixes to keep, e.g. .txt or ['.txt', '.pdf']; empty keeps every sample"},
    {.name = "reversed_range", .type = ZEST_PARAM_BOOL, .default_value = "false",
     .help = "keep the samples whose suffix is not in the list instead"},
};

struct state {
    const char *const *suffixes;
    size_t n;
    bool reversed;
    struct buf quoted;  /* the suffixes as canonical JSON strings, back to back */
    size_t *quoted_end; /* where each one ends in `quoted` */
};

static int suffix_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->suffixes = p->v[P_SUFFIXES].list;
    s->n = p->v[P_SUFFIXES].n_list;
    s->reversed = p->v[P_REVERSED].b;
    buf_init(&s->quoted, 0);
    s->quoted_end = calloc(s->n ? s->n : 1, sizeof *s->quoted_end);
    if (!s->quoted_end) return ZEST_E_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        ZEST_TRY(json_write_string(&s->quoted, s->suffixes[i], strlen(s->suffixes[i])));
        s->quoted_end[i] = s->quoted.len;
    }
    return 0;
}

static void suffix_destroy(void *state) {
    struct state *s = state;
    buf_free(&s->quoted);
    free(s->quoted_end);
}

static bool suffix_listed(const struct state *s, const struct column *c, int64_t r) {
    if (!c || (c->type != COL_UTF8 && c->type != COL_JSON) || !col_is_valid(c, r)) return false;
    size_t len;
    const char *v = col_str(c, r, &len);
    for (size_t i = 0, start = 0; i < s->n; start = s->quoted_end[i++]) {
        const char *want = c->type == COL_JSON ? s->quoted.data + start : s->suffixes[i];
        const size_t want_len = c->type == COL_JSON ? s->quoted_end[i] - start : strlen(want);
        if (want_len == len && memcmp(want, v, len) == 0) return true;
    }
    return false;
}

static int suffix_process(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct state *s = state;
    (void)err;
    if (!s->n) return 0;
    const int at = batch_find(ctx->in, SUFFIX_FIELD);
    const struct column *c = at >= 0 ? &ctx->in->cols[at] : NULL;
    for (int64_t r = 0; r < ctx->in->length; r++)
        if (suffix_listed(s, c, r) == s->reversed) sel_drop(ctx->sel, r);
    return 0;
}

const struct op_desc op_suffix_filter = {
    .info = {.name = "suffix_filter",
             .kind = ZEST_OP_FILTER,
             .summary = "Keep samples whose file suffix (__dj__suffix__) is in a list",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = suffix_init,
    .process = suffix_process,
    .destroy = suffix_destroy,
};

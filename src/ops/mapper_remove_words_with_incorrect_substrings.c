/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_remove_words_with_incorrect_substrings.c - remove_words_with_incorrect_substrings_mapper
 * (Data-Juicer's): the text split into lines, tab cells and space-separated words; a word is
 * deleted when, stripped of SPECIAL_CHARACTERS at both ends, it contains one of `substrings`
 * (byte-wise, as Python's `in` on str); the rest is joined back with single separators
 * (merge_on_whitespace_tab_newline). `tokenization: true` (sentencepiece) is refused when the
 * config is loaded: zest ships no sentencepiece model.
 */
#include <string.h>

#include "../common/err.h"
#include "textmap.h"
#include "unavailable.h"
#include "words.h"

enum { P_LANG, P_TOKENIZATION, P_SUBSTRINGS };

static const zest_param_desc params[] = {
    {.name = "lang", .type = ZEST_PARAM_STRING, .default_value = "en",
     .help = "language of the samples (selects the tokenizer of tokenization: true)"},
    {.name = "tokenization", .type = ZEST_PARAM_BOOL, .default_value = "false",
     .help = "split words with a sentencepiece model (unavailable: must be false)"},
    {.name = "substrings", .type = ZEST_PARAM_STRING_LIST,
     .default_value = NULL,
     .help = "a word containing one of these (after stripping special characters) is deleted; "
             "default (also for an empty list): http, www, .com, href, //"},
};

struct state {
    const char *const *subs;
    size_t n_subs;
};

static int substrings_prepare(struct op_params *p, zest_error *err) {
    return op_refuse_tokenization(p, P_TOKENIZATION, "remove_words_with_incorrect_substrings_mapper",
                                  "a sentencepiece model ({lang}.sp.model)", err);
}

/* Data-Juicer's default (substrings=None); a parameter default is one scalar, not a list. */
static const char *const default_subs[] = {"http", "www", ".com", "href", "//"};

static int substrings_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->subs = p->v[P_SUBSTRINGS].list; /* the params outlive every instance */
    s->n_subs = p->v[P_SUBSTRINGS].n_list;
    if (s->n_subs == 0) {
        s->subs = default_subs;
        s->n_subs = sizeof default_subs / sizeof default_subs[0];
    }
    return 0;
}

static bool substrings_keep(void *ctx, const char *w, size_t len) {
    const struct state *s = ctx;
    len = words_strip_special(&w, len);
    for (size_t i = 0; i < s->n_subs; i++) {
        const size_t n = strlen(s->subs[i]);
        if (n == 0 || (n <= len && memmem(w, len, s->subs[i], n))) return false;
    }
    return true;
}

static int substrings_apply(void *state, const char *s, size_t len, struct buf *out) {
    return words_filter_merge(s, len, substrings_keep, state, out);
}

static int substrings_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, substrings_apply, state, err);
}

const struct op_desc op_remove_words_with_incorrect_substrings_mapper = {
    .info = {.name = "remove_words_with_incorrect_substrings_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete words that contain one of the given substrings (links by default)",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .prepare = substrings_prepare,
    .init = substrings_init,
    .process = substrings_process,
};

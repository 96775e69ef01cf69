/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_remove_long_words.c - remove_long_words_mapper (Data-Juicer's): the text split into
 * lines, tab cells and space-separated words; a word stays when its length in code points is
 * in [min_len, max_len], or when its length once SPECIAL_CHARACTERS are stripped from both ends
 * is; the rest is joined back with single separators, so runs of spaces collapse and lines
 * left empty disappear (merge_on_whitespace_tab_newline).
 */
#include "../common/err.h"
#include "pychar.h"
#include "textmap.h"
#include "words.h"

enum { P_MIN_LEN, P_MAX_LEN };

static const zest_param_desc params[] = {
    {.name = "min_len", .type = ZEST_PARAM_INT, .default_value = "1",
     .help = "shortest word kept, in code points"},
    {.name = "max_len", .type = ZEST_PARAM_INT, .default_value = "9223372036854775807",
     .help = "longest word kept, in code points (default: Python's sys.maxsize)"},
};

struct state {
    int64_t min_len, max_len;
};

static int long_words_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->min_len = p->v[P_MIN_LEN].i;
    s->max_len = p->v[P_MAX_LEN].i;
    return 0;
}

static bool long_words_keep(void *ctx, const char *w, size_t len) {
    const struct state *s = ctx;
    const int64_t n = pychar_len(w, len);
    if (s->min_len <= n && n <= s->max_len) return true;
    const size_t stripped = words_strip_special(&w, len);
    const int64_t m = pychar_len(w, stripped);
    return s->min_len <= m && m <= s->max_len;
}

static int long_words_apply(void *state, const char *s, size_t len, struct buf *out) {
    return words_filter_merge(s, len, long_words_keep, state, out);
}

static int long_words_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, long_words_apply, state, err);
}

const struct op_desc op_remove_long_words_mapper = {
    .info = {.name = "remove_long_words_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete words whose length is outside [min_len, max_len]",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = long_words_init,
    .process = long_words_process,
};

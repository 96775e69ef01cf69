/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_remove_table_text.c - remove_table_text_mapper (Data-Juicer's): for each column count
 * c from min_col to max_col in turn, deletes runs of two or more lines (each after a '\n')
 * made of exactly c cells separated by one space, tab or '|', with Data-Juicer's pattern
 * (?<=\n)((\S+?)([ |\t](\S+?)){c-1}\n+){2,}. The patterns are compiled once, in init.
 */
#include <stdio.h>

#include "textmap.h"

enum { P_MIN_COL, P_MAX_COL };

static const zest_param_desc params[] = {
    {.name = "min_col", .type = ZEST_PARAM_INT, .default_value = "2", .has_min = 1, .min = 2,
     .has_max = 1, .max = 20, .help = "fewest columns a table has"},
    {.name = "max_col", .type = ZEST_PARAM_INT, .default_value = "20", .has_min = 1, .min = 2,
     .has_max = 1, .max = 20, .help = "most columns a table has"},
};

enum { MAX_TABLE_RX = 19 };

struct state {
    struct textmap_sub sub[MAX_TABLE_RX];
    int n;
    struct buf tmp[2];
};

static int table_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    buf_init(&s->tmp[0], 0);
    buf_init(&s->tmp[1], 0);
    for (int64_t i = p->v[P_MIN_COL].i - 1; i < p->v[P_MAX_COL].i; i++) {
        char pat[96];
        snprintf(pat, sizeof pat, "(?<=\\n)((\\S+?)([ |\\t](\\S+?)){%d}\\n+){2,}", (int)i);
        ZEST_TRY(regex_compile(&s->sub[s->n].rx, pat, 0, err));
        ZEST_TRY(regex_repl_literal(&s->sub[s->n].repl, ""));
        s->n++;
    }
    return 0;
}

/* The passes run one after the other, each on the previous one's result. */
static int table_apply(void *state, const char *s, size_t len, struct buf *out) {
    struct state *st = state;
    if (st->n == 0 || !memchr(s, '\n', len)) return buf_append(out, s, len);
    for (int i = 0; i < st->n; i++) {
        struct buf *dst = i == st->n - 1 ? out : &st->tmp[i & 1];
        if (dst != out) buf_clear(dst);
        ZEST_TRY(textmap_sub_apply(&st->sub[i], s, len, dst));
        if (dst != out) s = dst->data, len = dst->len;
    }
    return 0;
}

static int table_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, table_apply, state, err);
}

static void table_destroy(void *state) {
    struct state *s = state;
    for (int i = 0; i < MAX_TABLE_RX; i++) textmap_sub_destroy(&s->sub[i]);
    buf_free(&s->tmp[0]);
    buf_free(&s->tmp[1]);
}

const struct op_desc op_remove_table_text_mapper = {
    .info = {.name = "remove_table_text_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete plain-text tables: runs of lines with the same number of "
                        "space-, tab- or |-separated cells",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = table_init,
    .process = table_process,
    .destroy = table_destroy,
};

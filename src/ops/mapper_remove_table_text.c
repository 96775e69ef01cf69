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
    int n, first; /* patterns for first .. first + n - 1 separators */
    struct buf tmp[2];
};

static int table_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    buf_init(&s->tmp[0], 0);
    buf_init(&s->tmp[1], 0);
    s->first = (int)p->v[P_MIN_COL].i - 1;
    for (int64_t i = p->v[P_MIN_COL].i - 1; i < p->v[P_MAX_COL].i; i++) {
        char pat[96];
        snprintf(pat, sizeof pat, "(?<=\\n)((\\S+?)([ |\\t](\\S+?)){%d}\\n+){2,}", (int)i);
        ZEST_TRY(regex_compile(&s->sub[s->n].rx, pat, 0, err));
        ZEST_TRY(regex_repl_literal(&s->sub[s->n].repl, ""));
        s->n++;
    }
    return 0;
}

/* Which column counts can match anywhere in the text, as a bit mask (bit i: i separators).
 * A row of the pattern is a line of non-space runs joined by single ' ', '\t' or '|', so a
 * line can be a row with i separators only if it has no other ASCII whitespace, no leading,
 * trailing or doubled space/tab, and s <= i <= s + p (s spaces/tabs, p bars). A table needs
 * two such lines in a row (blank lines between allowed), the first one after a '\n'. The
 * mask is a necessary condition only: the pattern still decides. */
static uint32_t line_mask(const char *s, size_t n) {
    size_t sp = 0, bars = 0;
    if (n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t') return 0;
    for (size_t i = 0; i < n; i++) {
        const char c = s[i];
        if (c == ' ' || c == '\t') {
            if (s[i - 1] == ' ' || s[i - 1] == '\t') return 0;
            sp++;
        } else if (c == '|') {
            bars++;
        } else if (c == '\r' || c == '\v' || c == '\f') {
            return 0;
        }
    }
    if (sp > 19) return 0;
    const size_t hi = sp + bars > 19 ? 19 : sp + bars;
    return (uint32_t)(((2u << hi) - 1) & ~((1u << sp) - 1));
}

static uint32_t table_candidates(const char *s, size_t len) {
    uint32_t found = 0, prev = 0;
    const char *nl = memchr(s, '\n', len);
    for (size_t pos = nl ? (size_t)(nl - s) + 1 : len; pos < len;) {
        const char *e = memchr(s + pos, '\n', len - pos);
        const size_t end = e ? (size_t)(e - s) : len;
        if (end > pos) {
            const uint32_t m = line_mask(s + pos, end - pos);
            if (e) found |= prev & m; /* a row ends with '\n' */
            prev = e ? m : 0;
        }
        pos = end + 1;
    }
    return found;
}

/* The passes run one after the other, each on the previous one's result; a pass whose
 * column count no pair of lines allows is skipped. */
static int table_apply(void *state, const char *s, size_t len, struct buf *out) {
    struct state *st = state;
    uint32_t cand = st->n && memchr(s, '\n', len) ? table_candidates(s, len) : 0;
    int cur = -1; /* which tmp holds s, -1: the input */
    for (int i = 0; i < st->n && cand; i++) {
        if (!(cand & (1u << (st->first + i)))) continue;
        struct buf *dst = &st->tmp[cur == 0 ? 1 : 0];
        buf_clear(dst);
        ZEST_TRY(textmap_sub_apply(&st->sub[i], s, len, dst));
        if (dst->len != len) cand = table_candidates(dst->data, dst->len);
        s = dst->data, len = dst->len;
        cur = dst == &st->tmp[0] ? 0 : 1;
    }
    return buf_append(out, s, len);
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

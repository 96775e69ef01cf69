/* SPDX-License-Identifier: Apache-2.0 */
/* test_column.c - finished columns: lookups, slicing, col_write_json on every type (and on
 * slices), selections, and compaction (none/all/alternate rows, slices, nested types). */
#include "../../src/data/column.h"
#include "runner.h"
#include "zest.h"


/* All rows of a column as one JSON array text, e.g. [1,null,3]. */
static const char *col_json(const struct column *c) {
    static char text[8192];
    struct buf out;
    buf_init(&out, 0);
    ASSERT_EQ(buf_putc(&out, '['), 0);
    for (int64_t i = 0; i < c->length; i++) {
        if (i) ASSERT_EQ(buf_putc(&out, ','), 0);
        ASSERT_EQ(col_write_json(c, i, &out), 0);
    }
    ASSERT_EQ(buf_putc(&out, ']'), 0);
    ASSERT(out.len < sizeof text);
    memcpy(text, out.data, out.len);
    text[out.len] = '\0';
    buf_free(&out);
    return text;
}

/* A set of builders, one per type, filled with 10 rows where rows 2 and 7 are null. */
enum { N_TYPES = 8, ROWS = 10 };
struct fixture {
    struct col_builder b[N_TYPES];
    struct column c[N_TYPES];
};

static bool null_row(int r) { return r == 2 || r == 7; }

static void fill_row(struct fixture *f, int r) {
    char s[16];
    snprintf(s, sizeof s, "s%d", r);
    ASSERT_EQ(colb_append_null(&f->b[COL_NULL]), 0);
    ASSERT_EQ(colb_append_bool(&f->b[COL_BOOL], r % 2 == 0), 0);
    ASSERT_EQ(colb_append_int(&f->b[COL_INT64], r * 10), 0);
    ASSERT_EQ(colb_append_double(&f->b[COL_DOUBLE], r + 0.5), 0);
    ASSERT_EQ(colb_append_str(&f->b[COL_UTF8], s, strlen(s)), 0);
    char j[32];
    snprintf(j, sizeof j, "{\"j\":%d}", r);
    ASSERT_EQ(colb_append_str(&f->b[COL_JSON], j, strlen(j)), 0);
    struct col_builder *st = &f->b[COL_STRUCT];
    ASSERT_EQ(colb_append_int(colb_struct_field(st, "i", 1), r), 0);
    if (r % 3) ASSERT_EQ(colb_append_str(colb_struct_field(st, "t", 1), s, strlen(s)), 0);
    ASSERT_EQ(colb_struct_end_row(st), 0);
    struct col_builder *item = colb_list_item(&f->b[COL_LIST]);
    for (int k = 0; k < r % 3; k++) ASSERT_EQ(colb_append_int(item, r + k), 0);
    ASSERT_EQ(colb_list_end_row(&f->b[COL_LIST]), 0);
}

static void fixture_init(struct fixture *f) {
    for (int t = 0; t < N_TYPES; t++) colb_init(&f->b[t], (enum col_type)t, false, 0);
    for (int r = 0; r < ROWS; r++) {
        if (!null_row(r)) {
            fill_row(f, r);
            continue;
        }
        for (int t = 0; t < N_TYPES; t++) ASSERT_EQ(colb_append_null(&f->b[t]), 0);
    }
    for (int t = 0; t < N_TYPES; t++) ASSERT_EQ(colb_finish(&f->b[t], &f->c[t]), 0);
}

static void fixture_free(struct fixture *f) {
    for (int t = 0; t < N_TYPES; t++) colb_destroy(&f->b[t]);
}

static const char *const all_json[N_TYPES] = {
    [COL_NULL] = "[null,null,null,null,null,null,null,null,null,null]",
    [COL_BOOL] = "[true,false,null,false,true,false,true,null,true,false]",
    [COL_INT64] = "[0,10,null,30,40,50,60,null,80,90]",
    [COL_DOUBLE] = "[0.5,1.5,null,3.5,4.5,5.5,6.5,null,8.5,9.5]",
    [COL_UTF8] = "[\"s0\",\"s1\",null,\"s3\",\"s4\",\"s5\",\"s6\",null,\"s8\",\"s9\"]",
    [COL_JSON] = "[{\"j\":0},{\"j\":1},null,{\"j\":3},{\"j\":4},{\"j\":5},{\"j\":6},null,{\"j\":8},"
                 "{\"j\":9}]",
    [COL_STRUCT] = "[{\"i\":0,\"t\":null},{\"i\":1,\"t\":\"s1\"},null,{\"i\":3,\"t\":null},"
                   "{\"i\":4,\"t\":\"s4\"},{\"i\":5,\"t\":\"s5\"},{\"i\":6,\"t\":null},null,"
                   "{\"i\":8,\"t\":\"s8\"},{\"i\":9,\"t\":null}]",
    [COL_LIST] = "[[],[1],null,[],[4],[5,6],[],null,[8,9],[]]",
};

TEST(write_json_every_type) {
    struct fixture f;
    fixture_init(&f);
    for (int t = 0; t < N_TYPES; t++) {
        ASSERT_EQ(f.c[t].length, ROWS);
        ASSERT_EQ(f.c[t].null_count, t == COL_NULL ? ROWS : 2);
        ASSERT_STR_EQ(col_json(&f.c[t]), all_json[t]);
    }
    fixture_free(&f);
}

TEST(write_json_strings_escaped) {
    struct col_builder b;
    colb_init(&b, COL_UTF8, false, 0);
    ASSERT_EQ(colb_append_str(&b, "a\"\\\n\x01/é", 8), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_STR_EQ(col_json(&c), "[\"a\\\"\\\\\\n\\u0001/é\"]");
    colb_destroy(&b);
}

/* Rows [from, from+n) of an all_json array text, re-joined, for comparing slices. */
static const char *expected_slice(struct fixture *f, int t, int64_t from, int64_t n) {
    static char text[8192];
    struct buf out;
    buf_init(&out, 0);
    ASSERT_EQ(buf_putc(&out, '['), 0);
    for (int64_t i = from; i < from + n; i++) {
        if (i > from) ASSERT_EQ(buf_putc(&out, ','), 0);
        ASSERT_EQ(col_write_json(&f->c[t], i, &out), 0);
    }
    ASSERT_EQ(buf_putc(&out, ']'), 0);
    memcpy(text, out.data, out.len);
    text[out.len] = '\0';
    buf_free(&out);
    return text;
}

TEST(slice_every_type) {
    struct fixture f;
    fixture_init(&f);
    for (int t = 0; t < N_TYPES; t++) {
        struct column s = col_slice(&f.c[t], 3, 5); /* rows 3..7: one null */
        ASSERT_EQ(s.length, 5);
        ASSERT_EQ(s.offset, 3);
        ASSERT_EQ(s.null_count, t == COL_NULL ? 5 : 1);
        char want[8192];
        snprintf(want, sizeof want, "%s", expected_slice(&f, t, 3, 5));
        ASSERT_STR_EQ(col_json(&s), want);
        struct column s2 = col_slice(&s, 1, 2); /* slice of a slice: rows 4, 5 */
        ASSERT_EQ(s2.offset, 4);
        ASSERT_EQ(s2.null_count, t == COL_NULL ? 2 : 0);
        if (t != COL_NULL) ASSERT(s2.validity == NULL);
        snprintf(want, sizeof want, "%s", expected_slice(&f, t, 4, 2));
        ASSERT_STR_EQ(col_json(&s2), want);
    }
    struct column s = col_slice(&f.c[COL_INT64], 8, 100); /* clamped */
    ASSERT_EQ(s.length, 2);
    ASSERT_STR_EQ(col_json(&s), "[80,90]");
    fixture_free(&f);
}

TEST(batch_find_and_child_index) {
    struct column cols[2] = {{.type = COL_NULL}, {.type = COL_NULL}};
    const char *names[] = {"text", "meta"};
    struct batch b = {.length = 0, .n_cols = 2, .cols = cols, .names = names};
    ASSERT_EQ(batch_find(&b, "meta"), 1);
    ASSERT_EQ(batch_find(&b, "nope"), -1);
    ASSERT_EQ(col_child_index(&cols[0], "x"), -1);
}

/* ---- selection ---- */

TEST(selection_drop_idempotent) {
    struct selection s;
    ASSERT_EQ(sel_init(&s, 13), 0);
    ASSERT_EQ(s.kept, 13);
    sel_drop(&s, 4);
    sel_drop(&s, 4);
    sel_drop(&s, 12);
    sel_drop(&s, 13); /* out of range: ignored */
    ASSERT_EQ(s.kept, 11);
    ASSERT(!sel_is_kept(&s, 4) && sel_is_kept(&s, 5) && !sel_is_kept(&s, 12));
    sel_free(&s);
    ASSERT_EQ(sel_init(&s, 0), 0);
    ASSERT_EQ(s.kept, 0);
    sel_free(&s);
}

/* Compacts column c through s into a fresh builder of its type; returns the rows as JSON. */
static const char *compact_json(const struct column *c, const struct selection *s, bool infer) {
    static char text[8192];
    struct col_builder b;
    colb_init(&b, c->type, infer, 0);
    ASSERT_EQ(col_compact(c, s, &b), 0);
    struct column out;
    ASSERT_EQ(colb_finish(&b, &out), 0);
    ASSERT_EQ(out.length, s->kept);
    if (c->type != COL_NULL || !infer) ASSERT_EQ(out.type, c->type);
    snprintf(text, sizeof text, "%s", col_json(&out));
    colb_destroy(&b);
    return text;
}

/* The expected JSON of the kept rows, from col_write_json on the source. */
static const char *kept_json(const struct column *c, const struct selection *s) {
    static char text[8192];
    struct buf out;
    buf_init(&out, 0);
    ASSERT_EQ(buf_putc(&out, '['), 0);
    bool first = true;
    for (int64_t i = 0; i < c->length; i++) {
        if (!sel_is_kept(s, i)) continue;
        if (!first) ASSERT_EQ(buf_putc(&out, ','), 0);
        first = false;
        ASSERT_EQ(col_write_json(c, i, &out), 0);
    }
    ASSERT_EQ(buf_putc(&out, ']'), 0);
    memcpy(text, out.data, out.len);
    text[out.len] = '\0';
    buf_free(&out);
    return text;
}

static void check_compaction(const struct column *c, const struct selection *s) {
    char want[8192];
    snprintf(want, sizeof want, "%s", kept_json(c, s));
    ASSERT_STR_EQ(compact_json(c, s, false), want);
    ASSERT_STR_EQ(compact_json(c, s, true), want);
}

TEST(compact_all_none_alternate) {
    struct fixture f;
    fixture_init(&f);
    struct selection all, none, alt;
    ASSERT_EQ(sel_init(&all, ROWS), 0);
    ASSERT_EQ(sel_init(&none, ROWS), 0);
    ASSERT_EQ(sel_init(&alt, ROWS), 0);
    for (int r = 0; r < ROWS; r++) sel_drop(&none, r);
    for (int r = 1; r < ROWS; r += 2) sel_drop(&alt, r);
    ASSERT_EQ(none.kept, 0);
    ASSERT_EQ(alt.kept, 5);
    for (int t = 0; t < N_TYPES; t++) {
        ASSERT_STR_EQ(compact_json(&f.c[t], &all, false), all_json[t]);
        ASSERT_STR_EQ(compact_json(&f.c[t], &none, false), "[]");
        check_compaction(&f.c[t], &alt);
    }
    ASSERT_STR_EQ(compact_json(&f.c[COL_UTF8], &alt, false), "[\"s0\",null,\"s4\",\"s6\",\"s8\"]");
    sel_free(&all);
    sel_free(&none);
    sel_free(&alt);
    fixture_free(&f);
}

TEST(compact_slices) {
    struct fixture f;
    fixture_init(&f);
    struct selection s;
    ASSERT_EQ(sel_init(&s, 6), 0); /* rows 1..6 of the source */
    sel_drop(&s, 0);
    sel_drop(&s, 3);
    for (int t = 0; t < N_TYPES; t++) {
        const struct column sl = col_slice(&f.c[t], 1, 6);
        check_compaction(&sl, &s);
    }
    const struct column sl = col_slice(&f.c[COL_INT64], 1, 6);
    ASSERT_STR_EQ(compact_json(&sl, &s, false), "[null,30,50,60]");
    sel_free(&s);
    fixture_free(&f);
}

TEST(compact_long_runs_and_empty_struct_schema) {
    /* 1000 rows: runs spanning whole bytes of the selection, and the fast utf8 path. */
    struct col_builder b;
    colb_init(&b, COL_UTF8, false, 0);
    char s[16];
    for (int r = 0; r < 1000; r++) {
        snprintf(s, sizeof s, "%d", r);
        if (r % 97 == 5) ASSERT_EQ(colb_append_null(&b), 0);
        else ASSERT_EQ(colb_append_str(&b, s, strlen(s)), 0);
    }
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    struct selection sel;
    ASSERT_EQ(sel_init(&sel, 1000), 0);
    for (int r = 100; r < 300; r++) sel_drop(&sel, r);
    for (int r = 500; r < 1000; r += 33) sel_drop(&sel, r);
    check_compaction(&c, &sel);
    sel_free(&sel);
    colb_destroy(&b);

    /* A struct compacted to zero rows keeps its fields and their types. */
    struct fixture f;
    fixture_init(&f);
    struct selection none;
    ASSERT_EQ(sel_init(&none, ROWS), 0);
    for (int r = 0; r < ROWS; r++) sel_drop(&none, r);
    struct col_builder o;
    colb_init(&o, COL_NULL, true, 0);
    ASSERT_EQ(col_compact(&f.c[COL_STRUCT], &none, &o), 0);
    struct column out;
    ASSERT_EQ(colb_finish(&o, &out), 0);
    ASSERT_EQ(out.type, COL_STRUCT);
    ASSERT_EQ(out.n_children, 2);
    ASSERT_EQ(out.children[0].type, COL_INT64);
    ASSERT_EQ(out.children[1].type, COL_UTF8);
    colb_destroy(&o);
    sel_free(&none);
    fixture_free(&f);
}

TEST(compact_into_inferring_builder_promotes) {
    /* an inferring builder that already holds ints takes doubles by the promotion rule */
    struct col_builder src, out;
    colb_init(&src, COL_DOUBLE, false, 0);
    ASSERT_EQ(colb_append_double(&src, 1.5), 0);
    ASSERT_EQ(colb_append_double(&src, 2.5), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&src, &c), 0);
    colb_init(&out, COL_NULL, true, 0);
    ASSERT_EQ(colb_append_int(&out, 7), 0);
    struct selection s;
    ASSERT_EQ(sel_init(&s, 2), 0);
    ASSERT_EQ(col_compact(&c, &s, &out), 0);
    struct column r;
    ASSERT_EQ(colb_finish(&out, &r), 0);
    ASSERT_EQ(r.type, COL_DOUBLE);
    ASSERT_STR_EQ(col_json(&r), "[7.0,1.5,2.5]");
    /* a fixed builder of another type refuses */
    struct col_builder bad;
    colb_init(&bad, COL_UTF8, false, 0);
    ASSERT_EQ(col_compact(&c, &s, &bad), ZEST_E_PARAM);
    colb_destroy(&bad);
    sel_free(&s);
    colb_destroy(&src);
    colb_destroy(&out);
}

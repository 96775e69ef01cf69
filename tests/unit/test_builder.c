/* SPDX-License-Identifier: Apache-2.0 */
/* test_builder.c - col_builder: every type with and without nulls, reuse after reset, the
 * inference and promotion rule of column.h, struct back-fill, lists of structs. JSON values
 * are built by hand (no parser). */
#include <errno.h>

#include "../../src/data/column.h"
#include "runner.h"
#include "zest.h"


/* ---- hand-built JSON values ---- */
static struct json_value jnull(void) { return (struct json_value){.type = JSON_NULL}; }
static struct json_value jbool(bool v) {
    return (struct json_value){.type = v ? JSON_TRUE : JSON_FALSE};
}
static struct json_value jint(const char *text) {
    struct json_value v = {.type = JSON_NUMBER};
    v.u.num.text = text;
    v.u.num.len = (uint32_t)strlen(text);
    v.u.num.is_int = true;
    errno = 0;
    long long i = strtoll(text, NULL, 10);
    v.u.num.int_ok = errno == 0;
    v.u.num.i = i;
    v.u.num.d = strtod(text, NULL);
    return v;
}
static struct json_value jdbl(const char *text) {
    struct json_value v = {.type = JSON_NUMBER};
    v.u.num.text = text;
    v.u.num.len = (uint32_t)strlen(text);
    v.u.num.d = strtod(text, NULL);
    return v;
}
static struct json_value jstr(const char *s) {
    struct json_value v = {.type = JSON_STRING};
    v.u.str.ptr = s;
    v.u.str.len = strlen(s);
    return v;
}
static struct json_value jarr(struct json_value *items, size_t n) {
    struct json_value v = {.type = JSON_ARRAY};
    v.u.arr.items = items;
    v.u.arr.n = n;
    return v;
}
static struct json_value jobj(struct json_member *m, size_t n) {
    struct json_value v = {.type = JSON_OBJECT};
    v.u.obj.members = m;
    v.u.obj.n = n;
    return v;
}
static struct json_member jmem(const char *k, struct json_value v) {
    return (struct json_member){.key = k, .key_len = strlen(k), .value = v};
}

/* Row i of a finished column as JSON text (in a static buffer). */
static const char *row_json(const struct column *c, int64_t i) {
    static struct buf out;
    static char text[4096];
    buf_init(&out, 0);
    ASSERT_EQ(col_write_json(c, i, &out), 0);
    ASSERT(out.len < sizeof text);
    memcpy(text, out.data, out.len);
    text[out.len] = '\0';
    buf_free(&out);
    return text;
}

static void append_all(struct col_builder *b, const struct json_value *v, size_t n) {
    for (size_t k = 0; k < n; k++) ASSERT_EQ(colb_append_json(b, &v[k]), 0);
}


/* ---- fixed types ---- */

TEST(utf8_without_nulls) {
    struct col_builder b;
    colb_init(&b, COL_UTF8, false, 0);
    ASSERT_EQ(colb_append_str(&b, "ab", 2), 0);
    ASSERT_EQ(colb_append_str(&b, "", 0), 0);
    ASSERT_EQ(colb_append_str(&b, "cde", 3), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_UTF8);
    ASSERT_EQ(c.length, 3);
    ASSERT_EQ(c.null_count, 0);
    ASSERT(c.validity == NULL);
    const int64_t want[] = {0, 2, 2, 5};
    for (int k = 0; k < 4; k++) ASSERT_EQ(c.offsets[k], want[k]);
    ASSERT_MEM_EQ(c.data, 5, "abcde", 5);
    size_t n;
    const char *s = col_str(&c, 2, &n);
    ASSERT_MEM_EQ(s, n, "cde", 3);
    colb_destroy(&b);
}

TEST(utf8_with_nulls_lazy_bitmap) {
    struct col_builder b;
    colb_init(&b, COL_UTF8, false, 0);
    for (int k = 0; k < 9; k++) ASSERT_EQ(colb_append_str(&b, "x", 1), 0);
    ASSERT_EQ(b.validity.len, 0); /* no bitmap before the first null */
    ASSERT_EQ(colb_append_null(&b), 0);
    ASSERT_EQ(colb_append_str(&b, "yz", 2), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.length, 11);
    ASSERT_EQ(c.null_count, 1);
    ASSERT(c.validity != NULL);
    ASSERT_EQ(c.validity[0], 0xFF);
    for (int64_t i = 0; i < 11; i++) ASSERT_EQ(col_is_valid(&c, i), i != 9);
    ASSERT_EQ(c.offsets[9], 9);
    ASSERT_EQ(c.offsets[10], 9); /* a null row is empty */
    ASSERT_EQ(c.offsets[11], 11);
    ASSERT_STR_EQ(row_json(&c, 9), "null");
    ASSERT_STR_EQ(row_json(&c, 10), "\"yz\"");
    colb_destroy(&b);
}

TEST(commit_str_in_place) {
    struct col_builder b;
    colb_init(&b, COL_UTF8, false, 0);
    ASSERT_EQ(buf_append(&b.data, "hello", 5), 0);
    ASSERT_EQ(colb_commit_str(&b), 0);
    ASSERT_EQ(colb_append_null(&b), 0);
    ASSERT_EQ(buf_append(&b.data, "w", 1), 0);
    ASSERT_EQ(colb_commit_str(&b), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.length, 3);
    ASSERT_STR_EQ(row_json(&c, 0), "\"hello\"");
    ASSERT_STR_EQ(row_json(&c, 1), "null");
    ASSERT_STR_EQ(row_json(&c, 2), "\"w\"");
    colb_destroy(&b);
}

TEST(json_fixed_takes_text_verbatim) {
    struct col_builder b;
    colb_init(&b, COL_JSON, false, 0);
    ASSERT_EQ(colb_append_str(&b, "{\"a\":1.50}", 10), 0);
    ASSERT_EQ(buf_append(&b.data, "[1,2]", 5), 0);
    ASSERT_EQ(colb_commit_str(&b), 0);
    ASSERT_EQ(colb_append_int(&b, 7), 0); /* typed values are rendered */
    ASSERT_EQ(colb_append_null(&b), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_STR_EQ(row_json(&c, 0), "{\"a\":1.50}");
    ASSERT_STR_EQ(row_json(&c, 1), "[1,2]");
    ASSERT_STR_EQ(row_json(&c, 2), "7");
    ASSERT_STR_EQ(row_json(&c, 3), "null");
    colb_destroy(&b);
}

TEST(bool_bits_packed) {
    struct col_builder b;
    colb_init(&b, COL_BOOL, false, 0);
    for (int k = 0; k < 10; k++) ASSERT_EQ(colb_append_bool(&b, k % 3 == 0), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT(c.validity == NULL);
    ASSERT_EQ(c.bits[0], 0x49); /* rows 0, 3, 6 */
    ASSERT_EQ(c.bits[1] & 3, 0x02); /* row 9 */
    ASSERT_EQ(colb_append_null(&b), 0);
    ASSERT_EQ(colb_append_bool(&b, true), 0);
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.null_count, 1);
    ASSERT_EQ(c.validity[0], 0xFF);
    ASSERT_EQ(c.validity[1] & 0xF, 0xB); /* rows 8, 9, 11 valid; 10 null */
    ASSERT_STR_EQ(row_json(&c, 10), "null");
    ASSERT_STR_EQ(row_json(&c, 11), "true");
    ASSERT_STR_EQ(row_json(&c, 1), "false");
    colb_destroy(&b);
}

TEST(int_and_double_with_nulls) {
    struct col_builder bi, bd;
    colb_init(&bi, COL_INT64, false, 0);
    colb_init(&bd, COL_DOUBLE, false, 0);
    ASSERT_EQ(colb_append_int(&bi, -5), 0);
    ASSERT_EQ(colb_append_null(&bi), 0);
    ASSERT_EQ(colb_append_int(&bi, INT64_MAX), 0);
    ASSERT_EQ(colb_append_double(&bd, 0.5), 0);
    ASSERT_EQ(colb_append_int(&bd, 3), 0); /* a fixed double column converts ints */
    ASSERT_EQ(colb_append_null(&bd), 0);
    struct column ci, cd;
    ASSERT_EQ(colb_finish(&bi, &ci), 0);
    ASSERT_EQ(colb_finish(&bd, &cd), 0);
    ASSERT_EQ(ci.i64[0], -5);
    ASSERT_EQ(ci.i64[2], INT64_MAX);
    ASSERT_EQ(ci.null_count, 1);
    ASSERT(!col_is_valid(&ci, 1));
    ASSERT_DBL_EQ(cd.f64[0], 0.5);
    ASSERT_DBL_EQ(cd.f64[1], 3.0);
    ASSERT_EQ(cd.null_count, 1);
    ASSERT_STR_EQ(row_json(&ci, 2), "9223372036854775807");
    ASSERT_STR_EQ(row_json(&cd, 1), "3.0");
    ASSERT_EQ(colb_append_str(&bi, "x", 1), ZEST_E_PARAM); /* fixed: wrong type refused */
    ASSERT_EQ(colb_append_double(&bi, 1.5), ZEST_E_PARAM);
    colb_destroy(&bi);
    colb_destroy(&bd);
}

TEST(null_column) {
    struct col_builder b;
    colb_init(&b, COL_NULL, false, 0);
    for (int k = 0; k < 3; k++) ASSERT_EQ(colb_append_null(&b), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_NULL);
    ASSERT_EQ(c.null_count, 3);
    ASSERT(!col_is_valid(&c, 2));
    ASSERT_STR_EQ(row_json(&c, 0), "null");
    ASSERT_EQ(colb_append_int(&b, 1), ZEST_E_PARAM);
    colb_destroy(&b);
}

TEST(data_cap_gives_limit) {
    struct col_builder b;
    colb_init(&b, COL_UTF8, false, 8);
    ASSERT_EQ(colb_append_str(&b, "12345", 5), 0);
    ASSERT_EQ(colb_append_str(&b, "6789", 4), ZEST_E_LIMIT);
    ASSERT_EQ(b.length, 1);
    ASSERT_EQ(colb_append_str(&b, "678", 3), 0);
    colb_destroy(&b);
}

TEST(reuse_after_reset_keeps_memory) {
    struct col_builder b;
    colb_init(&b, COL_UTF8, false, 0);
    char s[64];
    memset(s, 'a', sizeof s);
    for (int round = 0; round < 3; round++) {
        const char *data = b.data.data, *offs = b.offsets.data;
        for (int k = 0; k < 1000; k++) ASSERT_EQ(colb_append_str(&b, s, (size_t)(k % 64)), 0);
        if (round > 0) { /* steady state: the same buffers, no growth */
            ASSERT(b.data.data == data);
            ASSERT(b.offsets.data == offs);
        }
        struct column c;
        ASSERT_EQ(colb_finish(&b, &c), 0);
        ASSERT_EQ(c.length, 1000);
        ASSERT_EQ(c.offsets[1000], 999 / 64 * 2016 + (999 % 64) * (999 % 64 + 1) / 2);
        colb_reset(&b);
        ASSERT_EQ(b.length, 0);
        ASSERT(b.data.cap > 0);
    }
    colb_destroy(&b);
}

TEST(reset_forgets_inferred_type) {
    struct col_builder b;
    colb_init(&b, COL_JSON, true, 0); /* infer: the given type is ignored */
    ASSERT_EQ(b.type, COL_NULL);
    struct json_value v[] = {jint("1"), jstr("x")};
    append_all(&b, v, 2);
    ASSERT_EQ(b.type, COL_JSON);
    colb_reset(&b);
    ASSERT_EQ(b.type, COL_NULL);
    append_all(&b, v, 1);
    ASSERT_EQ(b.type, COL_INT64);
    colb_destroy(&b);
}

/* ---- inference and promotion ---- */

TEST(infer_nulls_then_type_backfills) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_value v[] = {jnull(), jnull(), jint("4"), jnull()};
    append_all(&b, v, 4);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_INT64);
    ASSERT_EQ(c.null_count, 3);
    ASSERT_EQ(c.i64[2], 4);
    ASSERT(col_is_valid(&c, 2) && !col_is_valid(&c, 0) && !col_is_valid(&c, 3));
    colb_destroy(&b);
}

TEST(infer_int_then_double_promotes_in_place) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_value v[] = {jint("1"), jnull(), jint("-3"), jdbl("2.5"), jint("7")};
    append_all(&b, v, 5);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_DOUBLE);
    const double want[] = {1.0, 0, -3.0, 2.5, 7.0};
    for (int k = 0; k < 5; k++)
        if (k != 1) ASSERT_DBL_EQ(c.f64[k], want[k]);
    ASSERT_EQ(c.null_count, 1);
    ASSERT_STR_EQ(row_json(&c, 0), "1.0");
    colb_destroy(&b);
}

TEST(infer_double_then_int) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_value v[] = {jdbl("0.25"), jint("2")};
    append_all(&b, v, 2);
    ASSERT_EQ(b.type, COL_DOUBLE);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_DBL_EQ(c.f64[1], 2.0);
    colb_destroy(&b);
}

TEST(infer_big_int_literal_makes_json) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_value v[] = {jint("5"), jint("123456789012345678901234567890"), jdbl("1.50")};
    append_all(&b, v, 3);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_JSON);
    ASSERT_STR_EQ(row_json(&c, 0), "5");
    ASSERT_STR_EQ(row_json(&c, 1), "123456789012345678901234567890");
    ASSERT_STR_EQ(row_json(&c, 2), "1.50"); /* json columns keep the number's text */
    colb_destroy(&b);
}

TEST(infer_int_not_exact_as_double_makes_json) {
    /* 2^53 + 1 would round as a double: the column goes json instead of losing it. */
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_value v[] = {jint("9007199254740993"), jdbl("0.5")};
    append_all(&b, v, 2);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_JSON);
    ASSERT_STR_EQ(row_json(&c, 0), "9007199254740993");
    ASSERT_STR_EQ(row_json(&c, 1), "0.5");
    colb_destroy(&b);
    colb_init(&b, COL_NULL, true, 0);
    struct json_value w[] = {jdbl("0.5"), jint("9007199254740993")};
    append_all(&b, w, 2);
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_JSON);
    ASSERT_STR_EQ(row_json(&c, 0), "0.5");
    ASSERT_STR_EQ(row_json(&c, 1), "9007199254740993");
    colb_destroy(&b);
}

TEST(infer_conflict_rerenders_as_json) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_value items[] = {jint("1"), jstr("a\"b")};
    struct json_member m[] = {jmem("k", jbool(true))};
    struct json_value v[] = {jbool(true), jnull(),        jbool(false), jstr("x\n"),
                             jdbl("1e400"), jarr(items, 2), jobj(m, 1),   jnull()};
    append_all(&b, v, 8);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_JSON);
    ASSERT_EQ(c.null_count, 2);
    const char *want[] = {"true", "null", "false", "\"x\\n\"", "1e400",
                          "[1,\"a\\\"b\"]", "{\"k\":true}", "null"};
    for (int k = 0; k < 8; k++) ASSERT_STR_EQ(row_json(&c, k), want[k]);
    ASSERT(!col_is_valid(&c, 1) && !col_is_valid(&c, 7) && col_is_valid(&c, 0));
    colb_destroy(&b);
}

TEST(infer_string_then_int_and_commit) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    ASSERT_EQ(buf_append(&b.data, "s1", 2), 0); /* in-place string into an untyped column */
    ASSERT_EQ(colb_commit_str(&b), 0);
    ASSERT_EQ(b.type, COL_UTF8);
    ASSERT_EQ(colb_append_int(&b, 12), 0);
    ASSERT_EQ(b.type, COL_JSON);
    ASSERT_EQ(buf_append(&b.data, "q\"", 2), 0); /* now quoted as a string value */
    ASSERT_EQ(colb_commit_str(&b), 0);
    ASSERT_EQ(colb_append_str(&b, "t", 1), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    const char *want[] = {"\"s1\"", "12", "\"q\\\"\"", "\"t\""};
    for (int k = 0; k < 4; k++) ASSERT_STR_EQ(row_json(&c, k), want[k]);
    colb_destroy(&b);
}

TEST(infer_int_column_takes_committed_string) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    ASSERT_EQ(colb_append_int(&b, 3), 0);
    ASSERT_EQ(buf_append(&b.data, "x", 1), 0);
    ASSERT_EQ(colb_commit_str(&b), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_JSON);
    ASSERT_STR_EQ(row_json(&c, 0), "3");
    ASSERT_STR_EQ(row_json(&c, 1), "\"x\"");
    colb_destroy(&b);
}

TEST(infer_struct_union_with_backfill) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_member r0[] = {jmem("a", jint("1"))};
    struct json_member r2[] = {jmem("b", jstr("x")), jmem("a", jdbl("2.5"))};
    struct json_member r3[] = {jmem("c", jbool(true))};
    struct json_value v[] = {jobj(r0, 1), jnull(), jobj(r2, 2), jobj(r3, 1), jobj(NULL, 0)};
    append_all(&b, v, 5);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_STRUCT);
    ASSERT_EQ(c.n_children, 3);
    ASSERT_STR_EQ(c.child_names[0], "a");
    ASSERT_STR_EQ(c.child_names[1], "b");
    ASSERT_STR_EQ(c.child_names[2], "c");
    ASSERT_EQ(col_child_index(&c, "b"), 1);
    ASSERT_EQ(col_child_index(&c, "zz"), -1);
    for (size_t k = 0; k < 3; k++) ASSERT_EQ(c.children[k].length, 5);
    ASSERT_EQ(c.children[0].type, COL_DOUBLE); /* promoted inside the struct */
    ASSERT_EQ(c.children[1].type, COL_UTF8);
    ASSERT_EQ(c.children[2].type, COL_BOOL);
    ASSERT_EQ(c.null_count, 1);
    const char *want[] = {"{\"a\":1.0,\"b\":null,\"c\":null}", "null",
                          "{\"a\":2.5,\"b\":\"x\",\"c\":null}", "{\"a\":null,\"b\":null,\"c\":true}",
                          "{\"a\":null,\"b\":null,\"c\":null}"};
    for (int k = 0; k < 5; k++) ASSERT_STR_EQ(row_json(&c, k), want[k]);
    colb_destroy(&b);
}

TEST(infer_struct_then_scalar_makes_json) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_member r0[] = {jmem("a", jint("1")), jmem("b", jnull())};
    struct json_value v[] = {jobj(r0, 2), jnull(), jint("3")};
    append_all(&b, v, 3);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_JSON);
    ASSERT_STR_EQ(row_json(&c, 0), "{\"a\":1,\"b\":null}");
    ASSERT_STR_EQ(row_json(&c, 1), "null");
    ASSERT_STR_EQ(row_json(&c, 2), "3");
    colb_destroy(&b);
}

TEST(infer_list_child_promotes) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_value l0[] = {jint("1"), jint("2")};
    struct json_value l2[] = {jdbl("0.5")};
    struct json_value l3[] = {jstr("s")};
    struct json_value v[] = {jarr(l0, 2), jnull(), jarr(l2, 1), jarr(NULL, 0)};
    append_all(&b, v, 4);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_LIST);
    ASSERT_EQ(c.children[0].type, COL_DOUBLE);
    ASSERT_EQ(c.children[0].length, 3);
    const int64_t offs[] = {0, 2, 2, 3, 3};
    for (int k = 0; k < 5; k++) ASSERT_EQ(c.offsets[k], offs[k]);
    ASSERT_STR_EQ(row_json(&c, 0), "[1.0,2.0]");
    ASSERT_STR_EQ(row_json(&c, 1), "null");
    ASSERT_STR_EQ(row_json(&c, 3), "[]");
    /* a string item makes the item column json; the list stays a list */
    struct json_value w = jarr(l3, 1);
    ASSERT_EQ(colb_append_json(&b, &w), 0);
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_LIST);
    ASSERT_EQ(c.children[0].type, COL_JSON);
    ASSERT_STR_EQ(row_json(&c, 0), "[1.0,2.0]");
    ASSERT_STR_EQ(row_json(&c, 4), "[\"s\"]");
    colb_destroy(&b);
}

TEST(infer_list_of_structs) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_member s0[] = {jmem("n", jint("1"))};
    struct json_member s1[] = {jmem("m", jstr("z")), jmem("n", jint("2"))};
    struct json_value l0[] = {jobj(s0, 1), jnull(), jobj(s1, 2)};
    struct json_value v[] = {jarr(l0, 3), jarr(l0, 1)};
    append_all(&b, v, 2);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.type, COL_LIST);
    const struct column *item = &c.children[0];
    ASSERT_EQ(item->type, COL_STRUCT);
    ASSERT_EQ(item->length, 4);
    ASSERT_EQ(item->null_count, 1);
    ASSERT_EQ(item->n_children, 2);
    ASSERT_STR_EQ(row_json(&c, 0), "[{\"n\":1,\"m\":null},null,{\"n\":2,\"m\":\"z\"}]");
    ASSERT_STR_EQ(row_json(&c, 1), "[{\"n\":1,\"m\":null}]");
    colb_destroy(&b);
}

TEST(struct_by_hand_and_duplicates) {
    struct col_builder b;
    colb_init(&b, COL_STRUCT, false, 0);
    ASSERT_EQ(colb_append_int(colb_struct_field(&b, "len", 3), 10), 0);
    ASSERT_EQ(colb_struct_end_row(&b), 0);
    ASSERT_EQ(colb_append_null(&b), 0);
    ASSERT_EQ(colb_append_double(colb_struct_field(&b, "score", 5), 0.5), 0);
    ASSERT_EQ(colb_struct_end_row(&b), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.length, 3);
    ASSERT_STR_EQ(row_json(&c, 0), "{\"len\":10,\"score\":null}");
    ASSERT_STR_EQ(row_json(&c, 1), "null");
    ASSERT_STR_EQ(row_json(&c, 2), "{\"len\":null,\"score\":0.5}");
    ASSERT_EQ(colb_append_int(colb_struct_field(&b, "len", 3), 1), 0);
    ASSERT_EQ(colb_append_int(colb_struct_field(&b, "len", 3), 2), 0);
    ASSERT_EQ(colb_struct_end_row(&b), ZEST_E_FORMAT);
    ASSERT(colb_struct_field(&b, "a\0b", 3) == NULL);
    /* a fixed struct keeps its fields across reset */
    colb_reset(&b);
    ASSERT_EQ(colb_struct_end_row(&b), 0);
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_EQ(c.n_children, 2);
    ASSERT_STR_EQ(row_json(&c, 0), "{\"len\":null,\"score\":null}");
    colb_destroy(&b);
}

TEST(list_by_hand) {
    struct col_builder b;
    colb_init(&b, COL_LIST, false, 0);
    struct col_builder *item = colb_list_item(&b);
    ASSERT(item != NULL);
    ASSERT_EQ(colb_append_str(item, "a", 1), 0);
    ASSERT_EQ(colb_append_str(item, "b", 1), 0);
    ASSERT_EQ(colb_list_end_row(&b), 0);
    ASSERT_EQ(colb_append_null(&b), 0);
    ASSERT_EQ(colb_list_end_row(&b), 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    ASSERT_STR_EQ(row_json(&c, 0), "[\"a\",\"b\"]");
    ASSERT_STR_EQ(row_json(&c, 1), "null");
    ASSERT_STR_EQ(row_json(&c, 2), "[]");
    struct col_builder e;
    colb_init(&e, COL_LIST, false, 0); /* empty list column: still one item child */
    ASSERT_EQ(colb_finish(&e, &c), 0);
    ASSERT_EQ(c.n_children, 1);
    ASSERT_EQ(c.offsets[0], 0);
    colb_destroy(&e);
    colb_destroy(&b);
}

TEST(infer_struct_reuse_across_batches) {
    struct col_builder b;
    colb_init(&b, COL_NULL, true, 0);
    struct json_member r0[] = {jmem("a", jint("1")), jmem("b", jstr("x"))};
    struct json_member r1[] = {jmem("b", jint("5"))};
    for (int round = 0; round < 3; round++) {
        struct json_value v = jobj(round == 1 ? r1 : r0, round == 1 ? 1 : 2);
        for (int k = 0; k < 100; k++) ASSERT_EQ(colb_append_json(&b, &v), 0);
        struct column c;
        ASSERT_EQ(colb_finish(&b, &c), 0);
        ASSERT_EQ(c.n_children, round == 1 ? 1 : 2);
        ASSERT_STR_EQ(row_json(&c, 99), round == 1 ? "{\"b\":5}" : "{\"a\":1,\"b\":\"x\"}");
        colb_reset(&b);
    }
    colb_destroy(&b);
}

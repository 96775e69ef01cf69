/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_json.c - unit tests for io/json: the writer (canonical strings, shortest doubles,
 * integers, trees) and the strict cursor parser (values, errors and their positions,
 * duplicate keys, nesting, canonical form).
 */
#include <math.h>

#include "../../src/io/json.h"
#include "runner.h"
#include "zest.h"

/* ---------------------------------------------------------------- writer */

static char *write_str(const char *s, size_t n) {
    static struct buf b;
    buf_free(&b);
    buf_init(&b, 0);
    ASSERT_EQ(json_write_string(&b, s, n), 0);
    ASSERT(buf_putc(&b, '\0') == 0);
    return b.data;
}

static char *write_dbl(double d) {
    static struct buf b;
    buf_free(&b);
    buf_init(&b, 0);
    ASSERT_EQ(json_write_double(&b, d), 0);
    ASSERT(buf_putc(&b, '\0') == 0);
    return b.data;
}

static char *write_int(int64_t v) {
    static struct buf b;
    buf_free(&b);
    buf_init(&b, 0);
    ASSERT_EQ(json_write_int(&b, v), 0);
    ASSERT(buf_putc(&b, '\0') == 0);
    return b.data;
}

TEST(write_string_plain) {
    ASSERT_STR_EQ(write_str("", 0), "\"\"");
    ASSERT_STR_EQ(write_str("hello", 5), "\"hello\"");
    ASSERT_STR_EQ(write_str("a/b \xc3\xa9 \xe2\x80\xa8", 10), "\"a/b \xc3\xa9 \xe2\x80\xa8\"");
}

TEST(write_string_escapes) {
    ASSERT_STR_EQ(write_str("\"\\\b\f\n\r\t", 7), "\"\\\"\\\\\\b\\f\\n\\r\\t\"");
    ASSERT_STR_EQ(write_str("\x01\x1f", 2), "\"\\u0001\\u001f\"");
    ASSERT_STR_EQ(write_str("a\0b", 3), "\"a\\u0000b\"");
    ASSERT_STR_EQ(write_str("\x7f", 1), "\"\x7f\"");
}

TEST(write_string_long_runs) {
    /* Escapes at every offset of the 8-byte words, and a string of nothing but controls. */
    char in[64], exp[512];
    for (size_t at = 0; at < 40; at++) {
        memset(in, 'x', 40);
        in[at] = '\n';
        size_t k = 0;
        exp[k++] = '"';
        for (size_t i = 0; i < 40; i++) {
            if (i == at) exp[k++] = '\\', exp[k++] = 'n';
            else exp[k++] = 'x';
        }
        exp[k++] = '"';
        exp[k] = 0;
        ASSERT_STR_EQ(write_str(in, 40), exp);
    }
    memset(in, 1, 50);
    char *got = write_str(in, 50);
    ASSERT_EQ(strlen(got), 50 * 6 + 2);
}

TEST(write_double) {
    ASSERT_STR_EQ(write_dbl(1.0), "1.0");
    ASSERT_STR_EQ(write_dbl(0.1), "0.1");
    ASSERT_STR_EQ(write_dbl(-0.0), "-0.0");
    ASSERT_STR_EQ(write_dbl(1e16), "1e+16");
    ASSERT_STR_EQ(write_dbl(123456789012345.0), "123456789012345.0");
    ASSERT_STR_EQ(write_dbl(0.30000000000000004), "0.30000000000000004");
    ASSERT_STR_EQ(write_dbl(1.5e-300), "1.5e-300");
    ASSERT_STR_EQ(write_dbl(5e-324), "4.94065645841247e-324");
    ASSERT_STR_EQ(write_dbl(NAN), "null");
    ASSERT_STR_EQ(write_dbl(INFINITY), "null");
    ASSERT_STR_EQ(write_dbl(-INFINITY), "null");
    const double vals[] = {3.141592653589793, 2.0 / 3.0, 1e300, 1.7976931348623157e308, 1e-5};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        ASSERT_DBL_EQ(strtod(write_dbl(vals[i]), NULL), vals[i]);
}

TEST(write_int) {
    ASSERT_STR_EQ(write_int(0), "0");
    ASSERT_STR_EQ(write_int(-7), "-7");
    ASSERT_STR_EQ(write_int(INT64_MAX), "9223372036854775807");
    ASSERT_STR_EQ(write_int(INT64_MIN), "-9223372036854775808");
}

TEST(write_value_tree) {
    struct json_value items[3] = {{.type = JSON_NULL}, {.type = JSON_TRUE}, {.type = JSON_FALSE}};
    struct json_member mem[2] = {
        {.key = "a\n", .key_len = 2,
         .value = {.type = JSON_NUMBER, .u.num = {.text = "1e400", .len = 5}}},
        {.key = "b", .key_len = 1,
         .value = {.type = JSON_ARRAY, .u.arr = {.items = items, .n = 3}}},
    };
    struct json_value root = {.type = JSON_OBJECT, .u.obj = {.members = mem, .n = 2}};
    struct buf b;
    buf_init(&b, 0);
    ASSERT_EQ(json_write_value(&b, &root), 0);
    ASSERT_MEM_EQ(b.data, b.len, "{\"a\\n\":1e400,\"b\":[null,true,false]}", 35);
    buf_free(&b);
}

TEST(write_respects_ceiling) {
    struct buf b;
    buf_init(&b, 8);
    ASSERT_EQ(json_write_string(&b, "0123456789", 10), ZEST_E_LIMIT);
    buf_free(&b);
}

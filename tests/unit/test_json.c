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

/* ---------------------------------------------------------------- parser helpers */

/* Canonical form of `text`, or "ERR@<offset>: <message>". */
static const char *canon(const char *text, size_t len) {
    static struct buf b;
    static char msg[256];
    buf_free(&b);
    buf_init(&b, 0);
    struct json_cursor c;
    json_cursor_init(&c, text, len);
    int rc = json_canon_value(&c, &b);
    if (!rc) rc = json_expect_end(&c);
    if (rc) {
        ASSERT_EQ(rc, ZEST_E_FORMAT);
        ASSERT(c.err && *c.err);
        ASSERT(c.err_pos >= c.start && c.err_pos <= c.end);
        snprintf(msg, sizeof msg, "ERR@%lld: %s", (long long)json_error_offset(&c), c.err);
        return msg;
    }
    ASSERT(buf_putc(&b, '\0') == 0);
    return b.data;
}
#define CANON(lit) canon(lit, sizeof(lit) - 1)

/* Like canon() but through json_skip_value: "ok" or the error. */
static const char *skip(const char *text, size_t len) {
    static char msg[256];
    struct json_cursor c;
    json_cursor_init(&c, text, len);
    int rc = json_skip_value(&c);
    if (!rc) rc = json_expect_end(&c);
    if (!rc) return "ok";
    snprintf(msg, sizeof msg, "ERR@%lld: %s", (long long)json_error_offset(&c), c.err);
    return msg;
}
#define SKIP(lit) skip(lit, sizeof(lit) - 1)

/* ---------------------------------------------------------------- canonical form */

TEST(canon_scalars) {
    ASSERT_STR_EQ(CANON("null"), "null");
    ASSERT_STR_EQ(CANON(" true "), "true");
    ASSERT_STR_EQ(CANON("\tfalse\r\n"), "false");
    ASSERT_STR_EQ(CANON("-0"), "-0");
    ASSERT_STR_EQ(CANON("1E+2"), "1E+2");
    ASSERT_STR_EQ(CANON("-12.50e-007"), "-12.50e-007");
    ASSERT_STR_EQ(CANON("1e400"), "1e400");
    ASSERT_STR_EQ(CANON("\"\""), "\"\"");
}

TEST(canon_containers) {
    ASSERT_STR_EQ(CANON(" { \"a\" : [ 1 , 2 , { } , [ ] ] , \"b\" : { \"c\" : null } } "),
                  "{\"a\":[1,2,{},[]],\"b\":{\"c\":null}}");
    ASSERT_STR_EQ(CANON("[[[[[]]]]]"), "[[[[[]]]]]");
}

TEST(canon_strings) {
    ASSERT_STR_EQ(CANON("\"\\u0041\\/\\u00e9\\u2028\""), "\"A/\xc3\xa9\xe2\x80\xa8\"");
    ASSERT_STR_EQ(CANON("\"\\b\\f\\n\\r\\t\\\"\\\\\""), "\"\\b\\f\\n\\r\\t\\\"\\\\\"");
    ASSERT_STR_EQ(CANON("\"\\u0008\\u000A\\u001F\\u0000\""), "\"\\b\\n\\u001f\\u0000\"");
    ASSERT_STR_EQ(CANON("\"\\ud83d\\ude00\""), "\"\xf0\x9f\x98\x80\"");
    ASSERT_STR_EQ(CANON("\"\\u0022\\u005C\""), "\"\\\"\\\\\"");
    ASSERT_STR_EQ(CANON("\"\xf4\x8f\xbf\xbf \xef\xbf\xbf \xc2\x80\""),
                  "\"\xf4\x8f\xbf\xbf \xef\xbf\xbf \xc2\x80\"");
}

TEST(canon_long_string_every_offset) {
    /* An escape, a multi-byte character and the closing quote at every offset of a word. */
    char in[128], exp[128];
    for (int at = 0; at < 40; at++) {
        int k = 0, e = 0;
        in[k++] = '"';
        exp[e++] = '"';
        for (int i = 0; i < 40; i++) {
            if (i == at) {
                memcpy(in + k, "\\u00e9\xc3\xa9\\n", 10);
                k += 10;
                memcpy(exp + e, "\xc3\xa9\xc3\xa9\\n", 6);
                e += 6;
            }
            in[k++] = exp[e++] = (char)('a' + i % 26);
        }
        in[k++] = '"';
        exp[e++] = '"';
        exp[e] = 0;
        ASSERT_STR_EQ(canon(in, (size_t)k), exp);
        ASSERT_STR_EQ(skip(in, (size_t)k), "ok");
    }
}

/* ---------------------------------------------------------------- errors */

TEST(errors_strings) {
    ASSERT_STR_EQ(CANON("\"ab\\x\""), "ERR@3: invalid escape '\\x' in string");
    ASSERT_STR_EQ(CANON("\"\\udc00\""), "ERR@1: lone low surrogate \\udc00 in string");
    ASSERT_STR_EQ(CANON("\"\\ud800\""), "ERR@1: lone high surrogate \\ud800 in string");
    ASSERT_STR_EQ(CANON("\"\\ud800\\u0041\""), "ERR@1: lone high surrogate \\ud800 in string");
    ASSERT_STR_EQ(CANON("\"\\udc00\\ud800\""), "ERR@1: lone low surrogate \\udc00 in string");
    ASSERT_STR_EQ(CANON("\"\\u12\""), "ERR@1: invalid \\u escape in string (expected 4 hex digits)");
    ASSERT_STR_EQ(CANON("\"abc"), "ERR@4: unexpected end of input in string");
    ASSERT_STR_EQ(CANON("\"abc\\"), "ERR@5: unexpected end of input in string");
    ASSERT_STR_EQ(CANON("\"a\nb\""), "ERR@2: control character U+000A in string (must be escaped)");
    ASSERT_STR_EQ(CANON("\"a\tb\""), "ERR@2: control character U+0009 in string (must be escaped)");
}

TEST(errors_utf8) {
    ASSERT_STR_EQ(CANON("\"x\xc0\xaf\""), "ERR@2: invalid UTF-8 byte 0xC0 in string (overlong encoding)");
    ASSERT_STR_EQ(CANON("\"\x80\""),
                  "ERR@1: invalid UTF-8 byte 0x80 in string (continuation byte without a lead byte)");
    ASSERT_STR_EQ(CANON("\"\xe0\x80\xaf\""),
                  "ERR@1: invalid UTF-8 in string: overlong encoding starting with byte 0xE0");
    ASSERT_STR_EQ(CANON("\"\xed\xa0\x80\""),
                  "ERR@1: invalid UTF-8 in string: surrogate U+D800 encoded in UTF-8");
    ASSERT_STR_EQ(CANON("\"\xf4\x90\x80\x80\""),
                  "ERR@1: invalid UTF-8 in string: code point above U+10FFFF");
    ASSERT_STR_EQ(CANON("\"\xf5\x80\x80\x80\""), "ERR@1: invalid UTF-8 byte 0xF5 in string");
    ASSERT_STR_EQ(CANON("\"\xe2\x82\""),
                  "ERR@1: invalid UTF-8 in string: truncated sequence starting with byte 0xE2");
    ASSERT_STR_EQ(CANON("\"\xe2\x82"),
                  "ERR@1: invalid UTF-8 in string: truncated sequence starting with byte 0xE2");
    /* Inside a long ASCII run too, where the word-at-a-time path finds it. */
    ASSERT_STR_EQ(CANON("\"abcdefghijklmnop\xffqrstuvwxyz\""),
                  "ERR@17: invalid UTF-8 byte 0xFF in string");
}

TEST(errors_numbers) {
    ASSERT_STR_EQ(CANON("01"), "ERR@0: leading zeros are not allowed in numbers");
    ASSERT_STR_EQ(CANON("-01"), "ERR@1: leading zeros are not allowed in numbers");
    ASSERT_STR_EQ(CANON("+1"), "ERR@0: unexpected character '+' (numbers cannot start with '+')");
    ASSERT_STR_EQ(CANON(".5"), "ERR@0: unexpected character '.' (numbers must start with a digit)");
    ASSERT_STR_EQ(CANON("1."), "ERR@2: expected a digit after '.' in number");
    ASSERT_STR_EQ(CANON("1.e5"), "ERR@2: expected a digit after '.' in number");
    ASSERT_STR_EQ(CANON("1e"), "ERR@2: expected a digit in the exponent of a number");
    ASSERT_STR_EQ(CANON("1e+"), "ERR@3: expected a digit in the exponent of a number");
    ASSERT_STR_EQ(CANON("-"), "ERR@1: unexpected end of input in number");
    ASSERT_STR_EQ(CANON("-x"), "ERR@1: expected a digit after '-' in number");
    ASSERT_STR_EQ(CANON("NaN"), "ERR@0: NaN and Infinity are not JSON values");
    ASSERT_STR_EQ(CANON("-Infinity"), "ERR@1: expected a digit after '-' in number");
    ASSERT_STR_EQ(CANON("0x10"), "ERR@1: trailing characters after the value");
}

TEST(errors_structure) {
    ASSERT_STR_EQ(CANON(""), "ERR@0: unexpected end of input (expected a value)");
    ASSERT_STR_EQ(CANON("  \n"), "ERR@3: unexpected end of input (expected a value)");
    ASSERT_STR_EQ(CANON("[1,]"), "ERR@2: trailing comma in array");
    ASSERT_STR_EQ(CANON("{\"a\":1,}"), "ERR@6: trailing comma in object");
    ASSERT_STR_EQ(CANON("[1 2]"), "ERR@3: unexpected character '2' (expected ',' or ']' after array element)");
    ASSERT_STR_EQ(CANON("{\"a\" 1}"), "ERR@5: unexpected character '1' (expected ':' after object key)");
    ASSERT_STR_EQ(CANON("{a:1}"), "ERR@1: unexpected character 'a' (expected a string key in object)");
    ASSERT_STR_EQ(CANON("[1"), "ERR@2: unexpected end of input in array");
    ASSERT_STR_EQ(CANON("{\"a\":1"), "ERR@6: unexpected end of input in object");
    ASSERT_STR_EQ(CANON("{\"a\":"), "ERR@5: unexpected end of input (expected a value)");
    ASSERT_STR_EQ(CANON("tru"), "ERR@3: unexpected end of input in literal 'true'");
    ASSERT_STR_EQ(CANON("trux"), "ERR@0: invalid literal (expected 'true')");
    ASSERT_STR_EQ(CANON("[1]/*c*/"), "ERR@3: trailing characters after the value");
    ASSERT_STR_EQ(CANON("/*c*/1"), "ERR@0: unexpected character '/' (comments are not allowed)");
    ASSERT_STR_EQ(CANON("\xef\xbb\xbf{}"),
                  "ERR@0: byte order mark (U+FEFF) before the value is not allowed");
    ASSERT_STR_EQ(CANON("['a']"), "ERR@1: unexpected character ''' (strings take double quotes)");
    ASSERT_STR_EQ(CANON("[\x01]"), "ERR@1: unexpected byte 0x01 (expected a value)");
}

/* ---------------------------------------------------------------- duplicates, depth */

TEST(duplicate_keys) {
    ASSERT_STR_EQ(CANON("{\"a\":1,\"a\":2}"), "ERR@7: duplicate key \"a\"");
    ASSERT_STR_EQ(CANON("{\"a\":1,\"\\u0061\":2}"), "ERR@7: duplicate key \"\\u0061\"");
    ASSERT_STR_EQ(CANON("{\"x\":{\"a\":1,\"b\":{\"a\":1},\"a\":2}}"), "ERR@24: duplicate key \"a\"");
    ASSERT_STR_EQ(CANON("{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":1}}"),
                  "{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":1}}");
    ASSERT_STR_EQ(SKIP("{\"\\n\":1,\"\\u000a\":2}"), "ERR@8: duplicate key \"\\u000a\"");
    ASSERT_STR_EQ(SKIP("{\"\\n\":1,\"\\u000b\":2}"), "ok");
}

/* An object with `n` keys k0..k{n-1}, then optionally a repeat of key `dup`. */
static char *wide_object(int n, int dup, size_t *len) {
    struct buf b;
    buf_init(&b, 0);
    buf_putc(&b, '{');
    for (int i = 0; i < n; i++) buf_printf(&b, "%s\"k%d\":{\"k%d\":%d}", i ? "," : "", i, i, i);
    if (dup >= 0) buf_printf(&b, ",\"k%d\":0", dup);
    buf_putc(&b, '}');
    *len = b.len;
    return b.data;
}

TEST(duplicate_keys_wide_objects) {
    const int sizes[] = {15, 16, 17, 33, 64, 1000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t len;
        char *t = wide_object(sizes[s], -1, &len);
        ASSERT_STR_EQ(skip(t, len), "ok");
        free(t);
        for (int d = 0; d < sizes[s]; d += sizes[s] / 3 + 1) {
            t = wide_object(sizes[s], d, &len);
            const char *got = canon(t, len);
            ASSERT(strncmp(got, "ERR@", 4) == 0);
            ASSERT_CONTAINS(got, "duplicate key \"k");
            ASSERT_STR_EQ(skip(t, len) + strcspn(skip(t, len), ":"), got + strcspn(got, ":"));
            free(t);
        }
    }
}

static char *nested(int depth, size_t *len) {
    char *t = malloc((size_t)depth * 2 + 1);
    memset(t, '[', (size_t)depth);
    memset(t + depth, ']', (size_t)depth);
    *len = (size_t)depth * 2;
    return t;
}

TEST(nesting_limit) {
    size_t len;
    char *t = nested(512, &len);
    ASSERT(strncmp(canon(t, len), "[[[", 3) == 0);
    ASSERT_STR_EQ(skip(t, len), "ok");
    free(t);
    t = nested(513, &len);
    ASSERT_STR_EQ(canon(t, len), "ERR@512: nesting deeper than 512 levels");
    ASSERT_STR_EQ(skip(t, len), "ERR@512: nesting deeper than 512 levels");
    free(t);
}

/* ---------------------------------------------------------------- record walk */

TEST(record_walk) {
    const char *text = " { \"text\" : \"h\\u00e9llo\\n\" , \"meta\" : {\"id\":123}, \"n\":-1.5 } ";
    struct json_cursor c;
    struct buf key, val;
    buf_init(&key, 0);
    buf_init(&val, 0);
    json_cursor_init(&c, text, strlen(text));
    ASSERT_EQ(json_object_begin(&c), 0);
    ASSERT_EQ(json_object_next_key(&c, &key), 1);
    ASSERT_MEM_EQ(key.data, key.len, "text", 4);
    ASSERT_EQ(json_peek_type(&c), JSON_STRING);
    ASSERT_EQ(json_read_string(&c, &val), 0);
    ASSERT_MEM_EQ(val.data, val.len, "h\xc3\xa9llo\n", 7);
    ASSERT_EQ(json_object_next_key(&c, &key), 1);
    ASSERT_MEM_EQ(key.data, key.len, "meta", 4);
    ASSERT_EQ(json_peek_type(&c), JSON_OBJECT);
    buf_clear(&val);
    ASSERT_EQ(json_canon_value(&c, &val), 0);
    ASSERT_MEM_EQ(val.data, val.len, "{\"id\":123}", 10);
    ASSERT_EQ(json_object_next_key(&c, &key), 1);
    ASSERT_EQ(json_peek_type(&c), JSON_NUMBER);
    ASSERT_EQ(json_skip_value(&c), 0);
    ASSERT_EQ(json_object_next_key(&c, &key), 0);
    ASSERT_EQ(json_expect_end(&c), 0);
    buf_free(&key);
    buf_free(&val);
}

TEST(record_walk_empty_and_errors) {
    struct json_cursor c;
    struct buf key;
    buf_init(&key, 0);
    json_cursor_init(&c, "{ }", 3);
    ASSERT_EQ(json_object_begin(&c), 0);
    ASSERT_EQ(json_object_next_key(&c, &key), 0);
    ASSERT_EQ(json_expect_end(&c), 0);

    json_cursor_init(&c, "{\"a\":1,}", 8);
    ASSERT_EQ(json_object_begin(&c), 0);
    ASSERT_EQ(json_object_next_key(&c, &key), 1);
    ASSERT_EQ(json_skip_value(&c), 0);
    ASSERT_EQ(json_object_next_key(&c, &key), ZEST_E_FORMAT);
    ASSERT_STR_EQ(c.err, "trailing comma in object");
    ASSERT_EQ(json_error_offset(&c), 6);

    json_cursor_init(&c, "{,\"a\":1}", 8);
    ASSERT_EQ(json_object_begin(&c), 0);
    ASSERT_EQ(json_object_next_key(&c, &key), ZEST_E_FORMAT);
    ASSERT_EQ(json_error_offset(&c), 1);

    json_cursor_init(&c, "{\"a\":1 \"b\":2}", 13);
    ASSERT_EQ(json_object_begin(&c), 0);
    ASSERT_EQ(json_object_next_key(&c, &key), 1);
    ASSERT_EQ(json_skip_value(&c), 0);
    ASSERT_EQ(json_object_next_key(&c, &key), ZEST_E_FORMAT);
    ASSERT_EQ(json_error_offset(&c), 7);

    json_cursor_init(&c, "[1]", 3);
    ASSERT_EQ(json_object_begin(&c), ZEST_E_FORMAT);
    ASSERT_CONTAINS(c.err, "expected an object");
    json_cursor_init(&c, "{}x", 3);
    ASSERT_EQ(json_object_begin(&c), 0);
    ASSERT_EQ(json_object_next_key(&c, &key), 0);
    ASSERT_EQ(json_expect_end(&c), ZEST_E_FORMAT);
    ASSERT_STR_EQ(c.err, "trailing characters after the value");
    ASSERT_EQ(json_error_offset(&c), 2);
    json_cursor_init(&c, "", 0);
    ASSERT_EQ(json_peek_type(&c), -1);
    ASSERT(c.err != NULL);
    buf_free(&key);
}

TEST(read_string_appends) {
    struct json_cursor c;
    struct buf out;
    buf_init(&out, 0);
    buf_append(&out, "x", 1);
    json_cursor_init(&c, "\"a\\u0000b\"", 10);
    ASSERT_EQ(json_read_string(&c, &out), 0);
    ASSERT_MEM_EQ(out.data, out.len, "xa\0b", 4);
    json_cursor_init(&c, "12", 2);
    ASSERT_EQ(json_read_string(&c, &out), ZEST_E_FORMAT);
    ASSERT_STR_EQ(c.err, "unexpected character '1' (expected a string)");
    buf_free(&out);
}

TEST(read_string_huge_record_reserves_exactly) {
    /* A short string at the start of a 1 MB record must not grow the buffer to 1 MB. */
    const size_t n = (size_t)1 << 20;
    char *t = malloc(n);
    memset(t, ' ', n);
    memcpy(t, "\"ab\"", 4);
    struct json_cursor c;
    struct buf out;
    buf_init(&out, 0);
    json_cursor_init(&c, t, n);
    ASSERT_EQ(json_read_string(&c, &out), 0);
    ASSERT_MEM_EQ(out.data, out.len, "ab", 2);
    ASSERT(out.cap < 4096);
    /* And a ceiling smaller than the record but larger than the value still works. */
    struct buf small;
    buf_init(&small, 16);
    json_cursor_init(&c, t, n);
    ASSERT_EQ(json_canon_value(&c, &small), 0);
    ASSERT_MEM_EQ(small.data, small.len, "\"ab\"", 4);
    buf_free(&small);
    buf_free(&out);
    free(t);
}

/* ---------------------------------------------------------------- tree */

TEST(parse_tree) {
    const char *text = "{\"s\":\"a\\u00e9\",\"i\":-9223372036854775808,\"big\":9223372036854775808,"
                       "\"d\":1.5e3,\"h\":1e400,\"a\":[true,false,null,[]],\"o\":{}}";
    struct arena a;
    arena_init(&a, 0);
    struct json_cursor c;
    json_cursor_init(&c, text, strlen(text));
    struct json_value v;
    ASSERT_EQ(json_parse_value(&c, &a, &v), 0);
    ASSERT_EQ(json_expect_end(&c), 0);
    ASSERT_EQ(v.type, JSON_OBJECT);
    ASSERT_EQ(v.u.obj.n, 7);
    const struct json_member *m = v.u.obj.members;
    ASSERT_STR_EQ(m[0].key, "s");
    ASSERT_MEM_EQ(m[0].value.u.str.ptr, m[0].value.u.str.len, "a\xc3\xa9", 3);
    ASSERT(m[1].value.u.num.is_int && m[1].value.u.num.int_ok);
    ASSERT(m[1].value.u.num.i == INT64_MIN);
    ASSERT(m[2].value.u.num.is_int && !m[2].value.u.num.int_ok);
    ASSERT_DBL_EQ(m[2].value.u.num.d, 9223372036854775808.0);
    ASSERT(!m[3].value.u.num.is_int);
    ASSERT_DBL_EQ(m[3].value.u.num.d, 1500.0);
    ASSERT(isinf(m[4].value.u.num.d));
    ASSERT_STR_EQ(m[4].value.u.num.text, "1e400");
    ASSERT_EQ(m[5].value.type, JSON_ARRAY);
    ASSERT_EQ(m[5].value.u.arr.n, 4);
    ASSERT_EQ(m[5].value.u.arr.items[0].type, JSON_TRUE);
    ASSERT_EQ(m[5].value.u.arr.items[3].type, JSON_ARRAY);
    ASSERT_EQ(m[6].value.type, JSON_OBJECT);
    ASSERT_EQ(m[6].value.u.obj.n, 0);
    /* Writing the tree gives the canonical form. */
    struct buf out;
    buf_init(&out, 0);
    ASSERT_EQ(json_write_value(&out, &v), 0);
    const char *expect = canon(text, strlen(text));
    ASSERT_MEM_EQ(out.data, out.len, expect, strlen(expect));
    buf_free(&out);
    arena_destroy(&a);
}

TEST(parse_tree_wide_and_errors) {
    size_t len;
    char *t = wide_object(300, -1, &len);
    struct arena a;
    arena_init(&a, 4096);
    struct json_cursor c;
    json_cursor_init(&c, t, len);
    struct json_value v;
    ASSERT_EQ(json_parse_value(&c, &a, &v), 0);
    ASSERT_EQ(v.u.obj.n, 300);
    ASSERT_STR_EQ(v.u.obj.members[299].key, "k299");
    ASSERT_EQ(v.u.obj.members[299].value.u.obj.members[0].value.u.num.i, 299);
    free(t);
    t = wide_object(300, 17, &len);
    json_cursor_init(&c, t, len);
    ASSERT_EQ(json_parse_value(&c, &a, &v), ZEST_E_FORMAT);
    ASSERT_STR_EQ(c.err, "duplicate key \"k17\"");
    free(t);
    arena_destroy(&a);
}

TEST(int64_edges) {
    struct arena a;
    arena_init(&a, 0);
    const struct { const char *t; bool ok; int64_t i; } cases[] = {
        {"0", true, 0}, {"-0", true, 0}, {"9223372036854775807", true, INT64_MAX},
        {"9223372036854775808", false, 0}, {"-9223372036854775809", false, 0},
        {"18446744073709551616", false, 0}, {"123", true, 123},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct json_cursor c;
        struct json_value v;
        json_cursor_init(&c, cases[i].t, strlen(cases[i].t));
        ASSERT_EQ(json_parse_value(&c, &a, &v), 0);
        ASSERT(v.u.num.is_int);
        ASSERT_EQ(v.u.num.int_ok, cases[i].ok);
        if (cases[i].ok) ASSERT(v.u.num.i == cases[i].i);
    }
    arena_destroy(&a);
}

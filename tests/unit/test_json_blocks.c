/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_json_blocks.c - the string scanner's 16-byte block path must judge exactly as the
 * byte-by-byte rules: every bad UTF-8 sequence, control character and escape is found at its
 * exact offset wherever it sits relative to a block boundary, and long valid mixed-script
 * strings (sequences straddling blocks, escapes between them) come out unchanged.
 */
#include <string.h>

#include "../../src/io/json.h"
#include "runner.h"
#include "zest.h"

/* Builds {"text":"<pre><piece><post>"} where pre is `at` bytes of mixed text. */
static size_t build(char *out, size_t at, const char *piece, size_t plen) {
    static const char filler[] = "ab\xd0\x94\xe4\xb8\xad\xf0\x9f\x98\x80" "cd"; /* a, b, Д, 中, 😀, c, d */
    size_t n = 0;
    memcpy(out, "{\"text\":\"", 9);
    n = 9;
    size_t added = 0;
    while (added < at) { /* whole characters only, so `at` is approximate: return the start */
        const unsigned char b = (unsigned char)filler[added % (sizeof filler - 1)];
        const size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        memcpy(out + n, filler + added % (sizeof filler - 1), len);
        n += len;
        added += len;
    }
    const size_t start = n;
    memcpy(out + n, piece, plen);
    n += plen;
    memcpy(out + n, "tail text long enough for another block\"}", 41);
    n += 41;
    out[n] = '\0';
    return start;
}

static void expect_error_at(const char *piece, size_t plen, size_t delta) {
    char text[512];
    for (size_t at = 0; at < 48; at++) {
        const size_t start = build(text, at, piece, plen);
        struct json_cursor c;
        struct buf out;
        buf_init(&out, 0);
        json_cursor_init(&c, text, strlen(text));
        ASSERT_EQ(json_object_begin(&c), 0);
        struct buf key;
        buf_init(&key, 0);
        ASSERT_EQ(json_object_next_key(&c, &key), 1);
        const int rc = json_canon_value(&c, &out);
        if (rc != ZEST_E_FORMAT) TEST_FAIL("piece at %zu accepted", at);
        ASSERT_EQ(json_error_offset(&c), (int64_t)(start + delta));
        buf_free(&out);
        buf_free(&key);
    }
}

TEST(block_scan_finds_bad_utf8_at_every_offset) {
    expect_error_at("\xc0\xaf", 2, 0);         /* overlong */
    expect_error_at("\xc1\xbf", 2, 0);         /* overlong */
    expect_error_at("\xe0\x80\xaf", 3, 0);     /* overlong 3-byte */
    expect_error_at("\xed\xa0\x80", 3, 0);     /* surrogate in UTF-8 */
    expect_error_at("\xf0\x80\x80\xaf", 4, 0); /* overlong 4-byte */
    expect_error_at("\xf4\x90\x80\x80", 4, 0); /* above U+10FFFF */
    expect_error_at("\xf5\x80\x80\x80", 4, 0); /* invalid lead */
    expect_error_at("\x80", 1, 0);             /* stray continuation */
    expect_error_at("\xe4\xb8x", 3, 0);        /* truncated 3-byte */
    expect_error_at("\xd0\"", 2, 0);           /* lead byte right before the quote */
    expect_error_at("\x01", 1, 0);             /* raw control character */
    expect_error_at("\\x", 2, 0);              /* bad escape */
}

TEST(block_scan_keeps_long_mixed_strings_exactly) {
    char text[512];
    static const char piece[] = "\\n\\t\\t\xd0\x9f\xd1\x80\xd0\xb8\\\"\xe4\xb8\xad\xe6\x96\x87\\\\\xf0\x9f\x98\x80";
    for (size_t at = 0; at < 48; at++) {
        build(text, at, piece, sizeof piece - 1);
        const size_t len = strlen(text);
        struct json_cursor c;
        struct buf out, key;
        buf_init(&out, 0);
        buf_init(&key, 0);
        json_cursor_init(&c, text, len);
        ASSERT_EQ(json_object_begin(&c), 0);
        ASSERT_EQ(json_object_next_key(&c, &key), 1);
        ASSERT_EQ(json_canon_value(&c, &out), 0);
        /* canonical input comes back byte for byte: from the opening quote to the closing one */
        ASSERT_MEM_EQ(out.data, out.len, text + 8, len - 9);
        buf_free(&out);
        buf_free(&key);
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_thrift.c - the Thrift compact protocol: a struct with every field kind written and read
 * back (zigzag ints at the extremes, long field-id jumps, lists longer than 14, nested structs,
 * bools in headers), known bytes from the specification, skipping of unknown fields, and the
 * bounds and depth checks on hostile input.
 */
#include "../../src/common/buf.h"
#include "../../src/io/thrift_compact.h"
#include "runner.h"
#include "zest.h"

TEST(roundtrip_every_kind) {
    struct buf b;
    buf_init(&b, 0);
    struct tc_writer w;
    tcw_init(&w, &b);
    tcw_struct_begin(&w);
    tcw_i32_field(&w, 1, INT32_MIN);
    tcw_i64_field(&w, 2, INT64_MAX);
    tcw_bool_field(&w, 3, true);
    tcw_binary_field(&w, 4, "hello", 5);
    tcw_field(&w, 200, TC_LIST); /* a jump past 15: long form */
    tcw_list(&w, TC_I32, 20);
    for (int i = 0; i < 20; i++) tcw_i32(&w, i - 10);
    tcw_field(&w, 201, TC_STRUCT);
    tcw_struct_begin(&w);
    tcw_i64_field(&w, 1, -1);
    tcw_struct_end(&w);
    tcw_bool_field(&w, 202, false);
    tcw_struct_end(&w);
    ASSERT_EQ(w.status, 0);

    struct tc_reader r;
    tcr_init(&r, b.data, b.len);
    ASSERT_EQ(tcr_struct_begin(&r), 0);
    int16_t last = 0, id;
    uint8_t type;
    int64_t v;
    ASSERT_EQ(tcr_field(&r, &last, &id, &type), 1);
    ASSERT_EQ(id, 1);
    ASSERT_EQ(tcr_int(&r, type, &v), 0);
    ASSERT_EQ(v, INT32_MIN);
    ASSERT_EQ(tcr_field(&r, &last, &id, &type), 1);
    ASSERT_EQ(tcr_int(&r, type, &v), 0);
    ASSERT(v == INT64_MAX);
    ASSERT_EQ(tcr_field(&r, &last, &id, &type), 1);
    ASSERT_EQ(type, TC_TRUE);
    ASSERT_EQ(tcr_field(&r, &last, &id, &type), 1);
    const uint8_t *p;
    size_t n;
    ASSERT_EQ(tcr_binary(&r, &p, &n), 0);
    ASSERT_EQ(n, 5);
    ASSERT(memcmp(p, "hello", 5) == 0);
    ASSERT_EQ(tcr_field(&r, &last, &id, &type), 1);
    ASSERT_EQ(id, 200);
    uint8_t et;
    uint32_t cnt;
    ASSERT_EQ(tcr_list(&r, &et, &cnt), 0);
    ASSERT_EQ(et, TC_I32);
    ASSERT_EQ(cnt, 20);
    for (int i = 0; i < 20; i++) {
        int32_t x;
        ASSERT_EQ(tcr_i32(&r, &x), 0);
        ASSERT_EQ(x, i - 10);
    }
    /* the nested struct and the last bool are skipped as unknown */
    ASSERT_EQ(tcr_field(&r, &last, &id, &type), 1);
    ASSERT_EQ(id, 201);
    ASSERT_EQ(tcr_skip(&r, type), 0);
    ASSERT_EQ(tcr_field(&r, &last, &id, &type), 1);
    ASSERT_EQ(id, 202);
    ASSERT_EQ(type, TC_FALSE);
    ASSERT_EQ(tcr_field(&r, &last, &id, &type), 0);
    ASSERT(r.p == r.end);
    buf_free(&b);
}

/* Bytes worked out by hand from the compact protocol's description: field 1 (delta 1) i32 -1
 * -> 0x15 0x01; field 3 (delta 2) binary "ab" -> 0x28 0x02 'a' 'b'; stop. */
TEST(known_bytes) {
    struct buf b;
    buf_init(&b, 0);
    struct tc_writer w;
    tcw_init(&w, &b);
    tcw_struct_begin(&w);
    tcw_i32_field(&w, 1, -1);
    tcw_binary_field(&w, 3, "ab", 2);
    tcw_struct_end(&w);
    const uint8_t want[] = {0x15, 0x01, 0x28, 0x02, 'a', 'b', 0x00};
    ASSERT_EQ(b.len, sizeof want);
    ASSERT(memcmp(b.data, want, sizeof want) == 0);
    buf_free(&b);
}

TEST(hostile_input_is_refused) {
    struct tc_reader r;
    int16_t last = 0, id;
    uint8_t type;
    /* a binary whose length runs past the end */
    const uint8_t longbin[] = {0x18, 0x7f, 'x'};
    tcr_init(&r, longbin, sizeof longbin);
    ASSERT_EQ(tcr_field(&r, &last, &id, &type), 1);
    const uint8_t *p;
    size_t n;
    ASSERT_EQ(tcr_binary(&r, &p, &n), ZEST_E_FORMAT);
    ASSERT(r.why != NULL);
    /* a list claiming more elements than bytes */
    const uint8_t biglist[] = {0xf5, 0xff, 0xff, 0xff, 0xff, 0x0f};
    tcr_init(&r, biglist, sizeof biglist);
    uint8_t et;
    uint32_t cnt;
    ASSERT_EQ(tcr_list(&r, &et, &cnt), ZEST_E_FORMAT);
    /* a varint that never ends */
    const uint8_t endless[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
    tcr_init(&r, endless, sizeof endless);
    uint64_t u;
    ASSERT_EQ(tcr_varint(&r, &u), ZEST_E_FORMAT);
    /* structs nested past the cap: skipped with an error, not a stack overflow */
    uint8_t deep[200];
    for (size_t i = 0; i < sizeof deep; i++) deep[i] = 0x1c; /* field +1, type struct */
    tcr_init(&r, deep, sizeof deep);
    ASSERT_EQ(tcr_skip(&r, TC_STRUCT), ZEST_E_FORMAT);
    /* every truncation of a valid struct fails cleanly */
    struct buf b;
    buf_init(&b, 0);
    struct tc_writer w;
    tcw_init(&w, &b);
    tcw_struct_begin(&w);
    tcw_i64_field(&w, 1, 123456789);
    tcw_field(&w, 2, TC_LIST);
    tcw_list(&w, TC_BINARY, 2);
    tcw_binary(&w, "abc", 3);
    tcw_binary(&w, "de", 2);
    tcw_struct_end(&w);
    for (size_t cut = 0; cut < b.len; cut++) {
        tcr_init(&r, b.data, cut);
        ASSERT_EQ(tcr_skip(&r, TC_STRUCT), ZEST_E_FORMAT);
    }
    tcr_init(&r, b.data, b.len);
    ASSERT_EQ(tcr_skip(&r, TC_STRUCT), 0);
    buf_free(&b);
}

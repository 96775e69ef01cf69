/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_flatbuf.c - the FlatBuffers subset under the Arrow IPC metadata: builder -> reader
 * round trips (scalars, strings, vectors of structs and of tables, sub-tables, absent fields
 * and defaults, a buffer that grows), and the reader on malformed buffers (bad root, vtable,
 * offsets, vector and string lengths) and on every truncation of a valid one.
 */
#include "../../src/io/flatbuf.h"
#include "runner.h"

/* table { a:long(0) b:int(1) c:short(2) d:ubyte(3) name:string(4) pairs:[struct{long,long}](5)
 *         kids:[table{v:int(0)}](6) sub:table{s:string(0)}(7) } */
static const uint8_t *build(struct fb_builder *b, size_t n_kids, size_t *len) {
    fbb_reset(b);
    fb_ref kids[64];
    for (size_t i = 0; i < n_kids; i++) {
        fbb_start(b);
        fbb_add_i32(b, 0, (int32_t)(i * 3));
        kids[i] = fbb_end(b);
    }
    const fb_ref kv = fbb_vec_refs(b, kids, n_kids);
    uint8_t pairs[3 * 16];
    for (int i = 0; i < 48; i++) pairs[i] = (uint8_t)i;
    const fb_ref pv = fbb_vec_bytes(b, pairs, 16, 3, 8);
    const fb_ref s = fbb_string(b, "inner", 5);
    fbb_start(b);
    fbb_add_ref(b, 0, s);
    const fb_ref sub = fbb_end(b);
    const fb_ref name = fbb_string(b, "zest ü", 7);
    fbb_start(b);
    fbb_add_i64(b, 0, -1234567890123LL);
    fbb_add_i32(b, 1, -7);
    fbb_add_i16(b, 2, 300);
    fbb_add_u8(b, 3, 200);
    fbb_add_ref(b, 4, name);
    fbb_add_ref(b, 5, pv);
    fbb_add_ref(b, 6, kv);
    fbb_add_ref(b, 7, sub);
    const fb_ref root = fbb_end(b);
    const uint8_t *out;
    ASSERT_EQ(fbb_finish(b, root, &out, len), 0);
    ASSERT_EQ(*len % 8, 0);
    return out;
}

TEST(roundtrip) {
    struct fb_builder b;
    size_t len;
    fbb_init(&b);
    const uint8_t *buf = build(&b, 50, &len);
    struct fb_table t, sub, kid;
    struct fb_vec v;
    const char *s;
    size_t n;
    zest_error err = {0};
    ASSERT_EQ(fb_root(buf, len, &t, "T", &err), 0);
    ASSERT_EQ(fb_i64(&t, 0, 0), -1234567890123LL);
    ASSERT_EQ(fb_i32(&t, 1, 0), -7);
    ASSERT_EQ(fb_i16(&t, 2, 0), 300);
    ASSERT_EQ(fb_u8(&t, 3, 0), 200);
    ASSERT_EQ(fb_i32(&t, 9, 42), 42); /* past the vtable: the default */
    ASSERT(!fb_has(&t, 9));
    ASSERT_EQ(fb_str_field(&t, 4, &s, &n, "T.name", &err), 1);
    ASSERT_EQ(n, 7);
    ASSERT(memcmp(s, "zest ü", 7) == 0);
    ASSERT_EQ(fb_vec_field(&t, 5, 16, &v, "T.pairs", &err), 1);
    ASSERT_EQ(v.count, 3);
    ASSERT_EQ(fb_ld64(fb_vec_at(&v, 2)), 0x2726252423222120ULL);
    ASSERT_EQ((uintptr_t)(fb_vec_at(&v, 0) - buf) % 8, 0); /* structs aligned */
    ASSERT_EQ(fb_vec_field(&t, 6, 4, &v, "T.kids", &err), 1);
    ASSERT_EQ(v.count, 50);
    for (uint32_t i = 0; i < v.count; i++) {
        ASSERT_EQ(fb_vec_table(&v, i, &kid, "Kid", &err), 0);
        ASSERT_EQ(fb_i32(&kid, 0, -1), (int32_t)i * 3);
    }
    ASSERT_EQ(fb_table_field(&t, 7, &sub, "T.sub", &err), 1);
    ASSERT_EQ(fb_str_field(&sub, 0, &s, &n, "Sub.s", &err), 1);
    ASSERT_EQ(n, 5);
    ASSERT_EQ(fb_table_field(&sub, 3, &kid, "absent", &err), 0);
    ASSERT_EQ(fb_vec_field(&sub, 3, 4, &v, "absent", &err), 0);
    ASSERT_EQ(v.count, 0);
    fbb_free(&b);
}

/* Reads every field of a buffer shaped like build()'s; returns the first error or 0. */
static int read_all(const uint8_t *buf, size_t len) {
    struct fb_table t, sub, kid;
    struct fb_vec v;
    const char *s;
    size_t n;
    zest_error err = {0};
    int rc = fb_root(buf, len, &t, "T", &err);
    if (rc) return rc;
    (void)fb_i64(&t, 0, 0);
    (void)fb_i32(&t, 1, 0);
    (void)fb_i16(&t, 2, 0);
    (void)fb_u8(&t, 3, 0);
    if ((rc = fb_str_field(&t, 4, &s, &n, "name", &err)) < 0) return rc;
    if ((rc = fb_vec_field(&t, 5, 16, &v, "pairs", &err)) < 0) return rc;
    for (uint32_t i = 0; i < v.count; i++) (void)fb_ld64(fb_vec_at(&v, i) + 8);
    if ((rc = fb_vec_field(&t, 6, 4, &v, "kids", &err)) < 0) return rc;
    for (uint32_t i = 0; i < v.count; i++) {
        if ((rc = fb_vec_table(&v, i, &kid, "kid", &err))) return rc;
        (void)fb_i32(&kid, 0, 0);
    }
    if ((rc = fb_table_field(&t, 7, &sub, "sub", &err)) < 0) return rc;
    if (rc == 1 && (rc = fb_str_field(&sub, 0, &s, &n, "s", &err)) < 0) return rc;
    return 0;
}

TEST(malformed) {
    struct fb_builder b;
    size_t len;
    fbb_init(&b);
    const uint8_t *good = build(&b, 4, &len);
    uint8_t *p = malloc(len);
    zest_error err = {0};
    struct fb_table t;
    /* the root offset beyond the buffer */
    memcpy(p, good, len);
    p[0] = 0xf0, p[1] = 0xff;
    ASSERT_EQ(fb_root(p, len, &t, "Root", &err), ZEST_E_FORMAT);
    ASSERT(strstr(err.msg, "Root: offset") != NULL);
    /* every truncation and every single-byte corruption: an error or a value, never a crash */
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *q = malloc(cut ? cut : 1);
        memcpy(q, good, cut);
        (void)read_all(q, cut);
        free(q);
    }
    int errors = 0;
    for (size_t at = 0; at < len; at++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(p, good, len);
            p[at] ^= (uint8_t)(1 << bit);
            errors += read_all(p, len) != 0;
        }
    ASSERT(errors > 0);
    free(p);
    fbb_free(&b);
}

TEST(empty_vectors_and_strings) {
    struct fb_builder b;
    fbb_init(&b);
    fbb_reset(&b);
    const fb_ref e = fbb_string(&b, "", 0);
    const fb_ref v = fbb_vec_bytes(&b, NULL, 24, 0, 8);
    fbb_start(&b);
    fbb_add_ref(&b, 0, e);
    fbb_add_ref(&b, 1, v);
    const fb_ref root = fbb_end(&b);
    const uint8_t *buf;
    size_t len, n;
    const char *s;
    struct fb_table t;
    struct fb_vec vec;
    ASSERT_EQ(fbb_finish(&b, root, &buf, &len), 0);
    ASSERT_EQ(fb_root(buf, len, &t, "T", NULL), 0);
    ASSERT_EQ(fb_str_field(&t, 0, &s, &n, "s", NULL), 1);
    ASSERT_EQ(n, 0);
    ASSERT_EQ(fb_vec_field(&t, 1, 24, &vec, "v", NULL), 1);
    ASSERT_EQ(vec.count, 0);
    fbb_free(&b);
}

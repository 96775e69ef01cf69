/* SPDX-License-Identifier: Apache-2.0 */
/* test_dedup.c - the deduplicators' building blocks: MD5 against RFC 1321's test suite, the
 * 128-bit hash, the smallest-root union-find, and the signature and decision files. */
#include <stdio.h>
#include <string.h>

#include "../../src/common/hash128.h"
#include "../../src/common/md5.h"
#include "../../src/exec/dedupfile.h"
#include "../../src/ops/dedup.h"
#include "runner.h"

static void md5_hex(const char *s, char out[33]) {
    unsigned char d[16];
    md5_digest(s, strlen(s), d);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

TEST(md5_matches_rfc1321_test_suite) {
    static const char *const cases[][2] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char hex[33];
        md5_hex(cases[i][0], hex);
        if (strcmp(hex, cases[i][1]))
            TEST_FAIL("md5(\"%s\") = %s, not %s", cases[i][0], hex, cases[i][1]);
    }
    ASSERT_EQ(md5_hash64("abc", 3), 0x900150983cd24fb0ull);
}

TEST(hash128_sees_every_byte_and_the_length) {
    unsigned char data[100] = {0};
    const struct hash128 base = hash128_bytes(data, sizeof data);
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] ^= 1;
        const struct hash128 h = hash128_bytes(data, sizeof data);
        ASSERT(h.lo != base.lo && h.hi != base.hi);
        data[i] ^= 1;
    }
    for (size_t n = 0; n < sizeof data; n++) {
        const struct hash128 h = hash128_bytes(data, n);
        ASSERT(h.lo != base.lo || h.hi != base.hi);
    }
}

TEST(union_find_root_is_the_smallest_whatever_the_order) {
    struct dedup_uf a, b;
    ASSERT_EQ(dedup_uf_init(&a, 10), 0);
    ASSERT_EQ(dedup_uf_init(&b, 10), 0);
    dedup_uf_union(&a, 9, 4);
    dedup_uf_union(&a, 4, 7);
    dedup_uf_union(&a, 7, 2);
    dedup_uf_union(&b, 2, 7);
    dedup_uf_union(&b, 7, 9);
    dedup_uf_union(&b, 4, 9);
    for (uint32_t i = 0; i < 10; i++)
        ASSERT_EQ(dedup_uf_find(&a, i), dedup_uf_find(&b, i));
    ASSERT_EQ(dedup_uf_find(&a, 9), 2u);
    uint8_t keep[2] = {0, 0};
    dedup_uf_keep(&a, keep);
    ASSERT_EQ(keep[0], 0x6f); /* 0 1 2 3 5 6 kept; 4 and 7 joined 2 */
    ASSERT_EQ(keep[1], 0x01); /* 8 kept; 9 joined 2 */
    dedup_uf_free(&a);
    dedup_uf_free(&b);
}

TEST(signature_files_are_checked_by_key_partition_and_checksum) {
    char path[4200];
    snprintf(path, sizeof path, "%s/sigs.bin", test_tmpdir());
    struct buf b;
    buf_init(&b, 0);
    ASSERT_EQ(buf_append(&b, "0123456789abcdef", 16), 0);
    zest_error err;
    ASSERT_EQ(dedupfile_write_sigs(path, 77, 3, 8, &b, &err), 0);
    ASSERT_EQ(b.len, 16u);
    ASSERT_EQ(dedupfile_sigs_valid(path, 77, 3, 8), 1);
    ASSERT_EQ(dedupfile_sigs_valid(path, 78, 3, 8), 0);
    ASSERT_EQ(dedupfile_sigs_valid(path, 77, 2, 8), 0);
    ASSERT_EQ(dedupfile_sigs_valid(path, 77, 3, 16), 0);
    FILE *f = fopen(path, "r+b");
    ASSERT(f != NULL);
    fputc('X', f); /* one byte changed: the checksum no longer holds */
    fclose(f);
    ASSERT_EQ(dedupfile_sigs_valid(path, 77, 3, 8), 0);
    buf_free(&b);
}

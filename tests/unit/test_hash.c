/* SPDX-License-Identifier: Apache-2.0 */
/* test_hash.c - the hashes are stable and their fast paths agree with the plain C ones. */
#include "../../src/common/hash.h"
#include "runner.h"

/* Values computed once (with SSE2 and with -mno-sse2: the same) and pinned. */
#define HASH_WIDE_GOLDEN 0x350a951c5298ae24ull
#define HASH_BYTES_GOLDEN 0x990afef430dd60f6ull

TEST(hash_wide_sse2_and_plain_c_agree) {
    unsigned char data[4096];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 131 + (i >> 3));
    for (size_t n = 0; n <= sizeof data; n += 32) {
        uint64_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4};
        hash_wide_stripes(a, data, n);
        for (size_t at = 0; at + 32 <= n; at += 32) hash_wide_stripe_c(b, data + at);
        for (int i = 0; i < 4; i++) ASSERT_EQ(a[i], b[i]);
    }
}

TEST(hash_wide_pieces_of_32_bytes_equal_one_call) {
    unsigned char data[1000];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 7);
    struct hash_wide one, pieces;
    hash_wide_init(&one);
    hash_wide_update(&one, data, sizeof data);
    hash_wide_init(&pieces);
    for (size_t at = 0; at < sizeof data; at += 96)
        hash_wide_update(&pieces, data + at, sizeof data - at < 96 ? sizeof data - at : 96);
    ASSERT_EQ(hash_wide_final(&one), hash_wide_final(&pieces));
}

TEST(hash_wide_sees_every_byte_and_the_length) {
    unsigned char data[200] = {0};
    struct hash_wide h;
    hash_wide_init(&h);
    hash_wide_update(&h, data, sizeof data);
    const uint64_t base = hash_wide_final(&h);
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = 1;
        hash_wide_init(&h);
        hash_wide_update(&h, data, sizeof data);
        if (hash_wide_final(&h) == base) TEST_FAIL("byte %zu changed nothing", i);
        data[i] = 0;
    }
    hash_wide_init(&h);
    hash_wide_update(&h, data, sizeof data - 1);
    ASSERT(hash_wide_final(&h) != base);
}

TEST(hash_values_are_stable) {
    /* fingerprints and content hashes are stored in job files: they must not drift */
    struct hash_wide h;
    hash_wide_init(&h);
    hash_wide_update(&h, "zest partition content hash, stable across machines and runs", 60);
    ASSERT_EQ(hash_wide_final(&h), (long long)HASH_WIDE_GOLDEN);
    ASSERT_EQ(hash_finish(hash_bytes(HASH_SEED, "zest", 4)), (long long)HASH_BYTES_GOLDEN);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runner.h - the unit-test harness. A test file declares tests with TEST(name) { ... }; the
 * runner (runner.c) runs each in its own forked process with a timeout and prints TAP.
 * Assertions print both sides and the location, then fail the test's process.
 * Usage: test_x [name-substring]   (runs the matching tests only)
 */
#ifndef ZEST_TEST_RUNNER_H
#define ZEST_TEST_RUNNER_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
/* A fresh empty directory for this test (removed when the test passes). */
const char *test_tmpdir(void);
/* Writes `len` bytes to `dir/name`; returns the malloc'd full path. */
char *test_write_file(const char *dir, const char *name, const void *data, size_t len);
/* Reads a whole file into a malloc'd NUL-terminated buffer; *len gets its size. */
char *test_read_file(const char *path, size_t *len);

#define TEST(name)                                                                             \
    static void test_##name(void);                                                             \
    __attribute__((constructor)) static void test_reg_##name(void) {                          \
        test_register(#name, test_##name);                                                     \
    }                                                                                          \
    static void test_##name(void)

#define TEST_FAIL(...)                                                                         \
    do {                                                                                       \
        fprintf(stderr, "# %s:%d: ", __FILE__, __LINE__);                                      \
        fprintf(stderr, __VA_ARGS__);                                                          \
        fprintf(stderr, "\n");                                                                 \
        exit(1);                                                                               \
    } while (0)

#define ASSERT(cond)                                                                           \
    do {                                                                                       \
        if (!(cond)) TEST_FAIL("assertion failed: %s", #cond);                                 \
    } while (0)

#define ASSERT_EQ(a, b)                                                                        \
    do {                                                                                       \
        const long long a_ = (long long)(a), b_ = (long long)(b);                              \
        if (a_ != b_) TEST_FAIL("%s == %s: %lld != %lld", #a, #b, a_, b_);                     \
    } while (0)

#define ASSERT_DBL_EQ(a, b)                                                                    \
    do {                                                                                       \
        const double a_ = (a), b_ = (b);                                                       \
        if (a_ != b_) TEST_FAIL("%s == %s: %.17g != %.17g", #a, #b, a_, b_);                   \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                    \
    do {                                                                                       \
        const char *a_ = (a), *b_ = (b);                                                       \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                 \
            TEST_FAIL("%s == %s:\n#   got:      \"%s\"\n#   expected: \"%s\"", #a, #b,        \
                      a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                 \
    } while (0)

/* Compares n bytes; prints both as strings (they are usually text). */
#define ASSERT_MEM_EQ(a, alen, b, blen)                                                        \
    do {                                                                                       \
        const size_t al_ = (size_t)(alen), bl_ = (size_t)(blen);                               \
        if (al_ != bl_ || memcmp((a), (b), al_) != 0)                                          \
            TEST_FAIL("%s == %s:\n#   got (%zu):      \"%.*s\"\n#   expected (%zu): \"%.*s\"", \
                      #a, #b, al_, (int)al_, (const char *)(a), bl_, (int)bl_,                 \
                      (const char *)(b));                                                      \
    } while (0)

/* Substring check, for error messages. */
#define ASSERT_CONTAINS(hay, needle)                                                           \
    do {                                                                                       \
        const char *h_ = (hay), *n_ = (needle);                                                \
        if (!h_ || !strstr(h_, n_))                                                            \
            TEST_FAIL("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_);               \
    } while (0)

#endif

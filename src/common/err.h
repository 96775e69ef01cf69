/* SPDX-License-Identifier: Apache-2.0 */
/*
 * err.h - filling a zest_error. The function that detects a failure writes the message;
 * callers may prefix context with err_prefix(). Depends on nothing but libc.
 */
#ifndef ZEST_ERR_H
#define ZEST_ERR_H

#include "zest.h"

#if defined(__GNUC__)
#define ERR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ERR_PRINTF(a, b)
#endif

/* Sets code and message; returns `code` so callers can `return err_set(err, ...)`. */
int err_set(zest_error *err, int code, const char *fmt, ...) ERR_PRINTF(3, 4);
/* As err_set, also recording the file, 1-based line (0 = unknown) and byte offset (-1 =
 * unknown); the message is prefixed with "path:line: " or "path: offset N: ". */
int err_set_at(zest_error *err, int code, const char *path, int64_t line, int64_t offset,
               const char *fmt, ...) ERR_PRINTF(6, 7);
/* Prepends "context: " to the message already in err (no-op when err is NULL). */
void err_prefix(zest_error *err, const char *fmt, ...) ERR_PRINTF(2, 3);
/* Records the operator name an error concerns. */
void err_set_op(zest_error *err, const char *op);

#define ZEST_TRY(expr)                                                                         \
    do {                                                                                       \
        int zest_try_rc_ = (expr);                                                             \
        if (zest_try_rc_ != ZEST_OK) return zest_try_rc_;                                      \
    } while (0)

#endif

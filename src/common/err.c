/* SPDX-License-Identifier: Apache-2.0 */
/* err.c - status names and messages (from ZEST_STATUS_MAP) and zest_error helpers. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *zest_status_name(int status) {
    switch (status) {
#define XX(name, value, msg)                                                                   \
    case value: return #name;
        ZEST_STATUS_MAP(XX)
#undef XX
    default: return "E_UNKNOWN";
    }
}

const char *zest_strerror(int status) {
    switch (status) {
#define XX(name, value, msg)                                                                   \
    case value: return msg;
        ZEST_STATUS_MAP(XX)
#undef XX
    default: return "unknown status";
    }
}

void zest_error_clear(zest_error *err) {
    if (!err) return;
    memset(err, 0, sizeof *err);
    err->offset = -1;
}

static void err_vformat(zest_error *err, size_t at, const char *fmt, va_list ap) {
    if (at >= sizeof err->msg) return;
    vsnprintf(err->msg + at, sizeof err->msg - at, fmt, ap);
}

int err_set(zest_error *err, int code, const char *fmt, ...) {
    if (!err) return code;
    va_list ap;
    err->code = code;
    va_start(ap, fmt);
    err_vformat(err, 0, fmt, ap);
    va_end(ap);
    return code;
}

int err_set_at(zest_error *err, int code, const char *path, int64_t line, int64_t offset,
               const char *fmt, ...) {
    if (!err) return code;
    int n;
    err->code = code;
    err->line = line;
    err->offset = offset;
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    if (line > 0)
        n = snprintf(err->msg, sizeof err->msg, "%s:%lld: ", err->path, (long long)line);
    else if (offset >= 0)
        n = snprintf(err->msg, sizeof err->msg, "%s: offset %lld: ", err->path,
                     (long long)offset);
    else
        n = snprintf(err->msg, sizeof err->msg, "%s: ", err->path);
    va_list ap;
    va_start(ap, fmt);
    err_vformat(err, n < 0 ? 0 : (size_t)n, fmt, ap);
    va_end(ap);
    return code;
}

void err_prefix(zest_error *err, const char *fmt, ...) {
    if (!err) return;
    char head[512];
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    /* shift the old message right by "head: " and copy the head in front of it */
    const size_t hlen = strlen(head) + 2, cap = sizeof err->msg - 1;
    if (hlen >= cap) return;
    const size_t old = strnlen(err->msg, cap), keep = old < cap - hlen ? old : cap - hlen;
    memmove(err->msg + hlen, err->msg, keep);
    memcpy(err->msg, head, hlen - 2);
    memcpy(err->msg + hlen - 2, ": ", 2);
    err->msg[hlen + keep] = '\0';
}

void err_set_op(zest_error *err, const char *op) {
    if (err) snprintf(err->op, sizeof err->op, "%s", op ? op : "");
}

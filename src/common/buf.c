/* SPDX-License-Identifier: Apache-2.0 */
/* buf.c - growable buffer with a ceiling. */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "zest.h"

void buf_init(struct buf *b, size_t max) {
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max ? max : SIZE_MAX;
}

void buf_free(struct buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int buf_reserve(struct buf *b, size_t extra) { return buf_reserve_slack(b, extra, 0); }

int buf_reserve_slack(struct buf *b, size_t extra, size_t slack) {
    if (extra > b->max || b->len > b->max - extra) return ZEST_E_LIMIT;
    if (slack > SIZE_MAX - b->len - extra) return ZEST_E_LIMIT;
    const size_t need = b->len + extra + slack;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) return ZEST_E_NOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_append(struct buf *b, const void *p, size_t n) {
    int rc = buf_reserve(b, n);
    if (rc) return rc;
    if (n) buf_put(b, p, n);
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return ZEST_E_INTERNAL;
    int rc = buf_reserve(b, (size_t)n + 1);
    if (rc) return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

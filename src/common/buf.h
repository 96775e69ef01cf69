/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.h - a growable byte buffer with a hard ceiling (a 10 GB line fails, it does not take
 * the machine down). Reused across batches: buf_clear keeps the capacity. Depends on libc.
 */
#ifndef ZEST_BUF_H
#define ZEST_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* ceiling on len; 0 means SIZE_MAX */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
/* Makes room for `extra` more bytes. Returns 0, or ZEST_E_LIMIT past the ceiling, or
 * ZEST_E_NOMEM. */
int buf_reserve(struct buf *b, size_t extra);
/* As buf_reserve, plus `slack` bytes of capacity past the ceiling check: room that block
 * copies may scribble on but that never becomes content. */
int buf_reserve_slack(struct buf *b, size_t extra, size_t slack);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_printf(struct buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static inline void buf_clear(struct buf *b) { b->len = 0; }
/* Appends without a capacity check; the caller reserved the room. */
static inline void buf_put(struct buf *b, const void *p, size_t n) {
    memcpy(b->data + b->len, p, n);
    b->len += n;
}
static inline int buf_putc(struct buf *b, char c) {
    if (b->len == b->cap) {
        int rc = buf_reserve(b, 1);
        if (rc) return rc;
    }
    b->data[b->len++] = c;
    return 0;
}

#endif

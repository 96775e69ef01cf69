/* SPDX-License-Identifier: Apache-2.0 */
/*
 * column.c - finished columns and batches: lookups by name and zero-copy slicing (a slice is
 * the same buffers with another offset/length and its own exact null count). Calls nothing
 * outside column.h.
 */
#include "column.h"

int col_child_index(const struct column *c, const char *name) {
    if (c->type != COL_STRUCT) return -1;
    for (size_t k = 0; k < c->n_children; k++)
        if (strcmp(c->child_names[k], name) == 0) return (int)k;
    return -1;
}

int batch_find(const struct batch *b, const char *name) {
    for (size_t k = 0; k < b->n_cols; k++)
        if (strcmp(b->names[k], name) == 0) return (int)k;
    return -1;
}

static int col_popcount8(uint8_t v) {
    int n = 0;
    for (; v; v &= (uint8_t)(v - 1)) n++;
    return n;
}

/* Zero bits of the LSB-first bitmap in [from, from+n): bit by bit up to a byte boundary,
 * then whole bytes, then the tail. */
static int64_t col_count_zeros(const uint8_t *bm, int64_t from, int64_t n) {
    int64_t ones = 0, i = from;
    const int64_t end = from + n;
    for (; i < end && (i & 7); i++) ones += (bm[i >> 3] >> (i & 7)) & 1;
    for (; i + 8 <= end; i += 8) ones += col_popcount8(bm[i >> 3]);
    for (; i < end; i++) ones += (bm[i >> 3] >> (i & 7)) & 1;
    return n - ones;
}

struct column col_slice(const struct column *c, int64_t start, int64_t len) {
    struct column s = *c;
    if (start < 0) start = 0;
    if (start > c->length) start = c->length;
    if (len < 0) len = 0;
    if (len > c->length - start) len = c->length - start;
    s.offset = c->offset + start;
    s.length = len;
    if (c->type == COL_NULL) {
        s.null_count = len;
    } else if (!c->validity || c->null_count == 0) {
        s.null_count = 0;
        s.validity = NULL;
    } else if (len != c->length) {
        s.null_count = col_count_zeros(c->validity, s.offset, len);
        if (s.null_count == 0) s.validity = NULL;
    }
    return s;
}

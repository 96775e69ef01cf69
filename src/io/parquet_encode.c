/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_encode.c - Parquet's integer encodings: the RLE / bit-packed hybrid (levels,
 * dictionary indices, booleans) in both directions, and the DELTA_BINARY_PACKED decoder.
 * Decoders read untrusted bytes: every step checks the bytes left.
 */
#include <string.h>

#include "parquet.h"

int pq_bit_width(uint64_t max) {
    int w = 0;
    while (max) {
        w++;
        max >>= 1;
    }
    return w;
}

static int put_varint(struct buf *out, uint64_t v) {
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    return buf_append(out, tmp, n);
}

static size_t run_length(const uint32_t *v, size_t n, size_t i) {
    size_t j = i + 1;
    while (j < n && v[j] == v[i]) j++;
    return j - i;
}

/* Bit-packs values [i, j) (j - i a multiple of 8; past n reads as 0) LSB first. */
static int put_packed(const uint32_t *v, size_t n, size_t i, size_t j, int width,
                      struct buf *out) {
    int rc = put_varint(out, ((uint64_t)(j - i) / 8) << 1 | 1);
    if (rc) return rc;
    const size_t bytes = (j - i) / 8 * (size_t)width;
    if ((rc = buf_reserve(out, bytes))) return rc;
    uint8_t *p = (uint8_t *)out->data + out->len;
    memset(p, 0, bytes);
    size_t bit = 0;
    for (size_t k = i; k < j; k++) {
        const uint64_t x = k < n ? v[k] : 0;
        for (int b = 0; b < width; b++, bit++)
            if (x >> b & 1) p[bit >> 3] |= (uint8_t)(1u << (bit & 7));
    }
    out->len += bytes;
    return 0;
}

int pq_rle_encode(const uint32_t *v, size_t n, int width, struct buf *out) {
    const int vbytes = (width + 7) / 8;
    size_t i = 0;
    int rc = 0;
    while (!rc && i < n) {
        const size_t run = run_length(v, n, i);
        if (run >= 8 || width == 0) {
            rc = put_varint(out, (uint64_t)run << 1);
            const uint32_t x = v[i];
            uint8_t le[4] = {(uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16), (uint8_t)(x >> 24)};
            if (!rc) rc = buf_append(out, le, (size_t)vbytes);
            i += run;
            continue;
        }
        size_t j = i;
        do
            j += 8;
        while (j < n && run_length(v, n, j) < 8 && (j - i) < 8 * 1024);
        rc = put_packed(v, n, i, j, width, out);
        i = j;
    }
    return rc;
}

int pq_rle_decode(const uint8_t *p, size_t len, int width, uint32_t *out, size_t n, size_t *used,
                  const char **why) {
    if (width < 0 || width > 32) {
        *why = "bit width above 32";
        return ZEST_E_FORMAT;
    }
    const size_t vbytes = (size_t)(width + 7) / 8;
    size_t pos = 0, got = 0;
    while (got < n) {
        uint64_t h = 0;
        int shift = 0;
        for (;;) {
            if (pos >= len || shift > 63) {
                *why = "truncated RLE run header";
                return ZEST_E_FORMAT;
            }
            const uint8_t b = p[pos++];
            h |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            if (!(b & 0x80)) break;
        }
        if (h & 1) {
            const uint64_t groups = h >> 1;
            if (groups > (len - pos) / (width ? (size_t)width : 1) + 1 && width) {
                *why = "bit-packed run past the end";
                return ZEST_E_FORMAT;
            }
            const uint64_t count = groups * 8;
            const uint64_t bytes = groups * (uint64_t)width;
            if (bytes > len - pos) {
                *why = "bit-packed run past the end";
                return ZEST_E_FORMAT;
            }
            const uint8_t *q = p + pos;
            const size_t take = count < n - got ? (size_t)count : n - got;
            size_t bit = 0;
            for (size_t k = 0; k < take; k++) {
                uint32_t x = 0;
                for (int b = 0; b < width; b++, bit++) x |= (uint32_t)(q[bit >> 3] >> (bit & 7) & 1) << b;
                out[got++] = x;
            }
            pos += (size_t)bytes;
        } else {
            const uint64_t count = h >> 1;
            if (vbytes > len - pos) {
                *why = "truncated RLE run value";
                return ZEST_E_FORMAT;
            }
            uint32_t x = 0;
            for (size_t b = 0; b < vbytes; b++) x |= (uint32_t)p[pos + b] << (8 * b);
            pos += vbytes;
            if (count == 0) {
                *why = "empty RLE run";
                return ZEST_E_FORMAT;
            }
            const size_t take = count < n - got ? (size_t)count : n - got;
            for (size_t k = 0; k < take; k++) out[got++] = x;
        }
    }
    *used = pos;
    return 0;
}

static int get_uvarint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= len) return -1;
        const uint8_t b = p[(*pos)++];
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

int pq_delta_decode(const uint8_t *p, size_t len, int64_t *out, size_t n, size_t *count,
                    size_t *used, const char **why) {
    size_t pos = 0;
    uint64_t block, miniblocks, total, zz;
    if (get_uvarint(p, len, &pos, &block) || get_uvarint(p, len, &pos, &miniblocks) ||
        get_uvarint(p, len, &pos, &total) || get_uvarint(p, len, &pos, &zz)) {
        *why = "truncated DELTA_BINARY_PACKED header";
        return ZEST_E_FORMAT;
    }
    if (block == 0 || block % 128 || miniblocks == 0 || block % miniblocks ||
        (block / miniblocks) % 32 || block > (1u << 20)) {
        *why = "bad DELTA_BINARY_PACKED block size";
        return ZEST_E_FORMAT;
    }
    if (total > n) {
        *why = "DELTA_BINARY_PACKED holds more values than the page";
        return ZEST_E_FORMAT;
    }
    const uint64_t per_mini = block / miniblocks;
    int64_t cur = (int64_t)(zz >> 1) ^ -(int64_t)(zz & 1);
    size_t got = 0;
    if (total > 0) out[got++] = cur;
    while (got < total) {
        uint64_t mzz;
        if (get_uvarint(p, len, &pos, &mzz)) {
            *why = "truncated DELTA_BINARY_PACKED block";
            return ZEST_E_FORMAT;
        }
        const int64_t min_delta = (int64_t)(mzz >> 1) ^ -(int64_t)(mzz & 1);
        if (miniblocks > len - pos) {
            *why = "truncated DELTA_BINARY_PACKED widths";
            return ZEST_E_FORMAT;
        }
        const uint8_t *widths = p + pos;
        pos += (size_t)miniblocks;
        for (uint64_t m = 0; m < miniblocks && got < total; m++) {
            const int w = widths[m];
            if (w > 64) {
                *why = "DELTA_BINARY_PACKED bit width above 64";
                return ZEST_E_FORMAT;
            }
            const uint64_t bytes = per_mini * (uint64_t)w / 8;
            if (bytes > len - pos) {
                *why = "truncated DELTA_BINARY_PACKED miniblock";
                return ZEST_E_FORMAT;
            }
            const uint8_t *q = p + pos;
            size_t bit = 0;
            for (uint64_t k = 0; k < per_mini && got < total; k++) {
                uint64_t d = 0;
                for (int b = 0; b < w; b++, bit++) d |= (uint64_t)(q[bit >> 3] >> (bit & 7) & 1) << b;
                cur = (int64_t)((uint64_t)cur + (uint64_t)min_delta + d);
                out[got++] = cur;
            }
            pos += (size_t)bytes;
        }
    }
    *count = (size_t)total;
    *used = pos;
    return 0;
}

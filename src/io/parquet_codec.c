/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_codec.c - the page compression codecs of Parquet: snappy (libsnappy's C API), gzip
 * (zlib, gzip framing on write, any zlib/gzip framing on read), zstd (libzstd) and LZ4_RAW
 * (a raw liblz4 block), plus their names. Decompression writes into a caller buffer of the
 * size the page header promises and fails when the stream yields any other size.
 */
#include <lz4.h>
#include <snappy-c.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#include "../common/err.h"
#include "parquet.h"

static const char *const codec_names[] = {"none", "snappy", "gzip", "lzo", "brotli", "lz4", "zstd",
                                          "lz4_raw"};

const char *parquet_codec_name(int codec) {
    return codec >= 0 && codec <= PQ_LZ4_RAW ? codec_names[codec] : NULL;
}

int parquet_codec_parse(const char *name, enum pq_codec *out, zest_error *err) {
    static const struct {
        const char *name;
        enum pq_codec codec;
    } table[] = {{"none", PQ_UNCOMPRESSED}, {"uncompressed", PQ_UNCOMPRESSED},
                 {"snappy", PQ_SNAPPY},     {"gzip", PQ_GZIP},
                 {"zstd", PQ_ZSTD},         {"lz4_raw", PQ_LZ4_RAW},
                 {"lz4", PQ_LZ4_RAW}};
    if (!name) {
        *out = PQ_SNAPPY;
        return 0;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcasecmp(name, table[i].name) == 0) {
            *out = table[i].codec;
            return 0;
        }
    return err_set(err, ZEST_E_UNSUPPORTED,
                   "parquet compression '%s' is not supported (none, snappy, gzip, zstd, lz4_raw)",
                   name);
}

static int gzip_compress(const void *src, size_t len, struct buf *out) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return ZEST_E_NOMEM;
    const size_t bound = deflateBound(&zs, (uLong)len);
    int rc = buf_reserve(out, bound);
    if (!rc) {
        zs.next_in = (Bytef *)(uintptr_t)src;
        zs.avail_in = (uInt)len;
        zs.next_out = (Bytef *)out->data;
        zs.avail_out = (uInt)bound;
        rc = deflate(&zs, Z_FINISH) == Z_STREAM_END ? 0 : ZEST_E_INTERNAL;
        if (!rc) out->len = zs.total_out;
    }
    deflateEnd(&zs);
    return rc;
}

int parquet_compress(int codec, const void *src, size_t len, struct buf *out) {
    buf_clear(out);
    int rc = 0;
    switch (codec) {
    case PQ_UNCOMPRESSED: return buf_append(out, src, len);
    case PQ_SNAPPY: {
        size_t n = snappy_max_compressed_length(len);
        if ((rc = buf_reserve(out, n))) return rc;
        if (snappy_compress(src, len, out->data, &n) != SNAPPY_OK) return ZEST_E_INTERNAL;
        out->len = n;
        return 0;
    }
    case PQ_GZIP: return gzip_compress(src, len, out);
    case PQ_ZSTD: {
        const size_t bound = ZSTD_compressBound(len);
        if ((rc = buf_reserve(out, bound))) return rc;
        const size_t n = ZSTD_compress(out->data, bound, src, len, 3);
        if (ZSTD_isError(n)) return ZEST_E_INTERNAL;
        out->len = n;
        return 0;
    }
    case PQ_LZ4_RAW: {
        if (len > (size_t)LZ4_MAX_INPUT_SIZE) return ZEST_E_LIMIT;
        const int bound = LZ4_compressBound((int)len);
        if ((rc = buf_reserve(out, (size_t)bound))) return rc;
        const int n = LZ4_compress_default(src, out->data, (int)len, bound);
        if (n <= 0) return ZEST_E_INTERNAL;
        out->len = (size_t)n;
        return 0;
    }
    default: return ZEST_E_UNSUPPORTED;
    }
}

static int gzip_decompress(const void *src, size_t len, void *dst, size_t ulen, const char **why) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 32) != Z_OK) {
        *why = "gzip: out of memory";
        return ZEST_E_NOMEM;
    }
    int rc = 0;
    zs.next_out = dst;
    zs.avail_out = (uInt)ulen;
    zs.next_in = (Bytef *)(uintptr_t)src;
    zs.avail_in = (uInt)len;
    for (;;) {
        const int z = inflate(&zs, Z_FINISH);
        if (z == Z_STREAM_END) {
            /* Some writers concatenate members; go on while input remains. */
            if (zs.avail_in > 0 && zs.avail_out > 0 && inflateReset(&zs) == Z_OK) continue;
            break;
        }
        if (z == Z_BUF_ERROR && zs.avail_out == 0 && zs.avail_in > 0) {
            *why = "gzip: data larger than the page header says";
        } else {
            *why = "gzip: corrupt stream";
        }
        rc = ZEST_E_FORMAT;
        break;
    }
    if (!rc && zs.avail_out != 0) {
        *why = "gzip: data shorter than the page header says";
        rc = ZEST_E_FORMAT;
    }
    inflateEnd(&zs);
    return rc;
}

int parquet_decompress(int codec, const void *src, size_t len, void *dst, size_t ulen,
                       const char **why) {
    switch (codec) {
    case PQ_UNCOMPRESSED:
        if (len != ulen) {
            *why = "uncompressed page sizes differ";
            return ZEST_E_FORMAT;
        }
        if (len) memcpy(dst, src, len);
        return 0;
    case PQ_SNAPPY: {
        size_t n;
        if (snappy_uncompressed_length(src, len, &n) != SNAPPY_OK || n != ulen) {
            *why = "snappy: corrupt header or size differs from the page header";
            return ZEST_E_FORMAT;
        }
        if (snappy_uncompress(src, len, dst, &n) != SNAPPY_OK || n != ulen) {
            *why = "snappy: corrupt stream";
            return ZEST_E_FORMAT;
        }
        return 0;
    }
    case PQ_GZIP: return gzip_decompress(src, len, dst, ulen, why);
    case PQ_ZSTD: {
        const size_t n = ZSTD_decompress(dst, ulen, src, len);
        if (ZSTD_isError(n) || n != ulen) {
            *why = "zstd: corrupt stream or size differs from the page header";
            return ZEST_E_FORMAT;
        }
        return 0;
    }
    case PQ_LZ4_RAW: {
        if (len > (size_t)INT32_MAX || ulen > (size_t)INT32_MAX) {
            *why = "lz4_raw: page too large";
            return ZEST_E_FORMAT;
        }
        const int n = LZ4_decompress_safe(src, dst, (int)len, (int)ulen);
        if (n < 0 || (size_t)n != ulen) {
            *why = "lz4_raw: corrupt block or size differs from the page header";
            return ZEST_E_FORMAT;
        }
        return 0;
    }
    case PQ_LZ4: *why = "codec LZ4 (the deprecated Hadoop framing) is not supported; use LZ4_RAW"; return ZEST_E_UNSUPPORTED;
    case PQ_LZO: *why = "codec LZO is not supported"; return ZEST_E_UNSUPPORTED;
    case PQ_BROTLI: *why = "codec BROTLI is not supported"; return ZEST_E_UNSUPPORTED;
    default: *why = "unknown codec"; return ZEST_E_UNSUPPORTED;
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arrow_ipc_codec.c - the two buffer codecs of Arrow's BodyCompression: LZ4 frame (liblz4's
 * lz4frame API) and zstd (one frame per buffer). Decompression always targets the exact size
 * the message claims and fails when the stream yields more or less. Calls common/ only.
 */
#include <lz4frame.h>
#include <zstd.h>

#include "../common/err.h"
#include "arrow_ipc_internal.h"

int aipc_compress(enum arrow_ipc_codec codec, int level, const void *src, size_t n, struct buf *out,
                  zest_error *err) {
    const size_t bound =
        codec == ARROW_IPC_ZSTD ? ZSTD_compressBound(n) : LZ4F_compressFrameBound(n, NULL);
    int rc = buf_reserve(out, bound);
    if (rc) return err_set(err, rc, "arrow: no room to compress a buffer of %zu bytes", n);
    size_t got;
    if (codec == ARROW_IPC_ZSTD) {
        got = ZSTD_compress(out->data + out->len, bound, src, n, level ? level : 3);
        if (ZSTD_isError(got))
            return err_set(err, ZEST_E_INTERNAL, "arrow: zstd: %s", ZSTD_getErrorName(got));
    } else {
        got = LZ4F_compressFrame(out->data + out->len, bound, src, n, NULL);
        if (LZ4F_isError(got))
            return err_set(err, ZEST_E_INTERNAL, "arrow: lz4: %s", LZ4F_getErrorName(got));
    }
    out->len += got;
    return 0;
}

static int aipc_lz4_decompress(const uint8_t *src, size_t n, uint8_t *dst, size_t want,
                               zest_error *err) {
    LZ4F_dctx *dctx = NULL;
    int rc = 0;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
        return err_set(err, ZEST_E_NOMEM, "arrow: lz4: cannot create a decompression context");
    size_t in = 0, outp = 0, hint = 1;
    while (hint != 0) {
        size_t src_n = n - in, dst_n = want - outp;
        hint = LZ4F_decompress(dctx, dst + outp, &dst_n, src + in, &src_n, NULL);
        if (LZ4F_isError(hint)) {
            rc = err_set(err, ZEST_E_FORMAT, "lz4 frame: %s", LZ4F_getErrorName(hint));
            goto out;
        }
        in += src_n;
        outp += dst_n;
        if (hint != 0 && src_n == 0 && dst_n == 0) {
            rc = err_set(err, ZEST_E_FORMAT, "lz4 frame: truncated or larger than %zu bytes", want);
            goto out;
        }
    }
    if (outp != want || in != n)
        rc = err_set(err, ZEST_E_FORMAT, "lz4 frame: %zu bytes where %zu were announced", outp, want);
out:
    LZ4F_freeDecompressionContext(dctx);
    return rc;
}

int aipc_decompress(enum arrow_ipc_codec codec, const void *src, size_t n, void *dst, size_t want,
                    zest_error *err) {
    if (codec == ARROW_IPC_LZ4_FRAME) return aipc_lz4_decompress(src, n, dst, want, err);
    const size_t got = ZSTD_decompress(dst, want, src, n);
    if (ZSTD_isError(got)) return err_set(err, ZEST_E_FORMAT, "zstd: %s", ZSTD_getErrorName(got));
    if (got != want)
        return err_set(err, ZEST_E_FORMAT, "zstd: %zu bytes where %zu were announced", got, want);
    return 0;
}

int aipc_frame_size(enum arrow_ipc_codec codec, const void *src, size_t n, uint64_t *size) {
    const uint8_t *p = src;
    if (codec == ARROW_IPC_ZSTD) {
        const unsigned long long z = ZSTD_getFrameContentSize(src, n);
        if (z == ZSTD_CONTENTSIZE_UNKNOWN || z == ZSTD_CONTENTSIZE_ERROR) return 0;
        *size = z;
        return 1;
    }
    /* LZ4 frame header: magic, FLG (bit 3: content size present), BD, then the size. */
    if (n < 14 || p[0] != 0x04 || p[1] != 0x22 || p[2] != 0x4d || p[3] != 0x18 || !(p[4] & 8)) return 0;
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--) v = v << 8 | p[6 + k];
    *size = v;
    return 1;
}

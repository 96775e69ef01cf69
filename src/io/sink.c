/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink.c - buffered, optionally compressed, atomically committed output file. Owns the
 * temporary file, the write buffer and the deflate / zstd compression contexts. Calls
 * common/fsutil for durable writes and the commit, zlib and libzstd for compression.
 */
#include "sink.h"

#include <fcntl.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../common/err.h"
#include "../common/dio.h"
#include "../common/fsutil.h"

#define SINK_GZIP_LEVEL 6
#define SINK_ZSTD_LEVEL 3

struct sink {
    char *path;
    char tmp[4096];
    int fd;
    enum sink_codec codec;
    char *in; /* uncompressed bytes not yet encoded */
    size_t in_len;
    unsigned char *out; /* compressed output, SINK_BUF bytes (gzip/zstd only) */
    z_stream zs;
    int zs_ready;
    ZSTD_CCtx *zc;
    uint64_t bytes_in, bytes_out;
    struct dio dio; /* the temporary file, written with direct I/O where possible */
    int status; /* first failure; sticky */
};

static int sink_has_suffix(const char *s, const char *suffix) {
    const size_t n = strlen(s), m = strlen(suffix);
    return n > m && memcmp(s + n - m, suffix, m) == 0;
}

enum sink_codec sink_codec_for_path(const char *path) {
    if (sink_has_suffix(path, ".gz")) return SINK_GZIP;
    if (sink_has_suffix(path, ".zst")) return SINK_ZSTD;
    return SINK_PLAIN;
}

static int sink_fail(struct sink *s, int rc) {
    if (!s->status) s->status = rc;
    return rc;
}

static int sink_put(struct sink *s, const void *data, size_t n, zest_error *err) {
    ZEST_TRY(dio_write(&s->dio, data, n, err));
    s->bytes_out += n;
    return 0;
}

/* Deflates data; with `finish`, ends the gzip member. Writes each full output buffer. */
static int sink_gz_encode(struct sink *s, const char *data, size_t len, int finish,
                          zest_error *err) {
    z_stream *z = &s->zs;
    int zrc;
    do {
        const uInt give = len > UINT_MAX ? UINT_MAX : (uInt)len;
        const int flush = finish && give == len ? Z_FINISH : Z_NO_FLUSH;
        z->next_in = (Bytef *)(uintptr_t)data;
        z->avail_in = give;
        do {
            z->next_out = s->out;
            z->avail_out = SINK_BUF;
            zrc = deflate(z, flush);
            if (zrc == Z_STREAM_ERROR)
                return err_set_at(err, ZEST_E_INTERNAL, s->path, 0, -1, "deflate failed");
            ZEST_TRY(sink_put(s, s->out, SINK_BUF - z->avail_out, err));
        } while (z->avail_out == 0 || (flush == Z_FINISH && zrc != Z_STREAM_END));
        data += give;
        len -= give;
    } while (len > 0);
    return 0;
}

/* Compresses data; with `finish`, ends the zstd frame. Writes each full output buffer. */
static int sink_zstd_encode(struct sink *s, const char *data, size_t len, int finish,
                            zest_error *err) {
    ZSTD_inBuffer in = {data, len, 0};
    const ZSTD_EndDirective mode = finish ? ZSTD_e_end : ZSTD_e_continue;
    size_t left;
    do {
        ZSTD_outBuffer out = {s->out, SINK_BUF, 0};
        left = ZSTD_compressStream2(s->zc, &out, &in, mode);
        if (ZSTD_isError(left))
            return err_set_at(err, ZEST_E_INTERNAL, s->path, 0, -1, "zstd: %s",
                              ZSTD_getErrorName(left));
        ZEST_TRY(sink_put(s, s->out, out.pos, err));
    } while (finish ? left != 0 : in.pos < in.size);
    return 0;
}

static int sink_encode(struct sink *s, const char *data, size_t len, int finish,
                       zest_error *err) {
    switch (s->codec) {
    case SINK_GZIP: return sink_gz_encode(s, data, len, finish, err);
    case SINK_ZSTD: return sink_zstd_encode(s, data, len, finish, err);
    default: return len ? sink_put(s, data, len, err) : 0;
    }
}

static int sink_flush(struct sink *s, int finish, zest_error *err) {
    const int rc = sink_encode(s, s->in, s->in_len, finish, err);
    s->in_len = 0;
    return rc;
}

int sink_write(struct sink *s, const void *data, size_t len, zest_error *err) {
    if (s->status)
        return err_set_at(err, s->status, s->path, 0, -1, "sink stopped by an earlier error");
    if (s->in_len + len > SINK_BUF) {
        const int rc = sink_flush(s, 0, err);
        if (rc) return sink_fail(s, rc);
    }
    if (len >= SINK_BUF) {
        /* Big writes skip the copy into the buffer. */
        const int rc = sink_encode(s, data, len, 0, err);
        if (rc) return sink_fail(s, rc);
    } else if (len) {
        memcpy(s->in + s->in_len, data, len);
        s->in_len += len;
    }
    s->bytes_in += len;
    return 0;
}

uint64_t sink_bytes(const struct sink *s) { return s->bytes_in; }

static int sink_init_codec(struct sink *s, zest_error *err) {
    if (s->codec == SINK_PLAIN) return 0;
    s->out = malloc(SINK_BUF);
    if (!s->out) return err_set_at(err, ZEST_E_NOMEM, s->path, 0, -1, "out of memory");
    if (s->codec == SINK_GZIP) {
        /* 15 + 16: 32 KB window with a gzip header and trailer. */
        if (deflateInit2(&s->zs, SINK_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
            Z_OK)
            return err_set_at(err, ZEST_E_NOMEM, s->path, 0, -1, "deflateInit2 failed");
        s->zs_ready = 1;
        return 0;
    }
    s->zc = ZSTD_createCCtx();
    if (!s->zc) return err_set_at(err, ZEST_E_NOMEM, s->path, 0, -1, "ZSTD_createCCtx failed");
    /* The checksum lets readers detect corruption, as the zstd CLI does by default. */
    if (ZSTD_isError(ZSTD_CCtx_setParameter(s->zc, ZSTD_c_compressionLevel, SINK_ZSTD_LEVEL)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(s->zc, ZSTD_c_checksumFlag, 1)))
        return err_set_at(err, ZEST_E_INTERNAL, s->path, 0, -1, "zstd parameters rejected");
    return 0;
}

static int sink_open_mode(const char *path, int direct, struct sink **out, zest_error *err) {
    int rc = 0;
    *out = NULL;
    struct sink *s = calloc(1, sizeof *s);
    if (!s) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
    s->fd = -1;
    s->codec = sink_codec_for_path(path);
    s->path = strdup(path);
    s->in = malloc(SINK_BUF);
    if (!s->path || !s->in) {
        rc = err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    if ((rc = fsutil_tmp_path(path, s->tmp, sizeof s->tmp, err)) != 0) goto out;
    if ((rc = sink_init_codec(s, err)) != 0) goto out;
    s->fd = fsutil_create(s->tmp, err);
    if (s->fd < 0)
        rc = ZEST_E_IO;
    else
        rc = dio_open(&s->dio, s->fd, s->tmp, direct, err);
out:
    if (rc) {
        sink_abort(s);
        return rc;
    }
    *out = s;
    return 0;
}

int sink_open(const char *path, struct sink **out, zest_error *err) {
    return sink_open_mode(path, 1, out, err);
}

int sink_open_cached(const char *path, struct sink **out, zest_error *err) {
    return sink_open_mode(path, 0, out, err);
}

/* Frees everything; removes the temporary file when it still exists. */
static void sink_free(struct sink *s, int remove_tmp) {
    if (s->fd >= 0) close(s->fd);
    if (remove_tmp && s->fd >= 0) unlink(s->tmp);
    dio_free(&s->dio);
    if (s->zs_ready) deflateEnd(&s->zs);
    ZSTD_freeCCtx(s->zc);
    free(s->out);
    free(s->in);
    free(s->path);
    free(s);
}

int sink_commit(struct sink *s, uint64_t *bytes_out, zest_error *err) {
    int rc = s->status;
    if (rc) {
        err_set_at(err, rc, s->path, 0, -1, "not committed after an earlier write error");
        goto out;
    }
    if ((rc = sink_flush(s, 1, err)) != 0) goto out;
    if ((rc = dio_finish(&s->dio, err)) != 0) goto out;
    if ((rc = fsutil_fsync(s->fd, s->tmp, err)) != 0) goto out;
    const int fd = s->fd;
    s->fd = -1;
    if (close(fd) != 0) {
        rc = err_set_at(err, ZEST_E_IO, s->tmp, 0, -1, "close: %s", strerror(errno));
        unlink(s->tmp);
        goto out;
    }
    rc = fsutil_commit(s->tmp, s->path, err);
    if (rc) unlink(s->tmp); /* harmless when the rename happened and only the dir fsync failed */
    if (!rc && bytes_out) *bytes_out = s->bytes_out;
out:
    sink_free(s, rc != 0);
    return rc;
}

void sink_abort(struct sink *s) {
    if (s) sink_free(s, 1);
}

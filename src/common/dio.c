/* SPDX-License-Identifier: Apache-2.0 */
/* dio.c - direct-I/O appender with a buffered fallback (see dio.h). */
#include "dio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

/* In buffered mode, written bytes are handed to writeback this often, so the final fsync
 * waits for the last stretch only. */
#define DIO_WRITEBACK ((uint64_t)32 << 20)

static void dio_set_direct(struct dio *d, int on) {
    const int flags = fcntl(d->fd, F_GETFL);
    if (flags < 0) {
        d->direct = 0;
        return;
    }
    const int want = on ? flags | O_DIRECT : flags & ~O_DIRECT;
    d->direct = fcntl(d->fd, F_SETFL, want) == 0 ? on : !on && (flags & O_DIRECT) != 0;
}

int dio_open(struct dio *d, int fd, const char *path, int try_direct, zest_error *err) {
    memset(d, 0, sizeof *d);
    d->fd = fd;
    d->path = path;
    void *p = NULL;
    if (posix_memalign(&p, DIO_ALIGN, DIO_BUF) != 0)
        return err_set_at(err, ZEST_E_NOMEM, path, 0, -1, "out of memory");
    d->buf = p;
    if (try_direct) dio_set_direct(d, 1);
    return 0;
}

static void dio_writeback(struct dio *d) {
#ifdef SYNC_FILE_RANGE_WRITE
    const uint64_t done = d->size - d->len;
    if (d->direct || done < d->flushed + DIO_WRITEBACK) return;
    /* advisory: a failure only leaves more for the final fsync */
    (void)sync_file_range(d->fd, (off_t)d->flushed, (off_t)(done - d->flushed),
                          SYNC_FILE_RANGE_WRITE);
    d->flushed = done;
#else
    (void)d;
#endif
}

/* Writes n bytes of buf (n a multiple of DIO_ALIGN when direct). A direct write the kernel
 * refuses (EINVAL) or cuts short is finished with buffered writes. */
static int dio_put(struct dio *d, size_t n, zest_error *err) {
    size_t off = 0;
    while (off < n) {
        const ssize_t w = write(d->fd, d->buf + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EINVAL && d->direct) {
            dio_set_direct(d, 0);
            if (d->direct)
                return err_set_at(err, ZEST_E_IO, d->path, 0, -1, "write: %s", strerror(EINVAL));
            continue;
        }
        if (w < 0) return err_set_at(err, ZEST_E_IO, d->path, 0, -1, "write: %s", strerror(errno));
        if (w == 0) return err_set_at(err, ZEST_E_IO, d->path, 0, -1, "write: no progress");
        off += (size_t)w;
        if (off < n && d->direct) dio_set_direct(d, 0); /* unaligned from here on */
    }
    return 0;
}

int dio_write(struct dio *d, const void *data, size_t n, zest_error *err) {
    const unsigned char *p = data;
    while (n) {
        const size_t take = DIO_BUF - d->len < n ? DIO_BUF - d->len : n;
        memcpy(d->buf + d->len, p, take);
        d->len += take;
        d->size += take;
        p += take;
        n -= take;
        if (d->len == DIO_BUF) {
            ZEST_TRY(dio_put(d, DIO_BUF, err));
            d->len = 0;
            dio_writeback(d);
        }
    }
    return 0;
}

int dio_finish(struct dio *d, zest_error *err) {
    const size_t tail = d->len;
    size_t n = tail;
    if (!tail) return 0;
    if (d->direct) { /* a direct write is whole blocks: pad, then cut the file back */
        n = (tail + DIO_ALIGN - 1) / DIO_ALIGN * DIO_ALIGN;
        memset(d->buf + tail, 0, n - tail);
    }
    ZEST_TRY(dio_put(d, n, err));
    d->len = 0;
    if (n > tail && ftruncate(d->fd, (off_t)d->size) != 0)
        return err_set_at(err, ZEST_E_IO, d->path, 0, -1, "ftruncate: %s", strerror(errno));
    return 0;
}

void dio_free(struct dio *d) {
    free(d->buf);
    d->buf = NULL;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dio.h - an appender that writes a new file with direct I/O (O_DIRECT) when the file system
 * allows it: bytes go from an aligned buffer to the device without being copied into the page
 * cache, which is most of the CPU cost of writing a large file (and the fsync that follows
 * has little left to do). Where direct I/O is refused (tmpfs, some network file systems) it
 * falls back to ordinary buffered writes, handing written ranges to writeback as it goes.
 * The file's content is the same either way. Depends on libc/POSIX and common/err.
 */
#ifndef ZEST_DIO_H
#define ZEST_DIO_H

#include <stddef.h>
#include <stdint.h>

#include "zest.h"

#define DIO_BUF ((size_t)4 << 20) /* bytes per write; a multiple of DIO_ALIGN */
#define DIO_ALIGN 4096            /* memory, size and offset alignment for direct writes */

struct dio {
    int fd;                /* borrowed: the caller opens, fsyncs and closes it */
    const char *path;      /* for messages */
    int direct;            /* O_DIRECT is on */
    unsigned char *buf;    /* DIO_BUF bytes, DIO_ALIGN-aligned */
    size_t len;            /* bytes waiting in buf */
    uint64_t size;         /* bytes appended so far (the file's final size) */
    uint64_t flushed;      /* bytes already handed to writeback (buffered mode) */
};

/* Starts appending to the empty file open at fd. With try_direct, tries direct I/O (never
 * failing for lack of it); without, writes through the page cache, so a file read back soon
 * is read from memory. Returns 0 or ZEST_E_NOMEM. */
int dio_open(struct dio *d, int fd, const char *path, int try_direct, zest_error *err);
/* Appends n bytes. Returns 0 or ZEST_E_IO (with path and strerror). */
int dio_write(struct dio *d, const void *data, size_t n, zest_error *err);
/* Writes what is buffered and sets the file to its exact size; the caller then fsyncs. */
int dio_finish(struct dio *d, zest_error *err);
/* Frees the buffer; accepts a dio that was never opened (zeroed). */
void dio_free(struct dio *d);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsutil.h - durable file writes: the temporary-name convention, full writes that retry short
 * writes and EINTR, fsync of files and directories, and the atomic commit
 * (tmp -> fsync -> rename -> fsync dir, as redis' rdbSave). Used by the output sink and the
 * checkpoint store. Depends on libc/POSIX and common/err only.
 */
#ifndef ZEST_FSUTIL_H
#define ZEST_FSUTIL_H

#include <stddef.h>

#include "zest.h"

/* Writes the temporary name for `path` into out: "<dir>/.<name>.tmp.<pid>" (same directory,
 * so the final rename never crosses a file system; a leading dot keeps it out of directory
 * listings; the pid keeps concurrent processes apart - two writers of the same final path in
 * one process would collide, which is a caller bug). Returns 0 or ZEST_E_LIMIT when it does
 * not fit in `cap`. */
int fsutil_tmp_path(const char *path, char *out, size_t cap, zest_error *err);

/* Creates (or truncates) `path` for writing, mode 0666 & ~umask, close-on-exec. Returns the
 * fd, or -1 with err filled (ZEST_E_IO naming path and strerror). */
int fsutil_create(const char *path, zest_error *err);

/* Writes all n bytes, retrying short writes and EINTR. `path` is for the message only.
 * Returns 0 or ZEST_E_IO (ENOSPC, EIO, ...). */
int fsutil_write_all(int fd, const void *data, size_t n, const char *path, zest_error *err);

/* fsync(fd); ZEST_E_IO on failure. */
int fsutil_fsync(int fd, const char *path, zest_error *err);

/* fsyncs the directory that contains `path`, so a rename or create inside it is durable.
 * File systems that cannot fsync a directory (EINVAL) count as success. */
int fsutil_fsync_dir_of(const char *path, zest_error *err);

/* Atomically replaces `final_path` by the already fsynced and closed file `tmp_path`:
 * rename, then fsync of the directory. An existing final file is replaced; readers see the
 * old or the new content, never a mix. Returns 0 or ZEST_E_IO. */
int fsutil_commit(const char *tmp_path, const char *final_path, zest_error *err);

/* Writes a whole small file durably: tmp, write, fsync, close, commit. On failure the
 * temporary is removed and `path` is untouched. */
int fsutil_write_atomic(const char *path, const void *data, size_t n, zest_error *err);

struct buf;
/* Reads the whole file `path` into b (appended; the buf's max bounds it). Returns 0,
 * ZEST_E_NOTFOUND (no such file), ZEST_E_IO or ZEST_E_LIMIT (larger than the buf's max), with
 * err naming the path. */
int fsutil_read_file(const char *path, struct buf *b, zest_error *err);

#endif

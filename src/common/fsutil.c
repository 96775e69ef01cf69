/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsutil.c - durable writes and the atomic tmp -> fsync -> rename -> fsync-dir commit.
 * Owns no state; calls only POSIX and common/err.
 */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"

int fsutil_tmp_path(const char *path, char *out, size_t cap, zest_error *err) {
    const char *slash = strrchr(path, '/');
    const int dir_len = slash ? (int)(slash - path + 1) : 0;
    const char *name = slash ? slash + 1 : path;
    const int n = snprintf(out, cap, "%.*s.%s.tmp.%ld", dir_len, path, name, (long)getpid());
    if (n < 0 || (size_t)n >= cap)
        return err_set_at(err, ZEST_E_LIMIT, path, 0, -1, "path too long for a temporary name");
    return 0;
}

int fsutil_create(const char *path, zest_error *err) {
    int fd;
    do {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) err_set_at(err, ZEST_E_IO, path, 0, -1, "cannot create: %s", strerror(errno));
    return fd;
}

int fsutil_write_all(int fd, const void *data, size_t n, const char *path, zest_error *err) {
    const char *p = data;
    while (n > 0) {
        const ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return err_set_at(err, ZEST_E_IO, path, 0, -1, "write: %s", strerror(errno));
        if (w == 0) return err_set_at(err, ZEST_E_IO, path, 0, -1, "write: wrote nothing");
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int fsutil_fsync(int fd, const char *path, zest_error *err) {
    if (fsync(fd) != 0)
        return err_set_at(err, ZEST_E_IO, path, 0, -1, "fsync: %s", strerror(errno));
    return 0;
}

int fsutil_fsync_dir_of(const char *path, zest_error *err) {
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) >= sizeof dir)
        return err_set_at(err, ZEST_E_LIMIT, path, 0, -1, "directory name too long");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    const int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set_at(err, ZEST_E_IO, dir, 0, -1, "open directory: %s", strerror(errno));
    int rc = 0;
    /* Some file systems cannot fsync a directory; the rename is then as durable as it gets. */
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = err_set_at(err, ZEST_E_IO, dir, 0, -1, "fsync directory: %s", strerror(errno));
    close(fd);
    return rc;
}

int fsutil_commit(const char *tmp_path, const char *final_path, zest_error *err) {
    if (rename(tmp_path, final_path) != 0)
        return err_set_at(err, ZEST_E_IO, final_path, 0, -1, "rename from %s: %s", tmp_path,
                          strerror(errno));
    return fsutil_fsync_dir_of(final_path, err);
}

int fsutil_write_atomic(const char *path, const void *data, size_t n, zest_error *err) {
    char tmp[4096];
    int fd = -1, rc;
    rc = fsutil_tmp_path(path, tmp, sizeof tmp, err);
    if (rc) return rc;
    fd = fsutil_create(tmp, err);
    if (fd < 0) return ZEST_E_IO;
    rc = fsutil_write_all(fd, data, n, tmp, err);
    if (!rc) rc = fsutil_fsync(fd, tmp, err);
    if (close(fd) != 0 && !rc)
        rc = err_set_at(err, ZEST_E_IO, tmp, 0, -1, "close: %s", strerror(errno));
    if (!rc) rc = fsutil_commit(tmp, path, err);
    if (rc) unlink(tmp);
    return rc;
}

int fsutil_read_file(const char *path, struct buf *b, zest_error *err) {
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set_at(err, errno == ENOENT ? ZEST_E_NOTFOUND : ZEST_E_IO, path, 0, -1,
                          "open: %s", strerror(errno));
    int rc = 0;
    for (;;) {
        if (buf_reserve(b, 1 << 16)) {
            rc = err_set_at(err, ZEST_E_LIMIT, path, 0, -1, "file too large to read whole");
            break;
        }
        const ssize_t n = read(fd, b->data + b->len, b->cap - b->len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = err_set_at(err, ZEST_E_IO, path, 0, -1, "read: %s", strerror(errno));
        if (n <= 0) break;
        b->len += (size_t)n;
    }
    close(fd);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evlock.h - the rotation lock of an events directory. The writer holds it exclusively
 * while it renames log files; a reader holds it shared while it lists and opens them, so a
 * listing never misses a file that is being renamed (readdir can skip an entry renamed
 * while it runs). A directory without the lock file (read-only, or written before it
 * existed) is read unlocked; the reader then tells renames from real holes by listing
 * again.
 */
#ifndef ZEST_EVLOCK_H
#define ZEST_EVLOCK_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#define EVLOCK_NAME ".rotation.lock"

/* Takes the lock of `events_dir`; returns the fd to give evlock_drop, or -1 when there is
 * none to take. The writer creates the lock file. Each call opens its own description, so
 * two threads of one process exclude each other too. */
static inline int evlock_take(const char *events_dir, bool writer) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s/" EVLOCK_NAME, events_dir) >= (int)sizeof path) return -1;
    const int fd = writer ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666)
                          : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    while (flock(fd, writer ? LOCK_EX : LOCK_SH) != 0)
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    return fd;
}

static inline void evlock_drop(int fd) {
    if (fd >= 0) close(fd); /* closing the last descriptor releases the lock */
}

#endif

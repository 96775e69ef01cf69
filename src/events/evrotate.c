/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evrotate.c - the event log's files: open-time repair, appends, rotation and the
 * compressor thread (see evrotate.h for the protocol and the crash hook). Owns the file
 * descriptor of events.jsonl and the compressor thread. Calls POSIX, zlib and common/
 * (err, fsutil) only.
 */
#include "evrotate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../common/err.h"
#include "../common/fsutil.h"
#include "evlock.h"

#define EVROT_CHUNK (64 * 1024)
#define EVROT_ID_PREFIX "{\"event_id\":"

/* ---- small helpers ------------------------------------------------------------------- */

static void evrot_crash_point(struct evrot *r, const char *step) {
    if (!r->crash_step[0] || strcmp(r->crash_step, step) != 0) return;
    if (atomic_fetch_add(&r->crash_hits, 1) + 1 == r->crash_nth) _exit(9);
}

static void evrot_crash_init(struct evrot *r) {
    const char *spec = getenv("ZEST_EVLOG_CRASH_AT");
    r->crash_step[0] = '\0';
    r->crash_nth = 1;
    atomic_init(&r->crash_hits, 0);
    if (!spec) return;
    const char *at = strchr(spec, '@');
    const size_t n = at ? (size_t)(at - spec) : strlen(spec);
    if (n >= sizeof r->crash_step) return;
    memcpy(r->crash_step, spec, n);
    r->crash_step[n] = '\0';
    if (at) r->crash_nth = strtol(at + 1, NULL, 10);
}

static void evrot_gz_path(const struct evrot *r, int k, char *out, size_t cap) {
    snprintf(out, cap, "%s.%d.gz", r->cur, k);
}

static bool evrot_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static int evrot_unlink(const char *path, zest_error *err) {
    if (unlink(path) != 0 && errno != ENOENT)
        return err_set_at(err, ZEST_E_IO, path, 0, -1, "cannot remove: %s", strerror(errno));
    return 0;
}

static int evrot_rename(const char *from, const char *to, zest_error *err) {
    if (rename(from, to) != 0)
        return err_set_at(err, ZEST_E_IO, to, 0, -1, "cannot rename from %s: %s", from,
                          strerror(errno));
    return 0;
}

int64_t evrot_parse_id(const char *line, size_t n) {
    const size_t plen = sizeof EVROT_ID_PREFIX - 1;
    if (n <= plen || memcmp(line, EVROT_ID_PREFIX, plen) != 0) return -1;
    int64_t id = 0;
    size_t i = plen;
    for (; i < n && line[i] >= '0' && line[i] <= '9' && id < INT64_MAX / 10 - 10; i++)
        id = id * 10 + (line[i] - '0');
    return i > plen && i < n && (line[i] == ',' || line[i] == '}') ? id : -1;
}

/* mkdir -p with mode 0777 & ~umask. */
static int evrot_mkdirs(const char *dir, zest_error *err) {
    char path[EVROT_PATH_MAX];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        const char c = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return err_set_at(err, ZEST_E_IO, path, 0, -1, "cannot create directory: %s",
                              strerror(errno));
        *p = c;
        if (c == '\0') break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set_at(err, ZEST_E_IO, dir, 0, -1, "not a directory");
    return 0;
}

/* ---- reading ids back ---------------------------------------------------------------- */

/* Offset of the last '\n' before `end` in fd, -1 when there is none, -2 on a read error. */
static int64_t evrot_rfind_nl(int fd, int64_t end) {
    char buf[EVROT_CHUNK];
    while (end > 0) {
        const int64_t start = end > EVROT_CHUNK ? end - EVROT_CHUNK : 0;
        const ssize_t got = pread(fd, buf, (size_t)(end - start), start);
        if (got != end - start) return -2;
        for (int64_t i = got - 1; i >= 0; i--)
            if (buf[i] == '\n') return start + i;
        end = start;
    }
    return -1;
}

/* Cuts a torn last line off events.jsonl and reads the id of its last complete line
 * (*last_id stays as it is when there is none). */
static int evrot_repair_tail(struct evrot *r, int64_t *last_id, zest_error *err) {
    struct stat st;
    if (fstat(r->fd, &st) != 0)
        return err_set_at(err, ZEST_E_IO, r->cur, 0, -1, "fstat: %s", strerror(errno));
    const int64_t nl = evrot_rfind_nl(r->fd, st.st_size);
    if (nl == -2) return err_set_at(err, ZEST_E_IO, r->cur, 0, -1, "read: %s", strerror(errno));
    r->size = (uint64_t)(nl + 1);
    if ((int64_t)r->size != st.st_size) {
        /* A crash tore the last write: the partial line is cut so no reader ever sees it. */
        if (ftruncate(r->fd, (off_t)r->size) != 0)
            return err_set_at(err, ZEST_E_IO, r->cur, 0, -1, "truncate torn line: %s",
                              strerror(errno));
        ZEST_TRY(fsutil_fsync(r->fd, r->cur, err));
    }
    if (nl < 0) return 0;
    const int64_t prev = evrot_rfind_nl(r->fd, nl);
    char head[40];
    const ssize_t got = pread(r->fd, head, sizeof head, prev + 1);
    const int64_t id = got > 0 ? evrot_parse_id(head, (size_t)got) : -1;
    if (id > *last_id) *last_id = id;
    return 0;
}

/* Streams a gzip file; *first_id and *last_id get the ids of its first and last complete
 * lines (-1 when unreadable). `want_last` false stops after the first line. */
static void evrot_gz_ids(const char *path, bool want_last, int64_t *first_id, int64_t *last_id) {
    *first_id = *last_id = -1;
    gzFile gz = gzopen(path, "rb");
    char *buf = malloc(EVROT_CHUNK);
    char head[40], done[40];
    size_t hl = 0, dl = 0;
    bool first = true;
    int got;
    while (gz && buf && (got = gzread(gz, buf, EVROT_CHUNK)) > 0) {
        for (const char *p = buf, *end = buf + got; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *seg = nl ? nl : end;
            const size_t take =
                (size_t)(seg - p) < sizeof head - hl ? (size_t)(seg - p) : sizeof head - hl;
            memcpy(head + hl, p, take);
            hl += take;
            if (!nl) break;
            memcpy(done, head, hl);
            dl = hl;
            hl = 0;
            p = nl + 1;
            if (first) *first_id = evrot_parse_id(done, dl);
            first = false;
            if (!want_last) goto out;
        }
    }
    if (dl) *last_id = evrot_parse_id(done, dl);
out:
    free(buf);
    if (gz) gzclose(gz);
}

/* First id of the uncompressed pending file, -1 when it has no complete line. */
static int64_t evrot_pend_first_id(const struct evrot *r) {
    char head[40];
    const int fd = open(r->pend, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    const ssize_t got = read(fd, head, sizeof head);
    close(fd);
    return got > 0 ? evrot_parse_id(head, (size_t)got) : -1;
}

/* ---- shifting and compressing -------------------------------------------------------- */

/* Step 2: frees the name events.jsonl.1.gz, keeping at most n files (n >= 1). */
static int evrot_shift(struct evrot *r, int n, zest_error *err) {
    char from[EVROT_PATH_MAX + 16], to[EVROT_PATH_MAX + 16];
    int hole = 1;
    for (; hole <= n; hole++) {
        evrot_gz_path(r, hole, from, sizeof from);
        if (!evrot_exists(from)) break;
    }
    if (hole > n) {
        hole = n;
        evrot_gz_path(r, n, to, sizeof to);
        ZEST_TRY(evrot_unlink(to, err));
        evrot_crash_point(r, "shift");
    }
    for (int k = hole - 1; k >= 1; k--) {
        evrot_gz_path(r, k, from, sizeof from);
        evrot_gz_path(r, k + 1, to, sizeof to);
        ZEST_TRY(evrot_rename(from, to, err));
        evrot_crash_point(r, "shift");
    }
    return 0;
}

/* Deflates all of `in` into the gzip stream on `out`. */
static int evrot_deflate(struct evrot *r, int in, int out, zest_error *err) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return err_set_at(err, ZEST_E_NOMEM, r->tmp, 0, -1, "deflateInit2 failed");
    unsigned char *ibuf = malloc(EVROT_CHUNK), *obuf = malloc(EVROT_CHUNK);
    int rc = ibuf && obuf ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory compressing events");
    int flush = Z_NO_FLUSH;
    while (rc == 0 && flush != Z_FINISH) {
        const ssize_t got = read(in, ibuf, EVROT_CHUNK);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            rc = err_set_at(err, ZEST_E_IO, r->pend, 0, -1, "read: %s", strerror(errno));
            break;
        }
        flush = got == 0 ? Z_FINISH : Z_NO_FLUSH;
        zs.next_in = ibuf;
        zs.avail_in = (uInt)got;
        do {
            zs.next_out = obuf;
            zs.avail_out = EVROT_CHUNK;
            deflate(&zs, flush); /* cannot fail with valid state and buffers */
            rc = fsutil_write_all(out, obuf, EVROT_CHUNK - zs.avail_out, r->tmp, err);
        } while (rc == 0 && zs.avail_out == 0);
    }
    deflateEnd(&zs);
    free(ibuf);
    free(obuf);
    return rc;
}

/* Step 4: events.jsonl.1 -> events.jsonl.1.gz durably, then the uncompressed copy goes. */
static int evrot_compress(struct evrot *r, zest_error *err) {
    char gz[EVROT_PATH_MAX + 16];
    evrot_gz_path(r, 1, gz, sizeof gz);
    int rc = 0, out = -1, lock = -1;
    const int in = open(r->pend, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        rc = err_set_at(err, ZEST_E_IO, r->pend, 0, -1, "cannot open: %s", strerror(errno));
        goto out;
    }
    /* Every change to the directory's entries happens under the lock: some file systems
     * let readdir skip an entry when another is added while it runs. */
    lock = evlock_take(r->dir, true);
    out = fsutil_create(r->tmp, err);
    evlock_drop(lock);
    lock = -1;
    if (out < 0) {
        rc = ZEST_E_IO;
        goto out;
    }
    if ((rc = evrot_deflate(r, in, out, err)) || (rc = fsutil_fsync(out, r->tmp, err))) goto out;
    close(out);
    out = -1;
    evrot_crash_point(r, "gz_tmp");
    lock = evlock_take(r->dir, true);
    if ((rc = evrot_rename(r->tmp, gz, err))) goto out;
    evrot_crash_point(r, "gz_renamed");
    if ((rc = fsutil_fsync_dir_of(gz, err)) || (rc = evrot_unlink(r->pend, err))) goto out;
    rc = fsutil_fsync_dir_of(gz, err);
    evrot_crash_point(r, "gz_done");
out:
    evlock_drop(lock);
    if (out >= 0) {
        close(out);
        unlink(r->tmp);
    }
    if (in >= 0) close(in);
    return rc;
}

/* ---- the compressor thread ----------------------------------------------------------- */

static void *evrot_compressor_main(void *arg) {
    struct evrot *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->job && !r->stop)
            pthread_cond_wait(&r->cv, &r->mu);
        if (!r->job) break;
        pthread_mutex_unlock(&r->mu);
        zest_error e;
        zest_error_clear(&e);
        const int rc = evrot_compress(r, &e);
        pthread_mutex_lock(&r->mu);
        if (rc && !r->job_rc) {
            r->job_rc = rc;
            r->job_err = e;
        }
        r->job = false;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Step 1: waits for the compression in flight; returns (and clears) its error. */
static int evrot_wait_job(struct evrot *r, zest_error *err) {
    pthread_mutex_lock(&r->mu);
    while (r->job)
        pthread_cond_wait(&r->cv, &r->mu);
    const int rc = r->job_rc;
    if (rc && err) *err = r->job_err;
    r->job_rc = 0;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

static void evrot_start_job(struct evrot *r) {
    pthread_mutex_lock(&r->mu);
    r->job = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* ---- open ---------------------------------------------------------------------------- */

/* Removes events.jsonl.k.gz for k > n: the retention may have shrunk since the last run. */
static int evrot_prune(struct evrot *r, int n, zest_error *err) {
    DIR *d = opendir(r->dir);
    if (!d) return err_set_at(err, ZEST_E_IO, r->dir, 0, -1, "opendir: %s", strerror(errno));
    const struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        int k = 0, used = 0;
        if (sscanf(de->d_name, "events.jsonl.%d.gz%n", &k, &used) == 1 &&
            de->d_name[used] == '\0' && k > n) {
            char p[EVROT_PATH_MAX + 16];
            evrot_gz_path(r, k, p, sizeof p);
            rc = evrot_unlink(p, err);
        }
    }
    closedir(d);
    return rc;
}

/* A leftover events.jsonl.1 (a crash before its compression finished) is either the
 * duplicate of a finished events.jsonl.1.gz or still to be shifted in and compressed. */
static int evrot_recover_pending(struct evrot *r, zest_error *err) {
    if (!evrot_exists(r->pend)) return 0;
    char gz[EVROT_PATH_MAX + 16];
    evrot_gz_path(r, 1, gz, sizeof gz);
    const int64_t pend_first = evrot_pend_first_id(r);
    int64_t gz_first = -1, gz_last;
    if (evrot_exists(gz)) evrot_gz_ids(gz, false, &gz_first, &gz_last);
    const bool duplicate = r->backup_count == 0 || pend_first < 0 || pend_first == gz_first;
    const int lock = evlock_take(r->dir, true);
    int rc = duplicate ? evrot_unlink(r->pend, err) : evrot_shift(r, r->backup_count, err);
    if (rc == 0 && duplicate) rc = fsutil_fsync_dir_of(r->pend, err);
    evlock_drop(lock);
    return rc || duplicate ? rc : evrot_compress(r, err);
}

/* The largest id in the newest rotated file: the lowest-numbered .gz present. */
static void evrot_rotated_last_id(struct evrot *r, int64_t *last_id) {
    char gz[EVROT_PATH_MAX + 16];
    for (int k = 1; k <= r->backup_count; k++) {
        evrot_gz_path(r, k, gz, sizeof gz);
        if (!evrot_exists(gz)) continue;
        int64_t first, last;
        evrot_gz_ids(gz, true, &first, &last);
        if (last > *last_id) *last_id = last;
        return;
    }
}

static int evrot_open_files(struct evrot *r, int64_t *last_id, zest_error *err) {
    ZEST_TRY(evrot_mkdirs(r->dir, err));
    int lock = evlock_take(r->dir, true);
    /* a compression cut short leaves its tmp; its source is still here */
    int rc = evrot_unlink(r->tmp, err);
    if (rc == 0) rc = evrot_prune(r, r->backup_count, err);
    evlock_drop(lock);
    ZEST_TRY(rc);
    ZEST_TRY(evrot_recover_pending(r, err));
    const bool created = !evrot_exists(r->cur);
    lock = evlock_take(r->dir, true);
    r->fd = open(r->cur, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    evlock_drop(lock);
    if (r->fd < 0)
        return err_set_at(err, ZEST_E_IO, r->cur, 0, -1, "cannot open: %s", strerror(errno));
    if (created) ZEST_TRY(fsutil_fsync_dir_of(r->cur, err)); /* the name outlives a crash */
    ZEST_TRY(evrot_repair_tail(r, last_id, err));
    if (*last_id <= 0) evrot_rotated_last_id(r, last_id);
    return 0;
}

int evrot_open(struct evrot *r, const char *dir, int backup_count, int64_t *last_id,
               zest_error *err) {
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->backup_count = backup_count > 0 ? backup_count : 0;
    *last_id = 0;
    evrot_crash_init(r);
    if (strlen(dir) + 32 >= EVROT_PATH_MAX)
        return err_set_at(err, ZEST_E_LIMIT, dir, 0, -1, "events directory name too long");
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    snprintf(r->cur, sizeof r->cur, "%s/events.jsonl", dir);
    snprintf(r->pend, sizeof r->pend, "%s/events.jsonl.1", dir);
    snprintf(r->tmp, sizeof r->tmp, "%s/.events.jsonl.1.gz.tmp", dir);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    int rc = evrot_open_files(r, last_id, err);
    if (rc == 0 && pthread_create(&r->thr, NULL, evrot_compressor_main, r) != 0)
        rc = err_set(err, ZEST_E_INTERNAL, "%s: cannot start the compressor thread", dir);
    r->thr_started = rc == 0;
    if (rc) evrot_close(r, NULL);
    return rc;
}

/* ---- writing and rotating ------------------------------------------------------------ */

int evrot_write(struct evrot *r, const void *data, size_t n, zest_error *err) {
    if (r->fd < 0) return err_set_at(err, ZEST_E_IO, r->cur, 0, -1, "not open");
    const int rc = fsutil_write_all(r->fd, data, n, r->cur, err);
    if (rc == 0) r->size += n;
    return rc;
}

/* Step 3: the current file becomes events.jsonl.1 and a new one takes its place. */
static int evrot_swap_current(struct evrot *r, zest_error *err) {
    ZEST_TRY(fsutil_fsync(r->fd, r->cur, err));
    close(r->fd);
    r->fd = -1;
    int rc = evrot_rename(r->cur, r->pend, err);
    if (rc == 0) evrot_crash_point(r, "renamed");
    /* Reopened also after a failed rename, so the writer keeps appending somewhere. */
    r->fd = open(r->cur, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (r->fd < 0)
        return err_set_at(err, ZEST_E_IO, r->cur, 0, -1, "cannot open: %s", strerror(errno));
    if (rc) return rc;
    r->size = 0;
    evrot_crash_point(r, "opened");
    return fsutil_fsync_dir_of(r->cur, err);
}

int evrot_rotate(struct evrot *r, zest_error *err) {
    zest_error job_err;
    const int job_rc = evrot_wait_job(r, &job_err);
    /* A failed compression may leave events.jsonl.1 behind: retry it here, since renaming
     * the current file onto it would lose its events. */
    if (evrot_exists(r->pend)) ZEST_TRY(evrot_compress(r, err));
    evrot_crash_point(r, "rotate");
    if (r->backup_count == 0) {
        if (ftruncate(r->fd, 0) != 0)
            return err_set_at(err, ZEST_E_IO, r->cur, 0, -1, "truncate: %s", strerror(errno));
        r->size = 0;
        return 0;
    }
    const int lock = evlock_take(r->dir, true);
    int rc = evrot_shift(r, r->backup_count, err);
    if (rc == 0) evrot_crash_point(r, "shifted");
    if (rc == 0) rc = evrot_swap_current(r, err);
    evlock_drop(lock);
    if (rc) return rc;
    evrot_start_job(r);
    /* The earlier compression's failure is still reported once, after the rotation. */
    if (job_rc && err) *err = job_err;
    return job_rc;
}

int evrot_close(struct evrot *r, zest_error *err) {
    int rc = 0;
    if (r->thr_started) {
        rc = evrot_wait_job(r, err);
        pthread_mutex_lock(&r->mu);
        r->stop = true;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        pthread_join(r->thr, NULL);
        r->thr_started = false;
    }
    if (r->fd >= 0) {
        const int frc = fsutil_fsync(r->fd, r->cur, rc ? NULL : err);
        if (!rc) rc = frc;
        close(r->fd);
        r->fd = -1;
    }
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    return rc;
}

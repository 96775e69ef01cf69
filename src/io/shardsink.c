/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shardsink.c - the export cut into shards (see shardsink.h). Owns the current shard's sink,
 * the count of shards staged so far and the naming; the bytes, codecs and durable writes are
 * io/sink's. Calls io/sink, common/fsutil and common/err, and POSIX directory listing.
 */
#include "shardsink.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/err.h"
#include "parquet_lines.h"
#include "../common/fsutil.h"
#include "sink.h"

#define SHARDSINK_PATH 4096

struct shardsink {
    char *path;
    struct sink *cur; /* the shard being written; NULL once staged for the commit */
    uint64_t limit;   /* shard_bytes; 0 = one file at path */
    uint64_t cur_bytes;
    int at_line_end;    /* the last byte written ended a line: a shard may end here */
    size_t n_staged;    /* shards closed under their staging names */
    size_t n_renamed;   /* shards given their final names (during the commit) */
    size_t dir_len;     /* path[0, dir_len) is the directory, with its slash */
    size_t base_len;    /* path[0, base_len) is "<dir>/<base>" */
    const char *suffix; /* into path, after the dot; NULL when the name has no dot */
    int status;         /* first failure; sticky */
    struct parquet_lines *pq; /* a Parquet or Arrow export: the lines become one such file */
};

/* Finds the directory, the base and the suffix of `path` (see Naming in shardsink.h). */
static void shardsink_split(const char *path, size_t *dir_len, size_t *base_len,
                            const char **suffix) {
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    const char *dot = *name ? strchr(name + 1, '.') : NULL;
    *dir_len = (size_t)(name - path);
    *base_len = dot ? (size_t)(dot - path) : strlen(path);
    *suffix = dot ? dot + 1 : NULL;
}

static int shardsink_digits(size_t v) {
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static int shardsink_fits(int n, size_t cap, const char *path, zest_error *err) {
    if (n < 0 || (size_t)n >= cap)
        return err_set_at(err, ZEST_E_LIMIT, path, 0, -1, "path too long for a shard name");
    return 0;
}

/* "<base>-<i>-of-<n>[.<suffix>]" for the parts of a split path. */
static int shardsink_format(const char *path, size_t base_len, const char *suffix, size_t i,
                            size_t n, char *out, size_t cap, zest_error *err) {
    const int w = shardsink_digits(n) + 1; /* Data-Juicer's padding */
    const int len = snprintf(out, cap, "%.*s-%0*zu-of-%0*zu%s%s", (int)base_len, path, w, i, w, n,
                             suffix ? "." : "", suffix ? suffix : "");
    return shardsink_fits(len, cap, path, err);
}

int shardsink_shard_path(const char *path, size_t i, size_t n, char *out, size_t cap,
                         zest_error *err) {
    size_t dir_len, base_len;
    const char *suffix;
    shardsink_split(path, &dir_len, &base_len, &suffix);
    return shardsink_format(path, base_len, suffix, i, n, out, cap, err);
}

static int shardsink_final(const struct shardsink *s, size_t i, char *out, zest_error *err) {
    return shardsink_format(s->path, s->base_len, s->suffix, i, s->n_staged, out, SHARDSINK_PATH,
                            err);
}

/* Where shard i waits for the commit: hidden, unique to this process, and ending in the
 * export's suffix so that io/sink picks the same codec. */
static int shardsink_staged(const struct shardsink *s, size_t i, char *out, zest_error *err) {
    const int len = snprintf(out, SHARDSINK_PATH, "%.*s.%.*s-%zu.shard.%ld%s%s", (int)s->dir_len,
                             s->path, (int)(s->base_len - s->dir_len), s->path + s->dir_len, i,
                             (long)getpid(), s->suffix ? "." : "", s->suffix ? s->suffix : "");
    return shardsink_fits(len, SHARDSINK_PATH, s->path, err);
}

/* Opens shard number n_staged under its staging name. */
static int shardsink_open_next(struct shardsink *s, zest_error *err) {
    char staged[SHARDSINK_PATH];
    ZEST_TRY(shardsink_staged(s, s->n_staged, staged, err));
    ZEST_TRY(sink_open(staged, &s->cur, err));
    s->cur_bytes = 0;
    s->at_line_end = 1;
    return 0;
}

/* Commits the current shard to its staging name (fsynced there) and forgets its sink. */
static int shardsink_stage(struct shardsink *s, zest_error *err) {
    const int rc = sink_commit(s->cur, NULL, err);
    s->cur = NULL;
    if (rc == 0) s->n_staged++;
    return rc;
}

/* Removes what this export put on disk: finals already renamed, then the staged rest. */
static void shardsink_free(struct shardsink *s) {
    char name[SHARDSINK_PATH];
    sink_abort(s->cur);
    parquet_lines_free(s->pq);
    for (size_t i = 0; i < s->n_staged && s->limit; i++) {
        const int rc = i < s->n_renamed ? shardsink_final(s, i, name, NULL)
                                        : shardsink_staged(s, i, name, NULL);
        if (rc == 0) unlink(name);
    }
    free(s->path);
    free(s);
}

void shardsink_abort(struct shardsink *s) {
    if (s) shardsink_free(s);
}

int shardsink_open(const char *path, int64_t shard_bytes, struct shardsink **out, zest_error *err) {
    int rc = 0;
    *out = NULL;
    if (shard_bytes < 0)
        return err_set_at(err, ZEST_E_PARAM, path, 0, -1, "negative export_shard_size %lld",
                          (long long)shard_bytes);
    struct shardsink *s = calloc(1, sizeof *s);
    if (!s) return err_set_at(err, ZEST_E_NOMEM, path, 0, -1, "out of memory");
    s->limit = (uint64_t)shard_bytes;
    s->path = strdup(path);
    if (!s->path) {
        rc = err_set_at(err, ZEST_E_NOMEM, path, 0, -1, "out of memory");
        goto out;
    }
    shardsink_split(s->path, &s->dir_len, &s->base_len, &s->suffix);
    if (s->limit && s->base_len == s->dir_len) { /* shard names need a base */
        rc = err_set_at(err, ZEST_E_PARAM, path, 0, -1, "export path has no file name");
        goto out;
    }
    enum arrow_ipc_kind ak;
    if (parquet_path(path)) {
        rc = s->limit ? err_set_at(err, ZEST_E_UNSUPPORTED, path, 0, -1,
                                   "export_shard_size is not supported with a .parquet export")
                      : parquet_lines_file(path, NULL, &s->pq, err);
        goto out;
    }
    if (arrow_ipc_kind_for_path(path, &ak)) {
        const struct arrow_ipc_writer_opts ao = {.kind = ak};
        rc = s->limit ? err_set_at(err, ZEST_E_UNSUPPORTED, path, 0, -1,
                                   "export_shard_size is not supported with an Arrow export")
                      : parquet_lines_arrow(path, &ao, NULL, NULL, &s->pq, err);
        goto out;
    }
    rc = s->limit ? shardsink_open_next(s, err) : sink_open(path, &s->cur, err);
out:
    if (rc) {
        shardsink_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static int shardsink_fail(struct shardsink *s, int rc) {
    if (!s->status) s->status = rc;
    return rc;
}

/* How many of the len bytes at p go into the current shard: all of them, or up to and
 * including the first line end at which the shard reaches the limit. */
static size_t shardsink_take(const struct shardsink *s, const char *p, size_t len) {
    const uint64_t room = s->cur_bytes < s->limit ? s->limit - s->cur_bytes : 0;
    if (room > len) return len;
    const size_t from = room ? (size_t)room - 1 : 0;
    const char *nl = memchr(p + from, '\n', len - from);
    return nl ? (size_t)(nl - p) + 1 : len;
}

static int shardsink_write_sharded(struct shardsink *s, const char *p, size_t len,
                                   zest_error *err) {
    while (len > 0) {
        if (s->cur_bytes >= s->limit && s->at_line_end) {
            ZEST_TRY(shardsink_stage(s, err));
            ZEST_TRY(shardsink_open_next(s, err));
        }
        const size_t take = shardsink_take(s, p, len);
        ZEST_TRY(sink_write(s->cur, p, take, err));
        s->cur_bytes += take;
        s->at_line_end = p[take - 1] == '\n';
        p += take;
        len -= take;
    }
    return 0;
}

int shardsink_write(struct shardsink *s, const void *data, size_t len, zest_error *err) {
    if (s->status)
        return err_set_at(err, s->status, s->path, 0, -1, "export stopped by an earlier error");
    const int rc = s->pq      ? parquet_lines_write(s->pq, data, len, err)
                   : s->limit ? shardsink_write_sharded(s, data, len, err)
                              : sink_write(s->cur, data, len, err);
    return rc ? shardsink_fail(s, rc) : 0;
}

/* Reads the digits at *p into *value and moves past them; returns how many there were. */
static size_t shardsink_number(const char **p, size_t *value) {
    const char *q = *p;
    size_t v = 0;
    while (*q >= '0' && *q <= '9')
        v = v * 10 + (size_t)(*q++ - '0');
    const size_t len = (size_t)(q - *p);
    *p = q;
    *value = v;
    return len;
}

/* 1 when `name` (a file in the export's directory) is "<base>-<digits>-of-<digits>[.<suffix>]"
 * for this export's base and suffix, but not one of the n_staged files just committed. */
static int shardsink_is_stale(const struct shardsink *s, const char *name) {
    const size_t bl = s->base_len - s->dir_len;
    const size_t w = (size_t)shardsink_digits(s->n_staged) + 1;
    size_t i, n;
    if (strncmp(name, s->path + s->dir_len, bl) != 0 || name[bl] != '-') return 0;
    const char *p = name + bl + 1;
    const size_t i_len = shardsink_number(&p, &i);
    if (i_len == 0 || strncmp(p, "-of-", 4) != 0) return 0;
    p += 4;
    const size_t n_len = shardsink_number(&p, &n);
    if (n_len == 0) return 0;
    if (s->suffix ? *p != '.' || strcmp(p + 1, s->suffix) != 0 : *p != '\0') return 0;
    return !(i_len == w && n_len == w && n == s->n_staged && i < n);
}

/* Removes earlier exports' shards of the same base and suffix beside the new set. */
static int shardsink_remove_stale(const struct shardsink *s, zest_error *err) {
    char dir[SHARDSINK_PATH], name[SHARDSINK_PATH];
    snprintf(dir, sizeof dir, "%.*s", s->dir_len ? (int)s->dir_len : 1, s->dir_len ? s->path : ".");
    DIR *d = opendir(dir);
    if (!d) return err_set_at(err, ZEST_E_IO, dir, 0, -1, "open directory: %s", strerror(errno));
    int rc = 0;
    const struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!shardsink_is_stale(s, e->d_name)) continue;
        const int len = snprintf(name, sizeof name, "%.*s%s", (int)s->dir_len, s->path, e->d_name);
        rc = shardsink_fits(len, sizeof name, s->path, err);
        if (rc == 0 && unlink(name) != 0 && errno != ENOENT)
            rc = err_set_at(err, ZEST_E_IO, name, 0, -1,
                            "cannot remove a shard of an earlier export: %s", strerror(errno));
    }
    closedir(d);
    return rc;
}

/* Renames every staged shard to its final name, removes stale shards, fsyncs the directory. */
static int shardsink_publish(struct shardsink *s, zest_error *err) {
    char from[SHARDSINK_PATH], to[SHARDSINK_PATH];
    for (; s->n_renamed < s->n_staged; s->n_renamed++) {
        ZEST_TRY(shardsink_staged(s, s->n_renamed, from, err));
        ZEST_TRY(shardsink_final(s, s->n_renamed, to, err));
        if (rename(from, to) != 0)
            return err_set_at(err, ZEST_E_IO, to, 0, -1, "rename from %s: %s", from,
                              strerror(errno));
    }
    ZEST_TRY(shardsink_remove_stale(s, err));
    return fsutil_fsync_dir_of(s->path, err);
}

int shardsink_commit(struct shardsink *s, size_t *n_files, zest_error *err) {
    int rc = s->status;
    if (rc) {
        err_set_at(err, rc, s->path, 0, -1, "not committed after an earlier write error");
        goto out;
    }
    if (s->pq) {
        rc = parquet_lines_finish(s->pq, NULL, err);
        parquet_lines_free(s->pq);
        s->pq = NULL;
        if (rc == 0 && n_files) *n_files = 1;
        goto out;
    }
    if (!s->limit) {
        rc = sink_commit(s->cur, NULL, err);
        s->cur = NULL;
        if (rc == 0 && n_files) *n_files = 1;
        goto out;
    }
    if ((rc = shardsink_stage(s, err)) != 0) goto out;
    if ((rc = shardsink_publish(s, err)) != 0) goto out;
    if (n_files) *n_files = s->n_staged;
    s->n_staged = 0; /* committed: nothing for shardsink_free to remove */
out:
    shardsink_free(s);
    return rc;
}

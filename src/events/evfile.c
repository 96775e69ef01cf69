/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evfile.c - reading the files of an event log: a buffered line reader over zlib (which reads
 * gzip and plain files alike) or over a raw descriptor for following a file being appended
 * to; the event_id of a line; the listing of an events/ directory in event_id order. Owns
 * nothing beyond the open file and its buffer. Calls common/ (err, arena) and io/json.h.
 */
#include "evfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../common/arena.h"
#include "../common/err.h"
#include "../io/json.h"
#include "evlock.h"

#define EVFILE_CHUNK ((size_t)64 << 10)

struct evfile {
    char *path;
    int fd;       /* follow mode; -1 otherwise */
    gzFile gz;    /* one-shot mode; NULL otherwise */
    dev_t dev;
    ino_t ino;
    char *data;
    size_t cap;
    size_t start;   /* first unreturned byte */
    size_t len;     /* bytes held */
    size_t scanned; /* bytes after `start` known to hold no '\n' */
    int64_t off;    /* offset in the (decompressed) stream of data[0] */
    bool dropping;  /* inside an over-long line: discard up to its '\n' */
};

static int evfile_fail_errno(zest_error *err, const char *path, const char *what) {
    const int code = errno == ENOENT ? ZEST_E_NOTFOUND : ZEST_E_IO;
    return err_set_at(err, code, path, 0, -1, "cannot %s: %s", what, strerror(errno));
}

int evfile_open(const char *path, bool follow, struct evfile **out, zest_error *err) {
    *out = NULL;
    struct evfile *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
    }
    int rc = 0;
    struct stat st;
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0 || fstat(f->fd, &st) != 0) {
        rc = evfile_fail_errno(err, path, "open");
        goto out;
    }
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    if (!follow) {
        /* zlib owns the descriptor from here on */
        if (!(f->gz = gzdopen(f->fd, "rb"))) {
            rc = err_set_at(err, ZEST_E_NOMEM, path, 0, -1, "cannot open with zlib");
            goto out;
        }
        f->fd = -1;
    }
out:
    if (rc) evfile_close(f);
    else *out = f;
    return rc;
}

void evfile_close(struct evfile *f) {
    if (!f) return;
    if (f->gz) gzclose(f->gz);
    if (f->fd >= 0) close(f->fd);
    free(f->data);
    free(f->path);
    free(f);
}

/* Reads what is available into the buffer's free room: bytes read, 0 at EOF, or negative. */
static int64_t evfile_read_some(struct evfile *f, zest_error *err) {
    char *dst = f->data + f->len;
    const size_t room = f->cap - f->len;
    if (f->gz) {
        const unsigned want = room > (1u << 30) ? 1u << 30 : (unsigned)room;
        const int n = gzread(f->gz, dst, want);
        if (n >= 0) return n;
        int zerr = 0;
        const char *msg = gzerror(f->gz, &zerr);
        return err_set_at(err, ZEST_E_IO, f->path, 0, f->off + (int64_t)f->len,
                          "cannot decompress: %s", zerr == Z_ERRNO ? strerror(errno) : msg);
    }
    ssize_t n;
    do n = read(f->fd, dst, room);
    while (n < 0 && errno == EINTR);
    if (n >= 0) return n;
    return err_set_at(err, ZEST_E_IO, f->path, 0, f->off + (int64_t)f->len, "cannot read: %s",
                      strerror(errno));
}

/* Makes room to read: moves the unreturned bytes to the front, grows up to the line limit. */
static int evfile_make_room(struct evfile *f, zest_error *err) {
    if (f->start > 0) {
        memmove(f->data, f->data + f->start, f->len - f->start);
        f->off += (int64_t)f->start;
        f->len -= f->start;
        f->start = 0;
    }
    if (f->len < f->cap) return 0;
    size_t cap = f->cap ? f->cap * 2 : EVFILE_CHUNK;
    if (cap > EVFILE_MAX_LINE + 1) cap = EVFILE_MAX_LINE + 1;
    char *d = realloc(f->data, cap);
    if (!d) return err_set_at(err, ZEST_E_NOMEM, f->path, 0, f->off, "out of memory");
    f->data = d;
    f->cap = cap;
    return 0;
}

/* Hands out [start, nl) as a line. */
static int evfile_take_line(struct evfile *f, char *nl, const char **line, size_t *len) {
    *nl = '\0';
    *line = f->data + f->start;
    *len = (size_t)(nl - *line);
    f->start = (size_t)(nl - f->data) + 1;
    f->scanned = 0;
    return EVFILE_LINE;
}

/* An over-long line: forget its bytes so far and keep discarding until its end. */
static void evfile_drop(struct evfile *f) {
    f->off += (int64_t)f->len;
    f->start = f->len = f->scanned = 0;
    f->dropping = true;
}

int evfile_next(struct evfile *f, const char **line, size_t *len, zest_error *err) {
    for (;;) {
        const size_t unseen = f->len - f->start - f->scanned;
        char *nl = unseen ? memchr(f->data + f->start + f->scanned, '\n', unseen) : NULL;
        if (nl && f->dropping) {
            f->start = (size_t)(nl - f->data) + 1;
            f->scanned = 0;
            f->dropping = false;
            return EVFILE_LONG;
        }
        if (nl) return evfile_take_line(f, nl, line, len);
        f->scanned = f->len - f->start;
        if (f->dropping || f->scanned >= EVFILE_MAX_LINE) evfile_drop(f);
        int rc = evfile_make_room(f, err);
        if (rc) return rc;
        const int64_t n = evfile_read_some(f, err);
        if (n <= 0) return (int)n; /* EVFILE_EOF or an error */
        f->len += (size_t)n;
    }
}

size_t evfile_tail(const struct evfile *f) { return f->dropping ? 1 : f->len - f->start; }

int64_t evfile_consumed(const struct evfile *f) { return f->off + (int64_t)f->start; }

int evfile_restart(struct evfile *f, zest_error *err) {
    const bool ok = f->gz ? gzrewind(f->gz) == 0 : lseek(f->fd, 0, SEEK_SET) == 0;
    if (!ok)
        return err_set_at(err, ZEST_E_IO, f->path, 0, 0, "cannot rewind: %s", strerror(errno));
    f->start = f->len = f->scanned = 0;
    f->off = 0;
    f->dropping = false;
    return 0;
}

void evfile_identity(const struct evfile *f, dev_t *dev, ino_t *ino) {
    *dev = f->dev;
    *ino = f->ino;
}

const char *evfile_path(const struct evfile *f) { return f->path; }

/* ------------------------------------------------------------------------------- ids */

/* The writer puts event_id first: `{"event_id":123,` is read without a parser. */
static int64_t evfile_fast_id(const char *line, size_t len) {
    static const char prefix[] = "{\"event_id\":";
    const size_t n = sizeof prefix - 1;
    if (len <= n || memcmp(line, prefix, n) != 0) return -1;
    int64_t id = 0;
    size_t i = n;
    if (line[i] < '1' || line[i] > '9') return -1;
    for (; i < len && line[i] >= '0' && line[i] <= '9' && i - n < 18; i++)
        id = id * 10 + (line[i] - '0');
    return i < len && (line[i] == ',' || line[i] == '}') ? id : -1;
}

static int64_t evfile_parsed_id(const char *line, size_t len) {
    struct arena a;
    arena_init(&a, 4096);
    struct json_cursor c;
    struct json_value v;
    int64_t id = -1;
    json_cursor_init(&c, line, len);
    if (json_parse_value(&c, &a, &v) == 0 && json_expect_end(&c) == 0 && v.type == JSON_OBJECT) {
        for (size_t i = 0; i < v.u.obj.n; i++) {
            const struct json_member *m = &v.u.obj.members[i];
            if (strcmp(m->key, "event_id") == 0 && m->value.type == JSON_NUMBER &&
                m->value.u.num.int_ok && m->value.u.num.i >= 1)
                id = m->value.u.num.i;
        }
    }
    arena_destroy(&a);
    return id;
}

int64_t evfile_line_id(const char *line, size_t len) {
    const int64_t id = evfile_fast_id(line, len);
    return id >= 0 ? id : evfile_parsed_id(line, len);
}

/* ---------------------------------------------------------------------------- listing */

/* events.jsonl, events.jsonl.N or events.jsonl.N.gz (N digits); dot files never match. */
static bool evfile_is_log_name(const char *name) {
    static const char base[] = "events.jsonl";
    const size_t n = sizeof base - 1;
    if (strncmp(name, base, n) != 0) return false;
    const char *p = name + n;
    if (!*p) return true;
    if (*p++ != '.' || *p < '0' || *p > '9') return false;
    while (*p >= '0' && *p <= '9') p++;
    return !*p || strcmp(p, ".gz") == 0;
}

/* Opens the file and finds its first event_id, looking past unparsable lines (INT64_MAX
 * when none), then rewinds it. A file that vanished (renamed or compressed meanwhile) gives
 * ZEST_E_NOTFOUND. */
static int evfile_first_id(struct evfile_entry *e, zest_error *err) {
    const char *line;
    size_t len;
    e->first_id = INT64_MAX;
    int rc = evfile_open(e->path, false, &e->f, err);
    while (rc == 0 && (rc = evfile_next(e->f, &line, &len, err)) > 0) {
        const int64_t id = rc == EVFILE_LINE ? evfile_line_id(line, len) : -1;
        if (id > 0) {
            e->first_id = id;
            rc = 0;
            break;
        }
    }
    if (rc == 0) rc = evfile_restart(e->f, err);
    if (rc) {
        evfile_close(e->f);
        e->f = NULL;
    }
    return rc;
}

static int evfile_cmp(const void *a, const void *b) {
    const struct evfile_entry *x = a, *y = b;
    if (x->first_id != y->first_id) return x->first_id < y->first_id ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* Appends dir/name with its first id (skipped when the file vanished meanwhile). */
static int evfile_list_add(const char *dir, const char *name, struct evfile_entry **v,
                           size_t *n, size_t *cap, zest_error *err) {
    if (*n == *cap) {
        const size_t c = *cap ? *cap * 2 : 8;
        struct evfile_entry *nv = realloc(*v, c * sizeof *nv);
        if (!nv) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", dir);
        *v = nv;
        *cap = c;
    }
    struct evfile_entry *e = &(*v)[*n];
    const size_t plen = strlen(dir) + strlen(name) + 2;
    if (!(e->path = malloc(plen))) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", dir);
    snprintf(e->path, plen, "%s/%s", dir, name);
    int rc = evfile_first_id(e, err);
    if (rc == 0) (*n)++;
    else free(e->path);
    return rc == ZEST_E_NOTFOUND ? 0 : rc;
}

int evfile_list(const char *events_dir, struct evfile_entry **out, size_t *n, zest_error *err) {
    struct evfile_entry *v = NULL;
    size_t cnt = 0, cap = 0;
    int rc = 0;
    const int lock = evlock_take(events_dir, false); /* no rename while we list and open */
    DIR *d = opendir(events_dir);
    if (!d) {
        rc = evfile_fail_errno(err, events_dir, "open the events directory");
        goto out;
    }
    const struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL)
        if (evfile_is_log_name(de->d_name))
            rc = evfile_list_add(events_dir, de->d_name, &v, &cnt, &cap, err);
    closedir(d);
    if (rc == 0 && cnt > 1) qsort(v, cnt, sizeof *v, evfile_cmp);
out:
    evlock_drop(lock);
    if (rc) {
        evfile_list_free(v, cnt);
        v = NULL;
        cnt = 0;
    }
    *out = v;
    *n = cnt;
    return rc;
}

void evfile_list_free(struct evfile_entry *e, size_t n) {
    for (size_t i = 0; i < n; i++) {
        evfile_close(e[i].f);
        free(e[i].path);
    }
    free(e);
}

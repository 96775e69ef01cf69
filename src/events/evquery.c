/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evquery.c - the reading side of the event log: zest_get_events (one pass over every file
 * of a job's log in event_id order, each id once, filtered, optionally only the most recent
 * N matches kept in a bounded ring) and the live monitor (the same pass as a backlog, then
 * following events.jsonl across rotations). Lines are parsed with the strict JSON parser
 * into zest_event. Owns the filter, the ring and the monitor state. Calls evfile (files and
 * ids), io/json.h and common/ (arena, buf, err). Never prints.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "../common/arena.h"
#include "../common/buf.h"
#include "../common/err.h"
#include "../io/json.h"
#include "event_types.h"
#include "evfile.h"

/* A follower looks for new lines this often while it waits. */
#define EVQ_POLL_S 0.05
/* Renames noticed in one poll before it yields (each one is fully handled). */
#define EVQ_MAX_SWITCHES 16
/* Listings (5 ms apart) a pass may take while the ids between files keep jumping and the
 * directory keeps changing: a writer rotating without pause for 10 s. */
#define EVQ_MAX_RELIST 2000

/* ------------------------------------------------------------------------------ names */

static const char *const evq_type_names[] = {
#define XX(e, name, level) name,
    EVENT_TYPE_MAP(XX)
#undef XX
};
#define EVQ_N_TYPES (sizeof evq_type_names / sizeof evq_type_names[0])

static const char *const evq_level_names[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
#define EVQ_N_LEVELS (sizeof evq_level_names / sizeof evq_level_names[0])

/* Index of `s` (len bytes, any case) in `names`, or -1. */
static int evq_find_ci(const char *const *names, size_t n, const char *s, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && strncasecmp(names[i], s, len) == 0) return (int)i;
    return -1;
}

/* "a, b, c" for an error message. */
static void evq_join(const char *const *names, size_t n, char *out, size_t cap) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++) {
        const int w = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
}

/* ----------------------------------------------------------------------------- filter */

struct evq_filter {
    uint64_t types; /* bit per type index; 0: every type */
    int64_t partition_id;
    char *op;
    double since, until;
    int min_level; /* index in evq_level_names */
    size_t limit;
};

static int evq_unknown_type(const char *s, size_t len, zest_error *err) {
    char valid[800];
    evq_join(evq_type_names, EVQ_N_TYPES, valid, sizeof valid);
    return err_set(err, ZEST_E_PARAM, "unknown event type '%.*s' (valid: %s; upper case too)",
                   (int)(len > 64 ? 64 : len), s, valid);
}

/* "A, b,C" -> bits. Blanks around names are ignored, empty names skipped. */
static int evq_parse_types(const char *list, uint64_t *bits, zest_error *err) {
    *bits = 0;
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t')) a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
        if (b > a) {
            const int t = evq_find_ci(evq_type_names, EVQ_N_TYPES, a, (size_t)(b - a));
            if (t < 0) return evq_unknown_type(a, (size_t)(b - a), err);
            *bits |= (uint64_t)1 << t;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}

static int evq_filter_init(struct evq_filter *f, const zest_event_filter *in, zest_error *err) {
    memset(f, 0, sizeof *f);
    f->partition_id = -1;
    if (!in) return 0;
    f->partition_id = in->partition_id;
    f->since = in->since;
    f->until = in->until;
    f->limit = in->limit;
    if (in->types) ZEST_TRY(evq_parse_types(in->types, &f->types, err));
    if (in->min_level) {
        f->min_level = evq_find_ci(evq_level_names, EVQ_N_LEVELS, in->min_level,
                                   strlen(in->min_level));
        if (f->min_level < 0)
            return err_set(err, ZEST_E_PARAM,
                           "unknown level '%.64s' (valid: DEBUG, INFO, WARNING, ERROR)",
                           in->min_level);
    }
    if (in->op && !(f->op = strdup(in->op))) return err_set(err, ZEST_E_NOMEM, "out of memory");
    return 0;
}

/* ------------------------------------------------------------------------------ parse */

enum evq_kind { EVQ_I64, EVQ_INT, EVQ_NUM, EVQ_STR, EVQ_OBJ };

struct evq_field {
    const char *key;
    enum evq_kind kind;
    size_t off;
    bool required;
};

#define EVQ_F(key, kind, member, req) {key, kind, offsetof(zest_event, member), req}
static const struct evq_field evq_fields[] = {
    EVQ_F("event_id", EVQ_I64, event_id, true),
    EVQ_F("job_id", EVQ_STR, job_id, false),
    EVQ_F("event_type", EVQ_STR, event_type, true),
    EVQ_F("level", EVQ_STR, level, true),
    EVQ_F("timestamp", EVQ_NUM, timestamp, true),
    EVQ_F("message", EVQ_STR, message, false),
    EVQ_F("partition_id", EVQ_I64, partition_id, false),
    EVQ_F("operation_name", EVQ_STR, operation_name, false),
    EVQ_F("operation_idx", EVQ_INT, operation_idx, false),
    EVQ_F("attempt", EVQ_INT, attempt, false),
    EVQ_F("worker", EVQ_INT, worker, false),
    EVQ_F("duration", EVQ_NUM, duration, false),
    EVQ_F("error_message", EVQ_STR, error_message, false),
    EVQ_F("stack_trace", EVQ_STR, stack_trace, false),
    EVQ_F("metadata", EVQ_OBJ, metadata, false),
    EVQ_F("resource_usage", EVQ_OBJ, resource_usage, false),
    EVQ_F("performance_metrics", EVQ_OBJ, performance_metrics, false),
    EVQ_F("rank", EVQ_INT, rank, false),
    EVQ_F("pid", EVQ_I64, pid, false),
    EVQ_F("host", EVQ_STR, host, false),
};
#undef EVQ_F
#define EVQ_N_FIELDS (sizeof evq_fields / sizeof evq_fields[0])

/* A parsed line: the event plus the indexes the filter compares. */
struct evq_line {
    zest_event ev;
    int type;  /* -1: a type this reader does not know (a newer writer) */
    int level;
};

/* Stores one member value into its field; ZEST_E_FORMAT when its JSON type is wrong. */
static int evq_store(const struct evq_field *fd, const struct json_value *v, zest_event *ev,
                     struct arena *a, struct buf *scratch) {
    /* dst points at a member of exactly the type each case stores */
    char *dst = (char *)ev + fd->off;
    const bool is_int = v->type == JSON_NUMBER && v->u.num.int_ok;
    switch (fd->kind) {
    case EVQ_I64:
        if (!is_int) return ZEST_E_FORMAT;
        *(int64_t *)dst = v->u.num.i;
        return 0;
    case EVQ_INT: {
        if (!is_int || v->u.num.i < INT32_MIN || v->u.num.i > INT32_MAX) return ZEST_E_FORMAT;
        *(int *)dst = (int)v->u.num.i;
        return 0;
    }
    case EVQ_NUM:
        if (v->type != JSON_NUMBER || !isfinite(v->u.num.d)) return ZEST_E_FORMAT;
        *(double *)dst = v->u.num.d;
        return 0;
    case EVQ_STR:
        if (v->type != JSON_STRING) return ZEST_E_FORMAT;
        *(const char **)dst = v->u.str.ptr;
        return 0;
    case EVQ_OBJ: {
        if (v->type != JSON_OBJECT) return ZEST_E_FORMAT;
        buf_clear(scratch);
        ZEST_TRY(json_write_value(scratch, v));
        const char *text = arena_strndup(a, scratch->data, scratch->len);
        if (!text) return ZEST_E_NOMEM;
        *(const char **)dst = text;
        return 0;
    }
    }
    return ZEST_E_INTERNAL;
}

static void evq_event_unset(zest_event *ev) {
    memset(ev, 0, sizeof *ev);
    ev->partition_id = -1;
    ev->operation_idx = ev->attempt = ev->worker = -1;
    ev->duration = NAN;
    ev->pid = -1;
    ev->rank = -1;
}

static int evq_store_members(const struct json_value *root, zest_event *ev, struct arena *a,
                             struct buf *scratch) {
    uint32_t seen = 0, required = 0;
    for (size_t f = 0; f < EVQ_N_FIELDS; f++)
        if (evq_fields[f].required) required |= (uint32_t)1 << f;
    for (size_t i = 0; i < root->u.obj.n; i++) {
        const struct json_member *m = &root->u.obj.members[i];
        if (m->value.type == JSON_NULL) continue; /* null: as if omitted */
        for (size_t f = 0; f < EVQ_N_FIELDS; f++) {
            if (strcmp(m->key, evq_fields[f].key) != 0) continue;
            ZEST_TRY(evq_store(&evq_fields[f], &m->value, ev, a, scratch));
            seen |= (uint32_t)1 << f;
            break;
        } /* other keys: from a newer writer, ignored */
    }
    return (seen & required) == required ? 0 : ZEST_E_FORMAT;
}

/* Parses a NUL-terminated line into `out`; its strings live in `a` (reset first) and in the
 * line itself. ZEST_E_FORMAT for a line that is not an event. */
static int evq_parse(const char *line, size_t len, struct arena *a, struct buf *scratch,
                     struct evq_line *out) {
    struct json_cursor c;
    struct json_value root;
    arena_reset(a);
    evq_event_unset(&out->ev);
    json_cursor_init(&c, line, len);
    ZEST_TRY(json_parse_value(&c, a, &root));
    ZEST_TRY(json_expect_end(&c));
    if (root.type != JSON_OBJECT) return ZEST_E_FORMAT;
    ZEST_TRY(evq_store_members(&root, &out->ev, a, scratch));
    const zest_event *ev = &out->ev;
    out->level = evq_find_ci(evq_level_names, EVQ_N_LEVELS, ev->level, strlen(ev->level));
    if (out->level < 0 || ev->event_id < 1) return ZEST_E_FORMAT;
    out->ev.level = evq_level_names[out->level];
    out->type = evq_find_ci(evq_type_names, EVQ_N_TYPES, ev->event_type, strlen(ev->event_type));
    out->ev.json = line;
    return 0;
}

static bool evq_match(const struct evq_filter *f, const struct evq_line *l) {
    const zest_event *ev = &l->ev;
    if (f->types && (l->type < 0 || !(f->types >> l->type & 1))) return false;
    if (f->partition_id >= 0 && ev->partition_id != f->partition_id) return false;
    if (f->op && (!ev->operation_name || strcmp(ev->operation_name, f->op) != 0)) return false;
    if (f->since > 0 && ev->timestamp < f->since) return false;
    if (f->until > 0 && ev->timestamp > f->until) return false;
    return l->level >= f->min_level;
}

/* ------------------------------------------------------------------------------- ring */

/* A FIFO of line copies holding at most `max` (the oldest dropped): the last N matches of a
 * query, a monitor's backlog, then its queue of events not yet handed out. */
struct evq_ring {
    char **items;
    size_t cap, head, n, max;
};

static int evq_ring_grow(struct evq_ring *r) {
    const size_t cap = r->cap ? r->cap * 2 : 64;
    char **items = malloc(cap * sizeof *items);
    if (!items) return ZEST_E_NOMEM;
    for (size_t i = 0; i < r->n; i++) items[i] = r->items[(r->head + i) % r->cap];
    free(r->items);
    r->items = items;
    r->cap = cap;
    r->head = 0;
    return 0;
}

static char *evq_ring_pop(struct evq_ring *r) {
    if (!r->n) return NULL;
    char *s = r->items[r->head];
    r->head = (r->head + 1) % r->cap;
    r->n--;
    return s;
}

static int evq_ring_push(struct evq_ring *r, const char *line, size_t len) {
    if (r->max == 0) return 0;
    if (r->n == r->max) free(evq_ring_pop(r));
    if (r->n == r->cap) ZEST_TRY(evq_ring_grow(r));
    char *copy = malloc(len + 1);
    if (!copy) return ZEST_E_NOMEM;
    memcpy(copy, line, len);
    copy[len] = '\0';
    r->items[(r->head + r->n) % r->cap] = copy;
    r->n++;
    return 0;
}

static void evq_ring_free(struct evq_ring *r) {
    char *s;
    while ((s = evq_ring_pop(r)) != NULL) free(s);
    free(r->items);
}

/* ---------------------------------------------------------------------------- context */

/* What a query or a monitor holds: the filter, parse memory and the matched lines. */
struct evq_ctx {
    char *events_dir;
    struct evq_filter f;
    struct arena arena;
    struct buf scratch;
    struct evq_line cur;
    struct evq_ring ring;
    size_t skipped;
    zest_event_fn fn; /* zest_get_events without a limit: deliver at once */
    void *user;
};

static int evq_check_dirs(const char *job_dir, const char *events_dir, zest_error *err) {
    struct stat st;
    if (stat(job_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set_at(err, ZEST_E_NOTFOUND, job_dir, 0, -1, "no such job directory");
    if (stat(events_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set_at(err, ZEST_E_NOTFOUND, events_dir, 0, -1,
                          "no event log (not a job directory, or the job has not started)");
    return 0;
}

static int evq_ctx_init(struct evq_ctx *q, const char *job_dir, const zest_event_filter *filter,
                        zest_error *err) {
    memset(q, 0, sizeof *q);
    arena_init(&q->arena, 16 << 10);
    buf_init(&q->scratch, EVFILE_MAX_LINE);
    if (!job_dir) return err_set(err, ZEST_E_PARAM, "no job directory given");
    const size_t n = strlen(job_dir) + sizeof "/events";
    if (!(q->events_dir = malloc(n))) return err_set(err, ZEST_E_NOMEM, "out of memory");
    snprintf(q->events_dir, n, "%s/events", job_dir);
    ZEST_TRY(evq_filter_init(&q->f, filter, err));
    return evq_check_dirs(job_dir, q->events_dir, err);
}

static void evq_ctx_free(struct evq_ctx *q) {
    free(q->events_dir);
    free(q->f.op);
    arena_destroy(&q->arena);
    buf_free(&q->scratch);
    evq_ring_free(&q->ring);
}

/* Parses and filters one line: 1 when it matches (q->cur holds it), 0 when not or when it is
 * malformed (counted), negative on failure. */
static int evq_ctx_take(struct evq_ctx *q, const char *line, size_t len) {
    const int rc = evq_parse(line, len, &q->arena, &q->scratch, &q->cur);
    if (rc == ZEST_E_NOMEM) return rc;
    if (rc) {
        q->skipped++;
        return 0;
    }
    return evq_match(&q->f, &q->cur);
}

/* Line sinks of a pass: > 0 stops the pass, < 0 fails it. */
static int evq_keep_line(struct evq_ctx *q, const char *line, size_t len) {
    const int rc = evq_ctx_take(q, line, len);
    return rc > 0 ? evq_ring_push(&q->ring, line, len) : rc;
}

static int evq_deliver_line(struct evq_ctx *q, const char *line, size_t len) {
    const int rc = evq_ctx_take(q, line, len);
    return rc > 0 ? (q->fn(&q->cur.ev, q->user) ? 1 : 0) : rc;
}

/* ------------------------------------------------------------------------------- pass */

static double evq_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void evq_sleep(double s) {
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}


typedef int (*evq_sink)(struct evq_ctx *q, const char *line, size_t len);

/* One pass over the log: each line whose id is above `last`, in id order. */
struct evq_pass {
    struct evq_ctx *q;
    evq_sink sink;
    int64_t last;      /* highest id passed to the sink so far */
    bool count_torn;   /* a one-shot reader counts a torn last line; a follower waits */
    bool gaps_ok;      /* a hole in the ids between two files survived relisting: real */
    int64_t expect;    /* a follower saw this id: ids up to it should be found (0: none) */
};

/* A pass's internal verdict: list the directory again (a file vanished, or one was missed:
 * readdir may skip an entry renamed while it runs). */
#define EVQ_RELIST 2

/* Feeds one listed file's new lines to the sink. */
static int evq_pass_file(struct evq_pass *p, struct evfile *f, zest_error *err) {
    const char *line;
    size_t len;
    int rc = 0, st = 0;
    while (rc == 0 && (st = evfile_next(f, &line, &len, err)) > 0) {
        const int64_t id = st == EVFILE_LINE ? evfile_line_id(line, len) : -1;
        if (id < 0) p->q->skipped++;
        if (id <= p->last) continue;
        p->last = id;
        rc = p->sink(p->q, line, len);
    }
    if (rc == 0 && st < 0) rc = st;
    if (rc == 0 && p->count_torn && evfile_tail(f)) p->q->skipped++;
    return rc;
}

/* True when every id of file i is at most `last`: a later file starts at or below last + 1
 * (a file with the same first id is a duplicate, not a successor). */
static bool evq_file_done(const struct evfile_entry *f, size_t n, size_t i, int64_t last) {
    for (size_t j = i + 1; j < n; j++)
        if (f[j].first_id > f[i].first_id)
            return f[j].first_id != INT64_MAX && f[j].first_id <= last + 1;
    return false;
}

static int evq_pass_files(struct evq_pass *p, const struct evfile_entry *files, size_t n,
                          zest_error *err) {
    for (size_t i = 0; i < n; i++) {
        if (evq_file_done(files, n, i, p->last)) continue;
        const int64_t first = files[i].first_id;
        if (!p->gaps_ok && p->last > 0 && first != INT64_MAX && first > p->last + 1)
            return EVQ_RELIST;
        ZEST_TRY(evq_pass_file(p, files[i].f, err));
    }
    return !p->gaps_ok && p->last + 1 < p->expect ? EVQ_RELIST : 0;
}

/* The first ids of a listing, to tell a quiet directory from one a rotation changed. */
struct evq_shape {
    int64_t *ids;
    size_t n;
};

/* Records the listing's shape; true when it equals the one recorded before. */
static bool evq_shape_same(struct evq_shape *s, const struct evfile_entry *files, size_t n) {
    bool same = s->ids && s->n == n;
    for (size_t i = 0; same && i < n; i++) same = s->ids[i] == files[i].first_id;
    if (same) return true;
    int64_t *ids = realloc(s->ids, (n ? n : 1) * sizeof *ids);
    if (!ids) return false; /* unrecorded: the next listing is compared with the older one */
    for (size_t i = 0; i < n; i++) ids[i] = files[i].first_id;
    s->ids = ids;
    s->n = n;
    return false;
}

/* Lists the files and reads them in order, skipping those already passed. Lists again when
 * the ids jump between files: readdir can miss an entry renamed while it runs, so a jump is
 * taken as real only when two listings in a row show the same files (no rotation between
 * them, so nothing was renamed under the second). Returns 0, 1 when the sink stopped it, or
 * < 0. */
static int evq_pass_run(struct evq_pass *p, zest_error *err) {
    struct evq_shape shape = {0};
    int rc = EVQ_RELIST;
    for (int round = 0; round < EVQ_MAX_RELIST && rc == EVQ_RELIST; round++) {
        struct evfile_entry *files = NULL;
        size_t n = 0;
        if (round > 0) evq_sleep(0.005);
        rc = evfile_list(p->q->events_dir, &files, &n, err);
        if (rc == 0 && evq_shape_same(&shape, files, n)) p->gaps_ok = true;
        if (rc == 0) rc = evq_pass_files(p, files, n, err);
        evfile_list_free(files, n);
    }
    free(shape.ids);
    if (rc == EVQ_RELIST) rc = err_set(err, ZEST_E_IO, "%s: files keep changing", p->q->events_dir);
    if (rc == ZEST_E_NOMEM) err_set(err, rc, "%s: out of memory", p->q->events_dir);
    return rc;
}

/* ------------------------------------------------------------------------------ query */

static int evq_deliver_ring(struct evq_ctx *q, zest_error *err) {
    char *line;
    int rc = 0;
    while (rc == 0 && (line = evq_ring_pop(&q->ring)) != NULL) {
        rc = evq_ctx_take(q, line, strlen(line));
        if (rc > 0) rc = q->fn(&q->cur.ev, q->user) ? 1 : 0;
        free(line);
    }
    if (rc == ZEST_E_NOMEM) err_set(err, rc, "%s: out of memory", q->events_dir);
    return rc;
}

/* ---------------------------------------------------------------- ranks, merged by time */

/* A distributed run's other ranks log in events/rank<k>/ (rank 0 in events/ itself). */
static bool evq_is_rank_dir(const char *name) {
    if (strncmp(name, "rank", 4) != 0 || !name[4]) return false;
    for (const char *p = name + 4; *p; p++)
        if (*p < '0' || *p > '9') return false;
    return true;
}

static int evq_cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rank directories under events_dir, sorted (rank numbers have a fixed width). */
static int evq_rank_dirs(const char *events_dir, char ***out, size_t *n) {
    DIR *d = opendir(events_dir);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (!d) return 0;
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d)) != NULL;) {
        if (!evq_is_rank_dir(de->d_name)) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            char **v = realloc(*out, cap * sizeof *v);
            if (!v) rc = ZEST_E_NOMEM;
            else *out = v;
        }
        if (rc == 0 && !((*out)[*n] = strdup(de->d_name))) rc = ZEST_E_NOMEM;
        if (rc == 0) ++*n;
    }
    closedir(d);
    if (*n) qsort(*out, *n, sizeof **out, evq_cmp_names);
    return rc;
}

/* A matching line of some rank's log, kept until all logs are read. */
struct evq_kept {
    double ts;
    size_t log, seq;
    char *line;
};

struct evq_merge {
    struct evq_kept *v;
    size_t n, cap, log;
};

/* The merge the collecting sink fills: one per query, per thread. */
static _Thread_local struct evq_merge *evq_merge_of;

static int evq_collect_line(struct evq_ctx *q, const char *line, size_t len) {
    struct evq_merge *m = evq_merge_of;
    const int rc = evq_ctx_take(q, line, len);
    if (rc <= 0) return rc;
    if (m->n == m->cap) {
        const size_t cap = m->cap ? 2 * m->cap : 1024;
        struct evq_kept *v = realloc(m->v, cap * sizeof *v);
        if (!v) return ZEST_E_NOMEM;
        m->v = v;
        m->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return ZEST_E_NOMEM;
    memcpy(copy, line, len);
    copy[len] = '\0';
    m->v[m->n] = (struct evq_kept){q->cur.ev.timestamp, m->log, m->n, copy};
    m->n++;
    return 0;
}

static int evq_cmp_kept(const void *a, const void *b) {
    const struct evq_kept *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    if (x->log != y->log) return x->log < y->log ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Reads rank 0's log and each rank's, keeps the matches, and delivers them by time (the
 * newest `limit` when a limit is set). */
static int evq_get_merged(struct evq_ctx *q, char **ranks, size_t n_ranks, zest_error *err) {
    struct evq_merge m = {0};
    char *const base = q->events_dir;
    int rc = 0;
    evq_merge_of = &m;
    for (size_t i = 0; rc == 0 && i <= n_ranks; i++) {
        struct evq_pass p = {.q = q, .count_torn = true, .sink = evq_collect_line};
        char *dir = NULL;
        if (i > 0) {
            const size_t len = strlen(base) + strlen(ranks[i - 1]) + 2;
            if (!(dir = malloc(len))) {
                rc = err_set(err, ZEST_E_NOMEM, "out of memory");
                break;
            }
            snprintf(dir, len, "%s/%s", base, ranks[i - 1]);
            q->events_dir = dir;
        }
        m.log = i;
        rc = evq_pass_run(&p, err);
        q->events_dir = base;
        free(dir);
    }
    evq_merge_of = NULL;
    if (rc == 0 && m.n) qsort(m.v, m.n, sizeof *m.v, evq_cmp_kept);
    const size_t from = q->f.limit && m.n > q->f.limit ? m.n - q->f.limit : 0;
    for (size_t i = from; rc == 0 && i < m.n; i++) {
        rc = evq_ctx_take(q, m.v[i].line, strlen(m.v[i].line));
        if (rc > 0) rc = q->fn(&q->cur.ev, q->user) ? 1 : 0;
    }
    for (size_t i = 0; i < m.n; i++) free(m.v[i].line);
    free(m.v);
    if (rc == ZEST_E_NOMEM) err_set(err, rc, "%s: out of memory", base);
    return rc;
}

int zest_get_events(const char *job_dir, const zest_event_filter *filter, zest_event_fn fn,
                    void *user, size_t *skipped, zest_error *err) {
    struct evq_ctx q;
    struct evq_pass p = {.q = &q, .count_torn = true};
    char **ranks = NULL;
    size_t n_ranks = 0;
    int rc = evq_ctx_init(&q, job_dir, filter, err);
    if (rc) goto out;
    if (evq_rank_dirs(q.events_dir, &ranks, &n_ranks) != 0) {
        rc = err_set(err, ZEST_E_NOMEM, "%s: out of memory", q.events_dir);
        goto out;
    }
    if (n_ranks) {
        q.fn = fn;
        q.user = user;
        rc = evq_get_merged(&q, ranks, n_ranks, err);
        if (rc > 0) rc = 0;
        goto out;
    }
    q.fn = fn;
    q.user = user;
    q.ring.max = q.f.limit; /* the most recent `limit` matches, delivered after the pass */
    p.sink = q.f.limit ? evq_keep_line : evq_deliver_line;
    rc = evq_pass_run(&p, err);
    if (rc == 0 && q.f.limit) rc = evq_deliver_ring(&q, err);
    if (rc > 0) rc = 0; /* stopped by the callback */
out:
    if (skipped) *skipped = q.skipped;
    for (size_t i = 0; i < n_ranks; i++) free(ranks[i]);
    free(ranks);
    evq_ctx_free(&q);
    return rc;
}

/* ---------------------------------------------------------------------------- monitor */

struct zest_event_monitor {
    struct evq_ctx q;   /* q.ring: matched lines not handed out yet */
    char *cur_path;     /* events/events.jsonl */
    struct evfile *cur; /* followed file; NULL until it exists */
    int64_t last;       /* highest event_id seen (matched or not) */
    char *line;         /* the line handed out last */
    struct arena out_arena;
    struct buf out_scratch;
    struct evq_line out;
};

/* A line of the followed file: queued when new and matching. A jump in the ids means a
 * rotated file was missed (a directory listing can miss an entry renamed while it runs). */
static int evq_mon_line(zest_event_monitor *m, const char *line, size_t len, zest_error *err) {
    const int64_t id = evfile_line_id(line, len);
    if (id < 0) m->q.skipped++;
    if (id <= m->last) return 0;
    if (id > m->last + 1) { /* ids in between were rotated away before we saw them */
        struct evq_pass p = {.q = &m->q, .sink = evq_keep_line, .last = m->last, .expect = id};
        ZEST_TRY(evq_pass_run(&p, err));
        if (p.last >= id) { /* the pass took this line too (it read events.jsonl) */
            m->last = p.last;
            return 0;
        }
    }
    m->last = id;
    const int rc = evq_keep_line(&m->q, line, len);
    return rc == ZEST_E_NOMEM ? err_set(err, rc, "%s: out of memory", m->cur_path) : rc;
}

/* Reads the followed file up to its current end. */
static int evq_mon_drain(zest_event_monitor *m, zest_error *err) {
    const char *line;
    size_t len;
    int st;
    while ((st = evfile_next(m->cur, &line, &len, err)) > 0) {
        if (st == EVFILE_LONG) m->q.skipped++;
        else ZEST_TRY(evq_mon_line(m, line, len, err));
    }
    return st;
}

enum evq_moved { EVQ_SAME, EVQ_RENAMED, EVQ_TRUNCATED };

/* What happened to events.jsonl since we opened it. */
static enum evq_moved evq_mon_moved(const zest_event_monitor *m) {
    struct stat st;
    dev_t dev;
    ino_t ino;
    evfile_identity(m->cur, &dev, &ino);
    if (stat(m->cur_path, &st) != 0 || st.st_dev != dev || st.st_ino != ino) return EVQ_RENAMED;
    const int64_t held = evfile_consumed(m->cur) + (int64_t)evfile_tail(m->cur);
    return (int64_t)st.st_size < held ? EVQ_TRUNCATED : EVQ_SAME;
}

/* Opens events.jsonl to follow it (1 when it does not exist yet). */
static int evq_mon_open_current(zest_event_monitor *m, zest_error *err) {
    zest_error local;
    const int rc = evfile_open(m->cur_path, true, &m->cur, &local);
    if (rc == ZEST_E_NOTFOUND) return 1; /* between a rename and the new file: later */
    if (rc && err) *err = local;
    return rc;
}

/* Opens the new events.jsonl, then reads every id above the last seen from all files: what
 * was rotated away before the open (several rotations may go by between two polls) is in
 * the rotated files, the rest is in the file now held. */
static int evq_mon_open(zest_event_monitor *m, zest_error *err) {
    const int rc = evq_mon_open_current(m, err);
    if (rc) return rc;
    struct evq_pass p = {.q = &m->q, .sink = evq_keep_line, .last = m->last};
    ZEST_TRY(evq_pass_run(&p, err));
    m->last = p.last;
    return 0;
}

/* Takes in what was written since the last poll, across renames of events.jsonl: the old
 * file (still open) is read to its end before the new one is opened. */
static int evq_mon_poll(zest_event_monitor *m, zest_error *err) {
    for (int i = 0; i < EVQ_MAX_SWITCHES; i++) {
        int rc = m->cur ? 0 : evq_mon_open(m, err);
        if (rc) return rc > 0 ? 0 : rc;
        ZEST_TRY(evq_mon_drain(m, err));
        const enum evq_moved moved = evq_mon_moved(m);
        if (moved == EVQ_SAME) return 0;
        if (moved == EVQ_TRUNCATED) {
            ZEST_TRY(evfile_restart(m->cur, err));
            continue;
        }
        ZEST_TRY(evq_mon_drain(m, err)); /* lines written just before the rename */
        if (evfile_tail(m->cur)) m->q.skipped++;
        evfile_close(m->cur);
        m->cur = NULL;
    }
    return 0;
}

void zest_monitor_close(zest_event_monitor *m) {
    if (!m) return;
    evq_ctx_free(&m->q);
    evfile_close(m->cur);
    free(m->cur_path);
    free(m->line);
    arena_destroy(&m->out_arena);
    buf_free(&m->out_scratch);
    free(m);
}

/* The backlog: events.jsonl is opened first (so nothing written after the pass is missed),
 * then one pass keeps the newest `keep` matches and notes the last id. */
static int evq_mon_backlog(zest_event_monitor *m, size_t keep, zest_error *err) {
    const int rc0 = evq_mon_open_current(m, err);
    if (rc0 < 0) return rc0;
    m->q.ring.max = keep;
    struct evq_pass p = {.q = &m->q, .sink = evq_keep_line};
    const int rc = evq_pass_run(&p, err);
    m->last = p.last;
    m->q.ring.max = SIZE_MAX; /* from now on a queue */
    return rc;
}

int zest_monitor_events(const char *job_dir, const zest_event_filter *filter, size_t backlog,
                        zest_event_monitor **out, zest_error *err) {
    *out = NULL;
    zest_event_monitor *m = calloc(1, sizeof *m);
    if (!m) return err_set(err, ZEST_E_NOMEM, "out of memory");
    arena_init(&m->out_arena, 16 << 10);
    buf_init(&m->out_scratch, EVFILE_MAX_LINE);
    int rc = evq_ctx_init(&m->q, job_dir, filter, err);
    if (rc) goto out;
    const size_t n = strlen(m->q.events_dir) + sizeof "/events.jsonl";
    if (!(m->cur_path = malloc(n))) {
        rc = err_set(err, ZEST_E_NOMEM, "out of memory");
        goto out;
    }
    snprintf(m->cur_path, n, "%s/events.jsonl", m->q.events_dir);
    const size_t keep = m->q.f.limit && m->q.f.limit < backlog ? m->q.f.limit : backlog;
    rc = evq_mon_backlog(m, keep, err);
out:
    if (rc) zest_monitor_close(m);
    else *out = m;
    return rc;
}

/* Hands out the oldest queued line. */
static int evq_mon_emit(zest_event_monitor *m, zest_event *ev, zest_error *err) {
    free(m->line);
    m->line = evq_ring_pop(&m->q.ring);
    const int rc = evq_parse(m->line, strlen(m->line), &m->out_arena, &m->out_scratch, &m->out);
    if (rc) return err_set(err, rc, "%s: event could not be parsed again", m->cur_path);
    *ev = m->out.ev;
    return 1;
}

int zest_monitor_next(zest_event_monitor *m, double timeout_s, zest_event *ev, zest_error *err) {
    const double deadline = evq_now() + (timeout_s > 0 ? timeout_s : 0);
    for (;;) {
        if (m->q.ring.n) return evq_mon_emit(m, ev, err);
        ZEST_TRY(evq_mon_poll(m, err));
        if (m->q.ring.n) continue;
        const double left = deadline - evq_now();
        if (timeout_s >= 0 && left <= 0) return 0;
        evq_sleep(timeout_s < 0 || left > EVQ_POLL_S ? EVQ_POLL_S : left);
    }
}

size_t zest_monitor_skipped(const zest_event_monitor *m) {
    return m ? m->q.skipped : 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* digest.c - a job's event log as facts (see digest.h). */
#include "digest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/arena.h"
#include "../common/err.h"
#include "../io/json.h"

#define DG_PUSH(vec, item)                                                          \
    (((vec).n == (vec).cap && dg_grow((void **)&(vec).v, &(vec).cap, sizeof *(vec).v)) \
         ? ZEST_E_NOMEM                                                             \
         : ((vec).v[(vec).n++] = (item), 0))

static int dg_grow(void **v, size_t *cap, size_t size) {
    const size_t c = *cap ? *cap * 2 : 64;
    void *nv = realloc(*v, c * size);
    if (!nv) return -1;
    *v = nv;
    *cap = c;
    return 0;
}

/* ------------------------------------------------------------------------- metadata */

/* The metadata (or another object) of an event, parsed into `a`. */
struct dg_obj {
    struct json_value v;
    bool ok;
};

static struct dg_obj dg_parse(const char *json, struct arena *a) {
    struct dg_obj o = {.ok = false};
    if (!json) return o;
    struct json_cursor c;
    json_cursor_init(&c, json, strlen(json));
    o.ok = json_parse_value(&c, a, &o.v) == 0 && o.v.type == JSON_OBJECT;
    return o;
}

static const struct json_value *dg_get(const struct dg_obj *o, const char *key) {
    if (!o->ok) return NULL;
    for (size_t i = 0; i < o->v.u.obj.n; i++)
        if (strcmp(o->v.u.obj.members[i].key, key) == 0) return &o->v.u.obj.members[i].value;
    return NULL;
}

static double dg_num(const struct dg_obj *o, const char *key, double dflt) {
    const struct json_value *v = dg_get(o, key);
    return v && v->type == JSON_NUMBER ? v->u.num.d : dflt;
}

static int64_t dg_int(const struct dg_obj *o, const char *key) {
    const struct json_value *v = dg_get(o, key);
    return v && v->type == JSON_NUMBER ? (v->u.num.int_ok ? v->u.num.i : (int64_t)v->u.num.d)
                                       : 0;
}

static bool dg_true(const struct dg_obj *o, const char *key) {
    const struct json_value *v = dg_get(o, key);
    return v && v->type == JSON_TRUE;
}

/* --------------------------------------------------------------------------- state */

struct dg_ctx {
    struct digest *d;
    struct arena a;
    int rc;
};

static int dg_set_str(char **dst, const char *s) {
    free(*dst);
    *dst = NULL;
    if (!s) return 0;
    return (*dst = strdup(s)) ? 0 : ZEST_E_NOMEM;
}

/* The partition `id`, grown into the table on first sight; NULL when out of memory or when
 * the id is out of range (a damaged log). */
static struct dg_part *dg_part(struct digest *d, int64_t id) {
    if (id < 0 || id >= DIGEST_MAX_PARTITIONS) return NULL;
    while (d->parts.cap <= (size_t)id)
        if (dg_grow((void **)&d->parts.v, &d->parts.cap, sizeof *d->parts.v)) return NULL;
    for (; d->parts.n <= (size_t)id; d->parts.n++)
        memset(&d->parts.v[d->parts.n], 0, sizeof d->parts.v[0]);
    struct dg_part *p = &d->parts.v[id];
    p->seen = true;
    return p;
}

/* The latest attempt of partition `id` that has not ended. */
static struct dg_attempt *dg_open_attempt(struct digest *d, int64_t id) {
    for (size_t i = d->attempts.n; i-- > 0;)
        if (d->attempts.v[i].partition == id) return d->attempts.v[i].t1 > 0 ? NULL : &d->attempts.v[i];
    return NULL;
}

static struct dg_run *dg_run(struct digest *d) { return d->runs.n ? &d->runs.v[d->runs.n - 1] : NULL; }

/* --------------------------------------------------------------------------- events */

static int dg_processing_start(struct digest *d, const zest_event *ev, const struct dg_obj *m) {
    const struct dg_run run = {.t0 = ev->timestamp, .t1 = ev->timestamp};
    ZEST_TRY(DG_PUSH(d->runs, run));
    const int64_t np = dg_int(m, "np");
    d->np = np > 0 && np < DIGEST_MAX_WORKERS ? (int)np : 0;
    const struct json_value *ops = dg_get(m, "ops");
    if (!ops || ops->type != JSON_ARRAY) return 0;
    for (size_t i = 0; i < d->n_ops; i++) free(d->ops[i]);
    free(d->ops);
    d->n_ops = 0;
    if (!(d->ops = calloc(ops->u.arr.n ? ops->u.arr.n : 1, sizeof *d->ops))) return ZEST_E_NOMEM;
    for (size_t i = 0; i < ops->u.arr.n; i++) {
        const struct json_value *s = &ops->u.arr.items[i];
        const char *name = s->type == JSON_STRING ? s->u.str.ptr : "?";
        if (!(d->ops[d->n_ops++] = strdup(name))) return ZEST_E_NOMEM;
    }
    /* a new run: what the last one left running did not finish */
    for (size_t i = 0; i < d->parts.n; i++)
        if (d->parts.v[i].state == DG_RUNNING) d->parts.v[i].state = DG_PENDING;
    return 0;
}

static int dg_processing_end(struct digest *d, const zest_event *ev, const struct dg_obj *m,
                             bool failed) {
    struct dg_run *r = dg_run(d);
    if (!r) return 0;
    r->ended = true;
    r->failed = failed;
    r->t1 = ev->timestamp;
    r->skipped = dg_int(m, "partitions_skipped");
    if (dg_get(m, "bytes_read")) r->bytes_read = dg_int(m, "bytes_read");
    if (dg_get(m, "bytes_written")) r->bytes_written = dg_int(m, "bytes_written");
    const int64_t planned = dg_int(m, "partitions");
    if (planned > 0 && planned <= DIGEST_MAX_PARTITIONS) d->planned = planned;
    return dg_set_str(&r->error, ev->error_message);
}

static int dg_partition_start(struct digest *d, const zest_event *ev) {
    struct dg_part *p = dg_part(d, ev->partition_id);
    if (!p) return ZEST_E_NOMEM;
    p->state = DG_RUNNING;
    p->attempts = ev->attempt > p->attempts ? ev->attempt : p->attempts;
    p->worker = ev->worker;
    p->rank = ev->rank > 0 ? ev->rank : 0;
    p->t0 = ev->timestamp;
    const struct dg_attempt at = {.partition = ev->partition_id, .attempt = ev->attempt,
                                  .worker = ev->worker, .rank = p->rank, .t0 = ev->timestamp};
    return DG_PUSH(d->attempts, at);
}

static int dg_partition_end(struct digest *d, const zest_event *ev, const struct dg_obj *m,
                            bool failed) {
    struct dg_part *p = dg_part(d, ev->partition_id);
    if (!p) return ZEST_E_NOMEM;
    p->state = failed ? DG_FAILED : DG_DONE;
    p->worker = ev->worker;
    p->seconds = isnan(ev->duration) ? 0 : ev->duration;
    p->cpu_s = dg_num(m, "cpu_s", 0);
    /* the input it read: the most any pass or attempt read (a deduplicator's export pass, or
     * a resume, may start from checkpoints and read none) */
    const int64_t rows_in = dg_int(m, "rows_in"), bytes_in = dg_int(m, "bytes_in");
    if (rows_in > p->rows_in) p->rows_in = rows_in;
    if (bytes_in > p->bytes_in) p->bytes_in = bytes_in;
    p->rows_out = dg_int(m, "rows_out");
    p->bytes_out = dg_int(m, "bytes_out");
    struct dg_attempt *at = dg_open_attempt(d, ev->partition_id);
    if (at) {
        at->t1 = ev->timestamp > at->t0 ? ev->timestamp : at->t0 + 1e-6;
        at->failed = failed;
        at->cpu_s = p->cpu_s;
    }
    return dg_set_str(&p->error, failed ? ev->error_message : NULL);
}

static int dg_partition_after_error(struct digest *d, const zest_event *ev, bool skip) {
    struct dg_part *p = dg_part(d, ev->partition_id);
    if (!p) return ZEST_E_NOMEM;
    if (!skip) {
        d->retries++;
        p->state = DG_RETRYING;
        return 0;
    }
    p->state = DG_SKIPPED;
    for (size_t i = d->attempts.n; i-- > 0;)
        if (d->attempts.v[i].partition == ev->partition_id) {
            d->attempts.v[i].skipped = true;
            break;
        }
    return ev->error_message ? dg_set_str(&p->error, ev->error_message) : 0;
}

/* A phase of a global op: summed into its barrier, not counted as a partition's op run. */
static int dg_barrier_phase(struct digest *d, const zest_event *ev, const struct dg_obj *m,
                            const struct json_value *phase) {
    struct dg_barrier *b = NULL;
    for (size_t i = 0; i < d->barriers.n && !b; i++)
        if (d->barriers.v[i].op == ev->operation_idx) b = &d->barriers.v[i];
    if (!b) {
        const struct dg_barrier fresh = {.op = ev->operation_idx, .rows_in = -1, .rows_kept = -1};
        ZEST_TRY(DG_PUSH(d->barriers, fresh));
        b = &d->barriers.v[d->barriers.n - 1];
    }
    const double secs = isnan(ev->duration) ? 0 : ev->duration;
    const char *name = phase->u.str.ptr;
    const size_t n = phase->u.str.len;
    if (n == 9 && !memcmp(name, "signature", 9)) b->signature_s += secs;
    else if (n == 7 && !memcmp(name, "combine", 7)) b->combine_s += secs;
    else if (n == 8 && !memcmp(name, "finalize", 8)) {
        b->finalize_s += secs;
        b->rows_in = dg_int(m, "rows_in");
        b->rows_kept = dg_int(m, "rows_out");
    }
    return 0;
}

static int dg_op_complete(struct digest *d, const zest_event *ev, const struct dg_obj *m) {
    const struct json_value *phase = dg_get(m, "phase");
    if (ev->operation_idx >= 0 && phase && phase->type == JSON_STRING)
        return dg_barrier_phase(d, ev, m, phase);
    if (ev->operation_idx < 0 || ev->partition_id < 0) return 0;
    const double secs = isnan(ev->duration) ? 0 : ev->duration;
    struct dg_part *p = dg_part(d, ev->partition_id);
    if (!p) return ZEST_E_NOMEM;
    p->op_s += secs;
    const struct dg_op_run r = {
        .partition = ev->partition_id, .op = ev->operation_idx, .worker = ev->worker,
        .t0 = ev->timestamp - secs, .seconds = secs, .rows_in = dg_int(m, "rows_in"),
        .rows_out = dg_int(m, "rows_out"), .bytes_in = dg_int(m, "bytes_in"),
        .bytes_out = dg_int(m, "bytes_out")};
    return DG_PUSH(d->op_runs, r);
}

static int dg_checkpoint_save(struct digest *d, const zest_event *ev) {
    d->ckpt_saves++;
    if (ev->partition_id < 0 || isnan(ev->duration)) return 0;
    struct dg_part *p = dg_part(d, ev->partition_id);
    if (!p) return ZEST_E_NOMEM;
    p->ckpt_s += ev->duration;
    return 0;
}

static int dg_resource_sample(struct digest *d, const zest_event *ev, struct arena *a) {
    const struct dg_obj r = dg_parse(ev->resource_usage, a);
    if (!r.ok) return 0;
    struct dg_run *run = dg_run(d);
    if (run) {
        run->cpu_user_s = dg_num(&r, "cpu_user_s", run->cpu_user_s);
        run->cpu_sys_s = dg_num(&r, "cpu_sys_s", run->cpu_sys_s);
        if (!run->ended) {
            run->bytes_read = dg_int(&r, "bytes_read");
            run->bytes_written = dg_int(&r, "bytes_written");
        }
    }
    const struct dg_sample s = {.t = ev->timestamp, .rss_mb = dg_num(&r, "rss_mb", 0),
                                .peak_rss_mb = dg_num(&r, "peak_rss_mb", 0)};
    return DG_PUSH(d->samples, s);
}

static int dg_metric(struct digest *d, const zest_event *ev, struct arena *a) {
    const struct dg_obj pm = dg_parse(ev->performance_metrics, a);
    if (!dg_get(&pm, "interval_s")) return 0; /* operation_complete carries rates too */
    const struct dg_point pt = {.t = ev->timestamp, .rows_per_s = dg_num(&pm, "rows_per_s", 0),
                                .mb_per_s = dg_num(&pm, "mb_per_s", 0)};
    return DG_PUSH(d->points, pt);
}

/* Ids a report can hold: a damaged log may name any number. */
static bool dg_in_range(const zest_event *ev) {
    return ev->partition_id < DIGEST_MAX_PARTITIONS && ev->worker < DIGEST_MAX_WORKERS &&
           ev->operation_idx < DIGEST_MAX_WORKERS && ev->rank < DIGEST_MAX_WORKERS;
}

/* The rank that wrote the event, and its host. */
static int dg_rank_seen(struct digest *d, const zest_event *ev) {
    const int r = ev->rank > 0 ? ev->rank : 0;
    while (d->ranks.n <= (size_t)r) ZEST_TRY(DG_PUSH(d->ranks, (struct dg_rank){0}));
    struct dg_rank *k = &d->ranks.v[r];
    if (!k->seen && ev->host) snprintf(k->host, sizeof k->host, "%s", ev->host);
    k->seen = true;
    return 0;
}

static int dg_event(struct digest *d, const zest_event *ev, struct arena *a) {
    const char *t = ev->event_type;
    if (!dg_in_range(ev)) {
        d->skipped_lines++;
        return 0;
    }
    ZEST_TRY(dg_rank_seen(d, ev));
    /* Resource samples are rank 0's: the other ranks' figures are their own processes'. */
    if (ev->rank > 0 && (!strcmp(t, "resource_usage") || !strcmp(t, "performance_metric")))
        return 0;
    if (!d->job_id && ev->job_id && dg_set_str(&d->job_id, ev->job_id)) return ZEST_E_NOMEM;
    if (d->first_t == 0 || ev->timestamp < d->first_t) d->first_t = ev->timestamp;
    if (ev->timestamp > d->last_t) d->last_t = ev->timestamp;
    struct dg_run *run = dg_run(d);
    if (run && !run->ended && ev->timestamp > run->t1) run->t1 = ev->timestamp;
    const struct dg_obj m = dg_parse(ev->metadata, a);
    if (!strcmp(t, "processing_start")) return dg_processing_start(d, ev, &m);
    if (!strcmp(t, "processing_complete")) return dg_processing_end(d, ev, &m, false);
    if (!strcmp(t, "processing_error")) return dg_processing_end(d, ev, &m, true);
    if (!strcmp(t, "partition_start")) return dg_partition_start(d, ev);
    if (!strcmp(t, "partition_complete")) return dg_partition_end(d, ev, &m, false);
    if (!strcmp(t, "partition_error")) return dg_partition_end(d, ev, &m, true);
    if (!strcmp(t, "partition_retry")) return dg_partition_after_error(d, ev, false);
    if (!strcmp(t, "partition_skip")) return dg_partition_after_error(d, ev, true);
    if (!strcmp(t, "operation_complete")) return dg_op_complete(d, ev, &m);
    if (!strcmp(t, "checkpoint_save")) return dg_checkpoint_save(d, ev);
    if (!strcmp(t, "resource_usage")) return dg_resource_sample(d, ev, a);
    if (!strcmp(t, "performance_metric")) return dg_metric(d, ev, a);
    if (!strcmp(t, "partition_resume") && dg_true(&m, "complete")) {
        struct dg_part *p = dg_part(d, ev->partition_id);
        if (!p) return ZEST_E_NOMEM;
        p->reused = true;
    }
    if (!strcmp(t, "info") && dg_get(&m, "rows_per_partition")) {
        const int64_t planned = dg_int(&m, "partitions");
        if (planned > 0 && planned <= DIGEST_MAX_PARTITIONS) d->planned = planned;
    }
    return 0;
}

static int dg_on_event(const zest_event *ev, void *user) {
    struct dg_ctx *c = user;
    arena_reset(&c->a);
    c->rc = dg_event(c->d, ev, &c->a);
    return c->rc != 0;
}

/* ---------------------------------------------------------------------------- state */

/* True when a zest process holds the job's run lock. */
static bool dg_lock_held(const char *job_dir) {
    char path[4200];
    if (snprintf(path, sizeof path, "%s/.run.lock", job_dir) >= (int)sizeof path) return false;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    int rc;
    while ((rc = flock(fd, LOCK_SH | LOCK_NB)) != 0 && errno == EINTR) {
    }
    const bool held = rc != 0 && errno == EWOULDBLOCK;
    close(fd);
    return held;
}

const char *digest_part_state_name(enum dg_part_state state) {
    static const char *const names[] = {"pending", "running", "done", "retrying", "failed", "skipped"};
    return names[state];
}

const struct dg_run *digest_last_run(const struct digest *d) {
    return d->runs.n ? &d->runs.v[d->runs.n - 1] : NULL;
}

static const char *dg_state(const struct digest *d) {
    const struct dg_run *r = digest_last_run(d);
    if (r && r->ended) return r->failed ? "failed" : r->skipped ? "partial" : "complete";
    return dg_lock_held(d->job_dir) ? "running" : "interrupted";
}

/* Modification time of DIR/events/events.jsonl (0 when none). */
static double dg_log_mtime(const char *dir) {
    char path[4200];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/events/events.jsonl", dir) >= (int)sizeof path) return 0;
    if (stat(path, &st) != 0) return 0;
    return (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec * 1e-9;
}

/* A job directory holds events/; a work directory holds job directories: its job whose log
 * was written last is meant. */
static char *dg_resolve(const char *dir) {
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/events", dir);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return strdup(dir);
    DIR *d = opendir(dir);
    if (!d) return strdup(dir);
    char *best = NULL;
    double best_t = 0;
    const struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path) continue;
        const double t = dg_log_mtime(path);
        if (t <= best_t) continue;
        free(best);
        best = strdup(path);
        best_t = t;
    }
    closedir(d);
    return best ? best : strdup(dir);
}

int digest_load(struct digest *d, const char *job_dir, zest_error *err) {
    memset(d, 0, sizeof *d);
    if (!(d->job_dir = dg_resolve(job_dir))) return err_set(err, ZEST_E_NOMEM, "out of memory");
    job_dir = d->job_dir;
    struct dg_ctx c = {.d = d};
    arena_init(&c.a, 16 << 10);
    int rc = zest_get_events(job_dir, NULL, dg_on_event, &c, &d->skipped_lines, err);
    arena_destroy(&c.a);
    if (rc == 0 && c.rc) rc = err_set(err, c.rc, "%s: out of memory reading its events", job_dir);
    if (rc == 0 && !d->runs.n && !d->parts.n)
        rc = err_set_at(err, ZEST_E_NOTFOUND, job_dir, 0, -1, "the event log holds no run");
    if (rc == 0) d->state = dg_state(d);
    for (size_t i = 0; rc == 0 && strcmp(d->state, "running") && i < d->parts.n; i++)
        if (d->parts.v[i].state == DG_RUNNING) d->parts.v[i].state = DG_PENDING; /* killed */
    if (rc) digest_free(d);
    return rc;
}

void digest_free(struct digest *d) {
    if (!d) return;
    for (size_t i = 0; i < d->parts.n; i++) free(d->parts.v[i].error);
    for (size_t i = 0; i < d->runs.n; i++) free(d->runs.v[i].error);
    for (size_t i = 0; i < d->n_ops; i++) free(d->ops[i]);
    free(d->ops);
    free(d->parts.v);
    free(d->attempts.v);
    free(d->op_runs.v);
    free(d->runs.v);
    free(d->samples.v);
    free(d->points.v);
    free(d->barriers.v);
    free(d->ranks.v);
    free(d->job_id);
    free(d->job_dir);
    memset(d, 0, sizeof *d);
}

double digest_run_seconds(const struct digest *d) {
    double s = 0;
    for (size_t i = 0; i < d->runs.n; i++) s += d->runs.v[i].t1 - d->runs.v[i].t0;
    return s > 0 ? s : d->last_t - d->first_t;
}

const char *digest_state(const struct digest *d) { return d->state; }

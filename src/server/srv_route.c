/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srv_route.c - the server's routes as a table: each GET path and the function that builds
 * its reply from the public library calls (zest_generate_status_report, zest_get_events,
 * zest_get_performance_summary: the same calls as `zest status`, `zest events` and `zest
 * report`), or from the embedded page. Never touches the network. Depends on common/ and
 * io/json.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../io/json.h"
#include "server.h"

#define SRV_JSON "application/json; charset=utf-8"

void srv_query_set(struct srv_query *q, const char *key, const char *value) {
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"job", offsetof(struct srv_query, job)},
        {"type", offsetof(struct srv_query, type)},
        {"partition", offsetof(struct srv_query, partition)},
        {"op", offsetof(struct srv_query, op)},
        {"since", offsetof(struct srv_query, since)},
        {"until", offsetof(struct srv_query, until)},
        {"level", offsetof(struct srv_query, level)},
        {"limit", offsetof(struct srv_query, limit)},
        {"backlog", offsetof(struct srv_query, backlog)},
        {"token", offsetof(struct srv_query, token)},
    };
    if (!key || !value) return;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(key, keys[i].key) != 0) continue;
        if (strlen(value) >= SRV_ARG_MAX) {
            q->too_long = 1;
            return;
        }
        memcpy((char *)q + keys[i].off, value, strlen(value) + 1);
        return;
    }
}

void srv_reply_free(struct srv_reply *r) {
    if (!r->is_static) free(r->body);
    r->body = NULL;
}

/* An error reply {"error": why} with `status`. */
static void route_error(struct srv_reply *r, int status, const char *why) {
    struct buf b;
    buf_init(&b, 0);
    r->status = status;
    r->content_type = SRV_JSON;
    if (buf_append(&b, "{\"error\":", 9) || json_write_string(&b, why, strlen(why)) ||
        buf_append(&b, "}\n", 3)) {
        buf_free(&b);
        r->body = NULL;
        r->len = 0;
        return;
    }
    r->body = b.data;
    r->len = b.len - 1;
}

/* The HTTP status of a library status. */
static int route_http_status(int rc) {
    switch (rc) {
    case ZEST_E_NOTFOUND: return 404;
    case ZEST_E_PARAM:
    case ZEST_E_USAGE: return 400;
    default: return 500;
    }
}

static void route_json(struct srv_reply *r, char *text) {
    r->status = 200;
    r->content_type = SRV_JSON;
    r->body = text;
    r->len = strlen(text);
}

/* Resolves the job; on failure fills the error reply and returns non-zero. */
static int route_job(const char *root, const struct srv_query *q, char *dir, size_t cap,
                     struct srv_reply *r) {
    const char *why = "";
    const int rc = srv_job_dir(root, q->job, dir, cap, &why);
    if (rc) route_error(r, route_http_status(rc), why);
    return rc;
}

static void route_status(const char *root, const struct srv_query *q, struct srv_reply *r) {
    char dir[4200];
    if (route_job(root, q, dir, sizeof dir, r)) return;
    zest_status_report *st = NULL;
    char *text = NULL;
    zest_error err;
    zest_error_clear(&err);
    int rc = zest_generate_status_report(dir, &st, &err);
    if (rc == 0) rc = zest_status_report_json(st, &text, &err);
    zest_status_report_destroy(st);
    if (rc)
        route_error(r, route_http_status(rc), err.msg);
    else
        route_json(r, text);
}

static void route_report(const char *root, const struct srv_query *q, struct srv_reply *r) {
    char dir[4200];
    if (route_job(root, q, dir, sizeof dir, r)) return;
    zest_perf_summary *s = NULL;
    char *text = NULL;
    zest_error err;
    zest_error_clear(&err);
    int rc = zest_get_performance_summary(dir, q->op[0] ? q->op : NULL, &s, &err);
    if (rc == 0) rc = zest_perf_summary_json(s, &text, &err);
    zest_perf_summary_destroy(s);
    if (rc)
        route_error(r, route_http_status(rc), err.msg);
    else
        route_json(r, text);
}

/* A number from a query argument: the whole value must be one finite number. */
static int route_number(const char *s, double lo, double hi, double *out) {
    char *end = NULL;
    errno = 0;
    const double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int srv_event_filter(const struct srv_query *q, zest_event_filter *f, const char **why) {
    static const char *const levels[] = {"DEBUG", "INFO", "WARNING", "ERROR",
                                         "debug", "info", "warning", "error"};
    double v = 0;
    memset(f, 0, sizeof *f);
    f->partition_id = -1;
    f->types = q->type[0] ? q->type : NULL;
    f->op = q->op[0] ? q->op : NULL;
    if (q->partition[0] && route_number(q->partition, 0, 1e15, &v) == 0 && v == floor(v))
        f->partition_id = (int64_t)v;
    else if (q->partition[0])
        return *why = "partition: not a partition id", ZEST_E_PARAM;
    if (q->since[0] && route_number(q->since, 0, 1e11, &f->since) != 0)
        return *why = "since: not epoch seconds", ZEST_E_PARAM;
    if (q->until[0] && route_number(q->until, 0, 1e11, &f->until) != 0)
        return *why = "until: not epoch seconds", ZEST_E_PARAM;
    if (q->limit[0] && route_number(q->limit, 1, SRV_EVENTS_MAX, &v) == 0 && v == floor(v))
        f->limit = (size_t)v;
    else if (q->limit[0])
        return *why = "limit: not a count from 1 to 10000", ZEST_E_PARAM;
    else
        f->limit = SRV_EVENTS_DEFAULT;
    for (size_t i = 0; q->level[0] && i < sizeof levels / sizeof levels[0]; i++)
        if (!strcmp(q->level, levels[i])) f->min_level = levels[i % 4];
    if (q->level[0] && !f->min_level)
        return *why = "level: one of DEBUG, INFO, WARNING, ERROR", ZEST_E_PARAM;
    return 0;
}

struct route_events {
    struct buf b;
    size_t n;
    int rc;
};

static int route_on_event(const zest_event *ev, void *user) {
    struct route_events *c = user;
    if (c->n++ && (c->rc = buf_putc(&c->b, ',')) != 0) return 1;
    c->rc = buf_append(&c->b, ev->json, strlen(ev->json));
    return c->rc != 0;
}

static void route_events(const char *root, const struct srv_query *q, struct srv_reply *r) {
    char dir[4200];
    zest_event_filter f;
    const char *why = "";
    if (srv_event_filter(q, &f, &why)) {
        route_error(r, 400, why);
        return;
    }
    if (route_job(root, q, dir, sizeof dir, r)) return;
    struct route_events c = {.rc = 0};
    buf_init(&c.b, (size_t)256 << 20);
    size_t skipped = 0;
    zest_error err;
    zest_error_clear(&err);
    int rc = buf_append(&c.b, "{\"events\":[", 11);
    if (rc == 0) rc = zest_get_events(dir, &f, route_on_event, &c, &skipped, &err);
    if (rc == 0 && c.rc) rc = c.rc, snprintf(err.msg, sizeof err.msg, "out of memory");
    if (rc == 0) rc = buf_printf(&c.b, "],\"skipped\":%zu}\n", skipped);
    if (rc) {
        buf_free(&c.b);
        {
            route_error(r, route_http_status(rc), err.msg);
            return;
        }
    }
    r->status = 200;
    r->content_type = SRV_JSON;
    r->body = c.b.data;
    r->len = c.b.len;
}

static void route_jobs(const char *root, const struct srv_query *q, struct srv_reply *r) {
    (void)q;
    char *text = NULL;
    size_t len = 0;
    if (srv_jobs_json(root, &text, &len)) {
        route_error(r, 500, "out of memory");
        return;
    }
    route_json(r, text);
}

static void route_metrics(const char *root, const struct srv_query *q, struct srv_reply *r) {
    char dir[4200];
    if (route_job(root, q, dir, sizeof dir, r)) return;
    zest_error err;
    zest_error_clear(&err);
    const int rc = srv_metrics_text(dir, &r->body, &r->len, &err);
    if (rc) {
        route_error(r, route_http_status(rc), err.msg);
        return;
    }
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static void route_timeline(const char *root, const struct srv_query *q, struct srv_reply *r) {
    char dir[4200];
    if (route_job(root, q, dir, sizeof dir, r)) return;
    zest_error err;
    zest_error_clear(&err);
    const int rc = srv_timeline_json(dir, &r->body, &r->len, &err);
    if (rc) {
        route_error(r, route_http_status(rc), err.msg);
        return;
    }
    r->status = 200;
    r->content_type = SRV_JSON;
}

static void route_stream(const char *root, const struct srv_query *q, struct srv_reply *r) {
    char dir[4200];
    zest_event_filter f;
    const char *why = "";
    if (srv_event_filter(q, &f, &why)) {
        route_error(r, 400, why);
        return;
    }
    if (route_job(root, q, dir, sizeof dir, r)) return;
    r->status = 200;
    r->sse = 1;
}

static const struct route {
    const char *path;
    void (*fn)(const char *root, const struct srv_query *q, struct srv_reply *r);
} routes[] = {
    {"/api/jobs", route_jobs},
    {"/api/status", route_status},
    {"/api/report", route_report},
    {"/api/events", route_events},
    {"/api/events/stream", route_stream},
    {"/api/timeline", route_timeline},
    {"/metrics", route_metrics},
};

void srv_route(const char *root, const char *path, const struct srv_query *q, struct srv_reply *r) {
    memset(r, 0, sizeof *r);
    if (q->too_long) {
        route_error(r, 400, "a query argument is too long");
        return;
    }
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (!strcmp(path, routes[i].path)) {
            routes[i].fn(root, q, r);
            return;
        }
    const struct srv_file *f = srv_www_find(path);
    if (!f) {
        route_error(r, 404, "not found");
        return;
    }
    r->status = 200;
    r->content_type = f->content_type;
    r->body = (char *)f->data;
    r->len = f->len;
    r->is_static = 1;
}

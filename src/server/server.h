/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server.h - internals of the monitoring server: the request as the router sees it (path and
 * the few query arguments it knows, already bounded), the reply it builds, the routes, the
 * metrics rendering and the embedded page. srv_http.c owns the sockets (libmicrohttpd);
 * srv_route.c, srv_metrics.c and srv_jobs.c never touch the network, so a unit test or a fuzz
 * target can drive them directly. Depends on common/, io/json.h and the public API (zest.h).
 */
#ifndef ZEST_SERVER_H
#define ZEST_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "zest.h"

/* Longest value kept of a query argument; a longer one is refused (400). */
#define SRV_ARG_MAX 256
/* Events one /api/events answer holds at most, and its default. */
#define SRV_EVENTS_MAX 10000
#define SRV_EVENTS_DEFAULT 1000
/* Jobs listed by /api/jobs at most. */
#define SRV_JOBS_MAX 500

/* The query arguments the API reads; "" when absent. */
struct srv_query {
    char job[SRV_ARG_MAX], type[SRV_ARG_MAX], partition[SRV_ARG_MAX], op[SRV_ARG_MAX],
        since[SRV_ARG_MAX], until[SRV_ARG_MAX], level[SRV_ARG_MAX], limit[SRV_ARG_MAX],
        backlog[SRV_ARG_MAX], token[SRV_ARG_MAX];
    int too_long; /* an argument was longer than SRV_ARG_MAX - 1 */
};

/* Stores `value` under `key` when the API knows the key; unknown keys are ignored. */
void srv_query_set(struct srv_query *q, const char *key, const char *value);

/* A reply: `body` is malloc'd unless `is_static` (then it points into the embedded set). */
struct srv_reply {
    int status;
    const char *content_type;
    char *body;
    size_t len;
    int is_static;
    int sse; /* the route is the event stream: srv_http.c serves it itself */
};
void srv_reply_free(struct srv_reply *r);

/* Routes one GET: fills `r` (always; an error becomes a JSON {"error": ...} body). `root` is
 * the served directory. */
void srv_route(const char *root, const char *path, const struct srv_query *q, struct srv_reply *r);

/* The job directory a request means: `root` itself when it holds events/, else root/JOB
 * (JOB a plain name: no '/', not starting with '.'), else the job of root whose log was
 * written last. 0, or ZEST_E_NOTFOUND / ZEST_E_PARAM with `why` set. */
int srv_job_dir(const char *root, const char *job, char *out, size_t cap, const char **why);
/* The JSON array of the jobs under `root`, newest log first, into a malloc'd string. */
int srv_jobs_json(const char *root, char **out, size_t *len);

/* The event filter of a query. 0, or ZEST_E_PARAM with `why` naming the argument. The
 * filter's strings point into `q`. */
int srv_event_filter(const struct srv_query *q, zest_event_filter *f, const char **why);

/* The Prometheus text exposition of the job in `job_dir` into a malloc'd string. */
int srv_metrics_text(const char *job_dir, char **out, size_t *len, zest_error *err);

/* The Gantt spans, op names and memory samples of the job (/api/timeline). */
int srv_timeline_json(const char *job_dir, char **out, size_t *len, zest_error *err);

/* One embedded file of the page. */
struct srv_file {
    const char *path; /* "/index.html" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
};
extern const struct srv_file srv_www_files[];
extern const size_t srv_www_count;
/* The embedded file at `path` ("/" is "/index.html"), or NULL. */
const struct srv_file *srv_www_find(const char *path);

#endif

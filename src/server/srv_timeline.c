/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srv_timeline.c - /api/timeline: what the page draws over time and the report's JSON does
 * not carry: every bar of the Gantt chart (zest_perf_summary's spans: an attempt at a
 * partition, or one op within it, per worker) and the memory samples of the resource_usage
 * events. Compact arrays, since a large job has many spans. Depends on common/, io/json.h
 * and the public API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "../io/json.h"
#include "server.h"

/* Memory samples kept at most (the newest). */
#define TL_SAMPLES 2000

struct tl_rss {
    double t[TL_SAMPLES], mb[TL_SAMPLES];
    size_t n, head; /* a ring once full */
};

static int tl_on_event(const zest_event *ev, void *user) {
    struct tl_rss *r = user;
    const char *p = ev->resource_usage ? strstr(ev->resource_usage, "\"rss_mb\":") : NULL;
    if (!p) return 0;
    const size_t i = r->n < TL_SAMPLES ? r->n++ : (r->head++ % TL_SAMPLES);
    r->t[i] = ev->timestamp;
    r->mb[i] = strtod(p + 9, NULL);
    return 0;
}

static int tl_spans(struct buf *b, const zest_perf_summary *s) {
    int rc = buf_append(b, ",\"spans\":[", 10);
    for (size_t i = 0; rc == 0 && i < s->n_spans; i++) {
        const zest_span *x = &s->spans[i];
        rc = buf_printf(b, "%s[%lld,%d,%d,%d,%.3f,%.3f,%d,%d]", i ? "," : "",
                        (long long)x->partition, x->worker, x->attempt, x->op, x->t0, x->t1,
                        x->failed, x->skipped);
    }
    return rc ? rc : buf_putc(b, ']');
}

static int tl_ops(struct buf *b, const zest_perf_summary *s) {
    int rc = buf_append(b, ",\"ops\":[", 8);
    for (size_t i = 0; rc == 0 && i < s->n_ops; i++) {
        if (i) rc = buf_putc(b, ',');
        if (rc == 0) rc = json_write_string(b, s->ops[i].name, strlen(s->ops[i].name));
    }
    return rc ? rc : buf_putc(b, ']');
}

static int tl_rss_json(struct buf *b, const struct tl_rss *r, double t0) {
    int rc = buf_append(b, ",\"rss\":[", 8);
    for (size_t k = 0; rc == 0 && k < r->n; k++) {
        const size_t i = r->n < TL_SAMPLES ? k : (r->head + k) % TL_SAMPLES;
        rc = buf_printf(b, "%s[%.3f,%.3f]", k ? "," : "", r->t[i] - t0, r->mb[i]);
    }
    return rc ? rc : buf_putc(b, ']');
}

int srv_timeline_json(const char *job_dir, char **out, size_t *len, zest_error *err) {
    zest_perf_summary *s = NULL;
    struct tl_rss *r = calloc(1, sizeof *r);
    struct buf b;
    buf_init(&b, 0);
    int rc = r ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory");
    const zest_event_filter f = {.types = "resource_usage", .partition_id = -1};
    if (rc == 0) rc = zest_get_performance_summary(job_dir, NULL, &s, err);
    if (rc == 0) rc = zest_get_events(job_dir, &f, tl_on_event, r, NULL, err);
    if (rc == 0 && (buf_printf(&b, "{\"started\":%.6f,\"wall_s\":%.3f,\"workers\":%d", s->started,
                               s->wall_s, s->workers) ||
                    tl_ops(&b, s) || tl_spans(&b, s) || tl_rss_json(&b, r, s->started) ||
                    buf_append(&b, "}\n", 3)))
        rc = err_set(err, ZEST_E_NOMEM, "out of memory");
    zest_perf_summary_destroy(s);
    free(r);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    *out = b.data;
    *len = b.len - 1;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srv_metrics.c - the Prometheus text exposition (format 0.0.4) of one job: partitions by
 * state, rows and bytes, retries, skips, checkpoint files and bytes, memory, and per-op rows
 * and time, from the same library calls as `zest status` and `zest report`, plus events by
 * type from one pass over the event log. Every family has HELP and TYPE lines; label values
 * are escaped as the format says. Depends on common/ and the public API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "server.h"

/* Distinct event types counted; the log has fewer than this many. */
#define MET_TYPES 64

struct met_events {
    char type[MET_TYPES][40];
    int64_t count[MET_TYPES];
    size_t n;
    double rss_mb; /* of the latest resource sample; -1 before one */
};

static int met_on_event(const zest_event *ev, void *user) {
    struct met_events *m = user;
    const char *t = ev->event_type ? ev->event_type : "";
    size_t i = 0;
    while (i < m->n && strcmp(m->type[i], t) != 0)
        i++;
    if (i == m->n && m->n < MET_TYPES && strlen(t) < sizeof m->type[0])
        snprintf(m->type[m->n++], sizeof m->type[0], "%s", t);
    if (i < m->n) m->count[i]++;
    const char *rss = ev->resource_usage ? strstr(ev->resource_usage, "\"rss_mb\":") : NULL;
    if (rss) m->rss_mb = strtod(rss + 9, NULL);
    return 0;
}

/* A label value with \\, \" and \n escaped. */
static int met_label(struct buf *b, const char *s) {
    int rc = 0;
    for (; *s && rc == 0; s++) {
        if (*s == '\\')
            rc = buf_append(b, "\\\\", 2);
        else if (*s == '"')
            rc = buf_append(b, "\\\"", 2);
        else if (*s == '\n')
            rc = buf_append(b, "\\n", 2);
        else
            rc = buf_putc(b, *s);
    }
    return rc;
}

static int met_head(struct buf *b, const char *name, const char *type, const char *help) {
    return buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{job_id="..."[,KEY="VALUE"]} value */
static int met_sample(struct buf *b, const char *name, const char *job, const char *key,
                      const char *value, double v) {
    int rc = buf_printf(b, "%s{job_id=\"", name);
    if (rc == 0) rc = met_label(b, job);
    if (rc == 0 && key) rc = buf_printf(b, "\",%s=\"", key);
    if (rc == 0 && key) rc = met_label(b, value);
    if (rc == 0) rc = buf_printf(b, "\"} %.17g\n", v);
    return rc;
}

static int met_one(struct buf *b, const char *name, const char *type, const char *help,
                   const char *job, double v) {
    int rc = met_head(b, name, type, help);
    return rc ? rc : met_sample(b, name, job, NULL, NULL, v);
}

static int met_status(struct buf *b, const zest_status_report *st) {
    const char *j = st->job_id;
    static const char *const states[] = {"pending",  "running", "done",
                                         "retrying", "failed",  "skipped"};
    const int64_t counts[] = {st->pending,  st->running, st->done,
                              st->retrying, st->failed,  st->skipped};
    int rc = met_head(b, "zest_job_info", "gauge", "The job and its state (always 1).");
    if (rc == 0) rc = buf_printf(b, "zest_job_info{job_id=\"");
    if (rc == 0) rc = met_label(b, j);
    if (rc == 0) rc = buf_printf(b, "\",state=\"");
    if (rc == 0) rc = met_label(b, st->state);
    if (rc == 0) rc = buf_printf(b, "\"} 1\n");
    if (rc == 0) rc = met_head(b, "zest_partitions", "gauge", "Partitions by state.");
    for (size_t i = 0; rc == 0 && i < 6; i++)
        rc = met_sample(b, "zest_partitions", j, "state", states[i], (double)counts[i]);
    if (rc == 0)
        rc = met_one(b, "zest_partitions_planned", "gauge", "Partitions in the plan.", j,
                     (double)st->partitions);
    if (rc == 0)
        rc = met_one(b, "zest_retries_total", "counter", "Partition retry attempts.", j,
                     (double)st->retries);
    if (rc == 0)
        rc = met_one(b, "zest_partitions_skipped_total", "counter",
                     "Partitions skipped after their retries.", j, (double)st->skipped);
    if (rc == 0)
        rc = met_one(b, "zest_rows_in_total", "counter", "Rows read by the partitions done.", j,
                     (double)st->rows_in);
    if (rc == 0)
        rc = met_one(b, "zest_rows_out_total", "counter", "Rows kept by the partitions done.", j,
                     (double)st->rows_out);
    if (rc == 0)
        rc = met_one(b, "zest_bytes_in_total", "counter", "Input bytes of the partitions done.", j,
                     (double)st->bytes_in);
    if (rc == 0)
        rc = met_one(b, "zest_checkpoint_files", "gauge", "Checkpoint files on disk.", j,
                     (double)st->checkpoints);
    if (rc == 0)
        rc = met_one(b, "zest_checkpoint_bytes", "gauge", "Bytes under checkpoints/.", j,
                     (double)st->checkpoint_bytes);
    if (rc == 0)
        rc = met_one(b, "zest_elapsed_seconds", "gauge", "Run time of the job, summed.", j,
                     st->elapsed_s);
    if (rc == 0 && st->eta_s >= 0)
        rc = met_one(b, "zest_eta_seconds", "gauge", "Estimated seconds left.", j, st->eta_s);
    return rc;
}

static int met_ops(struct buf *b, const zest_perf_summary *s, const char *j) {
    static const struct {
        const char *name, *type, *help;
        size_t off;
    } fam[] = {
        {"zest_op_rows_in_total", "counter", "Rows into the op.", offsetof(zest_op_perf, rows_in)},
        {"zest_op_rows_out_total", "counter", "Rows out of the op.",
         offsetof(zest_op_perf, rows_out)},
    };
    int rc = 0;
    for (size_t f = 0; rc == 0 && f < 2; f++) {
        rc = met_head(b, fam[f].name, fam[f].type, fam[f].help);
        for (size_t i = 0; rc == 0 && i < s->n_ops; i++) {
            const int64_t v = *(const int64_t *)((const char *)&s->ops[i] + fam[f].off);
            rc = met_sample(b, fam[f].name, j, "op", s->ops[i].name, (double)v);
        }
    }
    if (rc == 0) rc = met_head(b, "zest_op_seconds_total", "counter", "Seconds spent in the op.");
    for (size_t i = 0; rc == 0 && i < s->n_ops; i++)
        rc = met_sample(b, "zest_op_seconds_total", j, "op", s->ops[i].name, s->ops[i].total_s);
    if (rc == 0)
        rc = met_one(b, "zest_peak_rss_bytes", "gauge", "Peak resident memory of the job.", j,
                     s->peak_rss_mb * 1048576.0);
    return rc;
}

static int met_events(struct buf *b, const struct met_events *m, const char *j) {
    int rc = 0;
    if (m->rss_mb >= 0)
        rc = met_one(b, "zest_rss_bytes", "gauge", "Resident memory at the latest sample.", j,
                     m->rss_mb * 1048576.0);
    if (rc == 0) rc = met_head(b, "zest_events_total", "counter", "Events logged, by type.");
    for (size_t i = 0; rc == 0 && i < m->n; i++)
        rc = met_sample(b, "zest_events_total", j, "type", m->type[i], (double)m->count[i]);
    return rc;
}

int srv_metrics_text(const char *job_dir, char **out, size_t *len, zest_error *err) {
    zest_status_report *st = NULL;
    zest_perf_summary *s = NULL;
    struct met_events *m = calloc(1, sizeof *m);
    struct buf b;
    buf_init(&b, 0);
    int rc = m ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory");
    if (m) m->rss_mb = -1;
    if (rc == 0) rc = zest_generate_status_report(job_dir, &st, err);
    if (rc == 0) rc = zest_get_performance_summary(job_dir, NULL, &s, err);
    if (rc == 0) rc = zest_get_events(job_dir, NULL, met_on_event, m, NULL, err);
    if (rc == 0 && (met_status(&b, st) || met_ops(&b, s, st->job_id) ||
                    met_events(&b, m, st->job_id) || buf_putc(&b, '\0')))
        rc = err_set(err, ZEST_E_NOMEM, "out of memory");
    zest_status_report_destroy(st);
    zest_perf_summary_destroy(s);
    free(m);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    *out = b.data;
    *len = b.len - 1;
    return 0;
}

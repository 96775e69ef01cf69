/* SPDX-License-Identifier: Apache-2.0 */
/*
 * html.h - the visual report: one self-contained HTML file (inline CSS and SVG, no script, no
 * network) with a Gantt chart of partitions over time per worker coloured by op (failed
 * attempts and skipped partitions marked), throughput over time, the time share of each op,
 * and the table of bottleneck findings. The renderer takes plain arrays, so it knows nothing
 * of events; the report module fills them. Depends on common/ (buf).
 */
#ifndef ZEST_HTML_H
#define ZEST_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

enum html_span_kind {
    HTML_SPAN_RUN = 0, /* ops that ran and completed */
    HTML_SPAN_FAILED,  /* an attempt that failed and was retried (or ended the run) */
    HTML_SPAN_SKIPPED, /* the last attempt of a partition that was skipped */
};

/* One bar: partition `partition` on `worker` from t0 to t1 (seconds since the job's start),
 * running op `op` (an index into ops, or -1 for none: reading, merging). */
struct html_span {
    int64_t partition;
    int worker;
    int op;
    double t0, t1;
    enum html_span_kind kind;
};

/* A throughput sample at t seconds. */
struct html_point {
    double t;
    double rows_per_s;
    double mb_per_s;
};

struct html_op {
    const char *name;
    double seconds; /* summed over partitions */
};

struct html_finding {
    const char *kind;    /* e.g. "dominant_op" */
    const char *message; /* a sentence with its numbers and the config key to change */
};

struct html_input {
    const char *job_id;
    const char *state;  /* complete, partial, failed, running, interrupted */
    double duration;    /* seconds, the chart's width */
    int workers;        /* lanes of the chart */
    int64_t partitions; /* each gets one <g class="partition"> in the chart */
    const struct html_span *spans;
    size_t n_spans;
    const struct html_point *points;
    size_t n_points;
    const struct html_op *ops;
    size_t n_ops;
    const struct html_finding *findings;
    size_t n_findings;
};

/* Appends the whole HTML document to out. Returns 0 or ZEST_E_NOMEM. Every partition below
 * in->partitions has exactly one `<g class="partition" data-partition="P">` group in the
 * chart (empty when it has no span), so a reader can count them. */
int html_report(const struct html_input *in, struct buf *out);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* report_html.c - zest_perf_summary_html: the summary handed to the HTML renderer (html.c). */
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "../common/fsutil.h"
#include "html.h"
#include "report.h"

static int rh_fill(const zest_perf_summary *s, struct html_input *in) {
    const size_t n_spans = s->n_spans, n_ops = s->n_ops, n_f = s->n_findings;
    struct html_span *spans = calloc(n_spans ? n_spans : 1, sizeof *spans);
    struct html_point *points = calloc(s->n_points ? s->n_points : 1, sizeof *points);
    struct html_op *ops = calloc(n_ops ? n_ops : 1, sizeof *ops);
    struct html_finding *f = calloc(n_f ? n_f : 1, sizeof *f);
    in->spans = spans;
    in->points = points;
    in->ops = ops;
    in->findings = f;
    if (!spans || !points || !ops || !f) return ZEST_E_NOMEM;
    double end = s->wall_s;
    for (size_t i = 0; i < n_spans; i++) {
        const zest_span *x = &s->spans[i];
        spans[i] = (struct html_span){
            .partition = x->partition, .worker = x->worker, .op = x->op, .t0 = x->t0, .t1 = x->t1,
            .kind = x->skipped ? HTML_SPAN_SKIPPED : x->failed ? HTML_SPAN_FAILED : HTML_SPAN_RUN};
        if (x->t1 > end) end = x->t1; /* a resumed job's chart spans the wait in between */
    }
    for (size_t i = 0; i < s->n_points; i++)
        points[i] = (struct html_point){.t = s->points[i].t, .rows_per_s = s->points[i].rows_per_s,
                                        .mb_per_s = s->points[i].mb_per_s};
    for (size_t i = 0; i < n_ops; i++)
        ops[i] = (struct html_op){.name = s->ops[i].name, .seconds = s->ops[i].total_s};
    for (size_t i = 0; i < n_f; i++)
        f[i] = (struct html_finding){.kind = s->findings[i].kind, .message = s->findings[i].message};
    in->job_id = s->job_id;
    in->state = s->state;
    in->duration = end;
    in->workers = s->workers;
    in->partitions = s->partitions > (int64_t)s->n_partitions ? s->partitions : (int64_t)s->n_partitions;
    in->n_spans = n_spans;
    in->n_points = s->n_points;
    in->n_ops = n_ops;
    in->n_findings = n_f;
    return 0;
}

int zest_perf_summary_html(const zest_perf_summary *s, char **out, zest_error *err) {
    struct html_input in = {0};
    struct buf b;
    buf_init(&b, 0);
    int rc = rh_fill(s, &in);
    if (rc == 0) rc = html_report(&in, &b);
    if (rc == 0) rc = buf_putc(&b, '\0');
    free((void *)in.spans);
    free((void *)in.points);
    free((void *)in.ops);
    free((void *)in.findings);
    if (rc) {
        buf_free(&b);
        return err_set(err, rc, "cannot render the HTML report: %s", zest_strerror(rc));
    }
    *out = b.data;
    return 0;
}

int zest_perf_summary_write_html(const zest_perf_summary *s, const char *path, zest_error *err) {
    char *html = NULL;
    int rc = zest_perf_summary_html(s, &html, err);
    if (rc == 0) rc = fsutil_write_atomic(path, html, strlen(html), err);
    free(html);
    return rc;
}

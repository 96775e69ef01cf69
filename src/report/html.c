/* SPDX-License-Identifier: Apache-2.0 */
/* html.c - the self-contained HTML report (see html.h). */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zest.h"

/* Chart geometry, in CSS pixels. */
#define HTML_LEFT 90    /* worker labels */
#define HTML_WIDTH 960  /* the time axis */
#define HTML_LANE 26    /* one worker */
#define HTML_BAR 18     /* a bar inside its lane */
#define HTML_PLOT_H 160 /* the throughput plot */

/* Op colours, repeated past ten ops; reading and merging (op -1) are grey. */
static const char *const html_palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1",
                                           "#76b7b2", "#edc948", "#9c755f", "#ff9da7",
                                           "#e15759", "#bab0ac"};
#define HTML_N_COLOURS (sizeof html_palette / sizeof html_palette[0])

/* The document being written; the first allocation failure sticks and stops all writing,
 * so a short document is never mistaken for a whole one. */
struct html_out {
    struct buf *b;
    int err;
};

static void out_printf(struct html_out *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void out_printf(struct html_out *o, const char *fmt, ...) {
    if (o->err) return;
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(o->b, (size_t)n + 1)) {
        o->err = ZEST_E_NOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(o->b->data + o->b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    o->b->len += (size_t)n;
}

static void out_putc(struct html_out *o, char c) {
    if (!o->err && buf_putc(o->b, c)) o->err = ZEST_E_NOMEM;
}

static const char *html_colour(int op) {
    return op < 0 ? "#999999" : html_palette[(size_t)op % HTML_N_COLOURS];
}

/* Text into HTML (element content and attribute values alike). */
static void html_text(struct html_out *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': out_printf(b, "&amp;"); break;
        case '<': out_printf(b, "&lt;"); break;
        case '>': out_printf(b, "&gt;"); break;
        case '"': out_printf(b, "&quot;"); break;
        case '\'': out_printf(b, "&#39;"); break;
        default: out_putc(b, *s);
        }
    }
}

static double html_x(const struct html_input *in, double t) {
    const double d = in->duration > 0 ? in->duration : 1;
    const double f = t < 0 ? 0 : t > d ? 1 : t / d;
    return HTML_LEFT + f * HTML_WIDTH;
}

static const char *html_op_name(const struct html_input *in, int op) {
    return op >= 0 && (size_t)op < in->n_ops ? in->ops[op].name : "read / merge";
}

static void html_head(const struct html_input *in, struct html_out *b) {
    out_printf(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<title>zest report ");
    html_text(b, in->job_id);
    out_printf(b, "</title>\n<style>\n"
                  "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}\n"
                  "h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n"
                  "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
                  "text-align:left;vertical-align:top}\n"
                  ".axis{font-size:11px;fill:#555}.lane{fill:#f4f4f4}\n"
                  ".failed{stroke:#c00;stroke-width:2;stroke-dasharray:3 2}\n"
                  ".skipped{stroke:#c00;stroke-width:2}\n"
                  ".legend span{display:inline-block;margin-right:14px}"
                  ".legend i{display:inline-block;width:12px;height:12px;margin-right:4px;"
                  "vertical-align:-1px}\n"
                  "</style></head><body>\n<h1>zest report: job ");
    html_text(b, in->job_id);
    out_printf(b, "</h1>\n<p>state <b>");
    html_text(b, in->state);
    out_printf(b, "</b>, %.3f s, %lld partitions, %d workers</p>\n", in->duration,
               (long long)in->partitions, in->workers);
}

static void html_legend(const struct html_input *in, struct html_out *b) {
    out_printf(b, "<p class=\"legend\">");
    for (int op = -1; op < (int)in->n_ops; op++) {
        out_printf(b, "<span><i style=\"background:%s\"></i>", html_colour(op));
        html_text(b, html_op_name(in, op));
        out_printf(b, "</span>");
    }
    out_printf(b, "<span><i style=\"border:2px dashed #c00\"></i>failed attempt</span>"
                  "<span><i style=\"background:url(#hatch);border:2px solid #c00\"></i>skipped"
                  "</span></p>\n");
}

static void html_bar(const struct html_input *in, const struct html_span *s, struct html_out *b) {
    static const char *const kinds[] = {"run", "failed", "skipped"};
    const double x0 = html_x(in, s->t0), x1 = html_x(in, s->t1);
    const double y = 24 + (double)s->worker * HTML_LANE + (HTML_LANE - HTML_BAR) / 2.0;
    const char *fill = s->kind == HTML_SPAN_SKIPPED ? "url(#hatch)" : html_colour(s->op);
    out_printf(b, "<rect class=\"bar %s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" "
                  "fill=\"%s\"><title>partition %lld, ",
               kinds[s->kind], x0, y, x1 - x0 < 0.5 ? 0.5 : x1 - x0, HTML_BAR, fill,
               (long long)s->partition);
    html_text(b, html_op_name(in, s->op));
    out_printf(b, ", %.3f-%.3f s%s</title></rect>", s->t0, s->t1,
               s->kind == HTML_SPAN_FAILED ? " (failed attempt)"
               : s->kind == HTML_SPAN_SKIPPED ? " (skipped)" : "");
}

static int html_by_partition(const void *a, const void *b, void *spans) {
    const struct html_span *s = spans;
    const struct html_span *x = &s[*(const size_t *)a], *y = &s[*(const size_t *)b];
    if (x->partition != y->partition) return x->partition < y->partition ? -1 : 1;
    return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

/* Span indexes in partition order (then time), so each partition's bars form one group. */
static size_t *html_order(const struct html_input *in) {
    size_t *idx = malloc((in->n_spans ? in->n_spans : 1) * sizeof *idx);
    if (!idx) return NULL;
    for (size_t i = 0; i < in->n_spans; i++) idx[i] = i;
    qsort_r(idx, in->n_spans, sizeof *idx, html_by_partition, (void *)in->spans);
    return idx;
}

static void html_axis(const struct html_input *in, struct html_out *b, double y) {
    for (int k = 0; k <= 10; k++) {
        const double t = in->duration * k / 10.0;
        out_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                      "%.2f s</text>", html_x(in, t), y, t);
    }
}

static int html_gantt(const struct html_input *in, struct html_out *b) {
    size_t *idx = html_order(in);
    if (!idx) return ZEST_E_NOMEM;
    const int lanes = in->workers > 0 ? in->workers : 1;
    const double h = 24 + lanes * HTML_LANE + 24;
    out_printf(b, "<h2>Partitions over time, per worker</h2>\n");
    html_legend(in, b);
    out_printf(b, "<svg id=\"gantt\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                  "height=\"%.0f\"><defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
                  "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                  "<rect width=\"6\" height=\"6\" fill=\"#fdd\"/><line x1=\"0\" y1=\"0\" "
                  "x2=\"0\" y2=\"6\" stroke=\"#c00\" stroke-width=\"3\"/></pattern></defs>\n",
               HTML_LEFT + HTML_WIDTH + 20, h);
    for (int w = 0; w < lanes; w++)
        out_printf(b, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
                      "<text class=\"axis\" x=\"4\" y=\"%d\">worker %d</text>\n",
                   HTML_LEFT, 24 + w * HTML_LANE, HTML_WIDTH, HTML_LANE - 2,
                   24 + w * HTML_LANE + HTML_LANE / 2 + 4, w);
    size_t k = 0;
    for (int64_t p = 0; p < in->partitions; p++) {
        out_printf(b, "<g class=\"partition\" data-partition=\"%lld\">", (long long)p);
        for (; k < in->n_spans && in->spans[idx[k]].partition <= p; k++)
            if (in->spans[idx[k]].partition == p) html_bar(in, &in->spans[idx[k]], b);
        out_printf(b, "</g>\n");
    }
    html_axis(in, b, h - 6);
    out_printf(b, "</svg>\n");
    free(idx);
    return 0;
}

static void html_throughput(const struct html_input *in, struct html_out *b) {
    double top = 0;
    for (size_t i = 0; i < in->n_points; i++)
        if (in->points[i].mb_per_s > top) top = in->points[i].mb_per_s;
    out_printf(b, "<h2>Throughput over time</h2>\n<svg id=\"throughput\" "
                  "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">"
                  "<text class=\"axis\" x=\"4\" y=\"14\">%.1f MB/s</text>"
                  "<text class=\"axis\" x=\"4\" y=\"%d\">0</text>",
               HTML_LEFT + HTML_WIDTH + 20, HTML_PLOT_H + 30, top, HTML_PLOT_H + 4);
    out_printf(b, "<polyline fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"2\" points=\"");
    for (size_t i = 0; i < in->n_points; i++) {
        const double y = 4 + HTML_PLOT_H * (1 - (top > 0 ? in->points[i].mb_per_s / top : 0));
        out_printf(b, "%.1f,%.1f ", html_x(in, in->points[i].t), y);
    }
    out_printf(b, "\"/>");
    html_axis(in, b, HTML_PLOT_H + 24);
    out_printf(b, "</svg>\n");
}

static void html_ops(const struct html_input *in, struct html_out *b) {
    double total = 0;
    for (size_t i = 0; i < in->n_ops; i++) total += in->ops[i].seconds;
    out_printf(b, "<h2>Time share per op</h2>\n<svg id=\"ops\" xmlns=\"http://www.w3.org/2000/svg\" "
                  "width=\"%d\" height=\"%zu\">",
               HTML_LEFT + HTML_WIDTH + 20, in->n_ops * 24 + 8);
    for (size_t i = 0; i < in->n_ops; i++) {
        const double share = total > 0 ? in->ops[i].seconds / total : 0;
        out_printf(b, "<rect class=\"share\" x=\"%d\" y=\"%zu\" width=\"%.1f\" height=\"18\" "
                      "fill=\"%s\"/><text class=\"axis\" x=\"%.1f\" y=\"%zu\">",
                   HTML_LEFT + 200, i * 24 + 4, share * (HTML_WIDTH - 200), html_colour((int)i),
                   HTML_LEFT + 206 + share * (HTML_WIDTH - 200), i * 24 + 17);
        out_printf(b, "%.1f%% (%.3f s)</text><text class=\"axis\" x=\"4\" y=\"%zu\">",
                   share * 100, in->ops[i].seconds, i * 24 + 17);
        html_text(b, in->ops[i].name);
        out_printf(b, "</text>");
    }
    out_printf(b, "</svg>\n");
}

static void html_findings(const struct html_input *in, struct html_out *b) {
    out_printf(b, "<h2>Bottlenecks</h2>\n");
    if (!in->n_findings) {
        out_printf(b, "<p>No bottleneck found.</p>\n");
        return;
    }
    out_printf(b, "<table id=\"findings\"><tr><th>finding</th><th>what the numbers say</th></tr>\n");
    for (size_t i = 0; i < in->n_findings; i++) {
        out_printf(b, "<tr><td>");
        html_text(b, in->findings[i].kind);
        out_printf(b, "</td><td>");
        html_text(b, in->findings[i].message);
        out_printf(b, "</td></tr>\n");
    }
    out_printf(b, "</table>\n");
}

int html_report(const struct html_input *in, struct buf *out) {
    struct html_out o = {.b = out};
    html_head(in, &o);
    if (html_gantt(in, &o)) return ZEST_E_NOMEM;
    html_throughput(in, &o);
    html_ops(in, &o);
    html_findings(in, &o);
    out_printf(&o, "</body></html>\n");
    return o.err;
}

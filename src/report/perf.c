/* SPDX-License-Identifier: Apache-2.0 */
/*
 * perf.c - zest_get_performance_summary: per op, per partition and per worker figures, the
 * timeline (attempts and op executions) and throughput samples, resource usage, all computed
 * from the job's digest; then the findings (findings.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "digest.h"
#include "report.h"

static int pf_cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median wall time of the done partitions (0 when none). */
static double pf_median(const zest_perf_summary *s) {
    double *w = malloc((s->n_partitions ? s->n_partitions : 1) * sizeof *w);
    size_t n = 0;
    if (!w) return 0;
    for (size_t i = 0; i < s->n_partitions; i++)
        if (!strcmp(s->partition[i].state, "done") && s->partition[i].attempts > 0)
            w[n++] = s->partition[i].wall_s;
    qsort(w, n, sizeof *w, pf_cmp_double);
    const double m = n == 0 ? 0 : n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
    free(w);
    return m;
}

static int pf_partitions(zest_perf_summary *s, const struct digest *d) {
    s->n_partitions = d->parts.n;
    if (d->parts.n && !(s->partition = calloc(d->parts.n, sizeof *s->partition))) return ZEST_E_NOMEM;
    for (size_t i = 0; i < d->parts.n; i++) {
        const struct dg_part *p = &d->parts.v[i];
        zest_partition_perf *q = &s->partition[i];
        q->id = (int64_t)i;
        snprintf(q->state, sizeof q->state, "%s", digest_part_state_name(p->state));
        q->worker = p->attempts ? p->worker : -1;
        q->attempts = p->attempts;
        q->retries = p->attempts > 1 ? p->attempts - 1 : 0;
        q->start_s = p->attempts ? p->t0 - s->started : 0;
        q->wall_s = p->seconds;
        q->cpu_s = p->cpu_s;
        q->op_s = p->op_s;
        q->checkpoint_s = p->ckpt_s;
        q->rows_in = p->rows_in;
        q->rows_out = p->rows_out;
        q->bytes_in = p->bytes_in;
        if (p->state == DG_DONE) {
            s->rows_in += p->rows_in;
            s->rows_out += p->rows_out;
            s->bytes_in += p->bytes_in;
            s->bytes_out += p->bytes_out;
        }
        s->op_s += p->op_s;
        s->checkpoint_s += p->ckpt_s;
        s->skipped += p->state == DG_SKIPPED;
    }
    s->median_partition_s = pf_median(s);
    for (size_t i = 0; i < s->n_partitions; i++) {
        zest_partition_perf *q = &s->partition[i];
        q->straggler = s->n_partitions >= 3 && !strcmp(q->state, "done") &&
                       q->wall_s > REPORT_STRAGGLER_X * s->median_partition_s;
    }
    return 0;
}

/* Keeps the op's slowest partitions, slowest first. */
static void pf_slowest(zest_op_perf *o, int64_t part, double secs) {
    size_t i = o->n_slowest;
    if (i == ZEST_SLOWEST_KEPT) {
        if (o->slowest[i - 1].seconds >= secs) return;
        i--;
    } else {
        o->n_slowest++;
    }
    for (; i > 0 && o->slowest[i - 1].seconds < secs; i--) o->slowest[i] = o->slowest[i - 1];
    o->slowest[i] = (zest_slow_partition){.partition = part, .seconds = secs};
}

static int pf_ops(zest_perf_summary *s, const struct digest *d) {
    const size_t n = d->n_ops;
    if (n && !(s->ops = calloc(n, sizeof *s->ops))) return ZEST_E_NOMEM;
    s->n_ops = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(s->ops[i].name, sizeof s->ops[i].name, "%s", d->ops[i]);
        s->ops[i].index = (int)i;
    }
    double total = 0;
    for (size_t i = 0; i < d->op_runs.n; i++) {
        const struct dg_op_run *r = &d->op_runs.v[i];
        if (r->op < 0 || (size_t)r->op >= n) continue;
        zest_op_perf *o = &s->ops[r->op];
        o->runs++;
        o->total_s += r->seconds;
        o->rows_in += r->rows_in;
        o->rows_out += r->rows_out;
        o->bytes_in += r->bytes_in;
        o->bytes_out += r->bytes_out;
        pf_slowest(o, r->partition, r->seconds);
        total += r->seconds;
    }
    for (size_t i = 0; i < n; i++) {
        zest_op_perf *o = &s->ops[i];
        o->mean_s = o->runs ? o->total_s / (double)o->runs : 0;
        o->share = total > 0 ? o->total_s / total : 0;
        o->selectivity = o->rows_in ? (double)o->rows_out / (double)o->rows_in : 0;
        o->rows_per_s = o->total_s > 0 ? (double)o->rows_in / o->total_s : 0;
        o->mb_per_s = o->total_s > 0 ? (double)o->bytes_in / 1e6 / o->total_s : 0;
    }
    return 0;
}

static int pf_workers(zest_perf_summary *s, const struct digest *d) {
    int max = -1;
    for (size_t i = 0; i < d->attempts.n; i++)
        if (d->attempts.v[i].worker > max) max = d->attempts.v[i].worker;
    const size_t n = (size_t)(max + 1) > (size_t)d->np ? (size_t)(max + 1) : (size_t)d->np;
    if (n && !(s->worker = calloc(n, sizeof *s->worker))) return ZEST_E_NOMEM;
    s->n_workers = n;
    s->workers = (int)n;
    for (size_t i = 0; i < n; i++) s->worker[i].worker = (int)i;
    for (size_t i = 0; i < d->attempts.n; i++) {
        const struct dg_attempt *a = &d->attempts.v[i];
        if (a->worker < 0 || a->t1 <= 0) continue;
        zest_worker_perf *w = &s->worker[a->worker];
        w->attempts++;
        w->busy_s += a->t1 - a->t0;
        w->cpu_s += a->cpu_s;
        s->cpu_s += a->cpu_s;
    }
    for (size_t i = 0; i < n; i++) {
        zest_worker_perf *w = &s->worker[i];
        w->busy_share = s->wall_s > 0 ? w->busy_s / s->wall_s : 0;
        w->cpu_share = s->wall_s > 0 ? w->cpu_s / s->wall_s : 0;
    }
    return 0;
}

/* The global ops' barriers, in op order. */
static int pf_barriers(zest_perf_summary *s, const struct digest *d) {
    if (!d->barriers.n) return 0;
    if (!(s->barriers = calloc(d->barriers.n, sizeof *s->barriers))) return ZEST_E_NOMEM;
    for (size_t k = 0; k < d->n_ops + 1; k++)
        for (size_t i = 0; i < d->barriers.n; i++) {
            const struct dg_barrier *b = &d->barriers.v[i];
            const bool known = b->op >= 0 && (size_t)b->op < d->n_ops;
            if (known ? (size_t)b->op != k : k != d->n_ops) continue;
            zest_barrier_perf *o = &s->barriers[s->n_barriers++];
            snprintf(o->op, sizeof o->op, "%s", known ? d->ops[b->op] : "");
            o->op_index = b->op;
            o->signature_s = b->signature_s;
            o->combine_s = b->combine_s;
            o->finalize_s = b->finalize_s;
            o->rows_in = b->rows_in;
            o->rows_kept = b->rows_kept;
        }
    return 0;
}

/* Per rank: its workers (those whose attempts it logged), their busy time and idle share,
 * and the partitions it finished. */
static int pf_ranks(zest_perf_summary *s, const struct digest *d) {
    const size_t n = d->ranks.n ? d->ranks.n : 1;
    if (!(s->ranks = calloc(n, sizeof *s->ranks))) return ZEST_E_NOMEM;
    s->n_ranks = n;
    char *counted = calloc(s->n_workers ? s->n_workers : 1, 1);
    if (!counted) return ZEST_E_NOMEM;
    for (size_t r = 0; r < n; r++) {
        s->ranks[r].rank = (int)r;
        if (r < d->ranks.n) snprintf(s->ranks[r].host, sizeof s->ranks[r].host, "%s", d->ranks.v[r].host);
    }
    for (size_t i = 0; i < d->attempts.n; i++) {
        const struct dg_attempt *a = &d->attempts.v[i];
        if (a->rank < 0 || (size_t)a->rank >= n || a->worker < 0) continue;
        zest_rank_perf *k = &s->ranks[a->rank];
        if ((size_t)a->worker < s->n_workers && !counted[a->worker]) {
            counted[a->worker] = 1;
            k->workers++;
        }
        if (a->t1 > 0) k->busy_s += a->t1 - a->t0;
    }
    free(counted);
    for (size_t p = 0; p < d->parts.n; p++) {
        const struct dg_part *q = &d->parts.v[p];
        if (q->state != DG_DONE || q->rank < 0 || (size_t)q->rank >= n) continue;
        zest_rank_perf *k = &s->ranks[q->rank];
        k->partitions++;
        k->rows_in += q->rows_in;
        k->rows_out += q->rows_out;
    }
    for (size_t r = 0; r < n; r++) {
        zest_rank_perf *k = &s->ranks[r];
        const double cap = s->wall_s * k->workers;
        k->idle_share = cap > 0 ? 1 - k->busy_s / cap : 0;
        if (k->idle_share < 0) k->idle_share = 0;
    }
    return 0;
}

static int pf_spans(zest_perf_summary *s, const struct digest *d) {
    const size_t n = d->attempts.n + d->op_runs.n;
    if (n && !(s->spans = calloc(n, sizeof *s->spans))) return ZEST_E_NOMEM;
    for (size_t i = 0; i < d->attempts.n; i++) {
        const struct dg_attempt *a = &d->attempts.v[i];
        s->spans[s->n_spans++] = (zest_span){
            .partition = a->partition, .worker = a->worker, .attempt = a->attempt, .op = -1,
            .t0 = a->t0 - s->started, .t1 = (a->t1 > 0 ? a->t1 : d->last_t) - s->started,
            .failed = a->failed, .skipped = a->skipped};
    }
    for (size_t i = 0; i < d->op_runs.n; i++) {
        const struct dg_op_run *r = &d->op_runs.v[i];
        s->spans[s->n_spans++] = (zest_span){
            .partition = r->partition, .worker = r->worker, .attempt = 0, .op = r->op,
            .t0 = r->t0 - s->started, .t1 = r->t0 + r->seconds - s->started};
    }
    if (d->points.n && !(s->points = calloc(d->points.n, sizeof *s->points))) return ZEST_E_NOMEM;
    for (size_t i = 0; i < d->points.n; i++)
        s->points[s->n_points++] = (zest_throughput_point){
            .t = d->points.v[i].t - s->started, .rows_per_s = d->points.v[i].rows_per_s,
            .mb_per_s = d->points.v[i].mb_per_s};
    return 0;
}

static void pf_resources(zest_perf_summary *s, const struct digest *d) {
    double sum = 0;
    for (size_t i = 0; i < d->samples.n; i++) {
        const struct dg_sample *x = &d->samples.v[i];
        sum += x->rss_mb;
        if (x->peak_rss_mb > s->peak_rss_mb) s->peak_rss_mb = x->peak_rss_mb;
    }
    s->mean_rss_mb = d->samples.n ? sum / (double)d->samples.n : 0;
    for (size_t i = 0; i < d->runs.n; i++) {
        const struct dg_run *r = &d->runs.v[i];
        s->cpu_user_s += r->cpu_user_s;
        s->cpu_sys_s += r->cpu_sys_s;
        s->bytes_read += r->bytes_read;
        s->bytes_written += r->bytes_written;
    }
    const double capacity = s->wall_s * (s->workers > 0 ? s->workers : 1);
    s->cpu_utilisation = capacity > 0 ? (s->cpu_user_s + s->cpu_sys_s) / capacity : 0;
}

/* Time in attempts not spent in ops or checkpoint writes: reading, parsing, writing lines. */
static void pf_other(zest_perf_summary *s) {
    double busy = 0;
    for (size_t i = 0; i < s->n_workers; i++) busy += s->worker[i].busy_s;
    const double other = busy - s->op_s - s->checkpoint_s;
    s->other_s = other > 0 ? other : 0;
}

/* Keeps only the op named `name`. */
static int pf_filter_op(zest_perf_summary *s, const char *name, zest_error *err) {
    for (size_t i = 0; i < s->n_ops; i++) {
        if (strcmp(s->ops[i].name, name) != 0) continue;
        s->ops[0] = s->ops[i];
        s->n_ops = 1;
        snprintf(s->op_filter, sizeof s->op_filter, "%s", name);
        return 0;
    }
    char list[512] = "";
    for (size_t i = 0; i < s->n_ops; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 s->ops[i].name);
    return err_set(err, ZEST_E_NOTFOUND, "the job has no op '%s' (its ops: %s)", name,
                   s->n_ops ? list : "none");
}

static int pf_build(zest_perf_summary *s, const struct digest *d) {
    snprintf(s->job_id, sizeof s->job_id, "%s", d->job_id ? d->job_id : "");
    snprintf(s->state, sizeof s->state, "%s", digest_state(d));
    s->started = d->runs.n ? d->runs.v[0].t0 : d->first_t;
    if (d->first_t > 0 && d->first_t < s->started) s->started = d->first_t;
    s->wall_s = digest_run_seconds(d);
    s->partitions = d->planned > (int64_t)d->parts.n ? d->planned : (int64_t)d->parts.n;
    s->retries = d->retries;
    ZEST_TRY(pf_partitions(s, d));
    ZEST_TRY(pf_ops(s, d));
    ZEST_TRY(pf_workers(s, d));
    ZEST_TRY(pf_ranks(s, d));
    ZEST_TRY(pf_spans(s, d));
    ZEST_TRY(pf_barriers(s, d));
    pf_resources(s, d);
    pf_other(s);
    return findings_detect(s);
}

int zest_get_performance_summary(const char *job_dir, const char *op_name,
                                 zest_perf_summary **out, zest_error *err) {
    *out = NULL;
    struct digest d;
    ZEST_TRY(digest_load(&d, job_dir, err));
    zest_perf_summary *s = calloc(1, sizeof *s);
    int rc = s ? pf_build(s, &d) : ZEST_E_NOMEM;
    digest_free(&d);
    if (rc) err_set(err, rc, "%s: out of memory", job_dir);
    if (rc == 0 && op_name) rc = pf_filter_op(s, op_name, err);
    if (rc) {
        zest_perf_summary_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

void zest_perf_summary_destroy(zest_perf_summary *s) {
    if (!s) return;
    free(s->ops);
    free(s->partition);
    free(s->worker);
    free(s->ranks);
    free(s->spans);
    free(s->points);
    free(s->findings);
    free(s->barriers);
    free(s);
}

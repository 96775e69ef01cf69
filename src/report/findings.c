/* SPDX-License-Identifier: Apache-2.0 */
/*
 * findings.c - bottleneck detection: each rule reads the summary's figures and, past its
 * threshold (report.h, docs/report.md), states a conclusion with the numbers behind it and
 * the config key that changes it. Rules stay silent on runs too short to judge.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "report.h"

static int fd_add(zest_perf_summary *s, const char *kind, const char *key, double value,
                  double threshold, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static int fd_add(zest_perf_summary *s, const char *kind, const char *key, double value,
                  double threshold, const char *fmt, ...) {
    zest_finding *f = realloc(s->findings, (s->n_findings + 1) * sizeof *f);
    if (!f) return ZEST_E_NOMEM;
    s->findings = f;
    f = &f[s->n_findings++];
    memset(f, 0, sizeof *f);
    snprintf(f->kind, sizeof f->kind, "%s", kind);
    snprintf(f->config_key, sizeof f->config_key, "%s", key);
    f->value = value;
    f->threshold = threshold;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    return 0;
}

static double fd_busy(const zest_perf_summary *s) {
    double busy = 0;
    for (size_t i = 0; i < s->n_workers; i++) busy += s->worker[i].busy_s;
    return busy;
}

static int fd_dominant_op(zest_perf_summary *s) {
    if (s->n_ops < 2 || s->op_s < REPORT_MIN_WORK_S) return 0;
    const zest_op_perf *top = &s->ops[0];
    for (size_t i = 1; i < s->n_ops; i++)
        if (s->ops[i].total_s > top->total_s) top = &s->ops[i];
    if (top->share < REPORT_DOMINANT_SHARE) return 0;
    char key[96]; /* the finding keeps its first 63 bytes */
    snprintf(key, sizeof key, "process.%d.%s", top->index, top->name);
    return fd_add(s, "dominant_op", key, top->share, REPORT_DOMINANT_SHARE,
                  "%s takes %.0f%% of the op time (%.2f s of %.2f s, %.0f rows/s): it sets the "
                  "pace; tune its parameters, or place filters that drop rows before it in "
                  "`process`",
                  top->name, top->share * 100, top->total_s, s->op_s, top->rows_per_s);
}

/* Stragglers: too large partitions when they hold more input than the median one. */
static int fd_stragglers(zest_perf_summary *s) {
    size_t n = 0, worst = 0;
    double median_bytes = 0, done = 0;
    for (size_t i = 0; i < s->n_partitions; i++) {
        const zest_partition_perf *p = &s->partition[i];
        if (!strcmp(p->state, "done")) {
            median_bytes += (double)p->bytes_in;
            done++;
        }
        if (!p->straggler) continue;
        if (!n++ || p->wall_s > s->partition[worst].wall_s) worst = i;
    }
    if (!n || fd_busy(s) < REPORT_MIN_WORK_S) return 0;
    median_bytes = done ? median_bytes / done : 0; /* the mean: enough to tell skew */
    const zest_partition_perf *w = &s->partition[worst];
    const int bigger = (double)w->bytes_in > 1.5 * median_bytes;
    return fd_add(
        s, bigger ? "partitions_too_large" : "stragglers",
        bigger ? "max_partition_size_mb" : "partition_size", w->wall_s / s->median_partition_s,
        REPORT_STRAGGLER_X,
        "%zu partition%s took more than %.0fx the median time (%.3f s); the slowest, "
        "partition %lld, took %.3f s on worker %d with %.1f MB of input (mean %.1f MB)%s",
        n, n == 1 ? "" : "s", REPORT_STRAGGLER_X, s->median_partition_s, (long long)w->id,
        w->wall_s, w->worker, (double)w->bytes_in / 1e6, median_bytes / 1e6,
        bigger ? ": its input is larger than the others'; a smaller max_partition_size_mb "
                 "(or partition_size) evens them out"
               : ": its input is not larger, so its records cost more; smaller partitions "
                 "(partition_size) spread such records over more workers");
}

static int fd_imbalance(zest_perf_summary *s) {
    if (s->n_workers < 2 || s->wall_s <= 0 || fd_busy(s) < REPORT_MIN_WORK_S) return 0;
    double max = 0, min = -1;
    for (size_t i = 0; i < s->n_workers; i++) {
        const double b = s->worker[i].busy_s;
        if (b > max) max = b;
        if (min < 0 || b < min) min = b;
    }
    const double idle = 1 - fd_busy(s) / (s->wall_s * (double)s->n_workers);
    if (idle < REPORT_IDLE_SHARE) return 0;
    const int few = s->partitions < 4 * (int64_t)s->n_workers;
    return fd_add(s, "load_imbalance", few ? "partition_size" : "np", idle, REPORT_IDLE_SHARE,
                  "workers were idle %.0f%% of the run (%.2f s of wall time; busiest worker "
                  "%.2f s, least busy %.2f s) over %lld partitions for %zu workers%s",
                  idle * 100, s->wall_s, max, min, (long long)s->partitions, s->n_workers,
                  few ? ": too few partitions to share out; a smaller partition_size (or "
                        "partition.num_of_partitions) gives each worker several"
                      : ": time outside the partitions (planning, merging, waiting on the "
                        "export) leaves workers idle; fewer workers (np) would do as well");
}

static int fd_cpu_io(zest_perf_summary *s) {
    const double busy = fd_busy(s);
    if (busy < REPORT_MIN_WORK_S || s->cpu_s <= 0) return 0;
    const double share = s->cpu_s / busy;
    if (share < REPORT_IO_BOUND_CPU)
        return fd_add(s, "io_bound", "np", share, REPORT_IO_BOUND_CPU,
                      "partition work is I/O-bound: worker threads were on the CPU %.0f%% of "
                      "their busy time (%.2f s of %.2f s); reading and writing "
                      "(%.2f s outside ops, %.2f s in checkpoint writes) dominate; more "
                      "workers (np) overlap the waits, faster storage helps",
                      share * 100, s->cpu_s, busy, s->other_s, s->checkpoint_s);
    if (share > REPORT_CPU_BOUND_CPU)
        return fd_add(s, "cpu_bound", "np", share, REPORT_CPU_BOUND_CPU,
                      "partition work is CPU-bound: worker threads were on the CPU %.0f%% of "
                      "their busy time (%.2f s of %.2f s); np beyond the cores available "
                      "will not help, more cores (or MPI ranks) will",
                      share * 100, s->cpu_s, busy);
    return 0;
}

static int fd_checkpoints(zest_perf_summary *s) {
    const double t = s->op_s + s->checkpoint_s;
    if (t < REPORT_MIN_WORK_S) return 0;
    const double share = s->checkpoint_s / t;
    if (share < REPORT_CKPT_SHARE) return 0;
    return fd_add(s, "checkpoint_overhead", "checkpoint.strategy", share, REPORT_CKPT_SHARE,
                  "checkpoint writes take %.0f%% of op + checkpoint time (%.2f s vs %.2f s "
                  "in ops); checkpoint.strategy every_n_ops (with checkpoint.n_ops) or manual "
                  "(checkpoint.op_names) writes fewer",
                  share * 100, s->checkpoint_s, s->op_s);
}

static int fd_small_partitions(zest_perf_summary *s) {
    size_t done = 0;
    double wall = 0, work = 0;
    for (size_t i = 0; i < s->n_partitions; i++) {
        const zest_partition_perf *p = &s->partition[i];
        if (strcmp(p->state, "done") != 0 || !p->attempts) continue;
        done++;
        wall += p->wall_s;
        work += p->op_s;
    }
    if (done < 4 * (s->n_workers ? s->n_workers : 1) || wall < REPORT_MIN_WORK_S) return 0;
    const double mean = wall / (double)done;
    if (mean >= REPORT_SMALL_PART_S) return 0;
    return fd_add(s, "partitions_too_small", "partition_size", mean, REPORT_SMALL_PART_S,
                  "%zu partitions took %.1f ms each on average, %.0f%% of it outside the ops "
                  "(events, checkpoint files, reading): a larger partition_size (or "
                  "max_partition_size_mb) cuts that per-partition overhead",
                  done, mean * 1e3, wall > 0 ? (1 - work / wall) * 100 : 0);
}

static int fd_retries(zest_perf_summary *s) {
    if (!s->retries && !s->skipped) return 0;
    return fd_add(s, "retries", "max_retries", (double)s->retries, 0,
                  "%lld partition attempt%s failed and %s retried, %lld partition%s skipped: "
                  "see `zest events JOB --type partition_error` for the errors",
                  (long long)s->retries, s->retries == 1 ? "" : "s",
                  s->retries == 1 ? "was" : "were", (long long)s->skipped,
                  s->skipped == 1 ? " was" : "s were");
}

int findings_detect(zest_perf_summary *s) {
    int (*const rules[])(zest_perf_summary *) = {fd_dominant_op, fd_stragglers, fd_imbalance,
                                                 fd_cpu_io,      fd_checkpoints, fd_small_partitions,
                                                 fd_retries};
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) ZEST_TRY(rules[i](s));
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_report.c - `zest report JOBDIR [--op NAME] [--json] [--html FILE] [--all]`: the
 * performance summary of a job (zest_get_performance_summary) as text, JSON, or a
 * self-contained HTML file. Owns the text layout and writing the HTML file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define RP_PARTITIONS_SHOWN 10

struct rp_args {
    const char *job, *op, *html;
    int json, all;
};

static void rp_ops(const zest_perf_summary *s) {
    printf("\n%-36s %9s %6s %9s %10s %10s %7s %11s %8s  %s\n", "op", "time s", "share", "mean s",
           "rows in", "rows out", "select", "rows/s", "MB/s", "slowest partitions (s)");
    for (size_t i = 0; i < s->n_ops; i++) {
        const zest_op_perf *o = &s->ops[i];
        printf("%-36s %9.3f %5.1f%% %9.4f %10lld %10lld %7.3f %11.0f %8.2f ", o->name,
               o->total_s, o->share * 100, o->mean_s, (long long)o->rows_in,
               (long long)o->rows_out, o->selectivity, o->rows_per_s, o->mb_per_s);
        for (size_t k = 0; k < o->n_slowest; k++)
            printf(" %lld (%.3f)", (long long)o->slowest[k].partition, o->slowest[k].seconds);
        printf("\n");
    }
}

static void rp_time_and_resources(const zest_perf_summary *s) {
    printf("\ntime        ops %.3f s, checkpoint writes %.3f s, other (read, parse, write) "
           "%.3f s; worker CPU %.3f s; median partition %.3f s\n",
           s->op_s, s->checkpoint_s, s->other_s, s->cpu_s, s->median_partition_s);
    printf("resources   peak RSS %.1f MB, mean RSS %.1f MB; CPU user %.2f s, sys %.2f s "
           "(%.0f%% of %d worker%s x wall); read %.2f MB, written %.2f MB\n",
           s->peak_rss_mb, s->mean_rss_mb, s->cpu_user_s, s->cpu_sys_s,
           s->cpu_utilisation * 100, s->workers, s->workers == 1 ? "" : "s",
           (double)s->bytes_read / 1e6, (double)s->bytes_written / 1e6);
}

static void rp_workers(const zest_perf_summary *s) {
    printf("\n%-7s %9s %9s %6s %9s %6s\n", "worker", "attempts", "busy s", "busy", "cpu s", "cpu");
    for (size_t i = 0; i < s->n_workers; i++) {
        const zest_worker_perf *w = &s->worker[i];
        printf("%-7d %9lld %9.3f %5.0f%% %9.3f %5.0f%%\n", w->worker, (long long)w->attempts,
               w->busy_s, w->busy_share * 100, w->cpu_s, w->cpu_share * 100);
    }
}

/* Work per MPI rank, for a distributed job. */
static void rp_ranks(const zest_perf_summary *s) {
    if (s->n_ranks < 2) return;
    printf("\n%-5s %-20s %7s %10s %10s %10s %9s %6s\n", "rank", "host", "workers", "partitions",
           "rows in", "rows out", "busy s", "idle");
    for (size_t i = 0; i < s->n_ranks; i++) {
        const zest_rank_perf *k = &s->ranks[i];
        printf("%-5d %-20s %7d %10lld %10lld %10lld %9.3f %5.0f%%\n", k->rank, k->host, k->workers,
               (long long)k->partitions, (long long)k->rows_in, (long long)k->rows_out, k->busy_s,
               k->idle_share * 100);
    }
}

static int rp_by_wall(const void *a, const void *b) {
    const zest_partition_perf *x = *(const zest_partition_perf *const *)a;
    const zest_partition_perf *y = *(const zest_partition_perf *const *)b;
    if (x->wall_s != y->wall_s) return x->wall_s < y->wall_s ? 1 : -1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The slowest partitions first (all with --all); stragglers marked. */
static void rp_partitions(const zest_perf_summary *s, int all) {
    const zest_partition_perf **v = malloc((s->n_partitions ? s->n_partitions : 1) * sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < s->n_partitions; i++) v[i] = &s->partition[i];
    qsort(v, s->n_partitions, sizeof *v, rp_by_wall);
    const size_t shown = all || s->n_partitions < RP_PARTITIONS_SHOWN ? s->n_partitions
                                                                      : RP_PARTITIONS_SHOWN;
    printf("\n%-10s %-9s %6s %8s %9s %9s %9s %9s %10s %10s\n", "partition", "state", "worker",
           "attempts", "wall s", "cpu s", "op s", "ckpt s", "rows in", "rows out");
    for (size_t i = 0; i < shown; i++) {
        const zest_partition_perf *p = v[i];
        printf("%-10lld %-9s %6d %8d %9.3f %9.3f %9.3f %9.3f %10lld %10lld%s\n", (long long)p->id,
               p->state, p->worker, p->attempts, p->wall_s, p->cpu_s, p->op_s, p->checkpoint_s,
               (long long)p->rows_in, (long long)p->rows_out,
               p->straggler ? "  straggler" : "");
    }
    if (shown < s->n_partitions)
        printf("(%zu slowest of %zu partitions; --all shows every one)\n", shown, s->n_partitions);
    free(v);
}

/* The deduplicators' barriers: where every partition waited for one global step. */
static void rp_barriers(const zest_perf_summary *s) {
    for (size_t i = 0; i < s->n_barriers; i++) {
        const zest_barrier_perf *b = &s->barriers[i];
        const double all = b->signature_s + b->combine_s + b->finalize_s;
        printf("%s op %d %s: signatures %.3f s (over the partitions), combine %.3f s, finalize "
               "%.3f s (%.0f%% of the op's time)", i ? "           " : "\nbarrier    ",
               b->op_index, b->op, b->signature_s, b->combine_s, b->finalize_s,
               all > 0 ? 100 * (b->combine_s + b->finalize_s) / all : 0.0);
        if (b->rows_kept >= 0)
            printf("; kept %lld of %lld", (long long)b->rows_kept, (long long)b->rows_in);
        printf("\n");
    }
}

static void rp_findings(const zest_perf_summary *s) {
    printf("\nfindings\n");
    if (!s->n_findings) printf("  none: no bottleneck stands out\n");
    for (size_t i = 0; i < s->n_findings; i++)
        printf("  - %s: %s [config: %s]\n", s->findings[i].kind, s->findings[i].message,
               s->findings[i].config_key);
}

static void rp_print(const zest_perf_summary *s, int all) {
    printf("job %s (%s): %.3f s, %d worker%s, %lld partitions, %lld rows in, %lld rows out, "
           "%lld retries, %lld skipped\n",
           s->job_id, s->state, s->wall_s, s->workers, s->workers == 1 ? "" : "s",
           (long long)s->partitions, (long long)s->rows_in, (long long)s->rows_out,
           (long long)s->retries, (long long)s->skipped);
    rp_ops(s);
    if (s->op_filter[0]) return;
    rp_time_and_resources(s);
    rp_barriers(s);
    rp_workers(s);
    rp_ranks(s);
    rp_partitions(s, all);
    rp_findings(s);
}

static int rp_write_html(const zest_perf_summary *s, const char *path) {
    zest_error err;
    if (zest_perf_summary_write_html(s, path, &err) == 0) return CLI_EXIT_OK;
    cli_error("report: %s", err.msg);
    return CLI_EXIT_FAILURE;
}

static int rp_parse(int argc, char **argv, struct rp_args *a) {
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const int valued = !strcmp(o, "--op") || !strcmp(o, "--html");
        if (valued && i + 1 >= argc) {
            cli_error("report: %s needs a value", o);
            return CLI_EXIT_USAGE;
        }
        if (!strcmp(o, "--op")) a->op = argv[++i];
        else if (!strcmp(o, "--html")) a->html = argv[++i];
        else if (!strcmp(o, "--json")) a->json = 1;
        else if (!strcmp(o, "--all")) a->all = 1;
        else if (o[0] == '-' && o[1]) {
            cli_error("report: unknown option '%s' (see zest report --help)", o);
            return CLI_EXIT_USAGE;
        } else if (a->job) {
            cli_error("report: one JOBDIR only ('%s' and '%s')", a->job, o);
            return CLI_EXIT_USAGE;
        } else a->job = o;
    }
    if (a->job) return 0;
    cli_error("report: JOBDIR missing (see zest report --help)");
    return CLI_EXIT_USAGE;
}

int cmd_report(int argc, char **argv) {
    struct rp_args a = {0};
    int rc = rp_parse(argc, argv, &a);
    if (rc) return rc;
    zest_perf_summary *s = NULL;
    zest_error err;
    if ((rc = zest_get_performance_summary(a.job, a.op, &s, &err)) != 0) {
        cli_error("report: %s", err.msg);
        return cli_exit_code(rc);
    }
    if (a.html) rc = rp_write_html(s, a.html);
    if (rc == 0 && a.json) {
        char *text = NULL;
        if (zest_perf_summary_json(s, &text, &err)) {
            cli_error("report: %s", err.msg);
            rc = CLI_EXIT_FAILURE;
        } else printf("%s\n", text);
        free(text);
    } else if (rc == 0 && !a.html) {
        rp_print(s, a.all);
    } else if (rc == 0) {
        printf("report written to %s\n", a.html);
    }
    zest_perf_summary_destroy(s);
    return rc;
}

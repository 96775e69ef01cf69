/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_status.c - `zest status JOBDIR [--json]`: where a job stands (also while it runs, from
 * another terminal), from zest_generate_status_report. Owns the text layout only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* "2026-12-04 06:58:10 UTC" */
static void st_time(double t, char *out, size_t cap) {
    const time_t s = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&s, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(out, cap, "-");
}

static void st_partitions(const zest_status_report *r) {
    printf("partitions  %lld: %lld done, %lld running, %lld pending, %lld retrying, "
           "%lld failed, %lld skipped",
           (long long)r->partitions, (long long)r->done, (long long)r->running,
           (long long)r->pending, (long long)r->retrying, (long long)r->failed,
           (long long)r->skipped);
    if (r->reused) printf(" (%lld done in an earlier run)", (long long)r->reused);
    printf("\n");
}

static void st_rates(const zest_status_report *r) {
    if (r->rows_per_s >= 0)
        printf("throughput  %.0f rows/s, %.2f MB/s\n", r->rows_per_s, r->mb_per_s);
    if (r->eta_s >= 0) printf("eta         %.0f s\n", r->eta_s);
    else if (!strcmp(r->state, "running")) printf("eta         unknown (no partition done yet)\n");
}

static void st_errors(const zest_status_report *r) {
    int header = 0;
    for (size_t i = 0; i < r->n_partitions; i++) {
        const zest_partition_status *p = &r->partition[i];
        if (!p->error[0]) continue;
        if (!header++) printf("errors\n");
        printf("  partition %lld (%s after %d attempt%s): %s\n", (long long)p->id, p->state,
               p->attempts, p->attempts == 1 ? "" : "s", p->error);
    }
    if (r->error[0]) printf("run error   %s\n", r->error);
}

static void st_print(const zest_status_report *r) {
    char started[64], updated[64];
    st_time(r->started, started, sizeof started);
    st_time(r->updated, updated, sizeof updated);
    printf("job         %s (%s)\n", r->job_id, r->job_dir);
    printf("state       %s\n", r->state);
    printf("started     %s; last event %s; %.1f s in %d run%s\n", started, updated, r->elapsed_s,
           r->runs, r->runs == 1 ? "" : "s");
    st_partitions(r);
    printf("retries     %lld\n", (long long)r->retries);
    printf("checkpoints %lld files, %.2f MB on disk\n", (long long)r->checkpoints,
           (double)r->checkpoint_bytes / 1e6);
    printf("rows        %lld in, %lld out (%.2f MB in, %.2f MB out)\n", (long long)r->rows_in,
           (long long)r->rows_out, (double)r->bytes_in / 1e6, (double)r->bytes_out / 1e6);
    st_rates(r);
    st_errors(r);
}

int cmd_status(int argc, char **argv) {
    const char *job = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("status: unknown option '%s' (see zest status --help)", argv[i]);
            return CLI_EXIT_USAGE;
        } else if (job) {
            cli_error("status: one JOBDIR only ('%s' and '%s')", job, argv[i]);
            return CLI_EXIT_USAGE;
        } else job = argv[i];
    }
    if (!job) {
        cli_error("status: JOBDIR missing (see zest status --help)");
        return CLI_EXIT_USAGE;
    }
    zest_status_report *r = NULL;
    zest_error err;
    int rc = zest_generate_status_report(job, &r, &err);
    char *text = NULL;
    if (rc == 0 && json) rc = zest_status_report_json(r, &text, &err);
    if (rc) {
        cli_error("status: %s", err.msg);
        zest_status_report_destroy(r);
        return cli_exit_code(rc);
    }
    if (json) printf("%s\n", text);
    else st_print(r);
    free(text);
    zest_status_report_destroy(r);
    return CLI_EXIT_OK;
}

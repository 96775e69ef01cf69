/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_run.c - `zest run CONFIG`: run the pipeline, show its progress (progress.c) and print a
 * one-screen summary. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Malformed records are printed as met, up to this many; the rest are counted. */
#define CLI_BAD_PRINTED 20

/* What the run's callbacks share (zest_run_options has one user pointer). */
struct run_ui {
    int64_t bad_seen;
    struct cli_progress progress;
    int serve_port; /* --serve: -1 when not asked for */
    zest_server *server;
};

/* on_start: the job dir exists; serve it. A server that cannot start is a warning: the run
 * goes on without it. */
static void start_server(const char *job_dir, void *user) {
    struct run_ui *ui = user;
    if (ui->serve_port < 0) return;
    const zest_server_options o = {.port = ui->serve_port};
    zest_error err;
    zest_error_clear(&err);
    cli_progress_lock(&ui->progress);
    if (zest_server_start(job_dir, &o, &ui->server, &err) != 0)
        fprintf(stderr, "zest: warning: --serve: %s; running without the dashboard\n", err.msg);
    else cli_serve_url(ui->server, NULL, job_dir);
    cli_progress_unlock(&ui->progress);
}

/* Takes `--serve [PORT]` / `--serve=PORT` out of argv (the other options are parsed by
 * cli_parse_config_args). Returns 0, or CLI_EXIT_USAGE for a bad port. */
static int take_serve(int *argc, char **argv, int *port) {
    int out = 0;
    *port = -1;
    for (int i = 0; i < *argc; i++) {
        if (!strncmp(argv[i], "--serve=", 8)) {
            if (cli_parse_port(argv[i] + 8, port)) return CLI_EXIT_USAGE;
        } else if (!strcmp(argv[i], "--serve")) {
            *port = 8321;
            const char *next = i + 1 < *argc ? argv[i + 1] : "";
            if (next[0] >= '0' && next[0] <= '9' && !strchr(next, '.') && !strchr(next, '/')) {
                if (cli_parse_port(next, port)) return CLI_EXIT_USAGE;
                i++;
            }
        } else argv[out++] = argv[i];
    }
    *argc = out;
    return 0;
}

static void print_bad(const zest_bad_record *bad, void *user) {
    struct run_ui *ui = user;
    if (++ui->bad_seen > CLI_BAD_PRINTED) return;
    cli_progress_lock(&ui->progress);
    fprintf(stderr, "zest: warning: %s:%lld (offset %lld): malformed record: %s\n", bad->path,
            (long long)bad->line, (long long)bad->offset, bad->reason);
    cli_progress_unlock(&ui->progress);
}

static void on_progress(const zest_progress *p, void *user) {
    struct run_ui *ui = user;
    cli_progress_update(&ui->progress, p);
}

static double per_second(double n, double seconds) { return seconds > 0 ? n / seconds : 0; }

static void print_summary(const zest_run_summary *s) {
    fprintf(stderr, "\n%-36s %12s %12s %10s\n", "op", "rows in", "rows out", "seconds");
    for (size_t i = 0; i < s->n_ops; i++)
        fprintf(stderr, "%-36s %12lld %12lld %10.3f\n", s->ops[i].name,
                (long long)s->ops[i].rows_in, (long long)s->ops[i].rows_out, s->ops[i].seconds);
    fprintf(stderr, "\nrecords read      %lld\n", (long long)s->rows_read);
    fprintf(stderr, "records written   %lld -> %s", (long long)s->rows_written, s->export_path);
    if (s->export_files > 1)
        fprintf(stderr, " as %zu shards (<name>-<i>-of-<n>.<suffix>)", s->export_files);
    fputc('\n', stderr);
    fprintf(stderr, "malformed records %lld%s\n", (long long)s->bad_records,
            s->bad_records ? " (skipped; see the warnings above)" : "");
    fprintf(stderr, "time              %.3f s, %.1f MB/s, %.0f records/s\n", s->seconds,
            per_second((double)s->bytes_read / 1e6, s->seconds),
            per_second((double)s->rows_read, s->seconds));
    fprintf(stderr, "job               %s (events: zest events %s)\n", s->job_id, s->job_dir);
    if (s->resumed)
        fprintf(stderr, "resumed           %lld of %lld partitions were complete and reused\n",
                (long long)s->partitions_reused, (long long)s->partitions);
    for (size_t i = 0; i < s->n_skipped; i++)
        fprintf(stderr, "skipped           partition %lld after %d attempt%s: %s\n",
                (long long)s->skipped[i].partition, s->skipped[i].attempts,
                s->skipped[i].attempts == 1 ? "" : "s", s->skipped[i].error);
}

int cmd_run(int argc, char **argv) {
    static const char *const flags[] = {"--quiet", "--resume", "--job-id"};
    int found[3] = {0};
    struct cli_config_args a;
    zest_config *cfg = NULL;
    zest_run_summary *sum = NULL;
    struct run_ui ui = {0};
    int rc = take_serve(&argc, argv, &ui.serve_port);
    if (rc == 0) rc = cli_parse_config_args("run", argc, argv, &a, flags, found, 3);
    if (rc) return rc;
    if ((rc = cli_load_config(&a, &cfg)) != 0) return rc;
    zest_error err;
    zest_error_clear(&err);
    cli_progress_init(&ui.progress, !found[0]);
    const zest_run_options opts = {.on_bad_record = print_bad,
                                   .user = &ui,
                                   .resume = found[1],
                                   .on_progress = found[0] ? NULL : on_progress,
                                   .progress_interval_s = cli_progress_tick_s(&ui.progress),
                                   .on_start = start_server};
    if (ui.serve_port >= 0) signal(SIGPIPE, SIG_IGN); /* a browser closing a stream */
    const int st = zest_run(cfg, &opts, &sum, &err);
    zest_server_stop(ui.server);
    cli_progress_destroy(&ui.progress);
    if (sum && sum->quiet) { /* another MPI rank: rank 0 reports the run */
        zest_run_summary_destroy(sum);
        zest_config_destroy(cfg);
        return cli_exit_code(st);
    }
    if (sum && found[1] && !sum->resumed)
        fprintf(stderr, "zest: --resume: no earlier job of this config: ran it as new job %s\n",
                sum->job_id);
    if (sum && sum->already_complete) {
        fprintf(stderr, "zest: job %s is complete: nothing to do (export: %s)\n", sum->job_id,
                sum->export_path);
        found[0] = 1; /* no summary of a run that did not happen */
    }
    if (ui.bad_seen > CLI_BAD_PRINTED)
        fprintf(stderr, "zest: warning: ... and %lld more malformed records\n",
                (long long)(ui.bad_seen - CLI_BAD_PRINTED));
    if (st) cli_error("%s", err.msg);
    if (sum && !found[0] && (st == 0 || st == ZEST_E_PARTIAL)) print_summary(sum);
    zest_run_summary_destroy(sum);
    zest_config_destroy(cfg);
    return cli_exit_code(st);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* main.c - the zest command: the subcommand table, dispatch, usage and shared helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const struct cli_cmd cli_cmds[] = {
    {.name = "run",
     .args = "CONFIG [--set KEY=VALUE]... [--resume] [--job-id ID] [--quiet] [--serve [PORT]]",
     .summary = "run a pipeline config over its dataset and write export_path",
     .help = "  --set KEY=VALUE  override a config key (repeatable), e.g. --set np=4,\n"
             "                   --set process.1.text_length_filter.min_len=20\n"
             "  --resume         continue the most recently started job of this config (same\n"
             "                   work dir and export_path) after a crash, kill or failure:\n"
             "                   complete partitions are reused, the others continue after\n"
             "                   their last valid checkpoint; a complete job is left as is\n"
             "  --job-id ID      the job's id (as job_id: in the config); an existing job of\n"
             "                   that id is continued as with --resume\n"
             "  --quiet          print no progress and no summary\n"
             "  --serve [PORT]   serve the live dashboard of the job while it runs (as `zest\n"
             "                   serve`, on 127.0.0.1, port PORT or 8321; 0: any free port);\n"
             "                   the URL is printed on stdout when the job starts. The run never\n"
             "                   waits on the server; it stops when the run ends\n"
             "\n"
             "Progress goes to stderr while the run goes. On a terminal one line is redrawn in\n"
             "place (finished/total partitions, rows/s, MB/s, ETA, retries, skipped), coloured\n"
             "unless NO_COLOR is set, and erased before the summary. Otherwise (CI, pipes) a\n"
             "plain `progress:` line every 5 s, and a last one at the end; a shorter run prints\n"
             "none. ZEST_PROGRESS_INTERVAL=SECONDS changes the interval.\n"
             "\n"
             "Under an MPI launcher (mpirun -np N zest run CONFIG, or srun) a zest built with\n"
             "Open MPI runs the job on N ranks with np threads each, the work dir shared by\n"
             "all; rank 0 plans, merges, and alone prints progress and the summary. The\n"
             "export is the same as a local run's (docs/mpi.md).\n"
             "\n"
             "Exit status: 0 done, 3 partial (partitions skipped), 1 failed, 2 usage or config\n"
             "error (as an unshared work dir).\n",
     .fn = cmd_run},
    {.name = "validate",
     .args = "CONFIG [--set KEY=VALUE]... [--print]",
     .summary = "check a config without running it",
     .help = "  --set KEY=VALUE  override a config key (repeatable)\n"
             "  --print          print the effective config, every key with its value\n",
     .fn = cmd_validate},
    {.name = "ops",
     .args = "[NAME] [--json]",
     .summary = "list the operators, or show one operator's parameters",
     .help = "  --json           machine-readable output\n",
     .fn = cmd_ops},
    {.name = "events",
     .args = "JOBDIR [--type T,...] [--partition N] [--op NAME] [--since T] [--until T]\n"
             "                   [--level L] [--limit N] [--follow] [--json]",
     .summary = "show a job's events (rotated logs included), or follow them live",
     .help = "  --type T,...     only these types (upper or lower case), e.g. PARTITION_ERROR\n"
             "  --partition N    only events of partition N\n"
             "  --op NAME        only events of operation NAME\n"
             "  --since T        only events at or after T: ISO-8601 (2026-12-03T17:00:00,\n"
             "                   naive means UTC; Z or +02:00 allowed) or 30s, 10m, 2h, 1d ago\n"
             "  --until T        only events at or before T (same forms)\n"
             "  --level L        only events at level L or above (DEBUG, INFO, WARNING, ERROR)\n"
             "  --limit N        only the most recent N matches\n"
             "  --follow         keep printing new events until interrupted (Ctrl-C: exit 0)\n"
             "  --json           print each event's JSON line exactly as logged\n",
     .fn = cmd_events},
    {.name = "status",
     .args = "JOBDIR [--json]",
     .summary = "show where a job stands (also while it runs)",
     .help = "  JOBDIR           a job's directory (it holds events/), or the work directory\n"
             "                   holding jobs: then its job whose log was written last\n"
             "  --json           one JSON object (schema: docs/report.md)\n",
     .fn = cmd_status},
    {.name = "report",
     .args = "JOBDIR [--op NAME] [--json] [--html FILE] [--all]",
     .summary = "performance summary of a job: ops, partitions, workers, bottlenecks",
     .help = "  JOBDIR           a job's directory, or the work directory holding jobs\n"
             "  --op NAME        only this operator's figures\n"
             "  --json           one JSON object (schema: docs/report.md)\n"
             "  --html FILE      write a self-contained HTML report (timeline per worker,\n"
             "                   throughput, op time shares, findings) to FILE\n"
             "  --all            list every partition (default: the 10 slowest)\n",
     .fn = cmd_report},
    {.name = "serve",
     .args = "WORKDIR [--bind ADDR] [--port N] [--token T]",
     .summary = "serve a live dashboard, JSON API and Prometheus metrics of a job (read-only)",
     .help = "  WORKDIR          a job's directory, or the work directory holding jobs (the\n"
             "                   page lists them; the newest is shown first)\n"
             "  --bind ADDR      the address to listen on (default 127.0.0.1: this machine\n"
             "                   only). Any other address requires a token on every request\n"
             "  --port N         the port (default 8321; 0: any free port)\n"
             "  --token T        require T on every request, as `Authorization: Bearer T` or\n"
             "                   `?token=T` (8 to 255 characters). Off loopback, one is\n"
             "                   generated when not given\n"
             "\n"
             "Prints the URL to open (with the token) on stdout and serves until interrupted.\n"
             "Pages: / (dashboard). API: /api/jobs, /api/status, /api/report, /api/timeline,\n"
             "/api/events, /api/events/stream (Server-Sent Events), /metrics (Prometheus).\n"
             "See docs/dashboard.md.\n",
     .fn = cmd_serve},
    {.name = "predict",
     .args = "MODEL [-k N] [--threshold P]",
     .summary = "label stdin's lines with a fastText model (as fasttext predict-prob)",
     .help = "  MODEL            a fastText supervised model, .bin or quantized .ftz\n"
             "                   (e.g. lid.176.ftz, installed by `make demo`/`make test`)\n"
             "  -k N             the N best labels per line (default 1)\n"
             "  --threshold P    only labels with probability >= P (default 0)\n"
             "                   each output line: LABEL PROB ..., best first; empty when none\n",
     .fn = cmd_predict},
    {.name = "help", .args = "[COMMAND]", .summary = "show help", .help = "", .fn = cmd_help},
    {.name = "version", .args = "", .summary = "print the version", .help = "", .fn = cmd_version},
};
const size_t cli_n_cmds = sizeof cli_cmds / sizeof cli_cmds[0];

void cli_error(const char *fmt, ...) {
    va_list ap;
    fputs("zest: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_exit_code(int status) {
    if (status == ZEST_OK) return CLI_EXIT_OK;
    if (status == ZEST_E_PARTIAL) return CLI_EXIT_PARTIAL;
    if (status == ZEST_E_CONFIG || status == ZEST_E_USAGE || status == ZEST_E_PARAM)
        return CLI_EXIT_USAGE;
    return CLI_EXIT_FAILURE;
}

static void print_usage(FILE *f) {
    fprintf(f, "usage: zest COMMAND [ARGS]\n\n"
               "zest runs Data-Juicer pipeline configs (YAML) over JSONL datasets.\n\n"
               "commands:\n");
    for (size_t i = 0; i < cli_n_cmds; i++)
        fprintf(f, "  %-9s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
    fprintf(f, "\n`zest help COMMAND` shows a command's options.\n\n"
               "exit codes:\n"
               "  0  success\n"
               "  1  failure (I/O error, malformed input under bad_record_policy: fail, ...)\n"
               "  2  usage or config error\n"
               "  3  partial: partitions failed for good and were skipped (enable_fault_tolerance);\n"
               "     the export holds the others\n");
}

void cli_print_cmd_help(const struct cli_cmd *c) {
    printf("usage: zest %s %s\n\n%s\n", c->name, c->args, c->summary);
    if (c->help && *c->help) printf("\noptions:\n%s", c->help);
}

static const struct cli_cmd *find_cmd(const char *name) {
    for (size_t i = 0; i < cli_n_cmds; i++)
        if (strcmp(cli_cmds[i].name, name) == 0) return &cli_cmds[i];
    return NULL;
}

int cmd_help(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    const struct cli_cmd *c = find_cmd(argv[1]);
    if (!c) {
        cli_error("unknown command '%s'", argv[1]);
        return CLI_EXIT_USAGE;
    }
    cli_print_cmd_help(c);
    return CLI_EXIT_OK;
}

int cmd_version(int argc, char **argv) {
    (void)argc, (void)argv;
    printf("zest %s\n", ZEST_VERSION);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) return cmd_version(argc - 1, argv + 1);
    const struct cli_cmd *c = find_cmd(argv[1]);
    if (!c) {
        cli_error("unknown command '%s' (see zest --help)", argv[1]);
        return CLI_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_print_cmd_help(c);
            return CLI_EXIT_OK;
        }
    }
    return c->fn(argc - 1, argv + 1);
}

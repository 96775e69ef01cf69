/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h - the command table shared by main.c and the cmd_*.c files, and the few helpers every
 * subcommand uses. The CLI is an honest client of the library: it includes only zest.h.
 */
#ifndef ZEST_CLI_H
#define ZEST_CLI_H

#include <pthread.h>
#include <stddef.h>

#include "zest.h"

/* Exit codes (documented in `zest --help` and the README). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_PARTIAL = 3 };

struct cli_cmd {
    const char *name;
    const char *args;    /* synopsis after the name */
    const char *summary; /* one line */
    const char *help;    /* options, printed by `zest help NAME` / `zest NAME --help` */
    int (*fn)(int argc, char **argv);
};

extern const struct cli_cmd cli_cmds[];
extern const size_t cli_n_cmds;

/* Collected `--set key=value` options and the one positional CONFIG argument. */
struct cli_config_args {
    const char *config;
    const char *sets[256];
    size_t n_sets;
    char job_id_set[512]; /* "job_id=ID" from --job-id ID, one of sets */
};

/* Parses argv (after the subcommand) for CONFIG, --set and the flags named in `flags`
 * ("--print", "--quiet", ...: each found one sets the matching int in `found`). When `flags`
 * holds "--job-id", `--job-id ID` is taken as --set job_id=ID. Returns 0, or
 * CLI_EXIT_USAGE after printing why. */
int cli_parse_config_args(const char *cmd, int argc, char **argv, struct cli_config_args *out,
                          const char *const *flags, int *found, size_t n_flags);
/* Loads the config and prints its warnings to stderr; on error prints it and returns the exit
 * code to use. */
int cli_load_config(const struct cli_config_args *a, zest_config **cfg);
/* Prints "zest: error: MSG" to stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Exit code for a library status: config and usage problems are 2, everything else 1. */
int cli_exit_code(int status);
void cli_print_cmd_help(const struct cli_cmd *c);

/* `zest run`'s progress display on stderr (progress.c). */
struct cli_progress {
    pthread_mutex_t mu; /* stderr: the progress line and the run's warnings */
    int enabled, tty, color, cols;
    double interval_s, next_s; /* between lines; when the next plain line is due */
    int drawn;                 /* a terminal line is on screen */
    int printed;               /* a plain line went out: the run ends with one more */
};
/* Reads the terminal, NO_COLOR and ZEST_PROGRESS_INTERVAL; `enabled` 0 shows nothing. */
void cli_progress_init(struct cli_progress *p, int enabled);
void cli_progress_destroy(struct cli_progress *p);
/* The interval to ask the library for (zest_run_options.progress_interval_s). */
double cli_progress_tick_s(const struct cli_progress *p);
/* An on_progress call: redraw, print a due plain line, or (final) erase the terminal line. */
void cli_progress_update(struct cli_progress *p, const zest_progress *pr);
/* Around other output to stderr during the run: the line is erased, redrawn at the next tick. */
void cli_progress_lock(struct cli_progress *p);
void cli_progress_unlock(struct cli_progress *p);

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_ops(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* cmd_serve.c: prints "zest: serving DIR at URL" (with the token, when one is required) on
 * stdout; parses a port from 0 to 65535 (prints why and returns CLI_EXIT_USAGE when not). */
void cli_serve_url(const zest_server *srv, const char *bind, const char *dir);
int cli_parse_port(const char *s, int *port);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif

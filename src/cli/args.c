/* SPDX-License-Identifier: Apache-2.0 */
/* args.c - CONFIG / --set / flag parsing and config loading shared by the subcommands. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int take_set(const char *cmd, struct cli_config_args *out, const char *value) {
    if (!value || !strchr(value, '=')) {
        cli_error("%s: --set expects KEY=VALUE", cmd);
        return CLI_EXIT_USAGE;
    }
    if (out->n_sets == sizeof out->sets / sizeof out->sets[0]) {
        cli_error("%s: too many --set options", cmd);
        return CLI_EXIT_USAGE;
    }
    out->sets[out->n_sets++] = value;
    return 0;
}

/* --job-id ID: the job_id key, when the command takes it. */
static int take_job_id(const char *cmd, struct cli_config_args *out, const char *id) {
    if (!id || !*id || id[0] == '-') {
        cli_error("%s: --job-id expects an ID", cmd);
        return CLI_EXIT_USAGE;
    }
    if ((size_t)snprintf(out->job_id_set, sizeof out->job_id_set, "job_id=%s", id) >=
        sizeof out->job_id_set) {
        cli_error("%s: --job-id: ID too long", cmd);
        return CLI_EXIT_USAGE;
    }
    return take_set(cmd, out, out->job_id_set);
}

static bool has_flag(const char *name, const char *const *flags, size_t n_flags) {
    for (size_t f = 0; f < n_flags; f++)
        if (strcmp(flags[f], name) == 0) return true;
    return false;
}

static int take_flag(const char *arg, const char *const *flags, int *found, size_t n_flags) {
    for (size_t f = 0; f < n_flags; f++) {
        if (strcmp(arg, flags[f]) == 0) {
            found[f] = 1;
            return 1;
        }
    }
    return 0;
}

int cli_parse_config_args(const char *cmd, int argc, char **argv, struct cli_config_args *out,
                          const char *const *flags, int *found, size_t n_flags) {
    memset(out, 0, sizeof *out);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = 0;
        if (strcmp(a, "--set") == 0)
            rc = take_set(cmd, out, ++i < argc ? argv[i] : NULL);
        else if (strncmp(a, "--set=", 6) == 0)
            rc = take_set(cmd, out, a + 6);
        else if (strcmp(a, "--job-id") == 0 && has_flag(a, flags, n_flags))
            rc = take_job_id(cmd, out, ++i < argc ? argv[i] : NULL);
        else if (strncmp(a, "--job-id=", 9) == 0 && has_flag("--job-id", flags, n_flags))
            rc = take_job_id(cmd, out, a + 9);
        else if (take_flag(a, flags, found, n_flags))
            continue;
        else if (a[0] == '-' && a[1]) {
            cli_error("%s: unknown option '%s' (see zest %s --help)", cmd, a, cmd);
            rc = CLI_EXIT_USAGE;
        } else if (out->config) {
            cli_error("%s: more than one CONFIG given ('%s' and '%s')", cmd, out->config, a);
            rc = CLI_EXIT_USAGE;
        } else {
            out->config = a;
        }
        if (rc) return rc;
    }
    if (!out->config) {
        cli_error("%s: missing CONFIG (see zest %s --help)", cmd, cmd);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_load_config(const struct cli_config_args *a, zest_config **cfg) {
    zest_error err;
    zest_error_clear(&err);
    const int rc = zest_config_load(a->config, a->sets, a->n_sets, cfg, &err);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    for (size_t i = 0; i < zest_config_warning_count(*cfg); i++)
        fprintf(stderr, "zest: warning: %s\n", zest_config_warning(*cfg, i));
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_serve.c - `zest serve WORKDIR [--bind ADDR] [--port N] [--token T]`: the monitoring
 * server (zest_server_start) on a job directory or a work directory holding jobs, until
 * SIGINT or SIGTERM. Also the URL line `zest run --serve` prints (cli_serve_url). Owns the
 * options and the wait only.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t serve_stop;

static void serve_on_signal(int sig) {
    (void)sig;
    serve_stop = 1;
}

void cli_serve_url(const zest_server *srv, const char *bind, const char *dir) {
    const char *host = bind && bind[0] ? bind : "127.0.0.1";
    const int v6 = strchr(host, ':') != NULL;
    const char *token = zest_server_token(srv);
    printf("zest: serving %s at http://%s%s%s:%d/%s%s\n", dir, v6 ? "[" : "", host, v6 ? "]" : "",
           zest_server_port(srv), token[0] ? "?token=" : "", token);
    fflush(stdout);
}

/* "--port N": 0 to 65535 (0: any free port). */
int cli_parse_port(const char *s, int *port) {
    char *end = NULL;
    const long v = s ? strtol(s, &end, 10) : -1;
    if (!s || !*s || *end || v < 0 || v > 65535) {
        cli_error("port '%s': a number from 0 to 65535", s ? s : "");
        return CLI_EXIT_USAGE;
    }
    *port = (int)v;
    return 0;
}

static int serve_args(int argc, char **argv, const char **dir, zest_server_options *o) {
    for (int i = 1; i < argc; i++) {
        const int has = i + 1 < argc;
        if (!strcmp(argv[i], "--bind") && has)
            o->bind = argv[++i];
        else if (!strcmp(argv[i], "--token") && has)
            o->token = argv[++i];
        else if (!strcmp(argv[i], "--port") && has) {
            if (cli_parse_port(argv[++i], &o->port)) return CLI_EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("serve: unknown option or missing value '%s' (see zest serve --help)",
                      argv[i]);
            return CLI_EXIT_USAGE;
        } else if (*dir) {
            cli_error("serve: one WORKDIR only ('%s' and '%s')", *dir, argv[i]);
            return CLI_EXIT_USAGE;
        } else
            *dir = argv[i];
    }
    if (!*dir) {
        cli_error("serve: WORKDIR missing (see zest serve --help)");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cmd_serve(int argc, char **argv) {
    const char *dir = NULL;
    zest_server_options o = {.port = 8321};
    int rc = serve_args(argc, argv, &dir, &o);
    if (rc) return rc;
    zest_server *srv = NULL;
    zest_error err;
    zest_error_clear(&err);
    if ((rc = zest_server_start(dir, &o, &srv, &err)) != 0) {
        cli_error("serve: %s", err.msg);
        return cli_exit_code(rc);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = serve_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    cli_serve_url(srv, o.bind, dir);
    while (!serve_stop)
        pause();
    zest_server_stop(srv);
    return CLI_EXIT_OK;
}

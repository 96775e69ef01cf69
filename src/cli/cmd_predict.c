/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_predict.c - `zest predict MODEL [-k N] [--threshold P]`: fastText's `predict-prob` over
 * stdin, one output line per input line (the k best labels with their probabilities, best
 * first; empty when none passes the threshold), with 9 decimals instead of fastText's 6.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int pr_parse(int argc, char **argv, const char **model, int *k, float *threshold) {
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if ((!strcmp(o, "-k") || !strcmp(o, "--threshold")) && i + 1 < argc) {
            char *end;
            const double v = strtod(argv[++i], &end);
            if (*end || end == argv[i] || (o[1] == 'k' && (v < 1 || v > 1000 || v != (int)v)) ||
                (o[1] != 'k' && (v < 0 || v > 1))) {
                cli_error("predict: bad value '%s' for %s", argv[i], o);
                return CLI_EXIT_USAGE;
            }
            if (o[1] == 'k') *k = (int)v;
            else *threshold = (float)v;
        } else if (o[0] == '-' && o[1]) {
            cli_error("predict: unknown option '%s' (see zest predict --help)", o);
            return CLI_EXIT_USAGE;
        } else if (*model) {
            cli_error("predict: one MODEL only");
            return CLI_EXIT_USAGE;
        } else *model = o;
    }
    if (*model) return 0;
    cli_error("predict: MODEL missing (see zest predict --help)");
    return CLI_EXIT_USAGE;
}

static int pr_lines(const zest_fasttext *m, int k, float threshold) {
    zest_prediction *p = malloc((size_t)k * sizeof *p);
    zest_fasttext_scratch *scratch = zest_fasttext_scratch_new();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = p && scratch ? 0 : ZEST_E_NOMEM;
    zest_error err;
    while (rc >= 0 && (n = getline(&line, &cap, stdin)) >= 0) {
        if (n > 0 && line[n - 1] == '\n') n--;
        rc = zest_fasttext_predict(m, line, (size_t)n, k, threshold, p, scratch, &err);
        for (int i = 0; i < rc; i++) printf("%s%s %.9f", i ? " " : "", p[i].label, (double)p[i].prob);
        putchar('\n');
    }
    free(line);
    free(p);
    zest_fasttext_scratch_free(scratch);
    if (rc < 0) cli_error("predict: %s", err.msg);
    if (ferror(stdin) || fflush(stdout) != 0) {
        cli_error("predict: I/O error");
        return CLI_EXIT_FAILURE;
    }
    return rc < 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

int cmd_predict(int argc, char **argv) {
    const char *model = NULL;
    int k = 1;
    float threshold = 0;
    int rc = pr_parse(argc, argv, &model, &k, &threshold);
    if (rc) return rc;
    zest_fasttext *m = NULL;
    zest_error err;
    if ((rc = zest_fasttext_load(model, &m, &err)) != 0) {
        cli_error("predict: %s", err.msg);
        return rc == ZEST_E_FORMAT || rc == ZEST_E_NOTFOUND ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    }
    rc = pr_lines(m, k, threshold);
    zest_fasttext_free(m);
    return rc;
}

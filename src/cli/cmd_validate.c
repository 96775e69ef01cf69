/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_validate.c - `zest validate CONFIG`: load and check a config without running it. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int cmd_validate(int argc, char **argv) {
    static const char *const flags[] = {"--print"};
    int found[1] = {0};
    struct cli_config_args a;
    zest_config *cfg = NULL;
    int rc = cli_parse_config_args("validate", argc, argv, &a, flags, found, 1);
    if (rc) return rc;
    if ((rc = cli_load_config(&a, &cfg)) != 0) return rc;
    if (found[0]) {
        char *text = NULL;
        zest_error err;
        zest_error_clear(&err);
        rc = zest_config_dump(cfg, &text, &err);
        if (rc) {
            cli_error("%s", err.msg);
            rc = cli_exit_code(rc);
        } else {
            fputs(text, stdout);
        }
        free(text);
    } else {
        printf("%s: ok\n", a.config);
    }
    zest_config_destroy(cfg);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_ops.c - `zest ops [NAME] [--json]`: the operator catalogue, from the registry. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void json_str(const char *s) {
    putchar('"');
    for (; s && *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_param_text(const zest_param_desc *p) {
    printf("  %-24s %-13s default %s", p->name, zest_param_type_name(p->type),
           p->default_value ? p->default_value : "none");
    if (p->has_min || p->has_max) {
        printf(", range ");
        if (p->has_min) printf("%g", p->min); else printf("-inf");
        printf("..");
        if (p->has_max) printf("%g", p->max); else printf("inf");
    }
    if (p->choices) printf(", one of %s", p->choices);
    printf("\n  %-24s %s\n", "", p->help ? p->help : "");
}

static void print_op_text(const zest_op_info *op) {
    printf("%s (%s)\n  %s\n", op->name, zest_op_kind_name(op->kind), op->summary);
    if (!op->n_params) {
        printf("\nparameters: none\n");
        return;
    }
    printf("\nparameters:\n");
    for (size_t i = 0; i < op->n_params; i++) print_param_text(&op->params[i]);
}

static void print_op_json(const zest_op_info *op) {
    printf("{\"name\":");
    json_str(op->name);
    printf(",\"kind\":");
    json_str(zest_op_kind_name(op->kind));
    printf(",\"summary\":");
    json_str(op->summary);
    printf(",\"params\":[");
    for (size_t i = 0; i < op->n_params; i++) {
        const zest_param_desc *p = &op->params[i];
        printf(i ? ",{\"name\":" : "{\"name\":");
        json_str(p->name);
        printf(",\"type\":");
        json_str(zest_param_type_name(p->type));
        printf(",\"default\":");
        if (p->default_value) json_str(p->default_value); else printf("null");
        if (p->has_min) printf(",\"min\":%.17g", p->min);
        if (p->has_max) printf(",\"max\":%.17g", p->max);
        if (p->choices) {
            printf(",\"choices\":");
            json_str(p->choices);
        }
        printf(",\"help\":");
        json_str(p->help ? p->help : "");
        printf("}");
    }
    printf("]}");
}

/* Data-Juicer ops zest cannot run: listed after the others, each with its reason. */
static void print_unavailable_json(const char *name, zest_op_kind kind, const char *reason) {
    printf("{\"name\":");
    json_str(name);
    printf(",\"kind\":");
    json_str(zest_op_kind_name(kind));
    printf(",\"available\":false,\"reason\":");
    json_str(reason);
    printf("}");
}

static void print_unavailable_list(int json) {
    zest_op_kind kind;
    const char *reason, *name;
    if (!json && zest_op_unavailable_count()) printf("\nunavailable (a config that uses one is rejected):\n");
    for (size_t i = 0; (name = zest_op_unavailable_at(i, &kind, &reason)) != NULL; i++) {
        if (json) {
            printf(",");
            print_unavailable_json(name, kind, reason);
        } else {
            printf("%-36s %-8s unavailable: %s\n", name, zest_op_kind_name(kind), reason);
        }
    }
}

static int print_unavailable_one(const char *want, int json) {
    zest_op_kind kind;
    const char *reason, *name;
    for (size_t i = 0; (name = zest_op_unavailable_at(i, &kind, &reason)) != NULL; i++) {
        if (strcmp(name, want) != 0) continue;
        if (json) {
            print_unavailable_json(name, kind, reason);
            putchar('\n');
        } else {
            printf("%s (%s)\n  unavailable: %s\n", name, zest_op_kind_name(kind), reason);
        }
        return 1;
    }
    return 0;
}

int cmd_ops(int argc, char **argv) {
    const char *name = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-') {
            cli_error("ops: unknown option '%s'", argv[i]);
            return CLI_EXIT_USAGE;
        } else
            name = argv[i];
    }
    if (name) {
        const zest_op_info *op = zest_op_find(name);
        if (!op && print_unavailable_one(name, json)) return CLI_EXIT_OK;
        if (!op) {
            cli_error("ops: unknown operator '%s' (see zest ops)", name);
            return CLI_EXIT_USAGE;
        }
        if (json) print_op_json(op), putchar('\n');
        else print_op_text(op);
        return CLI_EXIT_OK;
    }
    if (json) putchar('[');
    for (size_t i = 0; i < zest_op_count(); i++) {
        const zest_op_info *op = zest_op_at(i);
        if (json) {
            if (i) putchar(',');
            print_op_json(op);
        } else {
            printf("%-36s %-8s %s\n", op->name, zest_op_kind_name(op->kind), op->summary);
        }
    }
    print_unavailable_list(json);
    if (json) printf("]\n");
    return CLI_EXIT_OK;
}

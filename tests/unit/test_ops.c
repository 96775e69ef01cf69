/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops.c - data-driven operator tests: every tests/ops/<op>.test file holds cases of
 * (config lines, input JSONL, expected JSONL), separated by "%%" lines. Each case is run
 * through the library as a user runs it (zest_config_load + zest_run on real files) and the
 * export must equal the expected bytes exactly. Every registered op must have a file.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../../src/common/buf.h"
#include "runner.h"
#include "zest.h"

struct ops_case {
    char name[256];
    struct buf config, input, expected;
};

enum section { SEC_NONE, SEC_CONFIG, SEC_INPUT, SEC_EXPECTED };

static void case_reset(struct ops_case *c) {
    c->name[0] = '\0';
    buf_clear(&c->config);
    buf_clear(&c->input);
    buf_clear(&c->expected);
}

static int case_counter; /* case dirs stay distinct across files */

static void run_case(const struct ops_case *c) {
    const int index = case_counter++;
    char dir[4096], path[4200], in[4200], out[4200];
    snprintf(dir, sizeof dir, "%s/case%d", test_tmpdir(), index);
    ASSERT(mkdir(dir, 0777) == 0);
    snprintf(in, sizeof in, "%s/in.jsonl", dir);
    snprintf(out, sizeof out, "%s/out.jsonl", dir);
    struct buf cfg;
    buf_init(&cfg, 0);
    buf_printf(&cfg, "dataset_path: '%s'\nexport_path: '%s'\n%.*s", in, out, (int)c->config.len,
               c->config.data);
    free(test_write_file(dir, "in.jsonl", c->input.data, c->input.len));
    free(test_write_file(dir, "config.yaml", cfg.data, cfg.len));
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    zest_config *config = NULL;
    zest_error err;
    zest_error_clear(&err);
    int rc = zest_config_load(path, NULL, 0, &config, &err);
    if (rc) TEST_FAIL("case '%s': config: %s", c->name, err.msg);
    rc = zest_run(config, NULL, NULL, &err);
    if (rc) TEST_FAIL("case '%s': run: %s", c->name, err.msg);
    size_t len;
    char *got = test_read_file(out, &len);
    if (len != c->expected.len || memcmp(got, c->expected.data, len) != 0)
        TEST_FAIL("case '%s':\n--- got\n%s--- expected\n%.*s", c->name, got,
                  (int)c->expected.len, c->expected.data);
    free(got);
    zest_config_destroy(config);
    buf_free(&cfg);
}

static enum section section_of(const char *line) {
    if (strcmp(line, "config:") == 0) return SEC_CONFIG;
    if (strcmp(line, "input:") == 0) return SEC_INPUT;
    if (strcmp(line, "expected:") == 0) return SEC_EXPECTED;
    return SEC_NONE;
}

static void run_file(const char *path) {
    size_t len;
    char *text = test_read_file(path, &len);
    struct ops_case c;
    buf_init(&c.config, 0);
    buf_init(&c.input, 0);
    buf_init(&c.expected, 0);
    case_reset(&c);
    enum section sec = SEC_NONE;
    int n = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (strncmp(line, "# case: ", 8) == 0) {
            snprintf(c.name, sizeof c.name, "%s", line + 8);
        } else if (strcmp(line, "%%") == 0) {
            run_case(&c);
            n++;
            case_reset(&c);
            sec = SEC_NONE;
        } else if (section_of(line) != SEC_NONE) {
            sec = section_of(line);
        } else if (sec != SEC_NONE) {
            struct buf *b = sec == SEC_CONFIG ? &c.config : sec == SEC_INPUT ? &c.input : &c.expected;
            buf_printf(b, "%s\n", line);
        }
    }
    ASSERT(n > 0);
    if (sec != SEC_NONE) TEST_FAIL("%s: the last case ('%s') does not end with a %%%% line", path, c.name);
    buf_free(&c.config);
    buf_free(&c.input);
    buf_free(&c.expected);
    free(text);
}

TEST(every_registered_op_has_a_test_file) {
    for (size_t i = 0; i < zest_op_count(); i++) {
        char path[512];
        snprintf(path, sizeof path, "tests/ops/%s.test", zest_op_at(i)->name);
        FILE *f = fopen(path, "r");
        if (!f) TEST_FAIL("operator %s has no %s", zest_op_at(i)->name, path);
        fclose(f);
    }
}

TEST(ops_are_listed_in_name_order) {
    for (size_t i = 1; i < zest_op_count(); i++)
        ASSERT(strcmp(zest_op_at(i - 1)->name, zest_op_at(i)->name) < 0);
}

TEST(every_op_passes_its_cases) {
    for (size_t i = 0; i < zest_op_count(); i++) {
        char path[512];
        snprintf(path, sizeof path, "tests/ops/%s.test", zest_op_at(i)->name);
        run_file(path);
    }
}

/* The docs page names every parameter as `name`, so the page and the schema cannot drift. */
TEST(every_registered_op_has_a_docs_page_naming_its_parameters) {
    for (size_t i = 0; i < zest_op_count(); i++) {
        const zest_op_info *op = zest_op_at(i);
        char path[512], quoted[128];
        snprintf(path, sizeof path, "docs/ops/%s.md", op->name);
        FILE *f = fopen(path, "r");
        if (!f) TEST_FAIL("operator %s has no %s", op->name, path);
        fclose(f);
        size_t len;
        char *text = test_read_file(path, &len);
        for (size_t k = 0; k < op->n_params; k++) {
            snprintf(quoted, sizeof quoted, "`%s`", op->params[k].name);
            if (!strstr(text, quoted))
                TEST_FAIL("%s does not mention parameter %s", path, quoted);
        }
        free(text);
    }
}

/* An op zest cannot run is not also registered, and has a reason. */
TEST(unavailable_ops_are_not_registered) {
    zest_op_kind kind;
    const char *reason, *name;
    size_t n = 0;
    for (; (name = zest_op_unavailable_at(n, &kind, &reason)) != NULL; n++) {
        if (zest_op_find(name)) TEST_FAIL("%s is both registered and unavailable", name);
        ASSERT(reason && *reason);
    }
    ASSERT_EQ(n, zest_op_unavailable_count());
    ASSERT(n >= 3);
}

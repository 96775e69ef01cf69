/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_json_conformance.c - runs the io/json parser over the corpus in tests/conformance
 * (cwd = repo root): y_ files must be accepted with an idempotent canonical form, n_ files
 * rejected with a message and an in-range position, i_ files handled as README.md there says.
 */
#include <dirent.h>

#include "../../src/io/json.h"
#include "runner.h"
#include "zest.h"

#define CORPUS "tests/conformance"

/* What one parse produced: status, canonical text or the error. */
struct outcome {
    int rc;
    struct buf canon;
    char err[128];
    int64_t err_off;
};

static void run_canon(const char *text, size_t len, struct outcome *o) {
    struct json_cursor c;
    json_cursor_init(&c, text, len);
    buf_init(&o->canon, 0);
    o->rc = json_canon_value(&c, &o->canon);
    if (!o->rc) o->rc = json_expect_end(&c);
    o->err[0] = 0;
    if (o->rc) {
        ASSERT(c.err && c.err[0]);
        ASSERT(c.err_pos >= c.start && c.err_pos <= c.end);
        snprintf(o->err, sizeof o->err, "%s", c.err);
        o->err_off = json_error_offset(&c);
    }
}

/* json_skip_value and json_parse_value must agree with json_canon_value; the written tree
 * must equal the canonical text. */
static void check_agreement(const char *name, const char *text, size_t len,
                            const struct outcome *o) {
    struct json_cursor c;
    json_cursor_init(&c, text, len);
    int rc = json_skip_value(&c);
    if (!rc) rc = json_expect_end(&c);
    if ((rc == 0) != (o->rc == 0)) TEST_FAIL("%s: skip says %d, canon says %d", name, rc, o->rc);
    struct arena a;
    arena_init(&a, 0);
    struct json_value v;
    json_cursor_init(&c, text, len);
    rc = json_parse_value(&c, &a, &v);
    if (!rc) rc = json_expect_end(&c);
    if ((rc == 0) != (o->rc == 0)) TEST_FAIL("%s: parse says %d, canon says %d", name, rc, o->rc);
    if (!rc) {
        struct buf w;
        buf_init(&w, 0);
        ASSERT_EQ(json_write_value(&w, &v), 0);
        if (w.len != o->canon.len || memcmp(w.data, o->canon.data, w.len))
            TEST_FAIL("%s: written tree differs from canonical form", name);
        buf_free(&w);
    }
    arena_destroy(&a);
}

/* Accepted, and canonical(canonical(x)) == canonical(x). */
static void check_accepted(const char *name, const char *text, size_t len, struct outcome *o) {
    run_canon(text, len, o);
    if (o->rc) TEST_FAIL("%s: rejected at %lld: %s", name, (long long)o->err_off, o->err);
    struct outcome again;
    run_canon(o->canon.data, o->canon.len, &again);
    if (again.rc) TEST_FAIL("%s: canonical form rejected: %s", name, again.err);
    if (again.canon.len != o->canon.len || memcmp(again.canon.data, o->canon.data, o->canon.len))
        TEST_FAIL("%s: canonical form is not idempotent", name);
    buf_free(&again.canon);
    check_agreement(name, text, len, o);
}

static void check_rejected(const char *name, const char *text, size_t len, struct outcome *o) {
    run_canon(text, len, o);
    if (!o->rc) TEST_FAIL("%s: accepted", name);
    if (o->rc != ZEST_E_FORMAT) TEST_FAIL("%s: status %d", name, o->rc);
    check_agreement(name, text, len, o);
}

typedef void (*file_fn)(const char *name, const char *text, size_t len);

/* Calls fn for every file of the corpus whose name starts with `prefix`; returns the count. */
static int for_each_file(const char *prefix, file_fn fn) {
    DIR *d = opendir(CORPUS);
    if (!d) TEST_FAIL("cannot open %s (run from the repo root)", CORPUS);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const size_t nl = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) || nl < 5 ||
            strcmp(e->d_name + nl - 5, ".json"))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
        size_t len;
        char *text = test_read_file(path, &len);
        fn(e->d_name, text, len);
        free(text);
        n++;
    }
    closedir(d);
    return n;
}

static void y_file(const char *name, const char *text, size_t len) {
    struct outcome o;
    check_accepted(name, text, len, &o);
    buf_free(&o.canon);
}

static void n_file(const char *name, const char *text, size_t len) {
    struct outcome o;
    check_rejected(name, text, len, &o);
    buf_free(&o.canon);
}

/* The i_ table of tests/conformance/README.md. `canon` NULL means "the file verbatim". */
static const struct {
    const char *name;
    bool accept;
    const char *canon; /* accepted: expected canonical text; rejected: the message */
} i_cases[] = {
    {"i_number_huge_int_400_digits.json", true, NULL},
    {"i_number_huge_exponent_1e400.json", true, NULL},
    {"i_number_tiny_1e-400.json", true, NULL},
    {"i_number_long_fraction.json", true, NULL},
    {"i_string_escaped_nul.json", true, "\"a\\u0000b\""},
    {"i_string_noncharacters.json", true,
     "\"\xef\xbf\xbf\xef\xbf\xbe\xef\xb7\x90\xef\xbf\xbf\""},
    {"i_string_escaped_slash.json", true, "\"/\""},
    {"i_string_escaped_u2028.json", true, "\"\xe2\x80\xa8\xe2\x80\xa9\""},
    {"i_string_bom_inside.json", true, NULL},
    {"i_object_duplicate_key_same_value.json", false, "duplicate key \"a\""},
    {"i_nested_objects_512.json", true, NULL},
    {"i_nested_objects_513.json", false, "nesting deeper than 512 levels"},
};

static void i_file(const char *name, const char *text, size_t len) {
    for (size_t k = 0; k < sizeof i_cases / sizeof i_cases[0]; k++) {
        if (strcmp(i_cases[k].name, name)) continue;
        struct outcome o;
        if (!i_cases[k].accept) {
            check_rejected(name, text, len, &o);
            ASSERT_STR_EQ(o.err, i_cases[k].canon);
        } else {
            check_accepted(name, text, len, &o);
            const char *want = i_cases[k].canon ? i_cases[k].canon : text;
            const size_t wl = i_cases[k].canon ? strlen(want) : len;
            ASSERT_MEM_EQ(o.canon.data, o.canon.len, want, wl);
        }
        buf_free(&o.canon);
        return;
    }
    TEST_FAIL("%s is not in the i_ table (add it here and to tests/conformance/README.md)", name);
}

TEST(conformance_y_accepted_idempotent) { ASSERT(for_each_file("y_", y_file) >= 20); }

TEST(conformance_n_rejected) { ASSERT(for_each_file("n_", n_file) >= 40); }

TEST(conformance_i_as_documented) {
    ASSERT_EQ(for_each_file("i_", i_file), sizeof i_cases / sizeof i_cases[0]);
    size_t len;
    char *readme = test_read_file(CORPUS "/README.md", &len);
    for (size_t k = 0; k < sizeof i_cases / sizeof i_cases[0]; k++)
        ASSERT_CONTAINS(readme, i_cases[k].name);
    free(readme);
}

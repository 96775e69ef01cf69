/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_json.c - libFuzzer target for io/json. Every input goes through json_canon_value,
 * json_skip_value, json_parse_value and the record walk; the target aborts when they
 * disagree on acceptance, when a canonical form does not reparse to itself, when a written
 * tree differs from the canonical form, or when an error lacks a message or a position inside
 * the input. Seed corpus: tests/conformance.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../src/io/json.h"

#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz_json: check failed: %s (line %d)\n", #cond, __LINE__);       \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

static void check_error(const struct json_cursor *c, int rc) {
    FUZZ_CHECK(rc < 0);
    FUZZ_CHECK(c->err && c->err[0]);
    FUZZ_CHECK(c->err_pos >= c->start && c->err_pos <= c->end);
}

/* Canonical form of the whole text into out; returns the status. */
static int canon_all(const char *text, size_t len, struct buf *out) {
    struct json_cursor c;
    json_cursor_init(&c, text, len);
    int rc = json_canon_value(&c, out);
    if (!rc) rc = json_expect_end(&c);
    if (rc) check_error(&c, rc);
    return rc;
}

static int skip_all(const char *text, size_t len) {
    struct json_cursor c;
    json_cursor_init(&c, text, len);
    int rc = json_skip_value(&c);
    if (!rc) rc = json_expect_end(&c);
    if (rc) check_error(&c, rc);
    return rc;
}

/* Parses into a tree and writes it back; returns the status. */
static int parse_all(const char *text, size_t len, struct arena *a, struct buf *out) {
    struct json_cursor c;
    struct json_value v;
    json_cursor_init(&c, text, len);
    int rc = json_parse_value(&c, a, &v);
    if (!rc) rc = json_expect_end(&c);
    if (rc) {
        check_error(&c, rc);
        return rc;
    }
    FUZZ_CHECK(json_write_value(out, &v) == 0);
    return 0;
}

/* The record walk must not crash and must report errors properly. */
static void walk_record(const char *text, size_t len) {
    struct json_cursor c;
    struct buf key, val;
    buf_init(&key, 0);
    buf_init(&val, 0);
    json_cursor_init(&c, text, len);
    int rc = json_object_begin(&c);
    while (!rc && (rc = json_object_next_key(&c, &key)) == 1) {
        buf_clear(&val);
        rc = json_peek_type(&c) == JSON_STRING ? json_read_string(&c, &val)
                                               : json_canon_value(&c, &val);
    }
    if (!rc) rc = json_expect_end(&c);
    if (rc) check_error(&c, rc);
    buf_free(&key);
    buf_free(&val);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    /* A private copy of exactly `size` bytes, so any over-read hits ASan. */
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    memcpy(text, data, size);
    struct buf canon, again, written;
    struct arena a;
    buf_init(&canon, 0);
    buf_init(&again, 0);
    buf_init(&written, 0);
    arena_init(&a, 4096);

    const int rc = canon_all(text, size, &canon);
    FUZZ_CHECK((skip_all(text, size) == 0) == (rc == 0));
    FUZZ_CHECK((parse_all(text, size, &a, &written) == 0) == (rc == 0));
    if (rc == 0) {
        FUZZ_CHECK(canon_all(canon.data, canon.len, &again) == 0);
        FUZZ_CHECK(again.len == canon.len && memcmp(again.data, canon.data, canon.len) == 0);
        FUZZ_CHECK(written.len == canon.len && memcmp(written.data, canon.data, canon.len) == 0);
    }
    walk_record(text, size);

    arena_destroy(&a);
    buf_free(&canon);
    buf_free(&again);
    buf_free(&written);
    free(text);
    return 0;
}

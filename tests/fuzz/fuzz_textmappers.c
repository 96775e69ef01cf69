/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_textmappers.c - libFuzzer target for the text mappers (ops/mapper_*.c with regex.c,
 * clean_html_mapper's HTML handling, fix_unicode_mapper's repairs): every input that is valid
 * UTF-8 (what the JSON reader lets through) goes as one row through each registered mapper
 * with its default parameters; the target aborts when a mapper fails or writes text that is
 * not valid UTF-8. Seed corpus: tests/fuzz/corpus/textmappers/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../../src/ops/op.h"

#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz_textmappers: check failed: %s (line %d)\n", #cond, __LINE__); \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

struct inst {
    const struct op_desc *op;
    struct op_params params;
    void *state;
};

static struct inst insts[64];
static size_t n_insts;
static struct col_builder in_b, out_b;
static struct arena arena;

static bool valid_utf8(const char *s, size_t len) {
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t c;
        const utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &c);
        if (n <= 0) return false;
        i += (size_t)n;
    }
    return true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    for (size_t i = 0; i < op_registry_count() && n_insts < 64; i++) {
        const struct op_desc *op = op_registry_at(i);
        if (op->info.kind != ZEST_OP_MAPPER) continue;
        struct inst *in = &insts[n_insts];
        zest_error err;
        zest_error_clear(&err);
        FUZZ_CHECK(op_params_bind(op, NULL, "fuzz", &in->params, &err) == 0);
        in->state = calloc(1, op->state_size ? op->state_size : 1);
        FUZZ_CHECK(in->state);
        if (op->init) FUZZ_CHECK(op->init(in->state, &in->params, &err) == 0);
        in->op = op;
        n_insts++;
    }
    colb_init(&in_b, COL_UTF8, false, 0);
    colb_init(&out_b, COL_UTF8, false, 0);
    arena_init(&arena, 1 << 16);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!valid_utf8((const char *)data, size) || memchr(data, 0, size)) return 0;
    colb_reset(&in_b);
    FUZZ_CHECK(colb_append_str(&in_b, (const char *)data, size) == 0);
    struct column col;
    FUZZ_CHECK(colb_finish(&in_b, &col) == 0);
    static const char *const names[] = {"text"};
    const struct batch batch = {.length = 1, .n_cols = 1, .cols = &col, .names = names};
    for (size_t i = 0; i < n_insts; i++) {
        colb_reset(&out_b);
        arena_reset(&arena);
        struct op_ctx ctx = {.in = &batch, .text_col = 0, .arena = &arena, .text_out = &out_b};
        zest_error err;
        zest_error_clear(&err);
        const int rc = insts[i].op->process(insts[i].state, &ctx, &err);
        if (rc) fprintf(stderr, "%s: %s\n", insts[i].op->info.name, err.msg);
        FUZZ_CHECK(rc == 0);
        struct column out;
        FUZZ_CHECK(colb_finish(&out_b, &out) == 0);
        FUZZ_CHECK(out.length == 1);
        size_t len;
        const char *s = col_str(&out, 0, &len);
        FUZZ_CHECK(valid_utf8(s, len));
    }
    return 0;
}

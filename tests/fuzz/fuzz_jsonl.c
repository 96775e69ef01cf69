/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_jsonl.c - libFuzzer target for the record path: bytes -> lines -> JSONL records ->
 * columnar batch -> JSONL out. Never crashes; and what the writer emits must read back as the
 * same number of good records and be written again byte for byte (the output is canonical).
 */
#include <stdlib.h>
#include <string.h>

#include "../../src/io/jsonl.h"
#include "../../src/io/source.h"

/* Reads every line of data as records, writes the batch to out; returns the good-row count. */
static int64_t roundtrip(const uint8_t *data, size_t size, struct buf *out, bool text_raw) {
    struct linereader *lr = NULL;
    struct arena arena;
    struct jsonl_reader r;
    int64_t rows = 0;
    arena_init(&arena, 1 << 16);
    jsonl_reader_init(&r, "text", false, &arena);
    r.text_raw = text_raw;
    if (linereader_open_mem("fuzz", data, size, 1 << 20, &lr, NULL) == 0) {
        linereader_set_chunk(lr, 4096);
        const char *line;
        size_t len;
        while (linereader_next(lr, &line, &len, NULL, NULL, NULL) == 1) {
            struct jsonl_bad bad;
            if (jsonl_parse_record(&r, line, len, &bad) < 0) abort();
        }
    }
    struct batch b;
    const uint16_t *const *perm = NULL;
    if (jsonl_reader_finish(&r, &b, &perm) != 0) abort();
    const struct jsonl_write_spec spec = {.b = &b, .perm = perm, .stats_col = -1};
    if (jsonl_write_batch(&spec, out) != 0) abort();
    rows = b.length;
    linereader_close(lr);
    jsonl_reader_destroy(&r);
    arena_destroy(&arena);
    return rows;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    for (int raw = 0; raw < 2; raw++) {
        struct buf once, twice;
        buf_init(&once, 0);
        buf_init(&twice, 0);
        const int64_t rows = roundtrip(data, size, &once, raw);
        const int64_t again = roundtrip((const uint8_t *)once.data, once.len, &twice, raw);
        if (rows != again) abort();
        if (once.len != twice.len || (once.len && memcmp(once.data, twice.data, once.len) != 0))
            abort();
        buf_free(&once);
        buf_free(&twice);
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_parquet.c - libFuzzer target for the Parquet reader: bytes -> footer (Thrift compact
 * decoding, schema tree) -> every row group's pages (headers, codecs, levels, encodings) ->
 * rows assembled into a batch -> each row rendered as JSON. Never crashes, leaks or reads out
 * of bounds; a failure is an error with a message naming the file.
 */
#include <stdlib.h>
#include <string.h>

#include "../../src/io/parquet.h"
#include "../../src/io/parquet_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct parquet_reader *r = NULL;
    zest_error err;
    memset(&err, 0, sizeof err);
    if (parquet_reader_open_mem("fuzz.parquet", data, size, &r, &err) != 0) {
        if (!strstr(err.msg, "fuzz.parquet")) abort();
        return 0;
    }
    parquet_reader_set_page_limit(r, 16u << 20);
    struct buf line;
    buf_init(&line, 0);
    for (size_t g = 0; g < parquet_reader_row_groups(r) && g < 64; g++) {
        struct batch b;
        if (parquet_reader_read(r, g, &b, &err) != 0) {
            if (!strstr(err.msg, "fuzz.parquet")) abort();
            continue;
        }
        for (int64_t i = 0; i < b.length; i++) {
            buf_clear(&line);
            if (parquet_row_json(&b, i, &line) != 0) break;
        }
    }
    buf_free(&line);
    parquet_reader_close(r);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_arrow_ipc.c - libFuzzer target for the Arrow IPC reader (file and stream formats,
 * FlatBuffers metadata, buffers, LZ4 frame / zstd decompression, dictionaries): bytes ->
 * reader -> every batch rendered as JSON. Never crashes, hangs or reads out of bounds; every
 * failure carries a message. Decompressed buffers are capped at 1 MiB.
 */
#include <stdlib.h>

#include "../../src/common/buf.h"
#include "../../src/io/arrow_ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct arrow_ipc_reader *r = NULL;
    zest_error err = {0};
    struct batch b;
    struct buf out;
    int rc;
    buf_init(&out, 1 << 26);
    if (arrow_ipc_reader_open_mem(data, size, "fuzz", 1 << 20, &r, &err) == 0) {
        while ((rc = arrow_ipc_reader_next(r, &b, &err)) == 1) {
            for (int64_t i = 0; i < b.length && b.n_cols; i++)
                for (size_t k = 0; k < b.n_cols; k++) {
                    buf_clear(&out);
                    if (col_write_json(&b.cols[k], i, &out)) abort();
                }
        }
        if (rc < 0 && !err.msg[0]) abort();
        arrow_ipc_reader_close(r);
    } else if (!err.msg[0]) {
        abort();
    }
    buf_free(&out);
    return 0;
}

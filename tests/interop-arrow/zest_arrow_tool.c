/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zest_arrow_tool.c - the zest side of the Arrow interop test, linked against libzest.a by
 * tests/integration/test_arrow_interop.sh:
 *   zest_arrow_tool write OUT file|stream none|lz4|zstd ROWS_PER_BATCH < rows.jsonl
 *     reads JSON Lines (typed columns; every record has a string "text") and writes them
 *     with the Arrow IPC writer, ROWS_PER_BATCH rows per record batch;
 *   zest_arrow_tool read IN
 *     reads an Arrow IPC file or stream and prints one JSON object per row, keys in column
 *     order, values as zest renders them.
 * Exit status 0 on success, 1 with the error message on stderr otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/common/arena.h"
#include "../../src/common/buf.h"
#include "../../src/io/arrow_ipc.h"
#include "../../src/io/json.h"
#include "../../src/io/jsonl.h"

static int tool_write(char **argv) {
    struct arrow_ipc_writer_opts o = {.kind = strcmp(argv[3], "stream") ? ARROW_IPC_FILE : ARROW_IPC_STREAM};
    zest_error err = {0};
    struct arrow_ipc_writer *w = NULL;
    struct arena arena;
    struct jsonl_reader jr;
    struct batch b;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long per = atol(argv[5]), rows = 0, lineno = 0;
    int rc = arrow_ipc_codec_parse(argv[4], &o.codec, &err);
    if (rc) goto out;
    arena_init(&arena, 1 << 16);
    jsonl_reader_init(&jr, "text", true, &arena);
    if ((rc = arrow_ipc_writer_open(argv[2], &o, &w, &err))) goto done;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        struct jsonl_bad bad;
        lineno++;
        if (line[n - 1] == '\n') n--;
        rc = jsonl_parse_record(&jr, line, (size_t)n, &bad);
        if (rc == 1) {
            fprintf(stderr, "line %ld: %s\n", lineno, bad.reason);
            rc = 1;
            goto done;
        }
        if (rc) goto done;
        if (++rows == per) {
            if ((rc = jsonl_reader_finish(&jr, &b, NULL)) || (rc = arrow_ipc_writer_write(w, &b, &err)))
                goto done;
            jsonl_reader_reset(&jr);
            arena_reset(&arena);
            rows = 0;
        }
    }
    if (rows || lineno == 0) {
        if ((rc = jsonl_reader_finish(&jr, &b, NULL)) || (rc = arrow_ipc_writer_write(w, &b, &err)))
            goto done;
    }
    rc = arrow_ipc_writer_commit(w, NULL, &err);
    w = NULL;
done:
    arrow_ipc_writer_abort(w);
    jsonl_reader_destroy(&jr);
    arena_destroy(&arena);
out:
    free(line);
    if (rc) fprintf(stderr, "zest_arrow_tool: %s (%d)\n", err.msg, rc);
    return rc ? 1 : 0;
}

static int tool_read(char **argv) {
    zest_error err = {0};
    struct arrow_ipc_reader *r = NULL;
    struct batch b;
    struct buf out;
    int rc;
    buf_init(&out, 0);
    if ((rc = arrow_ipc_reader_open(argv[2], &r, &err))) goto out;
    while ((rc = arrow_ipc_reader_next(r, &b, &err)) == 1) {
        rc = 0;
        for (int64_t i = 0; i < b.length && !rc; i++) {
            buf_clear(&out);
            rc = buf_putc(&out, '{');
            for (size_t k = 0; k < b.n_cols && !rc; k++) {
                if (k) rc = buf_putc(&out, ',');
                if (!rc) rc = json_write_string(&out, b.names[k], strlen(b.names[k]));
                if (!rc) rc = buf_putc(&out, ':');
                if (!rc) rc = col_write_json(&b.cols[k], i, &out);
            }
            if (!rc) rc = buf_putc(&out, '}');
            if (!rc) rc = buf_putc(&out, '\n');
            if (!rc) fwrite(out.data, 1, out.len, stdout);
        }
        if (rc) break;
    }
out:
    arrow_ipc_reader_close(r);
    buf_free(&out);
    if (rc) fprintf(stderr, "zest_arrow_tool: %s (%d)\n", err.msg, rc);
    return rc ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc == 6 && !strcmp(argv[1], "write")) return tool_write(argv);
    if (argc == 3 && !strcmp(argv[1], "read")) return tool_read(argv);
    fprintf(stderr, "usage: zest_arrow_tool write OUT file|stream none|lz4|zstd ROWS_PER_BATCH < in.jsonl\n"
                    "       zest_arrow_tool read IN\n");
    return 2;
}

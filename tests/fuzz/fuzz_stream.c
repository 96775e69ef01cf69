/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_stream.c - libFuzzer target for the line reader (src/io/source.c). Inputs starting with
 * the gzip or zstd magic go through the decompressors. Checks, besides memory safety:
 *  - line invariants: numbers count up from 1, offsets are contiguous, no '\n' inside a line,
 *    no line over the limit;
 *  - chunk independence: reading with 1..16-byte steps and with 4 KB steps yields the same
 *    lines and status for intact input; for damaged input both fail and one run's lines are
 *    a prefix of the other's (zstd checks a frame checksum before or after flushing the
 *    frame's last bytes depending on the output size, so the amount delivered may differ);
 *  - for plain inputs, byte ranges [0,a) [a,b) [b,EOF) read through a file together yield
 *    exactly the lines of the whole read.
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -D_GNU_SOURCE
 *        tests/fuzz/fuzz_stream.c src/io/source.c src/common/(star).c -lz -lzstd
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/io/source.h"

#define FUZZ_MAX_LINE 300
#define FUZZ_MAX_LINES (1u << 16)
#define FUZZ_CAPPED 1 /* run status: stopped at FUZZ_MAX_LINES */

/* A digest of the lines read, one hash per line, and the status that ended the read. */
struct run {
    uint64_t hash;
    int64_t lines;
    int status;
    uint64_t *each; /* per-line hashes (run_mem only) */
    size_t cap;
};

static uint64_t mix(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static void consume(struct linereader *r, size_t max_line, int64_t expect_first_off,
                    struct run *out) {
    const char *line;
    size_t len;
    int64_t no, off, next_off = expect_first_off, next_no = 0;
    zest_error err;
    int rc;
    while ((rc = linereader_next(r, &line, &len, &no, &off, &err)) == 1) {
        if (memchr(line, '\n', len) || (max_line && len > max_line)) abort();
        if (next_off >= 0 && off != next_off) abort();
        if (next_no && no != next_no) abort();
        next_off = off + (int64_t)len + 1;
        next_no = no + 1;
        out->hash = mix(out->hash, &no, sizeof no);
        out->hash = mix(out->hash, &off, sizeof off);
        out->hash = mix(out->hash, line, len);
        if (out->each) out->each[out->lines] = out->hash;
        if (++out->lines == (int64_t)out->cap && out->each) {
            out->status = FUZZ_CAPPED; /* a decompression bomb: compare what we have */
            return;
        }
    }
    if (rc != 0 && err.msg[0] == '\0') abort(); /* an error always says why */
    out->status = rc;
}

/* Reads the whole input from memory; the caller frees out.each. */
static struct run run_mem(const uint8_t *data, size_t size, size_t chunk) {
    struct run out = {0xcbf29ce484222325ull, 0, 0, NULL, FUZZ_MAX_LINES};
    out.each = malloc(out.cap * sizeof *out.each);
    if (!out.each) abort();
    struct linereader *r = NULL;
    zest_error err;
    if (linereader_open_mem("fuzz", data, size, FUZZ_MAX_LINE, &r, &err) != 0) abort();
    linereader_set_chunk(r, chunk);
    consume(r, FUZZ_MAX_LINE, 0, &out);
    linereader_close(r);
    return out;
}

/* Reads [start, end) of the file behind `path` into *out (hash continues across ranges). */
static void run_range(const char *path, int64_t start, int64_t end, size_t chunk,
                      struct run *out) {
    struct linereader *r = NULL;
    zest_error err;
    if (linereader_open(path, 0, start, end, &r, &err) != 0) abort();
    linereader_set_chunk(r, chunk);
    consume(r, 0, -1, out);
    linereader_close(r);
    if (out->status != 0) abort();
}

static void check_ranges(const uint8_t *data, size_t size) {
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz_stream", 0);
        if (fd < 0) return;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
    struct run whole = {0xcbf29ce484222325ull, 0, 0, NULL, 0}, parts = whole;
    run_range(path, 0, -1, 4096, &whole);
    const uint64_t h = mix(0, data, size);
    const int64_t a = (int64_t)(h % (size + 2)), b = a + (int64_t)((h >> 20) % (size + 2));
    const size_t chunk = 1 + (size_t)((h >> 40) % 13);
    run_range(path, 0, a, chunk, &parts);
    run_range(path, a, b, chunk, &parts);
    run_range(path, b, -1, chunk, &parts);
    if (parts.hash != whole.hash || parts.lines != whole.lines) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const size_t small = 1 + (size ? data[size - 1] % 16 : 0);
    struct run a = run_mem(data, size, small);
    struct run b = run_mem(data, size, 4096);
    if (a.status == 0 && b.status == 0) {
        if (a.hash != b.hash || a.lines != b.lines) abort();
    } else {
        const int capped = a.status == FUZZ_CAPPED || b.status == FUZZ_CAPPED;
        if (!capped && (a.status == 0 || b.status == 0)) abort();
        const int64_t n = a.lines < b.lines ? a.lines : b.lines;
        if (n > 0 && a.each[n - 1] != b.each[n - 1]) abort(); /* chained hash: prefix equal */
    }
    free(a.each);
    free(b.each);
    if (source_codec_sniff(data, size) == SOURCE_PLAIN && size <= 4096) check_ranges(data, size);
    return 0;
}

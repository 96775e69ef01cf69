/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_parquet.c - the Parquet writer and reader: batches parsed from JSON lines (every column
 * type, nulls, structs, lists, empty strings, non-ASCII text) are written with each codec, page
 * version and string encoding, read back and compared row by row as canonical JSON; row groups
 * by size, projection, schema changes between batches, and damaged files (clear errors, no
 * crash); the RLE / bit-packed hybrid and DELTA_BINARY_PACKED decoders.
 */
#include <sys/stat.h>

#include "../../src/common/arena.h"
#include "../../src/common/buf.h"
#include "../../src/io/jsonl.h"
#include "../../src/io/parquet.h"
#include "../../src/io/parquet_lines.h"
#include "runner.h"
#include "zest.h"

struct jbatch {
    struct arena arena;
    struct jsonl_reader r;
    struct batch b;
};

static void jbatch_parse(struct jbatch *j, const char *const *lines, size_t n) {
    arena_init(&j->arena, 1 << 16);
    jsonl_reader_init(&j->r, "text", true, &j->arena);
    for (size_t i = 0; i < n; i++) {
        struct jsonl_bad bad;
        const int rc = jsonl_parse_record(&j->r, lines[i], strlen(lines[i]), &bad);
        if (rc != 0) TEST_FAIL("bad test record %zu: %s", i, bad.reason);
    }
    ASSERT_EQ(jsonl_reader_finish(&j->r, &j->b, NULL), 0);
}

static void jbatch_free(struct jbatch *j) {
    jsonl_reader_destroy(&j->r);
    arena_destroy(&j->arena);
}

/* Row i of a batch as {"name":value,...} in column order (sorted names are not needed: the
 * writer keeps the order). */
static void row_json(const struct batch *b, int64_t i, struct buf *out) {
    buf_clear(out);
    buf_putc(out, '{');
    for (size_t k = 0; k < b->n_cols; k++) {
        buf_printf(out, "%s\"%s\":", k ? "," : "", b->names[k]);
        ASSERT_EQ(col_write_json(&b->cols[k], i, out), 0);
    }
    buf_putc(out, '}');
    buf_putc(out, 0);
}

static const char *const ROWS[] = {
    "{\"text\":\"hello\",\"n\":1,\"x\":1.5,\"ok\":true,\"st\":{\"a\":1,\"b\":\"x\"},\"l\":[1,2,3],\"ls\":[{\"k\":\"v\"}],\"e\":{}}",
    "{\"text\":\"\",\"n\":null,\"x\":-0.25,\"ok\":false,\"st\":null,\"l\":[],\"ls\":null,\"e\":{}}",
    "{\"text\":\"caf\\u00e9 \\u65e5\\u672c \\ud83d\\ude00\",\"n\":-9223372036854775808,\"x\":1e300,\"st\":{\"a\":null,\"b\":\"\"},\"l\":null,\"ls\":[{\"k\":null},null,{\"k\":\"w\"}]}",
    "{\"text\":\"hello\",\"n\":9223372036854775807,\"x\":null,\"ok\":null,\"st\":{\"b\":\"y\"},\"l\":[null,4],\"ls\":[]}",
};
#define N_ROWS (sizeof ROWS / sizeof ROWS[0])

struct collect {
    struct buf bytes;
};

static int collect_out(void *user, const void *data, size_t len, zest_error *err) {
    (void)err;
    return buf_append(&((struct collect *)user)->bytes, data, len);
}

static void roundtrip(const struct parquet_write_opts *o, const char *const *lines, size_t n,
                      int batches) {
    struct jbatch j;
    jbatch_parse(&j, lines, n);
    struct collect c;
    buf_init(&c.bytes, 0);
    struct parquet_writer *w;
    zest_error err = {0};
    ASSERT_EQ(parquet_writer_new("mem.parquet", o, collect_out, &c, &w, &err), 0);
    for (int k = 0; k < batches; k++) {
        const int rc = parquet_writer_write(w, &j.b, &err);
        if (rc) TEST_FAIL("write: %s", err.msg);
    }
    if (parquet_writer_close(w, &err)) TEST_FAIL("close: %s", err.msg);
    parquet_writer_free(w);
    struct parquet_reader *r;
    if (parquet_reader_open_mem("mem.parquet", c.bytes.data, c.bytes.len, &r, &err))
        TEST_FAIL("open: %s", err.msg);
    ASSERT_EQ(parquet_reader_rows(r), (int64_t)n * batches);
    struct buf a, b;
    buf_init(&a, 0);
    buf_init(&b, 0);
    int64_t row = 0;
    for (size_t g = 0; g < parquet_reader_row_groups(r); g++) {
        struct batch out;
        if (parquet_reader_read(r, g, &out, &err)) TEST_FAIL("read: %s", err.msg);
        ASSERT_EQ(out.n_cols, j.b.n_cols);
        for (int64_t i = 0; i < out.length; i++, row++) {
            row_json(&j.b, row % (int64_t)n, &a);
            row_json(&out, i, &b);
            if (strcmp(a.data, b.data) != 0) TEST_FAIL("row %lld:\n  want %s\n  got  %s", (long long)row, a.data, b.data);
        }
    }
    ASSERT_EQ(row, (int64_t)n * batches);
    buf_free(&a);
    buf_free(&b);
    parquet_reader_close(r);
    buf_free(&c.bytes);
    jbatch_free(&j);
}

TEST(roundtrip_codecs_pages_encodings) {
    const enum pq_codec codecs[] = {PQ_UNCOMPRESSED, PQ_SNAPPY, PQ_GZIP, PQ_ZSTD, PQ_LZ4_RAW};
    for (size_t c = 0; c < 5; c++)
        for (int v2 = 0; v2 < 2; v2++)
            for (int plain = 0; plain < 2; plain++) {
                struct parquet_write_opts o;
                parquet_write_opts_default(&o);
                o.codec = codecs[c];
                o.page_v2 = v2;
                o.no_dictionary = plain;
                roundtrip(&o, ROWS, N_ROWS, 1);
            }
}

TEST(roundtrip_many_row_groups_and_pages) {
    struct parquet_write_opts o;
    parquet_write_opts_default(&o);
    o.row_group_bytes = 1; /* a row group per slice */
    o.page_bytes = 16;
    roundtrip(&o, ROWS, N_ROWS, 3);
    /* many rows in one batch: slices of rows across row groups */
    char **lines = malloc(10000 * sizeof *lines);
    for (int i = 0; i < 10000; i++) {
        lines[i] = malloc(96);
        snprintf(lines[i], 96, "{\"text\":\"row %d\",\"v\":%d,\"l\":[%d,%d],\"s\":{\"q\":\"%s\"}}", i % 37, i, i,
                 -i, i % 3 ? "a" : "b");
    }
    o.row_group_bytes = 50000;
    o.page_bytes = 1000;
    roundtrip(&o, (const char *const *)lines, 10000, 2);
    o.page_v2 = true;
    roundtrip(&o, (const char *const *)lines, 10000, 1);
    for (int i = 0; i < 10000; i++) free(lines[i]);
    free(lines);
}

TEST(empty_file_and_empty_batch) {
    struct collect c;
    buf_init(&c.bytes, 0);
    struct parquet_writer *w;
    zest_error err = {0};
    ASSERT_EQ(parquet_writer_new("e.parquet", NULL, collect_out, &c, &w, &err), 0);
    struct jbatch j;
    jbatch_parse(&j, ROWS, 1);
    struct batch empty = j.b;
    empty.length = 0;
    struct column cols[16];
    for (size_t k = 0; k < j.b.n_cols; k++) cols[k] = col_slice(&j.b.cols[k], 0, 0);
    empty.cols = cols;
    ASSERT_EQ(parquet_writer_write(w, &empty, &err), 0);
    ASSERT_EQ(parquet_writer_close(w, &err), 0);
    parquet_writer_free(w);
    struct parquet_reader *r;
    ASSERT_EQ(parquet_reader_open_mem("e.parquet", c.bytes.data, c.bytes.len, &r, &err), 0);
    ASSERT_EQ(parquet_reader_rows(r), 0);
    ASSERT_EQ(parquet_reader_row_groups(r), 0);
    parquet_reader_close(r);
    jbatch_free(&j);
    buf_free(&c.bytes);
}

TEST(projection_and_file_commit) {
    const char *dir = test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/out.parquet", dir);
    struct jbatch j;
    jbatch_parse(&j, ROWS, N_ROWS);
    struct parquet_writer *w;
    zest_error err = {0};
    ASSERT_EQ(parquet_file_open(path, NULL, &w, &err), 0);
    ASSERT_EQ(parquet_writer_write(w, &j.b, &err), 0);
    uint64_t bytes = 0;
    ASSERT_EQ(parquet_file_commit(w, &bytes, &err), 0);
    struct stat st;
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ((uint64_t)st.st_size, bytes);
    struct parquet_reader *r;
    ASSERT_EQ(parquet_reader_open(path, &r, &err), 0);
    const char *names[] = {"st", "text"};
    ASSERT_EQ(parquet_reader_project(r, names, 2, &err), 0);
    struct batch out;
    ASSERT_EQ(parquet_reader_read(r, 0, &out, &err), 0);
    ASSERT_EQ(out.n_cols, 2);
    ASSERT_STR_EQ(out.names[0], "text");
    ASSERT_STR_EQ(out.names[1], "st");
    const char *nope[] = {"zzz"};
    ASSERT_EQ(parquet_reader_project(r, nope, 1, &err), ZEST_E_NOTFOUND);
    ASSERT(strstr(err.msg, "zzz") != NULL);
    parquet_reader_close(r);
    jbatch_free(&j);
}

TEST(schema_change_between_batches) {
    static const char *const a[] = {"{\"text\":\"a\",\"v\":1}"};
    static const char *const b[] = {"{\"text\":\"b\",\"v\":\"str\"}"};
    static const char *const c2[] = {"{\"text\":\"c\",\"v\":null}"};
    struct jbatch ja, jb, jc;
    jbatch_parse(&ja, a, 1);
    jbatch_parse(&jb, b, 1);
    jbatch_parse(&jc, c2, 1);
    struct collect c;
    buf_init(&c.bytes, 0);
    struct parquet_writer *w;
    zest_error err = {0};
    ASSERT_EQ(parquet_writer_new("s.parquet", NULL, collect_out, &c, &w, &err), 0);
    ASSERT_EQ(parquet_writer_write(w, &ja.b, &err), 0);
    ASSERT_EQ(parquet_writer_write(w, &jc.b, &err), 0); /* null fits */
    ASSERT_EQ(parquet_writer_write(w, &jb.b, &err), ZEST_E_UNSUPPORTED);
    ASSERT(strstr(err.msg, "'v'") != NULL);
    parquet_writer_free(w);
    buf_free(&c.bytes);
    jbatch_free(&ja);
    jbatch_free(&jb);
    jbatch_free(&jc);
}

TEST(damaged_files_fail_cleanly) {
    struct jbatch j;
    jbatch_parse(&j, ROWS, N_ROWS);
    struct collect c;
    buf_init(&c.bytes, 0);
    struct parquet_writer *w;
    zest_error err = {0};
    ASSERT_EQ(parquet_writer_new("d.parquet", NULL, collect_out, &c, &w, &err), 0);
    ASSERT_EQ(parquet_writer_write(w, &j.b, &err), 0);
    ASSERT_EQ(parquet_writer_close(w, &err), 0);
    parquet_writer_free(w);
    struct parquet_reader *r;
    /* truncations: never a crash; a clear error or (rarely) a readable file */
    for (size_t cut = 0; cut < c.bytes.len; cut += 7) {
        if (parquet_reader_open_mem("d.parquet", c.bytes.data, cut, &r, &err) == 0) parquet_reader_close(r);
        else ASSERT(strstr(err.msg, "d.parquet") != NULL);
    }
    /* every byte flipped in turn: open and read all row groups, errors allowed */
    char *copy = malloc(c.bytes.len);
    int failures = 0;
    for (size_t i = 0; i < c.bytes.len; i++) {
        memcpy(copy, c.bytes.data, c.bytes.len);
        copy[i] ^= 0x5a;
        if (parquet_reader_open_mem("d.parquet", copy, c.bytes.len, &r, &err) != 0) {
            failures++;
            continue;
        }
        for (size_t g = 0; g < parquet_reader_row_groups(r); g++) {
            struct batch out;
            if (parquet_reader_read(r, g, &out, &err)) {
                failures++;
                ASSERT(strstr(err.msg, "d.parquet") != NULL);
            }
        }
        parquet_reader_close(r);
    }
    ASSERT(failures > 0);
    free(copy);
    /* not parquet at all */
    ASSERT_EQ(parquet_reader_open_mem("d.parquet", "PAR1xxxxPAR0", 12, &r, &err), ZEST_E_FORMAT);
    ASSERT(strstr(err.msg, "not a parquet file") != NULL);
    buf_free(&c.bytes);
    jbatch_free(&j);
}

TEST(rle_hybrid_roundtrip) {
    uint32_t v[1000], back[1000];
    for (int width = 1; width <= 20; width++) {
        for (int i = 0; i < 1000; i++) v[i] = (uint32_t)((i / 13 % 3 == 0) ? 5 : (i * 2654435761u)) & ((1u << width) - 1);
        struct buf out;
        buf_init(&out, 0);
        for (size_t n = 0; n <= 1000; n += 37) {
            buf_clear(&out);
            ASSERT_EQ(pq_rle_encode(v, n, width, &out), 0);
            size_t used;
            const char *why = NULL;
            ASSERT_EQ(pq_rle_decode((const uint8_t *)out.data, out.len, width, back, n, &used, &why), 0);
            for (size_t i = 0; i < n; i++) ASSERT_EQ(back[i], v[i]);
        }
        buf_free(&out);
    }
}

TEST(delta_binary_packed_decode) {
    /* block 128, 4 miniblocks, 5 values, first 7 (zigzag 14): 7 5 3 1 2 -> deltas -2 -2 -2 1,
     * min delta -2 (zigzag 3), relative 0 0 0 3: width 2 in miniblock 0 */
    const uint8_t enc[] = {0x80, 0x01, 0x04, 0x05, 0x0e, 0x03, 0x02, 0x00, 0x00, 0x00,
                           0xc0, 0, 0, 0, 0, 0, 0, 0};
    int64_t out[8];
    size_t count, used;
    const char *why = NULL;
    ASSERT_EQ(pq_delta_decode(enc, sizeof enc, out, 8, &count, &used, &why), 0);
    ASSERT_EQ(count, 5);
    const int64_t want[] = {7, 5, 3, 1, 2};
    for (int i = 0; i < 5; i++) ASSERT_EQ(out[i], want[i]);
    ASSERT_EQ(pq_delta_decode(enc, 6, out, 8, &count, &used, &why), ZEST_E_FORMAT);
}

/* Columns that appear in later batches, and null columns that later get a type, after row
 * groups were already written: earlier rows read back as null. */
TEST(schema_grows_across_row_groups) {
    static const char *const a[] = {"{\"text\":\"a\",\"z\":null}", "{\"text\":\"b\"}"};
    static const char *const b[] = {"{\"text\":\"c\",\"z\":{\"q\":[1,2]},\"new\":\"x\"}"};
    static const char *const c2[] = {"{\"new\":\"y\",\"text\":\"d\",\"late\":1.5}"};
    struct jbatch ja, jb, jc;
    jbatch_parse(&ja, a, 2);
    jbatch_parse(&jb, b, 1);
    jbatch_parse(&jc, c2, 1);
    struct collect c;
    buf_init(&c.bytes, 0);
    struct parquet_writer *w;
    zest_error err = {0};
    struct parquet_write_opts o;
    parquet_write_opts_default(&o);
    o.row_group_bytes = 1; /* every batch its own row group */
    ASSERT_EQ(parquet_writer_new("g.parquet", &o, collect_out, &c, &w, &err), 0);
    ASSERT_EQ(parquet_writer_write(w, &ja.b, &err), 0);
    if (parquet_writer_write(w, &jb.b, &err)) TEST_FAIL("%s", err.msg);
    if (parquet_writer_write(w, &jc.b, &err)) TEST_FAIL("%s", err.msg);
    if (parquet_writer_close(w, &err)) TEST_FAIL("%s", err.msg);
    parquet_writer_free(w);
    struct parquet_reader *r;
    if (parquet_reader_open_mem("g.parquet", c.bytes.data, c.bytes.len, &r, &err)) TEST_FAIL("%s", err.msg);
    ASSERT_EQ(parquet_reader_row_groups(r), 3);
    static const char *const want[] = {
        "{\"text\":\"a\",\"z\":null,\"new\":null,\"late\":null}",
        "{\"text\":\"b\",\"z\":null,\"new\":null,\"late\":null}",
        "{\"text\":\"c\",\"z\":{\"q\":[1,2]},\"new\":\"x\",\"late\":null}",
        "{\"text\":\"d\",\"z\":null,\"new\":\"y\",\"late\":1.5}"};
    int k = 0;
    struct buf line;
    buf_init(&line, 0);
    for (size_t g = 0; g < 3; g++) {
        struct batch out;
        if (parquet_reader_read(r, g, &out, &err)) TEST_FAIL("%s", err.msg);
        for (int64_t i = 0; i < out.length; i++, k++) {
            row_json(&out, i, &line);
            ASSERT_STR_EQ(line.data, want[k]);
        }
    }
    ASSERT_EQ(k, 4);
    buf_free(&line);
    parquet_reader_close(r);
    buf_free(&c.bytes);
    jbatch_free(&ja);
    jbatch_free(&jb);
    jbatch_free(&jc);
}

/* One file per codec x page version x string encoding, each read back here; with
 * ZEST_PARQUET_SAMPLES=DIR the files and their source lines (DIR/source.jsonl) are kept there
 * for tests/integration/test_parquet.sh, which has DuckDB read them. */
TEST(samples_every_codec_and_page_version) {
    static const char *const lines[] = {
        "{\"text\":\"plain ascii\",\"n\":1,\"x\":0.5,\"ok\":true,\"tags\":[\"a\",\"b\"],\"meta\":{\"lang\":\"en\",\"k\":7}}",
        "{\"text\":\"\",\"n\":-2,\"x\":-1e-300,\"ok\":false,\"tags\":[],\"meta\":{\"lang\":null,\"k\":null}}",
        "{\"text\":\"\\u00e9t\\u00e9 \\u65e5\\u672c\\u8a9e \\ud83d\\ude80\",\"n\":null,\"x\":null,\"ok\":null,\"tags\":null,\"meta\":null}",
        "{\"text\":\"plain ascii\",\"n\":9007199254740993,\"x\":1e308,\"ok\":true,\"tags\":[null,\"c\"],\"meta\":{\"lang\":\"fr\",\"k\":-1}}",
    };
    const char *keep = getenv("ZEST_PARQUET_SAMPLES");
    const char *dir = keep ? keep : test_tmpdir();
    static const struct { enum pq_codec c; const char *name; } codecs[] = {
        {PQ_UNCOMPRESSED, "none"}, {PQ_SNAPPY, "snappy"}, {PQ_GZIP, "gzip"}, {PQ_ZSTD, "zstd"},
        {PQ_LZ4_RAW, "lz4_raw"}};
    struct jbatch j;
    jbatch_parse(&j, lines, 4);
    char path[1024];
    snprintf(path, sizeof path, "%s/source.jsonl", dir);
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    for (int i = 0; i < 4; i++) fprintf(f, "%s\n", lines[i]);
    fclose(f);
    struct buf a, b;
    buf_init(&a, 0);
    buf_init(&b, 0);
    for (size_t c = 0; c < 5; c++)
        for (int v2 = 0; v2 < 2; v2++)
            for (int plain = 0; plain < 2; plain++) {
                snprintf(path, sizeof path, "%s/s_%s_v%d_%s.parquet", dir, codecs[c].name, v2 + 1,
                         plain ? "plain" : "dict");
                struct parquet_write_opts o;
                parquet_write_opts_default(&o);
                o.codec = codecs[c].c;
                o.page_v2 = v2;
                o.no_dictionary = plain;
                o.page_bytes = 8; /* several pages per chunk */
                struct parquet_writer *w;
                zest_error err = {0};
                ASSERT_EQ(parquet_file_open(path, &o, &w, &err), 0);
                ASSERT_EQ(parquet_writer_write(w, &j.b, &err), 0);
                ASSERT_EQ(parquet_writer_write(w, &j.b, &err), 0);
                if (parquet_file_commit(w, NULL, &err)) TEST_FAIL("%s", err.msg);
                struct parquet_reader *r;
                if (parquet_reader_open(path, &r, &err)) TEST_FAIL("%s", err.msg);
                struct batch out;
                ASSERT_EQ(parquet_reader_read(r, 0, &out, &err), 0);
                ASSERT_EQ(out.length, 8);
                for (int64_t i = 0; i < 8; i++) {
                    row_json(&j.b, i % 4, &a);
                    row_json(&out, i, &b);
                    ASSERT_STR_EQ(b.data, a.data);
                }
                parquet_reader_close(r);
            }
    buf_free(&a);
    buf_free(&b);
    jbatch_free(&j);
}

/* Lossless lines (checkpoints): canonical lines (as the JSONL writer makes them) with any key
 * order, absent fields, explicit nulls, nested values, big numbers and escapes come back byte
 * for byte; typed lines (exports) keep the values. */
TEST(lines_lossless_and_typed) {
    static const char text[] =
        "{\"text\":\"a\",\"n\":1,\"meta\":{\"k\":[1,2.5,\"x\"]}}\n"
        "{\"n\":null,\"text\":\"b\"}\n"
        "{\"text\":\"c\xc3\xa9\\n\\\"q\\\"\",\"big\":123456789012345678901234567890,\"meta\":{}}\n"
        "{\"meta\":null,\"extra\":true,\"text\":\"\"}\n";
    const char *dir = test_tmpdir();
    for (int lossless = 1; lossless >= 0; lossless--) {
        char path[512];
        snprintf(path, sizeof path, "%s/l%d.parquet", dir, lossless);
        struct parquet_lines *pl;
        zest_error err = {0};
        ASSERT_EQ(parquet_lines_file(path, NULL, &pl, &err), 0);
        if (lossless) parquet_lines_set_lossless(pl);
        /* in odd pieces, lines cut anywhere */
        const size_t n = strlen(text);
        for (size_t i = 0; i < n; i += 7)
            if (parquet_lines_write(pl, text + i, n - i < 7 ? n - i : 7, &err)) TEST_FAIL("%s", err.msg);
        if (parquet_lines_finish(pl, NULL, &err)) TEST_FAIL("%s", err.msg);
        ASSERT_EQ(parquet_lines_rows(pl), 4);
        parquet_lines_free(pl);
        struct parquet_linesrc *src;
        ASSERT_EQ(parquet_linesrc_open(path, 0, -1, &src, &err), 0);
        struct buf got;
        buf_init(&got, 0);
        const char *line;
        size_t len;
        int64_t row;
        while (parquet_linesrc_next(src, &line, &len, &row, &err) == 1) {
            buf_append(&got, line, len);
            buf_putc(&got, '\n');
        }
        buf_putc(&got, 0);
        parquet_linesrc_close(src);
        if (lossless) {
            ASSERT_STR_EQ(got.data, text);
        } else {
            /* typed: absent fields are null, structs take the union of their fields, and a
             * list of mixed values is JSON (column.h's promotion: 1 met 2.5 first) */
            ASSERT_STR_EQ(got.data,
                          "{\"text\":\"a\",\"n\":1,\"meta\":{\"k\":[1.0,2.5,\"x\"]},\"big\":null,\"extra\":null}\n"
                          "{\"text\":\"b\",\"n\":null,\"meta\":null,\"big\":null,\"extra\":null}\n"
                          "{\"text\":\"c\xc3\xa9\\n\\\"q\\\"\",\"n\":null,\"meta\":{\"k\":null},\"big\":123456789012345678901234567890,\"extra\":null}\n"
                          "{\"text\":\"\",\"n\":null,\"meta\":null,\"big\":null,\"extra\":true}\n");
        }
        buf_free(&got);
    }
    /* a line that is not an object is an error naming the line */
    char path[512];
    snprintf(path, sizeof path, "%s/bad.parquet", dir);
    struct parquet_lines *pl;
    zest_error err = {0};
    ASSERT_EQ(parquet_lines_file(path, NULL, &pl, &err), 0);
    ASSERT_EQ(parquet_lines_write(pl, "{\"a\":1}\n[1]\n", 12, &err), ZEST_E_FORMAT);
    ASSERT(strstr(err.msg, "line 2") != NULL);
    parquet_lines_free(pl);
}

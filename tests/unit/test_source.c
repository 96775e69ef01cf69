/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_source.c - input listing, codec sniffing and the line reader: plain, gzip and zstd
 * streams (multi-member, multi-frame, truncated, corrupt), line numbers and offsets, the
 * line limit, and the exact partitioning of a file's lines by byte ranges.
 */
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "../../src/common/buf.h"
#include "../../src/io/source.h"
#include "runner.h"

/* ---- fixtures ---------------------------------------------------------------------------- */

/* Appends one complete gzip member holding data[0, len). */
static void gz_member(struct buf *out, const void *data, size_t len) {
    z_stream z;
    memset(&z, 0, sizeof z);
    ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    const size_t bound = deflateBound(&z, (uLong)len) + 64;
    ASSERT_EQ(buf_reserve(out, bound), 0);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = (uInt)bound;
    ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out->len += bound - z.avail_out;
    deflateEnd(&z);
}

/* Appends one zstd frame holding data[0, len). */
static void zstd_frame(struct buf *out, const void *data, size_t len) {
    const size_t bound = ZSTD_compressBound(len);
    ASSERT_EQ(buf_reserve(out, bound), 0);
    const size_t n = ZSTD_compress(out->data + out->len, bound, data, len, 3);
    ASSERT(!ZSTD_isError(n));
    out->len += n;
}

/* Reads every line and renders "no@offset[text]" per line, so one string compares a whole
 * run. Returns the reader's final status (0 at a clean end). */
static int render(const char *path, size_t max, int64_t start, int64_t end, size_t chunk,
                  struct buf *out, zest_error *err) {
    struct linereader *r = NULL;
    int rc = linereader_open(path, max, start, end, &r, err);
    if (rc) return rc;
    if (chunk) linereader_set_chunk(r, chunk);
    const char *line;
    size_t len;
    int64_t no, off;
    while ((rc = linereader_next(r, &line, &len, &no, &off, err)) == 1) {
        ASSERT_EQ(buf_printf(out, "%lld@%lld[", (long long)no, (long long)off), 0);
        ASSERT_EQ(buf_append(out, line, len), 0);
        ASSERT_EQ(buf_putc(out, ']'), 0);
    }
    linereader_close(r);
    ASSERT_EQ(buf_putc(out, '\0'), 0);
    out->len--;
    return rc;
}

static char *render_str(const char *path, size_t chunk) {
    struct buf b;
    buf_init(&b, 0);
    zest_error err;
    zest_error_clear(&err);
    const int rc = render(path, 0, 0, -1, chunk, &b, &err);
    if (rc) TEST_FAIL("render %s: %s", path, err.msg);
    if (!b.data) return strdup("");
    return b.data;
}

/* Renders with several chunk sizes (1 byte exercises every refill boundary) and checks that
 * they all agree with `expected`. */
static void expect_lines(const char *path, const char *expected) {
    static const size_t chunks[] = {1, 2, 3, 7, 64, 0};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        char *got = render_str(path, chunks[i]);
        if (strcmp(got, expected) != 0)
            TEST_FAIL("chunk %zu:\n#   got:      %s\n#   expected: %s", chunks[i], got, expected);
        free(got);
    }
}

static const char sample[] = "a\nbb\n\nccc\r\n{\"x\":1}\nlast";
static const char sample_lines[] = "1@0[a]2@2[bb]3@5[]4@6[ccc\r]5@11[{\"x\":1}]6@19[last]";

/* ---- plain ------------------------------------------------------------------------------- */

TEST(plain_lines_offsets_crlf_blank_no_trailing_newline) {
    char *p = test_write_file(test_tmpdir(), "s.jsonl", sample, strlen(sample));
    expect_lines(p, sample_lines);
    free(p);
}

TEST(plain_trailing_newline_adds_no_empty_line) {
    char *p = test_write_file(test_tmpdir(), "s.jsonl", "x\ny\n", 4);
    expect_lines(p, "1@0[x]2@2[y]");
    free(p);
}

TEST(empty_file_and_lone_newlines) {
    char *p = test_write_file(test_tmpdir(), "e.jsonl", "", 0);
    expect_lines(p, "");
    free(p);
    p = test_write_file(test_tmpdir(), "n.jsonl", "\n\n", 2);
    expect_lines(p, "1@0[]2@1[]");
    free(p);
}

TEST(missing_file_is_notfound) {
    struct linereader *r = NULL;
    zest_error err;
    zest_error_clear(&err);
    ASSERT_EQ(linereader_open("/nonexistent/x.jsonl", 0, 0, -1, &r, &err), ZEST_E_NOTFOUND);
    ASSERT(r == NULL);
    ASSERT_CONTAINS(err.msg, "/nonexistent/x.jsonl");
    ASSERT_EQ(linereader_open(test_tmpdir(), 0, 0, -1, &r, &err), ZEST_E_IO);
    linereader_close(NULL);
}

TEST(mem_reader_matches_file_reader) {
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open_mem("mem", sample, strlen(sample), 0, &r, &err), 0);
    linereader_set_chunk(r, 3);
    const char *line;
    size_t len;
    int64_t no, off;
    struct buf b;
    buf_init(&b, 0);
    while (linereader_next(r, &line, &len, &no, &off, &err) == 1) {
        ASSERT_EQ(buf_printf(&b, "%lld@%lld[%.*s]", (long long)no, (long long)off, (int)len,
                             line),
                  0);
    }
    ASSERT_EQ(buf_putc(&b, 0), 0);
    ASSERT_STR_EQ(b.data, sample_lines);
    buf_free(&b);
    linereader_close(r);
}

/* ---- limits ------------------------------------------------------------------------------ */

TEST(line_at_limit_ok_over_limit_fails_with_line_and_offset) {
    char data[256];
    memset(data, 'x', sizeof data);
    memcpy(data, "ab\n", 3);     /* line 1: offset 0, 2 bytes */
    data[3 + 50] = '\n';         /* line 2: offset 3, exactly 50 bytes */
    data[3 + 50 + 1 + 51] = '\n'; /* line 3: offset 54, 51 bytes */
    char *p = test_write_file(test_tmpdir(), "l.jsonl", data, 3 + 51 + 52);
    struct buf b;
    buf_init(&b, 0);
    zest_error err;
    zest_error_clear(&err);
    ASSERT_EQ(render(p, 50, 0, -1, 4, &b, &err), ZEST_E_LIMIT);
    ASSERT_EQ(err.line, 3);
    ASSERT_EQ(err.offset, 54);
    ASSERT_CONTAINS(err.msg, p);
    ASSERT_CONTAINS(err.msg, ":3:");
    ASSERT_CONTAINS(err.msg, "offset 54");
    ASSERT_CONTAINS(b.data, "2@3[xxxxxxxxxx");
    buf_free(&b);
    free(p);
}

TEST(over_limit_line_is_not_buffered_whole) {
    const size_t big = 8u << 20;
    char *data = malloc(big + 4);
    memcpy(data, "ok\n", 3);
    memset(data + 3, 'y', big);
    data[big + 3] = '\n';
    char *p = test_write_file(test_tmpdir(), "big.jsonl", data, big + 4);
    free(data);
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open(p, 1000, 0, -1, &r, &err), 0);
    linereader_set_chunk(r, 4096);
    const char *line;
    size_t len;
    ASSERT_EQ(linereader_next(r, &line, &len, NULL, NULL, &err), 1);
    ASSERT_EQ(linereader_next(r, &line, &len, NULL, NULL, &err), ZEST_E_LIMIT);
    ASSERT_EQ(err.line, 2);
    ASSERT_EQ(err.offset, 3);
    ASSERT(linereader_bytes_in(r) <= 3 + 1000 + 2 * 4096);
    /* the error is sticky */
    ASSERT_EQ(linereader_next(r, &line, &len, NULL, NULL, &err), ZEST_E_LIMIT);
    linereader_close(r);
    free(p);
}

TEST(last_line_without_newline_over_limit_fails) {
    char *p = test_write_file(test_tmpdir(), "t.jsonl", "a\nbcdefgh", 9);
    struct buf b;
    buf_init(&b, 0);
    zest_error err;
    ASSERT_EQ(render(p, 4, 0, -1, 0, &b, &err), ZEST_E_LIMIT);
    ASSERT_EQ(err.line, 2);
    ASSERT_EQ(err.offset, 2);
    buf_free(&b);
    free(p);
}

/* ---- gzip / zstd ------------------------------------------------------------------------- */

TEST(sniff_by_magic) {
    ASSERT_EQ(source_codec_sniff("\x1f\x8b", 2), SOURCE_GZIP);
    ASSERT_EQ(source_codec_sniff("\x28\xb5\x2f\xfd", 4), SOURCE_ZSTD);
    ASSERT_EQ(source_codec_sniff("\x50\x2a\x4d\x18", 4), SOURCE_ZSTD);
    ASSERT_EQ(source_codec_sniff("\x28\xb5\x2f", 3), SOURCE_PLAIN);
    ASSERT_EQ(source_codec_sniff("{\"a\"", 4), SOURCE_PLAIN);
    ASSERT_EQ(source_codec_sniff("", 0), SOURCE_PLAIN);
    ASSERT_STR_EQ(source_codec_name(SOURCE_ZSTD), "zstd");
}

TEST(gzip_single_and_multi_member_named_anything) {
    struct buf z;
    buf_init(&z, 0);
    gz_member(&z, sample, strlen(sample));
    char *p = test_write_file(test_tmpdir(), "plain-name.jsonl", z.data, z.len);
    expect_lines(p, sample_lines);
    free(p);
    /* Members split mid-line, one empty member: the stream is their concatenation. */
    buf_clear(&z);
    gz_member(&z, sample, 3);
    gz_member(&z, "", 0);
    gz_member(&z, sample + 3, 9);
    gz_member(&z, sample + 12, strlen(sample) - 12);
    p = test_write_file(test_tmpdir(), "multi.gz", z.data, z.len);
    expect_lines(p, sample_lines);
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open(p, 0, 0, -1, &r, &err), 0);
    ASSERT_EQ(linereader_codec(r), SOURCE_GZIP);
    linereader_close(r);
    free(p);
    buf_free(&z);
}

TEST(zstd_single_multi_frame_and_skippable) {
    struct buf z;
    buf_init(&z, 0);
    zstd_frame(&z, sample, strlen(sample));
    char *p = test_write_file(test_tmpdir(), "a.json", z.data, z.len);
    expect_lines(p, sample_lines);
    free(p);
    buf_clear(&z);
    /* A skippable frame first (magic 0x184D2A50, 4 bytes of payload), then three frames. */
    ASSERT_EQ(buf_append(&z, "\x50\x2a\x4d\x18\x04\x00\x00\x00skip", 12), 0);
    zstd_frame(&z, sample, 5);
    zstd_frame(&z, "", 0);
    zstd_frame(&z, sample + 5, strlen(sample) - 5);
    p = test_write_file(test_tmpdir(), "m.zst", z.data, z.len);
    expect_lines(p, sample_lines);
    free(p);
    buf_free(&z);
}

/* Builds `n` numbered lines of text. */
static void numbered_lines(struct buf *b, int n) {
    for (int i = 1; i <= n; i++) ASSERT_EQ(buf_printf(b, "{\"id\":%d,\"text\":\"line %d\"}\n", i, i), 0);
}

/* Reads everything; returns the status and the count of lines delivered before it. */
static int drain(const char *path, size_t chunk, int64_t *lines, zest_error *err) {
    struct linereader *r = NULL;
    int rc = linereader_open(path, 0, 0, -1, &r, err);
    if (rc) return rc;
    if (chunk) linereader_set_chunk(r, chunk);
    const char *line;
    size_t len;
    *lines = 0;
    while ((rc = linereader_next(r, &line, &len, NULL, NULL, err)) == 1) (*lines)++;
    linereader_close(r);
    return rc;
}

/* Every chunk size must fail the same way after delivering the same complete lines: the
 * bytes decoded before the damage are handed out first. */
static void expect_truncated(const struct buf *z, const char *name, const char *what) {
    static const size_t chunks[] = {1, 5, 4096, 0};
    int64_t first_lines = -1;
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        char *p = test_write_file(test_tmpdir(), name, z->data, z->len);
        zest_error err;
        zest_error_clear(&err);
        int64_t lines = 0;
        ASSERT_EQ(drain(p, chunks[i], &lines, &err), ZEST_E_FORMAT);
        ASSERT_CONTAINS(err.msg, p);
        ASSERT_CONTAINS(err.msg, what);
        ASSERT_CONTAINS(err.msg, "decompressed bytes");
        ASSERT(err.offset >= 0);
        if (first_lines < 0) first_lines = lines;
        if (lines != first_lines)
            TEST_FAIL("%s chunk %zu: %lld lines, chunk 1: %lld (%s)", name, chunks[i],
                      (long long)lines, (long long)first_lines, err.msg);
        free(p);
    }
}

TEST(gzip_truncated_or_corrupt_is_format_error) {
    struct buf text, z;
    buf_init(&text, 0);
    buf_init(&z, 0);
    numbered_lines(&text, 2000);
    gz_member(&z, text.data, text.len);
    const size_t full = z.len;
    z.len = full - 4; /* trailer cut: data complete, CRC/length missing */
    expect_truncated(&z, "t1.gz", "truncated gzip");
    z.len = full / 2;
    expect_truncated(&z, "t2.gz", "truncated gzip");
    z.len = 10; /* header only */
    expect_truncated(&z, "t3.gz", "truncated gzip");
    z.len = full;
    z.data[full / 2] ^= 0x55;
    expect_truncated(&z, "c.gz", "gzip stream");
    z.data[full / 2] ^= 0x55;
    ASSERT_EQ(buf_append(&z, "garbage!", 8), 0);
    expect_truncated(&z, "g.gz", "gzip stream");
    buf_free(&text);
    buf_free(&z);
}

TEST(zstd_truncated_or_corrupt_is_format_error) {
    struct buf text, z;
    buf_init(&text, 0);
    buf_init(&z, 0);
    numbered_lines(&text, 2000);
    zstd_frame(&z, text.data, text.len);
    zstd_frame(&z, text.data, text.len);
    const size_t full = z.len;
    z.len = full - 3;
    expect_truncated(&z, "t1.zst", "truncated zstd");
    z.len = full / 4;
    expect_truncated(&z, "t2.zst", "truncated zstd");
    z.len = 4; /* magic only */
    expect_truncated(&z, "t3.zst", "truncated zstd");
    z.len = full;
    ASSERT_EQ(buf_append(&z, "garbage!", 8), 0);
    expect_truncated(&z, "g.zst", "zstd stream");
    buf_free(&text);
    buf_free(&z);
}

TEST(compressed_ranges_unsupported_bad_range_param) {
    struct buf z;
    buf_init(&z, 0);
    gz_member(&z, sample, strlen(sample));
    char *p = test_write_file(test_tmpdir(), "r.gz", z.data, z.len);
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open(p, 0, 5, -1, &r, &err), ZEST_E_UNSUPPORTED);
    ASSERT_EQ(linereader_open(p, 0, 0, 10, &r, &err), ZEST_E_UNSUPPORTED);
    ASSERT_EQ(linereader_open(p, 0, -1, 10, &r, &err), ZEST_E_PARAM);
    ASSERT_EQ(linereader_open(p, 0, 10, 5, &r, &err), ZEST_E_PARAM);
    ASSERT(r == NULL);
    free(p);
    buf_free(&z);
}

/* ---- byte ranges ------------------------------------------------------------------------- */

/* Renders [start, end) optionally telling the reader the first line number (as a planner
 * that recorded it would), so both the counting and the seeking paths are checked. */
static void render_range(const char *path, int64_t start, int64_t end, size_t chunk,
                         int64_t first_line, struct buf *out) {
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open(path, 0, start, end, &r, &err), 0);
    linereader_set_chunk(r, chunk);
    if (first_line) linereader_set_first_line(r, first_line);
    const char *line;
    size_t len;
    int64_t no, off;
    int rc;
    while ((rc = linereader_next(r, &line, &len, &no, &off, &err)) == 1) {
        ASSERT(off >= start && (end < 0 || off < end));
        ASSERT_EQ(buf_printf(out, "%lld@%lld[%.*s]", (long long)no, (long long)off, (int)len,
                             line),
                  0);
    }
    ASSERT_EQ(rc, 0);
    linereader_close(r);
}

/* The 1-based number of the first line starting at or after `start` in data (for the
 * set_first_line path), computed naively. */
static int64_t naive_first_line(const char *data, size_t n, int64_t start) {
    int64_t line = 1;
    for (int64_t i = 0; i < (int64_t)n; i++) {
        if (i >= start && (i == 0 || data[i - 1] == '\n')) return line;
        if (data[i] == '\n') line++;
    }
    return line;
}

static void check_partitions(const char *data, size_t n, size_t chunk) {
    char *p = test_write_file(test_tmpdir(), "part.jsonl", data, n);
    char *whole = render_str(p, chunk);
    struct buf got;
    buf_init(&got, 0);
    /* every pair of cut points: [0,c1) [c1,c2) [c2,EOF) */
    for (size_t c1 = 0; c1 <= n + 1; c1++) {
        for (size_t c2 = c1; c2 <= n + 2; c2++) {
            for (int known = 0; known < 2; known++) {
                buf_clear(&got);
                const int64_t f1 = known ? naive_first_line(data, n, (int64_t)c1) : 0;
                const int64_t f2 = known ? naive_first_line(data, n, (int64_t)c2) : 0;
                render_range(p, 0, (int64_t)c1, chunk, 0, &got);
                render_range(p, (int64_t)c1, (int64_t)c2, chunk, f1, &got);
                render_range(p, (int64_t)c2, -1, chunk, f2, &got);
                ASSERT_EQ(buf_putc(&got, 0), 0);
                if (strcmp(got.data, whole) != 0)
                    TEST_FAIL("cuts %zu %zu chunk %zu known %d:\n#   got:   %s\n#   whole: %s",
                              c1, c2, chunk, known, got.data, whole);
            }
        }
    }
    buf_free(&got);
    free(whole);
    free(p);
}

TEST(ranges_partition_lines_exactly) {
    static const char *const files[] = {
        "a\nbb\n\nccc\r\n{\"x\":1}\nlast",
        "\n\nx\n\n",
        "one line, no newline",
        "abc\n",
        "\n",
        "",
        "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\no\np\nq\nr\ns\nt\nu\nv\nw\nx\ny\nz\n",
        "long-ish first line here.................................\nshort\n\n\nend\n",
    };
    static const size_t chunks[] = {1, 2, 5, 16, 4096};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++)
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
            check_partitions(files[f], strlen(files[f]), chunks[c]);
}

TEST(ranges_partition_random_files) {
    srand(12345);
    char data[80];
    for (int round = 0; round < 12; round++) {
        const size_t n = (size_t)(rand() % 60);
        for (size_t i = 0; i < n; i++) {
            const int k = rand() % 6;
            data[i] = k == 0 ? '\n' : k == 1 ? '\r' : (char)('a' + rand() % 26);
        }
        check_partitions(data, n, (size_t)(1 + rand() % 9));
    }
}

TEST(range_line_numbers_exact_across_many_chunks) {
    struct buf text;
    buf_init(&text, 0);
    numbered_lines(&text, 5000);
    char *p = test_write_file(test_tmpdir(), "n.jsonl", text.data, text.len);
    const int64_t start = (int64_t)text.len / 3, end = 2 * (int64_t)text.len / 3;
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open(p, 0, start, end, &r, &err), 0);
    linereader_set_chunk(r, 61);
    const char *line;
    size_t len;
    int64_t no, off, prev_end = -1, count = 0;
    while (linereader_next(r, &line, &len, &no, &off, &err) == 1) {
        int id = 0;
        ASSERT_EQ(sscanf(line, "{\"id\":%d", &id), 1);
        ASSERT_EQ(no, id);
        ASSERT(prev_end < 0 || off == prev_end);
        prev_end = off + (int64_t)len + 1;
        count++;
    }
    ASSERT(count > 1000);
    ASSERT(prev_end >= end);
    linereader_close(r);
    buf_free(&text);
    free(p);
}

/* ---- listing ----------------------------------------------------------------------------- */

static const char *list_names(const struct source_list *l, struct buf *b) {
    buf_clear(b);
    for (size_t i = 0; i < l->count; i++) {
        const char *slash = strrchr(l->files[i].path, '/');
        ASSERT_EQ(buf_printf(b, "%s%s", i ? "," : "", slash ? slash + 1 : l->files[i].path), 0);
    }
    ASSERT_EQ(buf_putc(b, 0), 0);
    b->len--;
    return b->data;
}

TEST(list_directory_sorted_filtered_not_recursive) {
    const char *d = test_tmpdir();
    static const char *const names[] = {"b.jsonl", "a.json.gz", "C.zst", "d.txt",
                                        ".hidden.jsonl", "e.jsonl.zst", "a.json", "f.gz"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        free(test_write_file(d, names[i], "x\n", 2));
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/sub.jsonl", d);
    ASSERT_EQ(mkdir(sub, 0755), 0);
    free(test_write_file(sub, "inner.jsonl", "y\n", 2));
    struct source_list l;
    struct buf b;
    buf_init(&b, 0);
    zest_error err;
    ASSERT_EQ(source_list(d, &l, &err), 0);
    ASSERT_STR_EQ(list_names(&l, &b), "C.zst,a.json,a.json.gz,b.jsonl,e.jsonl.zst,f.gz");
    ASSERT_EQ(l.total_bytes, 12);
    ASSERT_EQ(l.files[0].size, 2);
    source_list_free(&l);
    /* trailing slash: no double slash in paths */
    char slash[4096];
    snprintf(slash, sizeof slash, "%s/", d);
    ASSERT_EQ(source_list(slash, &l, &err), 0);
    ASSERT(strstr(l.files[0].path, "//") == NULL);
    source_list_free(&l);
    buf_free(&b);
}

TEST(list_single_file_any_name) {
    char *p = test_write_file(test_tmpdir(), "data.txt", "x\n", 2);
    struct source_list l;
    zest_error err;
    ASSERT_EQ(source_list(p, &l, &err), 0);
    ASSERT_EQ(l.count, 1);
    ASSERT_STR_EQ(l.files[0].path, p);
    source_list_free(&l);
    source_list_free(NULL);
    free(p);
}

TEST(list_glob_sorted) {
    const char *d = test_tmpdir();
    static const char *const names[] = {"part-10.jsonl", "part-02.jsonl", "part-1.jsonl",
                                        "other.jsonl", "part-3.json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        free(test_write_file(d, names[i], "x\n", 2));
    char pat[4096];
    snprintf(pat, sizeof pat, "%s/part-*.jsonl", d);
    struct source_list l;
    struct buf b;
    buf_init(&b, 0);
    zest_error err;
    ASSERT_EQ(source_list(pat, &l, &err), 0);
    ASSERT_STR_EQ(list_names(&l, &b), "part-02.jsonl,part-1.jsonl,part-10.jsonl");
    source_list_free(&l);
    snprintf(pat, sizeof pat, "%s/nomatch-*.jsonl", d);
    ASSERT_EQ(source_list(pat, &l, &err), ZEST_E_NOTFOUND);
    ASSERT_CONTAINS(err.msg, pat);
    buf_free(&b);
}

TEST(list_nothing_is_notfound_naming_path) {
    struct source_list l;
    zest_error err;
    zest_error_clear(&err);
    ASSERT_EQ(source_list("/nonexistent/dataset", &l, &err), ZEST_E_NOTFOUND);
    ASSERT_CONTAINS(err.msg, "/nonexistent/dataset");
    ASSERT_EQ(l.count, 0);
    free(test_write_file(test_tmpdir(), "readme.md", "x", 1));
    ASSERT_EQ(source_list(test_tmpdir(), &l, &err), ZEST_E_NOTFOUND);
    ASSERT_CONTAINS(err.msg, test_tmpdir());
}

/* Reads all of path with skip_long, rendering "N@OFF[text]" per line and "!N@OFF" per skipped
 * over-long line. */
static char *render_skipping(const char *path, size_t max, size_t chunk) {
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open(path, max, 0, -1, &r, &err), 0);
    linereader_set_chunk(r, chunk);
    linereader_set_skip_long(r, 1);
    struct buf out;
    buf_init(&out, 0);
    for (;;) {
        const char *line;
        size_t len;
        int64_t no, off;
        zest_error_clear(&err);
        const int rc = linereader_next(r, &line, &len, &no, &off, &err);
        if (rc == 0) break;
        if (rc == ZEST_E_LIMIT) {
            buf_printf(&out, "!%lld@%lld", (long long)err.line, (long long)err.offset);
            continue;
        }
        ASSERT_EQ(rc, 1);
        buf_printf(&out, "%lld@%lld[%.*s]", (long long)no, (long long)off, (int)len, line);
    }
    linereader_close(r);
    buf_putc(&out, '\0');
    return out.data;
}

TEST(skip_long_reports_each_over_long_line_once_and_goes_on) {
    static const char text[] = "a\n0123456789abcdef0123456789\nb\nccc\n0123456789abcdef";
    char *path = test_write_file(test_tmpdir(), "long.jsonl", text, sizeof text - 1);
    static const char expect[] = "1@0[a]!2@2" "3@29[b]4@31[ccc]!5@35";
    for (size_t chunk = 1; chunk <= 64; chunk++) {
        char *got = render_skipping(path, 8, chunk);
        if (strcmp(got, expect) != 0) TEST_FAIL("chunk %zu: got %s", chunk, got);
        free(got);
    }
    free(path);
}

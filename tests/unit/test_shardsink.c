/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_shardsink.c - the sharded export: where shards end, how they are named, compressed
 * shards, the empty export, shard_bytes 0 as a plain sink, removal of an earlier export's
 * shards, and that abort and failures leave nothing behind.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/common/buf.h"
#include "../../src/io/shardsink.h"
#include "../../src/io/sink.h"
#include "../../src/io/source.h"
#include "runner.h"

static char *join(const char *dir, const char *name) {
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's entries (without . and ..), sorted, joined by spaces into `out`. */
static void listing(const char *dir, char *out, size_t cap) {
    char *names[256];
    size_t n = 0;
    DIR *d = opendir(dir);
    ASSERT(d != NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        ASSERT(n < 256);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i) strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, names[i], cap - strlen(out) - 1);
        free(names[i]);
    }
}

static void assert_listing(const char *want) {
    char got[8192];
    listing(test_tmpdir(), got, sizeof got);
    ASSERT_STR_EQ(got, want);
}

static struct shardsink *open_ok(const char *name, int64_t shard_bytes) {
    char *path = join(test_tmpdir(), name);
    struct shardsink *s = NULL;
    zest_error err;
    zest_error_clear(&err);
    if (shardsink_open(path, shard_bytes, &s, &err) != 0) TEST_FAIL("open: %s", err.msg);
    free(path);
    return s;
}

static void write_ok(struct shardsink *s, const char *text) {
    zest_error err;
    zest_error_clear(&err);
    if (shardsink_write(s, text, strlen(text), &err) != 0) TEST_FAIL("write: %s", err.msg);
}

static size_t commit_ok(struct shardsink *s) {
    size_t n = 0;
    zest_error err;
    zest_error_clear(&err);
    if (shardsink_commit(s, &n, &err) != 0) TEST_FAIL("commit: %s", err.msg);
    return n;
}

static void assert_file(const char *name, const char *want) {
    char *path = join(test_tmpdir(), name);
    size_t len;
    char *got = test_read_file(path, &len);
    ASSERT_MEM_EQ(got, len, want, strlen(want));
    free(got);
    free(path);
}

/* Decompressed content of a file (any codec), lines read back by the line reader. */
static void read_lines(const char *path, struct buf *out) {
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open(path, 0, 0, -1, &r, &err), 0);
    const char *line;
    size_t len;
    int rc;
    while ((rc = linereader_next(r, &line, &len, NULL, NULL, &err)) == 1) {
        ASSERT_EQ(buf_append(out, line, len), 0);
        ASSERT_EQ(buf_putc(out, '\n'), 0);
    }
    ASSERT_EQ(rc, 0);
    linereader_close(r);
}

/* Lines of 5, 9, 3, 13 and 2 bytes. */
static const char five_lines[] = "aaaa\nbbbbbbbb\ncc\ndddddddddddd\ne\n";

TEST(shard_ends_at_first_line_end_at_or_after_limit) {
    struct shardsink *s = open_ok("data.jsonl", 10);
    write_ok(s, five_lines);
    ASSERT_EQ(commit_ok(s), 3);
    assert_listing("data-00-of-03.jsonl data-01-of-03.jsonl data-02-of-03.jsonl");
    assert_file("data-00-of-03.jsonl", "aaaa\nbbbbbbbb\n");
    assert_file("data-01-of-03.jsonl", "cc\ndddddddddddd\n");
    assert_file("data-02-of-03.jsonl", "e\n");
}

TEST(line_ending_exactly_at_limit_closes_the_shard) {
    struct shardsink *s = open_ok("data.jsonl", 5);
    write_ok(s, "abcd\nx\n");
    ASSERT_EQ(commit_ok(s), 2);
    assert_file("data-00-of-02.jsonl", "abcd\n");
    assert_file("data-01-of-02.jsonl", "x\n");
}

/* The same bytes give the same shards however the writer cuts them, even inside lines. */
TEST(split_does_not_depend_on_chunking) {
    struct shardsink *s = open_ok("data.jsonl", 10);
    zest_error err;
    for (size_t i = 0; five_lines[i]; i++)
        ASSERT_EQ(shardsink_write(s, five_lines + i, 1, &err), 0);
    ASSERT_EQ(commit_ok(s), 3);
    assert_file("data-00-of-03.jsonl", "aaaa\nbbbbbbbb\n");
    assert_file("data-01-of-03.jsonl", "cc\ndddddddddddd\n");
    assert_file("data-02-of-03.jsonl", "e\n");
    s = open_ok("line.jsonl", 10);
    write_ok(s, "aaaa\n");
    write_ok(s, "bbbbbbbb\ncc\n");
    write_ok(s, "");
    write_ok(s, "dddddddddddd\ne\n");
    ASSERT_EQ(commit_ok(s), 3);
    assert_file("line-00-of-03.jsonl", "aaaa\nbbbbbbbb\n");
    assert_file("line-01-of-03.jsonl", "cc\ndddddddddddd\n");
    assert_file("line-02-of-03.jsonl", "e\n");
}

TEST(shard_path_naming_rule) {
    char out[256];
    zest_error err;
    ASSERT_EQ(shardsink_shard_path("out/data.jsonl", 0, 3, out, sizeof out, &err), 0);
    ASSERT_STR_EQ(out, "out/data-00-of-03.jsonl");
    ASSERT_EQ(shardsink_shard_path("out/data.jsonl.gz", 9, 10, out, sizeof out, &err), 0);
    ASSERT_STR_EQ(out, "out/data-009-of-010.jsonl.gz");
    ASSERT_EQ(shardsink_shard_path("data.jsonl.zst", 0, 1, out, sizeof out, &err), 0);
    ASSERT_STR_EQ(out, "data-00-of-01.jsonl.zst");
    ASSERT_EQ(shardsink_shard_path("v1.2/data", 4, 99, out, sizeof out, &err), 0);
    ASSERT_STR_EQ(out, "v1.2/data-004-of-099");
    ASSERT_EQ(shardsink_shard_path("/o/.hidden.jsonl", 0, 2, out, sizeof out, &err), 0);
    ASSERT_STR_EQ(out, "/o/.hidden-00-of-02.jsonl");
    ASSERT_EQ(shardsink_shard_path("out/data.jsonl", 0, 3, out, 12, &err), ZEST_E_LIMIT);
    ASSERT_CONTAINS(err.msg, "out/data.jsonl");
}

/* Twelve one-line shards: the count, and so the padding, is known only at the commit. */
TEST(count_in_names_is_the_final_count) {
    struct shardsink *s = open_ok("d.jsonl", 1);
    for (int i = 0; i < 12; i++)
        write_ok(s, "l\n");
    ASSERT_EQ(commit_ok(s), 12);
    char want[1024] = "";
    for (int i = 0; i < 12; i++) {
        char one[64];
        snprintf(one, sizeof one, "%sd-%03d-of-012.jsonl", i ? " " : "", i);
        strcat(want, one);
    }
    assert_listing(want);
    assert_file("d-011-of-012.jsonl", "l\n");
}

TEST(line_longer_than_shard_size_stays_whole) {
    const size_t big = SINK_BUF * 3 + 7; /* past the sink's buffer too */
    char *line = malloc(big + 1);
    memset(line, 'x', big - 1);
    line[big - 1] = '\n';
    line[big] = '\0';
    struct shardsink *s = open_ok("big.jsonl", 100);
    char first[101];
    memset(first, 'a', 99);
    first[99] = '\n';
    first[100] = '\0';
    write_ok(s, first);
    write_ok(s, line);
    write_ok(s, "b\n");
    ASSERT_EQ(commit_ok(s), 3);
    assert_file("big-00-of-03.jsonl", first);
    assert_file("big-01-of-03.jsonl", line);
    assert_file("big-02-of-03.jsonl", "b\n");
    free(line);
}

/* Many records through compressed shards: each shard is a complete stream of whole lines,
 * reaches the limit unless it is the last, and the shards in order are the input. */
static void compressed_shards(const char *name, const char *suffix) {
    const int64_t limit = 50000;
    struct shardsink *s = open_ok(name, limit);
    struct buf expect;
    buf_init(&expect, 0);
    zest_error err;
    for (int i = 0; i < 20000; i++) {
        const size_t mark = expect.len;
        ASSERT_EQ(buf_printf(&expect, "{\"id\":%d,\"text\":\"%0*d\"}\n", i, i % 113, 0), 0);
        ASSERT_EQ(shardsink_write(s, expect.data + mark, expect.len - mark, &err), 0);
    }
    const size_t n = commit_ok(s);
    ASSERT(n > 10 && n <= expect.len / (size_t)limit + 1);
    char *full = join(test_tmpdir(), name);
    struct buf got;
    buf_init(&got, 0);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        ASSERT_EQ(shardsink_shard_path(full, i, n, path, sizeof path, &err), 0);
        ASSERT_CONTAINS(path, suffix);
        const size_t before = got.len;
        read_lines(path, &got);
        const size_t size = got.len - before;
        if (i + 1 < n) {
            ASSERT(size >= (size_t)limit);
            /* without its last line the shard would be under the limit */
            const char *prev = memrchr(got.data + before, '\n', size - 1);
            ASSERT((size_t)(prev ? prev - (got.data + before) + 1 : 0) < (size_t)limit);
        } else {
            ASSERT(size > 0);
        }
    }
    free(full);
    ASSERT_MEM_EQ(got.data, got.len, expect.data, expect.len);
    buf_free(&got);
    buf_free(&expect);
}

TEST(gzip_shards_decompress_to_the_lines) {
    compressed_shards("g.jsonl.gz", ".jsonl.gz");
}
TEST(zstd_shards_decompress_to_the_lines) {
    compressed_shards("z.jsonl.zst", ".jsonl.zst");
}

TEST(empty_export_is_one_empty_shard) {
    ASSERT_EQ(commit_ok(open_ok("e.jsonl", 1000)), 1);
    ASSERT_EQ(commit_ok(open_ok("e.jsonl.gz", 1000)), 1);
    assert_listing("e-00-of-01.jsonl e-00-of-01.jsonl.gz");
    assert_file("e-00-of-01.jsonl", "");
    struct buf got;
    buf_init(&got, 0);
    char *gz = join(test_tmpdir(), "e-00-of-01.jsonl.gz");
    read_lines(gz, &got); /* a valid, empty gzip stream */
    ASSERT_EQ(got.len, 0);
    free(gz);
}

/* shard_bytes 0 is the plain sink: same file name, same bytes, for every codec. */
TEST(shard_size_zero_is_the_plain_sink) {
    static const char *const exts[] = {"jsonl", "jsonl.gz", "jsonl.zst"};
    for (size_t k = 0; k < 3; k++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "a.%s", exts[k]);
        snprintf(b, sizeof b, "b.%s", exts[k]);
        struct shardsink *s = open_ok(a, 0);
        struct sink *plain = NULL;
        zest_error err;
        char *bpath = join(test_tmpdir(), b);
        ASSERT_EQ(sink_open(bpath, &plain, &err), 0);
        for (int i = 0; i < 5000; i++) {
            char line[64];
            const int len = snprintf(line, sizeof line, "{\"id\":%d}\n", i);
            ASSERT_EQ(shardsink_write(s, line, (size_t)len, &err), 0);
            ASSERT_EQ(sink_write(plain, line, (size_t)len, &err), 0);
        }
        ASSERT_EQ(commit_ok(s), 1);
        ASSERT_EQ(sink_commit(plain, NULL, &err), 0);
        char *apath = join(test_tmpdir(), a);
        size_t alen, blen;
        char *ad = test_read_file(apath, &alen), *bd = test_read_file(bpath, &blen);
        ASSERT_EQ(alen, blen);
        ASSERT(memcmp(ad, bd, alen) == 0);
        free(ad);
        free(bd);
        free(apath);
        free(bpath);
    }
    assert_listing("a.jsonl a.jsonl.gz a.jsonl.zst b.jsonl b.jsonl.gz b.jsonl.zst");
}

/* A re-run replaces the whole set: shards of any other count or padding go; the plain export
 * file and files of another base or suffix stay. */
TEST(commit_removes_an_earlier_exports_shards) {
    static const char *const old[] = {"data-00-of-05.jsonl",       "data-04-of-05.jsonl",
                                      "data-00000-of-00003.jsonl", "data-01-of-03.jsonl",
                                      "data-7-of-3.jsonl",         "data.jsonl",
                                      "data-00-of-02.jsonl.gz",    "database-00-of-01.jsonl",
                                      "data-xx-of-02.jsonl",       "data-00-of-01.jsonl.bak"};
    for (size_t i = 0; i < sizeof old / sizeof *old; i++)
        free(test_write_file(test_tmpdir(), old[i], "old\n", 4));
    struct shardsink *s = open_ok("data.jsonl", 10);
    write_ok(s, five_lines);
    ASSERT_EQ(commit_ok(s), 3);
    assert_listing("data-00-of-01.jsonl.bak data-00-of-02.jsonl.gz data-00-of-03.jsonl "
                   "data-01-of-03.jsonl data-02-of-03.jsonl data-xx-of-02.jsonl data.jsonl "
                   "database-00-of-01.jsonl");
    assert_file("data-01-of-03.jsonl", "cc\ndddddddddddd\n");
}

TEST(abort_leaves_nothing) {
    free(test_write_file(test_tmpdir(), "data-00-of-02.jsonl", "old\n", 4));
    struct shardsink *s = open_ok("data.jsonl", 10);
    write_ok(s, five_lines); /* two shards staged, the third open */
    shardsink_abort(s);
    shardsink_abort(NULL);
    s = open_ok("data.jsonl.gz", 0);
    write_ok(s, five_lines);
    shardsink_abort(s);
    assert_listing("data-00-of-02.jsonl"); /* an earlier export is left alone */
    assert_file("data-00-of-02.jsonl", "old\n");
}

TEST(open_errors_name_the_path) {
    struct shardsink *s = NULL;
    zest_error err;
    zest_error_clear(&err);
    ASSERT_EQ(shardsink_open("/nonexistent-dir/out.jsonl", 10, &s, &err), ZEST_E_IO);
    ASSERT(s == NULL);
    ASSERT_CONTAINS(err.msg, "/nonexistent-dir/");
    ASSERT_CONTAINS(err.msg, "No such file or directory");
    ASSERT_EQ(shardsink_open("out.jsonl", -1, &s, &err), ZEST_E_PARAM);
    ASSERT_CONTAINS(err.msg, "out.jsonl");
    ASSERT_EQ(shardsink_open("out/", 10, &s, &err), ZEST_E_PARAM);
    ASSERT_CONTAINS(err.msg, "no file name");
    ASSERT(s == NULL);
}

/* A file-size limit makes write(2) fail with EFBIG, standing in for ENOSPC. */
TEST(write_error_is_sticky_and_leaves_nothing) {
    signal(SIGXFSZ, SIG_IGN);
    const struct rlimit lim = {100000, 100000};
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
    struct shardsink *s = open_ok("full.jsonl", 4096);
    char block[4096];
    memset(block, 'q', sizeof block - 1);
    block[sizeof block - 1] = '\n';
    zest_error err;
    zest_error_clear(&err);
    int rc = 0;
    /* small shards are staged first; then one line longer than the sink's and the direct-I/O
     * buffers reaches write(2) and the limit */
    for (int i = 0; i < 3 && !rc; i++)
        rc = shardsink_write(s, block, sizeof block, &err);
    ASSERT_EQ(rc, 0);
    const size_t big = (size_t)8 << 20;
    char *huge = malloc(big);
    memset(huge, 'h', big - 1);
    huge[big - 1] = '\n';
    ASSERT_EQ(shardsink_write(s, huge, big, &err), ZEST_E_IO);
    ASSERT_CONTAINS(err.msg, "full");
    ASSERT_EQ(shardsink_write(s, "x\n", 2, &err), ZEST_E_IO); /* sticky */
    ASSERT_EQ(shardsink_commit(s, NULL, &err), ZEST_E_IO);
    assert_listing("");
    free(huge);
}

/* A directory where shard 1 must go makes its rename fail: the shard already renamed and the
 * staged ones are removed, so a failed commit publishes nothing. */
TEST(failed_commit_leaves_no_shard) {
    char *blocker = join(test_tmpdir(), "data-01-of-03.jsonl");
    ASSERT_EQ(mkdir(blocker, 0777), 0);
    struct shardsink *s = open_ok("data.jsonl", 10);
    write_ok(s, five_lines);
    zest_error err;
    zest_error_clear(&err);
    size_t n = 99;
    ASSERT_EQ(shardsink_commit(s, &n, &err), ZEST_E_IO);
    ASSERT_EQ(n, 99);
    ASSERT_CONTAINS(err.msg, "data-01-of-03.jsonl");
    ASSERT_CONTAINS(err.msg, "rename");
    assert_listing("data-01-of-03.jsonl");
    rmdir(blocker);
    free(blocker);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sink.c - the atomic output sink: round trips through plain, gzip and zstd (read back
 * with the line reader), the temporary name, abort, replacing an existing file, write errors,
 * and common/fsutil's whole-file atomic write.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/common/buf.h"
#include "../../src/common/fsutil.h"
#include "../../src/io/sink.h"
#include "../../src/io/source.h"
#include "runner.h"

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of directory entries other than . and .. */
static int dir_entries(const char *dir) {
    DIR *d = opendir(dir);
    ASSERT(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static char *join(const char *dir, const char *name) {
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

/* Writes records of varied sizes (one bigger than the sink buffer) and returns them, as the
 * expected text. */
static void write_records(struct sink *s, struct buf *expect) {
    zest_error err;
    for (int i = 0; i < 20000; i++) {
        const size_t mark = expect->len;
        ASSERT_EQ(buf_printf(expect, "{\"id\":%d,\"text\":\"%.*s\"}\n", i, i % 97,
                             "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnop"
                             "qrstuvwxyzabcdefghijklmnopqrstuvwxyz"),
                  0);
        ASSERT_EQ(sink_write(s, expect->data + mark, expect->len - mark, &err), 0);
        if (i == 777) {
            /* one record larger than SINK_BUF goes around the buffer */
            const size_t big = SINK_BUF + 12345, at = expect->len;
            ASSERT_EQ(buf_reserve(expect, big + 1), 0);
            memset(expect->data + at, 'z', big);
            expect->data[at + big] = '\n';
            expect->len += big + 1;
            ASSERT_EQ(sink_write(s, expect->data + at, big + 1, &err), 0);
        }
    }
    ASSERT_EQ(sink_write(s, "", 0, &err), 0);
    ASSERT_EQ(sink_bytes(s), expect->len);
}

/* Reads the file back through the line reader and compares with `expect`. */
static void read_back(const char *path, const struct buf *expect, enum source_codec codec) {
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open(path, 0, 0, -1, &r, &err), 0);
    ASSERT_EQ(linereader_codec(r), codec);
    const char *line;
    size_t len;
    int64_t off;
    size_t at = 0;
    int rc;
    while ((rc = linereader_next(r, &line, &len, NULL, &off, &err)) == 1) {
        ASSERT_EQ(off, at);
        ASSERT(at + len < expect->len);
        ASSERT_MEM_EQ(line, len, expect->data + at, len);
        ASSERT_EQ(expect->data[at + len], '\n');
        at += len + 1;
    }
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(at, expect->len);
    linereader_close(r);
}

static void round_trip(const char *name, enum sink_codec want, enum source_codec codec) {
    char *path = join(test_tmpdir(), name);
    ASSERT_EQ(sink_codec_for_path(path), want);
    struct sink *s = NULL;
    struct buf expect;
    buf_init(&expect, 0);
    zest_error err;
    ASSERT_EQ(sink_open(path, &s, &err), 0);
    write_records(s, &expect);
    ASSERT(!exists(path)); /* invisible until committed */
    uint64_t on_disk = 0;
    ASSERT_EQ(sink_commit(s, &on_disk, &err), 0);
    struct stat st;
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_size, on_disk);
    if (codec != SOURCE_PLAIN) ASSERT(on_disk < expect.len / 4);
    ASSERT_EQ(dir_entries(test_tmpdir()), 1); /* no temporary left */
    read_back(path, &expect, codec);
    buf_free(&expect);
    free(path);
}

TEST(round_trip_plain) { round_trip("out.jsonl", SINK_PLAIN, SOURCE_PLAIN); }
TEST(round_trip_gzip) { round_trip("out.jsonl.gz", SINK_GZIP, SOURCE_GZIP); }
TEST(round_trip_zstd) { round_trip("out.jsonl.zst", SINK_ZSTD, SOURCE_ZSTD); }

TEST(empty_outputs_are_valid_streams) {
    static const char *const names[] = {"e.jsonl", "e.jsonl.gz", "e.jsonl.zst"};
    for (size_t i = 0; i < 3; i++) {
        char *path = join(test_tmpdir(), names[i]);
        struct sink *s = NULL;
        zest_error err;
        ASSERT_EQ(sink_open(path, &s, &err), 0);
        ASSERT_EQ(sink_commit(s, NULL, &err), 0);
        struct linereader *r = NULL;
        ASSERT_EQ(linereader_open(path, 0, 0, -1, &r, &err), 0);
        const char *line;
        size_t len;
        ASSERT_EQ(linereader_next(r, &line, &len, NULL, NULL, &err), 0);
        linereader_close(r);
        free(path);
    }
}

TEST(temporary_name_in_same_dir) {
    char tmp[4096];
    zest_error err;
    ASSERT_EQ(fsutil_tmp_path("/a/b/out.jsonl", tmp, sizeof tmp, &err), 0);
    char want[128];
    snprintf(want, sizeof want, "/a/b/.out.jsonl.tmp.%ld", (long)getpid());
    ASSERT_STR_EQ(tmp, want);
    ASSERT_EQ(fsutil_tmp_path("out.jsonl", tmp, sizeof tmp, &err), 0);
    snprintf(want, sizeof want, ".out.jsonl.tmp.%ld", (long)getpid());
    ASSERT_STR_EQ(tmp, want);
    ASSERT_EQ(fsutil_tmp_path("/a/b/out.jsonl", tmp, 8, &err), ZEST_E_LIMIT);

    char *path = join(test_tmpdir(), "o.jsonl");
    struct sink *s = NULL;
    ASSERT_EQ(sink_open(path, &s, &err), 0);
    ASSERT_EQ(fsutil_tmp_path(path, tmp, sizeof tmp, &err), 0);
    ASSERT(exists(tmp));
    sink_abort(s);
    free(path);
}

TEST(abort_leaves_no_file) {
    char *path = join(test_tmpdir(), "a.jsonl.zst");
    struct sink *s = NULL;
    zest_error err;
    ASSERT_EQ(sink_open(path, &s, &err), 0);
    struct buf expect;
    buf_init(&expect, 0);
    write_records(s, &expect);
    sink_abort(s);
    sink_abort(NULL);
    ASSERT_EQ(dir_entries(test_tmpdir()), 0);
    buf_free(&expect);
    free(path);
}

TEST(abort_keeps_existing_commit_replaces_it) {
    char *path = test_write_file(test_tmpdir(), "r.jsonl", "old\n", 4);
    struct sink *s = NULL;
    zest_error err;
    ASSERT_EQ(sink_open(path, &s, &err), 0);
    ASSERT_EQ(sink_write(s, "new\n", 4, &err), 0);
    sink_abort(s);
    size_t n;
    char *got = test_read_file(path, &n);
    ASSERT_STR_EQ(got, "old\n");
    free(got);
    ASSERT_EQ(sink_open(path, &s, &err), 0);
    ASSERT_EQ(sink_write(s, "new\n", 4, &err), 0);
    ASSERT_EQ(sink_write(s, "er\n", 3, &err), 0);
    ASSERT_EQ(sink_commit(s, NULL, &err), 0);
    got = test_read_file(path, &n);
    ASSERT_STR_EQ(got, "new\ner\n");
    free(got);
    ASSERT_EQ(dir_entries(test_tmpdir()), 1);
    free(path);
}

TEST(open_in_missing_directory_is_io_error) {
    struct sink *s = NULL;
    zest_error err;
    zest_error_clear(&err);
    ASSERT_EQ(sink_open("/nonexistent-dir/out.jsonl.gz", &s, &err), ZEST_E_IO);
    ASSERT(s == NULL);
    ASSERT_CONTAINS(err.msg, "/nonexistent-dir/");
    ASSERT_CONTAINS(err.msg, "No such file or directory");
}

/* A file-size limit makes write(2) fail with EFBIG, standing in for ENOSPC. */
TEST(write_error_is_io_and_nothing_is_committed) {
    signal(SIGXFSZ, SIG_IGN);
    const struct rlimit lim = {100000, 100000};
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char *path = join(test_tmpdir(), "full.jsonl");
    struct sink *s = NULL;
    zest_error err;
    zest_error_clear(&err);
    ASSERT_EQ(sink_open(path, &s, &err), 0);
    char block[4096];
    memset(block, 'q', sizeof block);
    int rc = 0;
    /* enough to pass the sink's write buffer, so the failure shows before the commit */
    for (int i = 0; i < 4000 && !rc; i++) rc = sink_write(s, block, sizeof block, &err);
    ASSERT_EQ(rc, ZEST_E_IO);
    ASSERT_CONTAINS(err.msg, "full.jsonl");
    ASSERT_CONTAINS(err.msg, "write");
    ASSERT_EQ(sink_write(s, "x", 1, &err), ZEST_E_IO); /* sticky */
    ASSERT_EQ(sink_commit(s, NULL, &err), ZEST_E_IO);
    ASSERT(!exists(path));
    ASSERT_EQ(dir_entries(test_tmpdir()), 0);
    free(path);
}

TEST(fsutil_write_atomic_replaces) {
    char *path = test_write_file(test_tmpdir(), "m.json", "{\"v\":1}", 7);
    zest_error err;
    ASSERT_EQ(fsutil_write_atomic(path, "{\"v\":2}", 7, &err), 0);
    size_t n;
    char *got = test_read_file(path, &n);
    ASSERT_STR_EQ(got, "{\"v\":2}");
    free(got);
    ASSERT_EQ(dir_entries(test_tmpdir()), 1);
    ASSERT_EQ(fsutil_write_atomic("/nonexistent-dir/m.json", "x", 1, &err), ZEST_E_IO);
    free(path);
}

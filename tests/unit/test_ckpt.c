/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ckpt.c - the checkpoint store: names, the streaming checksum, op-prefix hashes over real
 * operators' bound parameters, commit and lookup, corruption detection with fallback, orphan
 * files, cleanup, removal, a crash between the file and its record (a forked child), and the
 * manifest's JSON round trip and errors.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/ckpt/ckpt.h"
#include "../../src/common/hash.h"
#include "../../src/io/parquet_lines.h"
#include "runner.h"

/* ---- helpers -------------------------------------------------------------------------- */

static struct ckpt_store *open_store(const char *sub) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", test_tmpdir(), sub);
    struct ckpt_store *s = NULL;
    zest_error err;
    if (ckpt_store_open(dir, &s, &err) != 0) TEST_FAIL("open: %s", err.msg);
    return s;
}

/* The rows of checkpoint k of partition p: deterministic, distinct per k. */
static void rows_text(int k, char *out, size_t cap) {
    snprintf(out, cap, "{\"text\":\"row a after op %d\"}\n{\"text\":\"row b after op %d\"}\n", k,
             k);
}

/* Writes and commits the checkpoint of op k of partition p; returns its record. */
static struct ckpt_record put(struct ckpt_store *s, int p, int k, uint64_t hash,
                              enum ckpt_format f) {
    struct ckpt_writer *w = NULL;
    struct ckpt_record rec;
    zest_error err;
    char text[256];
    rows_text(k, text, sizeof text);
    if (ckpt_writer_open(s, p, k, f, &w, &err) != 0) TEST_FAIL("writer: %s", err.msg);
    /* Odd-sized pieces exercise the checksum's carry across calls. */
    const size_t n = strlen(text);
    for (size_t i = 0; i < n; i += 5)
        if (ckpt_writer_write(w, text + i, n - i < 5 ? n - i : 5, &err) != 0)
            TEST_FAIL("write: %s", err.msg);
    if (ckpt_writer_finish(w, "text_length_filter", hash, 2, &rec, &err) != 0)
        TEST_FAIL("finish: %s", err.msg);
    if (ckpt_commit(s, p, &rec, &err) != 0) TEST_FAIL("commit: %s", err.msg);
    return rec;
}

static void file_path(struct ckpt_store *s, const char *name, char *out, size_t cap) {
    zest_error err;
    if (ckpt_path(s, name, out, cap, &err) != 0) TEST_FAIL("path: %s", err.msg);
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

struct findings {
    int n;
    struct ckpt_finding f[16];
};

static void collect(void *user, const struct ckpt_finding *f) {
    struct findings *fs = user;
    if (fs->n < 16) fs->f[fs->n++] = *f;
}

/* Expected hashes that match put()'s (hash k = 100 + k). */
static const uint64_t H[] = {100, 101, 102, 103, 104, 105};

static int latest(struct ckpt_store *s, int p, size_t n_ops, struct findings *fs,
                  struct ckpt_record *out) {
    zest_error err;
    const int rc = ckpt_latest_valid(s, p, H, n_ops, collect, fs, out, &err);
    if (rc < 0) TEST_FAIL("latest: %s", err.msg);
    return rc;
}

/* Binds text_length_filter with min_len (and the rest default). */
static void bind_tlf(int64_t min_len, struct op_params *out) {
    const struct op_desc *op = op_registry_find("text_length_filter");
    ASSERT(op != NULL);
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)min_len);
    struct node *map = node_new(NODE_MAP, NULL, 1, 1);
    ASSERT(map && node_map_set(map, "min_len", node_new(NODE_SCALAR, text, 1, 1)) == 0);
    zest_error err;
    if (op_params_bind(op, map, "test.yaml", out, &err) != 0) TEST_FAIL("bind: %s", err.msg);
    node_free(map);
}

static void bind_default(const char *name, struct op_params *out) {
    const struct op_desc *op = op_registry_find(name);
    ASSERT(op != NULL);
    zest_error err;
    if (op_params_bind(op, NULL, "test.yaml", out, &err) != 0) TEST_FAIL("bind: %s", err.msg);
}

/* A 4-op pipeline: whitespace, tlf(min_len = m[0]), whitespace, tlf(min_len = m[1]). */
static void pipeline_hashes(const char *fp, int64_t m0, int64_t m1, uint64_t out[4]) {
    struct op_params p[4];
    bind_default("whitespace_normalization_mapper", &p[0]);
    bind_tlf(m0, &p[1]);
    bind_default("whitespace_normalization_mapper", &p[2]);
    bind_tlf(m1, &p[3]);
    const struct op_desc *ws = op_registry_find("whitespace_normalization_mapper");
    const struct op_desc *tlf = op_registry_find("text_length_filter");
    const struct ckpt_op_ref ops[4] = {{ws, &p[0]}, {tlf, &p[1]}, {ws, &p[2]}, {tlf, &p[3]}};
    const struct ckpt_partition_ref part = {"data/in.jsonl", 0, 4096};
    zest_error err;
    if (ckpt_prefix_hashes(fp, &part, ops, 4, out, &err) != 0) TEST_FAIL("hash: %s", err.msg);
    for (int i = 0; i < 4; i++)
        op_params_free(&p[i]);
}

/* ---- names and checksum --------------------------------------------------------------- */

TEST(names) {
    char name[CKPT_NAME_MAX];
    zest_error err;
    ASSERT_EQ(ckpt_file_name(3, 12, CKPT_JSONL, name, sizeof name, &err), 0);
    ASSERT_STR_EQ(name, "checkpoint_op_0003_partition_0012.jsonl");
    ASSERT_EQ(ckpt_file_name(0, 0, CKPT_JSONL_GZ, name, sizeof name, &err), 0);
    ASSERT_STR_EQ(name, "checkpoint_op_0000_partition_0000.jsonl.gz");
    ASSERT_EQ(ckpt_file_name(12345, 7, CKPT_JSONL_ZST, name, sizeof name, &err), 0);
    ASSERT_STR_EQ(name, "checkpoint_op_12345_partition_0007.jsonl.zst");
    ASSERT_EQ(ckpt_manifest_name(42, name, sizeof name, &err), 0);
    ASSERT_STR_EQ(name, "partition_0042.json");
    ASSERT_EQ(ckpt_file_name(-1, 0, CKPT_JSONL, name, sizeof name, &err), ZEST_E_PARAM);
    ASSERT_EQ(ckpt_file_name(1, 1, CKPT_JSONL, name, 10, &err), ZEST_E_LIMIT);
    enum ckpt_format f;
    ASSERT_EQ(ckpt_format_from_config("jsonl", "zstd", &f, &err), 0);
    ASSERT_EQ(f, CKPT_JSONL_ZST);
    ASSERT_EQ(ckpt_format_from_config("jsonl", NULL, &f, &err), 0);
    ASSERT_EQ(f, CKPT_JSONL);
    ASSERT_EQ(ckpt_format_from_config("parquet", "snappy", &f, &err), 0);
    ASSERT_EQ(f, CKPT_PARQUET_SNAPPY);
    ASSERT_EQ(ckpt_format_from_config("parquet", NULL, &f, &err), 0);
    ASSERT_EQ(f, CKPT_PARQUET_SNAPPY);
    ASSERT_EQ(ckpt_format_from_config("parquet", "zstd", &f, &err), 0);
    ASSERT_EQ(f, CKPT_PARQUET_ZSTD);
    ASSERT_EQ(ckpt_file_name(1, 2, CKPT_PARQUET_GZIP, name, sizeof name, &err), 0);
    ASSERT_STR_EQ(name, "checkpoint_op_0001_partition_0002.parquet");
    ASSERT_EQ(ckpt_format_from_config("arrow", "snappy", &f, &err), 0);
    ASSERT_EQ(f, CKPT_ARROW_LZ4);
    ASSERT_EQ(ckpt_format_from_config("arrow", NULL, &f, &err), 0);
    ASSERT_EQ(f, CKPT_ARROW_LZ4);
    ASSERT_EQ(ckpt_format_from_config("arrow", "none", &f, &err), 0);
    ASSERT_EQ(f, CKPT_ARROW_NONE);
    ASSERT_EQ(ckpt_file_name(3, 4, CKPT_ARROW_ZSTD, name, sizeof name, &err), 0);
    ASSERT_STR_EQ(name, "checkpoint_op_0003_partition_0004.arrow");
    ASSERT_EQ(ckpt_format_from_config("arrow", "gzip", &f, &err), ZEST_E_UNSUPPORTED);
    ASSERT_CONTAINS(err.msg, "arrow");
    ASSERT_EQ(ckpt_format_from_config("jsonl", "snappy", &f, &err), ZEST_E_UNSUPPORTED);
}

TEST(hasher_matches_one_shot) {
    char data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 37 + 11);
    const uint64_t want = hash_finish(hash_bytes(HASH_SEED, data, sizeof data));
    for (size_t step = 1; step <= 17; step++) {
        struct ckpt_hasher hs;
        ckpt_hasher_init(&hs);
        for (size_t i = 0; i < sizeof data; i += step)
            ckpt_hasher_update(&hs, data + i, sizeof data - i < step ? sizeof data - i : step);
        ASSERT_EQ(ckpt_hasher_final(&hs), want);
        ASSERT_EQ(hs.bytes, sizeof data);
    }
    char hex[17];
    uint64_t back;
    ckpt_hex(0x0123456789abcdefull, hex);
    ASSERT_STR_EQ(hex, "0123456789abcdef");
    ASSERT_EQ(ckpt_unhex(hex, 16, &back), 0);
    ASSERT(back == 0x0123456789abcdefull);
    ASSERT_EQ(ckpt_unhex("0123456789ABCDEF", 16, &back), -1);
    ASSERT_EQ(ckpt_unhex("0123", 4, &back), -1);
}

/* ---- op-prefix hashes ----------------------------------------------------------------- */

TEST(prefix_hash_changes_from_the_changed_op_on) {
    uint64_t a[4], b[4], c[4], d[4], again[4];
    pipeline_hashes("fp-1", 10, 20, a);
    pipeline_hashes("fp-1", 10, 20, again);
    pipeline_hashes("fp-1", 11, 20, b); /* op 1 changed */
    pipeline_hashes("fp-1", 10, 21, c); /* op 3 changed */
    pipeline_hashes("fp-2", 10, 20, d); /* input changed */
    for (int k = 0; k < 4; k++)
        ASSERT(a[k] == again[k]);
    ASSERT(a[0] == b[0]);
    for (int k = 1; k < 4; k++)
        ASSERT(a[k] != b[k]);
    for (int k = 0; k < 3; k++)
        ASSERT(a[k] == c[k]);
    ASSERT(a[3] != c[3]);
    for (int k = 0; k < 4; k++)
        ASSERT(a[k] != d[k]);
    /* Same op twice with the same parameters still hashes differently per position. */
    ASSERT(a[0] != a[2]);
}

TEST(prefix_hash_covers_partition_range) {
    struct op_params p;
    bind_tlf(10, &p);
    const struct ckpt_op_ref op = {op_registry_find("text_length_filter"), &p};
    const struct ckpt_partition_ref r1 = {"in.jsonl", 0, 100}, r2 = {"in.jsonl", 0, 101},
                                    r3 = {"in2.jsonl", 0, 100};
    uint64_t h1, h2, h3;
    zest_error err;
    ASSERT_EQ(ckpt_prefix_hashes("fp", &r1, &op, 1, &h1, &err), 0);
    ASSERT_EQ(ckpt_prefix_hashes("fp", &r2, &op, 1, &h2, &err), 0);
    ASSERT_EQ(ckpt_prefix_hashes("fp", &r3, &op, 1, &h3, &err), 0);
    ASSERT(h1 != h2 && h1 != h3 && h2 != h3);
    /* Parameters that do not match the schema are refused, not hashed. */
    struct op_params short_p = p;
    short_p.n = 1;
    const struct ckpt_op_ref bad = {op.desc, &short_p};
    ASSERT_EQ(ckpt_prefix_hashes("fp", &r1, &bad, 1, &h1, &err), ZEST_E_PARAM);
    op_params_free(&p);
}

/* ---- commit and lookup ---------------------------------------------------------------- */

/* A Parquet checkpoint: verified like the others (size and checksum over the file's bytes),
 * found for resume, read back as the very lines written, and a flipped byte is caught. */
/* A lossless columnar checkpoint reads back as its lines; a flipped byte fails the checksum. */
static void columnar_roundtrip(enum ckpt_format fmt, const char *file) {
    struct ckpt_store *s = open_store("job/checkpoints");
    struct ckpt_record r;
    struct findings fs = {0};
    const struct ckpt_record w = put(s, 0, 1, H[1], fmt);
    ASSERT_STR_EQ(w.file, file);
    ASSERT_EQ(w.bytes, w.content_bytes);
    ASSERT_EQ(latest(s, 0, 4, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 1);
    char path[1024], want[256];
    file_path(s, r.file, path, sizeof path);
    rows_text(1, want, sizeof want);
    struct parquet_linesrc *src;
    zest_error err;
    ASSERT_EQ(parquet_linesrc_open(path, 0, -1, &src, &err), 0);
    struct buf got;
    buf_init(&got, 0);
    const char *line;
    size_t len;
    while (parquet_linesrc_next(src, &line, &len, NULL, &err) == 1) {
        buf_append(&got, line, len);
        buf_putc(&got, '\n');
    }
    buf_putc(&got, 0);
    ASSERT_STR_EQ(got.data, want);
    buf_free(&got);
    parquet_linesrc_close(src);
    /* flip a byte in the middle: the checksum says so */
    const int fd = open(path, O_RDWR);
    ASSERT(fd >= 0);
    char c;
    ASSERT_EQ(pread(fd, &c, 1, 20), 1);
    c ^= 1;
    ASSERT_EQ(pwrite(fd, &c, 1, 20), 1);
    close(fd);
    ASSERT_EQ(latest(s, 0, 4, &fs, &r), 0);
    ASSERT_EQ(fs.f[fs.n - 1].problem, CKPT_CHECKSUM_MISMATCH);
    ckpt_store_close(s);
}

TEST(parquet_checkpoint_roundtrip) {
    columnar_roundtrip(CKPT_PARQUET_ZSTD, "checkpoint_op_0001_partition_0000.parquet");
}

TEST(arrow_checkpoint_roundtrip) {
    columnar_roundtrip(CKPT_ARROW_ZSTD, "checkpoint_op_0001_partition_0000.arrow");
}

TEST(commit_and_latest) {
    struct ckpt_store *s = open_store("job/checkpoints");
    struct ckpt_record r;
    struct findings fs = {0};
    ASSERT_EQ(latest(s, 0, 4, &fs, &r), 0); /* nothing yet: the source */
    const struct ckpt_record r0 = put(s, 0, 0, H[0], CKPT_JSONL);
    put(s, 0, 1, H[1], CKPT_JSONL_GZ);
    const struct ckpt_record r2 = put(s, 0, 2, H[2], CKPT_JSONL_ZST);
    put(s, 1, 0, H[0], CKPT_JSONL);
    ASSERT_EQ(latest(s, 0, 4, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 2);
    ASSERT_STR_EQ(r.file, "checkpoint_op_0002_partition_0000.jsonl.zst");
    ASSERT_EQ(r.rows, 2);
    ASSERT(r.checksum == r2.checksum && r.bytes == r2.bytes);
    ASSERT(r.bytes != r.content_bytes); /* compressed on disk */
    ASSERT_EQ(r0.bytes, r0.content_bytes);
    ASSERT_EQ(fs.n, 0);
    /* A pipeline cut to 2 ops resumes from op 1; the op-2 record is reported stale. */
    ASSERT_EQ(latest(s, 0, 2, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 1);
    ASSERT_EQ(fs.n, 1);
    ASSERT_EQ(fs.f[0].problem, CKPT_STALE);
    ASSERT_EQ(latest(s, 1, 4, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 0);
    ckpt_store_close(s);
}

TEST(changed_params_fall_back_to_the_unchanged_prefix) {
    struct ckpt_store *s = open_store("c");
    for (int k = 0; k < 4; k++)
        put(s, 0, k, H[k], CKPT_JSONL);
    uint64_t changed[4] = {H[0], H[1], 999, 998}; /* op 2's parameters changed */
    struct findings fs = {0};
    struct ckpt_record r;
    zest_error err;
    ASSERT_EQ(ckpt_latest_valid(s, 0, changed, 4, collect, &fs, &r, &err), 1);
    ASSERT_EQ(r.op_index, 1);
    ASSERT_EQ(fs.n, 2);
    ASSERT_EQ(fs.f[0].op_index, 3);
    ASSERT_EQ(fs.f[1].op_index, 2);
    ASSERT_EQ(fs.f[1].problem, CKPT_STALE);
    ASSERT_CONTAINS(fs.f[1].detail, "stale");
    /* Recomputing op 2 drops the old lineage's op-3 record and deletes its file. */
    char p3[2048];
    file_path(s, "checkpoint_op_0003_partition_0000.jsonl", p3, sizeof p3);
    ASSERT(exists(p3));
    put(s, 0, 2, 999, CKPT_JSONL);
    ASSERT(!exists(p3));
    struct ckpt_manifest m;
    ASSERT_EQ(ckpt_manifest_read(s, 0, &m, &err), 0);
    ASSERT_EQ(m.n, 3);
    ASSERT_EQ(m.recs[2].op_index, 2);
    ASSERT(m.recs[2].prefix_hash == 999);
    manifest_free(&m);
    ckpt_store_close(s);
}

/* ---- corruption ----------------------------------------------------------------------- */

static void corrupt(struct ckpt_store *s, const char *name, int truncate_it) {
    char path[2048];
    file_path(s, name, path, sizeof path);
    size_t len;
    char *data = test_read_file(path, &len);
    ASSERT(data && len > 10);
    if (truncate_it)
        len -= 7;
    else
        data[len / 2] ^= 0x04; /* one bit, inside a row */
    const int fd = open(path, O_WRONLY | O_TRUNC);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, data, len), (long long)len);
    close(fd);
    free(data);
}

TEST(truncated_checkpoint_falls_back) {
    struct ckpt_store *s = open_store("t");
    for (int k = 0; k < 3; k++)
        put(s, 0, k, H[k], CKPT_JSONL);
    corrupt(s, "checkpoint_op_0002_partition_0000.jsonl", 1);
    struct findings fs = {0};
    struct ckpt_record r;
    ASSERT_EQ(latest(s, 0, 3, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 1);
    ASSERT_EQ(fs.n, 1);
    ASSERT_EQ(fs.f[0].problem, CKPT_SIZE_MISMATCH);
    ASSERT_EQ(fs.f[0].op_index, 2);
    ASSERT_CONTAINS(fs.f[0].detail,
                    "checkpoint_op_0002_partition_0000.jsonl is corrupt: size mismatch");
    ckpt_store_close(s);
}

TEST(bit_flipped_checkpoint_falls_back) {
    struct ckpt_store *s = open_store("b");
    for (int k = 0; k < 3; k++)
        put(s, 0, k, H[k], CKPT_JSONL);
    corrupt(s, "checkpoint_op_0002_partition_0000.jsonl", 0);
    corrupt(s, "checkpoint_op_0001_partition_0000.jsonl", 0);
    struct findings fs = {0};
    struct ckpt_record r;
    ASSERT_EQ(latest(s, 0, 3, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 0);
    ASSERT_EQ(fs.n, 2);
    ASSERT_EQ(fs.f[0].problem, CKPT_CHECKSUM_MISMATCH);
    ASSERT_EQ(fs.f[1].problem, CKPT_CHECKSUM_MISMATCH);
    ASSERT_CONTAINS(fs.f[0].detail, "is corrupt: checksum mismatch");
    /* All corrupt: back to the source. */
    corrupt(s, "checkpoint_op_0000_partition_0000.jsonl", 0);
    fs.n = 0;
    ASSERT_EQ(latest(s, 0, 3, &fs, &r), 0);
    ASSERT_EQ(fs.n, 3);
    ckpt_store_close(s);
}

TEST(bit_flipped_compressed_checkpoint_is_detected) {
    struct ckpt_store *s = open_store("z");
    put(s, 0, 0, H[0], CKPT_JSONL);
    put(s, 0, 1, H[1], CKPT_JSONL_GZ);
    put(s, 0, 2, H[2], CKPT_JSONL_ZST);
    corrupt(s, "checkpoint_op_0002_partition_0000.jsonl.zst", 0);
    corrupt(s, "checkpoint_op_0001_partition_0000.jsonl.gz", 0);
    struct findings fs = {0};
    struct ckpt_record r;
    ASSERT_EQ(latest(s, 0, 3, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 0);
    ASSERT_EQ(fs.n, 2);
    for (int i = 0; i < 2; i++)
        ASSERT(fs.f[i].problem == CKPT_UNREADABLE || fs.f[i].problem == CKPT_CHECKSUM_MISMATCH);
    ckpt_store_close(s);
}

TEST(missing_checkpoint_is_reported) {
    struct ckpt_store *s = open_store("m");
    put(s, 0, 0, H[0], CKPT_JSONL);
    const struct ckpt_record r1 = put(s, 0, 1, H[1], CKPT_JSONL);
    char path[2048];
    file_path(s, r1.file, path, sizeof path);
    ASSERT_EQ(unlink(path), 0);
    struct findings fs = {0};
    struct ckpt_record r;
    ASSERT_EQ(latest(s, 0, 3, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 0);
    ASSERT_EQ(fs.f[0].problem, CKPT_MISSING);
    ASSERT_STR_EQ(ckpt_problem_name(fs.f[0].problem), "missing");
    ckpt_store_close(s);
}

TEST(file_without_record_is_ignored) {
    struct ckpt_store *s = open_store("o");
    put(s, 0, 0, H[0], CKPT_JSONL);
    free(test_write_file(ckpt_store_dir(s), "checkpoint_op_0001_partition_0000.jsonl",
                         "{\"text\":\"x\"}\n", 13));
    struct findings fs = {0};
    struct ckpt_record r;
    ASSERT_EQ(latest(s, 0, 3, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 0);
    ASSERT_EQ(fs.n, 0);
    ckpt_store_close(s);
}

/* ---- cleanup and removal -------------------------------------------------------------- */

TEST(cleanup_keeps_the_newest) {
    struct ckpt_store *s = open_store("k");
    struct ckpt_record recs[5];
    for (int k = 0; k < 5; k++)
        recs[k] = put(s, 3, k, H[k], CKPT_JSONL);
    struct ckpt_record *removed = NULL;
    size_t n = 0;
    zest_error err;
    ASSERT_EQ(ckpt_cleanup(s, 3, 2, &removed, &n, &err), 0);
    ASSERT_EQ(n, 3);
    for (int k = 0; k < 3; k++)
        ASSERT_EQ(removed[k].op_index, k);
    free(removed);
    for (int k = 0; k < 5; k++) {
        char path[2048];
        file_path(s, recs[k].file, path, sizeof path);
        ASSERT_EQ(exists(path), k >= 3);
    }
    struct ckpt_manifest m;
    ASSERT_EQ(ckpt_manifest_read(s, 3, &m, &err), 0);
    ASSERT_EQ(m.n, 2);
    ASSERT_EQ(m.recs[0].op_index, 3);
    manifest_free(&m);
    /* Under the limit: nothing to do. */
    ASSERT_EQ(ckpt_cleanup(s, 3, 2, &removed, &n, &err), 0);
    ASSERT_EQ(n, 0);
    ASSERT(removed == NULL);
    struct findings fs = {0};
    struct ckpt_record r;
    ASSERT_EQ(latest(s, 3, 5, &fs, &r), 1);
    ASSERT_EQ(r.op_index, 4);
    ckpt_store_close(s);
}

TEST(remove_partition_leaves_the_others) {
    struct ckpt_store *s = open_store("r");
    put(s, 0, 0, H[0], CKPT_JSONL);
    put(s, 0, 1, H[1], CKPT_JSONL);
    put(s, 10, 0, H[0], CKPT_JSONL);
    free(test_write_file(ckpt_store_dir(s), "checkpoint_op_0002_partition_0000.jsonl", "x", 1));
    size_t n = 0;
    zest_error err;
    ASSERT_EQ(ckpt_remove_partition(s, 0, &n, &err), 0);
    ASSERT_EQ(n, 3); /* two recorded, one orphan */
    struct findings fs = {0};
    struct ckpt_record r;
    ASSERT_EQ(latest(s, 0, 3, &fs, &r), 0);
    ASSERT_EQ(latest(s, 10, 3, &fs, &r), 1);
    ASSERT_EQ(ckpt_remove_partition(s, 0, &n, &err), 0); /* idempotent */
    ASSERT_EQ(n, 0);
    ckpt_store_close(s);
}

/* ---- crash safety --------------------------------------------------------------------- */

/* The child commits the file of op 1, then dies before recording it (stage 1), or dies in the
 * middle of writing (stage 0). The parent must still resume from op 0. */
static void crash_child(struct ckpt_store *s, int stage) {
    struct ckpt_writer *w = NULL;
    struct ckpt_record rec;
    zest_error err;
    if (ckpt_writer_open(s, 0, 1, CKPT_JSONL, &w, &err) != 0) _exit(2);
    if (ckpt_writer_write(w, "{\"text\":\"new\"}\n", 15, &err) != 0) _exit(2);
    if (stage == 0) _exit(0); /* the temporary is left behind, as after kill -9 */
    if (ckpt_writer_finish(w, "text_length_filter", H[1], 1, &rec, &err) != 0) _exit(2);
    _exit(0); /* before ckpt_commit */
}

TEST(crash_between_file_and_record) {
    for (int stage = 0; stage < 2; stage++) {
        char sub[32];
        snprintf(sub, sizeof sub, "crash%d", stage);
        struct ckpt_store *s = open_store(sub);
        const struct ckpt_record r0 = put(s, 0, 0, H[0], CKPT_JSONL);
        const pid_t pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) crash_child(s, stage);
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ckpt_store_close(s);
        s = open_store(sub); /* reopening removes the temporary */
        struct findings fs = {0};
        struct ckpt_record r;
        ASSERT_EQ(latest(s, 0, 3, &fs, &r), 1);
        ASSERT_EQ(r.op_index, 0);
        ASSERT(r.checksum == r0.checksum);
        ASSERT_EQ(fs.n, 0);
        char tmp[64];
        snprintf(tmp, sizeof tmp, ".checkpoint_op_0001_partition_0000.jsonl.tmp.%d", (int)pid);
        char path[2048];
        file_path(s, tmp, path, sizeof path);
        ASSERT(!exists(path));
        file_path(s, "checkpoint_op_0001_partition_0000.jsonl", path, sizeof path);
        ASSERT_EQ(exists(path), stage == 1); /* an orphan: on disk, absent for resume */
        /* The recomputed op 1 commits over the orphan. */
        put(s, 0, 1, H[1], CKPT_JSONL);
        ASSERT_EQ(latest(s, 0, 3, &fs, &r), 1);
        ASSERT_EQ(r.op_index, 1);
        ckpt_store_close(s);
    }
}

/* ---- the manifest --------------------------------------------------------------------- */

TEST(manifest_round_trip) {
    struct ckpt_manifest m = {.partition = 7}, back;
    struct ckpt_record r = {.op_index = 4,
                            .prefix_hash = 0xfedcba9876543210ull,
                            .rows = 12345,
                            .bytes = 999,
                            .content_bytes = 4000,
                            .checksum = 1,
                            .committed_ms = 1764000000123};
    snprintf(r.op_name, sizeof r.op_name, "text_length_filter");
    snprintf(r.file, sizeof r.file, "checkpoint_op_0004_partition_0007.jsonl.gz");
    ASSERT_EQ(manifest_put(&m, &r), 0);
    r.op_index = 1;
    r.checksum = UINT64_MAX;
    snprintf(r.op_name, sizeof r.op_name, "a \"quoted\" \\ name");
    ASSERT_EQ(manifest_put(&m, &r), 0);
    ASSERT_EQ(m.recs[0].op_index, 1); /* kept sorted */
    struct buf b;
    buf_init(&b, 0);
    ASSERT_EQ(manifest_format(&m, &b), 0);
    zest_error err;
    ASSERT_EQ(manifest_parse("p.json", 7, b.data, b.len, &back, &err), 0);
    ASSERT_EQ(back.n, 2);
    ASSERT_EQ(memcmp(back.recs, m.recs, 2 * sizeof *m.recs), 0);
    /* Formatting again gives the same bytes. */
    struct buf b2;
    buf_init(&b2, 0);
    ASSERT_EQ(manifest_format(&back, &b2), 0);
    ASSERT_MEM_EQ(b2.data, b2.len, b.data, b.len);
    ASSERT_CONTAINS(b.data, "\"format\":\"zest-checkpoint-manifest\",\"version\":1");
    ASSERT_CONTAINS(b.data, "\"prefix_hash\":\"fedcba9876543210\"");
    buf_free(&b);
    buf_free(&b2);
    manifest_free(&m);
    manifest_free(&back);
}

static void expect_bad(const char *text, const char *needle) {
    struct ckpt_manifest m;
    zest_error err;
    if (manifest_parse("dir/partition_0002.json", 2, text, strlen(text), &m, &err) != ZEST_E_FORMAT)
        TEST_FAIL("accepted: %s", text);
    ASSERT_CONTAINS(err.msg, "dir/partition_0002.json");
    ASSERT_CONTAINS(err.msg, "corrupt checkpoint manifest");
    ASSERT_CONTAINS(err.msg, needle);
}

TEST(manifest_errors_name_the_file) {
    const char *rec = "{\"op_index\":0,\"op_name\":\"x\",\"prefix_hash\":\"0000000000000001\","
                      "\"rows\":1,\"bytes\":1,\"content_bytes\":1,\"checksum\":"
                      "\"0000000000000002\",\"file\":\"%s\",\"committed_ms\":1}";
    char text[2048], r[512];
    expect_bad("{\"format\":\"zest-checkpoint-manifest\",\"version\":1,\"partition\":2,\"rec",
               "offset");
    expect_bad("[]", "top level");
    expect_bad("{\"format\":\"zest-checkpoint-manifest\",\"version\":9,\"partition\":2,"
               "\"records\":[]}",
               "version");
    expect_bad("{\"format\":\"zest-checkpoint-manifest\",\"version\":1,\"partition\":3,"
               "\"records\":[]}",
               "partition");
    snprintf(r, sizeof r, rec, "../../etc/passwd");
    snprintf(text, sizeof text,
             "{\"format\":\"zest-checkpoint-manifest\",\"version\":1,\"partition\":2,"
             "\"records\":[%s]}",
             r);
    expect_bad(text, "not a plain checkpoint name");
    snprintf(r, sizeof r, rec, "checkpoint_op_0000_partition_0002.jsonl");
    snprintf(text, sizeof text,
             "{\"format\":\"zest-checkpoint-manifest\",\"version\":1,\"partition\":2,"
             "\"records\":[%s,%s]}",
             r, r);
    expect_bad(text, "ascending");
    /* A damaged manifest on disk: lookup fails with the file named, it does not guess. */
    struct ckpt_store *s = open_store("bad");
    char mdir[2048];
    snprintf(mdir, sizeof mdir, "%s/manifest", ckpt_store_dir(s));
    free(test_write_file(mdir, "partition_0002.json", "{\"format\":", 10));
    struct ckpt_record out;
    zest_error err;
    ASSERT_EQ(ckpt_latest_valid(s, 2, H, 3, NULL, NULL, &out, &err), ZEST_E_FORMAT);
    ASSERT_CONTAINS(err.msg, "manifest/partition_0002.json");
    ckpt_store_close(s);
}

TEST(commit_rejects_bad_records) {
    struct ckpt_store *s = open_store("rej");
    struct ckpt_record r = {.op_index = 0};
    snprintf(r.op_name, sizeof r.op_name, "x");
    snprintf(r.file, sizeof r.file, "../escape");
    zest_error err;
    ASSERT_EQ(ckpt_commit(s, 0, &r, &err), ZEST_E_PARAM);
    struct ckpt_writer *w = NULL;
    ASSERT_EQ(ckpt_writer_open(s, 0, 0, CKPT_JSONL, &w, &err), 0);
    ASSERT_EQ(ckpt_writer_write(w, "x\n", 2, &err), 0);
    ckpt_writer_abort(w); /* nothing visible afterwards */
    char path[2048];
    file_path(s, "checkpoint_op_0000_partition_0000.jsonl", path, sizeof path);
    ASSERT(!exists(path));
    ckpt_store_close(s);
}

TEST(recommit_in_another_format_replaces_the_file) {
    struct ckpt_store *s = open_store("fmt");
    const struct ckpt_record a = put(s, 0, 1, H[1], CKPT_JSONL);
    const struct ckpt_record b = put(s, 0, 1, H[1], CKPT_JSONL_GZ);
    char pa[2048], pb[2048];
    file_path(s, a.file, pa, sizeof pa);
    file_path(s, b.file, pb, sizeof pb);
    ASSERT(!exists(pa));
    ASSERT(exists(pb));
    struct findings fs = {0};
    struct ckpt_record r;
    ASSERT_EQ(latest(s, 0, 2, &fs, &r), 1);
    ASSERT_STR_EQ(r.file, b.file);
    ckpt_store_close(s);
}

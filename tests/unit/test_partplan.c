/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_partplan.c - the partition planner: ranges tile every file exactly (checked by reading
 * each range back with the line reader), the sample, size, manual and auto rules, empty files
 * and missing final newlines, input order across files, splitting gzip/zstd inputs into
 * partition files, partitions.json round trips and corruption, and change detection.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../../src/common/buf.h"
#include "../../src/common/hash.h"
#include "../../src/config/config.h"
#include "../../src/exec/partplan.h"
#include "runner.h"

/* ---- fixtures ---------------------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random JSONL-ish text: lines of 0..max_len bytes (some blank), with or without a final
 * newline. */
static void gen_text(struct buf *out, uint64_t seed, int lines, int max_len, int final_nl) {
    uint64_t s = seed * 2654435761u + 1;
    for (int i = 0; i < lines; i++) {
        const int len = (int)(rng_next(&s) % (uint64_t)(max_len + 1));
        ASSERT_EQ(buf_printf(out, "{\"i\":%d,\"t\":\"", i), 0);
        for (int k = 0; k < len; k++) ASSERT_EQ(buf_putc(out, (char)('a' + rng_next(&s) % 26)), 0);
        ASSERT_EQ(buf_printf(out, "\"}"), 0);
        if (rng_next(&s) % 7 == 0) ASSERT_EQ(buf_putc(out, '\n'), 0); /* a blank line */
        if (i + 1 < lines || final_nl) ASSERT_EQ(buf_putc(out, '\n'), 0);
    }
}

static struct source_list list_of(const char *dataset) {
    struct source_list l;
    zest_error err;
    ASSERT_EQ(source_list(dataset, &l, &err), 0);
    return l;
}

static struct partplan build(const char *dataset, const struct partplan_settings *s) {
    struct source_list l = list_of(dataset);
    struct partplan p;
    zest_error err;
    const int rc = partplan_build(&l, s, &p, &err);
    if (rc) TEST_FAIL("partplan_build: %s", err.msg);
    source_list_free(&l);
    return p;
}

static struct partplan_settings limits(int64_t rows, int64_t bytes) {
    return (struct partplan_settings){.mode = PARTPLAN_LIMITS, .max_rows = rows, .max_bytes = bytes};
}

static struct partplan_settings manual(int64_t n) {
    return (struct partplan_settings){.mode = PARTPLAN_MANUAL, .num_partitions = n};
}

/* Reads one range back with the line reader (line numbers declared from the plan) and appends
 * its lines to `out`, '\n'-terminated; checks numbering and the recorded line count. */
static void read_range(const struct partplan_part *p, struct buf *out) {
    struct linereader *r = NULL;
    zest_error err;
    ASSERT_EQ(linereader_open(p->source, 0, p->start, p->end, &r, &err), 0);
    linereader_set_first_line(r, p->first_line);
    const char *line;
    size_t len;
    int64_t no, off, expect = p->first_line, n = 0;
    int rc;
    while ((rc = linereader_next(r, &line, &len, &no, &off, &err)) == 1) {
        ASSERT_EQ(no, expect++);
        ASSERT(off >= p->start && off < p->end);
        ASSERT_EQ(buf_append(out, line, len), 0);
        ASSERT_EQ(buf_putc(out, '\n'), 0);
        n++;
    }
    ASSERT_EQ(rc, 0);
    ASSERT_EQ(n, p->lines);
    linereader_close(r);
}

/* The file's text as read back line by line: a missing final newline added. */
static void normalise(const char *text, size_t len, struct buf *out) {
    ASSERT_EQ(buf_append(out, text, len), 0);
    if (len && text[len - 1] != '\n') ASSERT_EQ(buf_putc(out, '\n'), 0);
}

/* Every range partition of `path` in order: contiguous from 0 to the file's end, lines
 * numbered 1.. without gap, hash of exactly its bytes, concatenation equal to the file. */
static int check_file_tiling(const struct partplan *pl, const char *path) {
    size_t len;
    char *text = test_read_file(path, &len);
    struct buf got, want;
    buf_init(&got, 0);
    buf_init(&want, 0);
    int64_t at = 0, line = 1;
    int parts = 0;
    for (size_t i = 0; i < pl->count; i++) {
        const struct partplan_part *p = &pl->parts[i];
        if (strcmp(p->source, path) != 0) continue;
        ASSERT_EQ(p->kind, PARTPLAN_RANGE);
        ASSERT_EQ(p->id, (int64_t)i);
        ASSERT_EQ(p->start, at);
        ASSERT_EQ(p->first_line, line);
        ASSERT(p->end > p->start);
        struct hash_wide hw;
        hash_wide_init(&hw);
        hash_wide_update(&hw, text + p->start, (size_t)(p->end - p->start));
        ASSERT_EQ(p->hash, hash_wide_final(&hw));
        read_range(p, &got);
        at = p->end;
        line += p->lines;
        parts++;
    }
    ASSERT_EQ(at, (int64_t)len);
    normalise(text, len, &want);
    ASSERT_MEM_EQ(got.data ? got.data : "", got.len, want.data ? want.data : "", want.len);
    buf_free(&got);
    buf_free(&want);
    free(text);
    return parts;
}

static void plans_equal(const struct partplan *a, const struct partplan *b) {
    ASSERT_EQ(a->count, b->count);
    ASSERT_EQ(a->chosen_rows, b->chosen_rows);
    ASSERT_EQ(a->chosen_bytes, b->chosen_bytes);
    ASSERT_STR_EQ(a->decision, b->decision);
    ASSERT_STR_EQ(a->fp.hex, b->fp.hex);
    ASSERT_EQ(a->fp.files, b->fp.files);
    ASSERT_EQ(a->fp.bytes, b->fp.bytes);
    ASSERT(memcmp(&a->settings, &b->settings, sizeof a->settings) == 0);
    for (size_t i = 0; i < a->count; i++) {
        const struct partplan_part *p = &a->parts[i], *q = &b->parts[i];
        ASSERT_EQ(p->id, q->id);
        ASSERT_EQ(p->kind, q->kind);
        ASSERT_STR_EQ(p->source, q->source);
        ASSERT_STR_EQ(p->origin, q->origin);
        ASSERT_EQ(p->start, q->start);
        ASSERT_EQ(p->end, q->end);
        ASSERT_EQ(p->first_line, q->first_line);
        ASSERT_EQ(p->origin_line, q->origin_line);
        ASSERT_EQ(p->lines, q->lines);
        ASSERT_EQ(p->hash, q->hash);
        ASSERT_EQ(p->stream_parts, q->stream_parts);
    }
}

static char *write_text(const char *dir, const char *name, const struct buf *b) {
    return test_write_file(dir, name, b->data ? b->data : "", b->len);
}

/* ---- tiling under many settings ---------------------------------------------------------- */

TEST(ranges_tile_every_file_under_every_setting) {
    const struct partplan_settings settings[] = {
        limits(0, 0),   limits(1, 0),  limits(3, 0),    limits(7, 0),   limits(1000, 0),
        limits(0, 1),   limits(0, 10), limits(0, 64),   limits(0, 333), limits(0, 100000),
        limits(5, 200), limits(2, 40), manual(1),       manual(2),      manual(5),
        manual(50),     manual(1000),
        {.mode = PARTPLAN_AUTO, .cores = 2, .mem_bytes = (int64_t)1 << 34},
        {.mode = PARTPLAN_AUTO, .cores = 64, .mem_bytes = (int64_t)1 << 20}, /* tiny memory */
    };
    const char *dir = test_tmpdir();
    for (uint64_t seed = 1; seed <= 12; seed++) {
        char sub[512], name[64];
        snprintf(sub, sizeof sub, "%s/d%02u", dir, (unsigned)seed);
        ASSERT_EQ(mkdir(sub, 0777), 0);
        char *paths[3];
        for (int f = 0; f < 3; f++) {
            struct buf t;
            buf_init(&t, 0);
            gen_text(&t, seed * 10 + (uint64_t)f, (int)((seed * 7 + (uint64_t)f * 13) % 60),
                     (int)(seed * 11 % 90), (int)((seed + (uint64_t)f) % 3 != 0));
            snprintf(name, sizeof name, "f%d.jsonl", f);
            paths[f] = write_text(sub, name, &t);
            buf_free(&t);
        }
        for (size_t k = 0; k < sizeof settings / sizeof settings[0]; k++) {
            struct partplan pl = build(sub, &settings[k]);
            for (int f = 0; f < 3; f++) check_file_tiling(&pl, paths[f]);
            partplan_free(&pl);
        }
        for (int f = 0; f < 3; f++) free(paths[f]);
    }
}

TEST(sample_based_counts) {
    struct buf t;
    buf_init(&t, 0);
    gen_text(&t, 5, 103, 30, 1);
    char *path = write_text(test_tmpdir(), "a.jsonl", &t);
    struct partplan_settings s = limits(10, 0);
    struct partplan pl = build(path, &s);
    int64_t total = 0;
    for (size_t i = 0; i < pl.count; i++) {
        if (i + 1 < pl.count) ASSERT_EQ(pl.parts[i].lines, 10);
        total += pl.parts[i].lines;
    }
    int64_t newlines = 0; /* blank lines are lines too */
    for (size_t i = 0; i < t.len; i++) newlines += t.data[i] == '\n';
    ASSERT_EQ(total, newlines);
    check_file_tiling(&pl, path);
    partplan_free(&pl);
    buf_free(&t);
    free(path);
}

TEST(blank_lines_count_as_lines) {
    const char text[] = "{\"a\":1}\n\n\n{\"a\":2}\n\n";
    char *path = test_write_file(test_tmpdir(), "b.jsonl", text, sizeof text - 1);
    struct partplan_settings s = limits(2, 0);
    struct partplan pl = build(path, &s);
    ASSERT_EQ(pl.count, 3);
    ASSERT_EQ(pl.parts[0].lines, 2);
    ASSERT_EQ(pl.parts[1].lines, 2);
    ASSERT_EQ(pl.parts[2].lines, 1);
    ASSERT_EQ(pl.parts[2].first_line, 5);
    check_file_tiling(&pl, path);
    partplan_free(&pl);
    free(path);
}

TEST(size_based_never_exceeds_except_one_long_line) {
    struct buf t;
    buf_init(&t, 0);
    gen_text(&t, 9, 200, 120, 0);
    ASSERT_EQ(buf_printf(&t, "\n{\"long\":\"%0300d\"}\n{\"x\":1}\n", 7), 0);
    char *path = write_text(test_tmpdir(), "s.jsonl", &t);
    const int64_t limits_b[] = {50, 137, 200, 512, 4096};
    for (size_t k = 0; k < 5; k++) {
        struct partplan_settings s = limits(0, limits_b[k]);
        struct partplan pl = build(path, &s);
        for (size_t i = 0; i < pl.count; i++) {
            const struct partplan_part *p = &pl.parts[i];
            if (p->end - p->start > limits_b[k]) ASSERT_EQ(p->lines, 1);
            /* greedy: the next line did not fit */
            if (i + 1 < pl.count && p->end - p->start <= limits_b[k]) {
                const char *nl = memchr(t.data + p->end, '\n', t.len - (size_t)p->end);
                const int64_t next = nl ? nl - t.data + 1 : (int64_t)t.len;
                ASSERT(next - p->start > limits_b[k]);
            }
        }
        check_file_tiling(&pl, path);
        partplan_free(&pl);
    }
    /* both limits: whichever comes first */
    struct partplan_settings s = limits(3, 150);
    struct partplan pl = build(path, &s);
    for (size_t i = 0; i < pl.count; i++) {
        ASSERT(pl.parts[i].lines <= 3);
        ASSERT(pl.parts[i].end - pl.parts[i].start <= 150 || pl.parts[i].lines == 1);
    }
    check_file_tiling(&pl, path);
    partplan_free(&pl);
    buf_free(&t);
    free(path);
}

TEST(manual_gives_n_about_equal_partitions) {
    struct buf t;
    buf_init(&t, 0);
    gen_text(&t, 3, 1000, 80, 1);
    char *path = write_text(test_tmpdir(), "m.jsonl", &t);
    for (int64_t n = 1; n <= 16; n++) {
        struct partplan_settings s = manual(n);
        struct partplan pl = build(path, &s);
        ASSERT_EQ(pl.count, (size_t)n);
        for (size_t i = 0; i < pl.count; i++) {
            const int64_t size = pl.parts[i].end - pl.parts[i].start;
            const int64_t ideal = (int64_t)t.len / n;
            ASSERT(size >= ideal - 200 && size <= ideal + 200); /* within a line or two */
        }
        check_file_tiling(&pl, path);
        partplan_free(&pl);
    }
    free(path);
    /* fewer lines than partitions: one partition per line */
    const char few[] = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
    path = test_write_file(test_tmpdir(), "few.jsonl", few, sizeof few - 1);
    struct partplan_settings s = manual(5);
    struct partplan pl = build(path, &s);
    ASSERT_EQ(pl.count, 3);
    check_file_tiling(&pl, path);
    partplan_free(&pl);
    buf_free(&t);
    free(path);
}

TEST(manual_spreads_over_files_by_size) {
    const char *dir = test_tmpdir();
    struct buf a, b;
    buf_init(&a, 0);
    buf_init(&b, 0);
    gen_text(&a, 1, 300, 50, 1);
    gen_text(&b, 2, 100, 50, 1);
    char *pa = write_text(dir, "a.jsonl", &a), *pb = write_text(dir, "b.jsonl", &b);
    struct partplan_settings s = manual(8);
    struct partplan pl = build(dir, &s);
    ASSERT_EQ(pl.count, 8);
    const int na = check_file_tiling(&pl, pa), nb = check_file_tiling(&pl, pb);
    ASSERT_EQ(na + nb, 8);
    ASSERT(na > nb);
    partplan_free(&pl);
    buf_free(&a);
    buf_free(&b);
    free(pa);
    free(pb);
}

TEST(plan_is_independent_of_np) {
    struct buf t;
    buf_init(&t, 0);
    gen_text(&t, 4, 500, 60, 1);
    char *path = write_text(test_tmpdir(), "n.jsonl", &t);
    struct zest_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.partition_mode = CFG_PART_MANUAL;
    cfg.num_of_partitions = 7;
    struct partplan first = {0};
    for (int64_t np = 1; np <= 8; np *= 2) {
        cfg.np = np;
        struct partplan_settings s;
        partplan_settings_from_config(&cfg, &s);
        struct partplan pl = build(path, &s);
        if (np == 1) first = pl;
        else {
            plans_equal(&first, &pl);
            partplan_free(&pl);
        }
    }
    partplan_free(&first);
    buf_free(&t);
    free(path);
}

/* ---- the adaptive rule -------------------------------------------------------------------- */

TEST(auto_rule) {
    const int64_t MB = PARTPLAN_MB, GB = MB << 10;
    struct partplan_settings s = {.mode = PARTPLAN_AUTO, .cores = 8, .mem_bytes = 64 * GB};
    const char *why;
    ASSERT_EQ(partplan_auto_size(10 * MB, 200, &s, &why), 16 * MB); /* floor */
    ASSERT_CONTAINS(why, "16 MB");
    ASSERT_EQ(partplan_auto_size(3 * GB, 200, &s, &why), 24 * MB); /* 3 GB / 128 */
    ASSERT_STR_EQ(why, "input / (16 x cores)");
    ASSERT_EQ(partplan_auto_size(3 * GB + 1, 200, &s, &why), 25 * MB); /* rounded up */
    ASSERT_EQ(partplan_auto_size(100 * GB, 200, &s, &why), 256 * MB);
    ASSERT_STR_EQ(why, "capped at 256 MB");
    ASSERT_EQ(partplan_auto_size(1 * GB, 40000, &s, &why), 40000 * 1000); /* big records */
    ASSERT_CONTAINS(why, "1000 average records");
    s.max_bytes = 128 * MB;
    s.target_bytes = 256 * MB;
    ASSERT_EQ(partplan_auto_size(100 * GB, 200, &s, &why), 128 * MB);
    ASSERT_STR_EQ(why, "capped by max_partition_size_mb");
    s.mem_bytes = 2 * GB; /* 2 GB / 32 = 64 MB */
    ASSERT_EQ(partplan_auto_size(100 * GB, 200, &s, &why), 64 * MB);
    ASSERT_STR_EQ(why, "capped by memory / (4 x cores)");
    s.mem_bytes = 256 * MB; /* below the 16 MB floor: memory wins */
    ASSERT_EQ(partplan_auto_size(10 * MB, 200, &s, &why), 8 * MB);

    /* in a plan: the decision is recorded and used */
    struct buf t;
    buf_init(&t, 0);
    gen_text(&t, 8, 50, 40, 1);
    char *path = write_text(test_tmpdir(), "auto.jsonl", &t);
    struct partplan_settings a = {.mode = PARTPLAN_AUTO, .cores = 4, .mem_bytes = 16 * GB};
    struct partplan pl = build(path, &a);
    ASSERT_EQ(pl.chosen_bytes, 16 * MB);
    ASSERT_EQ(pl.count, 1);
    ASSERT_CONTAINS(pl.decision, "auto: 16.0 MB per partition");
    ASSERT_CONTAINS(pl.decision, "4 cores");
    partplan_free(&pl);
    buf_free(&t);
    free(path);
}

/* ---- edges ------------------------------------------------------------------------------- */

TEST(empty_files_and_missing_final_newline) {
    const char *dir = test_tmpdir();
    char *e = test_write_file(dir, "a_empty.jsonl", "", 0);
    char *n = test_write_file(dir, "b_nonl.jsonl", "{\"a\":1}\n{\"a\":2}", 15);
    char *o = test_write_file(dir, "c_one.jsonl", "{\"a\":3}", 7);
    char *bl = test_write_file(dir, "d_blank.jsonl", "\n", 1);
    const struct partplan_settings ss[] = {limits(1, 0), limits(0, 3), manual(4), limits(0, 0)};
    for (size_t k = 0; k < 4; k++) {
        struct partplan pl = build(dir, &ss[k]);
        ASSERT_EQ(check_file_tiling(&pl, e), 0); /* an empty file has no partition */
        check_file_tiling(&pl, n);
        ASSERT_EQ(check_file_tiling(&pl, o), 1);
        ASSERT_EQ(check_file_tiling(&pl, bl), 1);
        ASSERT_EQ(pl.fp.files, 4);
        partplan_free(&pl);
    }
    free(e);
    free(n);
    free(o);
    free(bl);
}

TEST(multiple_files_keep_input_order) {
    const char *dir = test_tmpdir();
    char *paths[5];
    for (int f = 0; f < 5; f++) {
        struct buf t;
        buf_init(&t, 0);
        gen_text(&t, (uint64_t)f + 40, 20 + f, 30, 1);
        char name[32];
        snprintf(name, sizeof name, "part%d.jsonl", 4 - f); /* names sort in reverse */
        paths[4 - f] = write_text(dir, name, &t);
        buf_free(&t);
    }
    struct partplan_settings s = limits(6, 0);
    struct partplan pl = build(dir, &s);
    size_t at = 0;
    for (int f = 0; f < 5; f++) { /* part0 .. part4: each file's partitions are contiguous */
        while (at < pl.count && strcmp(pl.parts[at].source, paths[f]) == 0) {
            ASSERT_EQ(pl.parts[at].id, (int64_t)at);
            at++;
        }
        check_file_tiling(&pl, paths[f]);
    }
    ASSERT_EQ(at, pl.count);
    partplan_free(&pl);
    for (int f = 0; f < 5; f++) free(paths[f]);
}

/* ---- compressed inputs ------------------------------------------------------------------- */

static void gz_compress(const struct buf *in, struct buf *out) {
    uLongf n = compressBound((uLong)in->len) + 64;
    z_stream z;
    memset(&z, 0, sizeof z);
    ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    ASSERT_EQ(buf_reserve(out, n), 0);
    z.next_in = (Bytef *)(uintptr_t)in->data;
    z.avail_in = (uInt)in->len;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)n;
    ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out->len = n - z.avail_out;
    deflateEnd(&z);
}

static void zstd_compress(const struct buf *in, struct buf *out) {
    const size_t bound = ZSTD_compressBound(in->len);
    ASSERT_EQ(buf_reserve(out, bound), 0);
    const size_t n = ZSTD_compress(out->data, bound, in->data ? in->data : "", in->len, 3);
    ASSERT(!ZSTD_isError(n));
    out->len = n;
}

/* Splits a directory holding one plain and one compressed file and checks the parts. */
static void split_case(int zstd, const struct partplan_settings *s, int final_nl) {
    static int round;
    const char *dir = test_tmpdir();
    char in[512], pdir[512];
    round++;
    snprintf(in, sizeof in, "%s/in%d", dir, round);
    snprintf(pdir, sizeof pdir, "%s/partitions%d", dir, round);
    ASSERT_EQ(mkdir(in, 0777), 0);
    struct buf plain, text, comp;
    buf_init(&plain, 0);
    buf_init(&text, 0);
    buf_init(&comp, 0);
    gen_text(&plain, 77, 30, 40, 1);
    gen_text(&text, 78, 240, 70, final_nl);
    (zstd ? zstd_compress : gz_compress)(&text, &comp);
    char *pp = write_text(in, "a.jsonl", &plain);
    char *cp = write_text(in, zstd ? "b.jsonl.zst" : "b.jsonl.gz", &comp);
    struct partplan pl = build(in, s);
    ASSERT_EQ(pl.parts[pl.count - 1].kind, PARTPLAN_STREAM);
    ASSERT_STR_EQ(pl.parts[pl.count - 1].source, cp);
    const size_t plain_parts = pl.count - 1;
    zest_error err;
    if (partplan_split_streams(&pl, pdir, 0, &err)) TEST_FAIL("split: %s", err.msg);
    check_file_tiling(&pl, pp);
    struct buf got, want;
    buf_init(&got, 0);
    buf_init(&want, 0);
    int64_t origin_line = 1;
    for (size_t i = plain_parts; i < pl.count; i++) {
        const struct partplan_part *p = &pl.parts[i];
        char name[64];
        snprintf(name, sizeof name, "/part_%06zu.jsonl", i);
        ASSERT_EQ(p->kind, PARTPLAN_RANGE);
        ASSERT_EQ(p->id, (int64_t)i);
        ASSERT_STR_EQ(p->origin, cp);
        ASSERT_EQ(p->origin_line, origin_line);
        if (s->mode != PARTPLAN_MANUAL) {
            ASSERT(strstr(p->source, name) != NULL);
            ASSERT_EQ(p->start, 0);
            if (s->max_rows) ASSERT(p->lines <= s->max_rows);
            if (s->max_bytes) ASSERT(p->end <= s->max_bytes || p->lines == 1);
        }
        origin_line += p->lines;
        if (i == plain_parts || strcmp(p->source, pl.parts[i - 1].source) != 0) {
            size_t len;
            char *f = test_read_file(p->source, &len);
            ASSERT_EQ(buf_append(&got, f, len), 0);
            free(f);
            check_file_tiling(&pl, p->source);
        }
    }
    if (s->mode == PARTPLAN_MANUAL) ASSERT_EQ(pl.count - plain_parts, (size_t)s->num_partitions - 1);
    normalise(text.data, text.len, &want);
    ASSERT_MEM_EQ(got.data, got.len, want.data, want.len);
    partplan_free(&pl);
    buf_free(&plain);
    buf_free(&text);
    buf_free(&comp);
    buf_free(&got);
    buf_free(&want);
    free(pp);
    free(cp);
}

TEST(gzip_input_splits_into_partition_files) {
    struct partplan_settings a = limits(17, 0), b = limits(0, 700), c = limits(9, 500);
    split_case(0, &a, 1);
    split_case(0, &b, 0);
    split_case(0, &c, 1);
}

TEST(zstd_input_splits_into_partition_files) {
    struct partplan_settings a = limits(50, 0), b = limits(0, 1000), m = manual(4);
    split_case(1, &a, 0);
    split_case(1, &b, 1);
    split_case(1, &m, 1); /* 4 over two files of similar size: the stream gets 3 ranges */
}

/* ---- partitions.json --------------------------------------------------------------------- */

static char *sample_plan_file(struct partplan *pl) {
    const char *dir = test_tmpdir();
    struct buf t;
    buf_init(&t, 0);
    gen_text(&t, 12, 80, 30, 1);
    char *data = write_text(dir, "data \"q\" \xc3\xa9.jsonl", &t); /* escapes and UTF-8 */
    struct partplan_settings s = limits(9, 0);
    *pl = build(data, &s);
    char *path = malloc(600);
    snprintf(path, 600, "%s/partitions.json", dir);
    zest_error err;
    ASSERT_EQ(partplan_write(pl, path, &err), 0);
    buf_free(&t);
    free(data);
    return path;
}

TEST(partitions_json_round_trips) {
    struct partplan pl, back;
    char *path = sample_plan_file(&pl);
    zest_error err;
    if (partplan_read(path, &back, &err)) TEST_FAIL("read: %s", err.msg);
    plans_equal(&pl, &back);
    char path2[700];
    snprintf(path2, sizeof path2, "%s.again", path);
    ASSERT_EQ(partplan_write(&back, path2, &err), 0);
    size_t l1, l2;
    char *a = test_read_file(path, &l1), *b = test_read_file(path2, &l2);
    ASSERT_MEM_EQ(a, l1, b, l2);
    ASSERT_EQ(partplan_compare(&back, &pl.fp, &pl.settings, &err), PARTPLAN_SAME);
    free(a);
    free(b);
    partplan_free(&pl);
    partplan_free(&back);
    free(path);
}

/* Rewrites the file with `from` replaced by `to` and expects a read error containing `msg`. */
static void expect_corrupt(const char *path, const char *from, const char *to, const char *msg) {
    size_t len;
    char *text = test_read_file(path, &len);
    char *at = strstr(text, from);
    ASSERT(at != NULL);
    struct buf b;
    buf_init(&b, 0);
    ASSERT_EQ(buf_append(&b, text, (size_t)(at - text)), 0);
    ASSERT_EQ(buf_append(&b, to, strlen(to)), 0);
    ASSERT_EQ(buf_append(&b, at + strlen(from), len - (size_t)(at - text) - strlen(from)), 0);
    char bad[700];
    snprintf(bad, sizeof bad, "%s.bad", path);
    FILE *f = fopen(bad, "wb");
    ASSERT(f && fwrite(b.data, 1, b.len, f) == b.len);
    fclose(f);
    struct partplan pl;
    zest_error err;
    ASSERT_EQ(partplan_read(bad, &pl, &err), ZEST_E_FORMAT);
    ASSERT_CONTAINS(err.msg, "partitions.json.bad");
    ASSERT_CONTAINS(err.msg, msg);
    ASSERT_EQ(pl.count, 0);
    buf_free(&b);
    free(text);
}

TEST(partitions_json_rejects_corruption) {
    struct partplan pl;
    char *path = sample_plan_file(&pl);
    expect_corrupt(path, "\"format_version\":1", "\"format_version\":2", "format_version");
    expect_corrupt(path, "\"id\":3,", "\"id\":4,", "partitions[3].id");
    expect_corrupt(path, "\"kind\":\"range\"", "\"kind\":\"rang\"", "partitions[0].kind");
    expect_corrupt(path, "\"start\":0,", "\"start\":-5,", "partitions[0].start");
    expect_corrupt(path, "\"lines\":9,", "\"lines\":\"9\",", "expected an integer");
    expect_corrupt(path, "\"lines\":9,", "\"lines\":0,", "lines >= 1");
    expect_corrupt(path, "\"hash\":\"", "\"hash\":\"x", "hex digits");
    expect_corrupt(path, "\"mode\":\"limits\"", "\"mode\":\"fast\"", "settings.mode");
    expect_corrupt(path, "\"fingerprint\":{\"hex\"", "\"fingerprint\":{\"hx\"", "fingerprint.hex");
    expect_corrupt(path, "\"decision\"", "\"decisio\"", "decision: missing");
    expect_corrupt(path, "\n]}", "\n]", "invalid partition plan");   /* truncated */
    expect_corrupt(path, "{\"id\":0", "{\"id\":0,\"id\":0", "invalid partition plan"); /* dup key */
    struct partplan none;
    zest_error err;
    ASSERT_EQ(partplan_read("/nonexistent/partitions.json", &none, &err), ZEST_E_NOTFOUND);
    partplan_free(&pl);
    free(path);
}

/* ---- change detection -------------------------------------------------------------------- */

TEST(changed_input_and_settings_are_detected) {
    const char *dir = test_tmpdir();
    struct buf t;
    buf_init(&t, 0);
    gen_text(&t, 21, 100, 50, 1);
    char *path = write_text(dir, "c.jsonl", &t);
    struct partplan_settings s = limits(10, 0);
    struct partplan pl = build(path, &s);
    zest_error err;
    struct source_list l = list_of(path);
    struct fingerprint fp;
    ASSERT_EQ(fingerprint_compute(&l, &fp, &err), 0);
    ASSERT_EQ(partplan_compare(&pl, &fp, &s, &err), PARTPLAN_SAME);

    struct partplan_settings s2 = limits(11, 0);
    ASSERT_EQ(partplan_compare(&pl, &fp, &s2, &err), PARTPLAN_CHANGED_SETTINGS);
    ASSERT_CONTAINS(err.msg, "partition settings changed");
    struct partplan_settings s3 = s;
    s3.cores = 99; /* the machine is not a setting */
    ASSERT_EQ(partplan_compare(&pl, &fp, &s3, &err), PARTPLAN_SAME);

    /* touch: a new mtime */
    struct timespec ts[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
    ASSERT_EQ(utimensat(AT_FDCWD, path, ts, 0), 0);
    ASSERT_EQ(fingerprint_compute(&l, &fp, &err), 0);
    ASSERT_EQ(partplan_compare(&pl, &fp, &s, &err), PARTPLAN_CHANGED_INPUT);
    ASSERT_CONTAINS(err.msg, "input changed");
    struct partplan p2 = build(path, &s);
    ASSERT_EQ(partplan_compare(&p2, &fp, &s, &err), PARTPLAN_SAME);

    /* one byte changed, same size, same mtime */
    t.data[5] = t.data[5] == '1' ? '2' : '1';
    FILE *f = fopen(path, "r+b");
    ASSERT(f && fwrite(t.data, 1, t.len, f) == t.len);
    fclose(f);
    ASSERT_EQ(utimensat(AT_FDCWD, path, ts, 0), 0);
    ASSERT_EQ(fingerprint_compute(&l, &fp, &err), 0);
    ASSERT_EQ(partplan_compare(&p2, &fp, &s2, &err), PARTPLAN_CHANGED_INPUT | PARTPLAN_CHANGED_SETTINGS);
    ASSERT_CONTAINS(err.msg, "settings changed too");
    source_list_free(&l);
    partplan_free(&pl);
    partplan_free(&p2);
    buf_free(&t);
    free(path);
}

TEST(bad_settings_are_refused) {
    char *path = test_write_file(test_tmpdir(), "x.jsonl", "{}\n", 3);
    struct source_list l = list_of(path);
    struct partplan pl;
    zest_error err;
    struct partplan_settings s = manual(0);
    ASSERT_EQ(partplan_build(&l, &s, &pl, &err), ZEST_E_PARAM);
    ASSERT_CONTAINS(err.msg, "num_of_partitions");
    s = limits(-1, 0);
    ASSERT_EQ(partplan_build(&l, &s, &pl, &err), ZEST_E_PARAM);
    source_list_free(&l);
    free(path);
}

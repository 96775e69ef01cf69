/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_arrow_ipc.c - the Arrow IPC reader and writer: round trips of every column type (nulls,
 * empty and non-ASCII strings, nested struct and list, sliced batches at odd offsets) through
 * the file and stream formats with each buffer codec; 0-row and batch-less files; schema
 * changes refused; abort leaving nothing; and the reader over every truncation and thousands
 * of corruptions of valid files (errors, never crashes: run under ASan in `make test`).
 */
#include <sys/stat.h>

#include "../../src/common/buf.h"
#include "../../src/data/column.h"
#include "../../src/io/arrow_ipc.h"
#include "runner.h"

#define N_COLS 8
static const char *const names[N_COLS] = {"n", "b", "i", "d", "s", "j", "st", "l"};

struct fixture {
    struct col_builder b[N_COLS];
    struct column c[N_COLS];
    struct batch batch;
};

static const char *const texts[] = {"", "hello", "Grüße, 世界 🌍", "a\"b\\c\n", "x"};

static void add_row(struct fixture *f, int r) {
    if (r % 7 == 3) {
        for (int t = 0; t < N_COLS; t++) ASSERT_EQ(colb_append_null(&f->b[t]), 0);
        return;
    }
    const char *s = texts[r % 5];
    ASSERT_EQ(colb_append_null(&f->b[COL_NULL]), 0);
    ASSERT_EQ(colb_append_bool(&f->b[COL_BOOL], r % 3 == 0), 0);
    ASSERT_EQ(colb_append_int(&f->b[COL_INT64], (int64_t)r * 1000003 - 5000), 0);
    ASSERT_EQ(colb_append_double(&f->b[COL_DOUBLE], r + 0.25), 0);
    ASSERT_EQ(colb_append_str(&f->b[COL_UTF8], s, strlen(s)), 0);
    ASSERT_EQ(colb_append_json_text(&f->b[COL_JSON], r % 2 ? "{\"k\":[1,2]}" : "3.5", r % 2 ? 11 : 3), 0);
    struct col_builder *st = &f->b[COL_STRUCT];
    ASSERT_EQ(colb_append_int(colb_struct_field(st, "i", 1), r), 0);
    struct col_builder *name = colb_struct_field(st, "name", 4);
    if (r % 4) ASSERT_EQ(colb_append_str(name, s, strlen(s)), 0);
    else ASSERT_EQ(colb_append_null(name), 0);
    ASSERT_EQ(colb_struct_end_row(st), 0);
    struct col_builder *item = colb_list_item(&f->b[COL_LIST]);
    for (int k = 0; k < r % 4; k++) ASSERT_EQ(colb_append_int(item, r + k), 0);
    ASSERT_EQ(colb_list_end_row(&f->b[COL_LIST]), 0);
}

static void fixture_fill(struct fixture *f, int first, int rows) {
    for (int t = 0; t < N_COLS; t++) colb_reset(&f->b[t]);
    for (int r = first; r < first + rows; r++) add_row(f, r);
    for (int t = 0; t < N_COLS; t++) ASSERT_EQ(colb_finish(&f->b[t], &f->c[t]), 0);
    f->batch = (struct batch){.length = rows, .n_cols = N_COLS, .cols = f->c, .names = names};
}

static void fixture_init(struct fixture *f) {
    for (int t = 0; t < N_COLS; t++) colb_init(&f->b[t], (enum col_type)t, false, 0);
}

static void fixture_free(struct fixture *f) {
    for (int t = 0; t < N_COLS; t++) colb_destroy(&f->b[t]);
}

/* Appends every row of b as one JSON object per line, with the column types first. */
static void render(const struct batch *b, struct buf *out) {
    for (size_t k = 0; k < b->n_cols; k++) ASSERT_EQ(buf_printf(out, "%s:%d ", b->names[k], b->cols[k].type), 0);
    ASSERT_EQ(buf_putc(out, '\n'), 0);
    for (int64_t i = 0; i < b->length; i++) {
        for (size_t k = 0; k < b->n_cols; k++) {
            ASSERT_EQ(buf_printf(out, "%s=", b->names[k]), 0);
            ASSERT_EQ(col_write_json(&b->cols[k], i, out), 0);
            ASSERT_EQ(buf_putc(out, ' '), 0);
        }
        ASSERT_EQ(buf_putc(out, '\n'), 0);
    }
}

/* Reads a whole file back, rendering each batch. Returns the number of batches. */
static int read_all(const char *path, struct buf *out) {
    struct arrow_ipc_reader *r = NULL;
    zest_error err = {0};
    struct batch b;
    int n = 0, rc;
    if (arrow_ipc_reader_open(path, &r, &err)) TEST_FAIL("open: %s", err.msg);
    while ((rc = arrow_ipc_reader_next(r, &b, &err)) == 1) {
        render(&b, out);
        n++;
    }
    if (rc) TEST_FAIL("next: %s", err.msg);
    arrow_ipc_reader_close(r);
    return n;
}

static char *tmp_path(const char *name) {
    const char *dir = test_tmpdir();
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static void roundtrip(enum arrow_ipc_kind kind, enum arrow_ipc_codec codec) {
    struct fixture f;
    struct buf want, got;
    zest_error err = {0};
    struct arrow_ipc_writer *w = NULL;
    const struct arrow_ipc_writer_opts o = {.kind = kind, .codec = codec};
    char *path = tmp_path("t.arrow");
    buf_init(&want, 0);
    buf_init(&got, 0);
    fixture_init(&f);
    if (arrow_ipc_writer_open(path, &o, &w, &err)) TEST_FAIL("%s", err.msg);
    const int sizes[] = {50, 1, 0, 3000};
    int first = 0;
    for (int k = 0; k < 4; k++) {
        fixture_fill(&f, first, sizes[k]);
        first += sizes[k];
        render(&f.batch, &want);
        if (arrow_ipc_writer_write(w, &f.batch, &err)) TEST_FAIL("%s", err.msg);
    }
    /* a slice at an odd offset: bitmaps re-aligned, offsets rebased */
    struct column sl[N_COLS];
    for (int t = 0; t < N_COLS; t++) sl[t] = col_slice(&f.c[t], 13, 700);
    const struct batch sb = {.length = 700, .n_cols = N_COLS, .cols = sl, .names = names};
    render(&sb, &want);
    if (arrow_ipc_writer_write(w, &sb, &err)) TEST_FAIL("%s", err.msg);
    uint64_t bytes = 0;
    if (arrow_ipc_writer_commit(w, &bytes, &err)) TEST_FAIL("%s", err.msg);
    ASSERT(bytes > 0);
    ASSERT_EQ(read_all(path, &got), 5);
    ASSERT_EQ(got.len, want.len);
    ASSERT(memcmp(got.data, want.data, want.len) == 0);
    fixture_free(&f);
    buf_free(&want);
    buf_free(&got);
    free(path);
}

TEST(roundtrip_file_plain) { roundtrip(ARROW_IPC_FILE, ARROW_IPC_UNCOMPRESSED); }
TEST(roundtrip_file_lz4) { roundtrip(ARROW_IPC_FILE, ARROW_IPC_LZ4_FRAME); }
TEST(roundtrip_file_zstd) { roundtrip(ARROW_IPC_FILE, ARROW_IPC_ZSTD); }
TEST(roundtrip_stream_plain) { roundtrip(ARROW_IPC_STREAM, ARROW_IPC_UNCOMPRESSED); }
TEST(roundtrip_stream_lz4) { roundtrip(ARROW_IPC_STREAM, ARROW_IPC_LZ4_FRAME); }
TEST(roundtrip_stream_zstd) { roundtrip(ARROW_IPC_STREAM, ARROW_IPC_ZSTD); }

TEST(zero_rows_keep_the_nested_schema) {
    struct fixture f;
    zest_error err = {0};
    struct arrow_ipc_writer *w = NULL;
    struct arrow_ipc_reader *r = NULL;
    struct batch b;
    char *path = tmp_path("z.arrow");
    fixture_init(&f);
    ASSERT_EQ(arrow_ipc_writer_open(path, NULL, &w, &err), 0);
    fixture_fill(&f, 0, 5); /* fixes the schema, nested types included */
    ASSERT_EQ(arrow_ipc_writer_write(w, &f.batch, &err), 0);
    struct column sl[N_COLS]; /* 0 rows at an odd offset */
    for (int t = 0; t < N_COLS; t++) sl[t] = col_slice(&f.c[t], 3, 0);
    const struct batch empty_slice = {.length = 0, .n_cols = N_COLS, .cols = sl, .names = names};
    ASSERT_EQ(arrow_ipc_writer_write(w, &empty_slice, &err), 0);
    fixture_fill(&f, 0, 0); /* its struct fields and list items are untyped (null) now */
    ASSERT_EQ(arrow_ipc_writer_write(w, &f.batch, &err), 0);
    ASSERT_EQ(arrow_ipc_writer_commit(w, NULL, &err), 0);
    ASSERT_EQ(arrow_ipc_reader_open(path, &r, &err), 0);
    ASSERT_EQ(arrow_ipc_reader_next(r, &b, &err), 1);
    ASSERT_EQ(b.length, 5);
    ASSERT_EQ(arrow_ipc_reader_next(r, &b, &err), 1);
    ASSERT_EQ(b.length, 0);
    ASSERT_EQ(arrow_ipc_reader_n_cols(r), N_COLS);
    ASSERT_STR_EQ(arrow_ipc_reader_col_name(r, 6), "st");
    ASSERT_EQ(arrow_ipc_reader_next(r, &b, &err), 1);
    ASSERT_EQ(b.length, 0);
    for (int t = 0; t < N_COLS; t++) ASSERT_EQ(b.cols[t].type, t);
    ASSERT_EQ(b.cols[COL_STRUCT].n_children, 2);
    ASSERT_EQ(b.cols[COL_STRUCT].children[1].type, COL_UTF8);
    ASSERT_EQ(b.cols[COL_LIST].children[0].type, COL_INT64);
    ASSERT_EQ(arrow_ipc_reader_next(r, &b, &err), 0);
    arrow_ipc_reader_close(r);
    fixture_free(&f);
    free(path);
}

TEST(no_batch_gives_an_empty_schema) {
    zest_error err = {0};
    struct arrow_ipc_writer *w = NULL;
    struct arrow_ipc_reader *r = NULL;
    struct batch b;
    char *path = tmp_path("e.arrow");
    ASSERT_EQ(arrow_ipc_writer_open(path, NULL, &w, &err), 0);
    ASSERT_EQ(arrow_ipc_writer_commit(w, NULL, &err), 0);
    ASSERT_EQ(arrow_ipc_reader_open(path, &r, &err), 0);
    ASSERT_EQ(arrow_ipc_reader_n_cols(r), 0);
    ASSERT_EQ(arrow_ipc_reader_next(r, &b, &err), 0);
    arrow_ipc_reader_close(r);
    free(path);
}

TEST(schema_change_refused_and_abort_leaves_nothing) {
    struct fixture f;
    zest_error err = {0};
    struct arrow_ipc_writer *w = NULL;
    struct stat st;
    char *path = tmp_path("x.arrow");
    fixture_init(&f);
    fixture_fill(&f, 0, 5);
    ASSERT_EQ(arrow_ipc_writer_open(path, NULL, &w, &err), 0);
    ASSERT_EQ(arrow_ipc_writer_write(w, &f.batch, &err), 0);
    struct batch fewer = f.batch;
    fewer.n_cols = 3;
    ASSERT_EQ(arrow_ipc_writer_write(w, &fewer, &err), ZEST_E_PARAM);
    ASSERT(strstr(err.msg, "columns") != NULL);
    struct batch swapped = f.batch;
    struct column cols[N_COLS];
    memcpy(cols, f.c, sizeof cols);
    cols[2] = f.c[3];
    swapped.cols = cols;
    ASSERT_EQ(arrow_ipc_writer_write(w, &swapped, &err), ZEST_E_PARAM);
    ASSERT(strstr(err.msg, "'i'") != NULL);
    arrow_ipc_writer_abort(w);
    ASSERT(stat(path, &st) != 0);
    fixture_free(&f);
    free(path);
}

TEST(kinds_by_extension) {
    enum arrow_ipc_kind k = ARROW_IPC_STREAM;
    ASSERT(arrow_ipc_kind_for_path("out/data.arrow", &k) && k == ARROW_IPC_FILE);
    ASSERT(arrow_ipc_kind_for_path("x.FEATHER", &k) && k == ARROW_IPC_FILE);
    ASSERT(arrow_ipc_kind_for_path("x.arrows", &k) && k == ARROW_IPC_STREAM);
    ASSERT(!arrow_ipc_kind_for_path("x.jsonl", &k));
    ASSERT(!arrow_ipc_kind_for_path(".arrow", &k));
}

TEST(codec_names) {
    enum arrow_ipc_codec c;
    zest_error err = {0};
    ASSERT_EQ(arrow_ipc_codec_parse("zstd", &c, &err), 0);
    ASSERT_EQ(c, ARROW_IPC_ZSTD);
    ASSERT_EQ(arrow_ipc_codec_parse("lz4", &c, &err), 0);
    ASSERT_EQ(c, ARROW_IPC_LZ4_FRAME);
    ASSERT_EQ(arrow_ipc_codec_parse("none", &c, &err), 0);
    ASSERT_EQ(c, ARROW_IPC_UNCOMPRESSED);
    ASSERT_EQ(arrow_ipc_codec_parse("snappy", &c, &err), ZEST_E_PARAM);
}

/* Reads bytes in memory to the end; returns the status (0 or negative). */
static int read_mem(const void *data, size_t len) {
    struct arrow_ipc_reader *r = NULL;
    zest_error err = {0};
    struct batch b;
    int rc = arrow_ipc_reader_open_mem(data, len, "mem", 1 << 20, &r, &err);
    if (rc) {
        ASSERT(err.msg[0] != 0);
        return rc;
    }
    while ((rc = arrow_ipc_reader_next(r, &b, &err)) == 1) {
    }
    if (rc) ASSERT(err.msg[0] != 0);
    arrow_ipc_reader_close(r);
    return rc;
}

static char *small_file(enum arrow_ipc_kind kind, enum arrow_ipc_codec codec, size_t *len) {
    struct fixture f;
    zest_error err = {0};
    struct arrow_ipc_writer *w = NULL;
    const struct arrow_ipc_writer_opts o = {.kind = kind, .codec = codec};
    char *path = tmp_path("small.arrow");
    fixture_init(&f);
    fixture_fill(&f, 0, 9);
    ASSERT_EQ(arrow_ipc_writer_open(path, &o, &w, &err), 0);
    ASSERT_EQ(arrow_ipc_writer_write(w, &f.batch, &err), 0);
    ASSERT_EQ(arrow_ipc_writer_commit(w, NULL, &err), 0);
    char *data = test_read_file(path, len);
    fixture_free(&f);
    free(path);
    return data;
}

static void hostile(enum arrow_ipc_kind kind, enum arrow_ipc_codec codec) {
    size_t len;
    char *data = small_file(kind, codec, &len);
    ASSERT_EQ(read_mem(data, len), 0);
    for (size_t cut = 0; cut < len; cut++) {
        char *p = malloc(cut ? cut : 1);
        memcpy(p, data, cut);
        const int rc = read_mem(p, cut);
        /* a stream cut at a message boundary is a shorter valid stream */
        if (kind == ARROW_IPC_FILE) ASSERT(rc < 0);
        free(p);
    }
    char *p = malloc(len);
    for (size_t at = 0; at < len; at++)
        for (int v = 0; v < 3; v++) {
            static const unsigned char vals[] = {0x00, 0xff, 0x80};
            memcpy(p, data, len);
            p[at] = (char)(p[at] ^ (vals[v] ? vals[v] : 0x01));
            (void)read_mem(p, len);
        }
    free(p);
    free(data);
}

TEST(hostile_file_plain) { hostile(ARROW_IPC_FILE, ARROW_IPC_UNCOMPRESSED); }
TEST(hostile_stream_zstd) { hostile(ARROW_IPC_STREAM, ARROW_IPC_ZSTD); }
TEST(hostile_stream_lz4) { hostile(ARROW_IPC_STREAM, ARROW_IPC_LZ4_FRAME); }

TEST(errors_name_the_file_and_offset) {
    size_t len;
    char *data = small_file(ARROW_IPC_FILE, ARROW_IPC_UNCOMPRESSED, &len);
    char *path = tmp_path("bad.arrow");
    char *bad = test_write_file(test_tmpdir(), "bad.arrow", data, len - 3);
    struct arrow_ipc_reader *r = NULL;
    zest_error err = {0};
    ASSERT_EQ(arrow_ipc_reader_open(bad, &r, &err), ZEST_E_FORMAT);
    ASSERT(strstr(err.msg, "bad.arrow") != NULL);
    ASSERT(strstr(err.msg, "offset") != NULL);
    ASSERT(strstr(err.msg, "magic") != NULL);
    free(bad);
    free(path);
    free(data);
}

/* One column of `type` holding rows from `vals` (NULL = null), as a batch called `name`. */
struct onecol {
    struct col_builder b;
    struct column c;
    const char *name;
    struct batch batch;
};

static void onecol_int(struct onecol *o, const char *name, const int64_t *v, int n) {
    colb_init(&o->b, COL_INT64, false, 0);
    for (int i = 0; i < n; i++) ASSERT_EQ(colb_append_int(&o->b, v[i]), 0);
    ASSERT_EQ(colb_finish(&o->b, &o->c), 0);
    o->name = name;
    o->batch = (struct batch){.length = n, .n_cols = 1, .cols = &o->c, .names = &o->name};
}

TEST(later_batches_convert_to_the_schema) {
    zest_error err = {0};
    struct arrow_ipc_writer *w = NULL;
    struct col_builder sb[2];
    struct column sc[2];
    const char *sn[2] = {"x", "y"};
    colb_init(&sb[0], COL_DOUBLE, false, 0);
    colb_init(&sb[1], COL_JSON, false, 0);
    for (int t = 0; t < 2; t++) ASSERT_EQ(colb_finish(&sb[t], &sc[t]), 0);
    const struct batch schema = {.length = 0, .n_cols = 2, .cols = sc, .names = sn};
    const struct arrow_ipc_writer_opts o = {.kind = ARROW_IPC_STREAM, .schema = &schema};
    char *path = tmp_path("conv.arrows");
    ASSERT_EQ(arrow_ipc_writer_open(path, &o, &w, &err), 0);
    /* x: int64 into double; y: utf8 into json */
    struct col_builder b[2];
    struct column c[2];
    colb_init(&b[0], COL_INT64, false, 0);
    colb_init(&b[1], COL_UTF8, false, 0);
    ASSERT_EQ(colb_append_int(&b[0], 9007199254740993LL), 0);
    ASSERT_EQ(colb_append_null(&b[0]), 0);
    ASSERT_EQ(colb_append_str(&b[1], "a\"b", 3), 0);
    ASSERT_EQ(colb_append_null(&b[1]), 0);
    for (int t = 0; t < 2; t++) ASSERT_EQ(colb_finish(&b[t], &c[t]), 0);
    const struct batch batch = {.length = 2, .n_cols = 2, .cols = c, .names = sn};
    ASSERT_EQ(arrow_ipc_writer_write(w, &batch, &err), 0);
    /* a utf8 column cannot go into the double field */
    const struct batch swapped = {.length = 2, .n_cols = 2, .cols = (struct column[]){c[1], c[1]}, .names = sn};
    ASSERT_EQ(arrow_ipc_writer_write(w, &swapped, &err), ZEST_E_PARAM);
    ASSERT_EQ(arrow_ipc_writer_commit(w, NULL, &err), 0);
    struct buf got;
    buf_init(&got, 0);
    ASSERT_EQ(read_all(path, &got), 1);
    ASSERT_EQ(buf_putc(&got, 0), 0);
    ASSERT_STR_EQ(got.data, "x:3 y:5 \nx=9007199254740992.0 y=\"a\\\"b\" \nx=null y=null \n");
    buf_free(&got);
    for (int t = 0; t < 2; t++) {
        colb_destroy(&b[t]);
        colb_destroy(&sb[t]);
    }
    free(path);
}

TEST(int64_extremes) {
    /* a column of int64 extremes round-trips exactly */
    const int64_t v[] = {INT64_MIN, -1, 0, 1, INT64_MAX};
    struct onecol o;
    zest_error err = {0};
    struct arrow_ipc_writer *w = NULL;
    char *path = tmp_path("ints.arrow");
    onecol_int(&o, "v", v, 5);
    ASSERT_EQ(arrow_ipc_writer_open(path, NULL, &w, &err), 0);
    ASSERT_EQ(arrow_ipc_writer_write(w, &o.batch, &err), 0);
    ASSERT_EQ(arrow_ipc_writer_commit(w, NULL, &err), 0);
    struct buf got;
    buf_init(&got, 0);
    ASSERT_EQ(read_all(path, &got), 1);
    ASSERT_EQ(buf_putc(&got, 0), 0);
    ASSERT_STR_EQ(got.data, "v:2 \nv=-9223372036854775808 \nv=-1 \nv=0 \nv=1 \nv=9223372036854775807 \n");
    buf_free(&got);
    colb_destroy(&o.b);
    free(path);
}

TEST(invalid_utf8_is_an_error) {
    static const char *const bad[] = {"ok \xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ab\xe2\x82"};
    static const char *const good[] = {"", "plain ascii text!", "é", "€", "\xf0\x9f\x8c\x8d", "\xf4\x8f\xbf\xbf"};
    for (size_t t = 0; t < sizeof bad / sizeof bad[0] + 1; t++) {
        struct col_builder b;
        struct column c;
        const char *name = "s";
        zest_error err = {0};
        struct arrow_ipc_writer *w = NULL;
        struct arrow_ipc_reader *r = NULL;
        struct batch out;
        char *path = tmp_path("u.arrow");
        colb_init(&b, COL_UTF8, false, 0);
        for (size_t k = 0; k < sizeof good / sizeof good[0]; k++)
            ASSERT_EQ(colb_append_str(&b, good[k], strlen(good[k])), 0);
        if (t < sizeof bad / sizeof bad[0]) ASSERT_EQ(colb_append_str(&b, bad[t], strlen(bad[t])), 0);
        ASSERT_EQ(colb_finish(&b, &c), 0);
        const struct batch batch = {.length = c.length, .n_cols = 1, .cols = &c, .names = &name};
        ASSERT_EQ(arrow_ipc_writer_open(path, NULL, &w, &err), 0);
        ASSERT_EQ(arrow_ipc_writer_write(w, &batch, &err), 0);
        ASSERT_EQ(arrow_ipc_writer_commit(w, NULL, &err), 0);
        ASSERT_EQ(arrow_ipc_reader_open(path, &r, &err), 0);
        const int rc = arrow_ipc_reader_next(r, &out, &err);
        if (t < sizeof bad / sizeof bad[0]) {
            ASSERT_EQ(rc, ZEST_E_FORMAT);
            ASSERT(strstr(err.msg, "field 's', row 6: invalid UTF-8 at byte") != NULL);
        } else {
            ASSERT_EQ(rc, 1);
            ASSERT_EQ(out.length, 6);
        }
        arrow_ipc_reader_close(r);
        colb_destroy(&b);
        free(path);
    }
}

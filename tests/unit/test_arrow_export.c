/* SPDX-License-Identifier: Apache-2.0 */
/* test_arrow_export.c - batch_export_arrow: walks the exported ArrowSchema/ArrowArray of a
 * batch with every column type (and a sliced batch), checking formats, names, flags, metadata,
 * lengths, null counts, buffers and values; then releases (ASan checks nothing leaks), also
 * after a consumer moved a child out. */
#include "../../src/data/column.h"
#include "runner.h"
#include "zest.h"


enum { N_COLS = 8, ROWS = 10 };
static const char *const names[N_COLS] = {"n", "b", "i", "d", "s", "j", "st", "l"};
static const char *const formats[N_COLS] = {"n", "b", "l", "g", "U", "U", "+s", "+L"};

struct fixture {
    struct col_builder b[N_COLS];
    struct column c[N_COLS];
    struct batch batch;
};

/* Row r of every column; rows 2 and 7 are null everywhere. */
static void fill_row(struct fixture *f, int r) {
    char s[16];
    snprintf(s, sizeof s, "s%d", r);
    ASSERT_EQ(colb_append_null(&f->b[COL_NULL]), 0);
    ASSERT_EQ(colb_append_bool(&f->b[COL_BOOL], r % 2 == 0), 0);
    ASSERT_EQ(colb_append_int(&f->b[COL_INT64], r * 10), 0);
    ASSERT_EQ(colb_append_double(&f->b[COL_DOUBLE], r + 0.5), 0);
    ASSERT_EQ(colb_append_str(&f->b[COL_UTF8], s, strlen(s)), 0);
    ASSERT_EQ(colb_append_str(&f->b[COL_JSON], "[1]", 3), 0);
    struct col_builder *st = &f->b[COL_STRUCT];
    ASSERT_EQ(colb_append_int(colb_struct_field(st, "i", 1), r), 0);
    ASSERT_EQ(colb_struct_end_row(st), 0);
    struct col_builder *item = colb_list_item(&f->b[COL_LIST]);
    for (int k = 0; k < r % 3; k++) ASSERT_EQ(colb_append_int(item, r + k), 0);
    ASSERT_EQ(colb_list_end_row(&f->b[COL_LIST]), 0);
}

static void fixture_init(struct fixture *f) {
    for (int t = 0; t < N_COLS; t++) colb_init(&f->b[t], (enum col_type)t, false, 0);
    for (int r = 0; r < ROWS; r++) {
        if (r != 2 && r != 7) {
            fill_row(f, r);
            continue;
        }
        for (int t = 0; t < N_COLS; t++) ASSERT_EQ(colb_append_null(&f->b[t]), 0);
    }
    for (int t = 0; t < N_COLS; t++) ASSERT_EQ(colb_finish(&f->b[t], &f->c[t]), 0);
    f->batch = (struct batch){.length = ROWS, .n_cols = N_COLS, .cols = f->c, .names = names};
}

/* Builders are reset (and refilled with junk) before the export is read, to show the export
 * owns its buffers. */
static void fixture_clobber(struct fixture *f) {
    for (int t = 0; t < N_COLS; t++) {
        colb_reset(&f->b[t]);
        for (int r = 0; r < ROWS; r++) ASSERT_EQ(colb_append_null(&f->b[t]), 0);
    }
}

static void fixture_free(struct fixture *f) {
    for (int t = 0; t < N_COLS; t++) colb_destroy(&f->b[t]);
}

static bool bit(const void *bm, int64_t i) {
    return (((const uint8_t *)bm)[i >> 3] >> (i & 7)) & 1;
}

static void check_json_metadata(const char *m) {
    ASSERT(m != NULL);
    int32_t n, kl, vl;
    memcpy(&n, m, 4);
    ASSERT_EQ(n, 1);
    memcpy(&kl, m + 4, 4);
    ASSERT_MEM_EQ(m + 8, kl, "ARROW:extension:name", 20);
    memcpy(&vl, m + 8 + kl, 4);
    ASSERT_MEM_EQ(m + 12 + kl, vl, "arrow.json", 10);
}

static void check_schema(const struct ArrowSchema *s) {
    ASSERT_STR_EQ(s->format, "+s");
    ASSERT_EQ(s->n_children, N_COLS);
    ASSERT(s->release != NULL);
    for (int t = 0; t < N_COLS; t++) {
        const struct ArrowSchema *c = s->children[t];
        ASSERT_STR_EQ(c->format, formats[t]);
        ASSERT_STR_EQ(c->name, names[t]);
        ASSERT_EQ(c->flags, ARROW_FLAG_NULLABLE);
        ASSERT(c->dictionary == NULL);
        if (t == COL_JSON) check_json_metadata(c->metadata);
        else ASSERT(c->metadata == NULL);
    }
    const struct ArrowSchema *st = s->children[COL_STRUCT];
    ASSERT_EQ(st->n_children, 1);
    ASSERT_STR_EQ(st->children[0]->format, "l");
    ASSERT_STR_EQ(st->children[0]->name, "i");
    const struct ArrowSchema *l = s->children[COL_LIST];
    ASSERT_EQ(l->n_children, 1);
    ASSERT_STR_EQ(l->children[0]->format, "l");
}

/* Checks the exported arrays of rows [from, from+n) of the fixture (rows 2, 7 null). */
static void check_array(const struct ArrowArray *a, int from, int n) {
    ASSERT_EQ(a->length, n);
    ASSERT_EQ(a->offset, 0);
    ASSERT_EQ(a->n_children, N_COLS);
    ASSERT_EQ(a->n_buffers, 1);
    ASSERT(a->buffers[0] == NULL);
    int nulls = 0;
    for (int r = from; r < from + n; r++) nulls += r == 2 || r == 7;
    const int64_t nbuf[N_COLS] = {0, 2, 2, 2, 3, 3, 1, 2};
    for (int t = 0; t < N_COLS; t++) {
        const struct ArrowArray *c = a->children[t];
        ASSERT_EQ(c->length, n);
        ASSERT_EQ(c->offset, 0);
        ASSERT_EQ(c->n_buffers, nbuf[t]);
        ASSERT_EQ(c->null_count, t == COL_NULL ? n : nulls);
        if (t == COL_NULL) continue;
        for (int k = 0; k < n; k++) {
            const int r = from + k;
            const bool valid = r != 2 && r != 7;
            if (c->buffers[0]) ASSERT_EQ(bit(c->buffers[0], k), valid);
            else ASSERT(valid);
        }
    }
    const int64_t *i64 = a->children[COL_INT64]->buffers[1];
    const double *f64 = a->children[COL_DOUBLE]->buffers[1];
    const int64_t *so = a->children[COL_UTF8]->buffers[1];
    const char *sd = a->children[COL_UTF8]->buffers[2];
    const int64_t *jo = a->children[COL_JSON]->buffers[1];
    const char *jd = a->children[COL_JSON]->buffers[2];
    ASSERT_EQ(so[0], 0);
    ASSERT_EQ(jo[0], 0);
    for (int k = 0; k < n; k++) {
        const int r = from + k;
        if (r == 2 || r == 7) continue;
        ASSERT_EQ(bit(a->children[COL_BOOL]->buffers[1], k), r % 2 == 0);
        ASSERT_EQ(i64[k], r * 10);
        ASSERT_DBL_EQ(f64[k], r + 0.5);
        char s[16];
        snprintf(s, sizeof s, "s%d", r);
        ASSERT_MEM_EQ(sd + so[k], so[k + 1] - so[k], s, strlen(s));
        ASSERT_MEM_EQ(jd + jo[k], jo[k + 1] - jo[k], "[1]", 3);
    }
    /* struct: its child has the struct's rows */
    const struct ArrowArray *st = a->children[COL_STRUCT];
    ASSERT_EQ(st->n_children, 1);
    ASSERT_EQ(st->children[0]->length, n);
    const int64_t *si = st->children[0]->buffers[1];
    for (int k = 0; k < n; k++)
        if (from + k != 2 && from + k != 7) ASSERT_EQ(si[k], from + k);
    /* list: offsets rebased to 0, the child holds exactly the items of these rows */
    const struct ArrowArray *l = a->children[COL_LIST];
    const int64_t *lo = l->buffers[1];
    const int64_t *items = l->children[0]->buffers[1];
    ASSERT_EQ(lo[0], 0);
    ASSERT_EQ(l->children[0]->length, lo[n]);
    for (int k = 0; k < n; k++) {
        const int r = from + k;
        const int64_t len = lo[k + 1] - lo[k];
        ASSERT_EQ(len, r == 2 || r == 7 ? 0 : r % 3);
        for (int64_t q = 0; q < len; q++) ASSERT_EQ(items[lo[k] + q], r + q);
    }
}

TEST(export_all_types_and_release) {
    struct fixture f;
    fixture_init(&f);
    struct ArrowSchema schema;
    struct ArrowArray array;
    ASSERT_EQ(batch_export_arrow(&f.batch, &schema, &array), 0);
    fixture_clobber(&f);
    check_schema(&schema);
    check_array(&array, 0, ROWS);
    schema.release(&schema);
    array.release(&array);
    ASSERT(schema.release == NULL);
    ASSERT(array.release == NULL);
    fixture_free(&f);
}

TEST(export_sliced_batch) {
    struct fixture f;
    fixture_init(&f);
    struct column sl[N_COLS];
    for (int t = 0; t < N_COLS; t++) sl[t] = col_slice(&f.c[t], 3, 6); /* rows 3..8 */
    const struct batch b = {.length = 6, .n_cols = N_COLS, .cols = sl, .names = names};
    struct ArrowSchema schema;
    struct ArrowArray array;
    ASSERT_EQ(batch_export_arrow(&b, &schema, &array), 0);
    fixture_clobber(&f);
    check_schema(&schema);
    check_array(&array, 3, 6);
    schema.release(&schema);
    array.release(&array);
    /* a slice without nulls exports no validity buffer */
    fixture_free(&f);
    fixture_init(&f);
    for (int t = 0; t < N_COLS; t++) sl[t] = col_slice(&f.c[t], 3, 3); /* rows 3..5 */
    const struct batch b2 = {.length = 3, .n_cols = N_COLS, .cols = sl, .names = names};
    ASSERT_EQ(batch_export_arrow(&b2, &schema, &array), 0);
    check_array(&array, 3, 3);
    for (int t = 1; t < N_COLS; t++) ASSERT(array.children[t]->buffers[0] == NULL);
    schema.release(&schema);
    array.release(&array);
    fixture_free(&f);
}

TEST(export_moved_child_released_once) {
    struct fixture f;
    fixture_init(&f);
    struct ArrowSchema schema;
    struct ArrowArray array;
    ASSERT_EQ(batch_export_arrow(&f.batch, &schema, &array), 0);
    /* A consumer moves column "s" out, then releases the parent and, later, the child. */
    struct ArrowArray moved = *array.children[COL_UTF8];
    array.children[COL_UTF8]->release = NULL;
    struct ArrowSchema moved_schema = *schema.children[COL_LIST];
    schema.children[COL_LIST]->release = NULL;
    array.release(&array);
    schema.release(&schema);
    fixture_free(&f);
    ASSERT_EQ(moved.length, ROWS);
    const int64_t *so = moved.buffers[1];
    ASSERT_MEM_EQ((const char *)moved.buffers[2] + so[9], so[10] - so[9], "s9", 2);
    ASSERT_STR_EQ(moved_schema.children[0]->format, "l");
    moved.release(&moved);
    moved_schema.release(&moved_schema);
    ASSERT(moved.release == NULL && moved_schema.release == NULL);
}

TEST(export_empty_and_mismatched) {
    struct col_builder b;
    colb_init(&b, COL_UTF8, false, 0);
    struct column c;
    ASSERT_EQ(colb_finish(&b, &c), 0);
    const char *nm[] = {"text"};
    struct batch batch = {.length = 0, .n_cols = 1, .cols = &c, .names = nm};
    struct ArrowSchema schema;
    struct ArrowArray array;
    ASSERT_EQ(batch_export_arrow(&batch, &schema, &array), 0);
    ASSERT_EQ(array.children[0]->length, 0);
    ASSERT_EQ(((const int64_t *)array.children[0]->buffers[1])[0], 0);
    ASSERT(array.children[0]->buffers[2] != NULL);
    schema.release(&schema);
    array.release(&array);
    batch.length = 3; /* the column is shorter than the batch */
    ASSERT_EQ(batch_export_arrow(&batch, &schema, &array), ZEST_E_PARAM);
    ASSERT(schema.release == NULL && array.release == NULL);
    colb_destroy(&b);
}

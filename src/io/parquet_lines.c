/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_lines.c - JSON lines to Parquet or Arrow IPC and back (see parquet_lines.h): a line
 * splitter over written chunks, an inferring struct builder per batch, the Parquet or Arrow
 * writer; a Parquet reader walked row group by row group (or an Arrow reader batch by batch),
 * rendering rows as canonical JSON.
 */
#include "parquet_lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/err.h"
#include "json.h"

struct pl_field {
    char *name;
    struct col_builder b;
    uint64_t stamp;
};

struct parquet_lines {
    char *name;
    bool lossless;
    struct pl_field *fields; /* lossless: one json column per field, then the key order */
    size_t n_fields, cap_fields;
    struct col_builder order;
    struct buf key, val;
    uint32_t *seen;
    size_t cap_seen;
    uint64_t stamp;
    struct column *cols;
    const char **names;
    size_t cap_cols;
    struct parquet_writer *w;
    struct arrow_ipc_writer *aw; /* the Arrow IPC backend instead of w */
    bool arrow;
    char **a_names; /* Arrow: the schema's column names, fixed by the first batch */
    size_t a_n;
    struct column *a_cols; /* a batch's columns in the schema's order */
    const char **a_cnames;
    bool file;
    struct buf partial; /* a line not yet ended */
    struct col_builder rows;
    struct arena arena;
    size_t text_bytes;
    int64_t line_no, n_rows;
};

int parquet_lines_new(const char *name, const struct parquet_write_opts *o, parquet_out_fn out,
                      void *user, struct parquet_lines **plp, zest_error *err) {
    *plp = NULL;
    struct parquet_lines *pl = calloc(1, sizeof *pl);
    if (!pl || !(pl->name = strdup(name))) {
        free(pl);
        return err_set(err, ZEST_E_NOMEM, "%s: out of memory", name);
    }
    buf_init(&pl->partial, 0);
    colb_init(&pl->rows, COL_STRUCT, true, 0);
    arena_init(&pl->arena, 1 << 20);
    int rc = out ? parquet_writer_new(name, o, out, user, &pl->w, err) : 0;
    if (rc) {
        parquet_lines_free(pl);
        return rc;
    }
    *plp = pl;
    return 0;
}

void parquet_lines_set_lossless(struct parquet_lines *pl) {
    pl->lossless = true;
    colb_init(&pl->order, COL_JSON, false, 0);
    buf_init(&pl->key, 0);
    buf_init(&pl->val, 0);
}

static int pl_field_find(struct parquet_lines *pl, const char *k, size_t n, int64_t rows) {
    for (size_t i = 0; i < pl->n_fields; i++)
        if (strlen(pl->fields[i].name) == n && memcmp(pl->fields[i].name, k, n) == 0) return (int)i;
    if (pl->n_fields >= 4096) return ZEST_E_LIMIT;
    if (pl->n_fields == pl->cap_fields) {
        const size_t cap = pl->cap_fields ? 2 * pl->cap_fields : 16;
        struct pl_field *f = realloc(pl->fields, cap * sizeof *f);
        if (!f) return ZEST_E_NOMEM;
        pl->fields = f;
        pl->cap_fields = cap;
    }
    struct pl_field *f = &pl->fields[pl->n_fields];
    memset(f, 0, sizeof *f);
    if (!(f->name = malloc(n + 1))) return ZEST_E_NOMEM;
    memcpy(f->name, k, n);
    f->name[n] = 0;
    colb_init(&f->b, COL_JSON, false, 0);
    pl->n_fields++;
    for (int64_t r = 0; r < rows; r++)
        if (colb_append_null(&f->b)) return ZEST_E_NOMEM;
    return (int)(pl->n_fields - 1);
}

/* One record in lossless mode: returns 0, ZEST_E_FORMAT (not an object, duplicate key), or a
 * status. */
static int pl_record_lossless(struct parquet_lines *pl, const char *s, size_t n) {
    struct json_cursor c;
    json_cursor_init(&c, s, n);
    const int64_t rows = pl->order.length;
    int rc = json_object_begin(&c);
    pl->stamp++;
    size_t n_seen = 0;
    bool in_order = true;
    while (!rc && (rc = json_object_next_key(&c, &pl->key)) == 1) {
        const int idx = pl_field_find(pl, pl->key.data, pl->key.len, rows);
        if (idx < 0) return idx;
        struct pl_field *f = &pl->fields[idx];
        if (f->stamp == pl->stamp) return ZEST_E_FORMAT;
        f->stamp = pl->stamp;
        if (n_seen && (uint32_t)idx <= pl->seen[n_seen - 1]) in_order = false;
        if (n_seen == pl->cap_seen) {
            const size_t cap = pl->cap_seen ? 2 * pl->cap_seen : 64;
            uint32_t *t = realloc(pl->seen, cap * sizeof *t);
            if (!t) return ZEST_E_NOMEM;
            pl->seen = t;
            pl->cap_seen = cap;
        }
        pl->seen[n_seen++] = (uint32_t)idx;
        buf_clear(&pl->val);
        if ((rc = json_canon_value(&c, &pl->val))) return rc;
        rc = colb_append_str(&f->b, pl->val.data, pl->val.len);
    }
    if (rc < 0) return rc;
    if ((rc = json_expect_end(&c))) return rc;
    for (size_t i = 0; i < pl->n_fields && !rc; i++)
        if (pl->fields[i].stamp != pl->stamp) rc = colb_append_null(&pl->fields[i].b);
    if (rc) return rc;
    if (in_order) return colb_append_null(&pl->order);
    buf_clear(&pl->val);
    rc = buf_putc(&pl->val, '[');
    for (size_t i = 0; i < n_seen && !rc; i++) {
        if (i) rc = buf_putc(&pl->val, ',');
        const char *nm = pl->fields[pl->seen[i]].name;
        if (!rc) rc = json_write_string(&pl->val, nm, strlen(nm));
    }
    if (!rc) rc = buf_putc(&pl->val, ']');
    return rc ? rc : colb_append_str(&pl->order, pl->val.data, pl->val.len);
}

/* Arrow: the first batch fixes the columns; a later batch gets its columns in that order and
 * null columns for those it lacks. A column the schema lacks is ZEST_E_UNSUPPORTED. */
static int pl_arrow_put(struct parquet_lines *pl, const struct batch *b, zest_error *err) {
    if (!pl->a_names) {
        if (!(pl->a_names = calloc(b->n_cols + 1, sizeof *pl->a_names)))
            return err_set(err, ZEST_E_NOMEM, "%s: out of memory", pl->name);
        for (size_t k = 0; k < b->n_cols; k++)
            if (!(pl->a_names[pl->a_n++] = strdup(b->names[k])))
                return err_set(err, ZEST_E_NOMEM, "%s: out of memory", pl->name);
        pl->a_cols = calloc(b->n_cols + 1, sizeof *pl->a_cols);
        pl->a_cnames = calloc(b->n_cols + 1, sizeof *pl->a_cnames);
        if (!pl->a_cols || !pl->a_cnames)
            return err_set(err, ZEST_E_NOMEM, "%s: out of memory", pl->name);
        return arrow_ipc_writer_write(pl->aw, b, err);
    }
    for (size_t k = 0; k < b->n_cols; k++) {
        size_t j = 0;
        while (j < pl->a_n && strcmp(pl->a_names[j], b->names[k]) != 0) j++;
        if (j == pl->a_n)
            return err_set(err, ZEST_E_UNSUPPORTED, "%s: field '%s' is not in the Arrow schema "
                           "(an Arrow file has one schema, fixed by its first batch)",
                           pl->name, b->names[k]);
    }
    for (size_t j = 0; j < pl->a_n; j++) {
        const int k = batch_find(b, pl->a_names[j]);
        pl->a_cnames[j] = pl->a_names[j];
        pl->a_cols[j] = k >= 0 ? b->cols[k]
                               : (struct column){.type = COL_NULL, .length = b->length,
                                                 .null_count = b->length};
    }
    const struct batch ab = {.length = b->length, .n_cols = pl->a_n, .cols = pl->a_cols,
                             .names = pl->a_cnames};
    const int rc = arrow_ipc_writer_write(pl->aw, &ab, err);
    return rc == ZEST_E_PARAM ? ZEST_E_UNSUPPORTED : rc;
}

/* A batch to the backend writer. */
static int pl_put(struct parquet_lines *pl, const struct batch *b, zest_error *err) {
    return pl->arrow ? pl_arrow_put(pl, b, err) : parquet_writer_write(pl->w, b, err);
}

static int pl_flush_lossless(struct parquet_lines *pl, zest_error *err) {
    const int64_t rows = pl->order.length;
    if (rows == 0) return 0;
    const size_t n = pl->n_fields + 1;
    if (n > pl->cap_cols) {
        struct column *c = realloc(pl->cols, n * sizeof *c);
        if (c) pl->cols = c;
        const char **nm = c ? realloc(pl->names, n * sizeof *nm) : NULL;
        if (nm) pl->names = nm;
        if (!c || !nm) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", pl->name);
        pl->cap_cols = n;
    }
    int rc = 0;
    for (size_t i = 0; i < pl->n_fields && !rc; i++) {
        rc = colb_finish(&pl->fields[i].b, &pl->cols[i]);
        pl->names[i] = pl->fields[i].name;
    }
    if (!rc) rc = colb_finish(&pl->order, &pl->cols[n - 1]);
    pl->names[n - 1] = PARQUET_LINES_ORDER;
    if (rc) return err_set(err, rc, "%s: out of memory", pl->name);
    const struct batch b = {.length = rows, .n_cols = n, .cols = pl->cols, .names = pl->names};
    rc = pl_put(pl, &b, err);
    for (size_t i = 0; i < pl->n_fields; i++) colb_reset(&pl->fields[i].b);
    colb_reset(&pl->order);
    pl->text_bytes = 0;
    return rc;
}

int parquet_lines_file(const char *path, const struct parquet_write_opts *o,
                       struct parquet_lines **plp, zest_error *err) {
    int rc = parquet_lines_new(path, o, NULL, NULL, plp, err);
    if (rc) return rc;
    rc = parquet_file_open(path, o, &(*plp)->w, err);
    if (rc) {
        parquet_lines_free(*plp);
        *plp = NULL;
        return rc;
    }
    (*plp)->file = true;
    return 0;
}

int parquet_lines_arrow(const char *name, const struct arrow_ipc_writer_opts *o,
                        arrow_ipc_out_fn out, void *user, struct parquet_lines **plp,
                        zest_error *err) {
    int rc = parquet_lines_new(name, NULL, NULL, NULL, plp, err);
    if (rc) return rc;
    struct parquet_lines *pl = *plp;
    pl->arrow = true;
    pl->file = !out;
    rc = out ? arrow_ipc_writer_new(name, o, out, user, &pl->aw, err)
             : arrow_ipc_writer_open(name, o, &pl->aw, err);
    if (rc) {
        parquet_lines_free(pl);
        *plp = NULL;
    }
    return rc;
}

/* Hands the rows built so far to the writer. */
static int pl_flush(struct parquet_lines *pl, zest_error *err) {
    if (pl->lossless) return pl_flush_lossless(pl, err);
    if (pl->rows.length == 0) return 0;
    struct column c;
    int rc = colb_finish(&pl->rows, &c);
    if (rc) return err_set(err, rc, "%s: out of memory", pl->name);
    if (c.type != COL_STRUCT) /* only null rows: cannot happen, lines are objects */
        return err_set(err, ZEST_E_INTERNAL, "%s: rows are not objects", pl->name);
    const struct batch b = {.length = c.length, .n_cols = c.n_children, .cols = c.children,
                            .names = c.child_names};
    rc = pl_put(pl, &b, err);
    if (rc == ZEST_E_UNSUPPORTED)
        err_prefix(err, "rows %lld..%lld do not fit the %s schema of the rows before them "
                   "(docs/%s.md, Writing; a .jsonl export takes any rows)",
                   (long long)(pl->n_rows - c.length + 1), (long long)pl->n_rows,
                   pl->arrow ? "Arrow" : "Parquet", pl->arrow ? "arrow" : "parquet");
    colb_reset(&pl->rows);
    arena_reset(&pl->arena);
    pl->text_bytes = 0;
    return rc;
}

static int pl_line(struct parquet_lines *pl, const char *s, size_t n, zest_error *err) {
    pl->line_no++;
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r')) k++;
    if (k == n) return 0;
    int rc;
    if (pl->lossless) {
        rc = pl_record_lossless(pl, s + k, n - k);
        if (rc == ZEST_E_FORMAT)
            return err_set(err, rc, "%s: line %lld is not a JSON object with distinct keys",
                           pl->name, (long long)pl->line_no);
        if (rc) return err_set(err, rc, "%s: line %lld: %s", pl->name, (long long)pl->line_no,
                               zest_strerror(rc));
        pl->n_rows++;
        pl->text_bytes += n;
        if (!pl->arrow && (pl->order.length >= PARQUET_LINES_BATCH_ROWS ||
                           pl->text_bytes >= PARQUET_LINES_BATCH_BYTES))
            return pl_flush(pl, err);
        return 0;
    }
    struct json_cursor c;
    struct json_value v;
    json_cursor_init(&c, s, n);
    rc = json_parse_value(&c, &pl->arena, &v);
    if (!rc) rc = json_expect_end(&c);
    if (rc || v.type != JSON_OBJECT)
        return err_set(err, ZEST_E_FORMAT, "%s: line %lld is not a JSON object", pl->name,
                       (long long)pl->line_no);
    if ((rc = colb_append_json(&pl->rows, &v)))
        return err_set(err, rc, "%s: line %lld: %s", pl->name, (long long)pl->line_no,
                       zest_strerror(rc));
    pl->n_rows++;
    pl->text_bytes += n;
    if (pl->rows.length >= PARQUET_LINES_BATCH_ROWS || pl->text_bytes >= PARQUET_LINES_BATCH_BYTES)
        return pl_flush(pl, err);
    return 0;
}

int parquet_lines_write(struct parquet_lines *pl, const void *data, size_t len, zest_error *err) {
    const char *p = data, *end = p + len;
    int rc = 0;
    while (!rc && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            if (buf_append(&pl->partial, p, (size_t)(end - p)))
                return err_set(err, ZEST_E_NOMEM, "%s: out of memory", pl->name);
            break;
        }
        if (pl->partial.len) {
            if (buf_append(&pl->partial, p, (size_t)(nl - p)))
                return err_set(err, ZEST_E_NOMEM, "%s: out of memory", pl->name);
            rc = pl_line(pl, pl->partial.data, pl->partial.len, err);
            buf_clear(&pl->partial);
        } else {
            rc = pl_line(pl, p, (size_t)(nl - p), err);
        }
        p = nl + 1;
    }
    return rc;
}

int parquet_lines_finish(struct parquet_lines *pl, uint64_t *bytes, zest_error *err) {
    int rc = 0;
    if (pl->partial.len) {
        rc = pl_line(pl, pl->partial.data, pl->partial.len, err);
        buf_clear(&pl->partial);
    }
    if (!rc) rc = pl_flush(pl, err);
    if (pl->arrow) {
        struct arrow_ipc_writer *aw = pl->aw;
        pl->aw = NULL;
        if (rc) {
            arrow_ipc_writer_abort(aw);
            return rc;
        }
        return pl->file ? arrow_ipc_writer_commit(aw, bytes, err)
                        : arrow_ipc_writer_close(aw, bytes, err);
    }
    if (pl->file) {
        struct parquet_writer *w = pl->w;
        pl->w = NULL;
        if (rc) {
            parquet_file_abort(w);
            return rc;
        }
        return parquet_file_commit(w, bytes, err);
    }
    if (!rc) rc = parquet_writer_close(pl->w, err);
    return rc;
}

int64_t parquet_lines_rows(const struct parquet_lines *pl) { return pl->n_rows; }

void parquet_lines_free(struct parquet_lines *pl) {
    if (!pl) return;
    if (pl->arrow) arrow_ipc_writer_abort(pl->aw);
    else if (pl->file) parquet_file_abort(pl->w);
    else parquet_writer_free(pl->w);
    for (size_t i = 0; i < pl->a_n; i++) free(pl->a_names[i]);
    free(pl->a_names);
    free(pl->a_cols);
    free(pl->a_cnames);
    buf_free(&pl->partial);
    colb_destroy(&pl->rows);
    for (size_t i = 0; i < pl->n_fields; i++) {
        colb_destroy(&pl->fields[i].b);
        free(pl->fields[i].name);
    }
    free(pl->fields);
    if (pl->lossless) {
        colb_destroy(&pl->order);
        buf_free(&pl->key);
        buf_free(&pl->val);
    }
    free(pl->seen);
    free(pl->cols);
    free(pl->names);
    arena_destroy(&pl->arena);
    free(pl->name);
    free(pl);
}

int parquet_row_json(const struct batch *b, int64_t i, struct buf *out) {
    int rc = buf_putc(out, '{');
    for (size_t k = 0; k < b->n_cols && !rc; k++) {
        if (k) rc = buf_putc(out, ',');
        if (!rc) rc = json_write_string(out, b->names[k], strlen(b->names[k]));
        if (!rc) rc = buf_putc(out, ':');
        if (!rc) rc = col_write_json(&b->cols[k], i, out);
    }
    return rc ? rc : buf_putc(out, '}');
}

/* ---- reading ---- */

struct parquet_linesrc {
    struct parquet_reader *r;
    struct arrow_ipc_reader *ar; /* an Arrow IPC file or stream instead of r */
    int order_col; /* lossless files: the key-order column, else -1 */
    struct arena arena;
    size_t rg, rg_end;
    struct batch b;
    int64_t i;     /* next row of b */
    bool loaded;
    int64_t row0;  /* file row number of b's first row */
    struct buf line;
};

static int pl_put_member(struct buf *out, const struct batch *b, size_t k, int64_t i, bool *first) {
    int rc = *first ? 0 : buf_putc(out, ',');
    *first = false;
    if (!rc) rc = json_write_string(out, b->names[k], strlen(b->names[k]));
    if (!rc) rc = buf_putc(out, ':');
    return rc ? rc : col_write_json(&b->cols[k], i, out);
}

/* A row of a lossless file: present fields (non-null), in the recorded key order if any. */
static int pl_row_lossless(struct parquet_linesrc *s, int64_t i) {
    const struct batch *b = &s->b;
    struct buf *out = &s->line;
    const struct column *oc = &b->cols[s->order_col];
    bool first = true;
    int rc = buf_putc(out, '{');
    if (!rc && col_is_valid(oc, i)) {
        size_t n;
        const char *txt = col_str(oc, i, &n);
        struct json_cursor c;
        struct json_value v;
        json_cursor_init(&c, txt, n);
        arena_reset(&s->arena);
        rc = json_parse_value(&c, &s->arena, &v);
        if (!rc && v.type != JSON_ARRAY) rc = ZEST_E_FORMAT;
        for (size_t j = 0; !rc && j < v.u.arr.n; j++) {
            const struct json_value *e = &v.u.arr.items[j];
            if (e->type != JSON_STRING) {
                rc = ZEST_E_FORMAT;
                break;
            }
            int k = -1;
            for (size_t q = 0; q < b->n_cols && k < 0; q++)
                if (strlen(b->names[q]) == e->u.str.len && memcmp(b->names[q], e->u.str.ptr, e->u.str.len) == 0) k = (int)q;
            if (k < 0 || k == s->order_col) {
                rc = ZEST_E_FORMAT;
                break;
            }
            rc = pl_put_member(out, b, (size_t)k, i, &first);
        }
    } else {
        for (size_t k = 0; k < b->n_cols && !rc; k++)
            if ((int)k != s->order_col && col_is_valid(&b->cols[k], i))
                rc = pl_put_member(out, b, k, i, &first);
    }
    return rc ? rc : buf_putc(out, '}');
}

/* The first bytes of `path`. */
static int pl_head(const char *path, unsigned char *head, size_t cap, size_t *got, zest_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return err_set_at(err, ZEST_E_IO, path, 0, -1, "open: %s", strerror(errno));
    *got = fread(head, 1, cap, f);
    fclose(f);
    return 0;
}

int parquet_linesrc_open(const char *path, int64_t rg_from, int64_t rg_to,
                         struct parquet_linesrc **out, zest_error *err) {
    *out = NULL;
    unsigned char head[8];
    size_t got = 0;
    ZEST_TRY(pl_head(path, head, sizeof head, &got, err));
    struct parquet_linesrc *s = calloc(1, sizeof *s);
    if (!s) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
    buf_init(&s->line, 0);
    const bool arrow = columnar_sniff(head, got) == COLUMNAR_ARROW;
    int rc = arrow ? arrow_ipc_reader_open(path, &s->ar, err) : parquet_reader_open(path, &s->r, err);
    if (rc) {
        buf_free(&s->line);
        free(s);
        return rc;
    }
    arena_init(&s->arena, 1 << 16);
    s->order_col = -1;
    if (arrow) { /* record batches play the row groups; a range is not supported */
        s->rg_end = SIZE_MAX;
        *out = s;
        return 0;
    }
    const size_t n = parquet_reader_row_groups(s->r);
    s->rg_end = rg_to < 0 || (size_t)rg_to > n ? n : (size_t)rg_to;
    s->rg = rg_from < 0 ? 0 : (size_t)rg_from;
    for (size_t g = 0; g < s->rg && g < n; g++) s->row0 += parquet_reader_row_group_rows(s->r, g);
    *out = s;
    return 0;
}

/* The next group of rows: 1, 0 at the end, or a negative status. */
static int pl_next_group(struct parquet_linesrc *s, zest_error *err) {
    if (s->ar) return arrow_ipc_reader_next(s->ar, &s->b, err);
    if (s->rg >= s->rg_end) return 0;
    const int rc = parquet_reader_read(s->r, s->rg, &s->b, err);
    return rc ? rc : 1;
}

int parquet_linesrc_next(struct parquet_linesrc *s, const char **line, size_t *len, int64_t *row,
                         zest_error *err) {
    while (!s->loaded || s->i >= s->b.length) {
        if (s->loaded) {
            s->row0 += s->b.length;
            s->rg++;
            s->loaded = false;
        }
        const int rc = pl_next_group(s, err);
        if (rc <= 0) return rc;
        s->loaded = true;
        s->i = 0;
    }
    buf_clear(&s->line);
    s->order_col = batch_find(&s->b, PARQUET_LINES_ORDER);
    int rc = s->order_col >= 0 ? pl_row_lossless(s, s->i) : parquet_row_json(&s->b, s->i, &s->line);
    if (rc) return err_set(err, rc, "rendering a parquet row: %s", zest_strerror(rc));
    *line = s->line.data;
    *len = s->line.len;
    if (row) *row = s->row0 + s->i + 1;
    s->i++;
    return 1;
}

bool parquet_linesrc_group_head(const struct parquet_linesrc *s) { return s->i == 1; }

void parquet_linesrc_close(struct parquet_linesrc *s) {
    if (!s) return;
    parquet_reader_close(s->r);
    arrow_ipc_reader_close(s->ar);
    buf_free(&s->line);
    arena_destroy(&s->arena);
    free(s);
}

bool parquet_sniff(const void *head, size_t len) { return len >= 4 && memcmp(head, "PAR1", 4) == 0; }

enum columnar_format columnar_sniff(const void *head, size_t len) {
    static const unsigned char cont[4] = {0xff, 0xff, 0xff, 0xff};
    if (parquet_sniff(head, len)) return COLUMNAR_PARQUET;
    if ((len >= 6 && memcmp(head, "ARROW1", 6) == 0) || (len >= 4 && memcmp(head, cont, 4) == 0))
        return COLUMNAR_ARROW;
    return COLUMNAR_NONE;
}

bool columnar_path(const char *path) {
    enum arrow_ipc_kind k;
    return parquet_path(path) || arrow_ipc_kind_for_path(path, &k);
}

bool parquet_path(const char *path) {
    const size_t n = strlen(path);
    return (n >= 8 && strcmp(path + n - 8, ".parquet") == 0) || (n >= 3 && strcmp(path + n - 3, ".pq") == 0);
}

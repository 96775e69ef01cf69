/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_lines.c - JSON lines to Parquet and back (see parquet_lines.h): a line splitter
 * over written chunks, an inferring struct builder per batch, the Parquet writer; a Parquet
 * reader walked row group by row group, rendering rows as canonical JSON.
 */
#include "parquet_lines.h"

#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/err.h"
#include "json.h"

struct parquet_lines {
    char *name;
    struct parquet_writer *w;
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

/* Hands the rows built so far to the writer. */
static int pl_flush(struct parquet_lines *pl, zest_error *err) {
    if (pl->rows.length == 0) return 0;
    struct column c;
    int rc = colb_finish(&pl->rows, &c);
    if (rc) return err_set(err, rc, "%s: out of memory", pl->name);
    if (c.type != COL_STRUCT) /* only null rows: cannot happen, lines are objects */
        return err_set(err, ZEST_E_INTERNAL, "%s: rows are not objects", pl->name);
    const struct batch b = {.length = c.length, .n_cols = c.n_children, .cols = c.children,
                            .names = c.child_names};
    rc = parquet_writer_write(pl->w, &b, err);
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
    struct json_cursor c;
    struct json_value v;
    json_cursor_init(&c, s, n);
    int rc = json_parse_value(&c, &pl->arena, &v);
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
    if (pl->file) parquet_file_abort(pl->w);
    else parquet_writer_free(pl->w);
    buf_free(&pl->partial);
    colb_destroy(&pl->rows);
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
    size_t rg, rg_end;
    struct batch b;
    int64_t i;     /* next row of b */
    bool loaded;
    int64_t row0;  /* file row number of b's first row */
    struct buf line;
};

int parquet_linesrc_open(const char *path, int64_t rg_from, int64_t rg_to,
                         struct parquet_linesrc **out, zest_error *err) {
    *out = NULL;
    struct parquet_linesrc *s = calloc(1, sizeof *s);
    if (!s) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
    buf_init(&s->line, 0);
    int rc = parquet_reader_open(path, &s->r, err);
    if (rc) {
        free(s);
        return rc;
    }
    const size_t n = parquet_reader_row_groups(s->r);
    s->rg_end = rg_to < 0 || (size_t)rg_to > n ? n : (size_t)rg_to;
    s->rg = rg_from < 0 ? 0 : (size_t)rg_from;
    for (size_t g = 0; g < s->rg && g < n; g++) s->row0 += parquet_reader_row_group_rows(s->r, g);
    *out = s;
    return 0;
}

int parquet_linesrc_next(struct parquet_linesrc *s, const char **line, size_t *len, int64_t *row,
                         zest_error *err) {
    while (!s->loaded || s->i >= s->b.length) {
        if (s->loaded) {
            s->row0 += s->b.length;
            s->rg++;
            s->loaded = false;
        }
        if (s->rg >= s->rg_end) return 0;
        int rc = parquet_reader_read(s->r, s->rg, &s->b, err);
        if (rc) return rc;
        s->loaded = true;
        s->i = 0;
    }
    buf_clear(&s->line);
    int rc = parquet_row_json(&s->b, s->i, &s->line);
    if (rc) return err_set(err, rc, "rendering a parquet row: %s", zest_strerror(rc));
    *line = s->line.data;
    *len = s->line.len;
    if (row) *row = s->row0 + s->i + 1;
    s->i++;
    return 1;
}

struct parquet_reader *parquet_linesrc_reader(struct parquet_linesrc *s) { return s->r; }

void parquet_linesrc_close(struct parquet_linesrc *s) {
    if (!s) return;
    parquet_reader_close(s->r);
    buf_free(&s->line);
    free(s);
}

bool parquet_sniff(const void *head, size_t len) { return len >= 4 && memcmp(head, "PAR1", 4) == 0; }

bool parquet_path(const char *path) {
    const size_t n = strlen(path);
    return (n >= 8 && strcmp(path + n - 8, ".parquet") == 0) || (n >= 3 && strcmp(path + n - 3, ".pq") == 0);
}

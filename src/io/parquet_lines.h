/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_lines.h - Parquet at the edges of the JSON Lines executor: JSON lines in, a Parquet
 * file out (export and checkpoints), and a Parquet file (or a range of its row groups) out as
 * JSON lines (inputs, checkpoints read back). Lines become rows through one inferring struct
 * builder per batch (data/column.h's promotion rules: fields in first-seen order, absent
 * fields null, conflicting types kept as JSON text); rows become lines as {"column": value}
 * in schema order, null values written as null. Depends on io/parquet, io/json, data/column,
 * common/.
 */
#ifndef ZEST_PARQUET_LINES_H
#define ZEST_PARQUET_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "parquet.h"

/* Rows per batch handed to the writer (the first batch fixes the file's schema) and the bytes
 * of JSON text that also close a batch. */
#define PARQUET_LINES_BATCH_ROWS 65536
#define PARQUET_LINES_BATCH_BYTES (64u << 20)

struct parquet_lines;

/* JSON lines to Parquet bytes sent to out(user, ...). `name` names it in errors. */
int parquet_lines_new(const char *name, const struct parquet_write_opts *o, parquet_out_fn out,
                      void *user, struct parquet_lines **pl, zest_error *err);
/* As parquet_lines_new, into a file committed atomically by parquet_lines_finish. */
int parquet_lines_file(const char *path, const struct parquet_write_opts *o,
                       struct parquet_lines **pl, zest_error *err);
/* Lossless mode (checkpoints), before the first write: every field is stored as its canonical
 * JSON text (a json column), an absent field as null, and a record whose keys are not in the
 * schema's order gets its key list in the column PARQUET_LINES_ORDER, so that reading back gives
 * the same lines byte for byte. */
#define PARQUET_LINES_ORDER "__zest_key_order__"
void parquet_lines_set_lossless(struct parquet_lines *pl);
/* Appends a chunk of JSON lines (may end inside a line; blank lines are skipped). A line that
 * is not a JSON object is ZEST_E_FORMAT naming the line. */
int parquet_lines_write(struct parquet_lines *pl, const void *data, size_t len, zest_error *err);
/* Writes the last rows and the footer (and commits a file). *bytes (may be NULL) gets the file
 * size. The object stays to be freed. */
int parquet_lines_finish(struct parquet_lines *pl, uint64_t *bytes, zest_error *err);
int64_t parquet_lines_rows(const struct parquet_lines *pl);
/* Frees; an unfinished file is removed. Accepts NULL. */
void parquet_lines_free(struct parquet_lines *pl);

/* Row i of a batch as one JSON object (appended to out). */
int parquet_row_json(const struct batch *b, int64_t i, struct buf *out);

/* ---- reading as lines ---- */

struct parquet_linesrc;

/* Opens `path` to read row groups [rg_from, rg_to) as JSON lines. A file written in lossless
 * mode gives back its lines exactly; other files give every column, nulls as null. */
/* Opens `path` to read row groups [rg_from, rg_to) (rg_to -1: to the end) as JSON lines. */
int parquet_linesrc_open(const char *path, int64_t rg_from, int64_t rg_to,
                         struct parquet_linesrc **out, zest_error *err);
/* 1 and the next line (valid until the next call), 0 at the end, or a negative status. *row
 * gets the 1-based row number within the file. */
int parquet_linesrc_next(struct parquet_linesrc *s, const char **line, size_t *len, int64_t *row,
                         zest_error *err);
/* The open reader (row group counts, for planning). */
struct parquet_reader *parquet_linesrc_reader(struct parquet_linesrc *s);
void parquet_linesrc_close(struct parquet_linesrc *s);

/* True when the file starts with the Parquet magic "PAR1". */
bool parquet_sniff(const void *head, size_t len);
/* True when `path` ends in ".parquet" (or ".pq"). */
bool parquet_path(const char *path);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_lines.h - the columnar formats (Parquet, and Arrow IPC through the same code) at the
 * edges of the JSON Lines executor: JSON lines in, a Parquet or Arrow file out (export and
 * checkpoints), and a Parquet file (or a range of its row groups) or an Arrow IPC file or
 * stream out as JSON lines (inputs, checkpoints read back). Lines become rows through one inferring struct
 * builder per batch (data/column.h's promotion rules: fields in first-seen order, absent
 * fields null, conflicting types kept as JSON text); rows become lines as {"column": value}
 * in schema order, null values written as null. Arrow files have one schema, fixed by their
 * first batch: a later batch may lack columns (they are null) but not add any; in lossless
 * mode all rows go out as one record batch, so any set of fields fits. Depends on io/parquet,
 * io/arrow_ipc, io/json, data/column, common/.
 */
#ifndef ZEST_PARQUET_LINES_H
#define ZEST_PARQUET_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "arrow_ipc.h"
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
/* As parquet_lines_new / parquet_lines_file for Arrow IPC (`o` may be NULL: the file format,
 * uncompressed): bytes to out(user, ...) when out is set, else a file at `name` committed
 * atomically by parquet_lines_finish. */
int parquet_lines_arrow(const char *name, const struct arrow_ipc_writer_opts *o,
                        arrow_ipc_out_fn out, void *user, struct parquet_lines **pl,
                        zest_error *err);
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

/* Opens `path` to read row groups [rg_from, rg_to) (rg_to -1: to the end) as JSON lines. A file
 * written in lossless mode gives back its lines exactly; other files give every column, nulls
 * as null. An Arrow IPC file or stream (told by its magic) is read whole, record batch by
 * record batch (the range is ignored). */
int parquet_linesrc_open(const char *path, int64_t rg_from, int64_t rg_to,
                         struct parquet_linesrc **out, zest_error *err);
/* 1 and the next line (valid until the next call), 0 at the end, or a negative status. *row
 * gets the 1-based row number within the file. */
int parquet_linesrc_next(struct parquet_linesrc *s, const char **line, size_t *len, int64_t *row,
                         zest_error *err);
/* True when the row last returned begins a row group (a record batch for Arrow): the only
 * places where a partition of a columnar input may start. */
bool parquet_linesrc_group_head(const struct parquet_linesrc *s);
void parquet_linesrc_close(struct parquet_linesrc *s);

/* True when the file starts with the Parquet magic "PAR1". */
bool parquet_sniff(const void *head, size_t len);
enum columnar_format { COLUMNAR_NONE = 0, COLUMNAR_PARQUET, COLUMNAR_ARROW };
/* The columnar format by magic: "PAR1", or "ARROW1" / an IPC message start for Arrow. */
enum columnar_format columnar_sniff(const void *head, size_t len);
/* True when `path` names a Parquet or Arrow IPC file by its extension. */
bool columnar_path(const char *path);
/* True when `path` ends in ".parquet" (or ".pq"). */
bool parquet_path(const char *path);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arrow_ipc.h - Arrow IPC files (".arrow", Feather v2: the file format with its footer) and
 * streams (the stream format), read and written from zest's columnar batches.
 *
 * Writer: the first batch fixes the schema (every later batch must have the same columns and
 * types); bytes go through the atomic sink (tmp -> fsync -> rename -> fsync dir), so only
 * arrow_ipc_writer_commit makes the file visible. Types written: null, bool, int64, float64,
 * large_utf8 (zest's own 64-bit offsets), json columns as large_utf8 with the field metadata
 * ARROW:extension:name = arrow.json, struct, list (32-bit offsets). Buffers may be compressed
 * with LZ4_FRAME or ZSTD (Arrow's BodyCompression, method BUFFER).
 *
 * Reader: both formats, told apart by the "ARROW1" magic. Types read: null, bool, signed and
 * unsigned integers of 8 to 64 bits (as int64; a uint64 above INT64_MAX is an error), float32
 * and float64 (as double), utf8 and large_utf8, the arrow.json extension (as json), struct,
 * list and large_list, and dictionary-encoded fields of any of these (decoded to their value
 * type; delta dictionaries too). Anything else is ZEST_E_UNSUPPORTED naming the field and the
 * type. Every byte of the input is bounds-checked; malformed input is ZEST_E_FORMAT naming the
 * file, the byte offset of the message and what was wrong.
 *
 * Depends on common/, data/column.h, io/flatbuf.h, io/sink.h, liblz4 and libzstd.
 */
#ifndef ZEST_ARROW_IPC_H
#define ZEST_ARROW_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../data/column.h"
#include "zest.h"

enum arrow_ipc_codec { ARROW_IPC_UNCOMPRESSED = 0, ARROW_IPC_LZ4_FRAME, ARROW_IPC_ZSTD };
enum arrow_ipc_kind { ARROW_IPC_FILE = 0, ARROW_IPC_STREAM };

struct arrow_ipc_writer_opts {
    enum arrow_ipc_kind kind;
    enum arrow_ipc_codec codec;
    int level; /* zstd level (0 = default 3); ignored otherwise */
    /* Optional (borrowed, used by open only): fixes the schema from this batch's columns
     * (0 rows is fine) instead of from the first batch written. */
    const struct batch *schema;
};

struct arrow_ipc_writer;
struct arrow_ipc_reader;

/* The format a path names by its extension (case-insensitive): ".arrow", ".feather", ".ipc"
 * the file format, ".arrows", ".arrowstream" the stream format. False for anything else. */
bool arrow_ipc_kind_for_path(const char *path, enum arrow_ipc_kind *out);

/* Parses a codec name: "none"/"uncompressed", "lz4"/"lz4_frame", "zstd". ZEST_E_PARAM else. */
int arrow_ipc_codec_parse(const char *name, enum arrow_ipc_codec *out, zest_error *err);

/* Opens a writer for `path` (borrowed). `o` may be NULL (file format, uncompressed).
 * Returns 0 and *out, or ZEST_E_IO / ZEST_E_NOMEM. Not thread-safe per writer. */
int arrow_ipc_writer_open(const char *path, const struct arrow_ipc_writer_opts *o,
                          struct arrow_ipc_writer **out, zest_error *err);
/* Where a writer made by arrow_ipc_writer_new sends its bytes, in order. */
typedef int (*arrow_ipc_out_fn)(void *user, const void *data, size_t len, zest_error *err);
/* As arrow_ipc_writer_open, but the bytes go to fn(user, ...) (no file; `name` names the
 * output in errors). Finish with arrow_ipc_writer_close (or drop with _abort). */
int arrow_ipc_writer_new(const char *name, const struct arrow_ipc_writer_opts *o,
                         arrow_ipc_out_fn fn, void *user, struct arrow_ipc_writer **out,
                         zest_error *err);
/* Appends a batch (borrowed; copied or encoded before returning). The first batch (or
 * opts->schema) fixes the schema. Later batches must have the same column names; a column
 * whose type differs is converted when it can be (an int64 column into a double field, any
 * column into a json field: its values' JSON text), and a null column fits any field;
 * otherwise ZEST_E_PARAM. A batch of 0 rows is fine (it gives the schema of an empty file).
 * ZEST_E_LIMIT when a list column holds more than 2^31-1 items in one batch. */
int arrow_ipc_writer_write(struct arrow_ipc_writer *w, const struct batch *b, zest_error *err);
/* Writes the end of stream (and the footer for the file format) and commits the file
 * atomically. Consumes the writer in every case. bytes_out (may be NULL) gets the size. */
int arrow_ipc_writer_commit(struct arrow_ipc_writer *w, uint64_t *bytes_out, zest_error *err);
/* For a writer made by arrow_ipc_writer_new: writes the end of stream (and the footer) and
 * frees the writer in every case. bytes_out (may be NULL) gets the bytes sent in all. */
int arrow_ipc_writer_close(struct arrow_ipc_writer *w, uint64_t *bytes_out, zest_error *err);
/* Drops the temporary file and frees the writer. Accepts NULL. */
void arrow_ipc_writer_abort(struct arrow_ipc_writer *w);

/* Opens `path` (mapped read-only) and reads its schema. Returns 0 and *out, ZEST_E_IO,
 * ZEST_E_FORMAT, ZEST_E_UNSUPPORTED or ZEST_E_NOMEM. */
int arrow_ipc_reader_open(const char *path, struct arrow_ipc_reader **out, zest_error *err);
/* The default cap on one decompressed buffer. A batch may also expand to at most 8 times
 * this many cells (array slots of all its fields plus bytes copied out of dictionaries), so
 * a small hostile input cannot make the reader allocate or loop without bound. */
#define ARROW_IPC_MAX_BUFFER ((uint64_t)1 << 32)
/* As arrow_ipc_reader_open over bytes in memory (borrowed: they must outlive the reader);
 * `name` names them in errors. `max_buffer` caps a decompressed buffer (0: the default);
 * larger claims are ZEST_E_LIMIT. */
int arrow_ipc_reader_open_mem(const void *data, size_t len, const char *name, uint64_t max_buffer,
                              struct arrow_ipc_reader **out, zest_error *err);
/* Reads the next record batch into *out. Returns 1 (a batch), 0 (end) or a negative status.
 * The batch borrows memory of the reader, valid until the next call or close. */
int arrow_ipc_reader_next(struct arrow_ipc_reader *r, struct batch *out, zest_error *err);
/* Number of top-level columns, and the name of each (borrowed from the reader). */
size_t arrow_ipc_reader_n_cols(const struct arrow_ipc_reader *r);
const char *arrow_ipc_reader_col_name(const struct arrow_ipc_reader *r, size_t i);
/* Accepts NULL. */
void arrow_ipc_reader_close(struct arrow_ipc_reader *r);

#endif

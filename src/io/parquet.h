/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet.h - Apache Parquet files to and from columnar batches (docs/parquet.md), written
 * from the public format specification (parquet.thrift, the Thrift compact protocol).
 *
 * Writing: the schema comes from the first batch (bool -> BOOLEAN, int64 -> INT64, double ->
 * DOUBLE, utf8 -> BYTE_ARRAY STRING, json -> BYTE_ARRAY JSON, null -> INT32 UNKNOWN, struct ->
 * group, list -> the three-level LIST group); every column is optional. Strings use a
 * dictionary (RLE_DICTIONARY) that falls back to PLAIN for the chunk when it grows past
 * PARQUET_DICT_MAX bytes; other values are PLAIN. Data pages v1 (default) or v2; codecs none,
 * snappy (default), gzip, zstd, lz4_raw. Row groups close at row_group_bytes of buffered
 * values. Chunks carry statistics (null count; min/max for numbers and short strings); the
 * footer records the zest version in created_by and key-value metadata.
 * Later batches must keep the first batch's column types, except that a null column (all
 * values null) fits any type and anything fits a json column (written as its JSON text).
 *
 * Reading: footers and pages are untrusted: every offset and length is checked, and failures
 * name the file, the column and the cause; unsupported features are ZEST_E_UNSUPPORTED naming
 * them. A row group at a time becomes one batch; a projection keeps some top-level columns.
 *
 * Depends on common/ (buf, err, fsutil), io/sink (atomic files), io/thrift_compact,
 * data/column, and libsnappy, zlib, libzstd, liblz4.
 */
#ifndef ZEST_PARQUET_H
#define ZEST_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../data/column.h"
#include "zest.h"

/* ---- format constants (parquet.thrift) -------------------------------------------------- */

enum pq_type {
    PQ_BOOLEAN = 0,
    PQ_INT32 = 1,
    PQ_INT64 = 2,
    PQ_INT96 = 3,
    PQ_FLOAT = 4,
    PQ_DOUBLE = 5,
    PQ_BYTE_ARRAY = 6,
    PQ_FIXED = 7
};
enum pq_codec {
    PQ_UNCOMPRESSED = 0,
    PQ_SNAPPY = 1,
    PQ_GZIP = 2,
    PQ_LZO = 3,
    PQ_BROTLI = 4,
    PQ_LZ4 = 5,
    PQ_ZSTD = 6,
    PQ_LZ4_RAW = 7
};
enum pq_encoding {
    PQ_PLAIN = 0,
    PQ_PLAIN_DICTIONARY = 2,
    PQ_RLE = 3,
    PQ_BIT_PACKED = 4,
    PQ_DELTA_BINARY_PACKED = 5,
    PQ_DELTA_LENGTH_BYTE_ARRAY = 6,
    PQ_DELTA_BYTE_ARRAY = 7,
    PQ_RLE_DICTIONARY = 8,
    PQ_BYTE_STREAM_SPLIT = 9
};
enum pq_page_type { PQ_DATA_PAGE = 0, PQ_INDEX_PAGE = 1, PQ_DICTIONARY_PAGE = 2, PQ_DATA_PAGE_V2 = 3 };
enum pq_repetition { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };
/* ConvertedType values the reader looks at. */
enum pq_converted {
    PQ_CT_NONE = -1,
    PQ_CT_UTF8 = 0,
    PQ_CT_MAP = 1,
    PQ_CT_MAP_KEY_VALUE = 2,
    PQ_CT_LIST = 3,
    PQ_CT_ENUM = 4,
    PQ_CT_DECIMAL = 5,
    PQ_CT_DATE = 6,
    PQ_CT_TIME_MILLIS = 7,
    PQ_CT_TIME_MICROS = 8,
    PQ_CT_TIMESTAMP_MILLIS = 9,
    PQ_CT_TIMESTAMP_MICROS = 10,
    PQ_CT_UINT_8 = 11,
    PQ_CT_UINT_16 = 12,
    PQ_CT_UINT_32 = 13,
    PQ_CT_UINT_64 = 14,
    PQ_CT_JSON = 19
};
/* LogicalType union members (the field ids of the union). */
enum pq_logical {
    PQ_LT_NONE = 0,
    PQ_LT_STRING = 1,
    PQ_LT_MAP = 2,
    PQ_LT_LIST = 3,
    PQ_LT_ENUM = 4,
    PQ_LT_DECIMAL = 5,
    PQ_LT_DATE = 6,
    PQ_LT_TIME = 7,
    PQ_LT_TIMESTAMP = 8,
    PQ_LT_INTEGER = 10,
    PQ_LT_UNKNOWN = 11,
    PQ_LT_JSON = 12,
    PQ_LT_BSON = 13,
    PQ_LT_UUID = 14,
    PQ_LT_FLOAT16 = 15
};
enum pq_time_unit { PQ_MILLIS = 1, PQ_MICROS = 2, PQ_NANOS = 3 };

/* "none", "snappy", ... ; NULL for codecs without a name here. */
const char *parquet_codec_name(int codec);
/* The codec for a config value ("none"/"uncompressed", "snappy", "gzip", "zstd", "lz4_raw";
 * NULL = snappy). 0, or ZEST_E_UNSUPPORTED naming the value. */
int parquet_codec_parse(const char *name, enum pq_codec *out, zest_error *err);

/* ---- codecs (parquet_codec.c) ----------------------------------------------------------- */

/* Compresses src into out (cleared first). 0, ZEST_E_NOMEM, or ZEST_E_UNSUPPORTED. */
int parquet_compress(int codec, const void *src, size_t len, struct buf *out);
/* Decompresses exactly `ulen` bytes into dst. 0, or ZEST_E_FORMAT (corrupt, wrong size),
 * ZEST_E_UNSUPPORTED (codec), with `why` set to a static description. */
int parquet_decompress(int codec, const void *src, size_t len, void *dst, size_t ulen,
                       const char **why);

/* ---- encodings (parquet_encode.c) ------------------------------------------------------- */

/* Bits needed for values 0..max. */
int pq_bit_width(uint64_t max);
/* Appends the RLE / bit-packed hybrid encoding of n values of `width` bits. */
int pq_rle_encode(const uint32_t *v, size_t n, int width, struct buf *out);
/* Decodes n values of `width` bits (0..32) from [p, p+len) into out; *used gets the bytes
 * read. 0, or ZEST_E_FORMAT (truncated, width > 32) with *why set. */
int pq_rle_decode(const uint8_t *p, size_t len, int width, uint32_t *out, size_t n,
                  size_t *used, const char **why);
/* DELTA_BINARY_PACKED: decodes up to n int64 values; *count gets the number in the stream,
 * *used the bytes read. */
int pq_delta_decode(const uint8_t *p, size_t len, int64_t *out, size_t n, size_t *count,
                    size_t *used, const char **why);

/* ---- writer (parquet_write.c) ----------------------------------------------------------- */

/* Where the file's bytes go: a sink, or a checkpoint writer. Returns 0 or a status. */
typedef int (*parquet_out_fn)(void *user, const void *data, size_t len, zest_error *err);

struct parquet_write_opts {
    enum pq_codec codec;      /* default PQ_SNAPPY */
    bool page_v2;             /* data pages v2 instead of v1 */
    bool no_dictionary;       /* PLAIN strings only */
    int64_t row_group_bytes;  /* 0 = PARQUET_ROW_GROUP_BYTES */
    int64_t page_bytes;       /* 0 = PARQUET_PAGE_BYTES */
};
#define PARQUET_ROW_GROUP_BYTES (64ll << 20)
#define PARQUET_PAGE_BYTES (1ll << 20)
#define PARQUET_DICT_MAX (1u << 20)

void parquet_write_opts_default(struct parquet_write_opts *o);

struct parquet_writer;

/* A writer sending bytes to out(user, ...). `name` (copied) appears in errors. */
int parquet_writer_new(const char *name, const struct parquet_write_opts *o, parquet_out_fn out,
                       void *user, struct parquet_writer **w, zest_error *err);
/* Appends the batch's rows (copied). The first batch fixes the schema. */
int parquet_writer_write(struct parquet_writer *w, const struct batch *b, zest_error *err);
/* Flushes the last row group and writes the footer (a file that got no batch has one string
 * column, "text", and no rows: readers such as DuckDB refuse files without columns).
 * The writer stays to be freed. */
int parquet_writer_close(struct parquet_writer *w, zest_error *err);
/* Rows written so far. */
int64_t parquet_writer_rows(const struct parquet_writer *w);
void parquet_writer_free(struct parquet_writer *w);

/* Convenience: a whole file written atomically through the sink. */
int parquet_file_open(const char *path, const struct parquet_write_opts *o,
                      struct parquet_writer **w, zest_error *err);
/* Closes the writer and commits the file (consumes the writer in every case). */
int parquet_file_commit(struct parquet_writer *w, uint64_t *bytes, zest_error *err);
/* Drops the temporary file (consumes the writer; accepts NULL). */
void parquet_file_abort(struct parquet_writer *w);

/* ---- reader (parquet_read.c) ------------------------------------------------------------ */

struct parquet_reader;

/* Opens a file (mapped read-only) and decodes its footer. 0, or ZEST_E_IO / ZEST_E_FORMAT /
 * ZEST_E_UNSUPPORTED with err naming the file and the cause. */
int parquet_reader_open(const char *path, struct parquet_reader **out, zest_error *err);
/* As parquet_reader_open over bytes in memory (borrowed; must outlive the reader). */
int parquet_reader_open_mem(const char *name, const void *data, size_t len,
                            struct parquet_reader **out, zest_error *err);
/* Caps the uncompressed size of one page (default 1 GiB); larger is ZEST_E_LIMIT. */
void parquet_reader_set_page_limit(struct parquet_reader *r, size_t bytes);
int64_t parquet_reader_rows(const struct parquet_reader *r);
size_t parquet_reader_row_groups(const struct parquet_reader *r);
int64_t parquet_reader_row_group_rows(const struct parquet_reader *r, size_t rg);
/* Keeps only the top-level columns named (NULL/0 = all). ZEST_E_NOTFOUND names a missing one. */
int parquet_reader_project(struct parquet_reader *r, const char *const *names, size_t n,
                           zest_error *err);
/* Decodes row group rg into *out; the batch borrows the reader's builders until the next call
 * or parquet_reader_close. */
int parquet_reader_read(struct parquet_reader *r, size_t rg, struct batch *out, zest_error *err);
void parquet_reader_close(struct parquet_reader *r);

#endif

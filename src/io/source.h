/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.h - the byte-stream layer under the JSONL reader: finding input files, detecting
 * compression by magic bytes, streaming decompression (gzip via zlib, zstd via libzstd), and
 * splitting the decompressed stream into lines with exact 1-based line numbers and byte
 * offsets, optionally over a byte range aligned to line boundaries.
 * Depends on common/ (buf, err), libc/POSIX, zlib and libzstd.
 */
#ifndef ZEST_SOURCE_H
#define ZEST_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "zest.h"

/* ---- input listing ------------------------------------------------------------------- */

struct source_file {
    char *path;   /* as found: the dataset path, or "dir/name", or a glob match */
    int64_t size; /* on-disk (compressed) size in bytes */
};

struct source_list {
    struct source_file *files;
    size_t count;
    int64_t total_bytes; /* sum of sizes */
};

/* Lists the input files of a dataset path:
 *  - a regular file: that file alone, whatever its name;
 *  - a directory: the regular files directly inside it (NOT recursive) whose names end in
 *    .jsonl, .json, .gz, .zst, .parquet, .arrow, .feather or .arrows (so *.jsonl.gz,
 *    *.json.zst, ... too), skipping names that
 *    start with '.' (hidden files and our own ".x.tmp.pid" temporaries); symlinks to regular
 *    files count;
 *  - otherwise, when the path does not exist and contains * ? or [: a glob(3) pattern; the
 *    regular files it matches.
 * Files come sorted by path in byte order (strcmp, not the locale), so the order - and with
 * it partition numbering - is the same on every machine.
 * Returns 0 and fills *out (free with source_list_free); ZEST_E_NOTFOUND naming the path
 * when nothing matches; ZEST_E_IO for unreadable directories; ZEST_E_UNSUPPORTED for paths
 * that are neither file nor directory (fifo, device). *out is zeroed on error. */
int source_list(const char *dataset_path, struct source_list *out, zest_error *err);

/* Frees the paths and the array; accepts NULL and a zeroed list. */
void source_list_free(struct source_list *list);

/* ---- compression detection ------------------------------------------------------------ */

enum source_codec { SOURCE_PLAIN = 0, SOURCE_GZIP, SOURCE_ZSTD };

/* Codec from the first bytes of a stream: 1f 8b = gzip, 28 b5 2f fd (or a zstd skippable
 * frame, 5? 2a 4d 18) = zstd, anything else (including fewer than 4 bytes) = plain. */
enum source_codec source_codec_sniff(const void *head, size_t len);

/* "plain", "gzip" or "zstd". */
const char *source_codec_name(enum source_codec codec);

/* ---- line reader ---------------------------------------------------------------------- */

/* Default read / decompression chunk: reads of this size feed the line splitter. */
#define LINEREADER_CHUNK (4u << 20)

struct linereader;

/* Opens `path` (borrowed; copied) for line reading. The codec comes from the magic bytes,
 * never from the extension. Concatenated gzip members and multiple zstd frames are read to
 * the end; data after a gzip member that is not another gzip member is a format error (we do
 * not silently ignore trailing garbage as gzip(1) does).
 *
 * max_line_bytes: longest accepted line, without its '\n' (0 = no limit other than memory).
 *   A longer line fails with ZEST_E_LIMIT as soon as the limit is passed; at most
 *   max_line_bytes + one chunk is ever buffered.
 * [start, end): byte range of the (uncompressed) file; end = -1 means to the end of file.
 *   The reader yields exactly the lines whose first byte lies in [start, end): a line that
 *   begins before `end` is read to its end even past `end`. Consecutive ranges therefore
 *   partition a file's lines with no loss and no duplication. For a range starting after 0
 *   the line numbers stay exact because the newlines before `start` are counted at the first
 *   linereader_next: a sequential read of bytes [0, start) with a branch-free SWAR count
 *   (about 4 GB/s end to end from the page cache, disk speed otherwise) - a cost of
 *   O(start), so reading all N ranges of a file this way scans about N/2 times its size. Callers that know the line number
 *   skip the scan with linereader_set_first_line. Compressed files accept only start = 0,
 *   end = -1 (else ZEST_E_UNSUPPORTED); negative start or end < start is ZEST_E_PARAM.
 *
 * Returns 0 and sets *out, or ZEST_E_NOTFOUND / ZEST_E_IO / ZEST_E_UNSUPPORTED /
 * ZEST_E_PARAM / ZEST_E_NOMEM with err naming the file. Not thread-safe: one reader, one
 * thread (distinct readers are independent). */
int linereader_open(const char *path, size_t max_line_bytes, int64_t start, int64_t end,
                    struct linereader **out, zest_error *err);

/* As linereader_open over an in-memory stream (borrowed: must outlive the reader), whole
 * stream only. `name` (copied) appears in error messages. Used by the fuzzer and by callers
 * that already hold the bytes. */
int linereader_open_mem(const char *name, const void *data, size_t len, size_t max_line_bytes,
                        struct linereader **out, zest_error *err);

/* Tuning and tests: the size of each read(2) / decompression output step (default
 * LINEREADER_CHUNK, minimum 1). Only before the first linereader_next. */
void linereader_set_chunk(struct linereader *r, size_t bytes);

/* Declares the 1-based line number of the first line the range yields, skipping the newline
 * count before `start` (see linereader_open). Only before the first linereader_next. */
void linereader_set_first_line(struct linereader *r, int64_t line_no);

/* With `on`, a line longer than max_line_bytes is not fatal: linereader_next skips it (still
 * never buffering more than the limit), returns ZEST_E_LIMIT once with err naming the file,
 * its line number and offset, and the next call goes on with the following line. */
void linereader_set_skip_long(struct linereader *r, int on);

/* Returns the next line: 1 and fills the outputs, 0 at the end of the range or stream, or a
 * negative status with err filled:
 *   ZEST_E_LIMIT  a line longer than max_line_bytes (err names file, line number, offset);
 *   ZEST_E_FORMAT a corrupt or truncated compressed stream (file, decompressed offset reached
 *                 and compressed offset). The complete lines decoded before the damage are
 *                 delivered first. gzip checks its CRC only at the end of a member, so lines
 *                 of a corrupt member may come out before the error; zstd may check a frame
 *                 checksum before or after flushing the frame's last bytes depending on the
 *                 chunk size, so how much of a damaged frame comes out can vary with it;
 *   ZEST_E_IO     a read error.
 * *line points into the reader's buffer (zero-copy) and stays valid until the next call or
 * linereader_close; *len excludes the '\n'. A '\r' before the '\n' is kept (JSON parsers treat
 * it as whitespace). The last line may lack its '\n'. Empty lines are returned too.
 * *line_no is 1-based; *offset is the byte offset of the line's first byte in the
 * decompressed stream. line_no and offset may be NULL. After an error every further call
 * returns the same status. */
int linereader_next(struct linereader *r, const char **line, size_t *len, int64_t *line_no,
                    int64_t *offset, zest_error *err);

/* The codec detected at open. */
enum source_codec linereader_codec(const struct linereader *r);

/* Bytes consumed from the underlying file so far (compressed bytes for gzip/zstd); for
 * progress reporting. */
int64_t linereader_bytes_in(const struct linereader *r);

/* Closes the file and frees the reader; accepts NULL. */
void linereader_close(struct linereader *r);

#endif

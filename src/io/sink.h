/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink.h - the output byte stream under the JSONL writer: an atomically committed file whose
 * compression follows its extension (".gz" gzip level 6, ".zst" zstd level 3 with a content
 * checksum, anything else plain). Bytes go to "<dir>/.<name>.tmp.<pid>"; only sink_commit
 * makes them visible under the final name (tmp -> fsync -> rename -> fsync dir), so a crash
 * leaves either the old file or the complete new one. Depends on common/ (fsutil, err),
 * zlib and libzstd.
 */
#ifndef ZEST_SINK_H
#define ZEST_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "zest.h"

/* Size of the write buffer (uncompressed input) and of the compressed output buffer. */
#define SINK_BUF (1u << 20)

enum sink_codec { SINK_PLAIN = 0, SINK_GZIP, SINK_ZSTD };

struct sink;

/* The codec chosen for a path by its extension. */
enum sink_codec sink_codec_for_path(const char *path);

/* Creates the temporary file next to `path` (borrowed; copied) and prepares the encoder.
 * Returns 0 and sets *out, or ZEST_E_IO (naming the path and strerror: missing directory,
 * permission, ...), ZEST_E_NOMEM, ZEST_E_LIMIT (path too long). Not thread-safe per sink. */
int sink_open(const char *path, struct sink **out, zest_error *err);

/* As sink_open, for a file read back soon (a checkpoint the next op reads): written through
 * the page cache (writeback started as it goes), where sink_open writes around it. */
int sink_open_cached(const char *path, struct sink **out, zest_error *err);

/* Appends len bytes (borrowed; copied or encoded before returning). Buffered: bytes reach the
 * file in SINK_BUF steps. Returns 0 or ZEST_E_IO (ENOSPC, EIO, EFBIG, ...) / ZEST_E_NOMEM;
 * after a failure every later call fails the same way and sink_commit refuses to commit. */
int sink_write(struct sink *s, const void *data, size_t len, zest_error *err);

/* Uncompressed bytes accepted by sink_write so far. */
uint64_t sink_bytes(const struct sink *s);

/* Finishes the stream, fsyncs, closes, renames over `path` (replacing an existing file) and
 * fsyncs the directory. Consumes the sink in every case: on failure the temporary file is
 * removed and `path` is left as it was. Returns 0 or ZEST_E_IO / ZEST_E_NOMEM. When
 * bytes_out is not NULL it receives the size of the committed file. */
int sink_commit(struct sink *s, uint64_t *bytes_out, zest_error *err);

/* Removes the temporary file and frees the sink; `path` is untouched. Accepts NULL, so a
 * `goto out` path may call it on a sink that was never opened. */
void sink_abort(struct sink *s);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shardsink.h - the export as Data-Juicer's export_shard_size asks: JSONL lines cut into files
 * of about shard_bytes uncompressed bytes each, or one file when shard_bytes is 0. Each shard
 * is an io/sink (same codec choice by extension, same tmp -> fsync -> rename commit); the
 * shard count is known only at the end, so shards are staged under hidden names and get their
 * final names in shardsink_commit. Depends on io/sink and common/.
 *
 * Naming. The file name of the export path splits at its first dot (a dot that begins the
 * name does not count): base before it, suffix after it, so "out/data.jsonl.gz" gives base
 * "out/data" and suffix "jsonl.gz". Shard i of n (0-based) is "<base>-<i>-of-<n>.<suffix>"
 * (no ".<suffix>" when the name has no dot), with i and n zero-padded to one digit more than
 * n has, as Data-Juicer's Exporter pads: 3 shards are data-00-of-03 .. data-02-of-03, 10 are
 * data-000-of-010 .. data-009-of-010.
 *
 * Splitting. Shards end only at line ends. A shard is closed at the first line end at which it
 * holds >= shard_bytes bytes, so every shard but the last holds at least shard_bytes bytes, and
 * a single line longer than shard_bytes sits whole in its own shard. An empty export is one
 * empty shard, "-00-of-01". Concatenating the shards in index order (after decompression)
 * gives exactly the bytes written.
 *
 * Commit. Every shard is fsynced before its rename; then files of an earlier export of the
 * same base and suffix that are not part of this one ("<base>-<digits>-of-<digits>.<suffix>",
 * any count) are removed, and the directory is fsynced, so a re-run never leaves a mixed set.
 * Each file appears atomically, the set does not: a crash inside shardsink_commit (renames and
 * unlinks only) may leave part of the new set beside part of the old one.
 */
#ifndef ZEST_SHARDSINK_H
#define ZEST_SHARDSINK_H

#include <stddef.h>
#include <stdint.h>

#include "zest.h"

struct shardsink;

/* Writes the final name of shard i of n for `path` into out (see Naming). Returns 0 or
 * ZEST_E_LIMIT when it does not fit in cap. */
int shardsink_shard_path(const char *path, size_t i, size_t n, char *out, size_t cap,
                         zest_error *err);

/* Opens the export at `path` (borrowed; copied). shard_bytes 0: one file at `path`, exactly an
 * io/sink; > 0: shards as above, the first one created now so that a missing directory or a
 * permission problem shows here. Returns 0 and sets *out, or ZEST_E_PARAM (negative
 * shard_bytes), ZEST_E_IO, ZEST_E_NOMEM, ZEST_E_LIMIT (path too long). Not thread-safe. */
int shardsink_open(const char *path, int64_t shard_bytes, struct shardsink **out, zest_error *err);

/* Appends len bytes (borrowed) of whole JSONL lines; a chunk may hold many lines. A chunk that
 * ends inside a line is accepted (the line continues with the next chunk and is never cut).
 * Returns 0 or the sink's error (ZEST_E_IO, ZEST_E_NOMEM); after a failure every later call
 * fails and shardsink_commit refuses to commit. */
int shardsink_write(struct shardsink *s, const void *data, size_t len, zest_error *err);

/* Commits the export (see Commit). Consumes the shardsink in every case; on failure nothing of
 * this export is left under a final name, except that a file it replaced is gone. n_files, when
 * not NULL, receives the number of files written (1 when shard_bytes is 0). Returns 0 or
 * ZEST_E_IO / ZEST_E_NOMEM / ZEST_E_LIMIT. */
int shardsink_commit(struct shardsink *s, size_t *n_files, zest_error *err);

/* Removes every staged shard and frees the shardsink; no final name is touched. Accepts NULL. */
void shardsink_abort(struct shardsink *s);

#endif

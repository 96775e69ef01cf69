/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dedupfile.h - the files a global operator's phases hand each other, and the combine seam.
 * A signature file holds one partition's signatures (the rows reaching the op, in order); a
 * decision file holds every partition's keep bits. Both carry a key (the op-prefix hashes of
 * the input, the partition and the ops up to this one, so a changed input or parameter never
 * reuses them) and a checksum, and are written atomically (tmp, fsync, rename, fsync dir).
 * dedupfile_combine and dedupfile_finalize are the whole of the global step: their inputs are
 * the signature files, their output the decision file, nothing else - where a cluster run
 * would merge across ranks. Formats in docs/dedup.md. Depends on ops/op.h and common/.
 */
#ifndef ZEST_DEDUPFILE_H
#define ZEST_DEDUPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../ops/op.h"
#include "zest.h"

/* Writes one partition's signatures (`sigs`: rows * sig_size bytes) atomically. The trailer
 * is appended to `sigs` for the write and taken off again: its bytes are unchanged after. */
int dedupfile_write_sigs(const char *path, uint64_t key, int64_t part, size_t sig_size,
                         struct buf *sigs, zest_error *err);
/* 1 when `path` is a complete signature file for (key, part, sig_size), else 0. */
int dedupfile_sigs_valid(const char *path, uint64_t key, int64_t part, size_t sig_size);

/* The combine phase: every partition's signature file (paths in partition order, keys[p]
 * each) concatenated in global input order into *out (out->data owned by `store`); rows[p]
 * gets each partition's count. ZEST_E_FORMAT naming a missing or damaged file. */
int dedupfile_combine(char *const *paths, const uint64_t *keys, size_t n_parts, size_t sig_size,
                      struct buf *store, struct dedup_sigs *out, int64_t *rows, zest_error *err);

/* The finalize phase: the op's decision over `in`, written to `path` atomically with
 * per-partition bitmaps (rows[p] bits each, byte-aligned). *kept gets the rows kept. */
int dedupfile_finalize(const struct op_desc *op, const struct op_params *params,
                       const struct dedup_sigs *in, const int64_t *rows, size_t n_parts,
                       uint64_t key, int threads, const char *path, int64_t *kept, zest_error *err);

/* A decision file read back and checked against key and n_parts: `file` holds its bytes,
 * bits[p] / rows[p] each partition's bitmap. Returns 1 when loaded, 0 when absent or not
 * this decision (changed input or parameters, damaged), < 0 on an I/O error. */
struct dedup_decision {
    struct buf file;
    const uint8_t **bits;
    int64_t *rows;
    size_t n_parts;
};
int dedupfile_load_decision(const char *path, uint64_t key, size_t n_parts,
                            struct dedup_decision *d, zest_error *err);
void dedupfile_decision_free(struct dedup_decision *d);

#endif

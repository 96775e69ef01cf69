/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ckpt.h - the checkpoint store of the partitioned executor (DESIGN §4): file naming, the
 * streaming checksum, op-prefix hashes, the commit protocol (a checkpoint file committed by the
 * sink, then a record appended to its partition's manifest), lookup of the latest valid
 * checkpoint for resume (size and checksum verified), and cleanup. The store never prints and
 * never emits events: it returns records and findings, and the executor logs them.
 *
 * Layout under the checkpoint directory (`checkpoint_dir`, default <job dir>/checkpoints):
 *   checkpoint_op_<k:04d>_partition_<p:04d>.<jsonl|jsonl.gz|jsonl.zst|parquet|arrow>
 *   manifest/partition_<p:04d>.json        the partition's commit records
 * Op indexes are 0-based, as in Data-Juicer's names: the checkpoint of op k holds the rows after
 * ops 0..k. A checkpoint file without a manifest record does not exist for resume.
 *
 * Thread-safety: a store is read-only after ckpt_store_open, so calls for different partitions
 * may run on different threads at once; calls for one partition must be serialised by the
 * caller (one worker owns a partition). One process owns a checkpoint directory.
 *
 * Depends on common/ (err, fsutil, hash, buf, arena), io/json.h (manifest text), io/sink.h and
 * io/source.h (writing and verifying checkpoint bytes), ops/op.h (parameters for the hash).
 */
#ifndef ZEST_CKPT_H
#define ZEST_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../ops/op.h"
#include "zest.h"

/* Bumped when the checkpoint bytes or the hash recipe change: old checkpoints then no longer
 * match any expected op-prefix hash and are recomputed. */
#define CKPT_FORMAT_VERSION 1
/* Manifest file format version (the JSON layout, docs/checkpoints.md). */
#define CKPT_MANIFEST_VERSION 1
/* Longest op name and file name a record holds, with the NUL. */
#define CKPT_NAME_MAX 128

/* ---- names ---------------------------------------------------------------------------- */

enum ckpt_format {
    CKPT_JSONL = 0,
    CKPT_JSONL_GZ,
    CKPT_JSONL_ZST,
    CKPT_PARQUET_SNAPPY, /* .parquet, lossless (io/parquet_lines.h), pages compressed as named */
    CKPT_PARQUET_ZSTD,
    CKPT_PARQUET_GZIP,
    CKPT_PARQUET_NONE,
    CKPT_ARROW_LZ4, /* .arrow (IPC file format), lossless like Parquet; buffers LZ4_FRAME */
    CKPT_ARROW_ZSTD,
    CKPT_ARROW_NONE
};

/* True for the Parquet formats. */
static inline int ckpt_format_is_parquet(enum ckpt_format f) {
    return f >= CKPT_PARQUET_SNAPPY && f <= CKPT_PARQUET_NONE;
}

/* True for the Arrow IPC formats. */
static inline int ckpt_format_is_arrow(enum ckpt_format f) {
    return f >= CKPT_ARROW_LZ4 && f <= CKPT_ARROW_NONE;
}

/* "jsonl", "jsonl.gz", "jsonl.zst", "parquet" or "arrow". */
const char *ckpt_format_ext(enum ckpt_format f);

/* The format for a config's storage_format ("jsonl", "parquet", "arrow") and compression
 * ("none", "gzip", "zstd", and for parquet "snappy"; NULL = none for jsonl, snappy for
 * parquet and arrow). Arrow IPC has no snappy and no gzip: "snappy" gives LZ4_FRAME buffers
 * (its fast codec). Returns 0, or ZEST_E_UNSUPPORTED naming the pair (jsonl with snappy,
 * arrow with gzip). */
int ckpt_format_from_config(const char *storage_format, const char *compression,
                            enum ckpt_format *out, zest_error *err);

/* Writes "checkpoint_op_<op:04d>_partition_<p:04d>.<ext>" into out. Returns 0, ZEST_E_PARAM
 * for a negative index, or ZEST_E_LIMIT when it does not fit in cap. */
int ckpt_file_name(int op_index, int partition, enum ckpt_format f, char *out, size_t cap,
                   zest_error *err);

/* Writes "partition_<p:04d>.json" into out (same returns as ckpt_file_name). */
int ckpt_manifest_name(int partition, char *out, size_t cap, zest_error *err);

/* ---- checksum ------------------------------------------------------------------------- */

/* A streaming form of hash_bytes (common/hash.h): feeding bytes in any pieces gives the same
 * result as one call over their concatenation, because whole 8-byte words are kept across
 * calls. The checkpoint checksum is this hash over the file's uncompressed bytes. */
struct ckpt_hasher {
    uint64_t h;
    uint64_t bytes;         /* bytes fed so far */
    unsigned char carry[8]; /* the tail that does not yet fill a word */
    size_t n_carry;
};

void ckpt_hasher_init(struct ckpt_hasher *hs);
void ckpt_hasher_update(struct ckpt_hasher *hs, const void *data, size_t len);
/* The checksum of everything fed (the hasher stays usable; more bytes may follow). */
uint64_t ckpt_hasher_final(const struct ckpt_hasher *hs);

/* Writes h as 16 lower-case hex digits and a NUL. */
void ckpt_hex(uint64_t h, char out[17]);
/* Parses exactly 16 hex digits; 0 on success, -1 otherwise. */
int ckpt_unhex(const char *s, size_t len, uint64_t *out);

/* ---- op-prefix hashes ----------------------------------------------------------------- */

/* Where a partition's rows come from, as the partition plan says: the source path (or partition
 * file) and the byte or row range, end = -1 for "to the end". Borrowed. */
struct ckpt_partition_ref {
    const char *source;
    int64_t start, end;
};

/* One pipeline step: the operator and its bound parameters (borrowed). */
struct ckpt_op_ref {
    const struct op_desc *desc;
    const struct op_params *params;
};

/* Fills out[k] (k = 0..n_ops-1) with the op-prefix hash of the checkpoint after op k: a hash
 * of (CKPT_FORMAT_VERSION, the input fingerprint text, the partition's source and range, and
 * for ops 0..k their names and every parameter's name, type and value). Each out[k] extends
 * out[k-1], so changing op j's parameters changes out[j..] and keeps out[0..j-1]. Returns 0,
 * or ZEST_E_PARAM when params do not match the op's schema (count). Thread-safe. */
int ckpt_prefix_hashes(const char *input_fingerprint, const struct ckpt_partition_ref *part,
                       const struct ckpt_op_ref *ops, size_t n_ops, uint64_t *out, zest_error *err);

/* ---- records and manifests ------------------------------------------------------------ */

/* One committed checkpoint, as its manifest line records it. */
struct ckpt_record {
    int op_index;                /* 0-based: the rows after ops 0..op_index */
    char op_name[CKPT_NAME_MAX]; /* the name of op op_index */
    uint64_t prefix_hash;        /* ckpt_prefix_hashes()[op_index] when it was written */
    int64_t rows;                /* records in the file */
    uint64_t bytes;              /* file size on disk (compressed size for .gz / .zst) */
    uint64_t content_bytes;      /* uncompressed bytes */
    uint64_t checksum;           /* ckpt_hasher over the uncompressed bytes */
    char file[CKPT_NAME_MAX];    /* file name inside the checkpoint directory */
    int64_t committed_ms;        /* commit time, Unix milliseconds */
};

/* A partition's manifest: its records in ascending op_index order (unique). */
struct ckpt_manifest {
    int partition;
    struct ckpt_record *recs;
    size_t n, cap;
};

/* manifest.c: the manifest JSON (docs/checkpoints.md). */
/* Appends the manifest's text (one JSON object, then '\n') to out. 0 or ZEST_E_NOMEM. */
int manifest_format(const struct ckpt_manifest *m, struct buf *out);
/* Parses a manifest text; `path` names it in errors. Returns 0 and fills *m (free with
 * manifest_free), or ZEST_E_FORMAT with err naming path, offset and cause (bad JSON, a
 * missing or mistyped field, a wrong partition, unsorted records, a file name with '/'). */
int manifest_parse(const char *path, int partition, const char *text, size_t len,
                   struct ckpt_manifest *m, zest_error *err);
/* Reads `path`; a missing file is an empty manifest. 0, ZEST_E_IO or ZEST_E_FORMAT. */
int manifest_load(const char *path, int partition, struct ckpt_manifest *m, zest_error *err);
/* Replaces `path` atomically (fsutil_write_atomic): readers and crashes see the old or the
 * new manifest, never a mix. */
int manifest_save(const char *path, const struct ckpt_manifest *m, zest_error *err);
/* Inserts rec in op_index order, replacing a record with the same op_index. */
int manifest_put(struct ckpt_manifest *m, const struct ckpt_record *rec);
/* Frees the records; accepts NULL and a zeroed manifest. */
void manifest_free(struct ckpt_manifest *m);

/* ---- the store ------------------------------------------------------------------------ */

struct ckpt_store;

/* Opens (creating as needed, mkdir -p) the checkpoint directory `dir` and its manifest/
 * subdirectory, and removes the temporaries a crashed writer left there (dot-named
 * ".<name>.tmp.<pid>" files). Call it before any writer of this directory starts. Returns 0 and
 * sets *out, or ZEST_E_IO / ZEST_E_NOMEM / ZEST_E_LIMIT naming the directory. */
int ckpt_store_open(const char *dir, struct ckpt_store **out, zest_error *err);
/* Frees the store (files are untouched); accepts NULL. */
void ckpt_store_close(struct ckpt_store *s);
/* The checkpoint directory, as given to open. */
const char *ckpt_store_dir(const struct ckpt_store *s);

/* Writes "<dir>/<name>" into out (ZEST_E_LIMIT when it does not fit). */
int ckpt_path(const struct ckpt_store *s, const char *name, char *out, size_t cap, zest_error *err);

/* Loads partition p's manifest (missing = empty). */
int ckpt_manifest_read(const struct ckpt_store *s, int partition, struct ckpt_manifest *m,
                       zest_error *err);

/* ---- writing: the commit protocol ----------------------------------------------------- */

struct ckpt_writer;

/* Starts the checkpoint file of op op_index of partition p in format f, through the sink (a
 * temporary name until ckpt_writer_finish). The writer belongs to one thread. */
int ckpt_writer_open(const struct ckpt_store *s, int partition, int op_index, enum ckpt_format f,
                     struct ckpt_writer **out, zest_error *err);
/* Appends bytes (borrowed) of JSON lines, feeding the checksum as they pass (a Parquet
 * checkpoint turns the lines into Parquet first; the checksum covers the file's bytes). Sink
 * errors are sticky. */
int ckpt_writer_write(struct ckpt_writer *w, const void *data, size_t len, zest_error *err);
/* Commits the file (sink_commit: fsync, rename, fsync dir) and fills *rec with everything but
 * the manifest's say: op name, prefix hash and rows come from the caller. Consumes the writer
 * in every case. The file is on disk but does not exist for resume until ckpt_commit. */
int ckpt_writer_finish(struct ckpt_writer *w, const char *op_name, uint64_t prefix_hash,
                       int64_t rows, struct ckpt_record *rec, zest_error *err);
/* Drops the temporary file and frees the writer; accepts NULL. */
void ckpt_writer_abort(struct ckpt_writer *w);

/* Records a finished checkpoint in partition p's manifest: the record replaces one with the same
 * op index, and records of later ops (an older lineage: a later checkpoint derives from this
 * one) are dropped; the manifest is rewritten atomically, then the dropped records' files are
 * deleted. Returns 0, or ZEST_E_IO / ZEST_E_FORMAT (an unreadable manifest) / ZEST_E_PARAM. */
int ckpt_commit(const struct ckpt_store *s, int partition, const struct ckpt_record *rec,
                zest_error *err);

/* ---- resume --------------------------------------------------------------------------- */

enum ckpt_problem {
    CKPT_STALE = 1,         /* op-prefix hash differs: an op or its parameters changed */
    CKPT_MISSING,           /* the recorded file does not exist */
    CKPT_SIZE_MISMATCH,     /* file size differs from the record (truncated, appended) */
    CKPT_CHECKSUM_MISMATCH, /* content differs from the record (bit flip) */
    CKPT_UNREADABLE         /* read error or a corrupt compressed stream */
};

/* Why a record was not used. `detail` is a full sentence naming the file and the cause. */
struct ckpt_finding {
    int partition;
    int op_index;
    enum ckpt_problem problem;
    char file[CKPT_NAME_MAX];
    char detail[512];
};

/* "stale", "missing", "size_mismatch", "checksum_mismatch", "unreadable". */
const char *ckpt_problem_name(enum ckpt_problem p);

typedef void (*ckpt_finding_fn)(void *user, const struct ckpt_finding *f);

/* Finds the checkpoint of partition p to resume from: the record with the highest op index
 * below n_ops whose prefix hash equals expected[op_index] and whose file has the recorded size
 * and checksum (read in full, streaming). Every record passed over on the way down is reported
 * to fn (may be NULL) with the reason. Returns 1 and fills *out when one is found, 0 when none
 * is (resume from the source), or a negative status: ZEST_E_FORMAT for a corrupt manifest
 * (err names it), ZEST_E_IO. Verification reads files; it never changes them. */
int ckpt_latest_valid(const struct ckpt_store *s, int partition, const uint64_t *expected,
                      size_t n_ops, ckpt_finding_fn fn, void *user, struct ckpt_record *out,
                      zest_error *err);

/* Verifies one record's file (size, then streamed checksum). Returns 0 when valid; otherwise a
 * problem (CKPT_MISSING ...) with `detail` (cap bytes) filled. */
int ckpt_verify(const struct ckpt_store *s, const struct ckpt_record *rec, char *detail,
                size_t cap);

/* ---- cleanup -------------------------------------------------------------------------- */

/* Keeps the `keep` newest (highest op index) records of partition p and removes the others:
 * the manifest is rewritten first, then their files deleted, so a crash leaves at worst files
 * without records. *removed (malloc'd, free()) and *n_removed receive the removed records;
 * both may be NULL. For max_checkpoints_per_partition with cleanup_old_checkpoints. */
int ckpt_cleanup(const struct ckpt_store *s, int partition, size_t keep,
                 struct ckpt_record **removed, size_t *n_removed, zest_error *err);

/* Removes everything partition p has in the store: the manifest first, then every file named
 * checkpoint_op_*_partition_<p:04d>.* (recorded or not). For preserve_intermediate_data: false
 * after a successful export. *n_files (may be NULL) receives the number of files deleted. */
int ckpt_remove_partition(const struct ckpt_store *s, int partition, size_t *n_files,
                          zest_error *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partplan.h - the partition planner: cuts the input files of a job into partitions that
 * depend only on the input and the partition settings (never on np or timing), and stores
 * the plan as partitions.json. Plain JSONL files become byte ranges aligned to line starts,
 * found by one newline scan over a read-only mapping (the input is never copied); gzip and
 * zstd files become "stream" partitions that partplan_split_streams decompresses once into
 * partition files. The rules are documented in docs/partitioning.md.
 * Depends on io/source (listing, codec sniffing, line reader), exec/fingerprint, io/json and
 * common/ (hash, fsutil, buf, arena, err). Callers: the partitioned executor.
 */
#ifndef ZEST_PARTPLAN_H
#define ZEST_PARTPLAN_H

#include <stddef.h>
#include <stdint.h>

#include "zest.h"
#include "../io/source.h"
#include "fingerprint.h"

struct zest_config;

/* Version of the partitions.json layout; a reader refuses any other. */
#define PARTPLAN_FORMAT_VERSION 1

/* 1 MB in every partition setting: 2^20 bytes. */
#define PARTPLAN_MB ((int64_t)1 << 20)

enum partplan_mode {
    PARTPLAN_LIMITS = 0, /* sample- and/or size-based: max_rows, max_bytes (0 = no limit) */
    PARTPLAN_AUTO,       /* adaptive: a size chosen from input, cores and memory */
    PARTPLAN_MANUAL,     /* num_partitions partitions of about equal bytes */
};

/* What the plan is cut by. Only mode and its fields matter; the others are recorded. */
struct partplan_settings {
    enum partplan_mode mode;
    int64_t max_rows;       /* LIMITS: lines per partition (0 = none) */
    int64_t max_bytes;      /* LIMITS: bytes per partition (0 = none); AUTO: upper bound */
    int64_t num_partitions; /* MANUAL: partitions wanted (>= 1) */
    int64_t target_bytes;   /* AUTO: upper bound on the chosen size (0 = none) */
    int64_t cores;          /* AUTO: machine cores (0 = sysconf) */
    int64_t mem_bytes;      /* AUTO: machine memory (0 = sysconf) */
};

enum partplan_kind {
    PARTPLAN_RANGE = 0, /* bytes [start, end) of an uncompressed file */
    PARTPLAN_STREAM,    /* a whole compressed file, to split with partplan_split_streams */
};

struct partplan_part {
    int64_t id;              /* 0-based, in input order across files */
    enum partplan_kind kind;
    char *source;            /* file to read (owned): an input file or a partition file */
    char *origin;            /* the input file the lines come from (owned) */
    int64_t start, end;      /* byte range of source; STREAM: 0, -1 */
    int64_t first_line;      /* 1-based line number in source of the first line */
    int64_t origin_line;     /* 1-based line number in origin of the first line */
    int64_t lines;           /* lines in the range (blank ones too); STREAM: -1 */
    uint64_t hash;           /* hash_wide over its bytes (common/hash.h); STREAM: 0 */
    int64_t stream_parts;    /* STREAM in MANUAL mode: its share of num_partitions; else 0 */
};

struct partplan {
    struct partplan_settings settings; /* as used (cores and memory resolved) */
    int64_t chosen_rows;               /* the effective cut: lines per partition, 0 = none */
    int64_t chosen_bytes;              /* bytes per partition, 0 = none */
    char decision[512];                /* why: one line, for the executor's event */
    struct fingerprint fp;             /* of the input list */
    struct partplan_part *parts;
    size_t count;
};

/* Settings from a loaded config: partition.mode manual -> MANUAL with num_of_partitions;
 * auto -> AUTO bounded by partition.target_size_mb and max_partition_size_mb. (The config
 * has no key selecting the sample/size strategies yet; callers set PARTPLAN_LIMITS.) */
void partplan_settings_from_config(const struct zest_config *cfg, struct partplan_settings *out);

/* The adaptive rule (docs/partitioning.md): the partition size in bytes for `input_bytes` of
 * input with records of `avg_record` bytes on average, under s->cores, s->mem_bytes (both
 * resolved, > 0), s->target_bytes and s->max_bytes (0 = no bound). *why (static text) says
 * which clause decided. Pure: the same arguments give the same size everywhere. */
int64_t partplan_auto_size(int64_t input_bytes, int64_t avg_record,
                           const struct partplan_settings *s, const char **why);

/* Plans `files` (borrowed) under `settings`: fingerprints the input, decides the cut (AUTO),
 * scans each plain file once and marks compressed files as STREAM partitions. Returns 0 and
 * fills *out (free with partplan_free), or ZEST_E_PARAM (bad settings), ZEST_E_IO /
 * ZEST_E_NOMEM with err naming the file. *out is zeroed on error. */
int partplan_build(const struct source_list *files, const struct partplan_settings *settings,
                   struct partplan *out, zest_error *err);

/* Replaces every STREAM partition of `plan` by RANGE partitions over partition files
 * `dir`/part_<id:06d>.jsonl (dir is created when missing), decompressing each compressed
 * file once with the line reader and cutting at the plan's rules; ids are renumbered so they
 * stay in input order. Each file is written atomically; every line ends with '\n' there.
 * max_line_bytes as for linereader_open. Returns 0, or the reader's / writer's status with
 * err naming the file; on error the plan is unchanged (files already written may remain). */
int partplan_split_streams(struct partplan *plan, const char *dir, size_t max_line_bytes,
                           zest_error *err);

/* Frees the plan's partitions; accepts NULL and a zeroed plan. */
void partplan_free(struct partplan *plan);

/* ---- partitions.json (partplan_json.c) ------------------------------------------------- */

/* Writes `plan` to `path` atomically (tmp, fsync, rename). */
int partplan_write(const struct partplan *plan, const char *path, zest_error *err);

/* Reads and validates a plan written by partplan_write. Returns 0 and fills *out, or
 * ZEST_E_NOTFOUND / ZEST_E_IO, or ZEST_E_FORMAT with err naming the file and the field. */
int partplan_read(const char *path, struct partplan *out, zest_error *err);

/* Flags returned by partplan_compare. */
#define PARTPLAN_SAME 0
#define PARTPLAN_CHANGED_INPUT 1    /* the fingerprint differs */
#define PARTPLAN_CHANGED_SETTINGS 2 /* mode or its limits differ (machine values ignored) */

/* Compares a stored plan with the current fingerprint and settings. Returns a combination of
 * the flags above; when not PARTPLAN_SAME, err (may be NULL) says what changed. */
int partplan_compare(const struct partplan *stored, const struct fingerprint *fp,
                     const struct partplan_settings *settings, zest_error *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonl.h - JSON Lines records to columnar batches and back.
 *
 * Reading: each record (a JSON object on one line) is parsed once, straight into column
 * builders: the text field is unescaped into a utf8 column, `__dj__stats__` is typed (a
 * struct), and every other field keeps its canonical JSON text in a json column, so a
 * JSONL-to-JSONL pipeline never builds values it only passes through. With `infer_types`
 * every field is typed instead (the schema inference of data/column.h). A record that is not
 * a JSON object, is malformed, has a duplicate key, or lacks a string text field is a bad
 * record: its partial values are rolled back and the caller gets the reason and the byte
 * position in the line.
 *
 * Writing: rows go out in batch order as canonical JSON, keys in the record's own order
 * (a record whose keys came in another order than the batch's columns carries a permutation),
 * fields a record did not have stay absent, and the stats are assembled into
 * `__dj__stats__` where the record had it (or at the end) when asked to keep them.
 *
 * Depends on io/json, data/column and common/.
 */
#ifndef ZEST_JSONL_H
#define ZEST_JSONL_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/buf.h"
#include "../data/column.h"
#include "json.h"

#define JSONL_STATS_FIELD "__dj__stats__"
#define JSONL_MAX_FIELDS 4096

enum jsonl_role { JSONL_TEXT, JSONL_STATS, JSONL_RAW, JSONL_TYPED };

struct jsonl_field {
    char *name;
    size_t name_len;
    enum jsonl_role role;
    struct col_builder b;
    uint64_t stamp;       /* record in which the field was last seen */
    size_t mark;          /* b.data.len before this record's bytes */
    struct json_value dom; /* this record's value, for typed fields */
};

struct jsonl_bad {
    char reason[256];
    int64_t column; /* byte position in the line */
};

struct jsonl_reader {
    const char *text_key;
    bool infer_types;
    bool text_raw; /* no op reads the text: keep it as canonical JSON text, never unescaped */
    struct arena *arena; /* batch arena: trees of typed values, permutations */
    size_t n_fields, cap_fields;
    struct jsonl_field *fields;
    uint16_t *order;      /* field indices of the current record, in its key order */
    int64_t rows;
    uint64_t stamp;
    struct buf key;
    const uint16_t **perm; /* per row: NULL (batch order) or {count, idx...} */
    size_t cap_perm;
    struct column *cols;   /* finished batch (cap_cols entries, reused) */
    size_t cap_cols;
    const char **names;
};

/* `text_key` is borrowed and must outlive the reader. */
void jsonl_reader_init(struct jsonl_reader *r, const char *text_key, bool infer_types,
                       struct arena *arena);
void jsonl_reader_destroy(struct jsonl_reader *r);
/* Parses one line into the batch being built. Returns 0 (row added), 1 (bad record: `bad`
 * filled, nothing added), or a negative status for an infrastructure failure. */
int jsonl_parse_record(struct jsonl_reader *r, const char *line, size_t len, struct jsonl_bad *bad);
/* Bytes buffered in the batch being built (to bound a batch's memory). */
size_t jsonl_reader_bytes(const struct jsonl_reader *r);
/* Finishes the batch: `out` borrows the reader's builders until jsonl_reader_reset. `perm`
 * (per row, may be NULL) gets the key-order permutations. */
int jsonl_reader_finish(struct jsonl_reader *r, struct batch *out, const uint16_t *const **perm);
/* Empties the batch for the next one, keeping the fields seen so far and their memory. */
void jsonl_reader_reset(struct jsonl_reader *r);

struct jsonl_write_spec {
    const struct batch *b;
    const uint16_t *const *perm; /* per row or NULL */
    int stats_col;               /* column holding the input's __dj__stats__, or -1 */
    bool keep_stats;
    size_t n_stats;
    const char *const *stats_names;
    const struct column *stats_cols;
};
/* Appends every row of the batch as one JSON line. */
int jsonl_write_batch(const struct jsonl_write_spec *s, struct buf *out);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * column.h - the columnar batch in the Arrow memory layout, its builders, slicing, selection
 * with compaction, and export through the Arrow C Data Interface.
 *
 * Types: null, bool (bit-packed), int64, double, utf8 (int64 offsets: Arrow "large_utf8"),
 * json (utf8 storage holding one canonical JSON text per row, for fields no op reads and for
 * values whose types conflict), struct and list (int64 offsets: Arrow "large_list").
 * Validity bitmaps are LSB-first, 1 = valid, and absent (NULL) when a column has no nulls.
 *
 * Ownership: a finished column borrows the buffers of the builder that made it; they stay
 * valid until that builder is reset or destroyed. Builders are reused from batch to batch, so
 * a steady-state run allocates nothing per batch.
 *
 * Schema inference from JSON (colb_append_json) and its one promotion rule:
 *   - null fits any column (the row is null);
 *   - bool, int64, double, utf8, struct, list: the first non-null value fixes the type;
 *   - int64 then double (or double then int64) -> double; an integer literal that does not
 *     fit int64 makes the column json (double would lose digits);
 *   - struct + struct -> struct with the union of fields (absent fields are null);
 *     list + list -> list with the child promoted by the same rule;
 *   - any other conflict -> json: every value of the column keeps its canonical JSON text.
 * No value is ever dropped or rounded.
 *
 * Depends on common/ and io/json.h's value tree (data-only; no I/O).
 */
#ifndef ZEST_COLUMN_H
#define ZEST_COLUMN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../io/json.h"

enum col_type { COL_NULL, COL_BOOL, COL_INT64, COL_DOUBLE, COL_UTF8, COL_JSON, COL_STRUCT, COL_LIST };

struct column {
    enum col_type type;
    int64_t length;
    int64_t offset;     /* logical start within the buffers (Arrow's offset), for slices */
    int64_t null_count;
    const uint8_t *validity; /* NULL: all valid */
    const uint8_t *bits;     /* COL_BOOL values */
    const int64_t *i64;      /* COL_INT64 */
    const double *f64;       /* COL_DOUBLE */
    const int64_t *offsets;  /* COL_UTF8, COL_JSON, COL_LIST: offset+length+1 entries */
    const char *data;        /* COL_UTF8, COL_JSON bytes */
    size_t n_children;       /* COL_STRUCT fields, or 1 for COL_LIST */
    struct column *children;
    const char *const *child_names; /* COL_STRUCT */
};

static inline bool col_is_valid(const struct column *c, int64_t i) {
    const int64_t j = c->offset + i;
    return !c->validity || (c->validity[j >> 3] >> (j & 7)) & 1;
}
/* Bytes of row i of a utf8/json column. */
static inline const char *col_str(const struct column *c, int64_t i, size_t *len) {
    const int64_t j = c->offset + i;
    *len = (size_t)(c->offsets[j + 1] - c->offsets[j]);
    return c->data + c->offsets[j];
}
/* Index of the struct child called `name`, or -1. */
int col_child_index(const struct column *c, const char *name);

/* A batch: named columns of equal length. */
struct batch {
    int64_t length;
    size_t n_cols;
    struct column *cols;
    const char *const *names;
};
/* Index of the column called `name`, or -1. */
int batch_find(const struct batch *b, const char *name);

/* --- builders ------------------------------------------------------------------------------ */
struct col_builder {
    enum col_type type; /* COL_NULL until the first non-null value when inferring */
    bool infer;         /* type follows the data (colb_append_json); else fixed */
    int64_t length, null_count;
    struct buf validity, values, offsets, data;
    size_t n_children, cap_children;
    struct col_builder *children; /* struct fields / list item */
    char **child_names;           /* owned copies */
    struct column *out_children;  /* storage for finished children */
};

/* Starts a builder of a fixed type, or with infer=true one whose type follows the data.
 * `max_bytes` caps the data buffer (0 = no cap). */
void colb_init(struct col_builder *b, enum col_type type, bool infer, size_t max_bytes);
void colb_destroy(struct col_builder *b);
/* Empties the builder, keeping its memory (and, when inferring, forgetting the type). */
void colb_reset(struct col_builder *b);

int colb_append_null(struct col_builder *b);
int colb_append_bool(struct col_builder *b, bool v);
int colb_append_int(struct col_builder *b, int64_t v);
int colb_append_double(struct col_builder *b, double v);
/* utf8 (or json, where `s` is canonical JSON text). */
int colb_append_str(struct col_builder *b, const char *s, size_t len);
/* For writers that fill bytes in place (the JSON parser unescapes straight into b->data):
 * append bytes to b->data, then call colb_commit_str() to close the row. */
int colb_commit_str(struct col_builder *b);
/* Appends a parsed JSON value, inferring and promoting the type as documented above. */
int colb_append_json(struct col_builder *b, const struct json_value *v);
/* Struct rows: the child called `name` (created and back-filled with nulls if new). */
struct col_builder *colb_struct_field(struct col_builder *b, const char *name, size_t len);
/* Closes a struct row: children that got no value in this row get a null. */
int colb_struct_end_row(struct col_builder *b);
/* Makes a column view over the builder's buffers. */
int colb_finish(struct col_builder *b, struct column *out);

/* --- slicing, selection, compaction ----------------------------------------------------------- */
/* A view of rows [start, start+len) sharing the buffers. */
struct column col_slice(const struct column *c, int64_t start, int64_t len);
/* A selection: one bit per row, 1 = keep. Filters set bits; compaction runs once per op. */
struct selection {
    int64_t length;
    int64_t kept;
    uint8_t *bits;
};
int sel_init(struct selection *s, int64_t length); /* all kept */
void sel_free(struct selection *s);
void sel_drop(struct selection *s, int64_t row);
/* Appends the kept rows of `c` into builder `out` (same type). */
int col_compact(const struct column *c, const struct selection *s, struct col_builder *out);

/* Writes row i of any column as canonical JSON (json columns are copied as they are). */
int col_write_json(const struct column *c, int64_t i, struct buf *out);

/* --- Arrow C Data Interface ------------------------------------------------------------------- */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4
struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};
struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};
#endif
/* Exports a batch as a struct array (one child per column). The exported arrays copy the
 * buffers they need, so they stay valid after the builders are reset; the consumer calls
 * release. json columns export as utf8 with field metadata ARROW:extension:name=arrow.json. */
int batch_export_arrow(const struct batch *b, struct ArrowSchema *schema, struct ArrowArray *array);

#endif

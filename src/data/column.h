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
 *     fit int64 makes the column json (double would lose digits), and so does an int64 that
 *     a double cannot hold exactly (beyond 2^53) meeting a double;
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
    struct buf scratch;           /* reused for values that must be re-encoded */
    size_t field_hint;            /* struct: the child most likely named next */
};

/* Starts a builder of a fixed type, or with infer=true one whose type follows the data (it
 * starts as COL_NULL whatever `type` says). `max_bytes` caps the data buffer (0 = no cap) and
 * is inherited by struct/list children. Struct fields added by colb_struct_field always infer.
 * A fixed builder takes values of its own type only (an int into a double column is
 * converted; a json builder takes any value as JSON text); others give ZEST_E_PARAM. */
void colb_init(struct col_builder *b, enum col_type type, bool infer, size_t max_bytes);
void colb_destroy(struct col_builder *b);
/* Empties the builder, keeping its memory (and, when inferring, forgetting the type and the
 * struct fields; a fixed struct keeps its fields, emptied). */
void colb_reset(struct col_builder *b);

int colb_append_null(struct col_builder *b);
int colb_append_bool(struct col_builder *b, bool v);
int colb_append_int(struct col_builder *b, int64_t v);
int colb_append_double(struct col_builder *b, double v);
/* utf8 (or json, where `s` is canonical JSON text). On an inferring builder `s` is a string
 * value: it fixes the type to utf8, or is written as a JSON string once the column is json.
 * Inline: the common case is a reserve + memcpy + offset push. */
static inline int colb_append_str(struct col_builder *b, const char *s, size_t len);
/* For writers that fill bytes in place (the JSON parser unescapes straight into b->data):
 * append bytes to b->data, then call colb_commit_str() to close the row. Same meaning of the
 * bytes as colb_append_str. */
static inline int colb_commit_str(struct col_builder *b);
/* The out-of-line halves of the two above (type changes, nulls, growth). */
int colb_append_str_slow(struct col_builder *b, const char *s, size_t len);
int colb_commit_str_slow(struct col_builder *b);
/* Appends one canonical JSON text as a value: copied into a json column; an inferring builder
 * becomes json (earlier rows re-rendered). ZEST_E_PARAM on a fixed non-json builder. */
int colb_append_json_text(struct col_builder *b, const char *s, size_t len);
/* Appends a parsed JSON value, inferring and promoting the type as documented above. */
int colb_append_json(struct col_builder *b, const struct json_value *v);
/* Struct rows: the child called `name` (created and back-filled with nulls if new). */
struct col_builder *colb_struct_field(struct col_builder *b, const char *name, size_t len);
/* Closes a struct row: children that got no value in this row get a null. */
int colb_struct_end_row(struct col_builder *b);
/* List rows by hand: append the row's items to colb_list_item(b) (the item builder, created on
 * first use; an empty inferring builder becomes a list; NULL when b cannot hold lists), then
 * call colb_list_end_row(b). */
struct col_builder *colb_list_item(struct col_builder *b);
int colb_list_end_row(struct col_builder *b);
/* Appends row i of column `c` (deep for struct/list) as a value: a matching builder copies it,
 * an inferring one promotes as for colb_append_json, a json builder gets its JSON text. */
int colb_append_row(struct col_builder *b, const struct column *c, int64_t i);
/* Makes a column view over the builder's buffers. */
int colb_finish(struct col_builder *b, struct column *out);

/* True when a string row can be closed without a type change, a validity bit or growth. */
static inline bool colb_str_fast_ok(const struct col_builder *b) {
    return (b->type == COL_UTF8 || (b->type == COL_JSON && !b->infer)) && b->null_count == 0 &&
           b->offsets.len != 0 && b->offsets.cap - b->offsets.len >= sizeof(int64_t);
}
/* Closes a string row ending at b->data.len; the caller checked colb_str_fast_ok. */
static inline void colb_push_str_end(struct col_builder *b) {
    const int64_t end = (int64_t)b->data.len;
    memcpy(b->offsets.data + b->offsets.len, &end, sizeof end);
    b->offsets.len += sizeof end;
    b->length++;
}
static inline int colb_append_str(struct col_builder *b, const char *s, size_t len) {
    if (!colb_str_fast_ok(b) || len > b->data.cap - b->data.len ||
        len > b->data.max - b->data.len)
        return colb_append_str_slow(b, s, len);
    if (len) memcpy(b->data.data + b->data.len, s, len);
    b->data.len += len;
    colb_push_str_end(b);
    return 0;
}
static inline int colb_commit_str(struct col_builder *b) {
    if (!colb_str_fast_ok(b)) return colb_commit_str_slow(b);
    colb_push_str_end(b);
    return 0;
}

/* --- slicing, selection, compaction ----------------------------------------------------------- */
/* A view of rows [start, start+len) sharing the buffers (clamped to the column; null_count is
 * recounted). As in Arrow, a struct's offset applies to its children: row i of a struct is row
 * offset+i of each child, so read children through col_slice(&c->children[k], c->offset,
 * c->length). */
struct column col_slice(const struct column *c, int64_t start, int64_t len);
/* A selection: one bit per row, 1 = keep. Filters set bits; compaction runs once per op. */
struct selection {
    int64_t length;
    int64_t kept;
    uint8_t *bits;
    size_t cap; /* bytes allocated at bits */
};
int sel_init(struct selection *s, int64_t length); /* all kept */
/* As sel_init on a selection that is zeroed or was initialised before, reusing its memory. */
int sel_reset(struct selection *s, int64_t length);
void sel_free(struct selection *s);
void sel_drop(struct selection *s, int64_t row);
static inline bool sel_is_kept(const struct selection *s, int64_t row) {
    return (s->bits[row >> 3] >> (row & 7)) & 1;
}
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

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * thrift_compact.h - the Thrift compact protocol, as Parquet's footer and page headers use it:
 * an encoder into a growable buffer and a bounds-checked decoder over untrusted bytes (every
 * read checks the end, lengths are checked against the bytes left, nesting is capped so a
 * hostile input cannot recurse without bound). Depends on common/buf only.
 */
#ifndef ZEST_THRIFT_COMPACT_H
#define ZEST_THRIFT_COMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

/* Compact type ids (field headers and list element types). */
enum tc_type {
    TC_STOP = 0,
    TC_TRUE = 1,
    TC_FALSE = 2,
    TC_BYTE = 3,
    TC_I16 = 4,
    TC_I32 = 5,
    TC_I64 = 6,
    TC_DOUBLE = 7,
    TC_BINARY = 8,
    TC_LIST = 9,
    TC_SET = 10,
    TC_MAP = 11,
    TC_STRUCT = 12
};

/* Deepest struct/list nesting either side accepts. */
#define TC_MAX_DEPTH 32

/* ---- encoder ---------------------------------------------------------------------------- */

/* Writes into `out` (borrowed). Errors are sticky in `status` (ZEST_E_NOMEM / ZEST_E_LIMIT /
 * ZEST_E_PARAM for nesting past TC_MAX_DEPTH); check it once at the end. */
struct tc_writer {
    struct buf *out;
    int16_t last[TC_MAX_DEPTH]; /* last field id per open struct */
    int depth;
    int status;
};

void tcw_init(struct tc_writer *w, struct buf *out);
/* Field header of field `id` (ids ascending within a struct) with value type `type`. */
void tcw_field(struct tc_writer *w, int16_t id, enum tc_type type);
void tcw_i32_field(struct tc_writer *w, int16_t id, int32_t v);
void tcw_i64_field(struct tc_writer *w, int16_t id, int64_t v);
void tcw_bool_field(struct tc_writer *w, int16_t id, bool v);
void tcw_binary_field(struct tc_writer *w, int16_t id, const void *p, size_t n);
/* Bare values (list elements, or after tcw_field). */
void tcw_varint(struct tc_writer *w, uint64_t v);
void tcw_i32(struct tc_writer *w, int32_t v);
void tcw_i64(struct tc_writer *w, int64_t v);
void tcw_binary(struct tc_writer *w, const void *p, size_t n);
/* A struct value: begin (after its field header or as a list element), fields, end (STOP). */
void tcw_struct_begin(struct tc_writer *w);
void tcw_struct_end(struct tc_writer *w);
/* A list header: n elements of type `elem` follow. */
void tcw_list(struct tc_writer *w, enum tc_type elem, uint32_t n);

/* ---- decoder ---------------------------------------------------------------------------- */

/* Reads [p, end). On failure the functions return ZEST_E_FORMAT and set `why` (a static
 * string: "truncated", "varint too long", ...) and `pos` (offset from `base`). */
struct tc_reader {
    const uint8_t *base, *p, *end;
    int depth;
    const char *why;
    size_t pos;
};

void tcr_init(struct tc_reader *r, const void *data, size_t len);
/* Next field of the current struct: 1 with *id and *type (TC_TRUE/TC_FALSE carry a bool's
 * value), 0 at STOP, or ZEST_E_FORMAT. *last is the previous field id (start at 0). */
int tcr_field(struct tc_reader *r, int16_t *last, int16_t *id, uint8_t *type);
int tcr_varint(struct tc_reader *r, uint64_t *v);
int tcr_i32(struct tc_reader *r, int32_t *v);
int tcr_i64(struct tc_reader *r, int64_t *v);
int tcr_double(struct tc_reader *r, double *v);
/* A binary/string value: *p points into the input (borrowed), *n bytes. */
int tcr_binary(struct tc_reader *r, const uint8_t **p, size_t *n);
/* A list or set header: element type and count (checked: count <= bytes left). */
int tcr_list(struct tc_reader *r, uint8_t *elem, uint32_t *n);
/* A list element of type bool: one byte. */
int tcr_bool_elem(struct tc_reader *r, bool *v);
/* Enters / leaves a nested struct (depth check). */
int tcr_struct_begin(struct tc_reader *r);
void tcr_struct_end(struct tc_reader *r);
/* Skips one value of `type` (structs, lists, maps recursively, depth-capped). */
int tcr_skip(struct tc_reader *r, uint8_t type);
/* An integer field value of any integer type (byte, i16, i32, i64) as int64. */
int tcr_int(struct tc_reader *r, uint8_t type, int64_t *v);

#endif

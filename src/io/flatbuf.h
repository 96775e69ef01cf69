/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flatbuf.h - the small FlatBuffers subset the Arrow IPC metadata needs, written from the
 * FlatBuffers binary format description: a bounds-checked reader (tables through their
 * vtables, scalar fields, offsets to sub-tables, vectors of scalars, structs and tables,
 * strings, unions as a type byte plus a table) and a back-to-front builder producing the
 * same layout. Every reader function checks that what it touches lies inside the buffer and
 * returns ZEST_E_FORMAT with the byte offset and what was wrong, so untrusted bytes never
 * lead to an out-of-bounds read. Depends on common/ only.
 */
#ifndef ZEST_FLATBUF_H
#define ZEST_FLATBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zest.h"

/* ---- reader -------------------------------------------------------------------------------- */

/* A table inside a buffer: its position and its vtable, validated by fb_root / fb_table. */
struct fb_table {
    const uint8_t *buf;
    size_t len;
    size_t pos;      /* table start (its soffset to the vtable) */
    size_t vt;       /* vtable start */
    uint16_t vt_len; /* vtable size in bytes */
    uint16_t tbl_len;/* table inline size in bytes */
};

/* A vector: `count` elements of `elem` bytes starting at buf[pos]. */
struct fb_vec {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    uint32_t count;
    size_t elem;
};

/* The root table of buf[0, len). Returns 0 or ZEST_E_FORMAT (message names `what` and the
 * offset). `err` may be NULL. */
int fb_root(const uint8_t *buf, size_t len, struct fb_table *t, const char *what, zest_error *err);

/* True when field `slot` (0-based, in schema order) is present in the table. */
bool fb_has(const struct fb_table *t, unsigned slot);

/* Scalar fields (little-endian), or `def` when absent. A field whose bytes would lie outside
 * the table is treated as a format error by fb_check_scalar; these accessors return `def`
 * for it, so callers that need to know validate with fb_check_scalar first. */
int64_t fb_i64(const struct fb_table *t, unsigned slot, int64_t def);
int32_t fb_i32(const struct fb_table *t, unsigned slot, int32_t def);
int16_t fb_i16(const struct fb_table *t, unsigned slot, int16_t def);
uint8_t fb_u8(const struct fb_table *t, unsigned slot, uint8_t def);

/* Sub-table at field `slot`. Returns 1 (found, *out set), 0 (absent) or ZEST_E_FORMAT. */
int fb_table_field(const struct fb_table *t, unsigned slot, struct fb_table *out, const char *what,
                   zest_error *err);
/* Vector at field `slot` with elements of `elem` bytes (4 for vectors of tables or strings).
 * Returns 1, 0 (absent: *out is an empty vector) or ZEST_E_FORMAT. */
int fb_vec_field(const struct fb_table *t, unsigned slot, size_t elem, struct fb_vec *out,
                 const char *what, zest_error *err);
/* String at field `slot` (not NUL-terminated in the view; length in *n). Returns 1, 0 (absent:
 * *s = "" and *n = 0) or ZEST_E_FORMAT. */
int fb_str_field(const struct fb_table *t, unsigned slot, const char **s, size_t *n, const char *what,
                 zest_error *err);

/* Element i (< count) of a vector of tables / of strings. */
int fb_vec_table(const struct fb_vec *v, uint32_t i, struct fb_table *out, const char *what,
                 zest_error *err);
int fb_vec_str(const struct fb_vec *v, uint32_t i, const char **s, size_t *n, const char *what,
               zest_error *err);
/* Pointer to the bytes of element i of a vector of scalars or structs (count checked by the
 * caller; the whole vector was bounds-checked when it was read). */
static inline const uint8_t *fb_vec_at(const struct fb_vec *v, uint32_t i) {
    return v->buf + v->pos + (size_t)i * v->elem;
}

/* Little-endian loads from unaligned bytes. */
static inline uint16_t fb_ld16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t fb_ld32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t fb_ld64(const uint8_t *p) {
    return (uint64_t)fb_ld32(p) | (uint64_t)fb_ld32(p + 4) << 32;
}

/* ---- builder ------------------------------------------------------------------------------- */

/* Positions of built objects, counted from the end of the buffer (stable while it grows). */
typedef uint32_t fb_ref;

#define FB_MAX_FIELDS 16

struct fb_builder {
    uint8_t *mem;
    size_t cap;
    size_t head;     /* the content is mem[head, cap) */
    size_t minalign;
    int failed;      /* sticky ZEST_E_NOMEM / ZEST_E_LIMIT */
    /* the table being built */
    unsigned n_fields;
    struct {
        unsigned slot;
        unsigned size; /* 1, 2, 4, 8; 4 with is_ref for offsets */
        bool is_ref;
        uint64_t val; /* scalar bits, or the fb_ref */
    } fields[FB_MAX_FIELDS];
};

void fbb_init(struct fb_builder *b);
void fbb_free(struct fb_builder *b);
/* Empties the builder, keeping its memory. */
void fbb_reset(struct fb_builder *b);

fb_ref fbb_string(struct fb_builder *b, const char *s, size_t n);
/* A vector of `count` structs or scalars of `elem` bytes each (already little-endian), aligned
 * to `align`. */
fb_ref fbb_vec_bytes(struct fb_builder *b, const void *data, size_t elem, size_t count, size_t align);
/* A vector of offsets to tables or strings. */
fb_ref fbb_vec_refs(struct fb_builder *b, const fb_ref *refs, size_t count);

/* Tables: start, add fields (any order, at most FB_MAX_FIELDS), end. */
void fbb_start(struct fb_builder *b);
void fbb_add_i64(struct fb_builder *b, unsigned slot, int64_t v);
void fbb_add_i32(struct fb_builder *b, unsigned slot, int32_t v);
void fbb_add_i16(struct fb_builder *b, unsigned slot, int16_t v);
void fbb_add_u8(struct fb_builder *b, unsigned slot, uint8_t v);
void fbb_add_ref(struct fb_builder *b, unsigned slot, fb_ref r);
fb_ref fbb_end(struct fb_builder *b);

/* Writes the root offset and returns the finished bytes (valid until the next builder call),
 * their length padded to a multiple of 8. Returns 0 or ZEST_E_NOMEM / ZEST_E_LIMIT. */
int fbb_finish(struct fb_builder *b, fb_ref root, const uint8_t **out, size_t *len);

#endif

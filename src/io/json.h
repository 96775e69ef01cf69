/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.h - a strict RFC 8259 JSON parser and writer built for speed.
 *
 * The parser is a cursor over one in-memory text (one JSON Lines record). It never calls
 * malloc per value: strings are unescaped straight into a caller's struct buf (the column
 * being built), values are re-encoded canonically into a buf, or a tree is built in an arena.
 * Strict means: RFC 8259 grammar only (no comments, no trailing commas, no NaN/Infinity, no
 * leading zeros or '+'), strict UTF-8 (no overlongs, no surrogates encoded in UTF-8, nothing
 * above U+10FFFF), escaped surrogates must pair, control characters U+0000-U+001F inside
 * strings are errors, nesting deeper than JSON_MAX_DEPTH is an error, and duplicate keys in an
 * object are an error (a silent "last one wins" would drop a value).
 *
 * Canonical form (what json_canon_value writes and the JSONL writer emits): no insignificant
 * whitespace; strings as UTF-8 with only the escapes JSON requires (\" \\ \b \f \n \r \t,
 * other control characters as \u00XX lower-case hex; '/' and non-ASCII unescaped); numbers
 * keep their source text exactly (so integers of any size and doubles round-trip bit for bit
 * and never change type); true/false/null as is; object key order preserved.
 *
 * Depends on common/ (buf, arena) only.
 */
#ifndef ZEST_JSON_H
#define ZEST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/buf.h"

#define JSON_MAX_DEPTH 512

enum json_type { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

/* A parse position over [start, end). On error `err` is set (a static message naming the
 * cause, e.g. "invalid UTF-8 byte 0xC0 in string") and `err_pos` points at the offending
 * byte; every function then returns a negative status (ZEST_E_FORMAT). */
struct json_cursor {
    const char *start;
    const char *p;
    const char *end;
    const char *err;
    const char *err_pos;
    char err_buf[96]; /* for messages that carry a value (e.g. the duplicate key) */
};

void json_cursor_init(struct json_cursor *c, const char *text, size_t len);
/* Byte offset of the error from `start`. */
static inline int64_t json_error_offset(const struct json_cursor *c) {
    return (int64_t)(c->err_pos - c->start);
}
/* Skips JSON whitespace (space, tab, LF, CR). */
void json_skip_ws(struct json_cursor *c);
/* Type of the value at the cursor (after whitespace), judged from its first byte; sets an
 * error and returns -1 when no value can start there. */
int json_peek_type(struct json_cursor *c);

/* --- walking one object (the record) --- */
/* Expects '{'. */
int json_object_begin(struct json_cursor *c);
/* Reads the next member key, unescaped, into `key` (cleared first) and consumes the ':'.
 * Returns 1 when a key was read, 0 at the closing '}', negative on error. Duplicate-key
 * detection for the top level is the caller's (it knows its fields); nested objects are
 * checked by the functions below. */
int json_object_next_key(struct json_cursor *c, struct buf *key);
/* After the whole value: true when only whitespace remains. Sets an error otherwise.
 * Returns 0 (ZEST_OK) in that case, ZEST_E_FORMAT otherwise, like every function here. */
int json_expect_end(struct json_cursor *c);

/* --- reading one value --- */
/* Reads a string value, appending its unescaped, validated UTF-8 bytes to `out`. */
int json_read_string(struct json_cursor *c, struct buf *out);
/* Validates any value and appends its canonical form to `out`. Each call has its own depth
 * budget of JSON_MAX_DEPTH levels (a member value of the record walk may nest 512 deep). */
int json_canon_value(struct json_cursor *c, struct buf *out);
/* Validates and skips any value. */
int json_skip_value(struct json_cursor *c);

/* A parsed tree, every node and string in an arena. Numbers keep their text; `is_int` says
 * the text is an integer literal and `int_ok` that it fits int64 (then `i` holds it). */
struct json_member;
struct json_value {
    enum json_type type;
    union {
        struct { const char *text; uint32_t len; bool is_int, int_ok; int64_t i; double d; } num;
        struct { const char *ptr; size_t len; } str;
        struct { struct json_value *items; size_t n; } arr;
        struct { struct json_member *members; size_t n; } obj;
    } u;
};
struct json_member {
    const char *key;
    size_t key_len;
    struct json_value value;
};
/* Parses one value into a tree allocated from `a`. */
int json_parse_value(struct json_cursor *c, struct arena *a, struct json_value *out);

/* --- writing --- */
/* Appends `s` (valid UTF-8) as a canonical JSON string literal with quotes. */
int json_write_string(struct buf *out, const char *s, size_t len);
/* Appends the shortest decimal text that reads back as exactly `d` (always with a '.' or an
 * exponent so it stays a double: 1.0, 1e+16, 0.1). Non-finite values are written as null. */
int json_write_double(struct buf *out, double d);
/* Appends a decimal int64. */
int json_write_int(struct buf *out, int64_t v);
/* Appends a tree in canonical form. */
int json_write_value(struct buf *out, const struct json_value *v);

/* --- internal: word-at-a-time string scanning shared by json.c and json_write.c --- */
/* The masks below are exact per byte (no borrow crosses a byte), so the first flagged byte
 * can be found with a count of trailing (little-endian) or leading (big-endian) zeros. */
#define JSON_SWAR_LOW7 0x7F7F7F7F7F7F7F7FULL
#define JSON_SWAR_HIGH 0x8080808080808080ULL
#define JSON_SWAR_EACH(b) (0x0101010101010101ULL * (uint64_t)(b))

static inline uint64_t json_swar_load(const char *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
/* High bit of a byte clear when that byte's low 7 bits are < 0x20, '"' or '\\'. */
static inline uint64_t json_swar_plain7(uint64_t v) {
    const uint64_t v7 = v & JSON_SWAR_LOW7;
    const uint64_t ge20 = v7 + JSON_SWAR_EACH(0x60);
    const uint64_t not_quote = (v7 ^ JSON_SWAR_EACH('"')) + JSON_SWAR_LOW7;
    const uint64_t not_bslash = (v7 ^ JSON_SWAR_EACH('\\')) + JSON_SWAR_LOW7;
    return ge20 & not_quote & not_bslash;
}
/* Flags the bytes a string writer must escape: < 0x20, '"', '\\' (non-ASCII is plain). */
static inline uint64_t json_swar_escapable(uint64_t v) {
    return ~(json_swar_plain7(v) | v) & JSON_SWAR_HIGH;
}
/* Flags the bytes a string reader must look at: the escapable ones and non-ASCII. */
static inline uint64_t json_swar_special(uint64_t v) {
    return (~json_swar_plain7(v) | v) & JSON_SWAR_HIGH;
}
/* Writes the canonical escape of a byte < 0x20, '"' or '\\' ("\\n", "\\u001f", ...) at `o` and
 * returns its length (2 or 6). */
size_t json_escape_ascii(char *o, unsigned char ch);
/* Index in memory order of the first flagged byte of a non-zero mask. */
static inline unsigned json_swar_first(uint64_t mask) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (unsigned)__builtin_clzll(mask) >> 3;
#else
    return (unsigned)__builtin_ctzll(mask) >> 3;
#endif
}

/* --- building one object ---
 * Appends {"k":v,...} to a buf; the first failure is kept and returned by json_obj_end, so
 * callers write a run of fields without checking each. A NULL string value is left out. */
struct json_obj {
    struct buf *b;
    int first;
    int rc;
};
void json_obj_begin(struct json_obj *o, struct buf *b);
void json_obj_str(struct json_obj *o, const char *key, const char *val);
void json_obj_int(struct json_obj *o, const char *key, int64_t v);
void json_obj_double(struct json_obj *o, const char *key, double v);
void json_obj_bool(struct json_obj *o, const char *key, bool v);
/* `json` is already JSON text (an object, array, number...); NULL is left out. */
void json_obj_raw(struct json_obj *o, const char *key, const char *json);
int json_obj_end(struct json_obj *o);

#endif

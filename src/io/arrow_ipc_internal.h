/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arrow_ipc_internal.h - what the files of the Arrow IPC module share (arrow_ipc_schema.c,
 * arrow_ipc_codec.c, arrow_ipc_read.c, arrow_ipc_write.c): the numbers of the Arrow metadata
 * (Schema.fbs, Message.fbs, File.fbs), the field tree both directions use, and the buffer
 * codecs. Not for callers outside src/io/arrow_ipc_*.c.
 */
#ifndef ZEST_ARROW_IPC_INTERNAL_H
#define ZEST_ARROW_IPC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "arrow_ipc.h"
#include "flatbuf.h"

/* Type union (Schema.fbs). */
enum {
    AT_NONE = 0, AT_NULL = 1, AT_INT = 2, AT_FLOAT = 3, AT_BINARY = 4, AT_UTF8 = 5, AT_BOOL = 6,
    AT_LIST = 12, AT_STRUCT = 13, AT_LARGE_BINARY = 19, AT_LARGE_UTF8 = 20, AT_LARGE_LIST = 21
};
/* MessageHeader union (Message.fbs). */
enum { MH_SCHEMA = 1, MH_DICTIONARY = 2, MH_RECORD_BATCH = 3 };
/* Slots of the tables used. */
enum { MSG_VERSION = 0, MSG_HEADER_TYPE = 1, MSG_HEADER = 2, MSG_BODY_LENGTH = 3 };
enum { SCHEMA_ENDIANNESS = 0, SCHEMA_FIELDS = 1 };
enum { FIELD_NAME = 0, FIELD_NULLABLE = 1, FIELD_TYPE_TYPE = 2, FIELD_TYPE = 3, FIELD_DICT = 4,
       FIELD_CHILDREN = 5, FIELD_METADATA = 6 };
enum { RB_LENGTH = 0, RB_NODES = 1, RB_BUFFERS = 2, RB_COMPRESSION = 3 };
enum { DB_ID = 0, DB_DATA = 1, DB_DELTA = 2 };
enum { FOOTER_VERSION = 0, FOOTER_SCHEMA = 1, FOOTER_DICTS = 2, FOOTER_BATCHES = 3 };
#define ARROW_IPC_V5 4
#define ARROW_IPC_MAX_DEPTH 64
#define ARROW_IPC_MAX_FIELDS 100000

/* One field of a schema, with its children. */
struct aipc_field {
    char *name;
    uint8_t type;     /* AT_* */
    uint8_t bits;     /* AT_INT: 8..64; AT_FLOAT: 32 or 64 */
    bool is_signed;   /* AT_INT */
    bool json;        /* ARROW:extension:name = arrow.json */
    bool dict;        /* dictionary-encoded: the type above is the dictionary's value type */
    uint8_t idx_bits; /* dictionary index type */
    bool idx_signed;
    int64_t dict_id;
    size_t n_children;
    struct aipc_field *children;
};

void aipc_field_free(struct aipc_field *f);
/* The zest column type a field reads into. */
enum col_type aipc_field_coltype(const struct aipc_field *f);
/* Number of fields in the tree (itself included). */
size_t aipc_field_count(const struct aipc_field *f);

/* The field tree of a zest column (name borrowed, copied). */
int aipc_field_from_column(struct aipc_field *f, const char *name, const struct column *c);
/* True when column `c` can be written under field `f`: same type, struct fields and list
 * item (recursively), or a null column (written as nulls of any type). */
bool aipc_field_matches(const struct aipc_field *f, const struct column *c);

/* Builds a Schema table for top-level fields `f[0..n)`. Returns its ref (0 on failure; the
 * builder's `failed` says why). */
fb_ref aipc_schema_build(struct fb_builder *b, const struct aipc_field *f, size_t n);
/* Parses a Schema table into *fields (allocated, n entries). ZEST_E_FORMAT / UNSUPPORTED /
 * NOMEM with a message naming the field. */
int aipc_schema_parse(const struct fb_table *schema, struct aipc_field **fields, size_t *n,
                      zest_error *err);

/* Appends `n` bytes compressed with `codec` (LZ4 frame or zstd at `level`) to `out`. */
int aipc_compress(enum arrow_ipc_codec codec, int level, const void *src, size_t n, struct buf *out,
                  zest_error *err);
/* Decompresses src into exactly `want` bytes at dst; ZEST_E_FORMAT when the stream is
 * corrupt or its size differs. */
int aipc_decompress(enum arrow_ipc_codec codec, const void *src, size_t n, void *dst, size_t want,
                    zest_error *err);
/* The uncompressed size a frame declares in its header (zstd frame content size, LZ4 frame
 * content size): 1 and *size when declared, 0 otherwise. Bounds-checked. */
int aipc_frame_size(enum arrow_ipc_codec codec, const void *src, size_t n, uint64_t *size);

#endif

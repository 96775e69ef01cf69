/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arrow_ipc_write.c - arrow_ipc_writer_*: zest batches as Arrow IPC messages (encapsulated:
 * 0xFFFFFFFF, metadata length, Message flatbuffer padded to 8 bytes, body), in the stream
 * format or in the file format (magic, the stream, a Footer with the schema and one Block per
 * record batch, footer length, magic). Each column is written in pre-order as one FieldNode
 * and its buffers; slices are normalised (bitmaps re-aligned, offsets rebased to 0). Buffers
 * are padded to 8 bytes; compressed buffers carry their uncompressed length first (-1 when
 * compression would not shrink them, which the format allows). Bytes go through the atomic
 * sink. Calls io/sink, io/flatbuf, the schema and codec files of this module, data/column.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/err.h"
#include "arrow_ipc_internal.h"
#include "sink.h"

struct aipc_block {
    int64_t offset;
    int32_t meta_len;
    int32_t pad;
    int64_t body_len;
};

struct arrow_ipc_writer {
    struct sink *sink;     /* a file writer; NULL for a writer to out() */
    arrow_ipc_out_fn out;
    void *user;
    uint64_t written;      /* bytes emitted so far */
    struct arrow_ipc_writer_opts opts;
    char *path;
    struct aipc_field *fields; /* fixed by the first batch */
    size_t n_fields;
    bool have_schema;
    struct fb_builder fbb;
    struct buf body, tmp;
    struct buf nodes, buffers; /* FieldNode / Buffer structs of the batch being written */
    struct aipc_block *blocks;
    size_t n_blocks, cap_blocks;
    struct col_builder conv; /* a column converted to its field's type */
};

static const uint8_t aipc_magic[8] = {'A', 'R', 'R', 'O', 'W', '1', 0, 0};
static const uint8_t aipc_zeros[8];

/* Bytes out: to the sink or to the caller's function. */
static int aipc_emit(struct arrow_ipc_writer *w, const void *p, size_t n, zest_error *err) {
    const int rc = w->sink ? sink_write(w->sink, p, n, err) : w->out(w->user, p, n, err);
    if (!rc) w->written += n;
    return rc;
}

int arrow_ipc_codec_parse(const char *name, enum arrow_ipc_codec *out, zest_error *err) {
    if (!strcmp(name, "none") || !strcmp(name, "uncompressed")) *out = ARROW_IPC_UNCOMPRESSED;
    else if (!strcmp(name, "lz4") || !strcmp(name, "lz4_frame")) *out = ARROW_IPC_LZ4_FRAME;
    else if (!strcmp(name, "zstd")) *out = ARROW_IPC_ZSTD;
    else
        return err_set(err, ZEST_E_PARAM,
                       "arrow compression '%s': expected none, lz4 or zstd", name);
    return 0;
}

bool arrow_ipc_kind_for_path(const char *path, enum arrow_ipc_kind *out) {
    static const struct {
        const char *ext;
        enum arrow_ipc_kind kind;
    } exts[] = {{".arrow", ARROW_IPC_FILE},   {".feather", ARROW_IPC_FILE},
                {".ipc", ARROW_IPC_FILE},     {".arrows", ARROW_IPC_STREAM},
                {".arrowstream", ARROW_IPC_STREAM}};
    const size_t n = strlen(path);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        const size_t e = strlen(exts[i].ext);
        if (n > e && !strcasecmp(path + n - e, exts[i].ext)) {
            *out = exts[i].kind;
            return true;
        }
    }
    return false;
}

static void aipc_put_le(uint8_t *p, uint64_t v, int n) {
    for (int k = 0; k < n; k++) p[k] = (uint8_t)(v >> (8 * k));
}

static int aipc_push_pair(struct buf *b, int64_t x, int64_t y) {
    uint8_t s[16];
    aipc_put_le(s, (uint64_t)x, 8);
    aipc_put_le(s + 8, (uint64_t)y, 8);
    return buf_append(b, s, 16);
}

/* ---- body ---------------------------------------------------------------------------------- */

static int aipc_nomem(const struct arrow_ipc_writer *w, int rc, zest_error *err) {
    return err_set(err, rc, "%s: no memory for a batch body", w->path);
}

/* Appends one buffer (raw or compressed) to the body at an 8-byte boundary and records its
 * Buffer struct. */
static int aipc_put_buffer(struct arrow_ipc_writer *w, const void *p, size_t n, zest_error *err) {
    int rc = buf_append(&w->body, aipc_zeros, (8 - w->body.len % 8) % 8);
    if (rc) return aipc_nomem(w, rc, err);
    const size_t start = w->body.len;
    if (n && w->opts.codec != ARROW_IPC_UNCOMPRESSED) {
        uint8_t pre[8];
        aipc_put_le(pre, n, 8);
        if ((rc = buf_append(&w->body, pre, 8))) return aipc_nomem(w, rc, err);
        if ((rc = aipc_compress(w->opts.codec, w->opts.level, p, n, &w->body, err))) return rc;
        if (w->body.len - start - 8 >= n) { /* no gain: store it raw, length -1 */
            w->body.len = start;
            aipc_put_le(pre, UINT64_MAX, 8);
            if (!(rc = buf_append(&w->body, pre, 8))) rc = buf_append(&w->body, p, n);
        }
    } else if (n) {
        rc = buf_append(&w->body, p, n);
    }
    if (!rc) rc = aipc_push_pair(&w->buffers, (int64_t)start, (int64_t)(w->body.len - start));
    return rc ? aipc_nomem(w, rc, err) : 0;
}

/* Bits [off, off+len) of a bitmap, re-aligned to start at bit 0 when needed. */
static int aipc_put_bits(struct arrow_ipc_writer *w, const uint8_t *bits, int64_t off, int64_t len,
                         zest_error *err) {
    const size_t nbytes = (size_t)(len + 7) / 8;
    if (off % 8 == 0) return aipc_put_buffer(w, bits + off / 8, nbytes, err);
    buf_clear(&w->tmp);
    int rc = buf_reserve(&w->tmp, nbytes + 1); /* never 0: memset needs a buffer */
    if (rc) return aipc_nomem(w, rc, err);
    memset(w->tmp.data, 0, nbytes);
    for (int64_t i = 0; i < len; i++)
        if ((bits[(off + i) >> 3] >> ((off + i) & 7)) & 1) w->tmp.data[i >> 3] |= (char)(1 << (i & 7));
    return aipc_put_buffer(w, w->tmp.data, nbytes, err);
}

static int aipc_put_validity(struct arrow_ipc_writer *w, const struct column *c, zest_error *err) {
    if (!c->null_count || !c->validity) return aipc_put_buffer(w, NULL, 0, err);
    return aipc_put_bits(w, c->validity, c->offset, c->length, err);
}

/* Offsets [off, off+len] rebased to start at 0, as 8-byte (wide) or 4-byte integers. */
static int aipc_put_offsets(struct arrow_ipc_writer *w, const int64_t *o, int64_t off, int64_t len,
                            bool wide, const char *name, zest_error *err) {
    const int64_t base = o[off];
    if (wide && base == 0) return aipc_put_buffer(w, o + off, (size_t)(len + 1) * 8, err);
    buf_clear(&w->tmp);
    const size_t width = wide ? 8 : 4;
    int rc = buf_reserve(&w->tmp, (size_t)(len + 1) * width);
    if (rc) return aipc_nomem(w, rc, err);
    if (!wide && o[off + len] - base > INT32_MAX)
        return err_set(err, ZEST_E_LIMIT, "arrow: column '%s': more than 2^31-1 list items in one batch",
                       name);
    for (int64_t i = 0; i <= len; i++) {
        const int64_t v = o[off + i] - base;
        if (wide) memcpy(w->tmp.data + 8 * i, &v, 8);
        else {
            const int32_t v32 = (int32_t)v;
            memcpy(w->tmp.data + 4 * i, &v32, 4);
        }
    }
    return aipc_put_buffer(w, w->tmp.data, (size_t)(len + 1) * width, err);
}

/* `n` nulls of field f's type (a null column in a batch whose schema says otherwise): a zero
 * validity bitmap, zero values, zero offsets, null children. */
static int aipc_put_nulls(struct arrow_ipc_writer *w, const struct aipc_field *f, int64_t n,
                          zest_error *err) {
    int rc = aipc_push_pair(&w->nodes, n, n);
    if (rc) return aipc_nomem(w, rc, err);
    if (f->type == AT_NULL) return 0;
    const size_t bytes = f->type == AT_BOOL ? (size_t)(n + 7) / 8 : (size_t)(n + 1) * 8;
    buf_clear(&w->tmp);
    if ((rc = buf_reserve(&w->tmp, bytes + 1))) return aipc_nomem(w, rc, err);
    memset(w->tmp.data, 0, bytes);
    if ((rc = aipc_put_buffer(w, w->tmp.data, (size_t)(n + 7) / 8, err))) return rc;
    switch (f->type) {
    case AT_BOOL: return aipc_put_buffer(w, w->tmp.data, bytes, err);
    case AT_INT:
    case AT_FLOAT: return aipc_put_buffer(w, w->tmp.data, (size_t)n * 8, err);
    case AT_LARGE_UTF8:
        if ((rc = aipc_put_buffer(w, w->tmp.data, (size_t)(n + 1) * 8, err))) return rc;
        return aipc_put_buffer(w, NULL, 0, err);
    case AT_LIST:
        if ((rc = aipc_put_buffer(w, w->tmp.data, (size_t)(n + 1) * 4, err))) return rc;
        return aipc_put_nulls(w, &f->children[0], 0, err);
    default:
        for (size_t k = 0; k < f->n_children; k++)
            if ((rc = aipc_put_nulls(w, &f->children[k], n, err))) return rc;
        return 0;
    }
}

static int aipc_put_column(struct arrow_ipc_writer *w, const struct aipc_field *f,
                           const struct column *c, const char *name, zest_error *err) {
    const int64_t n = c->length, off = c->offset;
    if (c->type == COL_NULL) return aipc_put_nulls(w, f, n, err);
    int rc = aipc_push_pair(&w->nodes, n, c->null_count);
    if (rc) return aipc_nomem(w, rc, err);
    if ((rc = aipc_put_validity(w, c, err))) return rc;
    switch (c->type) {
    case COL_BOOL: return aipc_put_bits(w, c->bits, off, n, err);
    case COL_INT64: return aipc_put_buffer(w, c->i64 ? c->i64 + off : NULL, (size_t)n * 8, err);
    case COL_DOUBLE: return aipc_put_buffer(w, c->f64 ? c->f64 + off : NULL, (size_t)n * 8, err);
    case COL_UTF8:
    case COL_JSON: {
        static const int64_t zero = 0;
        const int64_t *o = c->offsets ? c->offsets : &zero;
        if ((rc = aipc_put_offsets(w, o, c->offsets ? off : 0, c->offsets ? n : 0, true, name, err)))
            return rc;
        const int64_t lo = o[c->offsets ? off : 0], hi = c->offsets ? o[off + n] : 0;
        return aipc_put_buffer(w, c->data ? c->data + lo : NULL, (size_t)(hi - lo), err);
    }
    case COL_STRUCT:
        for (size_t k = 0; k < c->n_children; k++) {
            const struct column kid = col_slice(&c->children[k], off, n);
            if ((rc = aipc_put_column(w, &f->children[k], &kid, c->child_names[k], err))) return rc;
        }
        return 0;
    case COL_LIST: {
        static const int64_t zero = 0;
        const int64_t *o = c->offsets ? c->offsets : &zero;
        const int64_t o0 = c->offsets ? off : 0, n0 = c->offsets ? n : 0;
        if ((rc = aipc_put_offsets(w, o, o0, n0, false, name, err))) return rc;
        const struct column kid = col_slice(&c->children[0], o[o0], o[o0 + n0] - o[o0]);
        return aipc_put_column(w, &f->children[0], &kid, name, err);
    }
    default: return 0;
    }
}

/* ---- messages ------------------------------------------------------------------------------ */

/* Writes one encapsulated message whose header is `header` (type `htype`) with the current
 * body (empty for a schema); records a Block when `block` is true. */
static int aipc_put_message(struct arrow_ipc_writer *w, uint8_t htype, fb_ref header,
                            size_t body_len, bool block, zest_error *err) {
    const uint8_t *meta;
    size_t meta_len;
    fbb_start(&w->fbb);
    fbb_add_i16(&w->fbb, MSG_VERSION, ARROW_IPC_V5);
    fbb_add_u8(&w->fbb, MSG_HEADER_TYPE, htype);
    fbb_add_ref(&w->fbb, MSG_HEADER, header);
    fbb_add_i64(&w->fbb, MSG_BODY_LENGTH, (int64_t)body_len);
    const fb_ref msg = fbb_end(&w->fbb);
    int rc = fbb_finish(&w->fbb, msg, &meta, &meta_len);
    if (rc) return err_set(err, rc, "%s: arrow metadata too large", w->path);
    if (block) {
        if (w->n_blocks == w->cap_blocks) {
            const size_t cap = w->cap_blocks ? 2 * w->cap_blocks : 16;
            struct aipc_block *nb = realloc(w->blocks, cap * sizeof *nb);
            if (!nb) return err_set(err, ZEST_E_NOMEM, "%s: no memory for the footer", w->path);
            w->blocks = nb;
            w->cap_blocks = cap;
        }
        w->blocks[w->n_blocks++] = (struct aipc_block){(int64_t)w->written,
                                                       (int32_t)(8 + meta_len), 0, (int64_t)body_len};
    }
    uint8_t pre[8];
    aipc_put_le(pre, 0xffffffffu, 4);
    aipc_put_le(pre + 4, meta_len, 4);
    if ((rc = aipc_emit(w, pre, 8, err)) || (rc = aipc_emit(w, meta, meta_len, err)))
        return rc;
    return body_len ? aipc_emit(w, w->body.data, body_len, err) : 0;
}

static int aipc_put_schema(struct arrow_ipc_writer *w, zest_error *err) {
    fbb_reset(&w->fbb);
    const fb_ref schema = aipc_schema_build(&w->fbb, w->fields, w->n_fields);
    if (w->fbb.failed) return err_set(err, w->fbb.failed, "%s: arrow schema too large", w->path);
    return aipc_put_message(w, MH_SCHEMA, schema, 0, false, err);
}

static int aipc_set_schema(struct arrow_ipc_writer *w, const struct batch *b, zest_error *err) {
    w->fields = calloc(b->n_cols ? b->n_cols : 1, sizeof *w->fields);
    if (!w->fields) return err_set(err, ZEST_E_NOMEM, "%s: no memory for the schema", w->path);
    w->n_fields = b->n_cols;
    for (size_t k = 0; k < b->n_cols; k++)
        if (aipc_field_from_column(&w->fields[k], b->names[k], &b->cols[k]))
            return err_set(err, ZEST_E_NOMEM, "%s: no memory for the schema", w->path);
    w->have_schema = true;
    return aipc_put_schema(w, err);
}

/* Whether column c can be written under top-level field f after conversion: an int64 column
 * into a double field, any column into a json field. */
static bool aipc_convertible(const struct aipc_field *f, const struct column *c) {
    return (f->type == AT_FLOAT && c->type == COL_INT64) || (f->json && c->type != COL_JSON);
}

static int aipc_check_schema(const struct arrow_ipc_writer *w, const struct batch *b, zest_error *err) {
    if (b->n_cols != w->n_fields)
        return err_set(err, ZEST_E_PARAM, "%s: a batch has %zu columns, the file %zu", w->path,
                       b->n_cols, w->n_fields);
    for (size_t k = 0; k < b->n_cols; k++)
        if (strcmp(b->names[k], w->fields[k].name) ||
            (!aipc_field_matches(&w->fields[k], &b->cols[k]) &&
             !aipc_convertible(&w->fields[k], &b->cols[k])))
            return err_set(err, ZEST_E_PARAM,
                           "%s: column %zu ('%s') differs from the file's schema (name or type)",
                           w->path, k, b->names[k]);
    return 0;
}

/* Column k of the batch, converted to its field's type when it needs to be. */
static int aipc_column(struct arrow_ipc_writer *w, const struct batch *b, size_t k, struct column *out,
                       zest_error *err) {
    const struct aipc_field *f = &w->fields[k];
    *out = col_slice(&b->cols[k], 0, b->length);
    if (aipc_field_matches(f, out)) return 0;
    colb_destroy(&w->conv);
    colb_init(&w->conv, aipc_field_coltype(f), false, 0);
    int rc = 0;
    for (int64_t i = 0; i < out->length && !rc; i++) rc = colb_append_row(&w->conv, out, i);
    if (!rc) rc = colb_finish(&w->conv, out);
    return rc ? err_set(err, rc, "%s: column '%s': cannot convert to the file's type", w->path, f->name)
              : 0;
}

int arrow_ipc_writer_write(struct arrow_ipc_writer *w, const struct batch *b, zest_error *err) {
    int rc = w->have_schema ? aipc_check_schema(w, b, err) : aipc_set_schema(w, b, err);
    if (rc) return rc;
    buf_clear(&w->body);
    buf_clear(&w->nodes);
    buf_clear(&w->buffers);
    for (size_t k = 0; k < b->n_cols && !rc; k++) {
        struct column c;
        if (!(rc = aipc_column(w, b, k, &c, err))) rc = aipc_put_column(w, &w->fields[k], &c, b->names[k], err);
    }
    if (rc) return rc;
    if ((rc = buf_append(&w->body, aipc_zeros, (8 - w->body.len % 8) % 8))) return aipc_nomem(w, rc, err);
    fbb_reset(&w->fbb);
    const fb_ref nodes = fbb_vec_bytes(&w->fbb, w->nodes.data, 16, w->nodes.len / 16, 8);
    const fb_ref bufs = fbb_vec_bytes(&w->fbb, w->buffers.data, 16, w->buffers.len / 16, 8);
    fb_ref comp = 0;
    if (w->opts.codec != ARROW_IPC_UNCOMPRESSED) {
        fbb_start(&w->fbb);
        fbb_add_u8(&w->fbb, 0, w->opts.codec == ARROW_IPC_ZSTD ? 1 : 0);
        fbb_add_u8(&w->fbb, 1, 0);
        comp = fbb_end(&w->fbb);
    }
    fbb_start(&w->fbb);
    fbb_add_i64(&w->fbb, RB_LENGTH, b->length);
    fbb_add_ref(&w->fbb, RB_NODES, nodes);
    fbb_add_ref(&w->fbb, RB_BUFFERS, bufs);
    if (comp) fbb_add_ref(&w->fbb, RB_COMPRESSION, comp);
    const fb_ref rb = fbb_end(&w->fbb);
    return aipc_put_message(w, MH_RECORD_BATCH, rb, w->body.len, w->opts.kind == ARROW_IPC_FILE, err);
}

/* ---- open, commit ------------------------------------------------------------------------- */

static int aipc_writer_init(const char *path, const struct arrow_ipc_writer_opts *o,
                            arrow_ipc_out_fn fn, void *user, struct arrow_ipc_writer **out,
                            zest_error *err) {
    struct arrow_ipc_writer *w = calloc(1, sizeof *w);
    int rc = ZEST_E_NOMEM;
    if (!w || !(w->path = strdup(path))) {
        rc = err_set(err, ZEST_E_NOMEM, "%s: no memory for an arrow writer", path);
        goto out;
    }
    if (o) w->opts = *o;
    w->opts.schema = NULL;
    w->out = fn;
    w->user = user;
    fbb_init(&w->fbb);
    buf_init(&w->body, 0);
    buf_init(&w->tmp, 0);
    buf_init(&w->nodes, 0);
    buf_init(&w->buffers, 0);
    if (!fn && (rc = sink_open(path, &w->sink, err))) goto out;
    rc = 0;
    if (w->opts.kind == ARROW_IPC_FILE && (rc = aipc_emit(w, aipc_magic, 8, err))) goto out;
    if (o && o->schema && (rc = aipc_set_schema(w, o->schema, err))) goto out;
    *out = w;
    w = NULL;
out:
    arrow_ipc_writer_abort(w);
    return rc;
}

int arrow_ipc_writer_open(const char *path, const struct arrow_ipc_writer_opts *o,
                          struct arrow_ipc_writer **out, zest_error *err) {
    return aipc_writer_init(path, o, NULL, NULL, out, err);
}

int arrow_ipc_writer_new(const char *name, const struct arrow_ipc_writer_opts *o,
                         arrow_ipc_out_fn fn, void *user, struct arrow_ipc_writer **out,
                         zest_error *err) {
    return aipc_writer_init(name, o, fn, user, out, err);
}

static int aipc_put_footer(struct arrow_ipc_writer *w, zest_error *err) {
    const uint8_t *fb;
    size_t fb_len;
    fbb_reset(&w->fbb);
    const fb_ref schema = aipc_schema_build(&w->fbb, w->fields, w->n_fields);
    uint8_t *blocks = calloc(w->n_blocks ? w->n_blocks : 1, 24);
    if (!blocks) return err_set(err, ZEST_E_NOMEM, "%s: no memory for the footer", w->path);
    for (size_t i = 0; i < w->n_blocks; i++) {
        aipc_put_le(blocks + 24 * i, (uint64_t)w->blocks[i].offset, 8);
        aipc_put_le(blocks + 24 * i + 8, (uint32_t)w->blocks[i].meta_len, 4);
        aipc_put_le(blocks + 24 * i + 16, (uint64_t)w->blocks[i].body_len, 8);
    }
    const fb_ref dicts = fbb_vec_bytes(&w->fbb, NULL, 24, 0, 8);
    const fb_ref batches = fbb_vec_bytes(&w->fbb, blocks, 24, w->n_blocks, 8);
    free(blocks);
    fbb_start(&w->fbb);
    fbb_add_i16(&w->fbb, FOOTER_VERSION, ARROW_IPC_V5);
    fbb_add_ref(&w->fbb, FOOTER_SCHEMA, schema);
    fbb_add_ref(&w->fbb, FOOTER_DICTS, dicts);
    fbb_add_ref(&w->fbb, FOOTER_BATCHES, batches);
    const fb_ref footer = fbb_end(&w->fbb);
    int rc = fbb_finish(&w->fbb, footer, &fb, &fb_len);
    if (rc) return err_set(err, rc, "%s: arrow footer too large", w->path);
    uint8_t len4[4];
    aipc_put_le(len4, fb_len, 4);
    if ((rc = aipc_emit(w, fb, fb_len, err)) || (rc = aipc_emit(w, len4, 4, err)))
        return rc;
    return aipc_emit(w, aipc_magic, 6, err);
}

/* The end of stream, and the footer for the file format. */
static int aipc_put_end(struct arrow_ipc_writer *w, zest_error *err) {
    static const uint8_t eos[8] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    int rc = 0;
    if (!w->have_schema) { /* no batch: a schema without fields */
        w->have_schema = true;
        rc = aipc_put_schema(w, err);
    }
    if (!rc) rc = aipc_emit(w, eos, 8, err);
    if (!rc && w->opts.kind == ARROW_IPC_FILE) rc = aipc_put_footer(w, err);
    return rc;
}

int arrow_ipc_writer_commit(struct arrow_ipc_writer *w, uint64_t *bytes_out, zest_error *err) {
    int rc = w->sink ? aipc_put_end(w, err)
                     : err_set(err, ZEST_E_PARAM, "%s: not a file writer", w->path);
    if (!rc) {
        rc = sink_commit(w->sink, bytes_out, err);
        w->sink = NULL;
    }
    arrow_ipc_writer_abort(w);
    return rc;
}

int arrow_ipc_writer_close(struct arrow_ipc_writer *w, uint64_t *bytes_out, zest_error *err) {
    const int rc = aipc_put_end(w, err);
    if (!rc && bytes_out) *bytes_out = w->written;
    arrow_ipc_writer_abort(w);
    return rc;
}

void arrow_ipc_writer_abort(struct arrow_ipc_writer *w) {
    if (!w) return;
    sink_abort(w->sink);
    for (size_t k = 0; k < w->n_fields; k++) aipc_field_free(&w->fields[k]);
    free(w->fields);
    fbb_free(&w->fbb);
    buf_free(&w->body);
    buf_free(&w->tmp);
    buf_free(&w->nodes);
    buf_free(&w->buffers);
    free(w->blocks);
    colb_destroy(&w->conv);
    free(w->path);
    free(w);
}

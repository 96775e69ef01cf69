/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arrow_ipc_read.c - arrow_ipc_reader_*: Arrow IPC files and streams into zest batches.
 *
 * The input is mapped (or borrowed from memory) and never trusted: each message's prefix,
 * metadata flatbuffer and body must lie inside the input; each FieldNode and Buffer is taken
 * in schema pre-order and checked against the body; validity bitmaps, value buffers and
 * offsets are checked for size, offsets for being non-decreasing and within their data or
 * child array, dictionary indices against their dictionary. Only then are the rows appended
 * to fixed-type column builders (reused from batch to batch). Decompressed buffers live until
 * the next batch. Dictionaries (replacement and delta) are kept decoded as columns.
 *
 * Calls io/flatbuf, io/json.h (to validate arrow.json values), the schema and codec files of
 * this module, data/column.h and common/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/err.h"
#include "../common/utf8.h"
#include "arrow_ipc_internal.h"
#include "json.h"

/* One decoded array of a record batch, validated. */
struct aview {
    const struct aipc_field *f;
    int64_t length, null_count;
    const uint8_t *validity; /* NULL: all valid */
    const uint8_t *b1;       /* values, bits or offsets */
    size_t n1;
    const uint8_t *b2; /* string data */
    size_t n2;
    bool all_null; /* null_count == length: value buffers are not read (may be empty) */
    struct aview *children;
};

struct adict {
    int64_t id;
    const struct aipc_field *f;
    struct col_builder b;
    struct column col;
    bool loaded;
};

struct arrow_ipc_reader {
    char *name;
    const uint8_t *data;
    size_t len;
    void *map;
    size_t map_len;
    bool is_file, done;
    size_t pos;       /* stream: the next message */
    struct fb_vec blocks; /* file: the record batch Blocks of the footer */
    uint32_t next_block;
    uint64_t max_buffer;
    int64_t budget; /* cells and dictionary bytes a batch may still expand to */
    struct aipc_field *fields;
    size_t n_fields, n_views;
    struct aview *views;
    struct adict *dicts;
    size_t n_dicts;
    struct col_builder *cols;
    struct column *out_cols;
    const char **names;
    uint8_t **scratch;
    size_t n_scratch, cap_scratch;
    struct buf canon;
    int64_t msg_off; /* offset of the message being decoded, for errors */
};

/* The decoding state of one record batch. */
struct aload {
    struct arrow_ipc_reader *r;
    struct fb_vec nodes, buffers;
    const uint8_t *body;
    size_t body_len;
    int codec; /* -1: uncompressed */
    uint32_t node_i, buf_i;
    size_t view_i;
    zest_error *err;
};

#define AIPC_MAGIC "ARROW1"

static int aipc_bad(const struct arrow_ipc_reader *r, zest_error *err, const char *fmt, const char *what) {
    return err_set_at(err, ZEST_E_FORMAT, r->name, 0, r->msg_off, fmt, what);
}

/* After a flatbuf or codec error: names the file and the message offset. */
static int aipc_where(const struct arrow_ipc_reader *r, int rc, zest_error *err) {
    if (err) {
        err->offset = r->msg_off;
        err_prefix(err, "%s: message at offset %lld", r->name, (long long)r->msg_off);
    }
    return rc;
}

static void aipc_scratch_clear(struct arrow_ipc_reader *r) {
    for (size_t i = 0; i < r->n_scratch; i++) free(r->scratch[i]);
    r->n_scratch = 0;
}

static uint8_t *aipc_scratch_alloc(struct arrow_ipc_reader *r, size_t n) {
    if (r->n_scratch == r->cap_scratch) {
        const size_t cap = r->cap_scratch ? 2 * r->cap_scratch : 16;
        uint8_t **s = realloc(r->scratch, cap * sizeof *s);
        if (!s) return NULL;
        r->scratch = s;
        r->cap_scratch = cap;
    }
    uint8_t *p = malloc(n ? n : 1);
    if (p) r->scratch[r->n_scratch++] = p;
    return p;
}

/* ---- buffers and nodes --------------------------------------------------------------------- */

static int aipc_take_buffer(struct aload *st, const uint8_t **p, size_t *n) {
    struct arrow_ipc_reader *r = st->r;
    if (st->buf_i >= st->buffers.count) return aipc_bad(r, st->err, "%s", "fewer buffers than the schema needs");
    const uint8_t *b = fb_vec_at(&st->buffers, st->buf_i++);
    const uint64_t off = fb_ld64(b), len = fb_ld64(b + 8);
    if (off > st->body_len || len > st->body_len - off)
        return aipc_bad(r, st->err, "%s", "buffer outside the message body");
    *p = st->body + off;
    *n = (size_t)len;
    if (st->codec < 0 || len == 0) return 0;
    if (len < 8) return aipc_bad(r, st->err, "%s", "compressed buffer shorter than its length prefix");
    int64_t want = (int64_t)fb_ld64(*p);
    if (want == -1) { /* stored uncompressed */
        *p += 8;
        *n -= 8;
        return 0;
    }
    /* apache-arrow (JavaScript, up to 21 at least) writes the compressed length where the
     * format wants the uncompressed one: a size the frame itself declares wins. */
    uint64_t declared;
    if (aipc_frame_size((enum arrow_ipc_codec)(st->codec + 1), *p + 8, (size_t)len - 8, &declared) &&
        declared <= INT64_MAX)
        want = (int64_t)declared;
    if (want < 0 || (uint64_t)want > r->max_buffer)
        return err_set_at(st->err, ZEST_E_LIMIT, r->name, 0, r->msg_off,
                          "buffer claims %lld uncompressed bytes (limit %llu)", (long long)want,
                          (unsigned long long)r->max_buffer);
    uint8_t *dst = aipc_scratch_alloc(r, (size_t)want);
    if (!dst) return err_set(st->err, ZEST_E_NOMEM, "%s: no memory for a buffer", r->name);
    int rc = aipc_decompress((enum arrow_ipc_codec)(st->codec + 1), *p + 8, (size_t)len - 8, dst,
                             (size_t)want, st->err);
    if (rc) return aipc_where(r, rc, st->err);
    *p = dst;
    *n = (size_t)want;
    return 0;
}

static int aipc_take_node(struct aload *st, struct aview *v) {
    if (st->node_i >= st->nodes.count) return aipc_bad(st->r, st->err, "%s", "fewer field nodes than the schema");
    const uint8_t *b = fb_vec_at(&st->nodes, st->node_i++);
    v->length = (int64_t)fb_ld64(b);
    v->null_count = (int64_t)fb_ld64(b + 8);
    /* A null array's null count says nothing (writers differ: 0, its length, or the length
     * of the array it was sliced from); every row is null anyway. */
    if (v->f->type == AT_NULL) v->null_count = v->length;
    if (v->length < 0 || v->null_count < 0 || v->null_count > v->length)
        return aipc_bad(st->r, st->err, "field '%s': bad length or null count", v->f->name);
    if ((st->r->budget -= v->length) < 0)
        return err_set_at(st->err, ZEST_E_LIMIT, st->r->name, 0, st->r->msg_off,
                          "field '%s': batch larger than the reader's limit", v->f->name);
    return 0;
}

static int aipc_take_validity(struct aload *st, struct aview *v) {
    const uint8_t *p;
    size_t n;
    int rc = aipc_take_buffer(st, &p, &n);
    if (rc) return rc;
    v->validity = NULL;
    if (v->null_count == 0) return 0;
    /* Some writers (apache-arrow JS) leave the buffers of an all-null array empty. */
    v->all_null = v->null_count == v->length;
    if (v->all_null) return 0;
    if (n < (size_t)(v->length + 7) / 8)
        return aipc_bad(st->r, st->err, "field '%s': validity bitmap too short", v->f->name);
    v->validity = p;
    return 0;
}

static int64_t aipc_offset_at(const struct aview *v, bool wide, int64_t i) {
    return wide ? (int64_t)fb_ld64(v->b1 + 8 * i) : (int32_t)fb_ld32(v->b1 + 4 * i);
}

/* Offsets buffer of v: length+1 entries, non-decreasing from >= 0, the last <= limit. A
 * 0-row array may have an empty offsets buffer. */
static int aipc_check_offsets(struct aload *st, struct aview *v, bool wide, uint64_t limit) {
    const size_t w = wide ? 8 : 4;
    if ((v->length == 0 && v->n1 < w) || v->all_null) return 0;
    if (v->n1 / w < (size_t)v->length + 1)
        return aipc_bad(st->r, st->err, "field '%s': offsets buffer too short", v->f->name);
    int64_t prev = aipc_offset_at(v, wide, 0);
    if (prev < 0) return aipc_bad(st->r, st->err, "field '%s': negative offset", v->f->name);
    for (int64_t i = 1; i <= v->length; i++) {
        const int64_t o = aipc_offset_at(v, wide, i);
        if (o < prev) return aipc_bad(st->r, st->err, "field '%s': decreasing offsets", v->f->name);
        prev = o;
    }
    if ((uint64_t)prev > limit)
        return aipc_bad(st->r, st->err, "field '%s': offsets past the end of the data", v->f->name);
    return 0;
}

static int aipc_load(struct aload *st, const struct aipc_field *f, struct aview *v);

static int aipc_load_fixed(struct aload *st, struct aview *v, unsigned bits) {
    int rc = aipc_take_buffer(st, &v->b1, &v->n1);
    if (rc) return rc;
    const uint64_t need = bits == 1 ? (uint64_t)(v->length + 7) / 8 : (uint64_t)v->length * (bits / 8);
    if (v->n1 < need && !v->all_null) return aipc_bad(st->r, st->err, "field '%s': values buffer too short", v->f->name);
    return 0;
}

static int aipc_load_children(struct aload *st, const struct aipc_field *f, struct aview *v) {
    v->children = &st->r->views[st->view_i];
    st->view_i += f->n_children;
    for (size_t k = 0; k < f->n_children; k++) {
        int rc = aipc_load(st, &f->children[k], &v->children[k]);
        if (rc) return rc;
    }
    return 0;
}

static int aipc_load(struct aload *st, const struct aipc_field *f, struct aview *v) {
    memset(v, 0, sizeof *v);
    v->f = f;
    int rc = aipc_take_node(st, v);
    if (rc || f->type == AT_NULL) return rc;
    if ((rc = aipc_take_validity(st, v))) return rc;
    if (f->dict) return aipc_load_fixed(st, v, f->idx_bits);
    switch (f->type) {
    case AT_BOOL: return aipc_load_fixed(st, v, 1);
    case AT_INT:
    case AT_FLOAT: return aipc_load_fixed(st, v, f->bits);
    case AT_UTF8:
    case AT_LARGE_UTF8:
        if ((rc = aipc_take_buffer(st, &v->b1, &v->n1)) || (rc = aipc_take_buffer(st, &v->b2, &v->n2)))
            return rc;
        return aipc_check_offsets(st, v, f->type == AT_LARGE_UTF8, v->n2);
    case AT_STRUCT:
        if ((rc = aipc_load_children(st, f, v))) return rc;
        for (size_t k = 0; k < f->n_children; k++)
            if (v->children[k].length < v->length)
                return aipc_bad(st->r, st->err, "struct field '%s': a child is shorter", f->name);
        return 0;
    case AT_LIST:
    case AT_LARGE_LIST:
        if ((rc = aipc_take_buffer(st, &v->b1, &v->n1)) || (rc = aipc_load_children(st, f, v)))
            return rc;
        return aipc_check_offsets(st, v, f->type == AT_LARGE_LIST, (uint64_t)v->children[0].length);
    default: return aipc_bad(st->r, st->err, "field '%s': unsupported type", f->name);
    }
}

/* ---- rows into builders -------------------------------------------------------------------- */

static bool aipc_valid(const struct aview *v, int64_t i) {
    return !v->all_null && (!v->validity || (v->validity[i >> 3] >> (i & 7)) & 1);
}

static int aipc_int_at(const struct aview *v, unsigned bits, bool is_signed, int64_t i, int64_t *out) {
    const uint8_t *p = v->b1 + (size_t)i * (bits / 8);
    uint64_t u;
    switch (bits) {
    case 8: *out = is_signed ? (int8_t)p[0] : p[0]; return 0;
    case 16: u = fb_ld16(p); *out = is_signed ? (int16_t)u : (int64_t)u; return 0;
    case 32: u = fb_ld32(p); *out = is_signed ? (int32_t)u : (int64_t)u; return 0;
    default:
        u = fb_ld64(p);
        if (!is_signed && u > INT64_MAX) return ZEST_E_UNSUPPORTED;
        *out = (int64_t)u;
        return 0;
    }
}

static struct adict *aipc_dict_find(struct arrow_ipc_reader *r, int64_t id) {
    for (size_t i = 0; i < r->n_dicts; i++)
        if (r->dicts[i].id == id) return &r->dicts[i];
    return NULL;
}

static int aipc_row_err(const struct arrow_ipc_reader *r, zest_error *err, int rc, const struct aview *v,
                        int64_t i, const char *what) {
    return err_set_at(err, rc, r->name, 0, r->msg_off, "field '%s', row %lld: %s", v->f->name,
                      (long long)i, what);
}

static int aipc_append(struct arrow_ipc_reader *r, struct col_builder *b, const struct aview *v,
                       int64_t i, zest_error *err);

static int aipc_append_dict(struct arrow_ipc_reader *r, struct col_builder *b, const struct aview *v,
                            int64_t i, zest_error *err) {
    int64_t idx;
    const struct adict *d = aipc_dict_find(r, v->f->dict_id);
    if (!d || !d->loaded) return aipc_row_err(r, err, ZEST_E_FORMAT, v, i, "dictionary not loaded");
    if (aipc_int_at(v, v->f->idx_bits, v->f->idx_signed, i, &idx) || idx < 0 || idx >= d->col.length)
        return aipc_row_err(r, err, ZEST_E_FORMAT, v, i, "dictionary index out of range");
    /* A small dictionary can expand a lot: its bytes count against the batch's budget. */
    if (d->col.type == COL_UTF8 || d->col.type == COL_JSON) {
        size_t n;
        (void)col_str(&d->col, idx, &n);
        if ((r->budget -= (int64_t)n) < 0)
            return aipc_row_err(r, err, ZEST_E_LIMIT, v, i, "batch larger than the reader's limit");
    }
    const int rc = colb_append_row(b, &d->col, idx);
    return rc ? aipc_row_err(r, err, rc, v, i, "cannot append the value") : 0;
}

/* Length of the valid UTF-8 prefix of s[0, n) (n when all of it is valid): shortest forms
 * only, no surrogates, nothing above U+10FFFF. Batches hold valid UTF-8 only. */
static size_t aipc_utf8_valid(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8 && !(utf8_load8(s + i) & 0x8080808080808080ull)) {
            i += 8;
            continue;
        }
        const unsigned char c = s[i];
        size_t len;
        uint32_t lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else return i;
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return n;
}

static int aipc_append_str(struct arrow_ipc_reader *r, struct col_builder *b, const struct aview *v,
                           int64_t i, zest_error *err) {
    const bool wide = v->f->type == AT_LARGE_UTF8;
    const int64_t lo = aipc_offset_at(v, wide, i), hi = aipc_offset_at(v, wide, i + 1);
    const char *s = (const char *)v->b2 + lo;
    const size_t n = (size_t)(hi - lo), ok = aipc_utf8_valid((const unsigned char *)s, n);
    if (ok != n) {
        char what[64];
        snprintf(what, sizeof what, "invalid UTF-8 at byte %zu of the value", ok);
        return aipc_row_err(r, err, ZEST_E_FORMAT, v, i, what);
    }
    if (!v->f->json) return colb_append_str(b, s, n);
    struct json_cursor c;
    json_cursor_init(&c, s, (size_t)(hi - lo));
    buf_clear(&r->canon);
    if (json_canon_value(&c, &r->canon) || json_expect_end(&c))
        return aipc_row_err(r, err, ZEST_E_FORMAT, v, i, "arrow.json value is not JSON");
    return colb_append_json_text(b, r->canon.data, r->canon.len);
}

static int aipc_append_nested(struct arrow_ipc_reader *r, struct col_builder *b, const struct aview *v,
                              int64_t i, zest_error *err) {
    const struct aipc_field *f = v->f;
    int rc = 0;
    if (f->type == AT_STRUCT) {
        for (size_t k = 0; k < f->n_children && !rc; k++) {
            struct col_builder *cb = colb_struct_field(b, f->children[k].name, strlen(f->children[k].name));
            rc = cb ? aipc_append(r, cb, &v->children[k], i, err) : ZEST_E_NOMEM;
        }
        return rc ? rc : colb_struct_end_row(b);
    }
    const bool wide = f->type == AT_LARGE_LIST;
    const int64_t lo = aipc_offset_at(v, wide, i), hi = aipc_offset_at(v, wide, i + 1);
    struct col_builder *item = colb_list_item(b);
    if (!item) return ZEST_E_NOMEM;
    for (int64_t j = lo; j < hi && !rc; j++) rc = aipc_append(r, item, &v->children[0], j, err);
    return rc ? rc : colb_list_end_row(b);
}

static int aipc_append(struct arrow_ipc_reader *r, struct col_builder *b, const struct aview *v,
                       int64_t i, zest_error *err) {
    const struct aipc_field *f = v->f;
    int rc;
    if (f->type == AT_NULL || !aipc_valid(v, i)) rc = colb_append_null(b);
    else if (f->dict) return aipc_append_dict(r, b, v, i, err);
    else
        switch (f->type) {
        case AT_BOOL: rc = colb_append_bool(b, (v->b1[i >> 3] >> (i & 7)) & 1); break;
        case AT_INT: {
            int64_t x;
            if (aipc_int_at(v, f->bits, f->is_signed, i, &x))
                return aipc_row_err(r, err, ZEST_E_UNSUPPORTED, v, i, "uint64 value above INT64_MAX");
            rc = colb_append_int(b, x);
            break;
        }
        case AT_FLOAT:
            if (f->bits == 32) {
                const uint32_t u = fb_ld32(v->b1 + 4 * i);
                float x;
                memcpy(&x, &u, 4);
                rc = colb_append_double(b, x);
            } else {
                const uint64_t u = fb_ld64(v->b1 + 8 * i);
                double x;
                memcpy(&x, &u, 8);
                rc = colb_append_double(b, x);
            }
            break;
        case AT_UTF8:
        case AT_LARGE_UTF8:
            if ((rc = aipc_append_str(r, b, v, i, err)) == ZEST_E_FORMAT) return rc;
            break;
        default: rc = aipc_append_nested(r, b, v, i, err); break;
        }
    if (rc && err && err->code != rc) return aipc_row_err(r, err, rc, v, i, "cannot append the value");
    return rc;
}

/* Gives builder b (empty) the fixed type of field f, and its struct fields / list item the
 * types of f's children, so that even a 0-row batch keeps the nested schema. */
static int aipc_shape(struct col_builder *b, const struct aipc_field *f) {
    if (b->length != 0) return 0;
    if (b->type != aipc_field_coltype(f) || b->infer) {
        colb_destroy(b);
        colb_init(b, aipc_field_coltype(f), false, 0);
    }
    if (f->type == AT_STRUCT) {
        for (size_t k = 0; k < f->n_children; k++) {
            struct col_builder *cb = colb_struct_field(b, f->children[k].name, strlen(f->children[k].name));
            if (!cb || aipc_shape(cb, &f->children[k])) return ZEST_E_NOMEM;
        }
    } else if (f->type == AT_LIST || f->type == AT_LARGE_LIST) {
        struct col_builder *item = colb_list_item(b);
        if (!item || aipc_shape(item, &f->children[0])) return ZEST_E_NOMEM;
    }
    return 0;
}

/* ---- messages ------------------------------------------------------------------------------ */

struct amsg {
    struct fb_table msg, header;
    uint8_t type;
    const uint8_t *body;
    size_t body_len;
    size_t next;
    bool eos;
};

static int aipc_read_message(struct arrow_ipc_reader *r, size_t pos, struct amsg *m, zest_error *err) {
    memset(m, 0, sizeof *m);
    r->msg_off = (int64_t)pos;
    if (pos == r->len) {
        m->eos = true;
        return 0;
    }
    if (pos > r->len || r->len - pos < 4) return aipc_bad(r, err, "%s", "truncated message prefix");
    size_t hdr = 4;
    uint32_t mlen = fb_ld32(r->data + pos);
    if (mlen == 0xffffffffu) {
        if (r->len - pos < 8) return aipc_bad(r, err, "%s", "truncated message prefix");
        mlen = fb_ld32(r->data + pos + 4);
        hdr = 8;
    }
    if (mlen == 0) {
        m->eos = true;
        return 0;
    }
    if (mlen > r->len - pos - hdr) return aipc_bad(r, err, "%s", "message metadata past the end");
    const uint8_t *meta = r->data + pos + hdr;
    int rc = fb_root(meta, mlen, &m->msg, "Message", err);
    if (rc) return aipc_where(r, rc, err);
    const int16_t version = fb_i16(&m->msg, MSG_VERSION, 0);
    if (version < 3) return aipc_bad(r, err, "%s", "metadata version before V4 is not supported");
    const int64_t body_len = fb_i64(&m->msg, MSG_BODY_LENGTH, 0);
    const size_t body_at = pos + hdr + mlen;
    if (body_len < 0 || (uint64_t)body_len > r->len - body_at)
        return aipc_bad(r, err, "%s", "message body past the end of the input");
    m->type = fb_u8(&m->msg, MSG_HEADER_TYPE, 0);
    rc = fb_table_field(&m->msg, MSG_HEADER, &m->header, "Message.header", err);
    if (rc < 0) return aipc_where(r, rc, err);
    if (rc == 0) return aipc_bad(r, err, "%s", "message without a header");
    m->body = r->data + body_at;
    m->body_len = (size_t)body_len;
    m->next = body_at + (size_t)body_len;
    return 0;
}

/* Decodes the views of record batch `rb` for `n` top-level fields. */
static int aipc_load_batch(struct arrow_ipc_reader *r, const struct fb_table *rb, const uint8_t *body,
                           size_t body_len, const struct aipc_field *fields, size_t n,
                           int64_t *length, zest_error *err) {
    struct aload st = {.r = r, .body = body, .body_len = body_len, .codec = -1, .err = err};
    struct fb_table comp;
    int rc;
    if ((rc = fb_vec_field(rb, RB_NODES, 16, &st.nodes, "RecordBatch.nodes", err)) < 0 ||
        (rc = fb_vec_field(rb, RB_BUFFERS, 16, &st.buffers, "RecordBatch.buffers", err)) < 0 ||
        (rc = fb_table_field(rb, RB_COMPRESSION, &comp, "RecordBatch.compression", err)) < 0)
        return aipc_where(r, rc, err);
    if (rc == 1) {
        const uint8_t codec = fb_u8(&comp, 0, 0);
        if (codec > 1 || fb_u8(&comp, 1, 0) != 0)
            return err_set_at(err, ZEST_E_UNSUPPORTED, r->name, 0, r->msg_off,
                              "compression codec %u / method %u", codec, fb_u8(&comp, 1, 0));
        st.codec = codec;
    }
    *length = fb_i64(rb, RB_LENGTH, 0);
    if (*length < 0) return aipc_bad(r, err, "%s", "bad record batch length");
    aipc_scratch_clear(r);
    r->budget = r->max_buffer > INT64_MAX / 8 ? INT64_MAX : (int64_t)r->max_buffer * 8;
    /* The rows count too: a batch without columns must not claim 2^62 of them. */
    if ((r->budget -= *length) < 0)
        return err_set_at(err, ZEST_E_LIMIT, r->name, 0, r->msg_off,
                          "record batch of %lld rows is larger than the reader's limit",
                          (long long)*length);
    st.view_i = n;
    for (size_t k = 0; k < n; k++) {
        if ((rc = aipc_load(&st, &fields[k], &r->views[k]))) return rc;
        if (r->views[k].length != *length)
            return aipc_bad(r, err, "column '%s': length differs from the batch", fields[k].name);
    }
    return 0;
}

static int aipc_load_dict(struct arrow_ipc_reader *r, const struct amsg *m, zest_error *err) {
    struct fb_table data;
    int64_t length;
    const int64_t id = fb_i64(&m->header, DB_ID, 0);
    struct adict *d = aipc_dict_find(r, id);
    if (!d) return aipc_bad(r, err, "%s", "dictionary batch for an id no field uses");
    int rc = fb_table_field(&m->header, DB_DATA, &data, "DictionaryBatch.data", err);
    if (rc < 0) return aipc_where(r, rc, err);
    if (rc == 0) return aipc_bad(r, err, "%s", "dictionary batch without data");
    /* The dictionary's values are described by the field's type without its encoding. */
    struct aipc_field vf = *d->f;
    vf.dict = false;
    if ((rc = aipc_load_batch(r, &data, m->body, m->body_len, &vf, 1, &length, err))) return rc;
    if (!fb_u8(&m->header, DB_DELTA, 0) || !d->loaded) colb_reset(&d->b);
    if ((rc = aipc_shape(&d->b, &vf))) return err_set(err, rc, "%s: no memory", r->name);
    for (int64_t i = 0; i < length && !rc; i++) rc = aipc_append(r, &d->b, &r->views[0], i, err);
    if (!rc) rc = colb_finish(&d->b, &d->col);
    if (!rc) d->loaded = true;
    return rc;
}

static int aipc_decode_batch(struct arrow_ipc_reader *r, const struct amsg *m, struct batch *out,
                             zest_error *err) {
    int64_t length;
    int rc = aipc_load_batch(r, &m->header, m->body, m->body_len, r->fields, r->n_fields, &length, err);
    for (size_t k = 0; k < r->n_fields && !rc; k++) {
        colb_reset(&r->cols[k]);
        if ((rc = aipc_shape(&r->cols[k], &r->fields[k])))
            return err_set(err, rc, "%s: no memory", r->name);
        for (int64_t i = 0; i < length && !rc; i++) rc = aipc_append(r, &r->cols[k], &r->views[k], i, err);
        if (!rc && (rc = colb_finish(&r->cols[k], &r->out_cols[k])))
            return err_set(err, rc, "%s: cannot finish column '%s'", r->name, r->names[k]);
    }
    if (rc) return rc;
    *out = (struct batch){length, r->n_fields, r->out_cols, r->names};
    return 1;
}

/* The next record batch message (loading dictionary batches met on the way). 1, 0 or < 0. */
static int aipc_next_message(struct arrow_ipc_reader *r, struct amsg *m, zest_error *err) {
    for (;;) {
        size_t pos;
        if (r->is_file) {
            if (r->next_block >= r->blocks.count) return 0;
            pos = (size_t)fb_ld64(fb_vec_at(&r->blocks, r->next_block++));
            if (pos >= r->len) return aipc_bad(r, err, "%s", "record batch block outside the file");
        } else {
            pos = r->pos;
        }
        int rc = aipc_read_message(r, pos, m, err);
        if (rc) return rc;
        if (m->eos) return r->is_file ? aipc_bad(r, err, "%s", "block points at end of stream") : 0;
        r->pos = m->next;
        if (m->type == MH_RECORD_BATCH) return 1;
        if (m->type == MH_DICTIONARY) {
            if (r->is_file) return aipc_bad(r, err, "%s", "block is not a record batch");
            if ((rc = aipc_load_dict(r, m, err))) return rc;
            continue;
        }
        return aipc_bad(r, err, "%s", "unexpected message type in the stream");
    }
}

int arrow_ipc_reader_next(struct arrow_ipc_reader *r, struct batch *out, zest_error *err) {
    struct amsg m;
    if (r->done) return 0;
    int rc = aipc_next_message(r, &m, err);
    if (rc <= 0) {
        r->done = true;
        return rc;
    }
    rc = aipc_decode_batch(r, &m, out, err);
    if (rc < 0) r->done = true;
    return rc;
}

/* ---- open ---------------------------------------------------------------------------------- */

/* Allocates the per-schema state: views, dictionaries, builders, names. */
static int aipc_setup(struct arrow_ipc_reader *r, zest_error *err) {
    size_t n_dicts = 0;
    r->n_views = r->n_fields;
    for (size_t k = 0; k < r->n_fields; k++) r->n_views += aipc_field_count(&r->fields[k]);
    r->views = calloc(r->n_views + 1, sizeof *r->views);
    r->cols = calloc(r->n_fields + 1, sizeof *r->cols);
    r->out_cols = calloc(r->n_fields + 1, sizeof *r->out_cols);
    r->names = calloc(r->n_fields + 1, sizeof *r->names);
    r->dicts = calloc(r->n_views + 1, sizeof *r->dicts);
    if (!r->views || !r->cols || !r->out_cols || !r->names || !r->dicts)
        return err_set(err, ZEST_E_NOMEM, "%s: no memory for the schema", r->name);
    for (size_t k = 0; k < r->n_fields; k++) {
        colb_init(&r->cols[k], aipc_field_coltype(&r->fields[k]), false, 0);
        r->names[k] = r->fields[k].name;
    }
    /* Dictionary-encoded fields, found depth-first through an explicit stack of fields. */
    const struct aipc_field **stack = malloc((r->n_views + 1) * sizeof *stack);
    size_t top = 0;
    if (!stack) return err_set(err, ZEST_E_NOMEM, "%s: no memory for the schema", r->name);
    for (size_t k = 0; k < r->n_fields; k++) stack[top++] = &r->fields[k];
    while (top) {
        const struct aipc_field *f = stack[--top];
        for (size_t k = 0; k < f->n_children; k++) stack[top++] = &f->children[k];
        if (!f->dict) continue;
        if (f->type == AT_STRUCT || f->type == AT_LIST || f->type == AT_LARGE_LIST) {
            free(stack);
            return err_set(err, ZEST_E_UNSUPPORTED, "%s: field '%s': nested dictionary values",
                           r->name, f->name);
        }
        if (aipc_dict_find(r, f->dict_id)) continue;
        r->dicts[n_dicts] = (struct adict){.id = f->dict_id, .f = f};
        colb_init(&r->dicts[n_dicts].b, aipc_field_coltype(f), false, 0);
        r->n_dicts = ++n_dicts;
    }
    free(stack);
    return 0;
}

static int aipc_open_schema(struct arrow_ipc_reader *r, const struct fb_table *schema, zest_error *err) {
    int rc = aipc_schema_parse(schema, &r->fields, &r->n_fields, err);
    if (rc) {
        if (err) err_prefix(err, "%s: schema at offset %lld", r->name, (long long)r->msg_off);
        return rc;
    }
    return aipc_setup(r, err);
}

static int aipc_open_stream(struct arrow_ipc_reader *r, zest_error *err) {
    struct amsg m;
    int rc = aipc_read_message(r, 0, &m, err);
    if (rc) return rc;
    if (m.eos || m.type != MH_SCHEMA) return aipc_bad(r, err, "%s", "the stream does not start with a schema");
    r->pos = m.next;
    return aipc_open_schema(r, &m.header, err);
}

static int aipc_open_file(struct arrow_ipc_reader *r, zest_error *err) {
    struct fb_table footer, schema;
    struct fb_vec dicts;
    if (r->len < 8 + 10 || memcmp(r->data + r->len - 6, AIPC_MAGIC, 6))
        return aipc_bad(r, err, "%s", "file does not end with the ARROW1 magic");
    const uint32_t flen = fb_ld32(r->data + r->len - 10);
    r->msg_off = (int64_t)(r->len - 10);
    if (flen > r->len - 18) return aipc_bad(r, err, "%s", "footer length past the start of the file");
    r->msg_off = (int64_t)(r->len - 10 - flen);
    const uint8_t *fb = r->data + r->len - 10 - flen;
    int rc;
    if ((rc = fb_root(fb, flen, &footer, "Footer", err)) ||
        (rc = fb_vec_field(&footer, FOOTER_DICTS, 24, &dicts, "Footer.dictionaries", err)) < 0 ||
        (rc = fb_vec_field(&footer, FOOTER_BATCHES, 24, &r->blocks, "Footer.recordBatches", err)) < 0 ||
        (rc = fb_table_field(&footer, FOOTER_SCHEMA, &schema, "Footer.schema", err)) < 0)
        return aipc_where(r, rc, err);
    if (rc == 0) return aipc_bad(r, err, "%s", "footer without a schema");
    if ((rc = aipc_open_schema(r, &schema, err))) return rc;
    for (uint32_t i = 0; i < dicts.count; i++) {
        struct amsg m;
        const uint64_t pos = fb_ld64(fb_vec_at(&dicts, i));
        if (pos >= r->len) return aipc_bad(r, err, "%s", "dictionary block outside the file");
        if ((rc = aipc_read_message(r, (size_t)pos, &m, err))) return rc;
        if (m.eos || m.type != MH_DICTIONARY) return aipc_bad(r, err, "%s", "block is not a dictionary batch");
        if ((rc = aipc_load_dict(r, &m, err))) return rc;
    }
    return 0;
}

int arrow_ipc_reader_open_mem(const void *data, size_t len, const char *name, uint64_t max_buffer,
                              struct arrow_ipc_reader **out, zest_error *err) {
    struct arrow_ipc_reader *r = calloc(1, sizeof *r);
    int rc;
    if (!r || !(r->name = strdup(name))) {
        free(r);
        return err_set(err, ZEST_E_NOMEM, "%s: no memory for an arrow reader", name);
    }
    r->data = data;
    r->len = len;
    r->max_buffer = max_buffer ? max_buffer : ARROW_IPC_MAX_BUFFER;
    buf_init(&r->canon, 0);
    r->is_file = len >= 8 && !memcmp(data, AIPC_MAGIC "\0\0", 8);
    rc = r->is_file ? aipc_open_file(r, err) : aipc_open_stream(r, err);
    if (rc) {
        arrow_ipc_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int arrow_ipc_reader_open(const char *path, struct arrow_ipc_reader **out, zest_error *err) {
    struct stat st;
    void *map = NULL;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st)) {
        const int rc = err_set_at(err, ZEST_E_IO, path, 0, -1, "cannot open: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return rc;
    }
    if (st.st_size > 0) {
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            const int rc = err_set_at(err, ZEST_E_IO, path, 0, -1, "cannot map: %s", strerror(errno));
            close(fd);
            return rc;
        }
    }
    close(fd);
    int rc = arrow_ipc_reader_open_mem(map ? map : "", (size_t)st.st_size, path, 0, out, err);
    if (rc) {
        if (map) munmap(map, (size_t)st.st_size);
        return rc;
    }
    (*out)->map = map;
    (*out)->map_len = (size_t)st.st_size;
    return 0;
}

size_t arrow_ipc_reader_n_cols(const struct arrow_ipc_reader *r) { return r->n_fields; }

const char *arrow_ipc_reader_col_name(const struct arrow_ipc_reader *r, size_t i) {
    return i < r->n_fields ? r->fields[i].name : NULL;
}

void arrow_ipc_reader_close(struct arrow_ipc_reader *r) {
    if (!r) return;
    aipc_scratch_clear(r);
    free(r->scratch);
    for (size_t k = 0; r->cols && k < r->n_fields; k++) colb_destroy(&r->cols[k]);
    for (size_t k = 0; k < r->n_dicts; k++) colb_destroy(&r->dicts[k].b);
    for (size_t k = 0; k < r->n_fields; k++) aipc_field_free(&r->fields[k]);
    free(r->fields);
    free(r->views);
    free(r->cols);
    free(r->out_cols);
    free(r->names);
    free(r->dicts);
    buf_free(&r->canon);
    if (r->map) munmap(r->map, r->map_len);
    free(r->name);
    free(r);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * thrift_compact.c - Thrift compact protocol encoder and bounds-checked decoder: varints,
 * zigzag integers, delta-coded field headers, list headers, and skipping of unknown fields
 * (the forward compatibility Parquet relies on). Calls common/buf only.
 */
#include "thrift_compact.h"

#include <string.h>

#include "zest.h"

/* ---- encoder ---------------------------------------------------------------------------- */

void tcw_init(struct tc_writer *w, struct buf *out) {
    memset(w, 0, sizeof *w);
    w->out = out;
}

static void tcw_put(struct tc_writer *w, const void *p, size_t n) {
    if (w->status) return;
    w->status = buf_append(w->out, p, n);
}

void tcw_varint(struct tc_writer *w, uint64_t v) {
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    tcw_put(w, tmp, n);
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

void tcw_i32(struct tc_writer *w, int32_t v) { tcw_varint(w, zigzag(v)); }
void tcw_i64(struct tc_writer *w, int64_t v) { tcw_varint(w, zigzag(v)); }

void tcw_binary(struct tc_writer *w, const void *p, size_t n) {
    tcw_varint(w, n);
    if (n) tcw_put(w, p, n);
}

void tcw_field(struct tc_writer *w, int16_t id, enum tc_type type) {
    int16_t *last = &w->last[w->depth];
    const int delta = id - *last;
    if (delta > 0 && delta <= 15) {
        const uint8_t h = (uint8_t)(delta << 4 | type);
        tcw_put(w, &h, 1);
    } else {
        const uint8_t h = (uint8_t)type;
        tcw_put(w, &h, 1);
        tcw_i32(w, id);
    }
    *last = id;
}

void tcw_i32_field(struct tc_writer *w, int16_t id, int32_t v) {
    tcw_field(w, id, TC_I32);
    tcw_i32(w, v);
}
void tcw_i64_field(struct tc_writer *w, int16_t id, int64_t v) {
    tcw_field(w, id, TC_I64);
    tcw_i64(w, v);
}
void tcw_bool_field(struct tc_writer *w, int16_t id, bool v) {
    tcw_field(w, id, v ? TC_TRUE : TC_FALSE);
}
void tcw_binary_field(struct tc_writer *w, int16_t id, const void *p, size_t n) {
    tcw_field(w, id, TC_BINARY);
    tcw_binary(w, p, n);
}

void tcw_struct_begin(struct tc_writer *w) {
    if (w->depth + 1 >= TC_MAX_DEPTH) {
        if (!w->status) w->status = ZEST_E_PARAM;
        return;
    }
    w->last[++w->depth] = 0;
}

void tcw_struct_end(struct tc_writer *w) {
    const uint8_t stop = TC_STOP;
    tcw_put(w, &stop, 1);
    if (w->depth > 0) w->depth--;
}

void tcw_list(struct tc_writer *w, enum tc_type elem, uint32_t n) {
    if (n < 15) {
        const uint8_t h = (uint8_t)(n << 4 | elem);
        tcw_put(w, &h, 1);
    } else {
        const uint8_t h = (uint8_t)(0xf0 | elem);
        tcw_put(w, &h, 1);
        tcw_varint(w, n);
    }
}

/* ---- decoder ---------------------------------------------------------------------------- */

void tcr_init(struct tc_reader *r, const void *data, size_t len) {
    memset(r, 0, sizeof *r);
    r->base = r->p = data;
    r->end = r->p + len;
}

static int tcr_fail(struct tc_reader *r, const char *why) {
    if (!r->why) {
        r->why = why;
        r->pos = (size_t)(r->p - r->base);
    }
    return ZEST_E_FORMAT;
}

int tcr_varint(struct tc_reader *r, uint64_t *v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) return tcr_fail(r, "truncated varint");
        const uint8_t b = *r->p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return tcr_fail(r, "varint too long");
}

static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

int tcr_i64(struct tc_reader *r, int64_t *v) {
    uint64_t u;
    int rc = tcr_varint(r, &u);
    if (rc) return rc;
    *v = unzigzag(u);
    return 0;
}

int tcr_i32(struct tc_reader *r, int32_t *v) {
    int64_t x;
    int rc = tcr_i64(r, &x);
    if (rc) return rc;
    if (x < INT32_MIN || x > INT32_MAX) return tcr_fail(r, "i32 out of range");
    *v = (int32_t)x;
    return 0;
}

int tcr_double(struct tc_reader *r, double *v) {
    if (r->end - r->p < 8) return tcr_fail(r, "truncated double");
    memcpy(v, r->p, 8);
    r->p += 8;
    return 0;
}

int tcr_binary(struct tc_reader *r, const uint8_t **p, size_t *n) {
    uint64_t len;
    int rc = tcr_varint(r, &len);
    if (rc) return rc;
    if (len > (uint64_t)(r->end - r->p)) return tcr_fail(r, "binary length past the end");
    *p = r->p;
    *n = (size_t)len;
    r->p += len;
    return 0;
}

int tcr_field(struct tc_reader *r, int16_t *last, int16_t *id, uint8_t *type) {
    if (r->p >= r->end) return tcr_fail(r, "truncated struct");
    const uint8_t h = *r->p++;
    if (h == TC_STOP) return 0;
    *type = h & 0x0f;
    if (*type > TC_STRUCT) return tcr_fail(r, "unknown field type");
    const int delta = h >> 4;
    if (delta) {
        const int nid = *last + delta;
        if (nid > INT16_MAX) return tcr_fail(r, "field id out of range");
        *id = (int16_t)nid;
    } else {
        int32_t x;
        int rc = tcr_i32(r, &x);
        if (rc) return rc;
        if (x < INT16_MIN || x > INT16_MAX) return tcr_fail(r, "field id out of range");
        *id = (int16_t)x;
    }
    *last = *id;
    return 1;
}

int tcr_list(struct tc_reader *r, uint8_t *elem, uint32_t *n) {
    if (r->p >= r->end) return tcr_fail(r, "truncated list");
    const uint8_t h = *r->p++;
    *elem = h & 0x0f;
    uint64_t count = h >> 4;
    if (count == 15) {
        int rc = tcr_varint(r, &count);
        if (rc) return rc;
    }
    /* Every element takes at least one byte, except bools in some writers: still one byte. */
    if (count > (uint64_t)(r->end - r->p)) return tcr_fail(r, "list count past the end");
    *n = (uint32_t)count;
    return 0;
}

int tcr_bool_elem(struct tc_reader *r, bool *v) {
    if (r->p >= r->end) return tcr_fail(r, "truncated bool");
    *v = *r->p++ == TC_TRUE;
    return 0;
}

int tcr_struct_begin(struct tc_reader *r) {
    if (r->depth >= TC_MAX_DEPTH) return tcr_fail(r, "nesting too deep");
    r->depth++;
    return 0;
}

void tcr_struct_end(struct tc_reader *r) {
    if (r->depth > 0) r->depth--;
}

int tcr_int(struct tc_reader *r, uint8_t type, int64_t *v) {
    if (type == TC_BYTE) {
        if (r->p >= r->end) return tcr_fail(r, "truncated byte");
        *v = (int8_t)*r->p++;
        return 0;
    }
    if (type == TC_I16 || type == TC_I32 || type == TC_I64) return tcr_i64(r, v);
    return tcr_fail(r, "field has the wrong type (integer expected)");
}

static int tcr_skip_struct(struct tc_reader *r) {
    int rc = tcr_struct_begin(r);
    int16_t last = 0, id;
    uint8_t type;
    while (!rc && (rc = tcr_field(r, &last, &id, &type)) == 1) rc = tcr_skip(r, type);
    tcr_struct_end(r);
    return rc;
}

int tcr_skip(struct tc_reader *r, uint8_t type) {
    uint64_t u;
    const uint8_t *p;
    size_t n;
    switch (type) {
    case TC_TRUE:
    case TC_FALSE: return 0; /* field bools carry their value in the header */
    case TC_BYTE:
        if (r->p >= r->end) return tcr_fail(r, "truncated byte");
        r->p++;
        return 0;
    case TC_I16:
    case TC_I32:
    case TC_I64: return tcr_varint(r, &u);
    case TC_DOUBLE:
        if (r->end - r->p < 8) return tcr_fail(r, "truncated double");
        r->p += 8;
        return 0;
    case TC_BINARY: return tcr_binary(r, &p, &n);
    case TC_STRUCT: return tcr_skip_struct(r);
    case TC_LIST:
    case TC_SET: {
        uint8_t elem;
        uint32_t count;
        int rc = tcr_list(r, &elem, &count);
        if (!rc) rc = tcr_struct_begin(r);
        for (uint32_t i = 0; !rc && i < count; i++)
            rc = (elem == TC_TRUE || elem == TC_FALSE) ? tcr_skip(r, TC_BYTE) : tcr_skip(r, elem);
        tcr_struct_end(r);
        return rc;
    }
    case TC_MAP: {
        uint64_t count;
        int rc = tcr_varint(r, &count);
        if (rc || count == 0) return rc;
        if (count > (uint64_t)(r->end - r->p)) return tcr_fail(r, "map count past the end");
        if (r->p >= r->end) return tcr_fail(r, "truncated map");
        const uint8_t kv = *r->p++;
        const uint8_t kt = kv >> 4, vt = kv & 0x0f;
        rc = tcr_struct_begin(r);
        for (uint64_t i = 0; !rc && i < count; i++) {
            rc = tcr_skip(r, kt == TC_TRUE || kt == TC_FALSE ? TC_BYTE : kt);
            if (!rc) rc = tcr_skip(r, vt == TC_TRUE || vt == TC_FALSE ? TC_BYTE : vt);
        }
        tcr_struct_end(r);
        return rc;
    }
    default: return tcr_fail(r, "unknown type");
    }
}

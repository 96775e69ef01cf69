/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flatbuf.c - the FlatBuffers reader and builder declared in flatbuf.h. Reader: every access
 * is checked against the buffer length before a byte is loaded (offsets are unsigned and
 * point forward, so a chain of tables cannot loop; callers bound recursion depth). Builder:
 * objects are written from the end of a growing buffer towards its start, so that the
 * unsigned offsets of a table point forward to children built before it, as the format
 * wants. Calls common/err only.
 */
#include "flatbuf.h"

#include <stdlib.h>
#include <string.h>

#include "../common/err.h"

/* ---- reader -------------------------------------------------------------------------------- */

static int fb_bad(zest_error *err, const char *what, size_t off, const char *why) {
    return err_set(err, ZEST_E_FORMAT, "%s: offset %zu: %s", what, off, why);
}

static int fb_table_at(const uint8_t *buf, size_t len, size_t pos, struct fb_table *t,
                       const char *what, zest_error *err) {
    if (len < 4 || pos > len - 4) return fb_bad(err, what, pos, "table outside the buffer");
    const int64_t vt = (int64_t)pos - (int32_t)fb_ld32(buf + pos);
    if (vt < 0 || (uint64_t)vt > len - 4) return fb_bad(err, what, pos, "vtable outside the buffer");
    const uint16_t vt_len = fb_ld16(buf + vt), tbl_len = fb_ld16(buf + vt + 2);
    if (vt_len < 4 || (vt_len & 1) || (size_t)vt + vt_len > len)
        return fb_bad(err, what, (size_t)vt, "bad vtable size");
    if (tbl_len < 4 || tbl_len > len - pos) return fb_bad(err, what, pos, "bad table size");
    *t = (struct fb_table){buf, len, pos, (size_t)vt, vt_len, tbl_len};
    return 0;
}

int fb_root(const uint8_t *buf, size_t len, struct fb_table *t, const char *what, zest_error *err) {
    if (len < 8) return fb_bad(err, what, 0, "buffer too short for a flatbuffer");
    return fb_table_at(buf, len, fb_ld32(buf), t, what, err);
}

/* Offset of field `slot` inside the table when present and `size` bytes fit, else 0. */
static size_t fb_field(const struct fb_table *t, unsigned slot, size_t size) {
    const size_t vo = 4 + 2 * (size_t)slot;
    if (vo + 2 > t->vt_len) return 0;
    const uint16_t fo = fb_ld16(t->buf + t->vt + vo);
    if (fo == 0 || fo + size > t->tbl_len) return 0;
    return fo;
}

bool fb_has(const struct fb_table *t, unsigned slot) {
    const size_t vo = 4 + 2 * (size_t)slot;
    return vo + 2 <= t->vt_len && fb_ld16(t->buf + t->vt + vo) != 0;
}

int64_t fb_i64(const struct fb_table *t, unsigned slot, int64_t def) {
    const size_t fo = fb_field(t, slot, 8);
    return fo ? (int64_t)fb_ld64(t->buf + t->pos + fo) : def;
}
int32_t fb_i32(const struct fb_table *t, unsigned slot, int32_t def) {
    const size_t fo = fb_field(t, slot, 4);
    return fo ? (int32_t)fb_ld32(t->buf + t->pos + fo) : def;
}
int16_t fb_i16(const struct fb_table *t, unsigned slot, int16_t def) {
    const size_t fo = fb_field(t, slot, 2);
    return fo ? (int16_t)fb_ld16(t->buf + t->pos + fo) : def;
}
uint8_t fb_u8(const struct fb_table *t, unsigned slot, uint8_t def) {
    const size_t fo = fb_field(t, slot, 1);
    return fo ? t->buf[t->pos + fo] : def;
}

/* Follows the uoffset stored at buf[at]; returns 0 and the target, or an error. */
static int fb_follow(const uint8_t *buf, size_t len, size_t at, size_t *target, const char *what,
                     zest_error *err) {
    if (len < 4 || at > len - 4) return fb_bad(err, what, at, "offset outside the buffer");
    const size_t to = at + fb_ld32(buf + at);
    if (to > len - 4) return fb_bad(err, what, at, "offset points outside the buffer");
    *target = to;
    return 0;
}

/* Position of the uoffset of field `slot`: 0 when absent, 1 found, or an error. */
static int fb_ref_field(const struct fb_table *t, unsigned slot, size_t *target, const char *what,
                        zest_error *err) {
    if (!fb_has(t, slot)) return 0;
    const size_t fo = fb_field(t, slot, 4);
    if (!fo) return fb_bad(err, what, t->pos, "field outside its table");
    int rc = fb_follow(t->buf, t->len, t->pos + fo, target, what, err);
    return rc ? rc : 1;
}

int fb_table_field(const struct fb_table *t, unsigned slot, struct fb_table *out, const char *what,
                   zest_error *err) {
    size_t to = 0;
    int rc = fb_ref_field(t, slot, &to, what, err);
    if (rc <= 0) return rc;
    rc = fb_table_at(t->buf, t->len, to, out, what, err);
    return rc ? rc : 1;
}

static int fb_vec_at_pos(const uint8_t *buf, size_t len, size_t to, size_t elem, struct fb_vec *out,
                         const char *what, zest_error *err) {
    const uint32_t n = fb_ld32(buf + to);
    if ((uint64_t)n * elem > len - to - 4) return fb_bad(err, what, to, "vector longer than the buffer");
    *out = (struct fb_vec){buf, len, to + 4, n, elem};
    return 0;
}

int fb_vec_field(const struct fb_table *t, unsigned slot, size_t elem, struct fb_vec *out,
                 const char *what, zest_error *err) {
    size_t to = 0;
    *out = (struct fb_vec){t->buf, t->len, 0, 0, elem};
    int rc = fb_ref_field(t, slot, &to, what, err);
    if (rc <= 0) return rc;
    rc = fb_vec_at_pos(t->buf, t->len, to, elem, out, what, err);
    return rc ? rc : 1;
}

int fb_str_field(const struct fb_table *t, unsigned slot, const char **s, size_t *n, const char *what,
                 zest_error *err) {
    struct fb_vec v;
    *s = "";
    *n = 0;
    int rc = fb_vec_field(t, slot, 1, &v, what, err);
    if (rc <= 0) return rc;
    *s = (const char *)v.buf + v.pos;
    *n = v.count;
    return 1;
}

int fb_vec_table(const struct fb_vec *v, uint32_t i, struct fb_table *out, const char *what,
                 zest_error *err) {
    size_t to = 0;
    int rc = fb_follow(v->buf, v->len, v->pos + (size_t)i * 4, &to, what, err);
    return rc ? rc : fb_table_at(v->buf, v->len, to, out, what, err);
}

int fb_vec_str(const struct fb_vec *v, uint32_t i, const char **s, size_t *n, const char *what,
               zest_error *err) {
    size_t to = 0;
    struct fb_vec sv;
    int rc = fb_follow(v->buf, v->len, v->pos + (size_t)i * 4, &to, what, err);
    if (!rc) rc = fb_vec_at_pos(v->buf, v->len, to, 1, &sv, what, err);
    if (rc) return rc;
    *s = (const char *)sv.buf + sv.pos;
    *n = sv.count;
    return 0;
}

/* ---- builder ------------------------------------------------------------------------------- */

/* Offsets are 32-bit: a flatbuffer stays below 2 GiB. */
#define FBB_MAX ((size_t)1 << 31)

void fbb_init(struct fb_builder *b) { memset(b, 0, sizeof *b); }

void fbb_free(struct fb_builder *b) {
    free(b->mem);
    memset(b, 0, sizeof *b);
}

void fbb_reset(struct fb_builder *b) {
    b->head = b->cap;
    b->minalign = 8;
    b->failed = 0;
    b->n_fields = 0;
}

static size_t fbb_size(const struct fb_builder *b) { return b->cap - b->head; }

/* Makes room for n more bytes at the front; false (and `failed` set) when it cannot. */
static bool fbb_room(struct fb_builder *b, size_t n) {
    if (b->failed) return false;
    if (b->head >= n) return true;
    const size_t used = fbb_size(b);
    if (n > FBB_MAX - used) {
        b->failed = ZEST_E_LIMIT;
        return false;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap - used < n) cap *= 2;
    uint8_t *m = malloc(cap);
    if (!m) {
        b->failed = ZEST_E_NOMEM;
        return false;
    }
    if (used) memcpy(m + cap - used, b->mem + b->head, used);
    free(b->mem);
    b->mem = m;
    b->head = cap - used;
    b->cap = cap;
    if (!b->minalign) b->minalign = 8;
    return true;
}

/* Pads with zeros so that after `extra` more bytes the size is a multiple of `align`. */
static bool fbb_align(struct fb_builder *b, size_t extra, size_t align) {
    if (align > b->minalign) b->minalign = align;
    const size_t pad = (align - (fbb_size(b) + extra) % align) % align;
    if (!fbb_room(b, pad + extra)) return false;
    b->head -= pad;
    memset(b->mem + b->head, 0, pad);
    return true;
}

static void fbb_put32(struct fb_builder *b, uint32_t v) {
    b->head -= 4;
    uint8_t *p = b->mem + b->head;
    for (int k = 0; k < 4; k++) p[k] = (uint8_t)(v >> (8 * k));
}

fb_ref fbb_string(struct fb_builder *b, const char *s, size_t n) {
    if (n >= FBB_MAX || !fbb_align(b, n + 1 + 4, 4)) return 0;
    b->head -= n + 1;
    if (n) memcpy(b->mem + b->head, s, n);
    b->mem[b->head + n] = 0;
    fbb_put32(b, (uint32_t)n);
    return (fb_ref)fbb_size(b);
}

fb_ref fbb_vec_bytes(struct fb_builder *b, const void *data, size_t elem, size_t count, size_t align) {
    if (count && elem > FBB_MAX / count) {
        b->failed = ZEST_E_LIMIT;
        return 0;
    }
    const size_t n = elem * count;
    if (!fbb_align(b, n, align < 4 ? 4 : align) || !fbb_room(b, n + 4)) return 0;
    b->head -= n;
    if (n) memcpy(b->mem + b->head, data, n);
    fbb_put32(b, (uint32_t)count);
    return (fb_ref)fbb_size(b);
}

fb_ref fbb_vec_refs(struct fb_builder *b, const fb_ref *refs, size_t count) {
    if (count >= FBB_MAX / 4 || !fbb_align(b, 4 * count + 4, 4)) return 0;
    for (size_t i = count; i-- > 0;) fbb_put32(b, (uint32_t)(fbb_size(b) + 4 - refs[i]));
    fbb_put32(b, (uint32_t)count);
    return (fb_ref)fbb_size(b);
}

void fbb_start(struct fb_builder *b) { b->n_fields = 0; }

static void fbb_add(struct fb_builder *b, unsigned slot, unsigned size, bool is_ref, uint64_t v) {
    if (b->n_fields == FB_MAX_FIELDS) {
        b->failed = ZEST_E_LIMIT;
        return;
    }
    b->fields[b->n_fields].slot = slot;
    b->fields[b->n_fields].size = size;
    b->fields[b->n_fields].is_ref = is_ref;
    b->fields[b->n_fields].val = v;
    b->n_fields++;
}

void fbb_add_i64(struct fb_builder *b, unsigned slot, int64_t v) { fbb_add(b, slot, 8, false, (uint64_t)v); }
void fbb_add_i32(struct fb_builder *b, unsigned slot, int32_t v) {
    fbb_add(b, slot, 4, false, (uint32_t)v);
}
void fbb_add_i16(struct fb_builder *b, unsigned slot, int16_t v) {
    fbb_add(b, slot, 2, false, (uint16_t)v);
}
void fbb_add_u8(struct fb_builder *b, unsigned slot, uint8_t v) { fbb_add(b, slot, 1, false, v); }
void fbb_add_ref(struct fb_builder *b, unsigned slot, fb_ref r) { fbb_add(b, slot, 4, true, r); }

fb_ref fbb_end(struct fb_builder *b) {
    const size_t start = fbb_size(b);
    size_t fpos[FB_MAX_FIELDS] = {0};
    unsigned nslots = 0;
    /* Largest first, so that fields pack without padding. */
    for (unsigned size = 8; size >= 1; size /= 2)
        for (unsigned i = 0; i < b->n_fields; i++) {
            if (b->fields[i].size != size) continue;
            if (!fbb_align(b, size, size)) return 0;
            if (b->fields[i].is_ref) {
                fbb_put32(b, (uint32_t)(fbb_size(b) + 4 - b->fields[i].val));
            } else {
                b->head -= size;
                for (unsigned k = 0; k < size; k++)
                    b->mem[b->head + k] = (uint8_t)(b->fields[i].val >> (8 * k));
            }
            fpos[i] = fbb_size(b);
            if (b->fields[i].slot + 1 > nslots) nslots = b->fields[i].slot + 1;
        }
    if (!fbb_align(b, 4, 4)) return 0;
    fbb_put32(b, 0); /* the soffset, patched below */
    const size_t table = fbb_size(b), tbl_len = table - start;
    const size_t vt_len = 4 + 2 * (size_t)nslots;
    if (tbl_len > 0xffff || !fbb_room(b, vt_len)) {
        if (!b->failed) b->failed = ZEST_E_LIMIT;
        return 0;
    }
    b->head -= vt_len;
    uint8_t *vt = b->mem + b->head;
    memset(vt, 0, vt_len);
    vt[0] = (uint8_t)vt_len;
    vt[1] = (uint8_t)(vt_len >> 8);
    vt[2] = (uint8_t)tbl_len;
    vt[3] = (uint8_t)(tbl_len >> 8);
    for (unsigned i = 0; i < b->n_fields; i++) {
        const size_t fo = table - fpos[i];
        vt[4 + 2 * b->fields[i].slot] = (uint8_t)fo;
        vt[5 + 2 * b->fields[i].slot] = (uint8_t)(fo >> 8);
    }
    const uint32_t soff = (uint32_t)(fbb_size(b) - table);
    uint8_t *t = b->mem + b->cap - table;
    for (int k = 0; k < 4; k++) t[k] = (uint8_t)(soff >> (8 * k));
    b->n_fields = 0;
    return (fb_ref)table;
}

int fbb_finish(struct fb_builder *b, fb_ref root, const uint8_t **out, size_t *len) {
    if (!b->failed && fbb_align(b, 4, b->minalign < 8 ? 8 : b->minalign))
        fbb_put32(b, (uint32_t)(fbb_size(b) + 4 - root));
    if (b->failed) return b->failed;
    *out = b->mem + b->head;
    *len = fbb_size(b);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.c - a partition's checkpoint manifest: the in-memory record list, its JSON text
 * (written with io/json's canonical writer, read with its strict parser into an arena tree and
 * checked field by field), and the atomic load/save through common/fsutil. Owns nothing beyond
 * the record arrays. Calls common/ (err, buf, arena, fsutil) and io/json.h only.
 */
#include "ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/arena.h"
#include "../common/err.h"
#include "../common/fsutil.h"
#include "../io/json.h"

/* A manifest is small (one record per op); anything larger is not ours. */
#define MANIFEST_MAX_BYTES (16u << 20)
#define MANIFEST_MAGIC "zest-checkpoint-manifest"

/* ---- the record list ------------------------------------------------------------------ */

void manifest_free(struct ckpt_manifest *m) {
    if (!m) return;
    free(m->recs);
    m->recs = NULL;
    m->n = m->cap = 0;
}

static int manifest_grow(struct ckpt_manifest *m) {
    if (m->n < m->cap) return 0;
    const size_t cap = m->cap ? m->cap * 2 : 8;
    struct ckpt_record *r = realloc(m->recs, cap * sizeof *r);
    if (!r) return ZEST_E_NOMEM;
    m->recs = r;
    m->cap = cap;
    return 0;
}

int manifest_put(struct ckpt_manifest *m, const struct ckpt_record *rec) {
    size_t i = 0;
    while (i < m->n && m->recs[i].op_index < rec->op_index)
        i++;
    if (i < m->n && m->recs[i].op_index == rec->op_index) {
        m->recs[i] = *rec;
        return 0;
    }
    ZEST_TRY(manifest_grow(m));
    memmove(m->recs + i + 1, m->recs + i, (m->n - i) * sizeof *m->recs);
    m->recs[i] = *rec;
    m->n++;
    return 0;
}

/* ---- writing -------------------------------------------------------------------------- */

static int manifest_key(struct buf *out, const char *key, int first) {
    if (!first) ZEST_TRY(buf_putc(out, ','));
    ZEST_TRY(json_write_string(out, key, strlen(key)));
    return buf_putc(out, ':');
}

static int manifest_hex_field(struct buf *out, const char *key, uint64_t v) {
    char hex[17];
    ckpt_hex(v, hex);
    ZEST_TRY(manifest_key(out, key, 0));
    return json_write_string(out, hex, 16);
}

static int manifest_int_field(struct buf *out, const char *key, int64_t v, int first) {
    ZEST_TRY(manifest_key(out, key, first));
    return json_write_int(out, v);
}

static int manifest_str_field(struct buf *out, const char *key, const char *s) {
    ZEST_TRY(manifest_key(out, key, 0));
    return json_write_string(out, s, strlen(s));
}

static int manifest_format_record(struct buf *out, const struct ckpt_record *r) {
    ZEST_TRY(buf_putc(out, '{'));
    ZEST_TRY(manifest_int_field(out, "op_index", r->op_index, 1));
    ZEST_TRY(manifest_str_field(out, "op_name", r->op_name));
    ZEST_TRY(manifest_hex_field(out, "prefix_hash", r->prefix_hash));
    ZEST_TRY(manifest_int_field(out, "rows", r->rows, 0));
    ZEST_TRY(manifest_int_field(out, "bytes", (int64_t)r->bytes, 0));
    ZEST_TRY(manifest_int_field(out, "content_bytes", (int64_t)r->content_bytes, 0));
    ZEST_TRY(manifest_hex_field(out, "checksum", r->checksum));
    ZEST_TRY(manifest_str_field(out, "file", r->file));
    ZEST_TRY(manifest_int_field(out, "committed_ms", r->committed_ms, 0));
    return buf_putc(out, '}');
}

int manifest_format(const struct ckpt_manifest *m, struct buf *out) {
    ZEST_TRY(buf_putc(out, '{'));
    ZEST_TRY(manifest_key(out, "format", 1));
    ZEST_TRY(json_write_string(out, MANIFEST_MAGIC, strlen(MANIFEST_MAGIC)));
    ZEST_TRY(manifest_int_field(out, "version", CKPT_MANIFEST_VERSION, 0));
    ZEST_TRY(manifest_int_field(out, "partition", m->partition, 0));
    ZEST_TRY(manifest_key(out, "records", 0));
    ZEST_TRY(buf_putc(out, '['));
    for (size_t i = 0; i < m->n; i++) {
        /* One record per line keeps the file readable with head/grep. */
        ZEST_TRY(buf_append(out, i ? ",\n" : "\n", i ? 2 : 1));
        ZEST_TRY(manifest_format_record(out, &m->recs[i]));
    }
    ZEST_TRY(buf_append(out, "]}\n", 3));
    return 0;
}

int manifest_save(const char *path, const struct ckpt_manifest *m, zest_error *err) {
    struct buf b;
    buf_init(&b, 0);
    int rc = manifest_format(m, &b);
    if (rc)
        rc = err_set_at(err, ZEST_E_NOMEM, path, 0, -1, "out of memory formatting the manifest");
    else
        rc = fsutil_write_atomic(path, b.data, b.len, err);
    buf_free(&b);
    return rc;
}

/* ---- reading -------------------------------------------------------------------------- */

/* What a parse step needs to report a precise error. */
struct manifest_ctx {
    const char *path;
    const char *text;
    zest_error *err;
};

static int manifest_bad(const struct manifest_ctx *c, const char *where, const char *fmt, ...)
    ERR_PRINTF(3, 4);

/* Fills err: ZEST_E_FORMAT naming the file, the offset when known, and the cause. */
static int manifest_bad(const struct manifest_ctx *c, const char *where, const char *fmt, ...) {
    const int64_t off = where ? (int64_t)(where - c->text) : -1;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set_at(c->err, ZEST_E_FORMAT, c->path, 0, off, "corrupt checkpoint manifest: %s",
                      msg);
}

static const struct json_value *manifest_member(const struct json_value *obj, const char *key) {
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const struct json_member *mb = &obj->u.obj.members[i];
        if (mb->key_len == strlen(key) && memcmp(mb->key, key, mb->key_len) == 0) return &mb->value;
    }
    return NULL;
}

static int manifest_get_int(const struct manifest_ctx *c, const struct json_value *obj,
                            const char *key, int64_t min, int64_t *out) {
    const struct json_value *v = manifest_member(obj, key);
    if (!v || v->type != JSON_NUMBER || !v->u.num.is_int || !v->u.num.int_ok || v->u.num.i < min)
        return manifest_bad(c, NULL, "field \"%s\" missing or not a valid integer", key);
    *out = v->u.num.i;
    return 0;
}

static int manifest_get_str(const struct manifest_ctx *c, const struct json_value *obj,
                            const char *key, char *out, size_t cap) {
    const struct json_value *v = manifest_member(obj, key);
    if (!v || v->type != JSON_STRING || v->u.str.len == 0 || v->u.str.len >= cap ||
        memchr(v->u.str.ptr, '\0', v->u.str.len))
        return manifest_bad(c, NULL, "field \"%s\" missing, empty, too long or not a string", key);
    memcpy(out, v->u.str.ptr, v->u.str.len);
    out[v->u.str.len] = '\0';
    return 0;
}

static int manifest_get_hex(const struct manifest_ctx *c, const struct json_value *obj,
                            const char *key, uint64_t *out) {
    const struct json_value *v = manifest_member(obj, key);
    if (!v || v->type != JSON_STRING || ckpt_unhex(v->u.str.ptr, v->u.str.len, out) != 0)
        return manifest_bad(c, NULL, "field \"%s\" missing or not 16 hex digits", key);
    return 0;
}

static int manifest_read_record(const struct manifest_ctx *c, const struct json_value *v,
                                struct ckpt_record *r) {
    int64_t op, rows, bytes, content, ms;
    if (v->type != JSON_OBJECT) return manifest_bad(c, NULL, "a record is not an %s", "object");
    memset(r, 0, sizeof *r);
    ZEST_TRY(manifest_get_int(c, v, "op_index", 0, &op));
    ZEST_TRY(manifest_get_str(c, v, "op_name", r->op_name, sizeof r->op_name));
    ZEST_TRY(manifest_get_hex(c, v, "prefix_hash", &r->prefix_hash));
    ZEST_TRY(manifest_get_int(c, v, "rows", 0, &rows));
    ZEST_TRY(manifest_get_int(c, v, "bytes", 0, &bytes));
    ZEST_TRY(manifest_get_int(c, v, "content_bytes", 0, &content));
    ZEST_TRY(manifest_get_hex(c, v, "checksum", &r->checksum));
    ZEST_TRY(manifest_get_str(c, v, "file", r->file, sizeof r->file));
    ZEST_TRY(manifest_get_int(c, v, "committed_ms", 0, &ms));
    if (op > 99999999)
        return manifest_bad(c, NULL, "op_index out of range in a record for \"%s\"", r->file);
    /* The name is joined to the checkpoint directory: never let it leave it. */
    if (strchr(r->file, '/') || r->file[0] == '.')
        return manifest_bad(c, NULL, "file name \"%s\" is not a plain checkpoint name", r->file);
    r->op_index = (int)op;
    r->rows = rows;
    r->bytes = (uint64_t)bytes;
    r->content_bytes = (uint64_t)content;
    r->committed_ms = ms;
    return 0;
}

static int manifest_read_top(const struct manifest_ctx *c, const struct json_value *root,
                             int partition, struct ckpt_manifest *m) {
    int64_t version, part;
    if (root->type != JSON_OBJECT)
        return manifest_bad(c, NULL, "the top level is not an %s", "object");
    const struct json_value *fmt = manifest_member(root, "format");
    if (!fmt || fmt->type != JSON_STRING || fmt->u.str.len != strlen(MANIFEST_MAGIC) ||
        memcmp(fmt->u.str.ptr, MANIFEST_MAGIC, fmt->u.str.len) != 0)
        return manifest_bad(c, NULL, "\"format\" is not \"%s\"", MANIFEST_MAGIC);
    ZEST_TRY(manifest_get_int(c, root, "version", 0, &version));
    if (version != CKPT_MANIFEST_VERSION)
        return manifest_bad(c, NULL, "unsupported \"version\" (this build reads %s)", "1");
    ZEST_TRY(manifest_get_int(c, root, "partition", 0, &part));
    if (part != partition)
        return manifest_bad(c, NULL, "\"partition\" does not match the file's %s", "name");
    const struct json_value *recs = manifest_member(root, "records");
    if (!recs || recs->type != JSON_ARRAY)
        return manifest_bad(c, NULL, "field \"%s\" missing or not an array", "records");
    m->partition = partition;
    for (size_t i = 0; i < recs->u.arr.n; i++) {
        struct ckpt_record r;
        ZEST_TRY(manifest_read_record(c, &recs->u.arr.items[i], &r));
        if (m->n && m->recs[m->n - 1].op_index >= r.op_index)
            return manifest_bad(c, NULL, "records not in ascending op_index order at \"%s\"",
                                r.file);
        if (manifest_grow(m)) return err_set(c->err, ZEST_E_NOMEM, "%s: out of memory", c->path);
        m->recs[m->n++] = r;
    }
    return 0;
}

int manifest_parse(const char *path, int partition, const char *text, size_t len,
                   struct ckpt_manifest *m, zest_error *err) {
    const struct manifest_ctx c = {path, text, err};
    struct arena a;
    struct json_cursor cur;
    struct json_value root;
    memset(m, 0, sizeof *m);
    m->partition = partition;
    arena_init(&a, 0);
    json_cursor_init(&cur, text, len);
    int rc = json_parse_value(&cur, &a, &root);
    if (rc == 0) rc = json_expect_end(&cur);
    if (rc)
        rc = manifest_bad(&c, cur.err_pos, "%s", cur.err ? cur.err : "invalid JSON");
    else
        rc = manifest_read_top(&c, &root, partition, m);
    arena_destroy(&a);
    if (rc) manifest_free(m);
    return rc;
}

/* Reads a whole small file into *out (malloc'd, NUL-terminated). 1 = absent. */
static int manifest_slurp(const char *path, char **out, size_t *len, zest_error *err) {
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 1;
        return err_set_at(err, ZEST_E_IO, path, 0, -1, "open: %s", strerror(errno));
    }
    struct buf b;
    buf_init(&b, MANIFEST_MAX_BYTES);
    int rc = 0;
    for (;;) {
        if (buf_reserve(&b, 65536)) {
            rc = err_set_at(err, ZEST_E_LIMIT, path, 0, -1, "manifest larger than %u bytes",
                            MANIFEST_MAX_BYTES);
            break;
        }
        const ssize_t n = read(fd, b.data + b.len, b.cap - b.len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = err_set_at(err, ZEST_E_IO, path, 0, -1, "read: %s", strerror(errno));
        if (n <= 0) break;
        b.len += (size_t)n;
    }
    close(fd);
    if (!rc && buf_putc(&b, '\0')) rc = err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    *out = b.data;
    *len = b.len - 1;
    return 0;
}

int manifest_load(const char *path, int partition, struct ckpt_manifest *m, zest_error *err) {
    char *text = NULL;
    size_t len = 0;
    memset(m, 0, sizeof *m);
    m->partition = partition;
    const int rc = manifest_slurp(path, &text, &len, err);
    if (rc == 1) return 0;
    if (rc) return rc;
    const int prc = manifest_parse(path, partition, text, len, m, err);
    free(text);
    return prc;
}

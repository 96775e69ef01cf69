/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partplan_json.c - partitions.json: writing a plan atomically, reading it back with every
 * field validated (errors name the file and the field), and comparing a stored plan with the
 * current input fingerprint and settings so resume can refuse a changed input.
 * Calls io/json (parser into an arena, string writer), common/ (buf, fsutil, err).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/arena.h"
#include "../common/buf.h"
#include "../common/err.h"
#include "../common/fsutil.h"
#include "../io/json.h"
#include "partplan.h"

#define PJ_MAX_BYTES ((size_t)1 << 30) /* a plan of a few million partitions at most */

static const char *const mode_names[] = {"limits", "auto", "manual"};
static const char *const kind_names[] = {"range", "stream"};

/* ---- writing -------------------------------------------------------------------------- */

static int put_str(struct buf *o, const char *key, const char *s) {
    int rc = buf_printf(o, "\"%s\":", key);
    return rc ? rc : json_write_string(o, s, strlen(s));
}

static int put_settings(struct buf *o, const struct partplan *pl) {
    const struct partplan_settings *s = &pl->settings;
    const struct fingerprint *fp = &pl->fp;
    return buf_printf(o,
                      "{\"format_version\":%d,\n\"fingerprint\":{\"hex\":\"%s\",\"files\":%" PRIu64
                      ",\"bytes\":%" PRIu64 "},\n\"settings\":{\"mode\":\"%s\",\"max_rows\":%" PRId64
                      ",\"max_bytes\":%" PRId64 ",\"num_partitions\":%" PRId64
                      ",\"target_bytes\":%" PRId64 ",\"cores\":%" PRId64 ",\"mem_bytes\":%" PRId64
                      "},\n\"chosen_rows\":%" PRId64 ",\"chosen_bytes\":%" PRId64 ",\n",
                      PARTPLAN_FORMAT_VERSION, fp->hex, fp->files, fp->bytes, mode_names[s->mode],
                      s->max_rows, s->max_bytes, s->num_partitions, s->target_bytes, s->cores,
                      s->mem_bytes, pl->chosen_rows, pl->chosen_bytes);
}

static int put_part(struct buf *o, const struct partplan_part *p) {
    int rc = buf_printf(o, "{\"id\":%" PRId64 ",\"kind\":\"%s\",", p->id, kind_names[p->kind]);
    if (!rc) rc = put_str(o, "source", p->source);
    if (!rc) rc = buf_putc(o, ',');
    if (!rc) rc = put_str(o, "origin", p->origin);
    if (!rc)
        rc = buf_printf(o,
                        ",\"start\":%" PRId64 ",\"end\":%" PRId64 ",\"first_line\":%" PRId64
                        ",\"origin_line\":%" PRId64 ",\"lines\":%" PRId64
                        ",\"hash\":\"%016" PRIx64 "\",\"stream_parts\":%" PRId64 "}",
                        p->start, p->end, p->first_line, p->origin_line, p->lines, p->hash,
                        p->stream_parts);
    return rc;
}

static int render(const struct partplan *pl, struct buf *o) {
    int rc = put_settings(o, pl);
    if (!rc) rc = put_str(o, "decision", pl->decision);
    if (!rc) rc = buf_printf(o, ",\n\"partitions\":[");
    for (size_t i = 0; !rc && i < pl->count; i++) {
        rc = buf_printf(o, "%s\n", i ? "," : "");
        if (!rc) rc = put_part(o, &pl->parts[i]);
    }
    if (!rc) rc = buf_printf(o, "\n]}\n");
    return rc;
}

int partplan_write(const struct partplan *pl, const char *path, zest_error *err) {
    struct buf o;
    buf_init(&o, 0);
    int rc = render(pl, &o);
    if (rc) {
        rc = err_set_at(err, ZEST_E_NOMEM, path, 0, -1, "out of memory");
    } else {
        /* Parse it back first: a path that is not UTF-8 would make an unreadable plan. */
        struct json_cursor c;
        struct arena a;
        struct json_value v;
        arena_init(&a, 0);
        json_cursor_init(&c, o.data, o.len);
        if (json_parse_value(&c, &a, &v) != 0)
            rc = err_set_at(err, ZEST_E_UNSUPPORTED, path, 0, -1,
                            "cannot store the plan: %s (a file name that is not UTF-8?)", c.err);
        arena_destroy(&a);
    }
    if (!rc) rc = fsutil_write_atomic(path, o.data, o.len, err);
    buf_free(&o);
    return rc;
}

/* ---- reading -------------------------------------------------------------------------- */

struct pj {
    const char *path;
    zest_error *err;
    char where[64]; /* "partitions[3]" or "" for the top level */
};

static int bad(const struct pj *c, const char *key, const char *what) {
    return err_set_at(c->err, ZEST_E_FORMAT, c->path, 0, -1, "invalid partition plan: %s%s%s: %s",
                      c->where, c->where[0] ? "." : "", key, what);
}

static const struct json_value *member(const struct json_value *obj, const char *key) {
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const struct json_member *m = &obj->u.obj.members[i];
        if (m->key_len == strlen(key) && memcmp(m->key, key, m->key_len) == 0) return &m->value;
    }
    return NULL;
}

static int get_int(const struct pj *c, const struct json_value *obj, const char *key,
                   int64_t min, int64_t *out) {
    const struct json_value *v = member(obj, key);
    if (!v) return bad(c, key, "missing");
    if (v->type != JSON_NUMBER || !v->u.num.is_int || !v->u.num.int_ok)
        return bad(c, key, "expected an integer");
    if (v->u.num.i < min) return bad(c, key, min ? "out of range" : "expected >= 0");
    *out = v->u.num.i;
    return 0;
}

static int get_str(const struct pj *c, const struct json_value *obj, const char *key,
                   const char **out) {
    const struct json_value *v = member(obj, key);
    if (!v) return bad(c, key, "missing");
    if (v->type != JSON_STRING) return bad(c, key, "expected a string");
    if (strlen(v->u.str.ptr) != v->u.str.len) return bad(c, key, "contains a NUL byte");
    *out = v->u.str.ptr;
    return 0;
}

static int get_hex64(const struct pj *c, const struct json_value *obj, const char *key,
                     uint64_t *out) {
    const char *s;
    ZEST_TRY(get_str(c, obj, key, &s));
    if (strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16)
        return bad(c, key, "expected 16 lower-case hex digits");
    *out = strtoull(s, NULL, 16);
    return 0;
}

static int get_enum(const struct pj *c, const struct json_value *obj, const char *key,
                    const char *const *names, int n, int *out) {
    const char *s;
    ZEST_TRY(get_str(c, obj, key, &s));
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) return *out = i, 0;
    return bad(c, key, "unknown value");
}

static const struct json_value *get_obj(const struct pj *c, const struct json_value *obj,
                                        const char *key, enum json_type type, int *rc) {
    const struct json_value *v = member(obj, key);
    *rc = 0;
    if (!v) *rc = bad(c, key, "missing");
    else if (v->type != type) *rc = bad(c, key, type == JSON_ARRAY ? "expected an array" : "expected an object");
    return *rc ? NULL : v;
}

static int read_fingerprint(const struct pj *c, const struct json_value *top,
                            struct fingerprint *fp) {
    int rc;
    const struct json_value *o = get_obj(c, top, "fingerprint", JSON_OBJECT, &rc);
    if (rc) return rc;
    int64_t files, bytes;
    struct pj sub = *c;
    snprintf(sub.where, sizeof sub.where, "fingerprint");
    ZEST_TRY(get_hex64(&sub, o, "hex", &fp->hash));
    ZEST_TRY(get_int(&sub, o, "files", 0, &files));
    ZEST_TRY(get_int(&sub, o, "bytes", 0, &bytes));
    fp->files = (uint64_t)files;
    fp->bytes = (uint64_t)bytes;
    snprintf(fp->hex, sizeof fp->hex, "%016" PRIx64, fp->hash);
    return 0;
}

static int read_settings(const struct pj *c, const struct json_value *top,
                         struct partplan_settings *s) {
    int rc, mode = 0;
    const struct json_value *o = get_obj(c, top, "settings", JSON_OBJECT, &rc);
    if (rc) return rc;
    struct pj sub = *c;
    snprintf(sub.where, sizeof sub.where, "settings");
    ZEST_TRY(get_enum(&sub, o, "mode", mode_names, 3, &mode));
    s->mode = (enum partplan_mode)mode;
    ZEST_TRY(get_int(&sub, o, "max_rows", 0, &s->max_rows));
    ZEST_TRY(get_int(&sub, o, "max_bytes", 0, &s->max_bytes));
    ZEST_TRY(get_int(&sub, o, "num_partitions", 0, &s->num_partitions));
    ZEST_TRY(get_int(&sub, o, "target_bytes", 0, &s->target_bytes));
    ZEST_TRY(get_int(&sub, o, "cores", 1, &s->cores));
    ZEST_TRY(get_int(&sub, o, "mem_bytes", 1, &s->mem_bytes));
    return 0;
}

/* Field by field, then the invariants the planner guarantees. */
static int read_part(const struct pj *c, const struct json_value *o, int64_t index,
                     struct partplan_part *p) {
    const char *source, *origin;
    int kind = 0;
    if (o->type != JSON_OBJECT) return bad(c, "(entry)", "expected an object");
    ZEST_TRY(get_int(c, o, "id", 0, &p->id));
    ZEST_TRY(get_enum(c, o, "kind", kind_names, 2, &kind));
    p->kind = (enum partplan_kind)kind;
    ZEST_TRY(get_str(c, o, "source", &source));
    ZEST_TRY(get_str(c, o, "origin", &origin));
    ZEST_TRY(get_int(c, o, "start", 0, &p->start));
    ZEST_TRY(get_int(c, o, "end", -1, &p->end));
    ZEST_TRY(get_int(c, o, "first_line", 1, &p->first_line));
    ZEST_TRY(get_int(c, o, "origin_line", 1, &p->origin_line));
    ZEST_TRY(get_int(c, o, "lines", -1, &p->lines));
    ZEST_TRY(get_hex64(c, o, "hash", &p->hash));
    ZEST_TRY(get_int(c, o, "stream_parts", 0, &p->stream_parts));
    if (p->id != index) return bad(c, "id", "not the partition's position in the array");
    if (!source[0] || !origin[0]) return bad(c, "source", "empty path");
    if (p->kind == PARTPLAN_RANGE && (p->end <= p->start || p->lines < 1))
        return bad(c, "end", "a range partition needs end > start and lines >= 1");
    if (p->kind == PARTPLAN_STREAM && (p->start != 0 || p->end != -1 || p->lines != -1))
        return bad(c, "end", "a stream partition has start 0, end -1, lines -1");
    p->source = strdup(source);
    p->origin = strdup(origin);
    if (!p->source || !p->origin) return err_set(c->err, ZEST_E_NOMEM, "%s: out of memory", c->path);
    return 0;
}

static int read_parts(const struct pj *c, const struct json_value *top, struct partplan *pl) {
    int rc;
    const struct json_value *arr = get_obj(c, top, "partitions", JSON_ARRAY, &rc);
    if (rc) return rc;
    pl->parts = calloc(arr->u.arr.n + 1, sizeof *pl->parts);
    if (!pl->parts) return err_set(c->err, ZEST_E_NOMEM, "%s: out of memory", c->path);
    for (size_t i = 0; i < arr->u.arr.n; i++) {
        struct pj sub = *c;
        snprintf(sub.where, sizeof sub.where, "partitions[%zu]", i);
        pl->count = i + 1; /* so partplan_free releases a half-read entry */
        ZEST_TRY(read_part(&sub, &arr->u.arr.items[i], (int64_t)i, &pl->parts[i]));
    }
    return 0;
}

static int read_top(const struct pj *c, const struct json_value *top, struct partplan *pl) {
    int64_t version;
    const char *decision;
    if (top->type != JSON_OBJECT) return bad(c, "(top)", "expected an object");
    ZEST_TRY(get_int(c, top, "format_version", 0, &version));
    if (version != PARTPLAN_FORMAT_VERSION)
        return bad(c, "format_version", "unsupported version (this zest reads version 1)");
    ZEST_TRY(read_fingerprint(c, top, &pl->fp));
    ZEST_TRY(read_settings(c, top, &pl->settings));
    ZEST_TRY(get_int(c, top, "chosen_rows", 0, &pl->chosen_rows));
    ZEST_TRY(get_int(c, top, "chosen_bytes", 0, &pl->chosen_bytes));
    ZEST_TRY(get_str(c, top, "decision", &decision));
    if (strlen(decision) >= sizeof pl->decision) return bad(c, "decision", "too long");
    memcpy(pl->decision, decision, strlen(decision) + 1);
    return read_parts(c, top, pl);
}

/* Reads the whole file into a NUL-terminated buffer. */
int partplan_read(const char *path, struct partplan *out, zest_error *err) {
    memset(out, 0, sizeof *out);
    struct buf text;
    buf_init(&text, PJ_MAX_BYTES);
    int rc = fsutil_read_file(path, &text, err);
    if (rc) {
        buf_free(&text);
        return rc;
    }
    const struct pj c = {.path = path, .err = err};
    struct arena a;
    struct json_cursor cur;
    struct json_value root;
    arena_init(&a, 0);
    json_cursor_init(&cur, text.data ? text.data : "", text.len);
    rc = json_parse_value(&cur, &a, &root);
    if (rc == 0) rc = json_expect_end(&cur);
    if (rc)
        rc = err_set_at(err, ZEST_E_FORMAT, path, 0, json_error_offset(&cur),
                        "invalid partition plan: %s", cur.err ? cur.err : "invalid JSON");
    else
        rc = read_top(&c, &root, out);
    arena_destroy(&a);
    buf_free(&text);
    if (rc) {
        partplan_free(out);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* ---- comparing ------------------------------------------------------------------------ */

static int same_settings(const struct partplan_settings *a, const struct partplan_settings *b) {
    if (a->mode != b->mode) return 0;
    switch (a->mode) {
    case PARTPLAN_LIMITS: return a->max_rows == b->max_rows && a->max_bytes == b->max_bytes;
    case PARTPLAN_MANUAL: return a->num_partitions == b->num_partitions;
    case PARTPLAN_AUTO: return a->max_bytes == b->max_bytes && a->target_bytes == b->target_bytes;
    }
    return 0;
}

int partplan_compare(const struct partplan *stored, const struct fingerprint *fp,
                     const struct partplan_settings *settings, zest_error *err) {
    int flags = PARTPLAN_SAME;
    if (stored->fp.hash != fp->hash || stored->fp.files != fp->files ||
        stored->fp.bytes != fp->bytes)
        flags |= PARTPLAN_CHANGED_INPUT;
    if (!same_settings(&stored->settings, settings)) flags |= PARTPLAN_CHANGED_SETTINGS;
    if (flags & PARTPLAN_CHANGED_INPUT)
        err_set(err, ZEST_E_CONFIG,
                "the input changed since the plan was made (fingerprint %s, %" PRIu64
                " files, %" PRIu64 " bytes; now %s, %" PRIu64 " files, %" PRIu64 " bytes)%s",
                stored->fp.hex, stored->fp.files, stored->fp.bytes, fp->hex, fp->files, fp->bytes,
                flags & PARTPLAN_CHANGED_SETTINGS ? "; the partition settings changed too" : "");
    else if (flags)
        err_set(err, ZEST_E_CONFIG, "the partition settings changed since the plan was made "
                                    "(was: %s)", stored->decision);
    return flags;
}

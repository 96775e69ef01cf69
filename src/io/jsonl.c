/* SPDX-License-Identifier: Apache-2.0 */
/* jsonl.c - JSON Lines records into column builders (see jsonl.h for the contract). */
#include "jsonl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zest.h"
#include "../common/err.h"

void jsonl_reader_init(struct jsonl_reader *r, const char *text_key, bool infer_types,
                       struct arena *arena) {
    memset(r, 0, sizeof *r);
    r->text_key = text_key;
    r->infer_types = infer_types;
    r->arena = arena;
    buf_init(&r->key, 0);
}

void jsonl_reader_destroy(struct jsonl_reader *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_fields; i++) {
        free(r->fields[i].name);
        colb_destroy(&r->fields[i].b);
    }
    free(r->fields);
    free(r->order);
    free(r->perm);
    free(r->cols);
    free(r->names);
    buf_free(&r->key);
    memset(r, 0, sizeof *r);
}

static enum jsonl_role role_of(const struct jsonl_reader *r, const char *name) {
    if (strcmp(name, r->text_key) == 0) return JSONL_TEXT;
    if (strcmp(name, JSONL_STATS_FIELD) == 0) return JSONL_STATS;
    return r->infer_types ? JSONL_TYPED : JSONL_RAW;
}

static int grow_fields(struct jsonl_reader *r) {
    const size_t cap = r->cap_fields ? r->cap_fields * 2 : 16;
    struct jsonl_field *f = realloc(r->fields, cap * sizeof *f);
    if (!f) return ZEST_E_NOMEM;
    r->fields = f;
    uint16_t *o = realloc(r->order, cap * sizeof *o);
    if (!o) return ZEST_E_NOMEM;
    /* zeroed so a position hint is always a valid field index (find_field) */
    memset(o + r->cap_fields, 0, (cap - r->cap_fields) * sizeof *o);
    r->order = o;
    r->cap_fields = cap;
    return 0;
}

/* A field first met in this batch's row `rows`: earlier rows get nulls (absent). */
static int add_field(struct jsonl_reader *r, const char *name, size_t len, size_t *idx) {
    if (r->n_fields == JSONL_MAX_FIELDS) return ZEST_E_LIMIT;
    if (r->n_fields == r->cap_fields) ZEST_TRY(grow_fields(r));
    struct jsonl_field *f = &r->fields[r->n_fields];
    memset(f, 0, sizeof *f);
    f->name = malloc(len + 1);
    if (!f->name) return ZEST_E_NOMEM;
    memcpy(f->name, name, len);
    f->name[len] = '\0';
    f->name_len = len;
    f->role = role_of(r, f->name);
    const bool typed = f->role == JSONL_STATS || f->role == JSONL_TYPED;
    const bool utf8 = f->role == JSONL_TEXT && !r->text_raw;
    colb_init(&f->b, utf8 ? COL_UTF8 : COL_JSON, typed, 0);
    for (int64_t i = 0; i < r->rows; i++) ZEST_TRY(colb_append_null(&f->b));
    *idx = r->n_fields++;
    return 0;
}

/* Records of one dataset almost always list their keys in the same order, so the field at the
 * same position in the previous record is tried first. */
static int find_field(struct jsonl_reader *r, size_t pos, size_t *idx) {
    const char *k = r->key.data;
    const size_t len = r->key.len;
    if (pos < r->n_fields && r->order[pos] < r->n_fields) {
        const struct jsonl_field *f = &r->fields[r->order[pos]];
        if (f->name_len == len && memcmp(f->name, k, len) == 0) {
            *idx = r->order[pos];
            return 0;
        }
    }
    for (size_t i = 0; i < r->n_fields; i++) {
        if (r->fields[i].name_len == len && memcmp(r->fields[i].name, k, len) == 0) {
            *idx = i;
            return 0;
        }
    }
    if (memchr(k, '\0', len)) return ZEST_E_FORMAT; /* a key with U+0000 cannot be a column name */
    return add_field(r, k, len, idx);
}

static int bad_record(struct jsonl_bad *bad, int64_t column, const char *fmt, const char *a) {
    snprintf(bad->reason, sizeof bad->reason, fmt, a);
    bad->column = column;
    return 1;
}

static const char *type_name(int t) {
    static const char *const names[] = {"null", "false", "true", "a number", "a string",
                                        "an array", "an object"};
    return t >= 0 && t <= JSON_OBJECT ? names[t] : "nothing";
}

static int read_value(struct jsonl_reader *r, struct json_cursor *c, struct jsonl_field *f,
                      struct jsonl_bad *bad) {
    switch (f->role) {
    case JSONL_TEXT: {
        const int t = json_peek_type(c);
        if (t != JSON_STRING) {
            char what[160];
            snprintf(what, sizeof what, "field '%.64s' must be a string, got %s", f->name,
                     type_name(t));
            return bad_record(bad, c->p - c->start, "%s", what);
        }
        return r->text_raw ? json_canon_value(c, &f->b.data) : json_read_string(c, &f->b.data);
    }
    case JSONL_RAW: return json_canon_value(c, &f->b.data);
    case JSONL_STATS: {
        /* filters read and write it: anything but an object (or null) would be lost */
        const int t = json_peek_type(c);
        if (t != JSON_OBJECT && t != JSON_NULL && t >= 0)
            return bad_record(bad, c->p - c->start, "field \"" JSONL_STATS_FIELD
                              "\" must be an object, got %s", type_name(t));
        return json_parse_value(c, r->arena, &f->dom);
    }
    default: return json_parse_value(c, r->arena, &f->dom);
    }
}

/* Undo this record's bytes in the string builders. */
static void rollback(struct jsonl_reader *r) {
    for (size_t i = 0; i < r->n_fields; i++) {
        struct jsonl_field *f = &r->fields[i];
        if (f->stamp == r->stamp && (f->role == JSONL_TEXT || f->role == JSONL_RAW))
            f->b.data.len = f->mark;
    }
}

static int ensure_perm_cap(struct jsonl_reader *r) {
    if ((size_t)r->rows < r->cap_perm) return 0;
    const size_t cap = r->cap_perm ? r->cap_perm * 2 : 1024;
    const uint16_t **p = realloc(r->perm, cap * sizeof *p);
    if (!p) return ZEST_E_NOMEM;
    r->perm = p;
    r->cap_perm = cap;
    return 0;
}

/* Keeps the record's key order when it is not the batch's column order. */
static int record_order(struct jsonl_reader *r, size_t n_seen) {
    ZEST_TRY(ensure_perm_cap(r));
    r->perm[r->rows] = NULL;
    for (size_t i = 1; i < n_seen; i++) {
        if (r->order[i] > r->order[i - 1]) continue;
        uint16_t *p = arena_alloc(r->arena, (n_seen + 1) * sizeof *p);
        if (!p) return ZEST_E_NOMEM;
        p[0] = (uint16_t)n_seen;
        memcpy(p + 1, r->order, n_seen * sizeof *p);
        r->perm[r->rows] = p;
        break;
    }
    return 0;
}

static int commit_row(struct jsonl_reader *r) {
    for (size_t i = 0; i < r->n_fields; i++) {
        struct jsonl_field *f = &r->fields[i];
        if (f->stamp != r->stamp)
            ZEST_TRY(colb_append_null(&f->b));
        else if (f->role == JSONL_TEXT || f->role == JSONL_RAW)
            ZEST_TRY(colb_commit_str(&f->b));
        else
            ZEST_TRY(colb_append_json(&f->b, &f->dom));
    }
    r->rows++;
    return 0;
}

static int parse_members(struct jsonl_reader *r, struct json_cursor *c, struct jsonl_bad *bad,
                         size_t *n_seen) {
    int rc;
    size_t pos = 0;
    while ((rc = json_object_next_key(c, &r->key)) == 1) {
        size_t idx = 0;
        rc = find_field(r, pos, &idx);
        if (rc == ZEST_E_FORMAT) return bad_record(bad, c->p - c->start, "%s", "key contains U+0000");
        if (rc == ZEST_E_LIMIT)
            return bad_record(bad, c->p - c->start, "more than %s distinct keys in a batch", "4096");
        if (rc) return rc;
        struct jsonl_field *f = &r->fields[idx];
        if (f->stamp == r->stamp)
            return bad_record(bad, c->p - c->start, "duplicate key \"%.200s\"", f->name);
        f->stamp = r->stamp;
        f->mark = f->b.data.len;
        r->order[pos++] = (uint16_t)idx;
        rc = read_value(r, c, f, bad);
        if (rc) return rc;
    }
    *n_seen = pos;
    return rc;
}

int jsonl_parse_record(struct jsonl_reader *r, const char *line, size_t len, struct jsonl_bad *bad) {
    struct json_cursor c;
    size_t n_seen = 0;
    int rc;
    json_cursor_init(&c, line, len);
    r->stamp++;
    const int t = json_peek_type(&c);
    if (t != JSON_OBJECT) {
        rc = t < 0 ? ZEST_E_FORMAT
                   : bad_record(bad, c.p - c.start, "expected a JSON object, got %s", type_name(t));
        goto out;
    }
    if ((rc = json_object_begin(&c)) != 0) goto out;
    if ((rc = parse_members(r, &c, bad, &n_seen)) != 0) goto out;
    if ((rc = json_expect_end(&c)) != 0) goto out;
    const struct jsonl_field *text = NULL;
    for (size_t i = 0; i < r->n_fields && !text; i++)
        if (r->fields[i].role == JSONL_TEXT) text = &r->fields[i];
    if (!text || text->stamp != r->stamp) {
        rc = bad_record(bad, 0, "no \"%.200s\" field", r->text_key);
        goto out;
    }
    if ((rc = record_order(r, n_seen)) != 0) return rc;
    return commit_row(r);
out:
    rollback(r);
    if (rc == ZEST_E_FORMAT) /* the parser's own message, at its position */
        rc = bad_record(bad, json_error_offset(&c), "%s", c.err ? c.err : "malformed JSON");
    return rc;
}

size_t jsonl_reader_bytes(const struct jsonl_reader *r) {
    size_t n = 0;
    for (size_t i = 0; i < r->n_fields; i++) n += r->fields[i].b.data.len;
    return n;
}

int jsonl_reader_finish(struct jsonl_reader *r, struct batch *out, const uint16_t *const **perm) {
    if (r->n_fields > r->cap_cols || !r->cols) {
        const size_t cap = r->n_fields ? r->n_fields : 1;
        struct column *cols = realloc(r->cols, cap * sizeof *cols);
        if (cols) r->cols = cols;
        const char **names = realloc(r->names, cap * sizeof *names);
        if (names) r->names = names;
        if (!cols || !names) return ZEST_E_NOMEM;
        r->cap_cols = cap;
    }
    for (size_t i = 0; i < r->n_fields; i++) {
        ZEST_TRY(colb_finish(&r->fields[i].b, &r->cols[i]));
        r->names[i] = r->fields[i].name;
    }
    out->length = r->rows;
    out->n_cols = r->n_fields;
    out->cols = r->cols;
    out->names = r->names;
    if (perm) {
        ZEST_TRY(ensure_perm_cap(r));
        *perm = r->perm;
    }
    return 0;
}

void jsonl_reader_reset(struct jsonl_reader *r) {
    for (size_t i = 0; i < r->n_fields; i++) colb_reset(&r->fields[i].b);
    r->rows = 0;
}

/* ---- writing ---------------------------------------------------------------------------- */

static int write_key(struct buf *out, const char *name, bool *first) {
    if (!*first) ZEST_TRY(buf_putc(out, ','));
    *first = false;
    ZEST_TRY(json_write_string(out, name, strlen(name)));
    return buf_putc(out, ':');
}

static int write_stats(const struct jsonl_write_spec *s, int64_t row, struct buf *out, bool *first) {
    bool inner_first = true;
    ZEST_TRY(write_key(out, JSONL_STATS_FIELD, first));
    ZEST_TRY(buf_putc(out, '{'));
    for (size_t k = 0; k < s->n_stats; k++) {
        if (!col_is_valid(&s->stats_cols[k], row)) continue;
        ZEST_TRY(write_key(out, s->stats_names[k], &inner_first));
        ZEST_TRY(col_write_json(&s->stats_cols[k], row, out));
    }
    return buf_putc(out, '}');
}

static int write_field(const struct jsonl_write_spec *s, size_t i, int64_t row, struct buf *out,
                       bool *first) {
    const struct column *c = &s->b->cols[i];
    if ((int)i == s->stats_col) return s->keep_stats ? write_stats(s, row, out, first) : 0;
    /* an absent field (null in a json column) stays absent */
    if (c->type == COL_JSON && !col_is_valid(c, row)) return 0;
    ZEST_TRY(write_key(out, s->b->names[i], first));
    if (c->type == COL_UTF8 && col_is_valid(c, row)) {
        size_t len;
        const char *str = col_str(c, row, &len);
        return json_write_string(out, str, len);
    }
    return col_write_json(c, row, out);
}

int jsonl_write_batch(const struct jsonl_write_spec *s, struct buf *out) {
    const bool stats_at_end = s->stats_col < 0 && s->keep_stats && s->n_stats > 0;
    for (int64_t row = 0; row < s->b->length; row++) {
        bool first = true;
        const uint16_t *p = s->perm ? s->perm[row] : NULL;
        ZEST_TRY(buf_putc(out, '{'));
        if (p) {
            for (uint16_t k = 1; k <= p[0]; k++) ZEST_TRY(write_field(s, p[k], row, out, &first));
        } else {
            for (size_t i = 0; i < s->b->n_cols; i++) ZEST_TRY(write_field(s, i, row, out, &first));
        }
        if (stats_at_end) ZEST_TRY(write_stats(s, row, out, &first));
        ZEST_TRY(buf_append(out, "}\n", 2));
    }
    return 0;
}

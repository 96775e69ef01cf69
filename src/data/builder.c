/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builder.c - col_builder: appending values of every column type into Arrow-layout buffers
 * (lazy validity bitmap, bit-packed bools, int64 offsets), struct fields and list items as
 * child builders, and schema inference with column.h's promotion rule: int64 -> double in
 * place, any other conflict -> json by re-rendering the earlier rows. Builders keep their
 * memory across colb_reset so a steady-state batch allocates nothing. Calls common/buf,
 * io/json.h's writers, and col_write_json (json_out.c) to re-render rows.
 */
#include <stdlib.h>

#include "col_internal.h"
#include "zest.h"

#define OFF_SIZE sizeof(int64_t)

/* ---- small buffer helpers ---------------------------------------------------------------- */

static int colb_zeros(struct buf *x, size_t n) {
    int rc = buf_reserve(x, n);
    if (rc) return rc;
    if (n) memset(x->data + x->len, 0, n);
    x->len += n;
    return 0;
}

static int colb_put_i64(struct buf *x, int64_t v) {
    int rc = buf_reserve(x, sizeof v);
    if (rc) return rc;
    buf_put(x, &v, sizeof v);
    return 0;
}

static int64_t colb_last_offset(const struct col_builder *b) {
    int64_t v = 0;
    if (b->offsets.len) memcpy(&v, b->offsets.data + b->offsets.len - OFF_SIZE, sizeof v);
    return v;
}

static bool colb_has_offsets(enum col_type t) {
    return t == COL_UTF8 || t == COL_JSON || t == COL_LIST;
}

static size_t colb_max_of(const struct col_builder *b) {
    return b->data.max == SIZE_MAX ? 0 : b->data.max;
}

/* ---- validity ------------------------------------------------------------------------------ */

/* First null: every earlier row was valid. Bits past `length` in the last byte are left set;
 * colb_push_bit writes each row's bit explicitly, so they never leak. */
static int colb_validity_start(struct col_builder *b) {
    const size_t nbytes = (size_t)(b->length + 7) / 8;
    buf_clear(&b->validity);
    int rc = buf_reserve(&b->validity, nbytes + 1);
    if (rc) return rc;
    if (nbytes) memset(b->validity.data, 0xFF, nbytes);
    b->validity.len = nbytes;
    return 0;
}

int colb_push_bit(struct col_builder *b, bool valid) {
    if (b->null_count == 0) {
        if (valid) return 0;
        int rc = colb_validity_start(b);
        if (rc) return rc;
    }
    const int64_t i = b->length;
    /* Compared with len (not i % 8) so a retry after a failed append does not add a byte. */
    if ((size_t)(i >> 3) >= b->validity.len) {
        int rc = buf_putc(&b->validity, 0);
        if (rc) return rc;
    }
    uint8_t *byte = (uint8_t *)b->validity.data + (i >> 3);
    const uint8_t mask = (uint8_t)(1u << (i & 7));
    *byte = valid ? (uint8_t)(*byte | mask) : (uint8_t)(*byte & ~mask);
    return 0;
}

/* Closes a row whose value slot is written. */
static void colb_row_done(struct col_builder *b, bool valid) {
    b->length++;
    if (!valid) b->null_count++;
}

int colb_offsets_begin(struct col_builder *b) {
    return b->offsets.len ? 0 : colb_put_i64(&b->offsets, 0);
}

static int colb_push_offset(struct col_builder *b, int64_t v) {
    int rc = colb_offsets_begin(b);
    return rc ? rc : colb_put_i64(&b->offsets, v);
}

/* Sets bit `length` of the bool values (bytes grow as rows do). */
static int colb_bool_slot(struct col_builder *b, bool v) {
    const int64_t i = b->length;
    if ((size_t)(i >> 3) >= b->values.len) {
        int rc = buf_putc(&b->values, 0);
        if (rc) return rc;
    }
    uint8_t *byte = (uint8_t *)b->values.data + (i >> 3);
    const uint8_t mask = (uint8_t)(1u << (i & 7));
    *byte = v ? (uint8_t)(*byte | mask) : (uint8_t)(*byte & ~mask);
    return 0;
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

void colb_init(struct col_builder *b, enum col_type type, bool infer, size_t max_bytes) {
    memset(b, 0, sizeof *b);
    b->type = infer ? COL_NULL : type;
    b->infer = infer;
    buf_init(&b->validity, 0);
    buf_init(&b->values, 0);
    buf_init(&b->offsets, 0);
    buf_init(&b->data, max_bytes);
    buf_init(&b->scratch, 0);
}

void colb_destroy(struct col_builder *b) {
    if (!b) return;
    for (size_t k = 0; k < b->cap_children; k++) {
        colb_destroy(&b->children[k]);
        free(b->child_names[k]);
    }
    free(b->children);
    free(b->child_names);
    free(b->out_children);
    buf_free(&b->validity);
    buf_free(&b->values);
    buf_free(&b->offsets);
    buf_free(&b->data);
    buf_free(&b->scratch);
    memset(b, 0, sizeof *b);
}

void colb_reset(struct col_builder *b) {
    b->length = b->null_count = 0;
    buf_clear(&b->validity);
    buf_clear(&b->values);
    buf_clear(&b->offsets);
    buf_clear(&b->data);
    buf_clear(&b->scratch);
    b->field_hint = 0;
    if (b->infer) {
        /* Children stay allocated past n_children and are reset when reused. */
        b->type = COL_NULL;
        b->n_children = 0;
        return;
    }
    for (size_t k = 0; k < b->n_children; k++) colb_reset(&b->children[k]);
}

/* ---- children ------------------------------------------------------------------------------ */

/* Children arrays are allocated in powers of two (at least 4); cap_children counts the
 * initialised builders, so the allocation size follows from it. */
static size_t colb_children_alloc(size_t n) {
    size_t a = 4;
    while (a < n) a *= 2;
    return a;
}

static int colb_grow_children(struct col_builder *b) {
    const size_t cap = b->cap_children;
    if (cap == 0 || cap == colb_children_alloc(cap)) {
        const size_t n = colb_children_alloc(cap + 1);
        struct col_builder *c = realloc(b->children, n * sizeof *c);
        if (!c) return ZEST_E_NOMEM;
        b->children = c;
        char **names = realloc(b->child_names, n * sizeof *names);
        if (!names) return ZEST_E_NOMEM;
        b->child_names = names;
        struct column *oc = realloc(b->out_children, n * sizeof *oc);
        if (!oc) return ZEST_E_NOMEM;
        b->out_children = oc;
    }
    colb_init(&b->children[cap], COL_NULL, true, colb_max_of(b));
    b->child_names[cap] = NULL;
    b->cap_children = cap + 1;
    return 0;
}

/* Names child k (NULL for a list item); keeps the old copy when it is the same name, which it
 * is batch after batch. */
static int colb_name_child(struct col_builder *b, size_t k, const char *name, size_t len) {
    char *old = b->child_names[k];
    if (old && name && strlen(old) == len && memcmp(old, name, len) == 0) return 0;
    free(old);
    b->child_names[k] = NULL;
    if (!name) return 0;
    char *copy = malloc(len + 1);
    if (!copy) return ZEST_E_NOMEM;
    memcpy(copy, name, len);
    copy[len] = '\0';
    b->child_names[k] = copy;
    return 0;
}

/* Adds an empty inferring child (reusing a kept one) and returns its index. */
static int colb_add_child(struct col_builder *b, const char *name, size_t len, size_t *idx) {
    if (b->n_children == b->cap_children) {
        int rc = colb_grow_children(b);
        if (rc) return rc;
    }
    struct col_builder *c = &b->children[b->n_children];
    c->infer = true;
    colb_reset(c);
    int rc = colb_name_child(b, b->n_children, name, len);
    if (rc) return rc;
    *idx = b->n_children++;
    return 0;
}

/* Appends nulls to `c` until it has `n` rows. */
static int colb_fill_nulls(struct col_builder *c, int64_t n) {
    while (c->length < n) {
        int rc = colb_append_null(c);
        if (rc) return rc;
    }
    return 0;
}

static int colb_find_child(const struct col_builder *b, const char *name, size_t len) {
    const size_t h = b->field_hint;
    if (h < b->n_children) {
        const char *n = b->child_names[h];
        if (strlen(n) == len && memcmp(n, name, len) == 0) return (int)h;
    }
    for (size_t k = 0; k < b->n_children; k++) {
        const char *n = b->child_names[k];
        if (strlen(n) == len && memcmp(n, name, len) == 0) return (int)k;
    }
    return -1;
}

static int colb_ensure_item(struct col_builder *b) {
    size_t idx;
    return b->n_children ? 0 : colb_add_child(b, NULL, 0, &idx);
}

/* ---- type changes -------------------------------------------------------------------------- */

/* An all-null inferring builder takes type t: the slots of its null rows are written. */
static int colb_become(struct col_builder *b, enum col_type t) {
    const size_t k = (size_t)b->length;
    int rc = 0;
    buf_clear(&b->values);
    buf_clear(&b->offsets);
    buf_clear(&b->data);
    b->n_children = 0;
    switch (t) {
    case COL_BOOL: rc = colb_zeros(&b->values, (k + 7) / 8); break;
    case COL_INT64:
    case COL_DOUBLE: rc = colb_zeros(&b->values, k * sizeof(int64_t)); break;
    case COL_UTF8:
    case COL_JSON:
    case COL_LIST: rc = colb_zeros(&b->offsets, (k + 1) * OFF_SIZE); break;
    case COL_NULL:
    case COL_STRUCT: break;
    }
    if (!rc && t == COL_LIST) rc = colb_ensure_item(b);
    if (rc) return rc;
    b->type = t;
    return 0;
}

static bool colb_int_exact(int64_t v) {
    const double d = (double)v;
    return d < 9223372036854775808.0 && (int64_t)d == v;
}

static bool colb_ints_exact(const struct col_builder *b) {
    for (int64_t i = 0; i < b->length; i++) {
        int64_t v;
        memcpy(&v, b->values.data + (size_t)i * sizeof v, sizeof v);
        if (!colb_int_exact(v)) return false;
    }
    return true;
}

/* int64 -> double in place: same width, so the buffer is rewritten slot by slot. */
static void colb_ints_to_doubles(struct col_builder *b) {
    for (int64_t i = 0; i < b->length; i++) {
        char *slot = b->values.data + (size_t)i * sizeof(int64_t);
        int64_t v;
        memcpy(&v, slot, sizeof v);
        const double d = (double)v;
        memcpy(slot, &d, sizeof d);
    }
    b->type = COL_DOUBLE;
}

/* Any typed column -> json: every valid row is re-rendered as canonical JSON text; nulls stay
 * null (the validity bitmap is kept as is). */
static int colb_to_json(struct col_builder *b) {
    struct column view;
    struct buf data, offs;
    buf_init(&data, colb_max_of(b));
    buf_init(&offs, 0);
    int rc = colb_finish(b, &view);
    if (!rc) rc = colb_put_i64(&offs, 0);
    for (int64_t i = 0; !rc && i < b->length; i++) {
        if (col_is_valid(&view, i)) rc = col_write_json(&view, i, &data);
        if (!rc) rc = colb_put_i64(&offs, (int64_t)data.len);
    }
    if (rc) {
        buf_free(&data);
        buf_free(&offs);
        return rc;
    }
    buf_free(&b->data);
    buf_free(&b->offsets);
    b->data = data;
    b->offsets = offs;
    buf_clear(&b->values);
    b->n_children = 0;
    b->type = COL_JSON;
    return 0;
}

/* Makes b ready for a value of type t. Returns 0 when b now has type t, 1 when the value must
 * be written as JSON text (b is, or just became, a json column), or a negative status. */
static int colb_want(struct col_builder *b, enum col_type t) {
    if (b->type == t) return 0;
    if (b->type == COL_JSON) return 1;
    if (!b->infer) return ZEST_E_PARAM;
    if (b->type == COL_NULL) return colb_become(b, t);
    if (t == COL_DOUBLE && b->type == COL_INT64 && colb_ints_exact(b)) {
        colb_ints_to_doubles(b);
        return 0;
    }
    int rc = colb_to_json(b);
    return rc ? rc : t == COL_JSON ? 0 : 1;
}

/* ---- scalar appends ------------------------------------------------------------------------ */

/* Closes a utf8/json row whose bytes end at b->data.len. */
static int colb_close_str(struct col_builder *b) {
    int rc = colb_push_bit(b, true);
    if (!rc) rc = colb_push_offset(b, (int64_t)b->data.len);
    if (!rc) colb_row_done(b, true);
    return rc;
}

/* Closes a row written from `mark` on by a writer that returned `rc`, or undoes it. */
static int colb_close_or_undo(struct col_builder *b, size_t mark, int rc) {
    if (!rc) rc = colb_close_str(b);
    if (rc) b->data.len = mark;
    return rc;
}

static int colb_raw_json(struct col_builder *b, const char *s, size_t len) {
    const size_t mark = b->data.len;
    return colb_close_or_undo(b, mark, buf_append(&b->data, s, len));
}

static int colb_null_slot(struct col_builder *b) {
    switch (b->type) {
    case COL_NULL: return 0;
    case COL_BOOL: return colb_bool_slot(b, false);
    case COL_INT64:
    case COL_DOUBLE: return colb_zeros(&b->values, sizeof(int64_t));
    case COL_UTF8:
    case COL_JSON: {
        /* Bytes a failed in-place writer left behind do not belong to any row. */
        const int64_t end = colb_last_offset(b);
        b->data.len = (size_t)end;
        return colb_push_offset(b, end);
    }
    case COL_LIST: return colb_push_offset(b, colb_last_offset(b));
    case COL_STRUCT:
        for (size_t k = 0; k < b->n_children; k++) {
            int rc = colb_fill_nulls(&b->children[k], b->length + 1);
            if (rc) return rc;
        }
        return 0;
    }
    return ZEST_E_INTERNAL;
}

int colb_append_null(struct col_builder *b) {
    int rc = colb_push_bit(b, false);
    if (!rc) rc = colb_null_slot(b);
    if (!rc) colb_row_done(b, false);
    return rc;
}

int colb_append_bool(struct col_builder *b, bool v) {
    const int w = colb_want(b, COL_BOOL);
    if (w < 0) return w;
    if (w) return colb_raw_json(b, v ? "true" : "false", v ? 4 : 5);
    int rc = colb_push_bit(b, true);
    if (!rc) rc = colb_bool_slot(b, v);
    if (!rc) colb_row_done(b, true);
    return rc;
}

static int colb_put_fixed(struct col_builder *b, const void *v) {
    int rc = colb_push_bit(b, true);
    if (!rc) rc = buf_append(&b->values, v, 8);
    if (!rc) colb_row_done(b, true);
    return rc;
}

int colb_append_double(struct col_builder *b, double v) {
    const int w = colb_want(b, COL_DOUBLE);
    if (w < 0) return w;
    if (w) {
        const size_t mark = b->data.len;
        return colb_close_or_undo(b, mark, json_write_double(&b->data, v));
    }
    return colb_put_fixed(b, &v);
}

int colb_append_int(struct col_builder *b, int64_t v) {
    if (b->type == COL_DOUBLE && (!b->infer || colb_int_exact(v))) {
        const double d = (double)v;
        return colb_put_fixed(b, &d);
    }
    /* An inferring double column that would round this int becomes json instead. */
    const int w = colb_want(b, b->type == COL_DOUBLE ? COL_JSON : COL_INT64);
    if (w < 0) return w;
    if (w || b->type == COL_JSON) {
        const size_t mark = b->data.len;
        return colb_close_or_undo(b, mark, json_write_int(&b->data, v));
    }
    return colb_put_fixed(b, &v);
}

int colb_append_str_slow(struct col_builder *b, const char *s, size_t len) {
    if (b->type == COL_JSON && !b->infer) return colb_raw_json(b, s, len);
    const int w = colb_want(b, COL_UTF8);
    if (w < 0) return w;
    const size_t mark = b->data.len;
    if (w) return colb_close_or_undo(b, mark, json_write_string(&b->data, s, len));
    return colb_close_or_undo(b, mark, buf_append(&b->data, s, len));
}

int colb_commit_str_slow(struct col_builder *b) {
    if (b->type == COL_UTF8 || (b->type == COL_JSON && !b->infer)) return colb_close_str(b);
    /* A string value for an inferring builder of another type: take the pending bytes out,
     * since a type change rewrites b->data, then append them as a string value. */
    const size_t start = b->type == COL_JSON ? (size_t)colb_last_offset(b) : 0;
    buf_clear(&b->scratch);
    int rc = buf_append(&b->scratch, b->data.data + start, b->data.len - start);
    b->data.len = start;
    if (rc) return rc;
    return colb_append_str_slow(b, b->scratch.data, b->scratch.len);
}

int colb_append_json_text(struct col_builder *b, const char *s, size_t len) {
    const int w = colb_want(b, COL_JSON);
    return w < 0 ? w : colb_raw_json(b, s, len);
}

/* ---- structs and lists --------------------------------------------------------------------- */

/* Building a struct/list row by hand needs b to be one already, or still untyped: a typed
 * inferring builder is not silently turned into json here (colb_append_json does that). */
static int colb_nested(struct col_builder *b, enum col_type t) {
    if (b->type == t) return 0;
    if (!b->infer || b->type != COL_NULL) return ZEST_E_PARAM;
    return colb_become(b, t);
}

static int colb_field(struct col_builder *b, const char *name, size_t len, size_t *idx) {
    int rc = colb_nested(b, COL_STRUCT);
    if (rc) return rc;
    if (memchr(name, '\0', len)) return ZEST_E_UNSUPPORTED; /* names are C strings */
    const int found = colb_find_child(b, name, len);
    if (found >= 0) {
        *idx = (size_t)found;
    } else {
        rc = colb_add_child(b, name, len, idx);
        if (!rc) rc = colb_fill_nulls(&b->children[*idx], b->length);
        if (rc) return rc;
    }
    b->field_hint = *idx + 1;
    return 0;
}

struct col_builder *colb_struct_field(struct col_builder *b, const char *name, size_t len) {
    size_t idx;
    return colb_field(b, name, len, &idx) ? NULL : &b->children[idx];
}

int colb_struct_end_row(struct col_builder *b) {
    int rc = colb_nested(b, COL_STRUCT);
    if (rc) return rc;
    const int64_t n = b->length + 1;
    for (size_t k = 0; k < b->n_children; k++) {
        struct col_builder *c = &b->children[k];
        if (c->length > n) return ZEST_E_FORMAT; /* the field got two values in one row */
        if (c->length < n && (rc = colb_append_null(c))) return rc;
    }
    rc = colb_push_bit(b, true);
    if (!rc) colb_row_done(b, true);
    b->field_hint = 0;
    return rc;
}

struct col_builder *colb_list_item(struct col_builder *b) {
    if (colb_nested(b, COL_LIST) || colb_ensure_item(b)) return NULL;
    return &b->children[0];
}

int colb_list_end_row(struct col_builder *b) {
    int rc = colb_nested(b, COL_LIST);
    if (!rc) rc = colb_ensure_item(b);
    if (rc) return rc;
    rc = colb_push_bit(b, true);
    if (!rc) rc = colb_push_offset(b, b->children[0].length);
    if (!rc) colb_row_done(b, true);
    return rc;
}

/* ---- JSON values --------------------------------------------------------------------------- */

static int colb_json_tree(struct col_builder *b, const struct json_value *v) {
    const size_t mark = b->data.len;
    return colb_close_or_undo(b, mark, json_write_value(&b->data, v));
}

/* Whether a number can go in b's current type without making it json. */
static bool colb_number_fits(const struct col_builder *b, const struct json_value *v) {
    if (v->u.num.is_int && !v->u.num.int_ok) return false; /* double would lose digits */
    switch (b->type) {
    case COL_NULL: return true;
    case COL_INT64: return v->u.num.is_int || !b->infer || colb_ints_exact(b);
    case COL_DOUBLE: return !v->u.num.is_int || !b->infer || colb_int_exact(v->u.num.i);
    default: return false;
    }
}

static int colb_append_number(struct col_builder *b, const struct json_value *v) {
    if (colb_number_fits(b, v))
        return v->u.num.is_int ? colb_append_int(b, v->u.num.i) : colb_append_double(b, v->u.num.d);
    /* The column is or becomes json: the literal's own text, so nothing is rounded. */
    const int w = colb_want(b, COL_JSON);
    return w < 0 ? w : colb_raw_json(b, v->u.num.text, v->u.num.len);
}

static int colb_append_array(struct col_builder *b, const struct json_value *v) {
    const int w = colb_want(b, COL_LIST);
    if (w < 0) return w;
    if (w) return colb_json_tree(b, v);
    int rc = colb_ensure_item(b);
    for (size_t k = 0; !rc && k < v->u.arr.n; k++)
        rc = colb_append_json(&b->children[0], &v->u.arr.items[k]);
    return rc ? rc : colb_list_end_row(b);
}

static int colb_append_object(struct col_builder *b, const struct json_value *v) {
    const int w = colb_want(b, COL_STRUCT);
    if (w < 0) return w;
    if (w) return colb_json_tree(b, v);
    for (size_t k = 0; k < v->u.obj.n; k++) {
        const struct json_member *m = &v->u.obj.members[k];
        size_t idx;
        int rc = colb_field(b, m->key, m->key_len, &idx);
        if (!rc) rc = colb_append_json(&b->children[idx], &m->value);
        if (rc) return rc;
    }
    return colb_struct_end_row(b);
}

int colb_append_json(struct col_builder *b, const struct json_value *v) {
    switch (v->type) {
    case JSON_NULL: return colb_append_null(b);
    case JSON_FALSE: return colb_append_bool(b, false);
    case JSON_TRUE: return colb_append_bool(b, true);
    case JSON_NUMBER: return colb_append_number(b, v);
    case JSON_STRING: return colb_append_str(b, v->u.str.ptr, v->u.str.len);
    case JSON_ARRAY: return colb_append_array(b, v);
    case JSON_OBJECT: return colb_append_object(b, v);
    }
    return ZEST_E_PARAM;
}

/* ---- finishing ----------------------------------------------------------------------------- */

int colb_finish(struct col_builder *b, struct column *out) {
    memset(out, 0, sizeof *out);
    int rc = 0;
    if (colb_has_offsets(b->type)) rc = colb_offsets_begin(b);
    /* A real pointer even when empty: readers may form data + 0. */
    if (!rc && (b->type == COL_UTF8 || b->type == COL_JSON) && !b->data.data)
        rc = buf_reserve(&b->data, 1);
    if (!rc && b->type == COL_LIST) rc = colb_ensure_item(b);
    for (size_t k = 0; !rc && k < b->n_children; k++)
        rc = colb_finish(&b->children[k], &b->out_children[k]);
    if (rc) return rc;
    out->type = b->type;
    out->length = b->length;
    out->null_count = b->null_count;
    out->validity = b->null_count ? (const uint8_t *)b->validity.data : NULL;
    out->bits = b->type == COL_BOOL ? (const uint8_t *)b->values.data : NULL;
    out->i64 = b->type == COL_INT64 ? (const int64_t *)(const void *)b->values.data : NULL;
    out->f64 = b->type == COL_DOUBLE ? (const double *)(const void *)b->values.data : NULL;
    if (colb_has_offsets(b->type)) out->offsets = (const int64_t *)(const void *)b->offsets.data;
    if (b->type == COL_UTF8 || b->type == COL_JSON) out->data = b->data.data;
    if (b->type == COL_STRUCT || b->type == COL_LIST) {
        out->n_children = b->n_children;
        out->children = b->n_children ? b->out_children : NULL;
        if (b->type == COL_STRUCT) out->child_names = (const char *const *)b->child_names;
    }
    return 0;
}

/* ---- schema adoption (compaction) ---------------------------------------------------------- */

int colb_adopt(struct col_builder *b, const struct column *c) {
    if (b->type == COL_NULL && b->infer && c->type != COL_NULL) {
        int rc = colb_want(b, c->type);
        if (rc) return rc < 0 ? rc : 0;
    }
    if (b->type != c->type) return 0;
    if (c->type == COL_LIST) {
        int rc = colb_ensure_item(b);
        return rc ? rc : colb_adopt(&b->children[0], &c->children[0]);
    }
    for (size_t k = 0; c->type == COL_STRUCT && k < c->n_children; k++) {
        const char *name = c->child_names[k];
        size_t idx;
        int rc = colb_field(b, name, strlen(name), &idx);
        if (!rc) rc = colb_adopt(&b->children[idx], &c->children[k]);
        if (rc) return rc;
    }
    return 0;
}

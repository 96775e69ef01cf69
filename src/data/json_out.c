/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_out.c - col_write_json: one row of any column as canonical JSON (no whitespace;
 * strings, ints and doubles through io/json.h's writers; structs as objects in child order
 * with nested nulls as null; lists as arrays; json columns copied verbatim). Honours column
 * and child offsets. Calls io/json.h's writers and common/buf.
 */
#include "column.h"
#include "zest.h"

static int col_write_object(const struct column *c, int64_t row, struct buf *out) {
    int rc = buf_putc(out, '{');
    for (size_t k = 0; !rc && k < c->n_children; k++) {
        const char *name = c->child_names[k];
        if (k) rc = buf_putc(out, ',');
        if (!rc) rc = json_write_string(out, name, strlen(name));
        if (!rc) rc = buf_putc(out, ':');
        if (!rc) rc = col_write_json(&c->children[k], row, out);
    }
    return rc ? rc : buf_putc(out, '}');
}

static int col_write_array(const struct column *c, int64_t row, struct buf *out) {
    int rc = buf_putc(out, '[');
    for (int64_t k = c->offsets[row]; !rc && k < c->offsets[row + 1]; k++) {
        if (k > c->offsets[row]) rc = buf_putc(out, ',');
        if (!rc) rc = col_write_json(&c->children[0], k, out);
    }
    return rc ? rc : buf_putc(out, ']');
}

int col_write_json(const struct column *c, int64_t i, struct buf *out) {
    if (!col_is_valid(c, i)) return buf_append(out, "null", 4);
    const int64_t j = c->offset + i; /* also the struct children's row, as in Arrow */
    size_t n;
    const char *s;
    switch (c->type) {
    case COL_NULL: return buf_append(out, "null", 4);
    case COL_BOOL: {
        const bool v = (c->bits[j >> 3] >> (j & 7)) & 1;
        return v ? buf_append(out, "true", 4) : buf_append(out, "false", 5);
    }
    case COL_INT64: return json_write_int(out, c->i64[j]);
    case COL_DOUBLE: return json_write_double(out, c->f64[j]);
    case COL_UTF8: s = col_str(c, i, &n); return json_write_string(out, s, n);
    case COL_JSON: s = col_str(c, i, &n); return buf_append(out, s, n);
    case COL_STRUCT: return col_write_object(c, j, out);
    case COL_LIST: return col_write_array(c, j, out);
    }
    return ZEST_E_INTERNAL;
}

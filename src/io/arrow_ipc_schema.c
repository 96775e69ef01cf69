/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arrow_ipc_schema.c - Arrow schemas both ways: the field tree of a zest batch, its Schema
 * table (Schema.fbs) built with the flatbuffer builder, and the parse of an untrusted Schema
 * table back into a field tree (depth and field count bounded, every type checked against
 * what the reader can decode). Calls io/flatbuf and common/ only.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "arrow_ipc_internal.h"

static const char json_ext_key[] = "ARROW:extension:name", json_ext_val[] = "arrow.json";

void aipc_field_free(struct aipc_field *f) {
    if (!f) return;
    for (size_t k = 0; k < f->n_children; k++) aipc_field_free(&f->children[k]);
    free(f->children);
    free(f->name);
    memset(f, 0, sizeof *f);
}

enum col_type aipc_field_coltype(const struct aipc_field *f) {
    switch (f->type) {
    case AT_BOOL: return COL_BOOL;
    case AT_INT: return COL_INT64;
    case AT_FLOAT: return COL_DOUBLE;
    case AT_UTF8:
    case AT_LARGE_UTF8: return f->json ? COL_JSON : COL_UTF8;
    case AT_STRUCT: return COL_STRUCT;
    case AT_LIST:
    case AT_LARGE_LIST: return COL_LIST;
    default: return COL_NULL;
    }
}

size_t aipc_field_count(const struct aipc_field *f) {
    size_t n = 1;
    for (size_t k = 0; k < f->n_children; k++) n += aipc_field_count(&f->children[k]);
    return n;
}

static char *aipc_strndup(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* ---- from a zest column -------------------------------------------------------------------- */

int aipc_field_from_column(struct aipc_field *f, const char *name, const struct column *c) {
    static const uint8_t types[] = {[COL_NULL] = AT_NULL,     [COL_BOOL] = AT_BOOL,
                                    [COL_INT64] = AT_INT,     [COL_DOUBLE] = AT_FLOAT,
                                    [COL_UTF8] = AT_LARGE_UTF8, [COL_JSON] = AT_LARGE_UTF8,
                                    [COL_STRUCT] = AT_STRUCT, [COL_LIST] = AT_LIST};
    memset(f, 0, sizeof *f);
    f->name = aipc_strndup(name, strlen(name));
    if (!f->name) return ZEST_E_NOMEM;
    f->type = types[c->type];
    f->bits = 64;
    f->is_signed = true;
    f->json = c->type == COL_JSON;
    const size_t n = c->type == COL_STRUCT ? c->n_children : c->type == COL_LIST ? 1 : 0;
    if (!n) return 0;
    f->children = calloc(n, sizeof *f->children);
    if (!f->children) return ZEST_E_NOMEM;
    f->n_children = n;
    for (size_t k = 0; k < n; k++) {
        const char *cn = c->type == COL_STRUCT ? c->child_names[k] : "item";
        int rc = aipc_field_from_column(&f->children[k], cn, &c->children[k]);
        if (rc) return rc;
    }
    return 0;
}

bool aipc_field_matches(const struct aipc_field *f, const struct column *c) {
    if (c->type == COL_NULL) return true; /* all nulls: written as nulls of the field's type */
    if (f->dict || aipc_field_coltype(f) != c->type) return false;
    if (c->type == COL_LIST) return aipc_field_matches(&f->children[0], &c->children[0]);
    if (c->type != COL_STRUCT) return true;
    if (c->n_children != f->n_children) return false;
    for (size_t k = 0; k < f->n_children; k++)
        if (strcmp(f->children[k].name, c->child_names[k]) ||
            !aipc_field_matches(&f->children[k], &c->children[k]))
            return false;
    return true;
}

/* ---- building ------------------------------------------------------------------------------ */

static fb_ref aipc_type_build(struct fb_builder *b, const struct aipc_field *f) {
    fbb_start(b);
    if (f->type == AT_INT) {
        fbb_add_i32(b, 0, f->bits);
        fbb_add_u8(b, 1, f->is_signed);
    } else if (f->type == AT_FLOAT) {
        fbb_add_i16(b, 0, f->bits == 32 ? 1 : 2);
    }
    return fbb_end(b);
}

static fb_ref aipc_json_metadata(struct fb_builder *b) {
    const fb_ref k = fbb_string(b, json_ext_key, sizeof json_ext_key - 1);
    const fb_ref v = fbb_string(b, json_ext_val, sizeof json_ext_val - 1);
    fbb_start(b);
    fbb_add_ref(b, 0, k);
    fbb_add_ref(b, 1, v);
    const fb_ref kv = fbb_end(b);
    return fbb_vec_refs(b, &kv, 1);
}

static fb_ref aipc_field_build(struct fb_builder *b, const struct aipc_field *f) {
    fb_ref kids[1] = {0}, *refs = kids, out = 0;
    if (f->n_children > 1 && !(refs = malloc(f->n_children * sizeof *refs))) {
        b->failed = ZEST_E_NOMEM;
        return 0;
    }
    for (size_t k = 0; k < f->n_children; k++) refs[k] = aipc_field_build(b, &f->children[k]);
    const fb_ref children = fbb_vec_refs(b, refs, f->n_children);
    const fb_ref name = fbb_string(b, f->name, strlen(f->name));
    const fb_ref type = aipc_type_build(b, f);
    const fb_ref meta = f->json ? aipc_json_metadata(b) : 0;
    if (!b->failed) {
        fbb_start(b);
        fbb_add_ref(b, FIELD_NAME, name);
        fbb_add_u8(b, FIELD_NULLABLE, 1);
        fbb_add_u8(b, FIELD_TYPE_TYPE, f->type);
        fbb_add_ref(b, FIELD_TYPE, type);
        fbb_add_ref(b, FIELD_CHILDREN, children);
        if (meta) fbb_add_ref(b, FIELD_METADATA, meta);
        out = fbb_end(b);
    }
    if (refs != kids) free(refs);
    return out;
}

fb_ref aipc_schema_build(struct fb_builder *b, const struct aipc_field *f, size_t n) {
    fb_ref *refs = malloc((n ? n : 1) * sizeof *refs);
    if (!refs) {
        b->failed = ZEST_E_NOMEM;
        return 0;
    }
    for (size_t k = 0; k < n; k++) refs[k] = aipc_field_build(b, &f[k]);
    const fb_ref fields = fbb_vec_refs(b, refs, n);
    free(refs);
    if (b->failed) return 0;
    fbb_start(b);
    fbb_add_i16(b, SCHEMA_ENDIANNESS, 0);
    fbb_add_ref(b, SCHEMA_FIELDS, fields);
    return fbb_end(b);
}

/* ---- parsing ------------------------------------------------------------------------------- */

struct aipc_parse {
    size_t n_fields;
    zest_error *err;
};

static int aipc_int_type(const struct fb_table *t, uint8_t *bits, bool *is_signed, const char *name,
                         zest_error *err) {
    const int32_t w = fb_i32(t, 0, 0);
    if (w != 8 && w != 16 && w != 32 && w != 64)
        return err_set(err, ZEST_E_UNSUPPORTED, "field '%s': integer of %d bits", name, (int)w);
    *bits = (uint8_t)w;
    *is_signed = fb_u8(t, 1, 0) != 0;
    return 0;
}

/* The type-specific table of field f (AT_INT, AT_FLOAT), and a check that the type is one the
 * reader decodes. */
static int aipc_parse_type(const struct fb_table *ft, struct aipc_field *f, zest_error *err) {
    struct fb_table tt;
    int rc = fb_table_field(ft, FIELD_TYPE, &tt, "Field.type", err);
    if (rc < 0) return rc;
    const bool has = rc == 1;
    switch (f->type) {
    case AT_NULL:
    case AT_BOOL:
    case AT_UTF8:
    case AT_LARGE_UTF8:
    case AT_STRUCT:
    case AT_LIST:
    case AT_LARGE_LIST: return 0;
    case AT_INT:
        if (!has) return err_set(err, ZEST_E_FORMAT, "field '%s': Int type without its table", f->name);
        return aipc_int_type(&tt, &f->bits, &f->is_signed, f->name, err);
    case AT_FLOAT: {
        const int16_t p = has ? fb_i16(&tt, 0, 0) : 0;
        if (p != 1 && p != 2)
            return err_set(err, ZEST_E_UNSUPPORTED, "field '%s': floating point precision %d (half)",
                           f->name, (int)p);
        f->bits = p == 1 ? 32 : 64;
        return 0;
    }
    default: {
        static const char *const names[] = {
            "NONE",     "Null",          "Int",         "FloatingPoint", "Binary",        "Utf8",
            "Bool",     "Decimal",       "Date",        "Time",          "Timestamp",     "Interval",
            "List",     "Struct_",       "Union",       "FixedSizeBinary", "FixedSizeList", "Map",
            "Duration", "LargeBinary",   "LargeUtf8",   "LargeList",     "RunEndEncoded", "BinaryView",
            "Utf8View", "ListView",      "LargeListView"};
        const char *tn = f->type < sizeof names / sizeof names[0] ? names[f->type] : "unknown";
        return err_set(err, ZEST_E_UNSUPPORTED, "field '%s': Arrow type %s (%u) is not supported",
                       f->name, tn, (unsigned)f->type);
    }
    }
}

static int aipc_parse_metadata(const struct fb_table *ft, struct aipc_field *f, zest_error *err) {
    struct fb_vec kvs;
    int rc = fb_vec_field(ft, FIELD_METADATA, 4, &kvs, "Field.custom_metadata", err);
    for (uint32_t i = 0; rc >= 0 && i < kvs.count; i++) {
        struct fb_table kv;
        const char *k, *v;
        size_t kn, vn;
        if ((rc = fb_vec_table(&kvs, i, &kv, "KeyValue", err)) < 0 ||
            (rc = fb_str_field(&kv, 0, &k, &kn, "KeyValue.key", err)) < 0 ||
            (rc = fb_str_field(&kv, 1, &v, &vn, "KeyValue.value", err)) < 0)
            break;
        if (kn == sizeof json_ext_key - 1 && !memcmp(k, json_ext_key, kn) &&
            vn == sizeof json_ext_val - 1 && !memcmp(v, json_ext_val, vn))
            f->json = f->type == AT_UTF8 || f->type == AT_LARGE_UTF8;
    }
    return rc < 0 ? rc : 0;
}

static int aipc_parse_dict(const struct fb_table *ft, struct aipc_field *f, zest_error *err) {
    struct fb_table d, it;
    int rc = fb_table_field(ft, FIELD_DICT, &d, "Field.dictionary", err);
    if (rc <= 0) return rc;
    f->dict = true;
    f->dict_id = fb_i64(&d, 0, 0);
    f->idx_bits = 32;
    f->idx_signed = true;
    rc = fb_table_field(&d, 1, &it, "DictionaryEncoding.indexType", err);
    if (rc == 1) rc = aipc_int_type(&it, &f->idx_bits, &f->idx_signed, f->name, err);
    return rc < 0 ? rc : 0;
}

static int aipc_parse_field(struct aipc_parse *p, const struct fb_table *ft, struct aipc_field *f,
                            unsigned depth);

static int aipc_parse_children(struct aipc_parse *p, const struct fb_table *ft, struct aipc_field *f,
                               unsigned depth) {
    struct fb_vec kids;
    int rc = fb_vec_field(ft, FIELD_CHILDREN, 4, &kids, "Field.children", p->err);
    if (rc < 0) return rc;
    const bool is_list = f->type == AT_LIST || f->type == AT_LARGE_LIST;
    if ((is_list && kids.count != 1) || (!is_list && f->type != AT_STRUCT && kids.count))
        return err_set(p->err, ZEST_E_FORMAT, "field '%s': %u children for its type", f->name,
                       (unsigned)kids.count);
    if (kids.count > ARROW_IPC_MAX_FIELDS - p->n_fields)
        return err_set(p->err, ZEST_E_LIMIT, "schema: more than %d fields", ARROW_IPC_MAX_FIELDS);
    if (!kids.count) return 0;
    f->children = calloc(kids.count, sizeof *f->children);
    if (!f->children) return ZEST_E_NOMEM;
    f->n_children = kids.count;
    for (uint32_t i = 0; i < kids.count; i++) {
        struct fb_table ct;
        if ((rc = fb_vec_table(&kids, i, &ct, "Field", p->err)) ||
            (rc = aipc_parse_field(p, &ct, &f->children[i], depth + 1)))
            return rc;
    }
    return 0;
}

static int aipc_parse_field(struct aipc_parse *p, const struct fb_table *ft, struct aipc_field *f,
                            unsigned depth) {
    const char *name;
    size_t nlen;
    if (depth > ARROW_IPC_MAX_DEPTH)
        return err_set(p->err, ZEST_E_LIMIT, "schema nested deeper than %d", ARROW_IPC_MAX_DEPTH);
    if (++p->n_fields > ARROW_IPC_MAX_FIELDS)
        return err_set(p->err, ZEST_E_LIMIT, "schema: more than %d fields", ARROW_IPC_MAX_FIELDS);
    int rc = fb_str_field(ft, FIELD_NAME, &name, &nlen, "Field.name", p->err);
    if (rc < 0) return rc;
    if (!(f->name = aipc_strndup(name, nlen))) return ZEST_E_NOMEM;
    f->type = fb_u8(ft, FIELD_TYPE_TYPE, 0);
    if ((rc = aipc_parse_type(ft, f, p->err)) || (rc = aipc_parse_metadata(ft, f, p->err)) ||
        (rc = aipc_parse_dict(ft, f, p->err)))
        return rc;
    return aipc_parse_children(p, ft, f, depth);
}

int aipc_schema_parse(const struct fb_table *schema, struct aipc_field **fields, size_t *n,
                      zest_error *err) {
    struct aipc_parse p = {0, err};
    struct fb_vec fv;
    *fields = NULL;
    *n = 0;
    if (fb_i16(schema, SCHEMA_ENDIANNESS, 0) != 0)
        return err_set(err, ZEST_E_UNSUPPORTED, "schema: big-endian data");
    int rc = fb_vec_field(schema, SCHEMA_FIELDS, 4, &fv, "Schema.fields", err);
    if (rc < 0) return rc;
    if (fv.count > ARROW_IPC_MAX_FIELDS)
        return err_set(err, ZEST_E_LIMIT, "schema: more than %d fields", ARROW_IPC_MAX_FIELDS);
    struct aipc_field *f = calloc(fv.count ? fv.count : 1, sizeof *f);
    if (!f) return ZEST_E_NOMEM;
    rc = 0;
    for (uint32_t i = 0; !rc && i < fv.count; i++) {
        struct fb_table ft;
        rc = fb_vec_table(&fv, i, &ft, "Field", err);
        if (!rc) rc = aipc_parse_field(&p, &ft, &f[i], 1);
    }
    if (rc) {
        for (uint32_t i = 0; i < fv.count; i++) aipc_field_free(&f[i]);
        free(f);
        return rc;
    }
    *fields = f;
    *n = fv.count;
    return 0;
}

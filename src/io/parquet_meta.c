/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_meta.c - decoding of Parquet's FileMetaData and PageHeader (parquet.thrift field
 * ids) over the bounds-checked compact protocol reader; unknown fields are skipped, required
 * fields are checked. Calls io/thrift_compact only.
 */
#include "parquet_meta.h"

#include <stdlib.h>
#include <string.h>

#include "parquet.h"
#include "thrift_compact.h"
#include "zest.h"

#define TRY(x)                                                                                 \
    do {                                                                                       \
        if ((rc = (x)) < 0) goto out;                                                          \
    } while (0)

static int want(struct tc_reader *r, uint8_t type, uint8_t expect) {
    if (type == expect) return 0;
    if (!r->why) {
        r->why = "field has an unexpected type";
        r->pos = (size_t)(r->p - r->base);
    }
    return ZEST_E_FORMAT;
}

static int read_i32f(struct tc_reader *r, uint8_t type, int32_t *v) {
    int64_t x;
    int rc = tcr_int(r, type, &x);
    if (rc) return rc;
    if (x < INT32_MIN || x > INT32_MAX) {
        r->why = r->why ? r->why : "value out of range";
        return ZEST_E_FORMAT;
    }
    *v = (int32_t)x;
    return 0;
}

/* Walks the fields of a struct: the body sets rc per field (use `id`, `type`). */
#define FIELDS(r)                                                                              \
    for (int16_t last_ = 0, id = 0; rc >= 0 && (rc = tcr_field((r), &last_, &id, &type)) == 1;)

/* A union member of LogicalType: reads TimeUnit / IntType details. */
static int read_logical(struct tc_reader *r, struct pq_sel *s) {
    int rc = tcr_struct_begin(r);
    uint8_t type = 0;
    if (rc) return rc;
    FIELDS(r) {
        if (s->logical == 0) s->logical = id;
        if (type != TC_STRUCT) {
            TRY(tcr_skip(r, type));
            continue;
        }
        TRY(tcr_struct_begin(r));
        uint8_t t2 = 0;
        int16_t last2 = 0, id2 = 0;
        while ((rc = tcr_field(r, &last2, &id2, &t2)) == 1) {
            if ((id == PQ_LT_TIMESTAMP || id == PQ_LT_TIME) && id2 == 2 && t2 == TC_STRUCT) {
                /* TimeUnit union: the member id is the unit */
                TRY(tcr_struct_begin(r));
                uint8_t t3 = 0;
                int16_t last3 = 0, id3 = 0;
                while ((rc = tcr_field(r, &last3, &id3, &t3)) == 1) {
                    s->time_unit = id3;
                    TRY(tcr_skip(r, t3));
                }
                TRY(rc);
                tcr_struct_end(r);
            } else if (id == PQ_LT_INTEGER && id2 == 1) {
                int64_t bits;
                TRY(tcr_int(r, t2, &bits));
                s->int_bits = (int)bits;
            } else if (id == PQ_LT_INTEGER && id2 == 2) {
                s->int_signed = t2 == TC_TRUE;
            } else if (id == PQ_LT_DECIMAL && (id2 == 1 || id2 == 2)) {
                int32_t v = 0;
                TRY(read_i32f(r, t2, &v));
                if (id2 == 1) s->scale = v;
                else s->precision = v;
            } else {
                TRY(tcr_skip(r, t2));
            }
        }
        TRY(rc);
        tcr_struct_end(r);
    }
out:
    tcr_struct_end(r);
    return rc < 0 ? rc : 0;
}

static int read_schema_el(struct tc_reader *r, struct pq_sel *s) {
    memset(s, 0, sizeof *s);
    s->type = s->rep = s->conv = -1;
    s->int_signed = true;
    int rc = tcr_struct_begin(r);
    uint8_t type = 0;
    bool have_name = false;
    if (rc) return rc;
    FIELDS(r) {
        switch (id) {
        case 1: TRY(read_i32f(r, type, &s->type)); break;
        case 2: TRY(read_i32f(r, type, &s->type_length)); break;
        case 3: TRY(read_i32f(r, type, &s->rep)); break;
        case 4:
            TRY(want(r, type, TC_BINARY));
            TRY(tcr_binary(r, &s->name, &s->name_len));
            have_name = true;
            break;
        case 5: TRY(read_i32f(r, type, &s->num_children)); break;
        case 6: TRY(read_i32f(r, type, &s->conv)); break;
        case 7: TRY(read_i32f(r, type, &s->scale)); break;
        case 8: TRY(read_i32f(r, type, &s->precision)); break;
        case 10:
            TRY(want(r, type, TC_STRUCT));
            TRY(read_logical(r, s));
            break;
        default: TRY(tcr_skip(r, type));
        }
    }
    if (rc >= 0 && !have_name) {
        r->why = "schema element without a name";
        rc = ZEST_E_FORMAT;
    }
out:
    tcr_struct_end(r);
    return rc < 0 ? rc : 0;
}

static int read_colmeta(struct tc_reader *r, struct pq_chunk *c) {
    int rc = tcr_struct_begin(r);
    uint8_t type = 0;
    if (rc) return rc;
    int seen = 0;
    FIELDS(r) {
        int64_t v = 0;
        switch (id) {
        case 1: TRY(read_i32f(r, type, &c->type)); seen |= 1; break;
        case 4: TRY(read_i32f(r, type, &c->codec)); seen |= 2; break;
        case 5: TRY(tcr_int(r, type, &c->num_values)); seen |= 4; break;
        case 6: TRY(tcr_int(r, type, &c->usize)); break;
        case 7: TRY(tcr_int(r, type, &c->csize)); seen |= 8; break;
        case 9: TRY(tcr_int(r, type, &c->data_off)); seen |= 16; break;
        case 11: TRY(tcr_int(r, type, &v)); c->dict_off = v; break;
        default: TRY(tcr_skip(r, type));
        }
    }
    if (rc >= 0 && seen != 31) {
        r->why = "column metadata lacks a required field";
        rc = ZEST_E_FORMAT;
    }
    c->has_meta = true;
out:
    tcr_struct_end(r);
    return rc < 0 ? rc : 0;
}

static int read_chunk(struct tc_reader *r, struct pq_chunk *c) {
    memset(c, 0, sizeof *c);
    c->dict_off = -1;
    int rc = tcr_struct_begin(r);
    uint8_t type = 0;
    if (rc) return rc;
    FIELDS(r) {
        if (id == 1) {
            r->why = "column chunks in other files (file_path) are not supported";
            rc = ZEST_E_UNSUPPORTED;
            goto out;
        }
        if (id == 3) {
            TRY(want(r, type, TC_STRUCT));
            TRY(read_colmeta(r, c));
        } else {
            TRY(tcr_skip(r, type));
        }
    }
out:
    tcr_struct_end(r);
    return rc < 0 ? rc : 0;
}

static int read_rowgroup(struct tc_reader *r, struct pq_rg *g) {
    memset(g, 0, sizeof *g);
    int rc = tcr_struct_begin(r);
    uint8_t type = 0;
    if (rc) return rc;
    FIELDS(r) {
        if (id == 1) {
            uint8_t et;
            uint32_t n;
            TRY(want(r, type, TC_LIST));
            TRY(tcr_list(r, &et, &n));
            TRY(want(r, et, TC_STRUCT));
            if (g->cols) {
                r->why = "duplicate columns field";
                rc = ZEST_E_FORMAT;
                goto out;
            }
            g->cols = calloc(n ? n : 1, sizeof *g->cols);
            if (!g->cols) {
                rc = ZEST_E_NOMEM;
                goto out;
            }
            g->n_cols = n;
            for (uint32_t i = 0; i < n; i++) TRY(read_chunk(r, &g->cols[i]));
        } else if (id == 3) {
            TRY(tcr_int(r, type, &g->num_rows));
        } else {
            TRY(tcr_skip(r, type));
        }
    }
out:
    tcr_struct_end(r);
    return rc < 0 ? rc : 0;
}

int pq_meta_decode(const uint8_t *p, size_t n, struct pq_meta *m, const char **why, size_t *pos) {
    memset(m, 0, sizeof *m);
    struct tc_reader rd, *r = &rd;
    tcr_init(r, p, n);
    int rc = tcr_struct_begin(r);
    uint8_t type = 0;
    bool have_schema = false;
    FIELDS(r) {
        uint8_t et;
        uint32_t cnt;
        switch (id) {
        case 2:
            TRY(want(r, type, TC_LIST));
            TRY(tcr_list(r, &et, &cnt));
            TRY(want(r, et, TC_STRUCT));
            if (have_schema) {
                r->why = "duplicate schema";
                rc = ZEST_E_FORMAT;
                goto out;
            }
            m->schema = calloc(cnt ? cnt : 1, sizeof *m->schema);
            if (!m->schema) {
                rc = ZEST_E_NOMEM;
                goto out;
            }
            m->n_schema = cnt;
            have_schema = true;
            for (uint32_t i = 0; i < cnt; i++) TRY(read_schema_el(r, &m->schema[i]));
            break;
        case 3: TRY(tcr_int(r, type, &m->num_rows)); break;
        case 4:
            TRY(want(r, type, TC_LIST));
            TRY(tcr_list(r, &et, &cnt));
            TRY(want(r, et, TC_STRUCT));
            if (m->rgs) {
                r->why = "duplicate row groups";
                rc = ZEST_E_FORMAT;
                goto out;
            }
            m->rgs = calloc(cnt ? cnt : 1, sizeof *m->rgs);
            if (!m->rgs) {
                rc = ZEST_E_NOMEM;
                goto out;
            }
            m->n_rgs = cnt;
            for (uint32_t i = 0; i < cnt; i++) TRY(read_rowgroup(r, &m->rgs[i]));
            break;
        default: TRY(tcr_skip(r, type));
        }
    }
    if (rc >= 0 && (!have_schema || m->n_schema == 0)) {
        r->why = "footer has no schema";
        rc = ZEST_E_FORMAT;
    }
out:
    if (rc < 0) {
        *why = r->why ? r->why : (rc == ZEST_E_NOMEM ? "out of memory" : "malformed footer");
        *pos = r->pos;
        pq_meta_free(m);
        return rc;
    }
    return 0;
}

void pq_meta_free(struct pq_meta *m) {
    if (!m) return;
    for (size_t i = 0; i < m->n_rgs; i++) free(m->rgs[i].cols);
    free(m->rgs);
    free(m->schema);
    memset(m, 0, sizeof *m);
}

static int read_page_sub(struct tc_reader *r, struct pq_page_header *h, int which) {
    int rc = tcr_struct_begin(r);
    uint8_t type = 0;
    if (rc) return rc;
    FIELDS(r) {
        int32_t *dst = NULL;
        if (which == 5) { /* DataPageHeader */
            if (id == 1) dst = &h->num_values;
            else if (id == 2) dst = &h->encoding;
        } else if (which == 7) { /* DictionaryPageHeader */
            if (id == 1) dst = &h->num_values;
            else if (id == 2) dst = &h->encoding;
        } else { /* DataPageHeaderV2 */
            if (id == 1) dst = &h->num_values;
            else if (id == 2) dst = &h->num_nulls;
            else if (id == 3) dst = &h->num_rows;
            else if (id == 4) dst = &h->encoding;
            else if (id == 5) dst = &h->def_len;
            else if (id == 6) dst = &h->rep_len;
            else if (id == 7 && (type == TC_TRUE || type == TC_FALSE)) {
                h->is_compressed = type == TC_TRUE;
                continue;
            }
        }
        if (dst) TRY(read_i32f(r, type, dst));
        else TRY(tcr_skip(r, type));
    }
out:
    tcr_struct_end(r);
    return rc < 0 ? rc : 0;
}

int pq_page_header_decode(const uint8_t *p, size_t n, struct pq_page_header *h, size_t *used,
                          const char **why) {
    memset(h, 0, sizeof *h);
    h->type = -1;
    h->is_compressed = true;
    struct tc_reader rd, *r = &rd;
    tcr_init(r, p, n);
    int rc = tcr_struct_begin(r);
    uint8_t type = 0;
    int seen = 0;
    FIELDS(r) {
        switch (id) {
        case 1: TRY(read_i32f(r, type, &h->type)); seen |= 1; break;
        case 2: TRY(read_i32f(r, type, &h->usize)); seen |= 2; break;
        case 3: TRY(read_i32f(r, type, &h->csize)); seen |= 4; break;
        case 5:
        case 7:
        case 8:
            TRY(want(r, type, TC_STRUCT));
            TRY(read_page_sub(r, h, id));
            if (id == 5) h->has_data = true;
            else if (id == 7) h->has_dict = true;
            else h->has_v2 = true;
            break;
        default: TRY(tcr_skip(r, type));
        }
    }
    if (rc >= 0 && seen != 7) {
        r->why = "page header lacks a required field";
        rc = ZEST_E_FORMAT;
    }
    if (rc >= 0 && (h->usize < 0 || h->csize < 0 || h->num_values < 0 || h->def_len < 0 ||
                    h->rep_len < 0 || h->num_nulls < 0)) {
        r->why = "page header has a negative size";
        rc = ZEST_E_FORMAT;
    }
out:
    if (rc < 0) {
        *why = r->why ? r->why : "malformed page header";
        return rc;
    }
    *used = (size_t)(r->p - r->base);
    return 0;
}

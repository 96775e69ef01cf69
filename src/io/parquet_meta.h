/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parquet_meta.h - the parts of Parquet's Thrift metadata the reader uses: FileMetaData
 * (schema elements, row groups, column chunks) and page headers, decoded from untrusted bytes
 * with the bounds-checked compact protocol decoder. Unknown fields are skipped. Strings point
 * into the decoded bytes (borrowed). Internal to src/io/parquet_*.c.
 */
#ifndef ZEST_PARQUET_META_H
#define ZEST_PARQUET_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pq_sel {
    const uint8_t *name;
    size_t name_len;
    int type; /* -1 for groups */
    int32_t type_length;
    int rep; /* -1 when absent */
    int32_t num_children;
    int conv; /* -1 when absent */
    int32_t scale, precision;
    int logical; /* enum pq_logical, 0 when absent */
    int time_unit;
    int int_bits;
    bool int_signed;
};

struct pq_chunk {
    bool has_meta;
    int type, codec;
    int64_t num_values, csize, usize, data_off, dict_off; /* dict_off -1 when absent */
};

struct pq_rg {
    int64_t num_rows;
    size_t n_cols;
    struct pq_chunk *cols;
};

struct pq_meta {
    struct pq_sel *schema;
    size_t n_schema;
    int64_t num_rows;
    struct pq_rg *rgs;
    size_t n_rgs;
};

struct pq_page_header {
    int type;
    int32_t usize, csize;
    int32_t num_values, num_nulls, num_rows;
    int encoding;
    int32_t def_len, rep_len; /* v2 */
    bool is_compressed;       /* v2 */
    bool has_data, has_dict, has_v2;
};

/* Decodes a footer. 0, ZEST_E_FORMAT (with *why and *pos) or ZEST_E_NOMEM. */
int pq_meta_decode(const uint8_t *p, size_t n, struct pq_meta *m, const char **why, size_t *pos);
void pq_meta_free(struct pq_meta *m);
/* Decodes a page header; *used gets its size. */
int pq_page_header_decode(const uint8_t *p, size_t n, struct pq_page_header *h, size_t *used,
                          const char **why);

#endif

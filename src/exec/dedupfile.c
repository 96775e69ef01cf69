/* SPDX-License-Identifier: Apache-2.0 */
/* dedupfile.c - signature and decision files, combine and finalize (see dedupfile.h). */
#include "dedupfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../common/fsutil.h"
#include "../common/hash.h"

#define SIG_MAGIC "ZSTDDSG1"
#define DEC_MAGIC "ZSTDDDC1"
/* The signature file's trailer: magic, key, partition, rows, signature size, checksum. */
#define SIG_TRAILER 48

static uint64_t dedupfile_sum(const void *p, size_t n) {
    return hash_finish(hash_bytes(HASH_SEED, p, n));
}

static void put64(unsigned char *p, uint64_t v) {
    memcpy(p, &v, 8);
}
static uint64_t get64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

int dedupfile_write_sigs(const char *path, uint64_t key, int64_t part, size_t sig_size,
                         struct buf *sigs, zest_error *err) {
    struct buf *b = sigs; /* the trailer goes on the end, then comes off */
    const size_t len = b->len;
    if (buf_reserve(b, SIG_TRAILER)) return err_set(err, ZEST_E_NOMEM, "out of memory");
    unsigned char *t = (unsigned char *)b->data + len;
    memcpy(t, SIG_MAGIC, 8);
    put64(t + 8, key);
    put64(t + 16, (uint64_t)part);
    put64(t + 24, sig_size ? len / sig_size : 0);
    put64(t + 32, sig_size);
    put64(t + 40, dedupfile_sum(b->data, len + 40));
    const int rc = fsutil_write_atomic(path, b->data, len + SIG_TRAILER, err);
    b->len = len;
    return rc;
}

/* Checks the trailer of a signature file's bytes p[0..n); the rows, or -1. */
static int64_t dedupfile_check_sigs(const unsigned char *p, size_t n, uint64_t key, int64_t part,
                                    size_t sig_size) {
    if (n < SIG_TRAILER || !sig_size) return -1;
    const unsigned char *t = p + n - SIG_TRAILER;
    const uint64_t rows = get64(t + 24);
    if (memcmp(t, SIG_MAGIC, 8) || get64(t + 8) != key || get64(t + 16) != (uint64_t)part ||
        get64(t + 32) != sig_size || rows * sig_size != n - SIG_TRAILER ||
        get64(t + 40) != dedupfile_sum(p, n - 8))
        return -1;
    return (int64_t)rows;
}

int dedupfile_sigs_valid(const char *path, uint64_t key, int64_t part, size_t sig_size) {
    struct buf b;
    buf_init(&b, 0);
    const int ok =
        fsutil_read_file(path, &b, NULL) == 0 &&
        dedupfile_check_sigs((const unsigned char *)b.data, b.len, key, part, sig_size) >= 0;
    buf_free(&b);
    return ok;
}

int dedupfile_combine(char *const *paths, const uint64_t *keys, size_t n_parts, size_t sig_size,
                      struct buf *store, struct dedup_sigs *out, int64_t *rows, zest_error *err) {
    buf_clear(store);
    for (size_t p = 0; p < n_parts; p++) {
        const size_t at = store->len;
        ZEST_TRY(fsutil_read_file(paths[p], store, err));
        const int64_t n = dedupfile_check_sigs((const unsigned char *)store->data + at,
                                               store->len - at, keys[p], (int64_t)p, sig_size);
        if (n < 0)
            return err_set_at(err, ZEST_E_FORMAT, paths[p], 0, -1,
                              "not the signatures of partition %zu for this job and op "
                              "(damaged, or the input or parameters changed)",
                              p);
        store->len -= SIG_TRAILER;
        rows[p] = n;
    }
    *out = (struct dedup_sigs){.data = (const unsigned char *)store->data,
                               .sig_size = sig_size,
                               .total = (int64_t)(store->len / sig_size)};
    return 0;
}

/* The decision file: magic, key, parts, rows[parts], bitmaps (byte-aligned per partition),
 * checksum of everything before it. */
static int dedupfile_write_decision(const char *path, uint64_t key, const uint8_t *keep,
                                    const int64_t *rows, size_t n_parts, zest_error *err) {
    struct buf b;
    buf_init(&b, 0);
    unsigned char w[8];
    int rc = buf_append(&b, DEC_MAGIC, 8);
    put64(w, key);
    rc = rc ? rc : buf_append(&b, w, 8);
    put64(w, n_parts);
    rc = rc ? rc : buf_append(&b, w, 8);
    for (size_t p = 0; p < n_parts && !rc; p++) {
        put64(w, (uint64_t)rows[p]);
        rc = buf_append(&b, w, 8);
    }
    int64_t first = 0;
    for (size_t p = 0; p < n_parts && !rc; p++) {
        const size_t bytes = (size_t)(rows[p] + 7) / 8;
        rc = buf_reserve(&b, bytes);
        if (rc) break;
        unsigned char *d = (unsigned char *)b.data + b.len;
        memset(d, 0, bytes);
        for (int64_t i = 0; i < rows[p]; i++) {
            const int64_t g = first + i;
            if ((keep[g >> 3] >> (g & 7)) & 1) d[i >> 3] |= (unsigned char)(1u << (i & 7));
        }
        b.len += bytes;
        first += rows[p];
    }
    put64(w, rc ? 0 : dedupfile_sum(b.data, b.len));
    rc = rc ? rc : buf_append(&b, w, 8);
    if (rc)
        rc = err_set(err, ZEST_E_NOMEM, "out of memory writing %s", path);
    else
        rc = fsutil_write_atomic(path, b.data, b.len, err);
    buf_free(&b);
    return rc;
}

int dedupfile_finalize(const struct op_desc *op, const struct op_params *params,
                       const struct dedup_sigs *in, const int64_t *rows, size_t n_parts,
                       uint64_t key, int threads, const char *path, int64_t *kept,
                       zest_error *err) {
    void *state = calloc(1, op->state_size ? op->state_size : 1);
    uint8_t *keep = calloc((size_t)(in->total + 7) / 8 + 1, 1);
    int rc = state && keep ? 0 : err_set(err, ZEST_E_NOMEM, "out of memory");
    if (rc == 0 && op->init) rc = op->init(state, params, err);
    if (rc == 0) rc = op->dedup->finalize(state, in, keep, threads, err);
    if (rc == 0) rc = dedupfile_write_decision(path, key, keep, rows, n_parts, err);
    *kept = 0;
    for (int64_t i = 0; rc == 0 && i < in->total; i++)
        *kept += (keep[i >> 3] >> (i & 7)) & 1;
    if (state && op->destroy) op->destroy(state);
    free(state);
    free(keep);
    return rc;
}

void dedupfile_decision_free(struct dedup_decision *d) {
    if (!d) return;
    buf_free(&d->file);
    free(d->bits);
    free(d->rows);
    memset(d, 0, sizeof *d);
}

static int dedupfile_parse_decision(struct dedup_decision *d, uint64_t key, size_t n_parts) {
    const unsigned char *p = (const unsigned char *)d->file.data;
    const size_t n = d->file.len;
    size_t at = 24 + 8 * n_parts;
    if (n < at + 8 || memcmp(p, DEC_MAGIC, 8) || get64(p + 8) != key || get64(p + 16) != n_parts ||
        get64(p + n - 8) != dedupfile_sum(p, n - 8))
        return 0;
    for (size_t i = 0; i < n_parts; i++) {
        const uint64_t r = get64(p + 24 + 8 * i);
        if (r > 8 * (uint64_t)n || at + (r + 7) / 8 > n - 8) return 0;
        d->rows[i] = (int64_t)r;
        d->bits[i] = p + at;
        at += (size_t)(r + 7) / 8;
    }
    return at == n - 8;
}

int dedupfile_load_decision(const char *path, uint64_t key, size_t n_parts,
                            struct dedup_decision *d, zest_error *err) {
    memset(d, 0, sizeof *d);
    buf_init(&d->file, 0);
    d->n_parts = n_parts;
    d->bits = calloc(n_parts ? n_parts : 1, sizeof *d->bits);
    d->rows = calloc(n_parts ? n_parts : 1, sizeof *d->rows);
    if (!d->bits || !d->rows) return err_set(err, ZEST_E_NOMEM, "out of memory");
    const int rc = fsutil_read_file(path, &d->file, err);
    if (rc == ZEST_E_NOTFOUND) return 0;
    if (rc) return rc;
    return dedupfile_parse_decision(d, key, n_parts);
}

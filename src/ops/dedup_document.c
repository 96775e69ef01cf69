/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dedup_document.c - document_deduplicator: exact deduplication (Data-Juicer's
 * document_deduplicator). A record's key is its text, optionally lowercased (Python's
 * str.lower()) and stripped of whitespace, digits and ASCII punctuation
 * (ignore_non_character: the regex \s+|\d+|[string.punctuation]), then str.strip()ped; the
 * signature is a 128-bit hash of the key's UTF-8 bytes (Data-Juicer takes md5: the values
 * differ, the decisions do not). The first record of each key in global input order is kept.
 * The finalize index is a table of 16-byte hashes at load <= 0.7 (under 23 bytes a record).
 * Depends on ops/dedup, ops/pylower, common/hash128 and utf8proc.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../common/err.h"
#include "../common/hash128.h"
#include "../common/utf8.h"
#include "dedup.h"
#include "pylower.h"

enum { P_LOWERCASE, P_IGNORE_NON_CHARACTER };

static const zest_param_desc params[] = {
    {.name = "lowercase",
     .type = ZEST_PARAM_BOOL,
     .default_value = "false",
     .help = "compare texts lowercased"},
    {.name = "ignore_non_character",
     .type = ZEST_PARAM_BOOL,
     .default_value = "false",
     .help = "ignore whitespace, digits and ASCII punctuation when comparing"},
};

struct state {
    bool lowercase, ignore_non_character;
    struct buf lower, key;
};

static int document_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)err;
    s->lowercase = p->v[P_LOWERCASE].b;
    s->ignore_non_character = p->v[P_IGNORE_NON_CHARACTER].b;
    buf_init(&s->lower, 0);
    buf_init(&s->key, 0);
    return 0;
}

static void document_destroy(void *state) {
    struct state *s = state;
    buf_free(&s->lower);
    buf_free(&s->key);
}

/* Python's str.isspace() (and what \s matches in a str pattern). */
static bool document_space(uint32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

static bool document_removed(uint32_t c) {
    if (c < 0x80)
        return document_space(c) || (c >= '0' && c <= '9') ||
               (c > 0x20 && c < 0x7F && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z'));
    return document_space(c) || utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_ND;
}

static uint32_t document_cp(const char *s, size_t n, size_t i, size_t *len) {
    const unsigned char b = (unsigned char)s[i];
    const size_t need = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    *len = 1;
    return need == 1 || need > n - i ? b : utf8_decode((const unsigned char *)s + i, len);
}

/* The key's bytes: characters removed as ignore_non_character says, then stripped. */
static int document_key(struct state *s, const char *t, size_t n, const char **out, size_t *out_n) {
    if (s->ignore_non_character) {
        buf_clear(&s->key);
        if (buf_reserve(&s->key, n)) return ZEST_E_NOMEM;
        for (size_t i = 0, len; i < n; i += len)
            if (!document_removed(document_cp(t, n, i, &len))) buf_put(&s->key, t + i, len);
        t = s->key.data ? s->key.data : "";
        n = s->key.len;
    }
    size_t a = 0, b = n, len;
    while (a < b && document_space(document_cp(t, b, a, &len)))
        a += len;
    while (b > a) {
        const unsigned char *p =
            utf8_prev((const unsigned char *)t + a, (const unsigned char *)t + b);
        const size_t at = (size_t)(p - (const unsigned char *)t);
        if (!document_space(document_cp(t, b, at, &len))) break;
        b = at;
    }
    *out = t + a;
    *out_n = b - a;
    return 0;
}

static size_t document_sig_size(const void *state) {
    (void)state;
    return 16;
}

static int document_signature(void *state, const char *text, size_t len, unsigned char *sig) {
    struct state *s = state;
    if (s->lowercase) {
        buf_clear(&s->lower);
        ZEST_TRY(pylower(text, len, false, &s->lower));
        text = s->lower.data ? s->lower.data : "";
        len = s->lower.len;
    }
    const char *key;
    size_t n;
    ZEST_TRY(document_key(s, text, len, &key, &n));
    struct hash128 h = hash128_bytes(key, n);
    if (!h.lo && !h.hi) h.lo = 1; /* all zero marks an empty slot of the finalize table */
    memcpy(sig, &h.lo, 8);
    memcpy(sig + 8, &h.hi, 8);
    return 0;
}

/* One pass in input order over a table of the hashes seen: a record is kept when its hash
 * was not there yet. */
static int document_finalize(const void *state, const struct dedup_sigs *in, uint8_t *keep,
                             int threads, zest_error *err) {
    (void)state;
    (void)threads;
    const size_t cap = (size_t)in->total + (size_t)in->total * 3 / 7 + 1; /* load <= 0.7 */
    struct hash128 *table = calloc(cap, sizeof *table);
    if (!table) return err_set(err, ZEST_E_NOMEM, "out of memory for %zu hash slots", cap);
    for (int64_t i = 0; i < in->total; i++) {
        struct hash128 h;
        memcpy(&h.lo, in->data + (size_t)i * 16, 8);
        memcpy(&h.hi, in->data + (size_t)i * 16 + 8, 8);
        size_t k = dedup_slot(h.hi, cap);
        while (table[k].lo || table[k].hi) {
            if (table[k].lo == h.lo && table[k].hi == h.hi) break;
            if (++k == cap) k = 0;
        }
        if (table[k].lo || table[k].hi) continue; /* seen: a duplicate */
        table[k] = h;
        keep[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    free(table);
    return 0;
}

static const struct dedup_desc document_dedup = {
    .sig_size = document_sig_size,
    .signature = document_signature,
    .finalize = document_finalize,
};

const struct op_desc op_document_deduplicator = {
    .info = {.name = "document_deduplicator",
             .kind = ZEST_OP_DEDUPLICATOR,
             .summary = "Drop exact duplicate documents (after optional lowercasing and "
                        "removal of non-characters), keeping the first",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .init = document_init,
    .process = dedup_process,
    .destroy = document_destroy,
    .dedup = &document_dedup,
};

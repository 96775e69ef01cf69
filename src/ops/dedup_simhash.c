/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dedup_simhash.c - document_simhash_deduplicator: near-duplicate detection by 64-bit SimHash
 * (Data-Juicer's document_simhash_deduplicator). Shingles as dedup.h prepares them (a list:
 * a repeated shingle counts again); bit i of the SimHash is set when more shingle hashes have
 * bit i set than clear (a text without shingles hashes to 0). Finalize finds every pair of
 * distinct SimHashes at most hamming_distance bits apart by the block-permutation search: the
 * 64 bits are cut into num_blocks blocks; two hashes that close agree on at least
 * num_blocks - hamming_distance whole blocks, so for each choice of that many blocks the
 * hashes are sorted by those blocks and compared within each run of equal keys. Records with
 * equal or near hashes form clusters (the transitive closure, as Data-Juicer's BFS over the
 * pairs); the first record of each cluster is kept. Block choices are split over threads,
 * each with its own union-find, merged after. Shingle hashes are simhash-py's (the first 8
 * bytes of MD5, big-endian), so the SimHashes are Data-Juicer's. Depends on ops/dedup and
 * common/md5.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../common/md5.h"
#include "dedup.h"

enum {
    P_TOKENIZATION,
    P_WINDOW_SIZE,
    P_LOWERCASE,
    P_IGNORE_PATTERN,
    P_NUM_BLOCKS,
    P_HAMMING_DISTANCE
};

static const zest_param_desc params[] = {
    {.name = "tokenization",
     .type = ZEST_PARAM_STRING,
     .default_value = "space",
     .choices = "space|punctuation|character",
     .help = "how texts are split into tokens before shingling"},
    {.name = "window_size",
     .type = ZEST_PARAM_INT,
     .default_value = "6",
     .has_min = 1,
     .min = 1,
     .help = "tokens per shingle"},
    {.name = "lowercase",
     .type = ZEST_PARAM_BOOL,
     .default_value = "true",
     .help = "lowercase texts first"},
    {.name = "ignore_pattern",
     .type = ZEST_PARAM_STRING,
     .default_value = "",
     .help = "a regular expression whose matches are removed first (e.g. \\p{P})"},
    {.name = "num_blocks",
     .type = ZEST_PARAM_INT,
     .default_value = "6",
     .has_min = 1,
     .min = 1,
     .has_max = 1,
     .max = 64,
     .help = "blocks the 64 bits are cut into for the near-pair search"},
    {.name = "hamming_distance",
     .type = ZEST_PARAM_INT,
     .default_value = "4",
     .has_min = 1,
     .min = 0,
     .has_max = 1,
     .max = 63,
     .help = "most differing bits between near duplicates (less than num_blocks)"},
};

struct state {
    struct dedup_text text;
    int blocks, distance;
    int counts[64];
};

static int simhash_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    ZEST_TRY(dedup_text_init(&s->text, p->v[P_TOKENIZATION].s, p->v[P_WINDOW_SIZE].i,
                             p->v[P_LOWERCASE].b, p->v[P_IGNORE_PATTERN].s, err));
    s->blocks = (int)p->v[P_NUM_BLOCKS].i;
    s->distance = (int)p->v[P_HAMMING_DISTANCE].i;
    if (s->distance >= s->blocks)
        return err_set(err, ZEST_E_PARAM, "hamming_distance (%d) must be less than num_blocks (%d)",
                       s->distance, s->blocks);
    return 0;
}

static void simhash_destroy(void *state) {
    struct state *s = state;
    dedup_text_destroy(&s->text);
}

/* At config load: bad parameters (a pattern that does not compile, hamming_distance not below
 * num_blocks) are config errors before any data is read, and `zest validate` reports them. */
static int simhash_prepare(struct op_params *p, zest_error *err) {
    struct state s;
    memset(&s, 0, sizeof s);
    const int rc = simhash_init(&s, p, err);
    simhash_destroy(&s);
    return rc;
}

static size_t simhash_sig_size(const void *state) {
    (void)state;
    return 8;
}

static void simhash_shingle(void *user, const char *sh, size_t n) {
    struct state *s = user;
    const uint64_t h = md5_hash64(sh, n); /* simhash-py's unsigned_hash */
    for (int i = 0; i < 64; i++)
        s->counts[i] += (int)((h >> i) & 1) * 2 - 1;
}

static int simhash_signature(void *state, const char *text, size_t len, unsigned char *sig) {
    struct state *s = state;
    memset(s->counts, 0, sizeof s->counts);
    ZEST_TRY(dedup_text_shingles(&s->text, text, len, simhash_shingle, s));
    uint64_t h = 0;
    for (int i = 0; i < 64; i++)
        h |= (uint64_t)(s->counts[i] > 0) << i;
    memcpy(sig, &h, 8);
    return 0;
}

struct simhash_item {
    uint64_t key, hash;
    uint32_t row; /* the first record with this hash */
};

static int simhash_cmp_key(const void *a, const void *b) {
    const struct simhash_item *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return 0;
}

struct simhash_fin {
    const struct simhash_item *distinct;
    size_t n;
    int distance, threads;
    uint64_t *masks; /* one per choice of blocks */
    int n_masks;
    struct dedup_uf *uf;
    struct simhash_item **work;
};

/* One choice of blocks: near pairs among hashes that agree on them. */
static void simhash_choice(struct simhash_fin *f, int t, uint64_t mask) {
    struct simhash_item *w = f->work[t];
    for (size_t i = 0; i < f->n; i++) {
        w[i] = f->distinct[i];
        w[i].key = w[i].hash & mask;
    }
    qsort(w, f->n, sizeof *w, simhash_cmp_key);
    for (size_t i = 0, j; i < f->n; i = j) {
        for (j = i + 1; j < f->n && w[j].key == w[i].key; j++) {
        }
        for (size_t a = i; a < j; a++)
            for (size_t b = a + 1; b < j; b++)
                if (__builtin_popcountll(w[a].hash ^ w[b].hash) <= f->distance)
                    dedup_uf_union(&f->uf[t], w[a].row, w[b].row);
    }
}

static int simhash_thread(void *user, int t) {
    struct simhash_fin *f = user;
    for (int m = t; m < f->n_masks; m += f->threads)
        simhash_choice(f, t, f->masks[m]);
    return 0;
}

/* The masks of every choice of `keep` blocks out of `blocks` (block i: bits
 * [64 i / blocks, 64 (i + 1) / blocks)). */
static int simhash_masks(int blocks, int keep, uint64_t **out, int *n) {
    uint64_t bm[64];
    for (int i = 0; i < blocks; i++) {
        const int lo = 64 * i / blocks, hi = 64 * (i + 1) / blocks;
        bm[i] = (hi - lo == 64 ? ~0ull : ((1ull << (hi - lo)) - 1)) << lo;
    }
    size_t cap = 16, count = 0;
    uint64_t *m = malloc(cap * sizeof *m);
    int idx[64];
    for (int i = 0; i < keep; i++)
        idx[i] = i;
    while (m) {
        uint64_t v = 0;
        for (int i = 0; i < keep; i++)
            v |= bm[idx[i]];
        if (count == cap) {
            uint64_t *g = realloc(m, 2 * cap * sizeof *m);
            if (!g) break;
            m = g;
            cap *= 2;
        }
        m[count++] = v;
        int i = keep - 1;
        while (i >= 0 && idx[i] == blocks - keep + i)
            i--;
        if (i < 0) {
            *out = m;
            *n = (int)count;
            return 0;
        }
        idx[i]++;
        for (int j = i + 1; j < keep; j++)
            idx[j] = idx[j - 1] + 1;
    }
    free(m);
    return ZEST_E_NOMEM;
}

/* Distinct hashes with the first record of each; records with equal hashes united. */
static int simhash_distinct(const struct dedup_sigs *in, struct dedup_uf *uf,
                            struct simhash_item **out, size_t *n) {
    struct simhash_item *all = malloc((size_t)(in->total ? in->total : 1) * sizeof *all);
    if (!all) return ZEST_E_NOMEM;
    for (int64_t i = 0; i < in->total; i++) {
        memcpy(&all[i].hash, in->data + (size_t)i * 8, 8);
        all[i].key = all[i].hash;
        all[i].row = (uint32_t)i;
    }
    qsort(all, (size_t)in->total, sizeof *all, simhash_cmp_key);
    size_t d = 0;
    for (size_t i = 0; i < (size_t)in->total; i++) {
        if (d && all[d - 1].hash == all[i].hash) {
            dedup_uf_union(uf, all[d - 1].row, all[i].row);
            continue;
        }
        all[d++] = all[i];
    }
    *out = all;
    *n = d;
    return 0;
}

static int simhash_finalize(const void *state, const struct dedup_sigs *in, uint8_t *keep,
                            int threads, zest_error *err) {
    const struct state *s = state;
    if (in->total >= (int64_t)UINT32_MAX)
        return err_set(err, ZEST_E_LIMIT, "%lld records: more than 2^32 - 1 per deduplicator",
                       (long long)in->total);
    struct simhash_fin f = {.distance = s->distance};
    struct simhash_item *distinct = NULL;
    struct dedup_uf base = {0};
    int rc = dedup_uf_init(&base, in->total);
    if (rc == 0) rc = simhash_distinct(in, &base, &distinct, &f.n);
    if (rc == 0) rc = simhash_masks(s->blocks, s->blocks - s->distance, &f.masks, &f.n_masks);
    f.distinct = distinct;
    f.threads = threads < 1 ? 1 : threads > f.n_masks ? f.n_masks : threads;
    if (rc == 0) {
        f.uf = calloc((size_t)f.threads, sizeof *f.uf);
        f.work = calloc((size_t)f.threads, sizeof *f.work);
        if (!f.uf || !f.work) rc = ZEST_E_NOMEM;
    }
    for (int t = 0; rc == 0 && t < f.threads; t++) {
        rc = dedup_uf_init(&f.uf[t], in->total);
        if (rc == 0 && !(f.work[t] = malloc((f.n ? f.n : 1) * sizeof *f.work[t])))
            rc = ZEST_E_NOMEM;
    }
    if (rc == 0) rc = dedup_parallel(f.threads, f.threads, simhash_thread, &f);
    if (rc == 0) {
        for (int t = 0; t < f.threads; t++)
            dedup_uf_merge(&base, &f.uf[t]);
        dedup_uf_keep(&base, keep);
    }
    for (int t = 0; f.uf && t < f.threads; t++) {
        dedup_uf_free(&f.uf[t]);
        free(f.work[t]);
    }
    free(f.uf);
    free(f.work);
    free(f.masks);
    free(distinct);
    dedup_uf_free(&base);
    return rc ? err_set(err, rc, "out of memory clustering %lld records", (long long)in->total) : 0;
}

static const struct dedup_desc simhash_dedup = {
    .sig_size = simhash_sig_size,
    .signature = simhash_signature,
    .finalize = simhash_finalize,
};

const struct op_desc op_document_simhash_deduplicator = {
    .info = {.name = "document_simhash_deduplicator",
             .kind = ZEST_OP_DEDUPLICATOR,
             .summary = "Drop near-duplicate documents by 64-bit SimHash (Hamming distance), "
                        "keeping the first of each cluster",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .prepare = simhash_prepare,
    .init = simhash_init,
    .process = dedup_process,
    .destroy = simhash_destroy,
    .dedup = &simhash_dedup,
};

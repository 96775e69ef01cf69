/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dedup_minhash.c - document_minhash_deduplicator: near-duplicate detection by MinHash and
 * LSH banding (Data-Juicer's document_minhash_deduplicator). Shingles as dedup.h prepares
 * them; each shingle's 32-bit hash h (its tokens' hashes combined in order) goes through
 * num_permutations functions ((h * a + b) mod (2^61 - 1)) & 0xffffffff (uint64 arithmetic
 * wrapping, as numpy's), and the minimum per function is kept; a text without shingles has
 * every minimum at 0xffffffff. The signature is one 64-bit hash per band of
 * num_rows_per_band minimums, so it costs 8 bytes a band instead of 4 a permutation. When
 * the bands and rows are not both given they are Data-Juicer's optimal_param choice: the
 * (b, r) with b * r <= num_permutations minimising the mean of the false-positive and
 * false-negative areas under the banding S-curve 1 - (1 - s^r)^b on either side of
 * jaccard_threshold. Finalize: records sharing a band value are united (bands split over
 * threads, each with its own union-find, merged after); a record is kept when it is the
 * first of its cluster. The hash values are not Data-Juicer's (it takes SHA-1 and numpy's
 * random stream for a and b); docs/ops/ says what that changes.
 * Depends on ops/dedup and common/hash.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../common/hash.h"
#include "dedup.h"

enum {
    P_TOKENIZATION,
    P_WINDOW_SIZE,
    P_LOWERCASE,
    P_IGNORE_PATTERN,
    P_NUM_PERMUTATIONS,
    P_JACCARD_THRESHOLD,
    P_NUM_BANDS,
    P_NUM_ROWS_PER_BAND
};

static const zest_param_desc params[] = {
    {.name = "tokenization",
     .type = ZEST_PARAM_STRING,
     .default_value = "space",
     .choices = "space|punctuation|character",
     .help = "how texts are split into tokens before shingling"},
    {.name = "window_size",
     .type = ZEST_PARAM_INT,
     .default_value = "5",
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
    {.name = "num_permutations",
     .type = ZEST_PARAM_INT,
     .default_value = "256",
     .has_min = 1,
     .min = 1,
     .has_max = 1,
     .max = 8192,
     .help = "hash functions in a MinHash"},
    {.name = "jaccard_threshold",
     .type = ZEST_PARAM_DOUBLE,
     .default_value = "0.7",
     .has_min = 1,
     .min = 0,
     .has_max = 1,
     .max = 1,
     .help = "Jaccard similarity from which two texts are near duplicates"},
    {.name = "num_bands",
     .type = ZEST_PARAM_INT,
     .default_value = "0",
     .has_min = 1,
     .min = 0,
     .help = "LSH bands (0: chosen with num_rows_per_band from the threshold)"},
    {.name = "num_rows_per_band",
     .type = ZEST_PARAM_INT,
     .default_value = "0",
     .has_min = 1,
     .min = 0,
     .help = "MinHash values per band (0: chosen with num_bands)"},
};

#define MERSENNE ((1ull << 61) - 1)

struct state {
    struct dedup_text text;
    size_t perms, bands, rows;
    uint64_t *a, *b;
    uint32_t *mins;
    uint64_t *mins64; /* the SSE2 path's minimums (see minhash_perms) */
};

/* Integral of f over [lo, hi] by composite Simpson (the S-curves are smooth polynomials). */
static double minhash_area(double lo, double hi, double r, double b, int fp) {
    const int n = 400; /* picks the same (b, r) as adaptive quadrature on the cases checked */
    const double h = (hi - lo) / n;
    double sum = 0;
    for (int i = 0; i <= n; i++) {
        const double s = lo + h * i;
        const double p = 1 - pow(1 - pow(s, r), b);
        const double f = fp ? p : 1 - p;
        sum += f * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
    }
    return sum * h / 3;
}

/* Data-Juicer's optimal_param: weights 0.5 / 0.5, b in 1..perms, r in 1..perms/b, the first
 * minimum in that order. The last answer is remembered: every worker's instance asks. */
static void minhash_search(double threshold, size_t perms, size_t *bands, size_t *rows) {
    double best = INFINITY;
    *bands = *rows = 1;
    for (size_t b = 1; b <= perms; b++)
        for (size_t r = 1; r <= perms / b; r++) {
            const double fp = minhash_area(0, threshold, (double)r, (double)b, 1);
            const double fn = minhash_area(threshold, 1, (double)r, (double)b, 0);
            const double e = 0.5 * fp + 0.5 * fn;
            if (e < best) {
                best = e;
                *bands = b;
                *rows = r;
            }
        }
}

static void minhash_optimal(double threshold, size_t perms, size_t *bands, size_t *rows) {
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static double last_threshold = -1;
    static size_t last_perms, last_bands, last_rows;
    pthread_mutex_lock(&mu);
    if (last_threshold != threshold || last_perms != perms) {
        minhash_search(threshold, perms, &last_bands, &last_rows);
        last_threshold = threshold;
        last_perms = perms;
    }
    *bands = last_bands;
    *rows = last_rows;
    pthread_mutex_unlock(&mu);
}

static uint64_t minhash_next(uint64_t *x) { /* splitmix64 */
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int minhash_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    ZEST_TRY(dedup_text_init(&s->text, p->v[P_TOKENIZATION].s, p->v[P_WINDOW_SIZE].i,
                             p->v[P_LOWERCASE].b, p->v[P_IGNORE_PATTERN].s, err));
    s->perms = (size_t)p->v[P_NUM_PERMUTATIONS].i;
    s->bands = (size_t)p->v[P_NUM_BANDS].i;
    s->rows = (size_t)p->v[P_NUM_ROWS_PER_BAND].i;
    if (!s->bands || !s->rows)
        minhash_optimal(p->v[P_JACCARD_THRESHOLD].d, s->perms, &s->bands, &s->rows);
    if (s->bands * s->rows > s->perms)
        return err_set(err, ZEST_E_PARAM,
                       "num_bands * num_rows_per_band (%zu * %zu) is more "
                       "than num_permutations (%zu)",
                       s->bands, s->rows, s->perms);
    s->a = malloc(s->perms * sizeof *s->a);
    s->b = malloc(s->perms * sizeof *s->b);
    s->mins = malloc(s->perms * sizeof *s->mins);
    s->mins64 = malloc(s->perms * sizeof *s->mins64);
    if (!s->a || !s->b || !s->mins || !s->mins64)
        return err_set(err, ZEST_E_NOMEM, "out of memory");
    uint64_t seed = 42;
    for (size_t j = 0; j < s->perms; j++) {
        s->a[j] = 1 + minhash_next(&seed) % (MERSENNE - 1);
        s->b[j] = minhash_next(&seed) % MERSENNE;
    }
    return 0;
}

static void minhash_destroy(void *state) {
    struct state *s = state;
    dedup_text_destroy(&s->text);
    free(s->a);
    free(s->b);
    free(s->mins);
    free(s->mins64);
}

/* At config load: bad parameters (a pattern that does not compile, bands * rows over the
 * permutations) are config errors before any data is read, and `zest validate` reports them. */
static int minhash_prepare(struct op_params *p, zest_error *err) {
    struct state s;
    memset(&s, 0, sizeof s);
    const int rc = minhash_init(&s, p, err);
    minhash_destroy(&s);
    return rc;
}

static size_t minhash_sig_size(const void *state) {
    const struct state *s = state;
    return s->bands * 8;
}

/* Permutations [from, perms) of one shingle hash h, one at a time. */
static void minhash_perms_c(struct state *s, uint64_t h, size_t from) {
    const uint64_t *a = s->a, *b = s->b;
    uint32_t *mins = s->mins;
    for (size_t j = from; j < s->perms; j++) {
        uint64_t v = h * a[j] + b[j];
        v = (v & MERSENNE) + (v >> 61);
        v -= v >= MERSENNE ? MERSENNE : 0;
        const uint32_t x = (uint32_t)v;
        mins[j] = x < mins[j] ? x : mins[j];
    }
}

#if defined(__SSE2__)
#include <emmintrin.h>
/* Two permutations at a time. h < 2^32, so h * a (mod 2^64) is h * lo32(a) + (h * hi32(a)) << 32,
 * two 32x32->64 multiplies. The minimums are kept as 64-bit lanes holding x ^ 2^31 (so the
 * signed 32-bit compare orders them as unsigned); minhash_signature turns them back. */
static void minhash_perms(struct state *s, uint64_t h) {
    const __m128i hh = _mm_set1_epi64x((long long)h), p = _mm_set1_epi64x((long long)MERSENNE);
    const __m128i one = _mm_set1_epi64x(1), low = _mm_set1_epi64x(0xffffffffll);
    const __m128i bias = _mm_set1_epi64x(0x80000000ll), zero = _mm_setzero_si128();
    size_t j = 0;
    for (; j + 2 <= s->perms; j += 2) {
        const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s->a + j));
        const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s->b + j));
        const __m128i lo = _mm_mul_epu32(hh, a), hi = _mm_mul_epu32(hh, _mm_srli_epi64(a, 32));
        __m128i v = _mm_add_epi64(_mm_add_epi64(lo, _mm_slli_epi64(hi, 32)), b);
        v = _mm_add_epi64(_mm_and_si128(v, p), _mm_srli_epi64(v, 61));
        const __m128i ge = _mm_sub_epi64(zero, _mm_srli_epi64(_mm_add_epi64(v, one), 61));
        v = _mm_sub_epi64(v, _mm_and_si128(ge, p));
        v = _mm_xor_si128(_mm_and_si128(v, low), bias);
        __m128i *m = (__m128i *)(void *)(s->mins64 + j);
        const __m128i old = _mm_loadu_si128(m);
        const __m128i less = _mm_shuffle_epi32(_mm_cmpgt_epi32(old, v), _MM_SHUFFLE(2, 2, 0, 0));
        _mm_storeu_si128(m, _mm_or_si128(_mm_and_si128(less, v), _mm_andnot_si128(less, old)));
    }
    minhash_perms_c(s, h, j);
}
#endif

static void minhash_shingle(void *user, uint64_t shingle_hash) {
    struct state *s = user;
    const uint64_t h = (uint32_t)shingle_hash;
#if defined(__SSE2__)
    minhash_perms(s, h);
#else
    minhash_perms_c(s, h, 0);
#endif
}

static int minhash_signature(void *state, const char *text, size_t len, unsigned char *sig) {
    struct state *s = state;
    memset(s->mins, 0xff, s->perms * sizeof *s->mins);
    for (size_t j = 0; j < s->perms; j++)
        s->mins64[j] = 0x7fffffff; /* 0xffffffff ^ 2^31 */
    ZEST_TRY(dedup_text_shingle_hashes(&s->text, text, len, minhash_shingle, s));
#if defined(__SSE2__)
    for (size_t j = 0; j < (s->perms & ~(size_t)1); j++)
        s->mins[j] = (uint32_t)(s->mins64[j] ^ 0x80000000u);
#endif
    for (size_t k = 0; k < s->bands; k++) {
        const uint64_t h = hash_finish(hash_bytes(HASH_SEED, s->mins + k * s->rows, s->rows * 4));
        memcpy(sig + 8 * k, &h, 8);
    }
    return 0;
}

struct minhash_fin {
    const struct dedup_sigs *in;
    size_t bands, threads;
    struct dedup_uf *uf; /* one per thread */
    uint64_t *keys;      /* per thread: a table of cap band values ... */
    uint32_t *first;     /* ... and the first record holding each */
    size_t cap;
};

/* Band k: each record joins the first record with the same band value. */
static void minhash_band(struct minhash_fin *f, size_t t, size_t k) {
    uint64_t *keys = f->keys + t * f->cap;
    uint32_t *first = f->first + t * f->cap;
    memset(first, 0xff, f->cap * sizeof *first);
    for (int64_t i = 0; i < f->in->total; i++) {
        uint64_t v;
        memcpy(&v, f->in->data + (size_t)i * f->in->sig_size + 8 * k, 8);
        size_t at = dedup_slot(v, f->cap);
        while (first[at] != UINT32_MAX && keys[at] != v)
            if (++at == f->cap) at = 0;
        if (first[at] == UINT32_MAX) {
            keys[at] = v;
            first[at] = (uint32_t)i;
        } else {
            dedup_uf_union(&f->uf[t], first[at], (uint32_t)i);
        }
    }
}

static int minhash_thread(void *user, int t) {
    struct minhash_fin *f = user;
    for (size_t k = (size_t)t; k < f->bands; k += f->threads)
        minhash_band(f, (size_t)t, k);
    return 0;
}

static int minhash_finalize(const void *state, const struct dedup_sigs *in, uint8_t *keep,
                            int threads, zest_error *err) {
    const struct state *s = state;
    if (in->total >= (int64_t)UINT32_MAX)
        return err_set(err, ZEST_E_LIMIT, "%lld records: more than 2^32 - 1 per deduplicator",
                       (long long)in->total);
    struct minhash_fin f = {.in = in, .bands = s->bands};
    f.threads = threads < 1 ? 1 : (size_t)threads > s->bands ? s->bands : (size_t)threads;
    f.cap = (size_t)in->total + (size_t)in->total * 3 / 7 + 1;
    f.uf = calloc(f.threads, sizeof *f.uf);
    f.keys = malloc(f.threads * f.cap * sizeof *f.keys);
    f.first = malloc(f.threads * f.cap * sizeof *f.first);
    int rc = f.uf && f.keys && f.first ? 0 : ZEST_E_NOMEM;
    for (size_t t = 0; rc == 0 && t < f.threads; t++)
        rc = dedup_uf_init(&f.uf[t], in->total);
    if (rc == 0) rc = dedup_parallel((int)f.threads, (int)f.threads, minhash_thread, &f);
    if (rc == 0) {
        for (size_t t = 1; t < f.threads; t++)
            dedup_uf_merge(&f.uf[0], &f.uf[t]);
        dedup_uf_keep(&f.uf[0], keep);
    }
    for (size_t t = 0; f.uf && t < f.threads; t++)
        dedup_uf_free(&f.uf[t]);
    free(f.uf);
    free(f.keys);
    free(f.first);
    return rc ? err_set(err, rc, "out of memory clustering %lld records", (long long)in->total) : 0;
}

static const struct dedup_desc minhash_dedup = {
    .sig_size = minhash_sig_size,
    .signature = minhash_signature,
    .finalize = minhash_finalize,
};

const struct op_desc op_document_minhash_deduplicator = {
    .info = {.name = "document_minhash_deduplicator",
             .kind = ZEST_OP_DEDUPLICATOR,
             .summary = "Drop near-duplicate documents by MinHash LSH (Jaccard similarity of "
                        "shingles), keeping the first of each cluster",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .prepare = minhash_prepare,
    .init = minhash_init,
    .process = dedup_process,
    .destroy = minhash_destroy,
    .dedup = &minhash_dedup,
};

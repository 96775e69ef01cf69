/* SPDX-License-Identifier: Apache-2.0 */
/* ft_api.c - the public fastText API of zest.h over the internal one. */
#include <stdlib.h>

#include "../common/err.h"
#include "fasttext.h"

struct zest_fasttext {
    struct ft_model *m;
};

int zest_fasttext_load(const char *path, zest_fasttext **out, zest_error *err) {
    *out = NULL;
    zest_fasttext *f = calloc(1, sizeof *f);
    if (!f) return err_set(err, ZEST_E_NOMEM, "out of memory");
    const int rc = ft_load(path, &f->m, err);
    if (rc) {
        free(f);
        return rc;
    }
    *out = f;
    return 0;
}

void zest_fasttext_free(zest_fasttext *f) {
    if (!f) return;
    ft_free(f->m);
    free(f);
}

struct zest_fasttext_scratch {
    struct ft_scratch s;
};

zest_fasttext_scratch *zest_fasttext_scratch_new(void) {
    zest_fasttext_scratch *s = malloc(sizeof *s);
    if (s) ft_scratch_init(&s->s);
    return s;
}

void zest_fasttext_scratch_free(zest_fasttext_scratch *s) {
    if (!s) return;
    ft_scratch_free(&s->s);
    free(s);
}

int zest_fasttext_predict(const zest_fasttext *f, const char *text, size_t len, int k,
                          float threshold, zest_prediction *out, zest_fasttext_scratch *scratch,
                          zest_error *err) {
    struct ft_pred stack[16], *p = k <= 16 ? stack : malloc((size_t)k * sizeof *p);
    struct ft_scratch local;
    ft_scratch_init(&local);
    struct ft_scratch *s = scratch ? &scratch->s : &local;
    int n = p ? ft_predict(f->m, text, len, k, threshold, s, p) : ZEST_E_NOMEM;
    ft_scratch_free(&local);
    for (int i = 0; i < n; i++)
        out[i] = (zest_prediction){.label = ft_label(f->m, p[i].label), .prob = p[i].prob};
    if (p != stack) free(p);
    if (n < 0) return err_set(err, n, "out of memory");
    return n;
}

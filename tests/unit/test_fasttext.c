/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fasttext.c - the fastText reader and predictor: lid.176.ftz (installed by
 * scripts/models.sh) gives the labels and probabilities python3-fasttext gives; the small
 * dense and quantized models of tests/fuzz/corpus/fasttext give fastText's; every damaged
 * copy of a model (cut at any length, wrong magic, wrong version, bytes after the end) is
 * refused with an error naming the file and offset.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/fasttext/fasttext.h"
#include "runner.h"

static const char *lid_path(void) {
    static char p[1024];
    const char *dir = getenv("ZEST_MODELS_DIR"), *cache = getenv("XDG_CACHE_HOME");
    if (dir && *dir) snprintf(p, sizeof p, "%s/lid.176.ftz", dir);
    else if (cache && *cache) snprintf(p, sizeof p, "%s/zest/models/lid.176.ftz", cache);
    else snprintf(p, sizeof p, "%s/.cache/zest/models/lid.176.ftz", getenv("HOME"));
    return p;
}

static struct ft_model *load(const char *path) {
    struct ft_model *m = NULL;
    zest_error err;
    if (ft_load(path, &m, &err)) TEST_FAIL("%s", err.msg);
    return m;
}

static void expect(const struct ft_model *m, const char *text, const char *label, double prob) {
    struct ft_scratch s;
    ft_scratch_init(&s);
    struct ft_pred p;
    ASSERT_EQ(ft_predict(m, text, strlen(text), 1, 0, &s, &p), 1);
    ASSERT_STR_EQ(ft_label(m, p.label), label);
    if ((double)p.prob != prob) TEST_FAIL("%s: %.17g, expected %.17g", text, (double)p.prob, prob);
    ft_scratch_free(&s);
}

TEST(lid_176_labels_and_probabilities_are_python_fasttexts) {
    struct ft_model *m = load(lid_path());
    ASSERT_EQ(ft_label_count(m), 176);
    /* python3-fasttext: model.predict(text) on the lowercased texts */
    expect(m, "do you need a cup of coffee?", "__label__en", 0.8948813080787659);
    expect(m, "today is sund sund sund sunda and it's a happy day! you know", "__label__en",
           0.9951856732368469);
    expect(m, "\xce\xbf\xce\xb4\xce\xbf\xcf\x82 \xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1\xcf\x82",
           "__label__el", 0.9890524744987488);
    ft_free(m);
}

TEST(a_line_ends_at_its_newline_and_at_a_literal_eos) {
    struct ft_model *m = load(lid_path());
    struct ft_scratch s;
    ft_scratch_init(&s);
    struct ft_pred a, b, c;
    const char *t = "das ist ein test";
    ASSERT_EQ(ft_predict(m, t, strlen(t), 1, 0, &s, &a), 1);
    const char *t2 = "das ist ein test\nthis is english after the newline";
    ASSERT_EQ(ft_predict(m, t2, strlen(t2), 1, 0, &s, &b), 1);
    const char *t3 = "das ist ein test </s> this is english after eos";
    ASSERT_EQ(ft_predict(m, t3, strlen(t3), 1, 0, &s, &c), 1);
    ASSERT(a.label == b.label && a.prob == b.prob && a.label == c.label && a.prob == c.prob);
    ft_scratch_free(&s);
    ft_free(m);
}

TEST(k_labels_best_first_and_the_threshold) {
    struct ft_model *m = load(lid_path());
    struct ft_scratch s;
    ft_scratch_init(&s);
    struct ft_pred p[5];
    const char *t = "bonjour tout le monde";
    ASSERT_EQ(ft_predict(m, t, strlen(t), 5, 0, &s, p), 5);
    for (int i = 1; i < 5; i++) ASSERT(p[i - 1].prob >= p[i].prob);
    ASSERT_STR_EQ(ft_label(m, p[0].label), "__label__fr");
    ASSERT_EQ(ft_predict(m, t, strlen(t), 5, 0.5f, &s, p), 1);
    ASSERT_EQ(ft_predict(m, t, strlen(t), 5, 1.5f, &s, p), 0);
    ft_scratch_free(&s);
    ft_free(m);
}

TEST(small_dense_and_quantized_models_give_fasttexts_probabilities) {
    /* fasttext predict-prob tiny.bin / tiny.ftz - 3 on "the cat in the park" */
    static const struct { const char *file; float p[3]; } cases[] = {
        {"tests/fuzz/corpus/fasttext/tiny.bin", {0.333468f, 0.333293f, 0.333269f}},
        {"tests/fuzz/corpus/fasttext/tiny.ftz", {0.333471f, 0.333292f, 0.333267f}},
    };
    for (size_t i = 0; i < 2; i++) {
        struct ft_model *m = load(cases[i].file);
        struct ft_scratch s;
        ft_scratch_init(&s);
        struct ft_pred p[3];
        const char *t = "the cat in the park";
        ASSERT_EQ(ft_predict(m, t, strlen(t), 3, 0, &s, p), 3);
        ASSERT_STR_EQ(ft_label(m, p[0].label), "__label__de");
        for (int k = 0; k < 3; k++)
            if (fabsf(p[k].prob - cases[i].p[k]) > 1e-6f)
                TEST_FAIL("%s: label %d: %.9f, expected %.6f", cases[i].file, k, (double)p[k].prob,
                          (double)cases[i].p[k]);
        ft_scratch_free(&s);
        ft_free(m);
    }
}

static int load_bytes(const char *data, size_t n, zest_error *err) {
    char *path = test_write_file(test_tmpdir(), "m.bin", data, n);
    struct ft_model *m = NULL;
    const int rc = ft_load(path, &m, err);
    ft_free(m);
    free(path);
    return rc;
}

TEST(every_truncation_of_a_model_is_an_error_naming_the_offset) {
    size_t len;
    char *data = test_read_file("tests/fuzz/corpus/fasttext/tiny.ftz", &len);
    ASSERT(data);
    zest_error err;
    for (size_t n = 0; n < len; n += n < 200 ? 1 : 97) {
        if (load_bytes(data, n, &err) != ZEST_E_FORMAT) TEST_FAIL("cut at %zu: loaded", n);
        ASSERT_CONTAINS(err.msg, "not a fastText model");
    }
    ASSERT_EQ(load_bytes(data, len, &err), 0);
    free(data);
}

TEST(wrong_magic_version_or_trailing_bytes_are_errors) {
    size_t len;
    char *data = test_read_file("tests/fuzz/corpus/fasttext/tiny.ftz", &len);
    ASSERT(data);
    zest_error err;
    data[0] ^= 1;
    ASSERT_EQ(load_bytes(data, len, &err), ZEST_E_FORMAT);
    ASSERT_CONTAINS(err.msg, "wrong magic number");
    data[0] ^= 1;
    data[4] = 13;
    ASSERT_EQ(load_bytes(data, len, &err), ZEST_E_FORMAT);
    ASSERT_CONTAINS(err.msg, "unsupported version");
    data[4] = 12;
    char *longer = malloc(len + 1);
    memcpy(longer, data, len);
    longer[len] = 0;
    ASSERT_EQ(load_bytes(longer, len + 1, &err), ZEST_E_FORMAT);
    ASSERT_CONTAINS(err.msg, "bytes after the output matrix");
    free(longer);
    free(data);
}

TEST(a_missing_model_is_notfound) {
    struct ft_model *m = NULL;
    zest_error err;
    ASSERT_EQ(ft_load("/nonexistent/model.ftz", &m, &err), ZEST_E_NOTFOUND);
    ASSERT_CONTAINS(err.msg, "/nonexistent/model.ftz");
    ASSERT(m == NULL);
}

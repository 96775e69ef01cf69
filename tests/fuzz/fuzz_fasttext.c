/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_fasttext.c - libFuzzer target for the fastText model reader: any bytes as a model file
 * (ft_load) must load or be refused with an error, never crash; a model that loads must
 * predict on a few lines (empty, ASCII, multi-byte, with labels and separators).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/fasttext/fasttext.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const lines[] = {"", "the cat sat", "le chien \xc3\xa9t\xc3\xa9 __label__x",
                                        "a\tb\vc\rd\fe", "\xe6\x88\x91\xe5\x87\xba\xe7\x94\x9f"};
    if (!path[0]) snprintf(path, sizeof path, "/tmp/zest-fuzz-fasttext-%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    struct ft_model *m = NULL;
    zest_error err;
    if (ft_load(path, &m, &err) != 0) return 0;
    struct ft_scratch s;
    ft_scratch_init(&s);
    struct ft_pred out[3];
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const int n = ft_predict(m, lines[i], strlen(lines[i]), 3, 0, &s, out);
        for (int k = 0; k < n; k++)
            if (out[k].label < 0 || out[k].label >= ft_label_count(m)) abort();
    }
    ft_scratch_free(&s);
    ft_free(m);
    return 0;
}

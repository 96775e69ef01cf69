/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wordlists.c - libFuzzer target for the word-list reader and the word machinery: any
 * bytes as a *stopwords*.json file must load or be refused with an error, never crash; a list
 * that loads answers lookups. The same bytes, when valid UTF-8 (what a batch holds), go through
 * Data-Juicer's word split, refinement, augmentation and merge and the splitlines iterator,
 * whose outputs must stay inside their bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "../../src/ops/pychar.h"
#include "../../src/ops/wordlists.h"
#include "../../src/ops/words.h"

static char dir[64], path[96];

static bool keep_even(void *ctx, const char *w, size_t len) {
    (void)ctx, (void)w;
    return len % 2 == 0;
}

static bool valid_utf8(const uint8_t *data, size_t size) {
    for (size_t i = 0; i < size;) {
        utf8proc_int32_t c;
        const utf8proc_ssize_t n = utf8proc_iterate(data + i, (utf8proc_ssize_t)(size - i), &c);
        if (n <= 0) return false;
        i += (size_t)n;
    }
    return true;
}

static void words(const char *text, size_t size) {
    struct word_list wl;
    word_list_init(&wl);
    const int64_t sizes[] = {1, 2, 3};
    if (word_list_build(&wl, text, size, true) == 0 && word_list_augment(&wl, sizes, 3, "", 0) == 0)
        for (size_t i = 0; i < wl.n; i++) {
            size_t len;
            const char *w = word_list_at(&wl, i, &len);
            if (!len || w < wl.chars.data || w + len > wl.chars.data + wl.chars.len) abort();
        }
    word_list_free(&wl);
    struct buf out;
    buf_init(&out, 0);
    if (words_filter_merge(text, size, keep_even, NULL, &out) == 0 && out.len > size) abort();
    buf_free(&out);
    size_t pos = 0, len, total = 0;
    const char *line;
    while (pychar_next_line(text, size, &pos, &line, &len)) {
        if (line < text || line + len > text + size) abort();
        total += len;
    }
    if (total > size) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/zest-fuzz-wordlists-%d", (int)getpid());
        mkdir(dir, 0700);
        snprintf(path, sizeof path, "%s/stopwords.json", dir);
    }
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    static const char *const langs[] = {"en", "all", ""};
    for (size_t i = 0; i < 3; i++) {
        struct wordset *ws = NULL;
        zest_error err;
        if (wordset_load(dir, "stopwords", langs[i], "fuzz", &ws, &err) != 0) continue;
        (void)wordset_has(ws, "the", 3);
        (void)wordset_has(ws, "", 0);
        wordset_free(ws);
    }
    if (valid_utf8(data, size)) words((const char *)data, size);
    return 0;
}

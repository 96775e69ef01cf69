/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_yaml.c - libFuzzer target for the config loader (src/config: libyaml events to a node
 * tree, key table binding, overrides, process list). The input is written to a file and
 * loaded with zest_config_load; errors are fine, crashes, leaks and sanitizer reports are not.
 * An input whose first line starts with "--set " passes the rest of that line as an override.
 * Besides memory safety it checks that a config that loads dumps to YAML that loads again and
 * dumps to the same text.
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -D_GNU_SOURCE
 *        tests/fuzz/fuzz_yaml.c src/config/(star).c src/common/(star).c src/ops/(star).c
 *        src/data/(star).c src/io/(star).c -lyaml -lz -lzstd -lutf8proc -lm
 *        (or tests/fuzz/build.sh, which links the whole library)
 * Seeds: tests/fuzz/corpus/yaml/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zest.h"

static char fuzz_path[] = "/tmp/zest-fuzz-yaml-XXXXXX";

static int fuzz_write(const char *path, const void *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    const size_t n = size ? fwrite(data, 1, size, f) : 0;
    return fclose(f) == 0 && n == size ? 0 : -1;
}

static void fuzz_init(void) {
    static int done;
    if (done) return;
    const int fd = mkstemp(fuzz_path);
    if (fd < 0) abort();
    close(fd);
    done = 1;
}

/* A loaded config must dump to YAML that loads again and dumps identically. */
static void fuzz_round_trip(const zest_config *cfg) {
    char *text = NULL, *again_text = NULL;
    zest_config *again = NULL;
    zest_error err;
    if (zest_config_dump(cfg, &text, &err) != ZEST_OK) abort();
    if (fuzz_write(fuzz_path, text, strlen(text)) != 0) abort();
    if (zest_config_load(fuzz_path, NULL, 0, &again, &err) != ZEST_OK) {
        fprintf(stderr, "dump does not load again: %s\n---\n%s---\n", err.msg, text);
        abort();
    }
    if (zest_config_dump(again, &again_text, &err) != ZEST_OK) abort();
    if (strcmp(text, again_text) != 0) {
        fprintf(stderr, "dump differs after reload:\n%s---\n%s---\n", text, again_text);
        abort();
    }
    free(text);
    free(again_text);
    zest_config_destroy(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *override = NULL;
    const char *sets[1];
    size_t n_sets = 0, skip = 0;
    fuzz_init();
    if (size > 6 && memcmp(data, "--set ", 6) == 0) {
        const uint8_t *nl = memchr(data, '\n', size);
        const size_t len = (nl ? (size_t)(nl - data) : size) - 6;
        override = malloc(len + 1);
        if (!override) return 0;
        memcpy(override, data + 6, len);
        override[len] = '\0';
        sets[n_sets++] = override;
        skip = nl ? (size_t)(nl - data) + 1 : size;
    }
    if (fuzz_write(fuzz_path, data + skip, size - skip) != 0) abort();
    zest_config *cfg = NULL;
    zest_error err;
    zest_error_clear(&err);
    const int rc = zest_config_load(fuzz_path, sets, n_sets, &cfg, &err);
    if (rc == ZEST_OK) {
        for (size_t i = 0; i < zest_config_warning_count(cfg); i++)
            if (!zest_config_warning(cfg, i)) abort();
        fuzz_round_trip(cfg);
    } else if (cfg || err.msg[0] == '\0') {
        abort(); /* a failure must leave no config and say why */
    }
    zest_config_destroy(cfg);
    free(override);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_dedup.c - libFuzzer target for what the deduplicators read: signature and decision
 * files read back from a job directory (which a crash, a full disk or a person may have
 * damaged), and record texts (any bytes) through each deduplicator's signature phase with
 * every tokenization and an ignore_pattern. Nothing may crash; a decision that loads must
 * have every partition's bits inside the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/exec/dedupfile.h"
#include "../../src/ops/dedup.h"

static char dir[64];

static void write_file(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
}

static uint64_t get64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The file as a decision, with the key and partition count it claims (so parsing goes past
 * the header), and as a signature file. */
static void check_files(const uint8_t *data, size_t size) {
    char path[128];
    snprintf(path, sizeof path, "%s/file.bin", dir);
    write_file(path, data, size);
    const uint64_t key = size >= 16 ? get64(data + 8) : 0;
    const size_t parts = size >= 24 ? (size_t)(get64(data + 16) % 4096) : 1;
    struct dedup_decision d;
    zest_error err;
    if (dedupfile_load_decision(path, key, parts, &d, &err) == 1) {
        for (size_t p = 0; p < parts; p++) {
            const uint8_t *end = (const uint8_t *)d.file.data + d.file.len;
            if (d.bits[p] + (d.rows[p] + 7) / 8 > end) abort();
            unsigned sum = 0;
            for (int64_t i = 0; i < d.rows[p]; i++)
                sum += (d.bits[p][i >> 3] >> (i & 7)) & 1;
            (void)sum;
        }
    }
    dedupfile_decision_free(&d);
    if (size >= 48)
        dedupfile_sigs_valid(path, get64(data + size - 40), (int64_t)get64(data + size - 32), 8);
}

static void set(struct node *map, const char *key, const char *value, bool quoted) {
    struct node *v = node_new(NODE_SCALAR, value, 1, 1);
    if (!v) abort();
    v->quoted = quoted;
    if (node_map_set(map, key, v) != 0) abort();
}

/* One op instance with the settings the first byte picks; the text through its signature. */
static void check_signature(const char *name, const uint8_t *data, size_t size) {
    static const char *const toks[] = {"space", "punctuation", "character"};
    static const char *const windows[] = {"1", "2", "3", "5"};
    const struct op_desc *op = op_registry_find(name);
    struct node *cfg = node_new(NODE_MAP, NULL, 1, 1);
    if (!op || !cfg) abort();
    if (strcmp(name, "document_deduplicator") == 0) {
        set(cfg, "lowercase", data[0] & 1 ? "true" : "false", false);
        set(cfg, "ignore_non_character", data[0] & 2 ? "true" : "false", false);
    } else {
        set(cfg, "tokenization", toks[data[0] % 3], true);
        set(cfg, "window_size", windows[data[0] / 3 % 4], false);
        if (data[0] & 0x80) set(cfg, "ignore_pattern", "\\p{P}|\\d", true);
    }
    zest_error err;
    struct op_params params;
    if (op_params_bind(op, cfg, "fuzz", &params, &err) != 0) abort();
    void *state = calloc(1, op->state_size);
    if (!state) abort();
    if (op->init(state, &params, &err) == 0) {
        unsigned char *sig = malloc(op->dedup->sig_size(state));
        if (!sig) abort();
        op->dedup->signature(state, (const char *)data + 1, size - 1, sig);
        free(sig);
    }
    if (op->destroy) op->destroy(state);
    free(state);
    op_params_free(&params);
    node_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/zest-fuzz-dedup-%d", (int)getpid());
        mkdir(dir, 0777);
    }
    check_files(data, size);
    if (size == 0) return 0;
    check_signature("document_deduplicator", data, size);
    check_signature("document_minhash_deduplicator", data, size);
    check_signature("document_simhash_deduplicator", data, size);
    return 0;
}

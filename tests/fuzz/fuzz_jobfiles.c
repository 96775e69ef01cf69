/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_jobfiles.c - libFuzzer target for the job files zest reads back from disk, which a
 * crash, a full disk or a person may have damaged: a checkpoint manifest (manifest_parse),
 * the partition plan (partplan_read), and the event log (zest_get_events over events.jsonl).
 * None may crash; a manifest that parses must format and parse again to the same records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/ckpt/ckpt.h"
#include "../../src/exec/partplan.h"

static char dir[64];

static void write_file(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
}

static void check_manifest(const uint8_t *data, size_t size) {
    struct ckpt_manifest m = {0}, again = {0};
    zest_error err;
    if (manifest_parse("fuzz", 0, (const char *)data, size, &m, &err) == 0) {
        struct buf b;
        buf_init(&b, 0);
        if (manifest_format(&m, &b) != 0) abort();
        if (manifest_parse("again", 0, b.data, b.len, &again, &err) != 0) abort();
        if (again.n != m.n) abort();
        buf_free(&b);
    }
    manifest_free(&m);
    manifest_free(&again);
}

static int count_event(const zest_event *ev, void *user) {
    (void)ev;
    ++*(size_t *)user;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[128];
    zest_error err;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/zest-fuzz-jobfiles-%d", (int)getpid());
        mkdir(dir, 0700);
        snprintf(path, sizeof path, "%s/events", dir);
        mkdir(path, 0700);
    }
    check_manifest(data, size);
    snprintf(path, sizeof path, "%s/partitions.json", dir);
    write_file(path, data, size);
    struct partplan plan;
    if (partplan_read(path, &plan, &err) == 0) partplan_free(&plan);
    snprintf(path, sizeof path, "%s/events/events.jsonl", dir);
    write_file(path, data, size);
    zest_event_filter filter = {.partition_id = -1};
    size_t n = 0, skipped = 0;
    zest_get_events(dir, &filter, count_event, &n, &skipped, &err);
    return 0;
}

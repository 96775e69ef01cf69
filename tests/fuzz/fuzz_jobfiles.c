/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_jobfiles.c - libFuzzer target for the job files zest reads back from disk, which a
 * crash, a full disk or a person may have damaged: a checkpoint manifest (manifest_parse),
 * the partition plan (partplan_read), and the event log (zest_get_events over events.jsonl,
 * and the status report and performance summary built from it, rendered as JSON and HTML).
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

/* The reports of the log just written: whatever it holds, they build and render. */
static void check_reports(void) {
    zest_error err;
    zest_perf_summary *s = NULL;
    zest_status_report *r = NULL;
    char *text = NULL;
    if (zest_get_performance_summary(dir, NULL, &s, &err) == 0) {
        if (zest_perf_summary_json(s, &text, &err) == 0) free(text);
        if (zest_perf_summary_html(s, &text, &err) == 0) free(text);
        zest_perf_summary_destroy(s);
    }
    if (zest_generate_status_report(dir, &r, &err) == 0) {
        if (zest_status_report_json(r, &text, &err) == 0) free(text);
        zest_status_report_destroy(r);
    }
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
    check_reports();
    return 0;
}

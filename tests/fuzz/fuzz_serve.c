/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_serve.c - libFuzzer target for what a client sends the monitoring server past the
 * HTTP parser: the path and the query arguments. The input is "PATH\nKEY=VALUE&KEY=VALUE...";
 * each argument goes through srv_query_set and the request through srv_route over a small
 * real job (its event log written at start-up). Nothing may crash; a reply always has a
 * status and a body; only an embedded file is served from a path that is not an API route.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/server/server.h"

static char root[64];

static void setup(void) {
    snprintf(root, sizeof root, "/tmp/zest-fuzz-serve-%d", (int)getpid());
    char path[256];
    mkdir(root, 0777);
    snprintf(path, sizeof path, "%s/job", root);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/job/events", root);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/job/events/events.jsonl", root);
    FILE *f = fopen(path, "w");
    if (!f) abort();
    fputs("{\"event_id\":1,\"job_id\":\"job\",\"event_type\":\"processing_start\",\"level\":"
          "\"INFO\",\"timestamp\":1796317200.0,\"message\":\"start\",\"metadata\":{\"np\":1,"
          "\"ops\":[\"text_length_filter\"]}}\n"
          "{\"event_id\":2,\"job_id\":\"job\",\"event_type\":\"partition_start\",\"level\":"
          "\"INFO\",\"timestamp\":1796317200.5,\"message\":\"p\",\"partition_id\":0,"
          "\"attempt\":1,\"worker\":0}\n",
          f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!root[0]) setup();
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *nl = strchr(text, '\n');
    char *query = nl ? nl + 1 : text + size;
    if (nl) *nl = '\0';
    struct srv_query *q = calloc(1, sizeof *q);
    if (!q) abort();
    for (char *save = NULL, *kv = strtok_r(query, "&", &save); kv;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq) *eq = '\0';
        srv_query_set(q, kv, eq ? eq + 1 : "");
    }
    struct srv_reply r;
    srv_route(root, text, q, &r);
    if (r.status < 200 || r.status > 599) abort();
    if (!r.sse && !r.body) abort();
    if (r.is_static && !srv_www_find(text)) abort();
    if (r.sse && strcmp(text, "/api/events/stream") != 0) abort();
    srv_reply_free(&r);
    free(q);
    free(text);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_remote_headers.c - libFuzzer target for the response header parser of remote inputs
 * (src/io/remote_http.c): the input is split at '\n' into header lines as a server would
 * send them, each parsed with its exact length (no NUL terminator). Checks, besides memory
 * safety: the fields stay terminated and within their buffers; a Content-Range that parsed
 * has 0 <= start <= end (< total when known); Content-Range parsing of the whole input
 * agrees with itself; the local file name of the input as a URL is a safe name.
 * Build: tests/fuzz/build.sh (make fuzz).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/io/remote.h"

static void check(int ok) {
    if (!ok) abort();
}

static void check_headers(const struct remote_headers *h) {
    check(memchr(h->etag, '\0', sizeof h->etag) != NULL);
    check(memchr(h->last_modified, '\0', sizeof h->last_modified) != NULL);
    check(memchr(h->reason, '\0', sizeof h->reason) != NULL);
    check(h->status == 0 || (h->status >= 100 && h->status <= 999));
    check(h->content_length >= -1);
    if (h->range_start >= 0) {
        check(h->range_end >= h->range_start);
        check(h->range_total < 0 || h->range_end < h->range_total);
    }
}

static void check_name(const uint8_t *data, size_t size) {
    char url[512], name[128];
    const size_t n = size < sizeof url - 1 ? size : sizeof url - 1;
    memcpy(url, data, n);
    url[n] = '\0';
    remote_local_name(url, name, sizeof name);
    const size_t len = strlen(name);
    check(len > 0 && len <= 120);
    check(strcmp(name, ".") != 0 && strcmp(name, "..") != 0);
    for (size_t i = 0; i < len; i++)
        check(name[i] != '/' && name[i] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *p = (const char *)data, *end = p + size;
    struct remote_headers h;
    remote_headers_reset(&h);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const size_t len = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
        remote_headers_parse_line(&h, p, len);
        check_headers(&h);
        p += len;
    }
    int64_t s1, e1, t1, s2, e2, t2;
    const int r1 = remote_content_range_parse((const char *)data, size, &s1, &e1, &t1);
    const int r2 = remote_content_range_parse((const char *)data, size, &s2, &e2, &t2);
    check(r1 == r2 && (r1 != 0 || (s1 == s2 && e1 == e2 && t1 == t2)));
    if (r1 == 0 && s1 >= 0) check(e1 >= s1 && (t1 < 0 || e1 < t1));
    check_name(data, size);
    return 0;
}

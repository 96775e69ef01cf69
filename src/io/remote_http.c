/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote_http.c - the pure parts of remote inputs (see remote.h): the local file name of a
 * URL, the backoff schedule, response header parsing and the classification of failures.
 * No I/O; header bytes are untrusted (tests/fuzz/fuzz_remote_headers.c). Calls libc and
 * libcurl's error codes only.
 */
#include "remote.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool remote_is_url(const char *path) {
    return path && (strncasecmp(path, "http://", 7) == 0 || strncasecmp(path, "https://", 8) == 0);
}

static bool remote_name_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

void remote_local_name(const char *url, char *out, size_t cap) {
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const size_t end = strcspn(p, "?#");
    const char *path = memchr(p, '/', end); /* after the authority */
    size_t start = end, n = 0;
    if (path)
        for (start = end; start > (size_t)(path - p) + 1 && p[start - 1] != '/'; start--) {
        }
    const size_t limit = cap - 1 < 120 ? cap - 1 : 120;
    for (size_t i = start; i < end && n < limit; i++)
        out[n++] = remote_name_char((unsigned char)p[i]) ? p[i] : '_';
    out[n] = '\0';
    if (n == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0) snprintf(out, cap, "input");
}

double remote_backoff_s(int failures, double initial_s, double max_s, double u,
                        double retry_after_s) {
    double d = initial_s;
    for (int i = 1; i < failures && d < max_s; i++)
        d *= 2;
    if (d > max_s) d = max_s;
    if (u < 0) u = 0;
    if (u > 1) u = 1;
    d *= 0.5 + 0.5 * u;
    if (retry_after_s > d) d = retry_after_s < max_s ? retry_after_s : max_s;
    return d;
}

void remote_headers_reset(struct remote_headers *h) {
    memset(h, 0, sizeof *h);
    h->content_length = h->range_start = h->range_end = h->range_total = -1;
    h->retry_after_s = -1;
}

/* A decimal integer filling [p, p+n) exactly; -1 when empty, not digits or past 2^62. */
static int64_t remote_parse_u63(const char *p, size_t n) {
    if (n == 0 || n > 18) return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

int remote_content_range_parse(const char *v, size_t len, int64_t *start, int64_t *end,
                               int64_t *total) {
    if (len < 6 || strncasecmp(v, "bytes ", 6) != 0) return -1;
    const char *p = v + 6, *e = v + len;
    while (p < e && *p == ' ')
        p++;
    const char *slash = memchr(p, '/', (size_t)(e - p));
    if (!slash) return -1;
    *total = slash + 2 == e && slash[1] == '*'
                 ? -1
                 : remote_parse_u63(slash + 1, (size_t)(e - slash - 1));
    if (*total < 0 && !(slash + 2 == e && slash[1] == '*')) return -1;
    if (slash - p == 1 && *p == '*') {
        *start = *end = -1;
        return *total < 0 ? -1 : 0; /* "bytes * / *" says nothing */
    }
    const char *dash = memchr(p, '-', (size_t)(slash - p));
    if (!dash) return -1;
    *start = remote_parse_u63(p, (size_t)(dash - p));
    *end = remote_parse_u63(dash + 1, (size_t)(slash - dash - 1));
    if (*start < 0 || *end < *start || (*total >= 0 && *end >= *total)) return -1;
    return 0;
}

/* "HTTP/1.1 206 Partial Content", "HTTP/2 200": 0 and the status, or -1. */
static int remote_parse_status(struct remote_headers *h, const char *p, size_t n) {
    if (n < 5 || strncmp(p, "HTTP/", 5) != 0) return -1;
    const char *sp = memchr(p, ' ', n);
    if (!sp || (size_t)(sp - p) + 4 > n) return -1;
    const size_t rest = n - (size_t)(sp + 1 - p);
    const int64_t code = remote_parse_u63(sp + 1, 3);
    if (code < 100 || code > 999 || (rest > 3 && sp[4] != ' ')) return -1;
    remote_headers_reset(h);
    h->status = (int)code;
    if (rest > 4 && rest - 4 < sizeof h->reason) {
        memcpy(h->reason, sp + 5, rest - 4);
        h->reason[rest - 4] = '\0';
    }
    return 0;
}

static void remote_copy_value(char *out, size_t cap, const char *v, size_t n) {
    if (n >= cap) return; /* a validator cut short would never match: keep none */
    memcpy(out, v, n);
    out[n] = '\0';
}

static void remote_header_value(struct remote_headers *h, const char *name, size_t nlen,
                                const char *v, size_t vlen) {
#define IS(s) (nlen == sizeof(s) - 1 && strncasecmp(name, s, nlen) == 0)
    if (IS("content-length")) {
        h->content_length = remote_parse_u63(v, vlen);
    } else if (IS("content-range")) {
        int64_t s, e, t;
        if (remote_content_range_parse(v, vlen, &s, &e, &t) == 0) {
            h->range_start = s;
            h->range_end = e;
            h->range_total = t;
            h->range_unsatisfied = s < 0;
        }
    } else if (IS("etag")) {
        remote_copy_value(h->etag, sizeof h->etag, v, vlen);
    } else if (IS("last-modified")) {
        remote_copy_value(h->last_modified, sizeof h->last_modified, v, vlen);
    } else if (IS("retry-after")) {
        const int64_t s = remote_parse_u63(v, vlen);
        h->retry_after_s = s < 0 ? -1 : (double)s;
    }
#undef IS
}

void remote_headers_parse_line(struct remote_headers *h, const char *line, size_t len) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (remote_parse_status(h, line, len) == 0) return;
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line) return;
    const size_t nlen = (size_t)(colon - line);
    for (size_t i = 0; i < nlen; i++)
        if (line[i] == ' ' || line[i] == '\t') return; /* not a field name */
    const char *v = colon + 1, *e = line + len;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    remote_header_value(h, line, nlen, v, (size_t)(e - v));
}

enum remote_failure remote_classify(int curl_code, int http_status) {
    if (http_status == 408 || http_status == 429 || (http_status >= 500 && http_status <= 599))
        return REMOTE_TRANSIENT;
    if (http_status >= 400) return REMOTE_PERMANENT;
    switch (curl_code) {
    case CURLE_OK:
        return http_status >= 300   ? REMOTE_PERMANENT /* a redirect not followed */
               : http_status >= 200 ? REMOTE_OK
                                    : REMOTE_TRANSIENT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING: return REMOTE_TRANSIENT;
    default: return REMOTE_PERMANENT;
    }
}

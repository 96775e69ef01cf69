/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_remote.c - remote inputs: the pure parts (local file names, the backoff schedule,
 * status and header parsing, Content-Range, the classification of failures, the remote
 * fingerprint), and remote_fetch's use of what a download directory holds: a committed
 * download is reused without a request, a complete .part is committed without one, a partial
 * one is never taken as complete, and an unreachable server fails after the retries with
 * retry events. (Transfers against a real server: tests/integration/test_remote.sh.)
 */
#include <curl/curl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/exec/remoterun.h"
#include "../../src/io/remote.h"
#include "runner.h"

TEST(is_url) {
    ASSERT(remote_is_url("http://example.org/a.jsonl"));
    ASSERT(remote_is_url("HTTPS://example.org/a.jsonl"));
    ASSERT(!remote_is_url("ftp://example.org/a.jsonl"));
    ASSERT(!remote_is_url("data/http://x"));
    ASSERT(!remote_is_url("/tmp/a.jsonl"));
    ASSERT(!remote_is_url(NULL));
}

static void name_is(const char *url, const char *want) {
    char out[128];
    remote_local_name(url, out, sizeof out);
    ASSERT_STR_EQ(out, want);
}

TEST(local_name) {
    name_is("http://h/data/train.jsonl.gz", "train.jsonl.gz");
    name_is("https://h:8080/a/b.jsonl?sig=1&x=/y#frag", "b.jsonl");
    name_is("http://h/dir/", "input");
    name_is("http://h", "input");
    name_is("http://h/", "input");
    name_is("http://h/..", "input");
    name_is("http://h/a/.", "input");
    name_is("http://h/we%20ird name$.json", "we_20ird_name_.json");
    char out[128];
    char url[400] = "http://h/";
    memset(url + 9, 'x', 300);
    url[309] = '\0';
    remote_local_name(url, out, sizeof out);
    ASSERT_EQ(strlen(out), 120);
    remote_local_name("http://h/abcdefghijkl", out, 8); /* a small buffer still terminates */
    ASSERT_STR_EQ(out, "abcdefg");
}

TEST(backoff_schedule) {
    /* u = 1: no jitter reduction; doubles from the initial delay up to the cap */
    ASSERT_DBL_EQ(remote_backoff_s(1, 0.5, 30, 1.0, -1), 0.5);
    ASSERT_DBL_EQ(remote_backoff_s(2, 0.5, 30, 1.0, -1), 1.0);
    ASSERT_DBL_EQ(remote_backoff_s(3, 0.5, 30, 1.0, -1), 2.0);
    ASSERT_DBL_EQ(remote_backoff_s(7, 0.5, 30, 1.0, -1), 30.0);
    ASSERT_DBL_EQ(remote_backoff_s(1000, 0.5, 30, 1.0, -1), 30.0); /* no overflow */
    /* u = 0: half of it; the jitter stays within [d/2, d] */
    ASSERT_DBL_EQ(remote_backoff_s(3, 0.5, 30, 0.0, -1), 1.0);
    for (int i = 0; i <= 100; i++) {
        const double u = i / 100.0, d = remote_backoff_s(4, 1, 30, u, -1);
        ASSERT(d >= 4.0 && d <= 8.0);
        if (i) ASSERT(d >= remote_backoff_s(4, 1, 30, (i - 1) / 100.0, -1));
    }
    /* out-of-range u is clamped */
    ASSERT_DBL_EQ(remote_backoff_s(1, 2, 30, -5, -1), 1.0);
    ASSERT_DBL_EQ(remote_backoff_s(1, 2, 30, 5, -1), 2.0);
    /* Retry-After raises the delay, capped at the maximum */
    ASSERT_DBL_EQ(remote_backoff_s(1, 0.5, 30, 1.0, 7), 7.0);
    ASSERT_DBL_EQ(remote_backoff_s(1, 0.5, 30, 1.0, 120), 30.0);
    ASSERT_DBL_EQ(remote_backoff_s(3, 0.5, 30, 1.0, 1), 2.0); /* smaller: no effect */
    ASSERT_DBL_EQ(remote_backoff_s(1, 0, 0, 0.3, -1), 0.0);
}

static void parse_all(struct remote_headers *h, const char *const *lines) {
    remote_headers_reset(h);
    for (; *lines; lines++)
        remote_headers_parse_line(h, *lines, strlen(*lines));
}

TEST(headers_partial_response) {
    static const char *const lines[] = {"HTTP/1.1 206 Partial Content\r\n",
                                        "Content-Length: 500\r\n",
                                        "content-range:   bytes 100-599/1000  \r\n",
                                        "ETag: \"abc-1\"\r\n",
                                        "Last-Modified: Thu, 03 Dec 2026 10:00:00 GMT\r\n",
                                        "X-Other: y\r\n",
                                        "\r\n",
                                        NULL};
    struct remote_headers h;
    parse_all(&h, lines);
    ASSERT_EQ(h.status, 206);
    ASSERT_STR_EQ(h.reason, "Partial Content");
    ASSERT_EQ(h.content_length, 500);
    ASSERT_EQ(h.range_start, 100);
    ASSERT_EQ(h.range_end, 599);
    ASSERT_EQ(h.range_total, 1000);
    ASSERT(!h.range_unsatisfied);
    ASSERT_STR_EQ(h.etag, "\"abc-1\"");
    ASSERT_STR_EQ(h.last_modified, "Thu, 03 Dec 2026 10:00:00 GMT");
    ASSERT_DBL_EQ(h.retry_after_s, -1);
}

TEST(headers_new_status_line_resets) {
    /* a redirect's headers, then the final response's: only the last count */
    static const char *const lines[] = {"HTTP/1.1 301 Moved Permanently",
                                        "Content-Length: 12",
                                        "ETag: \"old\"",
                                        "Location: /b",
                                        "",
                                        "HTTP/2 200",
                                        "content-length: 7",
                                        NULL};
    struct remote_headers h;
    parse_all(&h, lines);
    ASSERT_EQ(h.status, 200);
    ASSERT_STR_EQ(h.reason, "");
    ASSERT_EQ(h.content_length, 7);
    ASSERT_STR_EQ(h.etag, "");
    ASSERT_EQ(h.range_start, -1);
}

TEST(headers_errors_and_retry_after) {
    static const char *const lines[] = {"HTTP/1.1 503 Service Unavailable", "Retry-After: 12",
                                        NULL};
    struct remote_headers h;
    parse_all(&h, lines);
    ASSERT_EQ(h.status, 503);
    ASSERT_STR_EQ(h.reason, "Service Unavailable");
    ASSERT_DBL_EQ(h.retry_after_s, 12);
    static const char *const date[] = {"HTTP/1.1 429 Too Many Requests",
                                       "Retry-After: Fri, 31 Dec 1999 23:59:59 GMT", NULL};
    parse_all(&h, date);
    ASSERT_DBL_EQ(h.retry_after_s, -1); /* a date: the schedule decides */
    static const char *const unsat[] = {"HTTP/1.1 416 Range Not Satisfiable",
                                        "Content-Range: bytes */1000", NULL};
    parse_all(&h, unsat);
    ASSERT(h.range_unsatisfied);
    ASSERT_EQ(h.range_total, 1000);
}

TEST(headers_malformed_are_ignored) {
    static const char *const lines[] = {"HTTP/1.1 200 OK",
                                        "Content-Length: 12x",
                                        "Content-Length : 5",
                                        "no colon here",
                                        ": empty name",
                                        "Content-Range: bytes 9-3/10",
                                        "Content-Range: items 0-1/2",
                                        "HTTP/1.1 2000 Bad",
                                        "HTTP/1.1 20",
                                        "Retry-After: -3",
                                        NULL};
    struct remote_headers h;
    parse_all(&h, lines);
    ASSERT_EQ(h.status, 200);
    ASSERT_EQ(h.content_length, -1);
    ASSERT_EQ(h.range_start, -1);
    ASSERT_DBL_EQ(h.retry_after_s, -1);
    /* a validator longer than the field is dropped, never cut */
    char big[REMOTE_VALIDATOR_MAX + 20] = "ETag: \"";
    memset(big + 7, 'e', REMOTE_VALIDATOR_MAX);
    big[7 + REMOTE_VALIDATOR_MAX] = '\0';
    remote_headers_parse_line(&h, big, strlen(big));
    ASSERT_STR_EQ(h.etag, "");
    /* not NUL-terminated input: only len bytes are read */
    const char cl[] = "Content-Length: 4217";
    remote_headers_parse_line(&h, cl, sizeof cl - 3);
    ASSERT_EQ(h.content_length, 42);
}

static int cr(const char *v, int64_t *s, int64_t *e, int64_t *t) {
    return remote_content_range_parse(v, strlen(v), s, e, t);
}

TEST(content_range) {
    int64_t s, e, t;
    ASSERT_EQ(cr("bytes 0-0/1", &s, &e, &t), 0);
    ASSERT(s == 0 && e == 0 && t == 1);
    ASSERT_EQ(cr("bytes 5-9/*", &s, &e, &t), 0);
    ASSERT(s == 5 && e == 9 && t == -1);
    ASSERT_EQ(cr("bytes */77", &s, &e, &t), 0);
    ASSERT(s == -1 && e == -1 && t == 77);
    ASSERT_EQ(cr("BYTES 1-2/3", &s, &e, &t), 0);
    ASSERT_EQ(cr("bytes 1-3/3", &s, &e, &t), -1); /* end past the total */
    ASSERT_EQ(cr("bytes 4-3/9", &s, &e, &t), -1);
    ASSERT_EQ(cr("bytes */*", &s, &e, &t), -1);
    ASSERT_EQ(cr("bytes 1-2", &s, &e, &t), -1);
    ASSERT_EQ(cr("bytes -2/5", &s, &e, &t), -1);
    ASSERT_EQ(cr("bytes 1-2/5x", &s, &e, &t), -1);
    ASSERT_EQ(cr("bytes 99999999999999999999-1/2", &s, &e, &t), -1);
    ASSERT_EQ(cr("bytes", &s, &e, &t), -1);
}

TEST(classify) {
    ASSERT_EQ(remote_classify(CURLE_OK, 200), REMOTE_OK);
    ASSERT_EQ(remote_classify(CURLE_OK, 206), REMOTE_OK);
    ASSERT_EQ(remote_classify(CURLE_HTTP_RETURNED_ERROR, 500), REMOTE_TRANSIENT);
    ASSERT_EQ(remote_classify(CURLE_HTTP_RETURNED_ERROR, 503), REMOTE_TRANSIENT);
    ASSERT_EQ(remote_classify(CURLE_HTTP_RETURNED_ERROR, 408), REMOTE_TRANSIENT);
    ASSERT_EQ(remote_classify(CURLE_HTTP_RETURNED_ERROR, 429), REMOTE_TRANSIENT);
    ASSERT_EQ(remote_classify(CURLE_HTTP_RETURNED_ERROR, 404), REMOTE_PERMANENT);
    ASSERT_EQ(remote_classify(CURLE_HTTP_RETURNED_ERROR, 403), REMOTE_PERMANENT);
    ASSERT_EQ(remote_classify(CURLE_HTTP_RETURNED_ERROR, 416), REMOTE_PERMANENT);
    ASSERT_EQ(remote_classify(CURLE_OK, 302), REMOTE_PERMANENT);
    ASSERT_EQ(remote_classify(CURLE_COULDNT_CONNECT, 0), REMOTE_TRANSIENT);
    ASSERT_EQ(remote_classify(CURLE_OPERATION_TIMEDOUT, 0), REMOTE_TRANSIENT);
    ASSERT_EQ(remote_classify(CURLE_PARTIAL_FILE, 200), REMOTE_TRANSIENT);
    ASSERT_EQ(remote_classify(CURLE_RECV_ERROR, 206), REMOTE_TRANSIENT);
    ASSERT_EQ(remote_classify(CURLE_GOT_NOTHING, 0), REMOTE_TRANSIENT);
    ASSERT_EQ(remote_classify(CURLE_URL_MALFORMAT, 0), REMOTE_PERMANENT);
    ASSERT_EQ(remote_classify(CURLE_PEER_FAILED_VERIFICATION, 0), REMOTE_PERMANENT);
    ASSERT_EQ(remote_classify(CURLE_TOO_MANY_REDIRECTS, 301), REMOTE_PERMANENT);
}

TEST(fingerprint_from_url_and_validators) {
    struct fingerprint a, b;
    remoterun_fingerprint("http://h/a", "\"e1\"", "Thu", 100, &a);
    remoterun_fingerprint("http://h/a", "\"e1\"", "Thu", 100, &b);
    ASSERT(a.hash == b.hash);
    ASSERT_EQ(a.files, 1);
    ASSERT_EQ(a.bytes, 100);
    ASSERT_EQ(strlen(a.hex), 16);
    remoterun_fingerprint("http://h/b", "\"e1\"", "Thu", 100, &b);
    ASSERT(a.hash != b.hash);
    remoterun_fingerprint("http://h/a", "\"e2\"", "Thu", 100, &b);
    ASSERT(a.hash != b.hash);
    remoterun_fingerprint("http://h/a", "\"e1\"", "Fri", 100, &b);
    ASSERT(a.hash != b.hash);
    remoterun_fingerprint("http://h/a", "\"e1\"", "Thu", 101, &b);
    ASSERT(a.hash != b.hash);
    remoterun_fingerprint("http://h/a", "\"e1\"T", "hu", 100, &b); /* fields are delimited */
    ASSERT(a.hash != b.hash);
}

/* ---- remote_fetch and the download directory --------------------------------------------- */

/* A URL nothing listens on: port 1 of the loopback address refuses at once. */
#define DEAD_URL "http://127.0.0.1:1/data.jsonl"

static const struct remote_settings fast = {.max_retries = 2,
                                            .connect_timeout_s = 2,
                                            .stall_timeout_s = 2,
                                            .backoff_initial_s = 0.001,
                                            .backoff_max_s = 0.002,
                                            .progress_interval_s = 1};

struct seen {
    int n[REMOTE_EV_REUSED + 1];
    int last_attempt;
    char reason[512];
};

static void on_event(void *user, const struct remote_event *ev) {
    struct seen *s = user;
    s->n[ev->kind]++;
    s->last_attempt = ev->attempt;
    if (ev->reason) snprintf(s->reason, sizeof s->reason, "%s", ev->reason);
}

static void write_meta(const char *dir, const char *url, long long length) {
    char text[512];
    snprintf(text, sizeof text,
             "{\"version\":1,\"url\":\"%s\",\"etag\":\"\\\"e\\\"\",\"last_modified\":\"\","
             "\"length\":%lld}\n",
             url, length);
    free(test_write_file(dir, "data.jsonl.meta.json", text, strlen(text)));
}

TEST(fetch_reuses_a_committed_download) {
    const char *dir = test_tmpdir();
    free(test_write_file(dir, "data.jsonl", "{\"text\":\"a\"}\n", 13));
    write_meta(dir, DEAD_URL, 13);
    struct seen s = {0};
    struct remote_result r;
    zest_error err;
    ASSERT_EQ(remote_fetch(DEAD_URL, dir, &fast, on_event, &s, &r, &err), 0);
    ASSERT(r.reused);
    ASSERT_EQ(r.length, 13);
    ASSERT_EQ(r.fetched, 0);
    ASSERT_STR_EQ(r.etag, "\"e\"");
    ASSERT_EQ(s.n[REMOTE_EV_REUSED], 1);
    ASSERT_EQ(s.n[REMOTE_EV_START], 0); /* no request */
}

TEST(fetch_commits_a_complete_part_without_a_request) {
    /* a crash between the last byte and the rename */
    const char *dir = test_tmpdir();
    free(test_write_file(dir, "data.jsonl.part", "{\"text\":\"a\"}\n", 13));
    write_meta(dir, DEAD_URL, 13);
    struct seen s = {0};
    struct remote_result r;
    zest_error err;
    ASSERT_EQ(remote_fetch(DEAD_URL, dir, &fast, on_event, &s, &r, &err), 0);
    ASSERT(!r.reused);
    ASSERT_EQ(r.length, 13);
    ASSERT_EQ(s.n[REMOTE_EV_START], 0);
    ASSERT_EQ(s.n[REMOTE_EV_COMPLETE], 1);
    char path[1200];
    snprintf(path, sizeof path, "%s/data.jsonl.part", dir);
    ASSERT(access(path, F_OK) != 0);
    snprintf(path, sizeof path, "%s/data.jsonl", dir);
    size_t len = 0;
    char *text = test_read_file(path, &len);
    ASSERT_MEM_EQ(text, len, "{\"text\":\"a\"}\n", 13);
    free(text);
}

TEST(fetch_never_takes_a_partial_file_as_complete) {
    const char *dir = test_tmpdir();
    free(test_write_file(dir, "data.jsonl.part", "{\"text\":", 8));
    write_meta(dir, DEAD_URL, 13);
    struct seen s = {0};
    struct remote_result r;
    zest_error err;
    ASSERT(remote_fetch(DEAD_URL, dir, &fast, on_event, &s, &r, &err) != 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/data.jsonl", dir);
    ASSERT(access(path, F_OK) != 0);
    snprintf(path, sizeof path, "%s/data.jsonl.part", dir);
    struct stat st;
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_size, 8); /* kept for the next attempt */
}

TEST(fetch_drops_a_download_of_another_url) {
    const char *dir = test_tmpdir();
    free(test_write_file(dir, "data.jsonl", "{\"text\":\"a\"}\n", 13));
    write_meta(dir, "http://127.0.0.1:1/other/data.jsonl", 13);
    struct seen s = {0};
    struct remote_result r;
    zest_error err;
    ASSERT(remote_fetch(DEAD_URL, dir, &fast, on_event, &s, &r, &err) != 0);
    ASSERT_EQ(s.n[REMOTE_EV_REUSED], 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/data.jsonl", dir);
    ASSERT(access(path, F_OK) != 0);
}

TEST(fetch_unreachable_gives_up_after_the_retries) {
    const char *dir = test_tmpdir();
    struct seen s = {0};
    struct remote_result r;
    zest_error err;
    const int rc = remote_fetch(DEAD_URL, dir, &fast, on_event, &s, &r, &err);
    ASSERT_EQ(rc, ZEST_E_IO);
    ASSERT_EQ(s.n[REMOTE_EV_START], 3); /* the first attempt and two retries */
    ASSERT_EQ(s.n[REMOTE_EV_RETRY], 2);
    ASSERT_EQ(s.n[REMOTE_EV_COMPLETE], 0);
    ASSERT_CONTAINS(err.msg, DEAD_URL);
    ASSERT_CONTAINS(err.msg, "giving up after 3 attempts (2 retries)");
    ASSERT_CONTAINS(s.reason, "connect");
}

TEST(fetch_refuses_what_is_not_a_url) {
    struct remote_result r;
    zest_error err;
    ASSERT_EQ(remote_fetch("ftp://h/x", test_tmpdir(), &fast, NULL, NULL, &r, &err), ZEST_E_PARAM);
    ASSERT_EQ(remote_fetch("http://[::1/x", test_tmpdir(), &fast, NULL, NULL, &r, &err),
              ZEST_E_PARAM);
}

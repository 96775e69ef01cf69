/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote.h - remote inputs: an http:// or https:// dataset_path is downloaded once into a
 * local file (libcurl), with retries and exponential backoff with jitter on transient
 * failures, resumed with HTTP Range requests after an interruption (also by another process:
 * a job resumed after a crash), verified and committed atomically, and reported through a
 * progress callback. The layout of the download directory and the rules are documented in
 * docs/remote.md. The pure parts (header parsing, the backoff schedule, the classification
 * of failures, the local name) are declared here too, for the tests and the fuzzer.
 * Depends on common/ (buf, err, fsutil), io/json.h and libcurl.
 */
#ifndef ZEST_REMOTE_H
#define ZEST_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zest.h"

/* ---- the download ---------------------------------------------------------------------- */

struct remote_settings {
    int max_retries;            /* attempts after the first one that made no progress */
    double connect_timeout_s;   /* to establish the connection */
    double stall_timeout_s;     /* no byte received for this long: a transient failure (>= 1) */
    double backoff_initial_s;   /* the first retry's delay; doubles each retry */
    double backoff_max_s;       /* cap of the delay (before jitter) */
    double progress_interval_s; /* at most one REMOTE_EV_PROGRESS per interval */
};

/* What a download tells its caller, in this order: REUSED alone (the file was complete), or
 * START, then PROGRESS ..., RETRY / RESTART (each followed by a new START), COMPLETE. */
enum remote_event_kind {
    REMOTE_EV_START,    /* a request is sent; offset > 0: a Range request for the rest */
    REMOTE_EV_PROGRESS, /* bytes on disk so far */
    REMOTE_EV_RETRY,    /* a transient failure; the next attempt follows after backoff_s */
    REMOTE_EV_RESTART,  /* the bytes kept could not be continued (the resource changed on the
                           server, or it ignores ranges): the download starts over */
    REMOTE_EV_COMPLETE, /* verified and committed */
    REMOTE_EV_REUSED,   /* a download committed earlier is taken as it is */
};

struct remote_event {
    enum remote_event_kind kind;
    const char *url;
    const char *path;   /* the local file (its final name) */
    int64_t offset;     /* START: the first byte asked for */
    int64_t bytes;      /* bytes of the resource on disk */
    int64_t total;      /* size of the resource, -1 when unknown */
    int64_t fetched;    /* bytes received over the network by this call */
    int attempt;        /* 1-based request number in this call */
    int failures;       /* consecutive failed attempts (RETRY) */
    double backoff_s;   /* RETRY */
    double seconds;     /* since the call began */
    const char *reason; /* RETRY, RESTART: why */
    const char *etag;   /* COMPLETE, REUSED: the validators recorded */
    const char *last_modified;
};

/* Called on the downloading thread; must not call back into the download. */
typedef void (*remote_event_fn)(void *user, const struct remote_event *ev);

#define REMOTE_VALIDATOR_MAX 256

/* A committed download. */
struct remote_result {
    char path[1200];                          /* the local file */
    char etag[REMOTE_VALIDATOR_MAX];          /* "" when the server sent none */
    char last_modified[REMOTE_VALIDATOR_MAX]; /* "" when the server sent none */
    int64_t length;                           /* bytes of the file */
    int64_t fetched;                          /* bytes received by this call */
    bool reused;                              /* complete before the call: nothing fetched */
};

/* True when `path` starts with http:// or https:// (any case). */
bool remote_is_url(const char *path);

/* Downloads `url` into directory `dir` (created when missing) as dir/<remote_local_name>,
 * unless a complete download of the same URL is already there. Bytes of an interrupted
 * download of the same URL (dir/<name>.part, described by dir/<name>.meta.json) are kept
 * and the rest asked for with a Range request guarded by If-Range. The file is renamed to
 * its final name only when it is complete (the Content-Length or Content-Range total
 * reached, or the end of a body without a length), after an fsync: a partial file never
 * carries the final name. Transient failures (connection errors, timeouts, HTTP 5xx, 408,
 * 429) are retried after a backoff; an attempt that received bytes resets the count.
 * Other HTTP errors are permanent. `fn` (may be NULL) hears each step.
 * Returns 0 and fills *out, or ZEST_E_NOTFOUND (HTTP 404 or 410), ZEST_E_IO (a permanent
 * HTTP error, retries exhausted, a local write error), ZEST_E_PARAM (a malformed URL),
 * ZEST_E_NOMEM, each with err naming the URL and the cause. Not re-entrant on one dir. */
int remote_fetch(const char *url, const char *dir, const struct remote_settings *s,
                 remote_event_fn fn, void *user, struct remote_result *out, zest_error *err);

/* ---- pure parts ---------------------------------------------------------------------------- */

/* The file name a URL is stored under: the last segment of its path (query and fragment
 * dropped), bytes other than [A-Za-z0-9._-] replaced by '_', at most 120 bytes; "input"
 * when that leaves nothing usable ("", ".", ".."). Always NUL-terminated (cap >= 8). */
void remote_local_name(const char *url, char *out, size_t cap);

/* The delay before retry number `failures` (1-based): initial * 2^(failures-1), capped at
 * max_s, then scaled by a jitter factor in [0.5, 1] drawn from u in [0, 1). A server's
 * Retry-After (retry_after_s >= 0) raises the delay to it, still capped at max_s. */
double remote_backoff_s(int failures, double initial_s, double max_s, double u,
                        double retry_after_s);

/* The response headers that matter, as parse_line gathers them. */
struct remote_headers {
    int status;             /* of the last status line; 0 before one */
    char reason[64];        /* its reason phrase */
    int64_t content_length; /* -1 when absent */
    int64_t range_start;    /* Content-Range: bytes START-END/TOTAL; -1 when absent */
    int64_t range_end;
    int64_t range_total;    /* -1 when absent or '*' */
    bool range_unsatisfied; /* Content-Range: bytes * / TOTAL (416) */
    double retry_after_s;   /* Retry-After in seconds; -1 when absent or a date */
    char etag[REMOTE_VALIDATOR_MAX];
    char last_modified[REMOTE_VALIDATOR_MAX];
};

void remote_headers_reset(struct remote_headers *h);

/* Takes one header line as the server sent it (with or without its CR LF). A status line
 * ("HTTP/1.1 206 Partial Content", "HTTP/2 200") starts a new response: everything gathered
 * before is reset (interim 1xx responses and redirects come first). Unknown or malformed
 * headers are ignored; values longer than the fields are dropped, never cut. */
void remote_headers_parse_line(struct remote_headers *h, const char *line, size_t len);

/* Parses "bytes START-END/TOTAL" (TOTAL may be '*') or "bytes * / TOTAL" (no spaces around
 * '/'). Returns 0 and fills the outputs (-1 for '*' or the absent bound), or -1 when
 * malformed (END < START, numbers out of range, trailing bytes). */
int remote_content_range_parse(const char *v, size_t len, int64_t *start, int64_t *end,
                               int64_t *total);

/* How a failed attempt is treated. */
enum remote_failure { REMOTE_OK = 0, REMOTE_TRANSIENT, REMOTE_PERMANENT };

/* From libcurl's result code and the HTTP status (0 when none was received): HTTP 5xx, 408,
 * 429 and connection-level failures (refused, reset, timed out, closed mid-body, DNS) are
 * transient; other 4xx, unusable URLs, TLS certificate problems and local write errors are
 * permanent; CURLE_OK with a 2xx status is REMOTE_OK. */
enum remote_failure remote_classify(int curl_code, int http_status);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remote.c - downloads a remote input into a local file (see remote.h): one libcurl easy
 * handle per call, the body written straight to DIR/NAME.part, the validators of those
 * bytes in DIR/NAME.meta.json (written atomically before the first byte of a new body), a
 * Range + If-Range request to continue them, and the atomic rename to DIR/NAME once the file
 * is complete. Owns the handle, the .part descriptor and the retry loop. Calls libcurl,
 * libc/POSIX, io/json.h and common/ (buf, err, fsutil).
 */
#include "remote.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/arena.h"
#include "../common/buf.h"
#include "../common/err.h"
#include "../common/fsutil.h"
#include "json.h"

#define REMOTE_META_VERSION 1

/* One download in progress. */
struct dl {
    const char *url;
    const struct remote_settings *s;
    remote_event_fn fn;
    void *user;
    zest_error *err;
    char final[1200], part[1200], meta[1200];
    CURL *curl;
    int fd;        /* DIR/NAME.part, open for writing */
    int64_t have;  /* bytes in .part */
    int64_t total; /* size of the resource; -1 unknown */
    bool meta_ok;  /* the meta file describes the bytes in .part */
    char etag[REMOTE_VALIDATOR_MAX], last_modified[REMOTE_VALIDATOR_MAX];
    int64_t fetched; /* bytes received by this call */
    double t0, last_progress;
    int attempt;
    uint64_t rng;
    /* the attempt in progress */
    struct remote_headers h;
    bool prepared; /* its body's first byte was handled */
    bool mismatch; /* a 206 that does not continue the bytes kept */
    int write_rc;  /* a local failure in a callback (err filled) */
    char restart_reason[160];
    char curl_msg[CURL_ERROR_SIZE];
};

static double remote_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void remote_sleep(double s) {
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* xorshift64*: the jitter needs spread, not secrecy. */
static double remote_rand01(uint64_t *x) {
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return (double)((*x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static void remote_emit(struct dl *d, enum remote_event_kind kind, struct remote_event *ev) {
    if (!d->fn) return;
    ev->kind = kind;
    ev->url = d->url;
    ev->path = d->final;
    ev->bytes = d->have;
    ev->total = d->total;
    ev->fetched = d->fetched;
    ev->attempt = d->attempt;
    ev->seconds = remote_now() - d->t0;
    ev->etag = d->etag;
    ev->last_modified = d->last_modified;
    d->fn(d->user, ev);
}

static void remote_emit_simple(struct dl *d, enum remote_event_kind kind) {
    struct remote_event ev = {.offset = d->have, .backoff_s = 0};
    remote_emit(d, kind, &ev);
}

/* ---- the meta file -------------------------------------------------------------------- */

static int remote_meta_write(struct dl *d) {
    struct buf b;
    struct json_obj o;
    buf_init(&b, 0);
    json_obj_begin(&o, &b);
    json_obj_int(&o, "version", REMOTE_META_VERSION);
    json_obj_str(&o, "url", d->url);
    json_obj_str(&o, "etag", d->etag);
    json_obj_str(&o, "last_modified", d->last_modified);
    json_obj_int(&o, "length", d->total);
    int rc = json_obj_end(&o) || buf_append(&b, "\n", 1) ? ZEST_E_NOMEM : 0;
    if (rc) err_set(d->err, rc, "out of memory");
    if (rc == 0) rc = fsutil_write_atomic(d->meta, b.data, b.len, d->err);
    buf_free(&b);
    return rc;
}

static const struct json_value *remote_member(const struct json_value *root, const char *key) {
    for (size_t i = 0; root->type == JSON_OBJECT && i < root->u.obj.n; i++) {
        const struct json_member *m = &root->u.obj.members[i];
        if (m->key_len == strlen(key) && memcmp(m->key, key, m->key_len) == 0) return &m->value;
    }
    return NULL;
}

/* Copies string member `key` into out; 0, or -1 when missing, not a string or too long. */
static int remote_member_str(const struct json_value *root, const char *key, char *out,
                             size_t cap) {
    const struct json_value *v = remote_member(root, key);
    if (!v || v->type != JSON_STRING || v->u.str.len >= cap) return -1;
    memcpy(out, v->u.str.ptr, v->u.str.len);
    out[v->u.str.len] = '\0';
    return 0;
}

/* True when the meta file exists, is ours and names this URL; fills the validators. A file
 * that cannot be read as such is simply not a description of the bytes kept. */
static bool remote_meta_read(struct dl *d) {
    struct buf text;
    struct arena a;
    struct json_cursor cur;
    struct json_value root;
    bool ok = false;
    buf_init(&text, 1 << 20);
    arena_init(&a, 0);
    if (fsutil_read_file(d->meta, &text, NULL) != 0) goto out;
    json_cursor_init(&cur, text.data ? text.data : "", text.len);
    if (json_parse_value(&cur, &a, &root) || json_expect_end(&cur)) goto out;
    const struct json_value *ver = remote_member(&root, "version"),
                            *len = remote_member(&root, "length");
    const struct json_value *u = remote_member(&root, "url");
    if (!ver || ver->type != JSON_NUMBER || !ver->u.num.int_ok ||
        ver->u.num.i != REMOTE_META_VERSION || !len || len->type != JSON_NUMBER ||
        !len->u.num.int_ok || len->u.num.i < -1 || !u || u->type != JSON_STRING ||
        u->u.str.len != strlen(d->url) || memcmp(u->u.str.ptr, d->url, u->u.str.len) != 0 ||
        remote_member_str(&root, "etag", d->etag, sizeof d->etag) ||
        remote_member_str(&root, "last_modified", d->last_modified, sizeof d->last_modified))
        goto out;
    d->total = len->u.num.i;
    ok = true;
out:
    if (!ok) d->etag[0] = d->last_modified[0] = '\0';
    arena_destroy(&a);
    buf_free(&text);
    return ok;
}

/* ---- the body ------------------------------------------------------------------------- */

static int remote_truncate(struct dl *d) {
    if (ftruncate(d->fd, 0) != 0)
        return err_set_at(d->err, ZEST_E_IO, d->part, 0, -1, "ftruncate: %s", strerror(errno));
    d->have = 0;
    return 0;
}

/* A whole new body (200): the bytes kept go, the response's validators are recorded first. */
static int remote_prepare_full(struct dl *d) {
    const bool changed =
        strcmp(d->etag, d->h.etag) != 0 || strcmp(d->last_modified, d->h.last_modified) != 0;
    if (d->have > 0) {
        snprintf(d->restart_reason, sizeof d->restart_reason, "%s",
                 changed ? "the resource changed on the server"
                         : "the server sent the whole resource instead of the range asked for");
        struct remote_event ev = {.reason = d->restart_reason, .offset = 0};
        remote_emit(d, REMOTE_EV_RESTART, &ev);
        ZEST_TRY(remote_truncate(d));
    }
    snprintf(d->etag, sizeof d->etag, "%s", d->h.etag);
    snprintf(d->last_modified, sizeof d->last_modified, "%s", d->h.last_modified);
    d->total = d->h.content_length;
    d->meta_ok = true;
    return remote_meta_write(d);
}

/* The first byte of a response body decides where the bytes go. */
static int remote_prepare(struct dl *d) {
    d->prepared = true;
    if (d->h.status != 206) return remote_prepare_full(d);
    if (d->h.range_start != d->have ||
        (d->total >= 0 && d->h.range_total >= 0 && d->h.range_total != d->total)) {
        d->mismatch = true;
        snprintf(d->restart_reason, sizeof d->restart_reason,
                 "the server answered with bytes %lld-%lld/%lld, not the %lld- asked for",
                 (long long)d->h.range_start, (long long)d->h.range_end,
                 (long long)d->h.range_total, (long long)d->have);
        return -1;
    }
    if (d->total < 0 && d->h.range_total >= 0) d->total = d->h.range_total;
    return 0;
}

static int remote_write_at(struct dl *d, const char *p, size_t n) {
    while (n > 0) {
        const ssize_t w = pwrite(d->fd, p, n, (off_t)d->have);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0)
            return err_set_at(d->err, ZEST_E_IO, d->part, 0, d->have, "write: %s", strerror(errno));
        p += w;
        n -= (size_t)w;
        d->have += w;
        d->fetched += w;
    }
    return 0;
}

static size_t remote_on_body(char *p, size_t size, size_t n, void *user) {
    struct dl *d = user;
    const size_t len = size * n;
    if (!d->prepared) {
        const int rc = remote_prepare(d);
        if (rc && !d->mismatch) d->write_rc = rc;
        if (rc) return 0; /* aborts the transfer */
    }
    if ((d->write_rc = remote_write_at(d, p, len)) != 0) return 0;
    const double now = remote_now();
    if (now - d->last_progress >= d->s->progress_interval_s) {
        d->last_progress = now;
        remote_emit_simple(d, REMOTE_EV_PROGRESS);
    }
    return len;
}

static size_t remote_on_header(char *p, size_t size, size_t n, void *user) {
    struct dl *d = user;
    remote_headers_parse_line(&d->h, p, size * n);
    return size * n;
}

/* ---- requests ------------------------------------------------------------------------- */

static void remote_global_init(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int remote_curl_open(struct dl *d) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, remote_global_init);
    if (!(d->curl = curl_easy_init()))
        return err_set(d->err, ZEST_E_NOMEM, "%s: curl_easy_init failed", d->url);
    CURL *c = d->curl;
    const long stall = (long)ceil(d->s->stall_timeout_s < 1 ? 1 : d->s->stall_timeout_s);
    curl_easy_setopt(c, CURLOPT_URL, d->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "zest/" ZEST_VERSION);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(d->s->connect_timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, d->curl_msg);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, remote_on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, d);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, remote_on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, d);
    return 0;
}

/* The validator for If-Range: a strong ETag, else Last-Modified; NULL when there is none
 * (the bytes kept cannot be continued safely). */
static const char *remote_if_range(const struct dl *d) {
    if (d->etag[0] && strncmp(d->etag, "W/", 2) != 0) return d->etag;
    return d->last_modified[0] ? d->last_modified : NULL;
}

/* One request; returns libcurl's code (the callbacks' failures in d->write_rc). */
static CURLcode remote_perform(struct dl *d) {
    char range[48], hdr[REMOTE_VALIDATOR_MAX + 16];
    struct curl_slist *headers = NULL;
    const char *validator = remote_if_range(d);
    if (d->have > 0 && !(d->meta_ok && validator)) {
        /* bytes nobody can vouch for: start over */
        if ((d->write_rc = remote_truncate(d)) != 0) return CURLE_WRITE_ERROR;
    }
    remote_headers_reset(&d->h);
    d->prepared = d->mismatch = false;
    d->write_rc = 0;
    d->curl_msg[0] = '\0';
    snprintf(range, sizeof range, "%lld-", (long long)d->have);
    curl_easy_setopt(d->curl, CURLOPT_RANGE, d->have > 0 ? range : NULL);
    if (d->have > 0) {
        snprintf(hdr, sizeof hdr, "If-Range: %s", validator);
        headers = curl_slist_append(NULL, hdr);
    }
    curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, headers);
    d->attempt++;
    struct remote_event ev = {.offset = d->have};
    remote_emit(d, REMOTE_EV_START, &ev);
    CURLcode cc = curl_easy_perform(d->curl);
    long status = 0;
    curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
    if (cc == CURLE_OK && status >= 200 && status < 300 && !d->prepared && remote_prepare(d))
        cc = CURLE_WRITE_ERROR; /* an empty body */
    curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    return cc;
}

/* ---- the retry loop -------------------------------------------------------------------- */

static int remote_commit(struct dl *d) {
    ZEST_TRY(fsutil_fsync(d->fd, d->part, d->err));
    close(d->fd);
    d->fd = -1;
    ZEST_TRY(fsutil_commit(d->part, d->final, d->err));
    remote_emit_simple(d, REMOTE_EV_COMPLETE);
    return 0;
}

/* Why an attempt failed, as a sentence, into out. */
static void remote_describe(const struct dl *d, CURLcode cc, long status, char *out, size_t cap) {
    if (status >= 400)
        snprintf(out, cap, "HTTP %ld%s%s", status, d->h.reason[0] ? " " : "", d->h.reason);
    else if (cc == CURLE_OK)
        snprintf(out, cap, "the body ended after %lld of %lld bytes", (long long)d->have,
                 (long long)d->total);
    else if (strstr(d->curl_msg, curl_easy_strerror(cc)))
        snprintf(out, cap, "%s", d->curl_msg); /* the detail already says it */
    else
        snprintf(out, cap, "%s%s%s%s", curl_easy_strerror(cc), d->curl_msg[0] ? " (" : "",
                 d->curl_msg, d->curl_msg[0] ? ")" : "");
}

/* After a failed attempt: 1 to try again (after the backoff), or a negative status. */
static int remote_after_failure(struct dl *d, CURLcode cc, int64_t before, int *failures) {
    long status = 0;
    char why[CURL_ERROR_SIZE + 128];
    curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
    if (d->write_rc) return d->write_rc;
    remote_describe(d, cc, status, why, sizeof why);
    enum remote_failure f =
        cc == CURLE_OK ? REMOTE_TRANSIENT : remote_classify((int)cc, (int)status);
    if (d->mismatch || status == 416) {
        snprintf(d->restart_reason, sizeof d->restart_reason, "%s",
                 d->mismatch ? d->restart_reason : "HTTP 416: the range asked for is not there");
        struct remote_event ev = {.reason = d->restart_reason, .offset = 0};
        remote_emit(d, REMOTE_EV_RESTART, &ev);
        d->meta_ok = false; /* the next request asks for everything */
        ZEST_TRY(remote_truncate(d));
        f = REMOTE_TRANSIENT;
    }
    if (f == REMOTE_PERMANENT)
        return err_set(d->err,
                       status == 404 || status == 410 ? ZEST_E_NOTFOUND
                       : cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL
                           ? ZEST_E_PARAM
                           : ZEST_E_IO,
                       "GET %s: %s (not retried)", d->url, why);
    *failures = d->have > before ? 1 : *failures + 1;
    if (*failures > d->s->max_retries)
        return err_set(d->err, ZEST_E_IO, "GET %s: %s; giving up after %d attempt%s (%d retr%s)",
                       d->url, why, d->attempt, d->attempt == 1 ? "" : "s", d->s->max_retries,
                       d->s->max_retries == 1 ? "y" : "ies");
    const double backoff = remote_backoff_s(*failures, d->s->backoff_initial_s, d->s->backoff_max_s,
                                            remote_rand01(&d->rng), d->h.retry_after_s);
    struct remote_event ev = {
        .reason = why, .failures = *failures, .backoff_s = backoff, .offset = d->have};
    remote_emit(d, REMOTE_EV_RETRY, &ev);
    remote_sleep(backoff);
    return 1;
}

static int remote_loop(struct dl *d) {
    int failures = 0;
    for (;;) {
        if (d->meta_ok && d->total >= 0 && d->have == d->total && d->have > 0)
            return remote_commit(d); /* every byte is here: a crash came before the rename */
        const int64_t before = d->have;
        const CURLcode cc = remote_perform(d);
        long status = 0;
        curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
        if (cc == CURLE_OK && !d->write_rc && remote_classify(cc, (int)status) == REMOTE_OK &&
            (d->total < 0 || d->have == d->total))
            return remote_commit(d);
        const int rc = remote_after_failure(d, cc, before, &failures);
        if (rc < 0) return rc;
    }
}

/* ---- the call ------------------------------------------------------------------------- */

static int remote_paths(struct dl *d, const char *dir) {
    char name[128];
    remote_local_name(d->url, name, sizeof name);
    if ((size_t)snprintf(d->final, sizeof d->final, "%s/%s", dir, name) >= sizeof d->final ||
        (size_t)snprintf(d->part, sizeof d->part, "%s.part", d->final) >= sizeof d->part ||
        (size_t)snprintf(d->meta, sizeof d->meta, "%s.meta.json", d->final) >= sizeof d->meta)
        return err_set(d->err, ZEST_E_LIMIT, "%s: download directory path too long", dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return err_set_at(d->err, ZEST_E_IO, dir, 0, -1, "mkdir: %s", strerror(errno));
    return 0;
}

/* A committed download of this URL whose size agrees with its record: 1. A file of that
 * name that is not one (another URL, a size that disagrees) is removed: 0. */
static int remote_reusable(struct dl *d) {
    struct stat st;
    if (stat(d->final, &st) != 0) return 0;
    if (d->meta_ok && S_ISREG(st.st_mode) && (d->total < 0 || st.st_size == d->total)) {
        d->have = d->total = (int64_t)st.st_size;
        return 1;
    }
    unlink(d->final);
    return 0;
}

static int remote_open_part(struct dl *d) {
    d->fd = open(d->part, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (d->fd < 0)
        return err_set_at(d->err, ZEST_E_IO, d->part, 0, -1, "open: %s", strerror(errno));
    struct stat st;
    if (fstat(d->fd, &st) != 0)
        return err_set_at(d->err, ZEST_E_IO, d->part, 0, -1, "fstat: %s", strerror(errno));
    d->have = (int64_t)st.st_size;
    if (!d->meta_ok || (d->total >= 0 && d->have > d->total)) return remote_truncate(d);
    return 0;
}

static void remote_result_fill(const struct dl *d, bool reused, struct remote_result *out) {
    snprintf(out->path, sizeof out->path, "%s", d->final);
    snprintf(out->etag, sizeof out->etag, "%s", d->etag);
    snprintf(out->last_modified, sizeof out->last_modified, "%s", d->last_modified);
    out->length = d->have;
    out->fetched = d->fetched;
    out->reused = reused;
}

int remote_fetch(const char *url, const char *dir, const struct remote_settings *s,
                 remote_event_fn fn, void *user, struct remote_result *out, zest_error *err) {
    struct dl d = {.url = url,
                   .s = s,
                   .fn = fn,
                   .user = user,
                   .err = err,
                   .fd = -1,
                   .total = -1,
                   .t0 = remote_now()};
    d.rng = (uint64_t)(d.t0 * 1e9) ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ULL;
    d.last_progress = d.t0;
    memset(out, 0, sizeof *out);
    if (!remote_is_url(url)) return err_set(err, ZEST_E_PARAM, "%s: not an http(s) URL", url);
    ZEST_TRY(remote_paths(&d, dir));
    d.meta_ok = remote_meta_read(&d);
    if (remote_reusable(&d)) {
        remote_emit_simple(&d, REMOTE_EV_REUSED);
        remote_result_fill(&d, true, out);
        return 0;
    }
    int rc = remote_open_part(&d);
    if (rc == 0) rc = remote_curl_open(&d);
    if (rc == 0) rc = remote_loop(&d);
    if (rc == 0) remote_result_fill(&d, false, out);
    if (d.fd >= 0) close(d.fd);
    if (d.curl) curl_easy_cleanup(d.curl);
    return rc;
}

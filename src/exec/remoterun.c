/* SPDX-License-Identifier: Apache-2.0 */
/* remoterun.c - a run's remote input: download, events, fingerprint (see remoterun.h). */
#include "remoterun.h"

#include <stdio.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "../common/hash.h"
#include "../io/json.h"
#include "../io/remote.h"

static const char *const remoterun_kinds[] = {
    [REMOTE_EV_START] = "start",       [REMOTE_EV_PROGRESS] = "progress",
    [REMOTE_EV_RETRY] = "retry",       [REMOTE_EV_RESTART] = "restart",
    [REMOTE_EV_COMPLETE] = "complete", [REMOTE_EV_REUSED] = "reused",
};

static void remoterun_message(const struct remote_event *ev, char *msg, size_t cap) {
    const long long bytes = (long long)ev->bytes, total = (long long)ev->total;
    switch (ev->kind) {
    case REMOTE_EV_START:
        if (ev->offset > 0)
            snprintf(msg, cap, "download resumed: %s from byte %lld", ev->url,
                     (long long)ev->offset);
        else
            snprintf(msg, cap, "download started: %s", ev->url);
        break;
    case REMOTE_EV_PROGRESS:
        snprintf(msg, cap, "download progress: %s: %lld of %lld bytes", ev->url, bytes, total);
        break;
    case REMOTE_EV_RETRY:
        snprintf(msg, cap, "download of %s failed (%s): attempt %d in %.2f s", ev->url, ev->reason,
                 ev->attempt + 1, ev->backoff_s);
        break;
    case REMOTE_EV_RESTART:
        snprintf(msg, cap, "download of %s starts over: %s", ev->url, ev->reason);
        break;
    case REMOTE_EV_COMPLETE:
        snprintf(msg, cap, "download complete: %s -> %s (%lld bytes, %lld fetched in this run)",
                 ev->url, ev->path, bytes, (long long)ev->fetched);
        break;
    case REMOTE_EV_REUSED:
        snprintf(msg, cap, "download reused: %s holds %s (complete in an earlier run)", ev->path,
                 ev->url);
        break;
    }
}

static void remoterun_metadata(const struct remote_event *ev, struct json_obj *o) {
    json_obj_str(o, "download", remoterun_kinds[ev->kind]);
    json_obj_str(o, "url", ev->url);
    json_obj_str(o, "path", ev->path);
    if (ev->kind == REMOTE_EV_START || ev->kind == REMOTE_EV_RETRY)
        json_obj_int(o, "offset", ev->offset);
    json_obj_int(o, "bytes", ev->bytes);
    json_obj_int(o, "total", ev->total);
    json_obj_int(o, "fetched", ev->fetched);
    if (ev->kind == REMOTE_EV_RETRY) {
        json_obj_int(o, "failures", ev->failures);
        json_obj_double(o, "backoff_s", ev->backoff_s);
    }
    if (ev->reason) json_obj_str(o, "reason", ev->reason);
    if (ev->kind == REMOTE_EV_COMPLETE || ev->kind == REMOTE_EV_REUSED) {
        json_obj_str(o, "etag", ev->etag);
        json_obj_str(o, "last_modified", ev->last_modified);
    }
}

static void remoterun_event(void *user, const struct remote_event *ev) {
    struct evlog *log = user;
    const bool bad = ev->kind == REMOTE_EV_RETRY || ev->kind == REMOTE_EV_RESTART;
    struct evlog_event e = evlog_event_init(bad ? EVT_WARNING : EVT_INFO);
    char msg[2600];
    struct buf b;
    struct json_obj o;
    remoterun_message(ev, msg, sizeof msg);
    buf_init(&b, 0);
    json_obj_begin(&o, &b);
    remoterun_metadata(ev, &o);
    e.message = msg;
    e.attempt = ev->kind == REMOTE_EV_RETRY ? ev->attempt + 1 : ev->attempt;
    if (ev->kind == REMOTE_EV_COMPLETE) e.duration = ev->seconds;
    if (json_obj_end(&o) == 0 && buf_putc(&b, '\0') == 0) e.metadata = b.data;
    evlog_emit(log, &e);
    buf_free(&b);
}

void remoterun_fingerprint(const char *url, const char *etag, const char *last_modified,
                           int64_t length, struct fingerprint *fp) {
    static const char tag[] = "remote";
    uint64_t h = hash_bytes(HASH_SEED, tag, sizeof tag);
    h = hash_bytes(h, url, strlen(url) + 1);
    h = hash_bytes(h, etag, strlen(etag) + 1);
    h = hash_bytes(h, last_modified, strlen(last_modified) + 1);
    const uint64_t len = (uint64_t)length;
    h = hash_bytes(h, &len, sizeof len);
    memset(fp, 0, sizeof *fp);
    fp->files = 1;
    fp->bytes = len;
    fp->hash = hash_finish(h);
    snprintf(fp->hex, sizeof fp->hex, "%016llx", (unsigned long long)fp->hash);
}

int remoterun_fetch(const struct zest_config *cfg, struct evlog *log, const char *url,
                    const char *work_dir, char *local, size_t cap, struct fingerprint *fp,
                    zest_error *err) {
    const struct remote_settings s = {
        .max_retries = (int)cfg->remote_max_retries,
        .connect_timeout_s = cfg->remote_connect_timeout_s,
        .stall_timeout_s = cfg->remote_stall_timeout_s,
        .backoff_initial_s = cfg->remote_backoff_initial_s,
        .backoff_max_s = cfg->remote_backoff_max_s,
        .progress_interval_s = cfg->remote_progress_interval_s,
    };
    char dir[1100];
    struct remote_result r;
    if ((size_t)snprintf(dir, sizeof dir, "%s/inputs", work_dir) >= sizeof dir)
        return err_set(err, ZEST_E_LIMIT, "%s: work_dir path too long", work_dir);
    ZEST_TRY(remote_fetch(url, dir, &s, log ? remoterun_event : NULL, log, &r, err));
    if ((size_t)snprintf(local, cap, "%s", r.path) >= cap)
        return err_set(err, ZEST_E_LIMIT, "%s: path too long", r.path);
    remoterun_fingerprint(url, r.etag, r.last_modified, r.length, fp);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srv_jobs.c - which job a request means, and the list of jobs under the served directory.
 * A job name from a request is a plain directory name checked here before any path is built
 * from it, so no request reaches a file outside the served directory. Depends on common/
 * and io/json.h.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/buf.h"
#include "../io/json.h"
#include "server.h"

static int jobs_has_events(const char *dir) {
    char path[4200];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/events", dir) >= (int)sizeof path) return 0;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Modification time of DIR/events/events.jsonl; 0 when there is none. */
static double jobs_log_mtime(const char *dir) {
    char path[4200];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/events/events.jsonl", dir) >= (int)sizeof path) return 0;
    if (stat(path, &st) != 0) return 0;
    return (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec * 1e-9;
}

/* A name a request may give: letters, digits, '.', '_', '-', not starting with '.'. */
static int jobs_name_ok(const char *name) {
    if (!name[0] || name[0] == '.' || strlen(name) > 200) return 0;
    for (const char *p = name; *p; p++) {
        const char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static const char *jobs_base(const char *path) {
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

int srv_job_dir(const char *root, const char *job, char *out, size_t cap, const char **why) {
    if (jobs_has_events(root)) {
        if (job[0] && strcmp(job, jobs_base(root)) != 0) {
            *why = "no such job";
            return ZEST_E_NOTFOUND;
        }
        snprintf(out, cap, "%s", root);
        return 0;
    }
    if (job[0]) {
        if (!jobs_name_ok(job)) {
            *why = "job: not a job name";
            return ZEST_E_PARAM;
        }
        if ((size_t)snprintf(out, cap, "%s/%s", root, job) >= cap || !jobs_has_events(out)) {
            *why = "no such job";
            return ZEST_E_NOTFOUND;
        }
        return 0;
    }
    DIR *d = opendir(root);
    double best = 0;
    out[0] = '\0';
    const struct dirent *de;
    char path[4200];
    while (d && (de = readdir(d)) != NULL) {
        if (!jobs_name_ok(de->d_name)) continue;
        if (snprintf(path, sizeof path, "%s/%s", root, de->d_name) >= (int)sizeof path) continue;
        const double t = jobs_log_mtime(path);
        if (t <= best || strlen(path) >= cap) continue;
        best = t;
        snprintf(out, cap, "%s", path);
    }
    if (d) closedir(d);
    if (!out[0]) {
        *why = "no job yet: no event log under the served directory";
        return ZEST_E_NOTFOUND;
    }
    return 0;
}

struct jobs_entry {
    char name[256];
    double t;
};

static int jobs_cmp(const void *a, const void *b) {
    const double ta = ((const struct jobs_entry *)a)->t, tb = ((const struct jobs_entry *)b)->t;
    return ta < tb ? 1 : ta > tb ? -1 : 0;
}

static size_t jobs_scan(const char *root, struct jobs_entry *v, size_t cap) {
    size_t n = 0;
    if (jobs_has_events(root)) {
        snprintf(v[0].name, sizeof v[0].name, "%s", jobs_base(root));
        v[0].t = jobs_log_mtime(root);
        return 1;
    }
    DIR *d = opendir(root);
    const struct dirent *de;
    char path[4200];
    while (d && n < cap && (de = readdir(d)) != NULL) {
        if (!jobs_name_ok(de->d_name)) continue;
        if (snprintf(path, sizeof path, "%s/%s", root, de->d_name) >= (int)sizeof path) continue;
        if (!jobs_has_events(path)) continue;
        snprintf(v[n].name, sizeof v[n].name, "%s", de->d_name);
        v[n++].t = jobs_log_mtime(path);
    }
    if (d) closedir(d);
    qsort(v, n, sizeof *v, jobs_cmp);
    return n;
}

int srv_jobs_json(const char *root, char **out, size_t *len) {
    struct jobs_entry *v = calloc(SRV_JOBS_MAX, sizeof *v);
    struct buf b;
    buf_init(&b, 0);
    int rc = v ? 0 : ZEST_E_NOMEM;
    const size_t n = v ? jobs_scan(root, v, SRV_JOBS_MAX) : 0;
    if (rc == 0) rc = buf_append(&b, "{\"jobs\":[", 9);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i) rc = buf_putc(&b, ',');
        if (rc == 0) rc = buf_append(&b, "{\"job_id\":", 10);
        if (rc == 0) rc = json_write_string(&b, v[i].name, strlen(v[i].name));
        if (rc == 0) rc = buf_printf(&b, ",\"updated\":%.3f}", v[i].t);
    }
    if (rc == 0) rc = buf_append(&b, "]}", 3); /* with the NUL */
    free(v);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    *out = b.data;
    *len = b.len - 1;
    return 0;
}

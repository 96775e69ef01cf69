/* SPDX-License-Identifier: Apache-2.0 */
/* jobfile.c - job.json (see jobfile.h). */
#include "jobfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/arena.h"
#include "../common/buf.h"
#include "../common/err.h"
#include "../common/fsutil.h"
#include "../io/json.h"

static const char *const jobfile_states[] = {"running", "complete", "partial", "failed"};

const char *jobfile_state_name(enum jobfile_state s) {
    return (unsigned)s < sizeof jobfile_states / sizeof jobfile_states[0] ? jobfile_states[s] : "?";
}

static int jobfile_path(const char *job_dir, char *out, size_t cap, zest_error *err) {
    if ((size_t)snprintf(out, cap, "%s/" JOBFILE_NAME, job_dir) >= cap)
        return err_set(err, ZEST_E_LIMIT, "%s: job directory name too long", job_dir);
    return 0;
}

int jobfile_write(const char *job_dir, const struct jobfile *j, zest_error *err) {
    char path[1200], num[64];
    ZEST_TRY(jobfile_path(job_dir, path, sizeof path, err));
    struct buf b;
    struct json_obj o;
    buf_init(&b, 0);
    json_obj_begin(&o, &b);
    json_obj_int(&o, "version", JOBFILE_VERSION);
    json_obj_str(&o, "job_id", j->job_id);
    json_obj_str(&o, "state", jobfile_state_name(j->state));
    json_obj_str(&o, "export_path", j->export_path);
    snprintf(num, sizeof num, "%.6f", j->started);
    json_obj_raw(&o, "started", num);
    snprintf(num, sizeof num, "%.6f", j->updated);
    json_obj_raw(&o, "updated", num);
    json_obj_int(&o, "runs", j->runs);
    json_obj_str(&o, "zest_version", ZEST_VERSION);
    int rc = json_obj_end(&o) || buf_append(&b, "\n", 1) ? ZEST_E_NOMEM : 0;
    if (rc) err_set(err, rc, "out of memory");
    if (rc == 0) rc = fsutil_write_atomic(path, b.data, b.len, err);
    buf_free(&b);
    return rc;
}

static const struct json_value *jobfile_member(const struct json_value *root, const char *key) {
    for (size_t i = 0; i < root->u.obj.n; i++) {
        const struct json_member *m = &root->u.obj.members[i];
        if (m->key_len == strlen(key) && memcmp(m->key, key, m->key_len) == 0) return &m->value;
    }
    return NULL;
}

static int jobfile_str(const struct json_value *root, const char *key, char *out, size_t cap) {
    const struct json_value *v = jobfile_member(root, key);
    if (!v || v->type != JSON_STRING || v->u.str.len >= cap) return -1;
    memcpy(out, v->u.str.ptr, v->u.str.len);
    out[v->u.str.len] = '\0';
    return 0;
}

static int jobfile_num(const struct json_value *root, const char *key, double *out) {
    const struct json_value *v = jobfile_member(root, key);
    if (!v || v->type != JSON_NUMBER) return -1;
    *out = v->u.num.d;
    return 0;
}

static int jobfile_fields(const struct json_value *root, struct jobfile *j) {
    char state[32];
    double runs;
    if (root->type != JSON_OBJECT || jobfile_str(root, "job_id", j->job_id, sizeof j->job_id) ||
        jobfile_str(root, "export_path", j->export_path, sizeof j->export_path) ||
        jobfile_str(root, "state", state, sizeof state) ||
        jobfile_num(root, "started", &j->started) || jobfile_num(root, "updated", &j->updated) ||
        jobfile_num(root, "runs", &runs))
        return -1;
    j->runs = (int64_t)runs;
    for (size_t s = 0; s < sizeof jobfile_states / sizeof jobfile_states[0]; s++)
        if (strcmp(state, jobfile_states[s]) == 0) {
            j->state = (enum jobfile_state)s;
            return 0;
        }
    return -1;
}

int jobfile_read(const char *job_dir, struct jobfile *j, zest_error *err) {
    char path[1200];
    ZEST_TRY(jobfile_path(job_dir, path, sizeof path, err));
    memset(j, 0, sizeof *j);
    struct buf text;
    struct arena a;
    buf_init(&text, 1 << 20);
    arena_init(&a, 0);
    int rc = fsutil_read_file(path, &text, err);
    if (rc == 0) {
        struct json_cursor cur;
        struct json_value root;
        json_cursor_init(&cur, text.data ? text.data : "", text.len);
        if (json_parse_value(&cur, &a, &root) || json_expect_end(&cur) ||
            jobfile_fields(&root, j))
            rc = err_set_at(err, ZEST_E_FORMAT, path, 0, -1,
                            "not a job file: needs job_id, export_path, state (running, "
                            "complete, partial, failed), started, updated and runs");
    }
    arena_destroy(&a);
    buf_free(&text);
    return rc;
}

int jobfile_find_latest(const char *jobs_dir, const char *export_path, struct jobfile *out) {
    DIR *d = opendir(jobs_dir);
    if (!d) return 0; /* no job was ever run here */
    const struct dirent *de;
    int found = 0;
    char dir[1200];
    while ((de = readdir(d)) != NULL) {
        struct jobfile j;
        if (de->d_name[0] == '.' ||
            (size_t)snprintf(dir, sizeof dir, "%s/%s", jobs_dir, de->d_name) >= sizeof dir ||
            jobfile_read(dir, &j, NULL) != 0 || strcmp(j.export_path, export_path) != 0 ||
            strcmp(j.job_id, de->d_name) != 0)
            continue;
        if (!found || j.started > out->started ||
            (j.started == out->started && strcmp(j.job_id, out->job_id) > 0)) {
            *out = j;
            found = 1;
        }
    }
    closedir(d);
    return found;
}

/* mkdir -p of the job dir: its parents may not exist yet. */
static int jobfile_mkdirs(const char *dir, zest_error *err) {
    char path[1200];
    if ((size_t)snprintf(path, sizeof path, "%s", dir) >= sizeof path)
        return err_set(err, ZEST_E_LIMIT, "%s: job directory name too long", dir);
    for (char *p = path + 1;; p++) {
        const char c = *p;
        if (c != '/' && c != '\0') continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return err_set(err, ZEST_E_IO, "cannot create directory %s: %s", path, strerror(errno));
        *p = c;
        if (!c) return 0;
    }
}

int jobfile_lock(const char *job_dir, zest_error *err) {
    char path[1200];
    ZEST_TRY(jobfile_mkdirs(job_dir, err));
    if ((size_t)snprintf(path, sizeof path, "%s/.run.lock", job_dir) >= sizeof path)
        return err_set(err, ZEST_E_LIMIT, "%s: job directory name too long", job_dir);
    const int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return err_set(err, ZEST_E_IO, "cannot open %s: %s", path, strerror(errno));
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        const int busy = errno == EWOULDBLOCK;
        close(fd);
        if (busy)
            return err_set(err, ZEST_E_USAGE, "job %s is being run by another zest process "
                           "(wait for it to end, or run a new job)", job_dir);
        return err_set(err, ZEST_E_IO, "cannot lock %s: %s", path, strerror(errno));
    }
    return fd;
}

void jobfile_unlock(int fd) {
    if (fd >= 0) close(fd); /* closing releases the lock */
}

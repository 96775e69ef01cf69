/* SPDX-License-Identifier: Apache-2.0 */
/* jobpaths.c - job_id generation and placeholder substitution in the job's paths. */
#include "jobpaths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/err.h"

static void generate_job_id(char *out, size_t cap) {
    unsigned char rnd[3] = {0};
    const int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) memset(rnd, 0, sizeof rnd);
        close(fd);
    }
    const time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
    snprintf(out, cap, "%s_%02x%02x%02x", stamp, rnd[0], rnd[1], rnd[2]);
}

/* Replaces every `{name}` in `in` by `value`. */
static int substitute(const char *in, const char *name, const char *value, char *out, size_t cap) {
    char pat[32];
    snprintf(pat, sizeof pat, "{%s}", name);
    const size_t plen = strlen(pat), vlen = strlen(value);
    size_t o = 0;
    while (*in) {
        if (strncmp(in, pat, plen) == 0) {
            if (o + vlen >= cap) return ZEST_E_LIMIT;
            memcpy(out + o, value, vlen);
            o += vlen;
            in += plen;
        } else {
            if (o + 1 >= cap) return ZEST_E_LIMIT;
            out[o++] = *in++;
        }
    }
    out[o] = '\0';
    return 0;
}

static int resolve_one(const char *tmpl, const struct jobpaths *jp, char *out, size_t cap,
                       const char *key, zest_error *err) {
    char tmp[1024];
    if (substitute(tmpl ? tmpl : "", "job_id", jp->job_id, tmp, sizeof tmp) ||
        substitute(tmp, "work_dir", jp->work_dir, out, cap))
        return err_set(err, ZEST_E_CONFIG, "%s: path too long after substitution", key);
    return 0;
}

static int ends_with_component(const char *path, const char *name) {
    const size_t lp = strlen(path), ln = strlen(name);
    return lp >= ln && strcmp(path + lp - ln, name) == 0 &&
           (lp == ln || path[lp - ln - 1] == '/');
}

int jobpaths_resolve(const struct zest_config *cfg, const char *job_id, struct jobpaths *out,
                     zest_error *err) {
    memset(out, 0, sizeof *out);
    if (job_id && *job_id)
        snprintf(out->job_id, sizeof out->job_id, "%s", job_id);
    else
        generate_job_id(out->job_id, sizeof out->job_id);
    /* Data-Juicer's default work dir is the export path's directory. */
    char def[1024] = "outputs";
    if (!cfg->work_dir && cfg->export_path && !strstr(cfg->export_path, "{work_dir}")) {
        snprintf(def, sizeof def, "%s", cfg->export_path);
        char *slash = strrchr(def, '/');
        if (slash && slash != def)
            *slash = '\0';
        else
            snprintf(def, sizeof def, "%s", slash ? "/" : ".");
    }
    char wd[1024];
    if (substitute(cfg->work_dir ? cfg->work_dir : def, "job_id", out->job_id, wd, sizeof wd))
        return err_set(err, ZEST_E_CONFIG, "work_dir: path too long");
    while (strlen(wd) > 1 && wd[strlen(wd) - 1] == '/') wd[strlen(wd) - 1] = '\0';
    if (ends_with_component(wd, out->job_id))
        snprintf(out->work_dir, sizeof out->work_dir, "%s", wd);
    else if ((size_t)snprintf(out->work_dir, sizeof out->work_dir, "%s/%s", wd, out->job_id) >=
             sizeof out->work_dir)
        return err_set(err, ZEST_E_CONFIG, "work_dir: path too long");
    ZEST_TRY(resolve_one(cfg->export_path, out, out->export_path, sizeof out->export_path,
                         "export_path", err));
    return resolve_one(cfg->dataset_path, out, out->dataset_path, sizeof out->dataset_path,
                       "dataset_path", err);
}

int jobpaths_make_parent(const char *path, zest_error *err) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return err_set(err, ZEST_E_IO, "cannot create directory %s: %s", dir, strerror(errno));
        *p = '/';
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return err_set(err, ZEST_E_IO, "cannot create directory %s: %s", dir, strerror(errno));
    return 0;
}

void jobpaths_jobs_dir(const struct jobpaths *jp, char *out, size_t cap) {
    snprintf(out, cap, "%s", jp->work_dir);
    char *slash = strrchr(out, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

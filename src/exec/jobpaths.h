/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobpaths.h - a job's identity and paths, resolved as Data-Juicer does: job_id from the
 * config or generated (UTC YYYYMMDD_HHMMSS_ + 6 hex digits); `{job_id}` and `{work_dir}`
 * substituted in work_dir, export_path and dataset_path; work_dir always ends with the job_id.
 * Depends on config/ and common/.
 */
#ifndef ZEST_JOBPATHS_H
#define ZEST_JOBPATHS_H

#include <stddef.h>

#include "../config/config.h"

struct jobpaths {
    char job_id[128];
    char work_dir[1024];
    char export_path[1024];
    char dataset_path[1024];
};

/* Resolves the paths of job `job_id` (NULL or "": a new generated id). */
int jobpaths_resolve(const struct zest_config *cfg, const char *job_id, struct jobpaths *out,
                     zest_error *err);
/* The directory that holds the job dirs: work_dir without its last component. */
void jobpaths_jobs_dir(const struct jobpaths *jp, char *out, size_t cap);
/* mkdir -p of the directory holding `path`. */
int jobpaths_make_parent(const char *path, zest_error *err);

#endif

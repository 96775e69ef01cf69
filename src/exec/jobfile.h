/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobfile.h - job.json, a job's identity and state: written when a run starts (running) and
 * when it ends (complete, partial or failed), atomically. A run killed on the way leaves it
 * "running": that is what `zest run --resume` looks for. The layout is in
 * docs/checkpoints.md ("Jobs and resume"). Depends on io/json and common/.
 */
#ifndef ZEST_JOBFILE_H
#define ZEST_JOBFILE_H

#include "zest.h"

#define JOBFILE_NAME "job.json"
#define JOBFILE_VERSION 1

enum jobfile_state { JOBFILE_RUNNING = 0, JOBFILE_COMPLETE, JOBFILE_PARTIAL, JOBFILE_FAILED };

struct jobfile {
    char job_id[128];
    char export_path[1024]; /* export_path as the config writes it (placeholders kept) */
    enum jobfile_state state;
    double started;         /* epoch seconds of the job's first run */
    double updated;         /* of the last change of state */
    int64_t runs;           /* runs of this job: 1, then one more per resume */
};

const char *jobfile_state_name(enum jobfile_state s);

/* Writes <job_dir>/job.json atomically. */
int jobfile_write(const char *job_dir, const struct jobfile *j, zest_error *err);

/* Reads <job_dir>/job.json: 0, ZEST_E_NOTFOUND, ZEST_E_IO, or ZEST_E_FORMAT naming the file
 * and the field. */
int jobfile_read(const char *job_dir, struct jobfile *j, zest_error *err);

/* The most recently started job under `jobs_dir` (the directory holding job dirs) whose
 * export_path is `export_path`: 1 and *out filled, or 0 when there is none. Directories
 * without a readable job.json are not jobs and are passed over. */
int jobfile_find_latest(const char *jobs_dir, const char *export_path, struct jobfile *out);

/* Takes the job's run lock (<job_dir>/.run.lock, created with the directory as needed): one
 * process runs a job at a time. Returns the fd to give jobfile_unlock, or < 0: ZEST_E_USAGE
 * when another process holds it (a resume started while the job still runs), ZEST_E_IO. */
int jobfile_lock(const char *job_dir, zest_error *err);
void jobfile_unlock(int fd);

#endif

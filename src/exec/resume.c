/* SPDX-License-Identifier: Apache-2.0 */
/* resume.c - the job a run continues, and its stored plan (see resume.h). */
#include "resume.h"

#include <stdio.h>
#include <string.h>

#include "../common/err.h"
#include "fingerprint.h"

int resume_identify(const struct zest_config *cfg, bool resume, struct jobpaths *jp,
                    struct jobfile *jf, bool *found, zest_error *err) {
    const char *id = cfg->job_id && *cfg->job_id ? cfg->job_id : NULL;
    memset(jf, 0, sizeof *jf);
    *found = false;
    ZEST_TRY(jobpaths_resolve(cfg, id, jp, err));
    if (!id) {
        if (!resume) return 0;
        char jobs_dir[1024];
        jobpaths_jobs_dir(jp, jobs_dir, sizeof jobs_dir);
        if (!jobfile_find_latest(jobs_dir, cfg->export_path ? cfg->export_path : "", jf)) return 0;
        ZEST_TRY(jobpaths_resolve(cfg, jf->job_id, jp, err));
    }
    const int rc = jobfile_read(jp->work_dir, jf, err);
    if (rc == ZEST_E_NOTFOUND) return 0; /* a new job with the id given */
    *found = rc == 0;
    return rc;
}

int resume_plan(const char *plan_path, const char *dataset_path, const struct fingerprint *given,
                const struct partplan_settings *settings, struct partplan *plan,
                char *settings_note, size_t note_cap, zest_error *err) {
    struct source_list files = {0};
    struct fingerprint fp;
    zest_error why;
    zest_error_clear(&why);
    settings_note[0] = '\0';
    int rc = partplan_read(plan_path, plan, err);
    if (rc == 0 && given) fp = *given;
    if (rc == 0 && !given) rc = source_list(dataset_path, &files, err);
    if (rc == 0 && !given) rc = fingerprint_compute(&files, &fp, err);
    const int diff = rc == 0 ? partplan_compare(plan, &fp, settings, &why) : 0;
    if (diff & PARTPLAN_CHANGED_INPUT)
        rc = err_set(err, ZEST_E_CONFIG,
                     "%s changed since this job was planned (%s): resuming would mix two "
                     "inputs; run it as a new job (without --resume, or with another job_id)",
                     dataset_path, why.msg);
    else if (diff & PARTPLAN_CHANGED_SETTINGS)
        snprintf(settings_note, note_cap,
                 "the partition settings changed (%s); the job keeps its %zu partitions", why.msg,
                 plan->count);
    source_list_free(&files);
    if (rc) partplan_free(plan);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resume.h - which job a run continues, and whether its plan still holds. A run continues a
 * job when it names one that exists (job_id in the config, or --job-id) or when asked to
 * resume (the most recently started job with the same export_path under the same work dir).
 * A continued job keeps its partition plan (partitions.json); its input must be unchanged.
 * Depends on exec's jobpaths, jobfile, partplan and io/source.
 */
#ifndef ZEST_RESUME_H
#define ZEST_RESUME_H

#include <stdbool.h>

#include "jobfile.h"
#include "jobpaths.h"
#include "partplan.h"

/* Resolves the job's paths and reads its job.json when it continues one: *found is true
 * then and *jf holds it (a new job: *found false, *jf zeroed). */
int resume_identify(const struct zest_config *cfg, bool resume, struct jobpaths *jp,
                    struct jobfile *jf, bool *found, zest_error *err);

/* Loads the continued job's plan from `plan_path` and checks the input against it: a changed
 * input is ZEST_E_CONFIG saying what changed. Changed partition settings keep the stored plan
 * (partition boundaries are the job's); *settings_note then says so (empty otherwise).
 * `given`: the input's fingerprint when the caller knows it (a remote input: from the URL and
 * its validators), else NULL: computed from the files of dataset_path. */
int resume_plan(const char *plan_path, const char *dataset_path, const struct fingerprint *given,
                const struct partplan_settings *settings, struct partplan *plan,
                char *settings_note, size_t note_cap, zest_error *err);

#endif

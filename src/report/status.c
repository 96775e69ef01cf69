/* SPDX-License-Identifier: Apache-2.0 */
/*
 * status.c - zest_generate_status_report: where a job stands, from its digest (partition
 * states, retries, rows so far, rates, ETA) and its checkpoints directory (files and bytes
 * held). Works on a running job: the log is read as it is, the ETA extrapolates the latest
 * run's pace.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/err.h"
#include "digest.h"
#include "report.h"

/* Checkpoint files in JOB/checkpoints and the bytes of every file under it (manifests
 * included). nftw passes no user pointer: the totals live here for the one walk. */
static _Thread_local int64_t st_files, st_bytes;

static int st_visit(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    if (type != FTW_F) return 0;
    st_bytes += (int64_t)st->st_size;
    st_files += strncmp(path + ftw->base, "checkpoint_", 11) == 0;
    return 0;
}

static void st_checkpoints(const char *job_dir, int64_t *files, int64_t *bytes) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/checkpoints", job_dir);
    st_files = st_bytes = 0;
    nftw(dir, st_visit, 8, FTW_PHYS);
    *files = st_files;
    *bytes = st_bytes;
}

static void st_copy(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

static void st_partition(zest_partition_status *ps, const struct dg_part *p, int64_t id) {
    ps->id = id;
    st_copy(ps->state, sizeof ps->state, digest_part_state_name(p->state));
    ps->attempts = p->attempts;
    ps->worker = p->attempts ? p->worker : -1;
    ps->reused = p->reused;
    ps->rows_in = p->rows_in;
    ps->rows_out = p->rows_out;
    ps->seconds = p->seconds;
    st_copy(ps->error, sizeof ps->error, p->error);
}

static void st_count(zest_status_report *r, const struct dg_part *p) {
    switch (p->state) {
    case DG_PENDING: r->pending++; break;
    case DG_RUNNING: r->running++; break;
    case DG_DONE: r->done++; break;
    case DG_RETRYING: r->retrying++; break;
    case DG_FAILED: r->failed++; break;
    case DG_SKIPPED: r->skipped++; break;
    }
    r->reused += p->reused;
    if (p->state != DG_DONE) return;
    r->rows_in += p->rows_in;
    r->rows_out += p->rows_out;
    r->bytes_in += p->bytes_in;
    r->bytes_out += p->bytes_out;
}

/* Rates over the job's run time; the ETA from the latest run's pace of partitions done. */
static void st_rates(zest_status_report *r, const struct digest *d) {
    r->rows_per_s = r->mb_per_s = r->eta_s = -1;
    if (r->elapsed_s > 0) {
        r->rows_per_s = (double)r->rows_in / r->elapsed_s;
        r->mb_per_s = (double)r->bytes_in / 1e6 / r->elapsed_s;
    }
    const struct dg_run *run = digest_last_run(d);
    if (strcmp(r->state, "running") != 0 || !run) return;
    int64_t done_now = 0;
    for (size_t i = 0; i < d->parts.n; i++) {
        const struct dg_part *p = &d->parts.v[i];
        done_now += p->state == DG_DONE && !p->reused && p->t0 >= run->t0;
    }
    const double secs = run->t1 - run->t0;
    const int64_t left = r->partitions - r->done - r->skipped;
    if (done_now > 0 && secs > 0) r->eta_s = left > 0 ? (double)left * secs / (double)done_now : 0;
}

static int st_build(zest_status_report *r, const struct digest *d) {
    st_copy(r->job_id, sizeof r->job_id, d->job_id);
    st_copy(r->job_dir, sizeof r->job_dir, d->job_dir);
    st_copy(r->state, sizeof r->state, digest_state(d));
    r->started = d->runs.n ? d->runs.v[0].t0 : d->first_t;
    r->updated = d->last_t;
    r->elapsed_s = digest_run_seconds(d);
    r->runs = (int)d->runs.n;
    r->retries = d->retries;
    const int64_t n = d->planned > (int64_t)d->parts.n ? d->planned : (int64_t)d->parts.n;
    r->partitions = n;
    r->n_partitions = (size_t)n;
    if (n && !(r->partition = calloc((size_t)n, sizeof *r->partition))) return ZEST_E_NOMEM;
    static const struct dg_part unseen = {.state = DG_PENDING};
    for (int64_t i = 0; i < n; i++) {
        const struct dg_part *p = (size_t)i < d->parts.n ? &d->parts.v[i] : &unseen;
        st_partition(&r->partition[i], p, i);
        st_count(r, p);
    }
    const struct dg_run *run = digest_last_run(d);
    if (run && run->failed) st_copy(r->error, sizeof r->error, run->error);
    st_checkpoints(d->job_dir, &r->checkpoints, &r->checkpoint_bytes);
    st_rates(r, d);
    return 0;
}

int zest_generate_status_report(const char *job_dir, zest_status_report **out, zest_error *err) {
    *out = NULL;
    struct digest d;
    ZEST_TRY(digest_load(&d, job_dir, err));
    zest_status_report *r = calloc(1, sizeof *r);
    int rc = r ? st_build(r, &d) : ZEST_E_NOMEM;
    digest_free(&d);
    if (rc) {
        zest_status_report_destroy(r);
        return err_set(err, rc, "%s: out of memory", job_dir);
    }
    *out = r;
    return 0;
}

void zest_status_report_destroy(zest_status_report *r) {
    if (!r) return;
    free(r->partition);
    free(r);
}

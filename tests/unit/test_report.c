/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_report.c - the status report and the performance summary computed from an event log
 * written here by hand, so every figure is known: op totals and shares, the median and the
 * straggler, worker busy time and idle share, retries, states, and which findings fire.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner.h"
#include "zest.h"

#define T0 1796317200.0

struct log {
    char path[1200];
    int next_id;
};

/* Appends one event: the fields after event_type are given as JSON text. */
static void ev(struct log *l, const char *type, double t, const char *fmt, ...) {
    char fields[1024] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fields, sizeof fields, fmt, ap);
    va_end(ap);
    FILE *f = fopen(l->path, "a");
    ASSERT(f);
    fprintf(f,
            "{\"event_id\":%d,\"job_id\":\"j1\",\"event_type\":\"%s\",\"level\":\"INFO\","
            "\"timestamp\":%.6f,\"message\":\"m\"%s%s}\n",
            ++l->next_id, type, T0 + t, fields[0] ? "," : "", fields);
    fclose(f);
}

static const char *new_job(struct log *l) {
    const char *job = test_tmpdir();
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/events", job);
    ASSERT_EQ(mkdir(dir, 0755), 0);
    snprintf(l->path, sizeof l->path, "%s/events.jsonl", dir);
    l->next_id = 0;
    return job;
}

/* Ops a (0.2 s) then b (0.6 s) on partition p by worker w, from t. */
static void ops(struct log *l, int p, int w, double t) {
    ev(l, "operation_complete", t + 0.2,
       "\"partition_id\":%d,\"operation_name\":\"a\",\"operation_idx\":0,\"worker\":%d,"
       "\"duration\":0.2,\"metadata\":{\"rows_in\":100,\"rows_out\":100,\"bytes_in\":10000,"
       "\"bytes_out\":10000}",
       p, w);
    ev(l, "operation_complete", t + 0.8,
       "\"partition_id\":%d,\"operation_name\":\"b\",\"operation_idx\":1,\"worker\":%d,"
       "\"duration\":0.6,\"metadata\":{\"rows_in\":100,\"rows_out\":80,\"bytes_in\":10000,"
       "\"bytes_out\":8000}",
       p, w);
    ev(l, "checkpoint_save", t + 0.9, "\"partition_id\":%d,\"operation_idx\":1,\"duration\":0.1", p);
}

static void part_start(struct log *l, int p, int w, int attempt, double t) {
    ev(l, "partition_start", t, "\"partition_id\":%d,\"attempt\":%d,\"worker\":%d", p, attempt, w);
}

static void part_done(struct log *l, int p, int w, int attempt, double t, double secs) {
    ev(l, "partition_complete", t,
       "\"partition_id\":%d,\"attempt\":%d,\"worker\":%d,\"duration\":%.3f,\"metadata\":"
       "{\"rows_in\":100,\"rows_out\":80,\"bytes_in\":10000,\"bytes_out\":8000,\"cpu_s\":%.3f}",
       p, attempt, w, secs, secs * 0.7);
}

/* Four partitions on two workers over 6 s: partition 2 fails once and is retried, partition 3
 * takes 4 s (the median is 1 s). */
static const char *known_job(struct log *l, bool ended) {
    const char *job = new_job(l);
    ev(l, "processing_start", 0, "\"metadata\":{\"np\":2,\"ops\":[\"a\",\"b\"]}");
    ev(l, "info", 0, "\"metadata\":{\"partitions\":4,\"rows_per_partition\":100}");
    part_start(l, 0, 0, 1, 0);
    part_start(l, 1, 1, 1, 0);
    ops(l, 0, 0, 0);
    ops(l, 1, 1, 0);
    part_done(l, 0, 0, 1, 1.0, 1.0);
    part_done(l, 1, 1, 1, 1.0, 1.0);
    part_start(l, 2, 0, 1, 1.0);
    part_start(l, 3, 1, 1, 1.0);
    ev(l, "partition_error", 1.5,
       "\"partition_id\":2,\"attempt\":1,\"worker\":0,\"duration\":0.5,\"error_message\":"
       "\"boom\",\"metadata\":{\"cpu_s\":0.35}");
    ev(l, "partition_retry", 1.5, "\"partition_id\":2,\"attempt\":2");
    part_start(l, 2, 0, 2, 1.6);
    ops(l, 2, 0, 1.6);
    part_done(l, 2, 0, 2, 2.6, 1.0);
    ops(l, 3, 1, 4.0);
    if (!ended) return job;
    part_done(l, 3, 1, 1, 5.0, 4.0);
    ev(l, "resource_usage", 5.5,
       "\"resource_usage\":{\"rss_mb\":10,\"peak_rss_mb\":30,\"cpu_user_s\":4,\"cpu_sys_s\":1,"
       "\"bytes_read\":40000,\"bytes_written\":32000}");
    ev(l, "processing_complete", 6.0, "\"duration\":6.0,\"metadata\":{\"partitions\":4}");
    return job;
}

static const zest_finding *finding(const zest_perf_summary *s, const char *kind) {
    for (size_t i = 0; i < s->n_findings; i++)
        if (!strcmp(s->findings[i].kind, kind)) return &s->findings[i];
    return NULL;
}

static bool near(double a, double b) { return fabs(a - b) < 1e-6; }

TEST(summary_figures_of_a_known_log) {
    struct log l;
    const char *job = known_job(&l, true);
    zest_perf_summary *s = NULL;
    zest_error err;
    if (zest_get_performance_summary(job, NULL, &s, &err)) TEST_FAIL("%s", err.msg);
    ASSERT_STR_EQ(s->state, "complete");
    ASSERT(near(s->wall_s, 6.0));
    ASSERT_EQ(s->partitions, 4);
    ASSERT_EQ(s->n_ops, 2);
    ASSERT_EQ(s->ops[1].runs, 4);
    ASSERT(near(s->ops[0].total_s, 0.8) && near(s->ops[1].total_s, 2.4));
    ASSERT(near(s->ops[1].share, 0.75));
    ASSERT(near(s->ops[1].selectivity, 0.8));
    ASSERT(near(s->ops[1].rows_per_s, 400 / 2.4));
    ASSERT_EQ(s->rows_in, 400);
    ASSERT_EQ(s->rows_out, 320);
    ASSERT(near(s->median_partition_s, 1.0));
    for (size_t i = 0; i < 4; i++) ASSERT_EQ(s->partition[i].straggler, i == 3);
    ASSERT_EQ(s->partition[2].attempts, 2);
    ASSERT_EQ(s->retries, 1);
    ASSERT(near(s->worker[0].busy_s, 2.5) && near(s->worker[1].busy_s, 5.0));
    ASSERT(near(s->peak_rss_mb, 30) && near(s->cpu_user_s, 4) && s->bytes_read == 40000);
    ASSERT_EQ(s->n_spans, 5 + 8); /* five attempts, two ops on four partitions */
    zest_perf_summary_destroy(s);
}

TEST(findings_of_a_known_log) {
    struct log l;
    const char *job = known_job(&l, true);
    zest_perf_summary *s = NULL;
    zest_error err;
    if (zest_get_performance_summary(job, NULL, &s, &err)) TEST_FAIL("%s", err.msg);
    const zest_finding *f = finding(s, "dominant_op");
    ASSERT(f && !strcmp(f->config_key, "process.1.b") && near(f->value, 0.75));
    ASSERT_CONTAINS(f->message, "b takes 75% of the op time (2.40 s of 3.20 s");
    f = finding(s, "stragglers");
    ASSERT(f && !strcmp(f->config_key, "partition_size"));
    ASSERT_CONTAINS(f->message, "partition 3, took 4.000 s on worker 1");
    f = finding(s, "load_imbalance"); /* busy 7.5 s of 2 x 6 s: idle 37.5%, 4 < 4 x 2 partitions */
    ASSERT(f && !strcmp(f->config_key, "partition_size") && near(f->value, 0.375));
    ASSERT(finding(s, "retries"));
    ASSERT(!finding(s, "cpu_bound") && !finding(s, "io_bound")); /* CPU 70% of busy time */
    ASSERT(!finding(s, "checkpoint_overhead") && !finding(s, "partitions_too_small"));
    zest_perf_summary_destroy(s);
}

TEST(op_filter_keeps_one_op_or_names_them_all) {
    struct log l;
    const char *job = known_job(&l, true);
    zest_perf_summary *s = NULL;
    zest_error err;
    ASSERT_EQ(zest_get_performance_summary(job, "b", &s, &err), 0);
    ASSERT(s->n_ops == 1 && !strcmp(s->ops[0].name, "b") && !strcmp(s->op_filter, "b"));
    zest_perf_summary_destroy(s);
    ASSERT_EQ(zest_get_performance_summary(job, "c", &s, &err), ZEST_E_NOTFOUND);
    ASSERT(s == NULL);
    ASSERT_CONTAINS(err.msg, "no op 'c' (its ops: a, b)");
}

TEST(status_of_a_known_log) {
    struct log l;
    const char *job = known_job(&l, true);
    zest_status_report *r = NULL;
    zest_error err;
    if (zest_generate_status_report(job, &r, &err)) TEST_FAIL("%s", err.msg);
    ASSERT_STR_EQ(r->state, "complete");
    ASSERT(r->partitions == 4 && r->done == 4 && r->pending == 0 && r->running == 0);
    ASSERT_EQ(r->retries, 1);
    ASSERT(r->rows_in == 400 && r->rows_out == 320 && r->bytes_in == 40000);
    ASSERT(near(r->rows_per_s, 400 / 6.0));
    ASSERT(r->eta_s < 0); /* not running */
    ASSERT_EQ(r->partition[2].attempts, 2);
    ASSERT_STR_EQ(r->partition[2].error, ""); /* the retry succeeded */
    char *json = NULL;
    ASSERT_EQ(zest_status_report_json(r, &json, &err), 0);
    ASSERT_CONTAINS(json, "\"counts\":{\"done\":4,\"running\":0,\"pending\":0,\"retrying\":0,"
                          "\"failed\":0,\"skipped\":0,\"reused\":0}");
    ASSERT_CONTAINS(json, "\"eta_s\":null");
    free(json);
    zest_status_report_destroy(r);
}

TEST(a_log_that_stops_mid_run_is_interrupted) {
    struct log l;
    const char *job = known_job(&l, false); /* partition 3 never ends, nobody holds the lock */
    zest_status_report *r = NULL;
    zest_error err;
    if (zest_generate_status_report(job, &r, &err)) TEST_FAIL("%s", err.msg);
    ASSERT_STR_EQ(r->state, "interrupted");
    ASSERT(r->done == 3 && r->running == 0 && r->pending == 1);
    ASSERT_STR_EQ(r->partition[3].state, "pending");
    zest_status_report_destroy(r);
}

TEST(a_failed_attempt_is_retrying_until_its_next_one) {
    struct log l;
    const char *job = new_job(&l);
    ev(&l, "processing_start", 0, "\"metadata\":{\"np\":1,\"ops\":[\"a\"]}");
    part_start(&l, 0, 0, 1, 0);
    ev(&l, "partition_error", 0.5, "\"partition_id\":0,\"attempt\":1,\"error_message\":\"disk\"");
    ev(&l, "partition_retry", 0.5, "\"partition_id\":0,\"attempt\":2");
    zest_status_report *r = NULL;
    zest_error err;
    if (zest_generate_status_report(job, &r, &err)) TEST_FAIL("%s", err.msg);
    ASSERT(r->retrying == 1 && r->retries == 1);
    ASSERT_STR_EQ(r->partition[0].error, "disk");
    zest_status_report_destroy(r);
}

TEST(no_event_log_is_notfound) {
    zest_status_report *r = NULL;
    zest_error err;
    ASSERT_EQ(zest_generate_status_report(test_tmpdir(), &r, &err), ZEST_E_NOTFOUND);
    ASSERT(r == NULL);
}

TEST(renderings_of_a_large_job_are_whole) {
    struct log l;
    const char *job = new_job(&l);
    ev(&l, "processing_start", 0, "\"metadata\":{\"np\":4,\"ops\":[\"a\",\"b\"]}");
    for (int p = 0; p < 600; p++) {
        part_start(&l, p, p % 4, 1, p * 0.01);
        ops(&l, p, p % 4, p * 0.01);
        part_done(&l, p, p % 4, 1, p * 0.01 + 1.0, 1.0);
    }
    ev(&l, "processing_complete", 7.0, "\"metadata\":{\"partitions\":600}");
    zest_perf_summary *s = NULL;
    zest_status_report *r = NULL;
    zest_error err;
    char *json = NULL, *sjson = NULL, *html = NULL;
    if (zest_get_performance_summary(job, NULL, &s, &err)) TEST_FAIL("%s", err.msg);
    if (zest_perf_summary_json(s, &json, &err)) TEST_FAIL("%s", err.msg);
    if (zest_perf_summary_html(s, &html, &err)) TEST_FAIL("%s", err.msg);
    if (zest_generate_status_report(job, &r, &err)) TEST_FAIL("%s", err.msg);
    if (zest_status_report_json(r, &sjson, &err)) TEST_FAIL("%s", err.msg);
    ASSERT(strlen(json) > 100000 && strlen(sjson) > 50000 && strlen(html) > 100000);
    ASSERT_CONTAINS(json, "{\"id\":599,\"state\":\"done\"");
    ASSERT_CONTAINS(sjson, "{\"id\":599,\"state\":\"done\"");
    ASSERT_CONTAINS(html, "data-partition=\"599\"");
    ASSERT(json[strlen(json) - 1] == '}' && sjson[strlen(sjson) - 1] == '}');
    free(json);
    free(sjson);
    free(html);
    zest_status_report_destroy(r);
    zest_perf_summary_destroy(s);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_progress.c - zest_run's on_progress callback on real files: ticks while the run goes
 * (slowed down by an injected delay), counts that only grow, exactly one final call, and
 * final totals that match the input and the summary; also with event logging off, with a
 * skipped partition and retries, and when the run fails before it starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "zest.h"

#define ROWS 2000

struct seen {
    int calls, finals, after_final;
    int64_t last_finished;
    int monotonic, running_ok, eta_ok;
    zest_progress last;
};

static void on_progress(const zest_progress *p, void *user) {
    struct seen *s = user;
    const int64_t finished = p->partitions_done + p->partitions_skipped + p->partitions_failed;
    if (s->finals) s->after_final++;
    s->calls++;
    s->finals += p->final;
    if (finished < s->last_finished) s->monotonic = 0;
    s->last_finished = finished;
    if (p->partitions_running < 0 || p->partitions_running > 2) s->running_ok = 0;
    if (!(p->eta_s == -1 || p->eta_s >= 0)) s->eta_ok = 0;
    s->last = *p;
}

/* Writes ROWS records and a config reading them in partitions of 250 rows on 2 workers;
 * returns the loaded config. */
static zest_config *setup(const char *extra) {
    const char *dir = test_tmpdir();
    char path[4200], line[200];
    snprintf(path, sizeof path, "%s/in.jsonl", dir);
    FILE *f = fopen(path, "w");
    ASSERT(f);
    for (int i = 0; i < ROWS; i++) {
        snprintf(
            line, sizeof line,
            "{\"text\":\"record %d, long enough for the length filter of fifty code points\"}\n",
            i);
        fputs(line, f);
    }
    fclose(f);
    char cfg[9000];
    const int n = snprintf(cfg, sizeof cfg,
                           "dataset_path: '%s/in.jsonl'\nexport_path: '%s/out.jsonl'\n"
                           "np: 2\npartition_size: 250\n%s\nprocess:\n"
                           "  - whitespace_normalization_mapper:\n"
                           "  - text_length_filter:\n      min_len: 50\n",
                           dir, dir, extra);
    free(test_write_file(dir, "c.yaml", cfg, (size_t)n));
    snprintf(path, sizeof path, "%s/c.yaml", dir);
    zest_config *config = NULL;
    zest_error err;
    if (zest_config_load(path, NULL, 0, &config, &err)) TEST_FAIL("config: %s", err.msg);
    return config;
}

static int run(zest_config *config, struct seen *s, zest_run_summary **sum, zest_error *err) {
    memset(s, 0, sizeof *s);
    s->monotonic = s->running_ok = s->eta_ok = 1;
    const zest_run_options opts = {
        .on_progress = on_progress, .user = s, .progress_interval_s = 0.01};
    return zest_run(config, &opts, sum, err);
}

static void check_complete_run(const char *extra) {
    setenv("ZEST_FAULTS", "whitespace_normalization_mapper@*:delay=0.03", 1);
    zest_config *config = setup(extra);
    struct seen s;
    zest_run_summary *sum = NULL;
    zest_error err;
    const int rc = run(config, &s, &sum, &err);
    if (rc) TEST_FAIL("run: %s", err.msg);
    ASSERT_EQ(s.finals, 1);
    ASSERT_EQ(s.after_final, 0);
    ASSERT(s.calls >= 2); /* 8 partitions x 30 ms on 2 workers: ticks every 10 ms */
    ASSERT(s.monotonic && s.running_ok && s.eta_ok);
    ASSERT_EQ(s.last.final, 1);
    ASSERT_EQ(s.last.partitions_total, 8);
    ASSERT_EQ(s.last.partitions_done, 8);
    ASSERT_EQ(s.last.partitions_running, 0);
    ASSERT_EQ(s.last.partitions_skipped + s.last.partitions_failed + s.last.retries, 0);
    ASSERT_EQ(s.last.rows_read, ROWS);
    ASSERT_EQ(s.last.rows_written, sum->rows_written);
    ASSERT_EQ(s.last.bytes_read, sum->bytes_read);
    ASSERT_EQ(s.last.bytes_written, sum->bytes_written);
    ASSERT(s.last.elapsed_s > 0 && s.last.rows_per_s > 0 && s.last.mb_per_s > 0);
    ASSERT_DBL_EQ(s.last.eta_s, 0);
    zest_run_summary_destroy(sum);
    zest_config_destroy(config);
}

TEST(progress_ticks_then_one_final_call_with_the_input_totals) {
    check_complete_run("");
}

TEST(progress_works_with_event_logging_off) {
    check_complete_run("event_logging: {enabled: false}");
}

TEST(progress_counts_retries_and_a_skipped_partition) {
    setenv("ZEST_FAULTS", "text_length_filter@3:fail=always", 1);
    zest_config *config =
        setup("recovery: {enabled: true, max_retries: 2, retry_delay_seconds: 0.001}");
    struct seen s;
    zest_run_summary *sum = NULL;
    zest_error err;
    ASSERT_EQ(run(config, &s, &sum, &err), ZEST_E_PARTIAL);
    ASSERT_EQ(s.finals, 1);
    ASSERT_EQ(s.last.partitions_done, 7);
    ASSERT_EQ(s.last.partitions_skipped, 1);
    ASSERT_EQ(s.last.partitions_failed, 0);
    ASSERT_EQ(s.last.retries, 2);
    ASSERT_EQ(s.last.rows_read, sum->rows_read);
    zest_run_summary_destroy(sum);
    zest_config_destroy(config);
}

TEST(progress_final_call_also_when_the_run_fails) {
    setenv("ZEST_FAULTS", "text_length_filter@1:fail=always", 1);
    zest_config *config = setup("enable_fault_tolerance: false\nrecovery: {enabled: false}");
    struct seen s;
    zest_run_summary *sum = NULL;
    zest_error err;
    ASSERT_EQ(run(config, &s, &sum, &err), ZEST_E_FAULT);
    ASSERT_EQ(s.finals, 1);
    ASSERT_EQ(s.after_final, 0);
    ASSERT_EQ(s.last.partitions_total, 8);
    ASSERT_EQ(s.last.partitions_failed, 1);
    ASSERT(s.last.partitions_done < 8);
    ASSERT_DBL_EQ(s.last.eta_s, -1);
    zest_run_summary_destroy(sum);
    zest_config_destroy(config);
}

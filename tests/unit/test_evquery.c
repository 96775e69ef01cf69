/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_evquery.c - the reading side of the event log: zest_get_events over rotated, gzipped,
 * duplicated, torn and malformed logs written here by hand in the writer's format; every
 * filter; limit; the monitor following appends and rotations done by a writer thread; and
 * docs/events.md naming every event type.
 */
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../../src/events/event_types.h"
#include "../../src/events/evlock.h"
#include "runner.h"
#include "zest.h"

/* ------------------------------------------------------------------------ log writing */

#define T0 1796317200.0 /* 2026-12-03T17:00:00Z */

/* The line of event `id`: types, partitions, ops and levels vary with the id. */
static void ev_line(char *out, size_t cap, int id) {
    static const char *const types[] = {"operation_start", "operation_complete",
                                        "partition_error", "info"};
    static const char *const levels[] = {"INFO", "INFO", "ERROR", "DEBUG"};
    const int k = id % 4;
    snprintf(out, cap,
             "{\"event_id\":%d,\"job_id\":\"j1\",\"event_type\":\"%s\",\"level\":\"%s\","
             "\"timestamp\":%.6f,\"message\":\"event %d\",\"partition_id\":%d,"
             "\"operation_name\":\"%s\",\"duration\":%d.5}\n",
             id, types[k], levels[k], T0 + id, id, id % 3, id % 2 ? "op_a" : "op_b", id);
}

static void append_raw(const char *path, const char *data, size_t len) {
    const int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void append_events(const char *path, int from, int to) {
    char line[512];
    for (int id = from; id <= to; id++) {
        ev_line(line, sizeof line, id);
        append_raw(path, line, strlen(line));
    }
}

static void gzip_file(const char *src, const char *dst) {
    size_t len;
    char *data = test_read_file(src, &len);
    ASSERT(data);
    gzFile gz = gzopen(dst, "wb");
    ASSERT(gz);
    if (len) ASSERT_EQ(gzwrite(gz, data, (unsigned)len), (int)len);
    ASSERT_EQ(gzclose(gz), Z_OK);
    free(data);
}

static void gz_events(const char *path, int from, int to) {
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s.plain", path);
    unlink(tmp);
    append_events(tmp, from, to);
    gzip_file(tmp, path);
    unlink(tmp);
}

/* A job directory with an empty events/; returns the events path in `ev`. */
static const char *make_job(char *ev, size_t cap) {
    const char *job = test_tmpdir();
    snprintf(ev, cap, "%s/events", job);
    ASSERT_EQ(mkdir(ev, 0755), 0);
    return job;
}

static char *evpath(const char *evdir, const char *name) {
    static char buf[4][1100];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", evdir, name);
    return p;
}

/* ------------------------------------------------------------------------- collecting */

struct got {
    int64_t ids[4096];
    size_t n;
    size_t stop_after;
};

static int collect(const zest_event *ev, void *user) {
    struct got *g = user;
    ASSERT(g->n < 4096);
    g->ids[g->n++] = ev->event_id;
    return g->stop_after && g->n == g->stop_after;
}

static zest_event_filter any(void) {
    zest_event_filter f;
    memset(&f, 0, sizeof f);
    f.partition_id = -1;
    return f;
}

static void query(const char *job, const zest_event_filter *f, struct got *g, size_t *skipped) {
    zest_error err;
    g->n = 0;
    const int rc = zest_get_events(job, f, collect, g, skipped, &err);
    if (rc) TEST_FAIL("zest_get_events: %s", err.msg);
}

static void expect_range(const struct got *g, int from, int to) {
    ASSERT_EQ(g->n, (size_t)(to - from + 1));
    for (size_t i = 0; i < g->n; i++) ASSERT_EQ(g->ids[i], from + (int64_t)i);
}

/* ---------------------------------------------------------------------------- reading */

TEST(reads_rotated_gz_and_current_in_order) {
    char ev[1024];
    const char *job = make_job(ev, sizeof ev);
    gz_events(evpath(ev, "events.jsonl.3.gz"), 1, 3);
    gz_events(evpath(ev, "events.jsonl.2.gz"), 4, 6);
    gz_events(evpath(ev, "events.jsonl.1.gz"), 7, 9);
    append_events(evpath(ev, "events.jsonl"), 10, 12);
    zest_event_filter f = any();
    struct got g = {0};
    size_t skipped = 99;
    query(job, &f, &g, &skipped);
    expect_range(&g, 1, 12);
    ASSERT_EQ(skipped, 0);
}

static int check_generated(const zest_event *ev, void *user) {
    char line[512];
    ev_line(line, sizeof line, (int)ev->event_id);
    line[strlen(line) - 1] = '\0';
    ASSERT_STR_EQ(ev->json, line);
    ASSERT_STR_EQ(ev->event_type, "partition_error");
    ASSERT_STR_EQ(ev->level, "ERROR");
    ASSERT_STR_EQ(ev->message, "event 2");
    ASSERT_STR_EQ(ev->job_id, "j1");
    ASSERT_STR_EQ(ev->operation_name, "op_b");
    ASSERT_DBL_EQ(ev->timestamp, T0 + 2);
    ASSERT_DBL_EQ(ev->duration, 2.5);
    ASSERT_EQ(ev->partition_id, 2);
    ASSERT_EQ(ev->operation_idx, -1);
    ASSERT_EQ(ev->worker, -1);
    ASSERT_EQ(ev->attempt, -1);
    ASSERT_EQ(ev->pid, -1);
    ASSERT(ev->metadata == NULL && ev->host == NULL && ev->error_message == NULL);
    ++*(int *)user;
    return 0;
}

static int check_full(const zest_event *ev, void *user) {
    ASSERT_EQ(ev->event_id, 9);
    ASSERT_STR_EQ(ev->metadata, "{\"rows\":10,\"nested\":{\"a\":[1,2]}}");
    ASSERT_STR_EQ(ev->performance_metrics, "{\"rps\":1.5}");
    ASSERT(ev->resource_usage == NULL);
    ASSERT_STR_EQ(ev->error_message, "boom \"quoted\"");
    ASSERT_STR_EQ(ev->stack_trace, "line1\nline2");
    ASSERT_STR_EQ(ev->host, "node-1");
    ASSERT_EQ(ev->pid, 4242);
    ASSERT_EQ(ev->worker, 3);
    ASSERT_EQ(ev->attempt, 2);
    ASSERT_EQ(ev->operation_idx, 1);
    ASSERT(isnan(ev->duration));
    ASSERT_EQ(ev->partition_id, -1);
    ASSERT_DBL_EQ(ev->timestamp, 1796317209.000001);
    ++*(int *)user;
    return 0;
}

TEST(parses_every_field) {
    char ev[1024];
    const char *job = make_job(ev, sizeof ev);
    append_events(evpath(ev, "events.jsonl"), 1, 3);
    const char *full =
        "{\"event_id\":9,\"job_id\":\"j1\",\"event_type\":\"operation_error\",\"level\":\"ERROR\","
        "\"timestamp\":1796317209.000001,\"message\":\"failed\",\"operation_name\":\"op\","
        "\"operation_idx\":1,\"attempt\":2,\"worker\":3,\"error_message\":\"boom \\\"quoted\\\"\","
        "\"stack_trace\":\"line1\\nline2\",\"metadata\":{\"rows\":10,\"nested\":{\"a\":[1,2]}},"
        "\"performance_metrics\":{\"rps\":1.5},\"pid\":4242,\"host\":\"node-1\"}\n";
    append_raw(evpath(ev, "events.jsonl"), full, strlen(full));
    zest_error err;
    int seen = 0;
    zest_event_filter f = any();
    f.types = "operation_error";
    ASSERT_EQ(zest_get_events(job, &f, check_full, &seen, NULL, &err), 0);
    ASSERT_EQ(seen, 1);
    seen = 0;
    f.types = "partition_error";
    f.partition_id = 2;
    ASSERT_EQ(zest_get_events(job, &f, check_generated, &seen, NULL, &err), 0);
    ASSERT_EQ(seen, 1);
}

TEST(duplicates_after_crash_mid_rotation_delivered_once) {
    char ev[1024];
    const char *job = make_job(ev, sizeof ev);
    gz_events(evpath(ev, "events.jsonl.2.gz"), 1, 3);
    /* crash after compressing .1 but before unlinking it; a leftover temporary too */
    append_events(evpath(ev, "events.jsonl.1"), 4, 6);
    gz_events(evpath(ev, "events.jsonl.1.gz"), 4, 6);
    append_raw(evpath(ev, ".events.jsonl.1.gz.tmp"), "garbage", 7);
    append_events(evpath(ev, "events.jsonl"), 7, 8);
    zest_event_filter f = any();
    struct got g = {0};
    size_t skipped = 99;
    query(job, &f, &g, &skipped);
    expect_range(&g, 1, 8);
    ASSERT_EQ(skipped, 0);
}

TEST(pending_uncompressed_rotated_file_is_read) {
    char ev[1024];
    const char *job = make_job(ev, sizeof ev);
    gz_events(evpath(ev, "events.jsonl.2.gz"), 1, 3);
    append_events(evpath(ev, "events.jsonl.1"), 4, 6);
    append_events(evpath(ev, "events.jsonl"), 7, 7);
    zest_event_filter f = any();
    struct got g = {0};
    query(job, &f, &g, NULL);
    expect_range(&g, 1, 7);
}

TEST(torn_last_line_skipped_and_counted) {
    char ev[1024];
    const char *job = make_job(ev, sizeof ev);
    append_events(evpath(ev, "events.jsonl"), 1, 3);
    append_raw(evpath(ev, "events.jsonl"), "{\"event_id\":4,\"event_ty", 23);
    zest_event_filter f = any();
    struct got g = {0};
    size_t skipped = 0;
    query(job, &f, &g, &skipped);
    expect_range(&g, 1, 3);
    ASSERT_EQ(skipped, 1);
}

TEST(malformed_lines_skipped_and_counted) {
    char ev[1024];
    const char *job = make_job(ev, sizeof ev);
    const char *p = evpath(ev, "events.jsonl");
    append_events(p, 1, 2);
    const char *bad[] = {
        "not json\n",
        "{\"event_id\":3}\n",                                               /* fields missing */
        "{\"event_id\":4,\"event_type\":\"info\",\"level\":\"LOUD\",\"timestamp\":1.0}\n",
        "{\"event_id\":5,\"event_type\":\"info\",\"level\":\"INFO\",\"timestamp\":1.0,}\n",
        "{\"event_id\":6,\"event_type\":\"info\",\"level\":\"INFO\",\"timestamp\":\"x\"}\n",
        "\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) append_raw(p, bad[i], strlen(bad[i]));
    append_events(p, 7, 8);
    zest_event_filter f = any();
    struct got g = {0};
    size_t skipped = 0;
    query(job, &f, &g, &skipped);
    ASSERT_EQ(g.n, 4);
    ASSERT_EQ(g.ids[0], 1);
    ASSERT_EQ(g.ids[1], 2);
    ASSERT_EQ(g.ids[2], 7);
    ASSERT_EQ(g.ids[3], 8);
    ASSERT_EQ(skipped, 6);
}

/* ---------------------------------------------------------------------------- filters */

static const char *job_1_to_40(void) {
    char ev[1024];
    const char *job = make_job(ev, sizeof ev);
    gz_events(evpath(ev, "events.jsonl.1.gz"), 1, 20);
    append_events(evpath(ev, "events.jsonl"), 21, 40);
    return job;
}

TEST(filter_by_type_any_case) {
    const char *job = job_1_to_40();
    zest_event_filter f = any();
    struct got g = {0};
    f.types = "OPERATION_COMPLETE, partition_error";
    query(job, &f, &g, NULL);
    ASSERT_EQ(g.n, 20);
    for (size_t i = 0; i < g.n; i++) ASSERT(g.ids[i] % 4 == 1 || g.ids[i] % 4 == 2);
}

TEST(filter_by_partition_op_time_level) {
    const char *job = job_1_to_40();
    zest_event_filter f = any();
    struct got g = {0};
    f.partition_id = 0;
    query(job, &f, &g, NULL);
    ASSERT_EQ(g.n, 13);
    for (size_t i = 0; i < g.n; i++) ASSERT_EQ(g.ids[i] % 3, 0);

    f = any();
    f.op = "op_a";
    query(job, &f, &g, NULL);
    ASSERT_EQ(g.n, 20);
    for (size_t i = 0; i < g.n; i++) ASSERT_EQ(g.ids[i] % 2, 1);

    f = any();
    f.since = T0 + 10;
    f.until = T0 + 15;
    query(job, &f, &g, NULL);
    expect_range(&g, 10, 15);

    f = any();
    f.min_level = "warning";
    query(job, &f, &g, NULL);
    ASSERT_EQ(g.n, 10);
    for (size_t i = 0; i < g.n; i++) ASSERT_EQ(g.ids[i] % 4, 2);

    f = any();
    f.min_level = "INFO";
    query(job, &f, &g, NULL);
    ASSERT_EQ(g.n, 30); /* every DEBUG (id % 4 == 3) left out */
}

TEST(limit_keeps_the_most_recent_matches) {
    const char *job = job_1_to_40();
    zest_event_filter f = any();
    struct got g = {0};
    f.limit = 3;
    query(job, &f, &g, NULL);
    expect_range(&g, 38, 40);

    f.types = "partition_error";
    query(job, &f, &g, NULL);
    ASSERT_EQ(g.n, 3);
    ASSERT_EQ(g.ids[0], 30);
    ASSERT_EQ(g.ids[1], 34);
    ASSERT_EQ(g.ids[2], 38);

    f.limit = 1000;
    f.types = NULL;
    query(job, &f, &g, NULL);
    expect_range(&g, 1, 40);
}

/* ------------------------------------------------------------------------ MPI ranks */

/* Rank `rank`'s events 1..n at T0 + id + offset, in its own log. */
static void rank_events(const char *path, int rank, int from, int to, double offset) {
    char line[512];
    for (int id = from; id <= to; id++) {
        snprintf(line, sizeof line,
                 "{\"event_id\":%d,\"job_id\":\"j1\",\"event_type\":\"info\",\"level\":\"INFO\","
                 "\"timestamp\":%.6f,\"message\":\"r%d e%d\",\"partition_id\":%d,\"rank\":%d}\n",
                 id, T0 + id + offset, rank, id, id % 2, rank);
        append_raw(path, line, strlen(line));
    }
}

struct ranked {
    int rank[64];
    int64_t id[64];
    double ts[64];
    size_t n;
};

static int collect_ranked(const zest_event *ev, void *user) {
    struct ranked *r = user;
    ASSERT(r->n < 64);
    r->rank[r->n] = ev->rank;
    r->id[r->n] = ev->event_id;
    r->ts[r->n++] = ev->timestamp;
    return 0;
}

TEST(ranks_logs_merged_by_time) {
    char ev[1024], r1[1100], r2[1100];
    const char *job = make_job(ev, sizeof ev);
    snprintf(r1, sizeof r1, "%s/rank0001", ev);
    snprintf(r2, sizeof r2, "%s/rank0002", ev);
    ASSERT_EQ(mkdir(r1, 0755), 0);
    ASSERT_EQ(mkdir(r2, 0755), 0);
    rank_events(evpath(ev, "events.jsonl"), 0, 1, 10, 0);
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s/events.jsonl.1.gz.plain", r1); /* rank 1: rotated, then current */
    rank_events(tmp, 1, 1, 5, 0.5);
    snprintf(tmp, sizeof tmp, "%s/events.jsonl.1.gz", r1);
    char plain[1300];
    snprintf(plain, sizeof plain, "%s.plain", tmp);
    gzip_file(plain, tmp);
    unlink(plain);
    snprintf(tmp, sizeof tmp, "%s/events.jsonl", r1);
    rank_events(tmp, 1, 6, 10, 0.5);
    snprintf(tmp, sizeof tmp, "%s/events.jsonl", r2);
    rank_events(tmp, 2, 1, 10, 0.0); /* ties with rank 0: rank 0 first */
    zest_event_filter f = any();
    struct ranked r = {0};
    zest_error err;
    ASSERT_EQ(zest_get_events(job, &f, collect_ranked, &r, NULL, &err), 0);
    ASSERT_EQ(r.n, 30);
    for (size_t i = 1; i < r.n; i++) ASSERT(r.ts[i - 1] <= r.ts[i]);
    ASSERT_EQ(r.rank[0], 0);
    ASSERT_EQ(r.rank[1], 2);
    ASSERT_EQ(r.rank[2], 1);
    ASSERT_EQ(r.id[2], 1);

    r.n = 0; /* the newest 4 of all ranks */
    f.limit = 4;
    ASSERT_EQ(zest_get_events(job, &f, collect_ranked, &r, NULL, &err), 0);
    ASSERT_EQ(r.n, 4);
    ASSERT_EQ(r.rank[0], 1);
    ASSERT_EQ(r.id[0], 9);
    ASSERT_EQ(r.rank[3], 1);
    ASSERT_EQ(r.id[3], 10);

    r.n = 0; /* filters apply to every rank */
    f.limit = 0;
    f.partition_id = 1;
    ASSERT_EQ(zest_get_events(job, &f, collect_ranked, &r, NULL, &err), 0);
    ASSERT_EQ(r.n, 15);
}

TEST(callback_stops_early) {
    const char *job = job_1_to_40();
    zest_event_filter f = any();
    struct got g = {0};
    g.stop_after = 5;
    zest_error err;
    ASSERT_EQ(zest_get_events(job, &f, collect, &g, NULL, &err), 0);
    expect_range(&g, 1, 5);
}

TEST(unknown_type_and_level_are_param_errors) {
    const char *job = job_1_to_40();
    zest_event_filter f = any();
    struct got g = {0};
    zest_error err;
    f.types = "operation_start,OPERATION_FINISHED";
    ASSERT_EQ(zest_get_events(job, &f, collect, &g, NULL, &err), ZEST_E_PARAM);
    ASSERT_CONTAINS(err.msg, "OPERATION_FINISHED");
    ASSERT_CONTAINS(err.msg, "processing_start");
    ASSERT_CONTAINS(err.msg, "partition_resume");
    ASSERT_EQ(g.n, 0);
    f = any();
    f.min_level = "LOUD";
    ASSERT_EQ(zest_get_events(job, &f, collect, &g, NULL, &err), ZEST_E_PARAM);
    ASSERT_CONTAINS(err.msg, "LOUD");
}

TEST(missing_job_or_events_dir_is_notfound) {
    zest_error err;
    struct got g = {0};
    ASSERT_EQ(zest_get_events("/nonexistent/zest-job", NULL, collect, &g, NULL, &err),
              ZEST_E_NOTFOUND);
    ASSERT_CONTAINS(err.msg, "/nonexistent/zest-job");
    const char *job = test_tmpdir();
    ASSERT_EQ(zest_get_events(job, NULL, collect, &g, NULL, &err), ZEST_E_NOTFOUND);
    ASSERT_CONTAINS(err.msg, "events");
    zest_event_monitor *m = NULL;
    ASSERT_EQ(zest_monitor_events(job, NULL, SIZE_MAX, &m, &err), ZEST_E_NOTFOUND);
    ASSERT(m == NULL);
    zest_monitor_close(NULL);
}

/* ---------------------------------------------------------------------------- monitor */

/* Takes events from the monitor until `last` arrives; checks each id is the next one. */
static void follow_until(zest_event_monitor *m, int64_t first, int64_t last) {
    zest_error err;
    zest_event e;
    int64_t want = first;
    while (want <= last) {
        const int rc = zest_monitor_next(m, 20.0, &e, &err);
        if (rc < 0) TEST_FAIL("zest_monitor_next: %s", err.msg);
        if (rc == 0) TEST_FAIL("timed out waiting for event %lld", (long long)want);
        if (e.event_id != want)
            TEST_FAIL("got event %lld, expected %lld", (long long)e.event_id, (long long)want);
        want++;
    }
}

struct writer {
    char ev[1024];
    int from, to;      /* ids to write */
    int per_file;      /* rotate after this many (0: never) */
    int pause_us;      /* between lines */
    int rotated;       /* rotated files so far */
};

/* Renames .k.gz to .k+1.gz, events.jsonl to .1, starts an empty events.jsonl, then
 * compresses .1 the way the writer does (tmp, rename) and unlinks it; every change to the
 * directory's entries under the rotation lock, as the writer does it. */
static void rotate(struct writer *w) {
    char a[1100], b[1100];
    int lock = evlock_take(w->ev, true);
    for (int k = w->rotated; k >= 1; k--) {
        snprintf(a, sizeof a, "%s/events.jsonl.%d.gz", w->ev, k);
        snprintf(b, sizeof b, "%s/events.jsonl.%d.gz", w->ev, k + 1);
        ASSERT_EQ(rename(a, b), 0);
    }
    snprintf(a, sizeof a, "%s/events.jsonl", w->ev);
    snprintf(b, sizeof b, "%s/events.jsonl.1", w->ev);
    ASSERT_EQ(rename(a, b), 0);
    append_raw(a, "", 0);
    evlock_drop(lock);
    snprintf(a, sizeof a, "%s/.events.jsonl.1.gz.tmp", w->ev);
    lock = evlock_take(w->ev, true); /* the tmp's name too is made under the lock */
    append_raw(a, "", 0);
    evlock_drop(lock);
    gzip_file(b, a);
    char c[1100];
    snprintf(c, sizeof c, "%s/events.jsonl.1.gz", w->ev);
    lock = evlock_take(w->ev, true);
    ASSERT_EQ(rename(a, c), 0);
    ASSERT_EQ(unlink(b), 0);
    evlock_drop(lock);
    w->rotated++;
}

static void *writer_main(void *arg) {
    struct writer *w = arg;
    char path[1100], line[512];
    snprintf(path, sizeof path, "%s/events.jsonl", w->ev);
    for (int id = w->from; id <= w->to; id++) {
        ev_line(line, sizeof line, id);
        const size_t len = strlen(line), half = id % 5 == 0 ? len / 2 : len;
        append_raw(path, line, half); /* every fifth line in two writes: torn for a while */
        if (half < len) {
            usleep(2000);
            append_raw(path, line + half, len - half);
        }
        if (w->pause_us) usleep((useconds_t)w->pause_us);
        if (w->per_file && id % w->per_file == 0) rotate(w);
    }
    return NULL;
}

static zest_event_monitor *monitor(const char *job, size_t backlog) {
    zest_event_monitor *m = NULL;
    zest_error err;
    zest_event_filter f = any();
    const int rc = zest_monitor_events(job, &f, backlog, &m, &err);
    if (rc) TEST_FAIL("zest_monitor_events: %s", err.msg);
    return m;
}

TEST(monitor_backlog_then_appended_events) {
    struct writer w = {.from = 6, .to = 120, .pause_us = 300};
    const char *job = make_job(w.ev, sizeof w.ev);
    append_events(evpath(w.ev, "events.jsonl"), 1, 5);
    zest_event_monitor *m = monitor(job, 2);
    follow_until(m, 4, 5);
    zest_event e;
    zest_error err;
    ASSERT_EQ(zest_monitor_next(m, 0, &e, &err), 0); /* nothing new yet */
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, writer_main, &w), 0);
    follow_until(m, 6, 120);
    pthread_join(t, NULL);
    ASSERT_EQ(zest_monitor_next(m, 0.1, &e, &err), 0);
    ASSERT_EQ(zest_monitor_skipped(m), 0);
    zest_monitor_close(m);
}

TEST(monitor_waits_for_the_log_file_to_appear) {
    struct writer w = {.from = 1, .to = 30, .pause_us = 100};
    const char *job = make_job(w.ev, sizeof w.ev);
    zest_event_monitor *m = monitor(job, SIZE_MAX);
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, writer_main, &w), 0);
    follow_until(m, 1, 30);
    pthread_join(t, NULL);
    zest_monitor_close(m);
}

TEST(monitor_follows_rotations_nothing_lost_or_repeated) {
    struct writer w = {.from = 11, .to = 400, .per_file = 37, .pause_us = 200};
    const char *job = make_job(w.ev, sizeof w.ev);
    append_events(evpath(w.ev, "events.jsonl"), 1, 10);
    zest_event_monitor *m = monitor(job, SIZE_MAX);
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, writer_main, &w), 0);
    follow_until(m, 1, 400);
    pthread_join(t, NULL);
    zest_event e;
    zest_error err;
    ASSERT_EQ(zest_monitor_next(m, 0.2, &e, &err), 0);
    ASSERT_EQ(zest_monitor_skipped(m), 0);
    zest_monitor_close(m);
}

TEST(monitor_catches_up_over_several_unseen_rotations) {
    /* no pauses: several rotations happen between two polls */
    struct writer w = {.from = 1, .to = 600, .per_file = 25};
    const char *job = make_job(w.ev, sizeof w.ev);
    append_raw(evpath(w.ev, "events.jsonl"), "", 0);
    zest_event_monitor *m = monitor(job, SIZE_MAX);
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, writer_main, &w), 0);
    follow_until(m, 1, 600);
    pthread_join(t, NULL);
    zest_monitor_close(m);
}

TEST(monitor_filters) {
    struct writer w = {.from = 21, .to = 60, .per_file = 13};
    const char *job = make_job(w.ev, sizeof w.ev);
    append_events(evpath(w.ev, "events.jsonl"), 1, 20);
    zest_event_monitor *m = NULL;
    zest_error err;
    zest_event_filter f = any();
    f.types = "PARTITION_ERROR";
    ASSERT_EQ(zest_monitor_events(job, &f, SIZE_MAX, &m, &err), 0);
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, writer_main, &w), 0);
    zest_event e;
    for (int64_t want = 2; want <= 58; want += 4) {
        ASSERT_EQ(zest_monitor_next(m, 20.0, &e, &err), 1);
        ASSERT_EQ(e.event_id, want);
        ASSERT_STR_EQ(e.event_type, "partition_error");
    }
    pthread_join(t, NULL);
    ASSERT_EQ(zest_monitor_next(m, 0.1, &e, &err), 0);
    zest_monitor_close(m);
}

/* ------------------------------------------------------------------------------- docs */

TEST(docs_name_every_event_type) {
    static const char *const names[] = {
#define XX(e, name, level) name,
        EVENT_TYPE_MAP(XX)
#undef XX
    };
    size_t len;
    char *doc = test_read_file("docs/events.md", &len);
    if (!doc) TEST_FAIL("docs/events.md not found (run from the project root)");
    char heading[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(heading, sizeof heading, "### `%s`", names[i]);
        if (!strstr(doc, heading)) TEST_FAIL("docs/events.md has no section \"%s\"", heading);
    }
    free(doc);
}

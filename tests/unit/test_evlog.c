/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_evlog.c - the event logger: type and level names, the level filter, exact line
 * format, many emitting threads, rotation and retention, reopen (ids continue, torn line
 * cut), crashes at every rotation step (forked children that _exit(9) through the
 * ZEST_EVLOG_CRASH_AT hook), enabled=false. Reads rotated files back with zlib.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "../../src/common/buf.h"
#include "../../src/events/evlog.h"
#include "../../src/io/json.h"
#include "runner.h"

/* ---- helpers ------------------------------------------------------------------------- */

static char *path_in(const char *dir, const char *name) {
    static char p[8][4096];
    static int k;
    char *out = p[k++ % 8];
    const size_t n = strlen(dir);
    if (n + 1 + strlen(name) >= sizeof p[0]) TEST_FAIL("path too long: %s/%s", dir, name);
    memcpy(out, dir, n);
    out[n] = '/';
    memcpy(out + n + 1, name, strlen(name) + 1);
    return out;
}

static bool file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static struct evlog_config config(const char *dir) {
    const struct evlog_config c = {
        .dir = dir,
        .job_id = "job-1",
        .enabled = true,
        .min_level = EVLOG_DEBUG,
        .max_log_size_mb = 0,
        .backup_count = 3,
        .flush_interval_s = 1,
        .ring_events = 16,
    };
    return c;
}

static struct evlog *open_log(const struct evlog_config *c) {
    struct evlog *log = NULL;
    zest_error err;
    zest_error_clear(&err);
    const int rc = evlog_open(c, &log, &err);
    if (rc) TEST_FAIL("evlog_open: %s", err.msg);
    return log;
}

static void close_log(struct evlog *log) {
    zest_error err;
    zest_error_clear(&err);
    const int rc = evlog_close(log, &err);
    if (rc) TEST_FAIL("evlog_close: %s", err.msg);
}

static void emit_info(struct evlog *log, const char *msg) {
    struct evlog_event ev = EVLOG_EVENT(INFO);
    ev.message = msg;
    ASSERT_EQ(evlog_emit(log, &ev), 0);
}

/* All lines of a log, oldest file first. */
struct lines {
    char **v;
    size_t n, cap;
};

static void lines_add(struct lines *l, const char *s, size_t n) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        ASSERT(l->v);
    }
    char *c = malloc(n + 1);
    ASSERT(c);
    memcpy(c, s, n);
    c[n] = '\0';
    l->v[l->n++] = c;
}

static void lines_free(struct lines *l) {
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Splits text into lines; every line must end with '\n'. */
static void split_lines(struct lines *l, const char *text, size_t n, const char *what) {
    if (n && text[n - 1] != '\n') TEST_FAIL("%s does not end with a newline", what);
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(text + i, '\n', n - i);
        lines_add(l, text + i, (size_t)(nl - (text + i)));
        i = (size_t)(nl - text) + 1;
    }
}

static char *gunzip_file(const char *path, size_t *len) {
    gzFile gz = gzopen(path, "rb");
    if (!gz) TEST_FAIL("cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    char *data = malloc(cap);
    int got;
    while ((got = gzread(gz, data + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)got;
        if (n == cap) data = realloc(data, cap *= 2);
    }
    if (got < 0) TEST_FAIL("gunzip %s failed", path);
    gzclose(gz);
    *len = n;
    return data;
}

/* Reads every file of the log: N.gz .. 1.gz, a pending events.jsonl.1, events.jsonl. */
static void read_log(const char *dir, int max_backups, struct lines *l, int *n_gz) {
    char name[64];
    *n_gz = 0;
    for (int k = max_backups + 5; k >= 1; k--) {
        snprintf(name, sizeof name, "events.jsonl.%d.gz", k);
        if (!file_exists(path_in(dir, name))) continue;
        size_t n;
        char *text = gunzip_file(path_in(dir, name), &n);
        split_lines(l, text, n, name);
        free(text);
        (*n_gz)++;
    }
    const char *plain[] = {"events.jsonl.1", "events.jsonl"};
    for (int i = 0; i < 2; i++) {
        if (!file_exists(path_in(dir, plain[i]))) continue;
        size_t n;
        char *text = test_read_file(path_in(dir, plain[i]), &n);
        split_lines(l, text, n, plain[i]);
        free(text);
    }
}

static int64_t line_id(const char *line) {
    const char *p = "{\"event_id\":";
    if (strncmp(line, p, strlen(p)) != 0) TEST_FAIL("line without event_id first: %s", line);
    return strtoll(line + strlen(p), NULL, 10);
}

static void assert_json_object(const char *line) {
    struct json_cursor c;
    json_cursor_init(&c, line, strlen(line));
    if (line[0] != '{' || json_skip_value(&c) != 0 || json_expect_end(&c) != 0)
        TEST_FAIL("not a JSON object: %s", line);
}

static char *expected_tail(void) {
    static char tail[512];
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    snprintf(tail, sizeof tail, ",\"rank\":0,\"pid\":%ld,\"host\":\"%s\"}", (long)getpid(), host);
    return tail;
}

/* ---- names and the filter ------------------------------------------------------------ */

TEST(evlog_type_names_round_trip) {
    for (int t = 0; t < EVT_N_TYPES; t++) {
        const char *name = evlog_type_name((enum evlog_type)t);
        ASSERT(name);
        ASSERT_EQ(evlog_type_from_name(name), t);
        char upper[64];
        size_t i = 0;
        for (; name[i]; i++)
            upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
        upper[i] = '\0';
        ASSERT_EQ(evlog_type_from_name(upper), t);
    }
    ASSERT(evlog_type_name(EVT_N_TYPES) == NULL);
    ASSERT_EQ(evlog_type_from_name("no_such_type"), -1);
    ASSERT_EQ(evlog_type_from_name(NULL), -1);
    ASSERT_STR_EQ(evlog_type_name(EVT_PARTITION_RETRY), "partition_retry");
    for (int l = EVLOG_DEBUG; l <= EVLOG_ERROR; l++)
        ASSERT_EQ(evlog_level_from_name(evlog_level_name((enum evlog_level)l)), l);
    ASSERT_EQ(evlog_level_from_name("warning"), EVLOG_WARNING);
    ASSERT_EQ(evlog_level_from_name("LOUD"), -1);
    ASSERT_EQ(evlog_event_init(EVT_PARTITION_SKIP).level, EVLOG_ERROR);
    ASSERT_EQ(EVLOG_EVENT(DEBUG).level, EVLOG_DEBUG);
}

TEST(evlog_level_filter) {
    struct evlog_config c = config(test_tmpdir());
    c.min_level = EVLOG_WARNING;
    struct evlog *log = open_log(&c);
    const enum evlog_type types[] = {EVT_DEBUG, EVT_INFO, EVT_WARNING, EVT_PROCESSING_ERROR};
    for (int i = 0; i < 4; i++) {
        struct evlog_event ev = evlog_event_init(types[i]);
        ASSERT_EQ(evlog_emit(log, &ev), 0);
    }
    evlog_flush(log);
    uint64_t emitted, written, filtered;
    evlog_counts(log, &emitted, &written, &filtered);
    ASSERT_EQ(emitted, 4);
    ASSERT_EQ(written, 2);
    ASSERT_EQ(filtered, 2);
    close_log(log);
    struct lines l = {0};
    int n_gz;
    read_log(test_tmpdir(), 3, &l, &n_gz);
    ASSERT_EQ(l.n, 2);
    ASSERT_CONTAINS(l.v[0], "\"event_id\":1,\"job_id\":\"job-1\",\"event_type\":\"warning\"");
    ASSERT_CONTAINS(l.v[1], "\"event_id\":2,\"job_id\":\"job-1\",\"event_type\":\"processing_"
                            "error\",\"level\":\"ERROR\"");
    lines_free(&l);
}

TEST(evlog_disabled_writes_nothing) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/events", test_tmpdir());
    struct evlog_config c = config(dir);
    c.enabled = false;
    struct evlog *log = open_log(&c);
    emit_info(log, "x");
    emit_info(log, "y");
    evlog_flush(log);
    uint64_t emitted, written, filtered;
    evlog_counts(log, &emitted, &written, &filtered);
    ASSERT_EQ(emitted, 2);
    ASSERT_EQ(written, 0);
    char *lines[4];
    ASSERT_EQ(evlog_recent(log, lines, 4), 0);
    close_log(log);
    ASSERT(!file_exists(dir));
    ASSERT_EQ(evlog_close(NULL, NULL), 0);
}

/* ---- the line format ----------------------------------------------------------------- */

TEST(evlog_fields_in_order_and_omitted) {
    struct evlog_config c = config(test_tmpdir());
    struct evlog *log = open_log(&c);
    struct evlog_event full = EVLOG_EVENT(OPERATION_COMPLETE);
    full.timestamp = 1764777600.123456;
    full.message = "done \"x\"";
    full.partition_id = 3;
    full.operation_name = "clean";
    full.operation_idx = 2;
    full.attempt = 1;
    full.worker = 0;
    full.duration = 0.25;
    full.error_message = "e";
    full.stack_trace = "a\nb";
    full.metadata = "{\"rows\": 10,\n \"x\": [1, {\"y\": null}]}";
    full.resource_usage = "{\"rss\":1}";
    full.performance_metrics = "{\"eps\":2.5e3}";
    ASSERT_EQ(evlog_emit(log, &full), 0);
    struct evlog_event bare = EVLOG_EVENT(CHECKPOINT_SAVE);
    bare.timestamp = 1764777601.5;
    ASSERT_EQ(evlog_emit(log, &bare), 0);
    struct evlog_event odd = EVLOG_EVENT(WARNING);
    odd.timestamp = 2.0000005;
    odd.level = EVLOG_ERROR;
    odd.message = "bad \xC3(";
    odd.metadata = "{\"a\":1";
    odd.resource_usage = "[1]";
    odd.performance_metrics = "{}";
    odd.duration = 1e-7;
    ASSERT_EQ(evlog_emit(log, &odd), 0);
    close_log(log);

    char want[3][1024];
    const char *tail = expected_tail();
    snprintf(want[0], sizeof want[0],
             "{\"event_id\":1,\"job_id\":\"job-1\",\"event_type\":\"operation_complete\","
             "\"level\":\"INFO\",\"timestamp\":1764777600.123456,\"message\":\"done \\\"x\\\"\","
             "\"partition_id\":3,\"operation_name\":\"clean\",\"operation_idx\":2,"
             "\"attempt\":1,\"worker\":0,\"duration\":0.25,\"error_message\":\"e\","
             "\"stack_trace\":\"a\\nb\",\"metadata\":{\"rows\":10,\"x\":[1,{\"y\":null}]},"
             "\"resource_usage\":{\"rss\":1},\"performance_metrics\":{\"eps\":2.5e3}%s",
             tail);
    snprintf(want[1], sizeof want[1],
             "{\"event_id\":2,\"job_id\":\"job-1\",\"event_type\":\"checkpoint_save\","
             "\"level\":\"INFO\",\"timestamp\":1764777601.500000%s",
             tail);
    snprintf(want[2], sizeof want[2],
             "{\"event_id\":3,\"job_id\":\"job-1\",\"event_type\":\"warning\","
             "\"level\":\"ERROR\",\"timestamp\":2.000001,\"message\":\"bad \xEF\xBF\xBD(\","
             "\"duration\":1e-07,\"metadata\":\"{\\\"a\\\":1\",\"resource_usage\":\"[1]\","
             "\"performance_metrics\":{}%s",
             tail);
    struct lines l = {0};
    int n_gz;
    read_log(test_tmpdir(), 3, &l, &n_gz);
    ASSERT_EQ(l.n, 3);
    for (int i = 0; i < 3; i++) {
        ASSERT_STR_EQ(l.v[i], want[i]);
        assert_json_object(l.v[i]);
    }
    lines_free(&l);
}

/* The fast duration formatting must print exactly what json_write_double prints. */
TEST(evlog_duration_text_matches_json_write_double) {
    struct evlog_config c = config(test_tmpdir());
    struct evlog *log = open_log(&c);
    enum { N = 4000 };
    static double d[N];
    const double fixed[] = {0.25,       0.1, 1.0 / 3,       5.0,     -2.5, 1e-4,   9.99e-5,
                            123456.789, 1e9, 999999999.999, 0.00125, 1e-7, 2.5e15, 0.3 + 0.6};
    const size_t nf = sizeof fixed / sizeof *fixed;
    srand(7);
    for (int i = 0; i < N; i++) {
        const double scale = pow(10, (double)(rand() % 16) - 6);
        d[i] = (size_t)i < nf ? fixed[i]
               : i % 3        ? (double)(rand() % 100000) / 1000 * scale
                              : (double)rand() / RAND_MAX * scale;
        struct evlog_event ev = EVLOG_EVENT(OPERATION_COMPLETE);
        ev.duration = d[i];
        ASSERT_EQ(evlog_emit(log, &ev), 0);
    }
    close_log(log);
    struct lines l = {0};
    int n_gz;
    read_log(test_tmpdir(), 3, &l, &n_gz);
    ASSERT_EQ(l.n, N);
    struct buf want;
    buf_init(&want, 0);
    for (int i = 0; i < N; i++) {
        buf_clear(&want);
        ASSERT_EQ(json_write_double(&want, d[i]), 0);
        ASSERT_EQ(buf_putc(&want, '\0'), 0);
        const char *got = strstr(l.v[i], "\"duration\":");
        ASSERT(got);
        got += 11;
        const size_t n = strcspn(got, ",}");
        ASSERT_MEM_EQ(got, n, want.data, strlen(want.data));
    }
    buf_free(&want);
    lines_free(&l);
}

TEST(evlog_recent_and_flush) {
    struct evlog_config c = config(test_tmpdir());
    c.ring_events = 3;
    c.flush_interval_s = 3600; /* only evlog_flush makes the lines reach the file */
    struct evlog *log = open_log(&c);
    char msg[16];
    for (int i = 0; i < 5; i++) {
        snprintf(msg, sizeof msg, "m%d", i);
        emit_info(log, msg);
    }
    evlog_flush(log);
    size_t n;
    char *text = test_read_file(path_in(test_tmpdir(), "events.jsonl"), &n);
    struct lines l = {0};
    split_lines(&l, text, n, "events.jsonl");
    ASSERT_EQ(l.n, 5);
    char *recent[8];
    ASSERT_EQ(evlog_recent(log, recent, 8), 3);
    for (int i = 0; i < 3; i++) {
        ASSERT_STR_EQ(recent[i], l.v[i + 2]);
        free(recent[i]);
    }
    ASSERT_EQ(evlog_recent(log, recent, 1), 1);
    ASSERT_STR_EQ(recent[0], l.v[4]);
    free(recent[0]);
    free(text);
    lines_free(&l);
    close_log(log);
}

/* ---- many threads -------------------------------------------------------------------- */

#define N_THREADS 8
#define PER_THREAD 100000

struct emitter {
    struct evlog *log;
    int t;
};

static void *emitter_main(void *arg) {
    const struct emitter *e = arg;
    char meta[64];
    for (int i = 0; i < PER_THREAD; i++) {
        struct evlog_event ev = EVLOG_EVENT(PERFORMANCE_METRIC);
        snprintf(meta, sizeof meta, "{\"t\":%d,\"seq\":%d}", e->t, i);
        ev.metadata = meta;
        ev.worker = e->t;
        if (i % 5000 == 0) ev.stack_trace = "trace"; /* mixed record sizes */
        if (evlog_emit(e->log, &ev) != 0) return (void *)1;
    }
    return NULL;
}

TEST(evlog_many_threads_in_order) {
    struct evlog_config c = config(test_tmpdir());
    struct evlog *log = open_log(&c);
    pthread_t th[N_THREADS];
    struct emitter em[N_THREADS];
    for (int t = 0; t < N_THREADS; t++) {
        em[t] = (struct emitter){log, t};
        ASSERT_EQ(pthread_create(&th[t], NULL, emitter_main, &em[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++) {
        void *res;
        pthread_join(th[t], &res);
        ASSERT(res == NULL);
    }
    close_log(log);
    size_t n;
    char *text = test_read_file(path_in(test_tmpdir(), "events.jsonl"), &n);
    ASSERT(n > 0 && text[n - 1] == '\n');
    int next_seq[N_THREADS] = {0};
    int64_t id = 0;
    for (char *p = text; p < text + n;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        ASSERT_EQ(line_id(p), ++id);
        const char *m = strstr(p, "\"metadata\":{\"t\":");
        ASSERT(m);
        char *q;
        const long t = strtol(m + 16, &q, 10);
        ASSERT(t >= 0 && t < N_THREADS && strncmp(q, ",\"seq\":", 7) == 0);
        ASSERT_EQ(strtol(q + 7, NULL, 10), next_seq[t]);
        next_seq[t]++;
        if (id % 100003 == 1) assert_json_object(p);
        p = nl + 1;
    }
    ASSERT_EQ(id, N_THREADS * PER_THREAD);
    for (int t = 0; t < N_THREADS; t++)
        ASSERT_EQ(next_seq[t], PER_THREAD);
    free(text);
}

/* ---- rotation ------------------------------------------------------------------------ */

/* Checks that the retained ids are a contiguous run ending at `last`, in file order. */
static int64_t check_contiguous(const struct lines *l, int64_t last) {
    ASSERT(l->n > 0);
    const int64_t first = line_id(l->v[0]);
    for (size_t i = 0; i < l->n; i++) {
        ASSERT_EQ(line_id(l->v[i]), first + (int64_t)i);
        assert_json_object(l->v[i]);
    }
    ASSERT_EQ(first + (int64_t)l->n - 1, last);
    return first;
}

TEST(evlog_rotation_keeps_backup_count) {
    struct evlog_config c = config(test_tmpdir());
    c.max_log_size_mb = 0.01;
    c.backup_count = 3;
    struct evlog *log = open_log(&c);
    char msg[64];
    for (int i = 0; i < 3000; i++) {
        snprintf(msg, sizeof msg, "event number %d", i);
        emit_info(log, msg);
        if (i % 700 == 0) evlog_flush(log); /* rotations inside and across batches */
    }
    close_log(log);
    ASSERT(!file_exists(path_in(test_tmpdir(), "events.jsonl.1")));
    ASSERT(!file_exists(path_in(test_tmpdir(), "events.jsonl.4.gz")));
    struct lines l = {0};
    int n_gz;
    read_log(test_tmpdir(), 3, &l, &n_gz);
    ASSERT_EQ(n_gz, 3);
    const int64_t first = check_contiguous(&l, 3000);
    ASSERT(first > 1); /* older events were rotated out */
    struct stat st;
    ASSERT_EQ(stat(path_in(test_tmpdir(), "events.jsonl"), &st), 0);
    ASSERT(st.st_size <= (off_t)(0.01 * 1024 * 1024));
    lines_free(&l);
}

TEST(evlog_rotation_oversized_line_alone) {
    struct evlog_config c = config(test_tmpdir());
    c.max_log_size_mb = 0.001; /* 1048 bytes */
    c.backup_count = 5;
    struct evlog *log = open_log(&c);
    char *big = malloc(300000);
    memset(big, 'x', 299999);
    big[299999] = '\0';
    emit_info(log, "small 1");
    struct evlog_event ev = EVLOG_EVENT(OPERATION_ERROR);
    ev.stack_trace = big; /* bigger than a quarter ring: travels on the heap */
    ASSERT_EQ(evlog_emit(log, &ev), 0);
    emit_info(log, "small 2");
    close_log(log);
    free(big);
    struct lines l = {0};
    int n_gz;
    read_log(test_tmpdir(), 5, &l, &n_gz);
    check_contiguous(&l, 3);
    ASSERT_EQ(n_gz, 2);
    size_t n;
    char *gz = gunzip_file(path_in(test_tmpdir(), "events.jsonl.1.gz"), &n);
    ASSERT(n > 300000);
    ASSERT_EQ(line_id(gz), 2);
    free(gz);
    lines_free(&l);
}

TEST(evlog_backup_count_zero_truncates) {
    struct evlog_config c = config(test_tmpdir());
    c.max_log_size_mb = 0.01;
    c.backup_count = 0;
    struct evlog *log = open_log(&c);
    for (int i = 0; i < 1000; i++)
        emit_info(log, "filler filler filler");
    close_log(log);
    struct lines l = {0};
    int n_gz;
    read_log(test_tmpdir(), 3, &l, &n_gz);
    ASSERT_EQ(n_gz, 0);
    check_contiguous(&l, 1000);
    lines_free(&l);
}

/* ---- reopen -------------------------------------------------------------------------- */

TEST(evlog_reopen_continues_ids) {
    struct evlog_config c = config(test_tmpdir());
    for (int round = 0; round < 3; round++) {
        struct evlog *log = open_log(&c);
        for (int i = 0; i < 5; i++)
            emit_info(log, "again");
        close_log(log);
    }
    struct lines l = {0};
    int n_gz;
    read_log(test_tmpdir(), 3, &l, &n_gz);
    check_contiguous(&l, 15);
    lines_free(&l);
}

TEST(evlog_reopen_after_rotation_reads_gzip_tail) {
    struct evlog_config c = config(test_tmpdir());
    c.max_log_size_mb = 0.01;
    c.backup_count = 4;
    struct evlog *log = open_log(&c);
    for (int i = 0; i < 200; i++)
        emit_info(log, "some words to fill the file up");
    close_log(log);
    /* As if the crash came right after a rotation: an empty current file. */
    ASSERT_EQ(truncate(path_in(test_tmpdir(), "events.jsonl"), 0), 0);
    struct lines l = {0};
    int n_gz;
    read_log(test_tmpdir(), 4, &l, &n_gz);
    const int64_t last = line_id(l.v[l.n - 1]);
    lines_free(&l);
    log = open_log(&c);
    emit_info(log, "after");
    close_log(log);
    read_log(test_tmpdir(), 4, &l, &n_gz);
    ASSERT_EQ(line_id(l.v[l.n - 1]), last + 1);
    check_contiguous(&l, last + 1);
    lines_free(&l);
}

TEST(evlog_torn_line_cut_on_reopen) {
    struct evlog_config c = config(test_tmpdir());
    struct evlog *log = open_log(&c);
    emit_info(log, "one");
    emit_info(log, "two");
    close_log(log);
    const char *path = path_in(test_tmpdir(), "events.jsonl");
    size_t n0;
    free(test_read_file(path, &n0));
    FILE *f = fopen(path, "ab");
    ASSERT(f);
    fputs("{\"event_id\":3,\"job_id\":\"jo", f);
    fclose(f);
    log = open_log(&c);
    close_log(log);
    size_t n1;
    free(test_read_file(path, &n1));
    ASSERT_EQ(n1, n0);
    log = open_log(&c);
    emit_info(log, "three");
    close_log(log);
    struct lines l = {0};
    int n_gz;
    read_log(test_tmpdir(), 3, &l, &n_gz);
    check_contiguous(&l, 3);
    ASSERT_CONTAINS(l.v[2], "\"message\":\"three\"");
    lines_free(&l);
}

/* ---- crashes during rotation --------------------------------------------------------- */

/* Emits events 1..n with a tiny size limit and flushes (which rotates) in a child that dies
 * at `step`; then reopens, emits 50 more, and checks every file. */
static void crash_case(const char *step) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", test_tmpdir(), step);
    struct evlog_config c = config(dir);
    c.max_log_size_mb = 0.005;
    c.backup_count = 50;
    fflush(NULL);
    const pid_t pid = fork();
    if (pid == 0) {
        setenv("ZEST_EVLOG_CRASH_AT", step, 1);
        struct evlog *log = NULL;
        if (evlog_open(&c, &log, NULL) != 0) _exit(2);
        for (int i = 0; i < 300; i++) {
            emit_info(log, "before the crash, with enough words to rotate often");
            if (i % 20 == 19) evlog_flush(log);
        }
        evlog_close(log, NULL);
        _exit(3); /* the crash point was never reached */
    }
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 9)
        TEST_FAIL("%s: child did not crash at the step (status %d)", step, status);

    struct lines l = {0};
    int n_gz;
    read_log(dir, 50, &l, &n_gz); /* what the crash left: valid lines only */
    int64_t before = 0;
    for (size_t i = 0; i < l.n; i++) {
        const int64_t id = line_id(l.v[i]);
        before = id > before ? id : before;
    }
    lines_free(&l);
    ASSERT(before >= 20); /* at least the first flushed batch */

    struct evlog *log = open_log(&c);
    for (int i = 0; i < 50; i++)
        emit_info(log, "after the crash");
    close_log(log);
    ASSERT(!file_exists(path_in(dir, "events.jsonl.1")));
    ASSERT(!file_exists(path_in(dir, ".events.jsonl.1.gz.tmp")));
    read_log(dir, 50, &l, &n_gz);
    /* Each id once, 1..before+50, nothing missing. Readers de-duplicate by event_id, but
     * the repair on open leaves no duplicate behind either, so none is accepted here. */
    const int64_t total = before + 50;
    char **by_id = calloc((size_t)total + 1, sizeof *by_id);
    for (size_t i = 0; i < l.n; i++) {
        assert_json_object(l.v[i]);
        const int64_t id = line_id(l.v[i]);
        if (id < 1 || id > total)
            TEST_FAIL("%s: id %lld out of 1..%lld", step, (long long)id, (long long)total);
        if (by_id[id]) TEST_FAIL("%s: id %lld twice", step, (long long)id);
        by_id[id] = l.v[i];
    }
    for (int64_t id = 1; id <= total; id++)
        if (!by_id[id]) TEST_FAIL("%s: id %lld missing", step, (long long)id);
    free(by_id);
    lines_free(&l);
}

TEST(evlog_crash_at_each_rotation_step) {
    const char *steps[] = {"rotate@1",     "rotate@3",     "shift@1",  "shift@4",  "shifted@2",
                           "renamed@1",    "renamed@3",    "opened@2", "gz_tmp@1", "gz_tmp@3",
                           "gz_renamed@1", "gz_renamed@4", "gz_done@2"};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        crash_case(steps[i]);
}

/* A crash during the compression that a reopen does for a leftover events.jsonl.1. */
TEST(evlog_crash_during_recovery) {
    const char *dir = test_tmpdir();
    struct evlog_config c = config(dir);
    c.max_log_size_mb = 0.005;
    c.backup_count = 50;
    struct evlog *log = open_log(&c);
    for (int i = 0; i < 200; i++)
        emit_info(log, "fill fill fill fill fill fill fill fill");
    close_log(log);
    /* Fake a rotation cut before compression: events.jsonl becomes the pending .1 after
     * shifting, and a fresh current file. */
    char from[64], to[64];
    int k = 1;
    while (file_exists(path_in(dir, (snprintf(from, sizeof from, "events.jsonl.%d.gz", k), from))))
        k++;
    for (int j = k - 1; j >= 1; j--) {
        snprintf(from, sizeof from, "events.jsonl.%d.gz", j);
        snprintf(to, sizeof to, "events.jsonl.%d.gz", j + 1);
        ASSERT_EQ(rename(path_in(dir, from), path_in(dir, to)), 0);
    }
    ASSERT_EQ(rename(path_in(dir, "events.jsonl"), path_in(dir, "events.jsonl.1")), 0);
    const char *steps[] = {"gz_tmp", "gz_renamed"};
    for (int s = 0; s < 2; s++) {
        fflush(NULL);
        const pid_t pid = fork();
        if (pid == 0) {
            setenv("ZEST_EVLOG_CRASH_AT", steps[s], 1);
            struct evlog *l2 = NULL;
            evlog_open(&c, &l2, NULL);
            _exit(3);
        }
        int status;
        waitpid(pid, &status, 0);
        ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 9);
    }
    log = open_log(&c);
    emit_info(log, "after");
    close_log(log);
    struct lines l = {0};
    int n_gz;
    read_log(dir, 50, &l, &n_gz);
    check_contiguous(&l, 201);
    lines_free(&l);
}

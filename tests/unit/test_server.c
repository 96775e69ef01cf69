/* SPDX-License-Identifier: Apache-2.0 */
/* test_server.c - the monitoring server: query arguments, the event filter, which job a
 * request means, the embedded page, the routes' replies, and a real server on a loopback
 * port with and without a token. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/server/server.h"
#include "runner.h"

/* A job dir DIR/NAME with a two-event log. */
static void make_job(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/%s/events", dir, name);
    mkdir(path, 0777);
    static const char log[] =
        "{\"event_id\":1,\"job_id\":\"j\",\"event_type\":\"processing_start\",\"level\":"
        "\"INFO\",\"timestamp\":1796317200.0,\"message\":\"start\",\"metadata\":{\"np\":1,"
        "\"ops\":[\"text_length_filter\"]}}\n"
        "{\"event_id\":2,\"job_id\":\"j\",\"event_type\":\"partition_start\",\"level\":"
        "\"INFO\",\"timestamp\":1796317200.5,\"message\":\"p\",\"partition_id\":0,"
        "\"attempt\":1,\"worker\":0}\n";
    free(test_write_file(path, "events.jsonl", log, sizeof log - 1));
}

TEST(query_keeps_known_keys_and_refuses_long_values) {
    struct srv_query q = {0};
    srv_query_set(&q, "type", "partition_start");
    srv_query_set(&q, "unknown", "x");
    srv_query_set(&q, "op", NULL);
    ASSERT_STR_EQ(q.type, "partition_start");
    ASSERT_EQ(q.too_long, 0);
    char big[SRV_ARG_MAX + 1];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    srv_query_set(&q, "op", big);
    ASSERT_EQ(q.too_long, 1);
    ASSERT_STR_EQ(q.op, "");
}

TEST(event_filter_from_query) {
    struct srv_query q = {0};
    zest_event_filter f;
    const char *why = "";
    ASSERT_EQ(srv_event_filter(&q, &f, &why), 0);
    ASSERT_EQ(f.partition_id, -1);
    ASSERT_EQ(f.limit, SRV_EVENTS_DEFAULT);
    srv_query_set(&q, "partition", "3");
    srv_query_set(&q, "level", "warning");
    srv_query_set(&q, "limit", "7");
    srv_query_set(&q, "since", "1796317200.25");
    ASSERT_EQ(srv_event_filter(&q, &f, &why), 0);
    ASSERT_EQ(f.partition_id, 3);
    ASSERT_STR_EQ(f.min_level, "WARNING");
    ASSERT_EQ(f.limit, 7);
    ASSERT_DBL_EQ(f.since, 1796317200.25);
    static const char *const bad[][2] = {
        {"partition", "-1"}, {"partition", "1.5"}, {"limit", "0"},    {"limit", "10001"},
        {"since", "nan"},    {"since", "1e400"},   {"level", "LOUD"}, {"until", "x"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct srv_query b = {0};
        srv_query_set(&b, bad[i][0], bad[i][1]);
        ASSERT_EQ(srv_event_filter(&b, &f, &why), ZEST_E_PARAM);
        ASSERT(strstr(why, bad[i][0]) == why);
    }
}

TEST(job_names_stay_inside_the_root) {
    const char *dir = test_tmpdir();
    make_job(dir, "a");
    char out[1024];
    const char *why = "";
    ASSERT_EQ(srv_job_dir(dir, "a", out, sizeof out, &why), 0);
    ASSERT(strstr(out, "/a") != NULL);
    ASSERT_EQ(srv_job_dir(dir, "", out, sizeof out, &why), 0); /* the newest: the only one */
    static const char *const bad[] = {"..", ".", "../a", "a/../a", "/etc", ".hidden", "a b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ASSERT_EQ(srv_job_dir(dir, bad[i], out, sizeof out, &why), ZEST_E_PARAM);
    ASSERT_EQ(srv_job_dir(dir, "nosuch", out, sizeof out, &why), ZEST_E_NOTFOUND);
    char job[1024];
    snprintf(job, sizeof job, "%s/a", dir);
    ASSERT_EQ(srv_job_dir(job, "", out, sizeof out, &why), 0); /* a job dir itself */
    ASSERT_STR_EQ(out, job);
    ASSERT_EQ(srv_job_dir(job, "other", out, sizeof out, &why), ZEST_E_NOTFOUND);
}

TEST(only_embedded_files_are_served) {
    ASSERT(srv_www_find("/") == srv_www_find("/index.html"));
    ASSERT(srv_www_find("/app.js") != NULL);
    ASSERT(srv_www_find("/app.css") != NULL);
    ASSERT(srv_www_find("/../index.html") == NULL);
    ASSERT(srv_www_find("//index.html") == NULL);
    ASSERT(srv_www_find("/index.html/") == NULL);
    size_t total = 0;
    for (size_t i = 0; i < srv_www_count; i++)
        total += srv_www_files[i].len;
    ASSERT(total < 300 * 1024);
    const struct srv_file *js = srv_www_find("/app.js");
    ASSERT(strstr(js->content_type, "javascript") != NULL);
    /* No CDN, no other host: the one URL is the SVG namespace, a name, never fetched. */
    for (size_t i = 0; i < srv_www_count; i++) {
        const struct srv_file *f = &srv_www_files[i];
        ASSERT(memmem(f->data, f->len, "https://", 8) == NULL);
        const char *p = memmem(f->data, f->len, "http://", 7);
        if (p) ASSERT(strncmp(p, "http://www.w3.org/2000/svg'", 27) == 0);
        if (p)
            ASSERT(memmem(p + 7, f->len - (size_t)(p + 7 - (const char *)f->data), "http://", 7) ==
                   NULL);
    }
}

TEST(routes_reply_json_and_errors) {
    const char *dir = test_tmpdir();
    make_job(dir, "a");
    struct srv_query q = {0};
    struct srv_reply r;
    srv_route(dir, "/api/status", &q, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(strstr(r.body, "\"state\":") != NULL);
    srv_reply_free(&r);
    srv_route(dir, "/api/events", &q, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(strstr(r.body, "{\"events\":[{\"event_id\":1,") == r.body);
    srv_reply_free(&r);
    srv_route(dir, "/metrics", &q, &r);
    ASSERT_EQ(r.status, 200);
    ASSERT(strstr(r.body, "zest_events_total{job_id=\"j\",type=\"partition_start\"} 1\n"));
    ASSERT(strstr(r.body, "zest_partitions{job_id=\"j\",state=\"running\"}") != NULL);
    srv_reply_free(&r);
    srv_route(dir, "/nope", &q, &r);
    ASSERT_EQ(r.status, 404);
    ASSERT_STR_EQ(r.body, "{\"error\":\"not found\"}\n");
    srv_reply_free(&r);
    srv_query_set(&q, "job", "..");
    srv_route(dir, "/api/report", &q, &r);
    ASSERT_EQ(r.status, 400);
    srv_reply_free(&r);
}

/* One GET over a socket: the status code of the reply, or 0. */
static int get(int port, const char *path, const char *extra) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) return 0;
    char req[512], reply[64] = "";
    const int n = snprintf(
        req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n", path, extra);
    if (write(fd, req, (size_t)n) != n) return 0;
    const ssize_t got = read(fd, reply, sizeof reply - 1);
    close(fd);
    int code = 0;
    return got > 12 && sscanf(reply, "HTTP/1.1 %d", &code) == 1 ? code : 0;
}

TEST(server_on_loopback_with_a_token) {
    const char *dir = test_tmpdir();
    make_job(dir, "a");
    zest_server *s = NULL;
    zest_error err;
    zest_server_options o = {.port = 0};
    ASSERT_EQ(zest_server_start(dir, &o, &s, &err), 0);
    ASSERT(zest_server_port(s) > 0);
    ASSERT_STR_EQ(zest_server_token(s), "");
    ASSERT_EQ(get(zest_server_port(s), "/api/status", ""), 200);
    zest_server_stop(s);
    o.token = "secret-123";
    ASSERT_EQ(zest_server_start(dir, &o, &s, &err), 0);
    ASSERT_EQ(get(zest_server_port(s), "/api/status", ""), 401);
    ASSERT_EQ(get(zest_server_port(s), "/api/status", "Authorization: Bearer secret-123\r\n"), 200);
    ASSERT_EQ(get(zest_server_port(s), "/api/status?token=secret-123", ""), 200);
    ASSERT_EQ(get(zest_server_port(s), "/api/status?token=secret-12", ""), 401);
    zest_server_stop(s);
    o.token = NULL;
    o.bind = "0.0.0.0";
    ASSERT_EQ(zest_server_start(dir, &o, &s, &err), 0);
    ASSERT_EQ(strlen(zest_server_token(s)), 32);
    ASSERT_EQ(get(zest_server_port(s), "/api/status", ""), 401);
    zest_server_stop(s);
    zest_server_stop(NULL);
}

TEST(server_options_are_checked) {
    zest_server *s = NULL;
    zest_error err;
    zest_server_options o = {.port = 70000};
    ASSERT_EQ(zest_server_start(".", &o, &s, &err), ZEST_E_PARAM);
    o = (zest_server_options){.bind = "example"};
    ASSERT_EQ(zest_server_start(".", &o, &s, &err), ZEST_E_PARAM);
    ASSERT(strstr(err.msg, "example") != NULL);
    o = (zest_server_options){.token = "short"};
    ASSERT_EQ(zest_server_start(".", &o, &s, &err), ZEST_E_PARAM);
    o = (zest_server_options){.token = "with space!"};
    ASSERT_EQ(zest_server_start(".", &o, &s, &err), ZEST_E_PARAM);
    ASSERT(s == NULL);
}

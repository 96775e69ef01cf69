/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srv_http.c - the monitoring server's sockets, on libmicrohttpd: a thread per connection
 * (so a slow client stalls only its own thread, never the job, which only writes its log),
 * bounded connections (in all and per address), bounded request memory (headers past it are
 * refused by the library), an idle timeout against slow senders, GET and HEAD only, and the
 * access token. The event stream (Server-Sent Events) follows the log with
 * zest_monitor_events across rotations. Owns the zest_server handle; routes through
 * srv_route.c. Depends on common/ and the public API.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../common/err.h"
#include "server.h"

#define SRV_DEFAULT_CONNECTIONS 64u
#define SRV_PER_IP_CONNECTIONS 32u
#define SRV_MEMORY_LIMIT (32u * 1024u) /* per connection: request line and headers */
#define SRV_IDLE_TIMEOUT_S 20u         /* a connection idle this long is closed */
#define SRV_STACK_SIZE ((size_t)512 * 1024)
#define SRV_MAX_STREAMS 16     /* concurrent event streams */
#define SRV_KEEPALIVE_S 10.0   /* a comment line on a quiet stream */
#define SRV_STREAM_BACKLOG 500 /* events a new stream starts with, by default */

struct zest_server {
    struct MHD_Daemon *daemon;
    char root[4096];
    char token[SRV_ARG_MAX];
    int port;
    atomic_int stopping;
    atomic_int streams;
};

/* One event stream: the monitor, the bytes not yet handed to the library. */
struct srv_stream {
    struct zest_server *srv;
    zest_event_monitor *mon;
    int64_t after_id; /* Last-Event-ID of a reconnecting client */
    char *pending;
    size_t len, off, cap;
    double quiet_s;
};

static int http_is_loopback(const char *bind) {
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, bind, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, bind, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* 32 hex digits from the system's random source. */
static int http_make_token(char *out, size_t cap) {
    unsigned char raw[16];
    const int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    const ssize_t n = fd >= 0 ? read(fd, raw, sizeof raw) : -1;
    if (fd >= 0) close(fd);
    if (n != (ssize_t)sizeof raw || cap < 33) return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

/* Compares in time independent of where the strings differ. */
static int http_token_eq(const char *a, const char *b) {
    const size_t la = strlen(a), lb = strlen(b);
    unsigned char d = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static int http_authorised(const struct zest_server *s, struct MHD_Connection *c,
                           const struct srv_query *q) {
    if (!s->token[0]) return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (h && !strncmp(h, "Bearer ", 7) && http_token_eq(h + 7, s->token)) return 1;
    return q->token[0] && http_token_eq(q->token, s->token);
}

static enum MHD_Result http_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value) {
    (void)kind;
    srv_query_set(cls, key, value ? value : "");
    return MHD_YES;
}

static void http_headers(struct MHD_Response *resp, const char *type) {
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
}

static enum MHD_Result http_send(struct MHD_Connection *c, int status, const char *type,
                                 const char *body, size_t len, int copy) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)body, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    http_headers(resp, type);
    if (status == 401) MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    if (status == 405) MHD_add_response_header(resp, "Allow", "GET, HEAD");
    const enum MHD_Result r = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result http_error(struct MHD_Connection *c, int status, const char *json) {
    return http_send(c, status, "application/json; charset=utf-8", json, strlen(json), 0);
}

/* Moves the next bytes of the stream into buf; waits for an event when none are pending. */
static ssize_t http_stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    struct srv_stream *st = cls;
    while (st->off == st->len) {
        if (atomic_load(&st->srv->stopping)) return MHD_CONTENT_READER_END_OF_STREAM;
        zest_event ev;
        const int rc = zest_monitor_next(st->mon, 0.5, &ev, NULL);
        if (rc < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
        const char *line = NULL;
        int64_t id = 0;
        if (rc == 0 && (st->quiet_s += 0.5) >= SRV_KEEPALIVE_S)
            line = "";
        else if (rc > 0 && ev.event_id > st->after_id)
            line = ev.json, id = ev.event_id;
        if (!line) continue;
        st->quiet_s = 0;
        const size_t need = strlen(line) + 64;
        if (need > st->cap) {
            char *p = realloc(st->pending, need);
            if (!p) return MHD_CONTENT_READER_END_WITH_ERROR;
            st->pending = p;
            st->cap = need;
        }
        st->off = 0;
        st->len = line[0] ? (size_t)snprintf(st->pending, st->cap, "id: %lld\ndata: %s\n\n",
                                             (long long)id, line)
                          : (size_t)snprintf(st->pending, st->cap, ": keep-alive\n\n");
    }
    const size_t n = st->len - st->off < max ? st->len - st->off : max;
    memcpy(buf, st->pending + st->off, n);
    st->off += n;
    return (ssize_t)n;
}

static void http_stream_free(void *cls) {
    struct srv_stream *st = cls;
    zest_monitor_close(st->mon);
    atomic_fetch_sub(&st->srv->streams, 1);
    free(st->pending);
    free(st);
}

static enum MHD_Result http_stream(struct zest_server *s, struct MHD_Connection *c,
                                   const struct srv_query *q) {
    char dir[4200];
    const char *why = "";
    zest_event_filter f;
    srv_event_filter(q, &f, &why); /* checked by the route */
    f.limit = 0;
    if (srv_job_dir(s->root, q->job, dir, sizeof dir, &why)) return http_error(c, 404, "{}");
    if (atomic_fetch_add(&s->streams, 1) >= SRV_MAX_STREAMS) {
        atomic_fetch_sub(&s->streams, 1);
        return http_error(c, 503, "{\"error\":\"too many event streams\"}\n");
    }
    struct srv_stream *st = calloc(1, sizeof *st);
    const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    size_t backlog = SRV_STREAM_BACKLOG;
    if (q->backlog[0]) backlog = (size_t)strtoull(q->backlog, NULL, 10);
    if (st && last) st->after_id = strtoll(last, NULL, 10), backlog = SIZE_MAX;
    if (st) st->srv = s;
    if (!st || zest_monitor_events(dir, &f, backlog, &st->mon, NULL) != 0) {
        if (st) zest_monitor_close(st->mon);
        free(st);
        atomic_fetch_sub(&s->streams, 1);
        return http_error(c, 500, "{\"error\":\"cannot follow the event log\"}\n");
    }
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 4096, http_stream_read, st, http_stream_free);
    if (!resp) {
        http_stream_free(st);
        return MHD_NO;
    }
    http_headers(resp, "text/event-stream");
    const enum MHD_Result r = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return r;
}

/* A request that says it carries a body: nothing here takes one. */
static int http_has_body(struct MHD_Connection *c) {
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    return (len && strcmp(len, "0") != 0) ||
           MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding") != NULL;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version,
                                   const char *upload_data, size_t *upload_size, void **con_cls) {
    static int headers_seen;
    (void)version;
    (void)upload_data;
    struct zest_server *s = cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return http_error(c, 405, "{\"error\":\"read-only: GET and HEAD only\"}\n");
    if (http_has_body(c)) return http_error(c, 413, "{\"error\":\"a GET takes no body\"}\n");
    /* The first call has the headers; answering on the second lets the connection be kept
     * alive for the page's next request. */
    if (*con_cls == NULL) {
        *con_cls = &headers_seen;
        return MHD_YES;
    }
    *upload_size = 0;
    struct srv_query *q = calloc(1, sizeof *q);
    if (!q) return MHD_NO;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, http_arg, q);
    enum MHD_Result ret;
    if (!http_authorised(s, c, q)) {
        ret = http_error(c, 401,
                         "{\"error\":\"a token is required (Authorization: Bearer "
                         "TOKEN, or ?token=TOKEN)\"}\n");
        free(q);
        return ret;
    }
    struct srv_reply r;
    srv_route(s->root, url, q, &r);
    if (r.sse)
        ret = http_stream(s, c, q);
    else if (!r.body && r.status != 200)
        ret = http_error(c, 500, "{}");
    else
        ret = http_send(c, r.status, r.content_type, r.body ? r.body : "", r.len, !r.is_static);
    srv_reply_free(&r);
    free(q);
    return ret;
}

static int http_addr(const char *bind, int port, struct sockaddr_storage *ss, int *v6) {
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    *v6 = 0;
    if (inet_pton(AF_INET, bind, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, bind, &a6->sin6_addr) != 1) return -1;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *v6 = 1;
    return 0;
}

static int http_check_options(const char *bind, const zest_server_options *o, zest_error *err) {
    if (o->port < 0 || o->port > 65535)
        return err_set(err, ZEST_E_PARAM, "port %d: not from 0 to 65535", o->port);
    if (o->token && (strlen(o->token) < 8 || strlen(o->token) >= SRV_ARG_MAX))
        return err_set(err, ZEST_E_PARAM, "token: from 8 to %d characters", SRV_ARG_MAX - 1);
    for (const char *p = o->token; p && *p; p++)
        if (*p <= ' ' || *p > '~' || *p == '&' || *p == '#' || *p == '%' || *p == '+')
            return err_set(err, ZEST_E_PARAM,
                           "token: printable ASCII without spaces, '&', '#', '%%' or '+'");
    if (strlen(bind) > 64) return err_set(err, ZEST_E_PARAM, "bind address too long");
    return 0;
}

static int http_listen(struct zest_server *s, const char *bind, const zest_server_options *o,
                       zest_error *err) {
    struct sockaddr_storage ss;
    int v6 = 0;
    if (http_addr(bind, o->port, &ss, &v6) != 0)
        return err_set(err, ZEST_E_PARAM, "bind %s: not an IPv4 or IPv6 address", bind);
    const unsigned limit = o->max_connections ? o->max_connections : SRV_DEFAULT_CONNECTIONS;
    const unsigned flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | (v6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, http_access, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        limit < SRV_PER_IP_CONNECTIONS ? limit : SRV_PER_IP_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, SRV_IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)SRV_MEMORY_LIMIT, MHD_OPTION_THREAD_STACK_SIZE, SRV_STACK_SIZE, MHD_OPTION_END);
    if (!s->daemon)
        return err_set(err, ZEST_E_IO,
                       "cannot listen on %s port %d (in use, or not an address "
                       "of this machine)",
                       bind, o->port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? (int)info->port : o->port;
    return 0;
}

int zest_server_start(const char *dir, const zest_server_options *opts, zest_server **out,
                      zest_error *err) {
    static const zest_server_options none = {0};
    const zest_server_options *o = opts ? opts : &none;
    const char *bind = o->bind && o->bind[0] ? o->bind : "127.0.0.1";
    *out = NULL;
    ZEST_TRY(http_check_options(bind, o, err));
    struct zest_server *s = calloc(1, sizeof *s);
    if (!s) return err_set(err, ZEST_E_NOMEM, "out of memory");
    int rc = 0;
    if (strlen(dir) >= sizeof s->root) rc = err_set(err, ZEST_E_PARAM, "%s: path too long", dir);
    if (rc == 0) snprintf(s->root, sizeof s->root, "%s", dir);
    if (rc == 0 && o->token)
        snprintf(s->token, sizeof s->token, "%s", o->token);
    else if (rc == 0 && !http_is_loopback(bind) && http_make_token(s->token, sizeof s->token))
        rc = err_set(err, ZEST_E_IO, "cannot read /dev/urandom for a token");
    if (rc == 0) rc = http_listen(s, bind, o, err);
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int zest_server_port(const zest_server *srv) {
    return srv ? srv->port : 0;
}

const char *zest_server_token(const zest_server *srv) {
    return srv ? srv->token : "";
}

void zest_server_stop(zest_server *srv) {
    if (!srv) return;
    atomic_store(&srv->stopping, 1);
    MHD_stop_daemon(srv->daemon);
    free(srv);
}

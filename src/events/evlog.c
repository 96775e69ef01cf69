/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evlog.c - the event logger (see evlog.h): the type and level tables, the emit hot path
 * (a copy into the calling thread's own evqueue ring), and the writer thread that drains
 * every ring, numbers and formats the events as JSON lines, writes them in batches, keeps
 * the most recent lines in memory and rotates through evrotate. Owns the rings (they outlive
 * the threads that fill them), the writer thread and the recent-lines ring. Calls
 * evqueue/evrotate, common/ and the JSON writer of io/json_write.c (strings, doubles,
 * integers); never prints.
 *
 * Counts: `emitted` is every evlog_emit call (queued, filtered or refused), `written` the
 * lines written to events.jsonl, `filtered` those below min_level. With backup_count 0 a
 * rotation truncates events.jsonl, so written events may be gone by design; and if a crash
 * hits just after such a truncation, a resumed log restarts at event_id 1.
 */
#include "evlog.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "../io/json.h"
#include "evqueue.h"
#include "evrotate.h"

#define EVLOG_RING_BYTES ((size_t)1 << 20)  /* per emitting thread */
#define EVLOG_WRITE_BYTES ((size_t)1 << 20) /* write(2) once the batch passes this */
#define EVLOG_MAX_EVENT ((size_t)1 << 30)   /* one event's strings, in bytes */
#define EVLOG_BUSY_EVENTS 1024              /* a drain this big means: drain again at once */
#define EVLOG_IDLE_MIN 0.001                /* seconds the idle writer sleeps, doubling... */
#define EVLOG_IDLE_MAX 0.05                 /* ...up to this (or a quarter flush interval) */
#define EVLOG_MAX_DEPTH 64                  /* nesting accepted in metadata objects */

/* ---- the tables ---------------------------------------------------------------------- */

static const char *const evlog_type_names[] = {
#define XX(e, name, level) name,
    EVENT_TYPE_MAP(XX)
#undef XX
};

static const enum evlog_level evlog_type_levels[] = {
#define XX(e, name, level) level,
    EVENT_TYPE_MAP(XX)
#undef XX
};

static const char *const evlog_level_names[] = {"DEBUG", "INFO", "WARNING", "ERROR"};

const char *evlog_type_name(enum evlog_type t) {
    return (unsigned)t < EVT_N_TYPES ? evlog_type_names[t] : NULL;
}

int evlog_type_from_name(const char *name) {
    for (int t = 0; name && t < EVT_N_TYPES; t++)
        if (strcasecmp(name, evlog_type_names[t]) == 0) return t;
    return -1;
}

const char *evlog_level_name(enum evlog_level l) {
    return (unsigned)l <= EVLOG_ERROR ? evlog_level_names[l] : NULL;
}

int evlog_level_from_name(const char *name) {
    for (int l = 0; name && l <= EVLOG_ERROR; l++)
        if (strcasecmp(name, evlog_level_names[l]) == 0) return l;
    return -1;
}

struct evlog_event evlog_event_init(enum evlog_type t) {
    const struct evlog_event ev = {
        .type = t,
        .level = (unsigned)t < EVT_N_TYPES ? evlog_type_levels[t] : EVLOG_INFO,
        .partition_id = -1,
        .operation_idx = -1,
        .duration = NAN,
        .attempt = -1,
        .worker = -1,
    };
    return ev;
}

/* ---- the logger ---------------------------------------------------------------------- */

/* The variable-size strings of an event, in the order they are copied into a record. */
enum { EVS_MESSAGE, EVS_OPNAME, EVS_ERROR, EVS_STACK, EVS_META, EVS_RES, EVS_PERF, EVS_N };
#define EVLOG_NOSTR UINT32_MAX

/* An event as it sits in a ring: this header, then the EVS_N strings back to back. */
struct evlog_rec {
    double timestamp, duration;
    int64_t partition_id;
    int32_t type, level, operation_idx, attempt, worker;
    uint32_t len[EVS_N]; /* EVLOG_NOSTR: NULL */
};

/* One emitting thread's ring and counters. Only its thread writes the counters (plain
 * load + store, no locked instruction); anyone may read them. */
struct evlog_producer {
    struct evq *q;
    pthread_t owner;
    atomic_uint_fast64_t emitted, filtered, dropped;
    struct evlog_producer *next; /* fixed before the producer is published */
};

struct evlog {
    uint64_t serial; /* tells this logger from a later one at the same address */
    bool enabled;
    enum evlog_level min_level;
    double flush_due; /* seconds a line may wait in the batch before write(2) */
    double idle_max;  /* longest idle sleep of the writer */
    uint64_t limit;   /* rotate past this many bytes; 0: never */
    size_t ring_events;

    _Atomic(struct evlog_producer *) producers;
    atomic_uint_fast64_t disabled_emitted, written, write_dropped;

    /* writer wake-ups, flush requests, stop, and the first error (all under mu) */
    pthread_mutex_t mu;
    pthread_cond_t wake_cv, done_cv;
    bool kicked, stop, started;
    uint64_t flush_req, flush_done;
    int rc;
    zest_error err;
    pthread_t writer;

    /* the writer thread's own state */
    struct evrot rot;
    bool rot_open;
    int64_t next_id;
    struct buf out, scratch;
    size_t *ends; /* ends[i]: offset in out just past line i's '\n' */
    size_t n_lines, cap_lines;
    char *job_json;  /* ,"job_id":"..." or "" */
    char *tail_json; /* ,"pid":N,"host":"..."}\n */

    /* the most recent lines, for evlog_recent */
    pthread_mutex_t recent_mu;
    struct buf *recent;
    uint64_t recent_total;
};

static atomic_uint_fast64_t evlog_serials = 1;

/* Each thread remembers its producer for the last few loggers it emitted to. */
struct evlog_tls_slot {
    uint64_t serial;
    struct evlog_producer *p;
};
static _Thread_local struct evlog_tls_slot evlog_tls[4];
static _Thread_local unsigned evlog_tls_next;

static inline void evlog_bump(atomic_uint_fast64_t *c) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

static uint64_t evlog_load(const atomic_uint_fast64_t *c) {
    return atomic_load_explicit((atomic_uint_fast64_t *)c, memory_order_relaxed);
}

static double evlog_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Records the writer's first error; later ones are counted in the drop count only. */
static void evlog_fail(struct evlog *log, int rc, const zest_error *e) {
    pthread_mutex_lock(&log->mu);
    if (!log->rc) {
        log->rc = rc;
        log->err = *e;
    }
    pthread_mutex_unlock(&log->mu);
}

/* The ring's "full" callback: wakes the writer now rather than at its next poll. */
static void evlog_kick(void *arg) {
    struct evlog *log = arg;
    pthread_mutex_lock(&log->mu);
    log->kicked = true;
    pthread_cond_signal(&log->wake_cv);
    pthread_mutex_unlock(&log->mu);
}

/* ---- the hot path -------------------------------------------------------------------- */

/* Finds or creates the calling thread's producer; the slow path runs once per thread. */
static struct evlog_producer *evlog_producer_slow(struct evlog *log) {
    const pthread_t self = pthread_self();
    pthread_mutex_lock(&log->mu);
    struct evlog_producer *p = atomic_load_explicit(&log->producers, memory_order_relaxed);
    while (p && !pthread_equal(p->owner, self))
        p = p->next;
    if (!p && (p = calloc(1, sizeof *p))) {
        if (log->enabled && evq_create(EVLOG_RING_BYTES, evlog_kick, log, &p->q) != 0) {
            free(p);
            p = NULL;
        } else {
            p->owner = self;
            p->next = atomic_load_explicit(&log->producers, memory_order_relaxed);
            atomic_store_explicit(&log->producers, p, memory_order_release);
        }
    }
    pthread_mutex_unlock(&log->mu);
    if (p) {
        evlog_tls[evlog_tls_next % 4] = (struct evlog_tls_slot){log->serial, p};
        evlog_tls_next++;
    }
    return p;
}

static inline struct evlog_producer *evlog_producer(struct evlog *log) {
    for (int i = 0; i < 4; i++)
        if (evlog_tls[i].serial == log->serial) return evlog_tls[i].p;
    return evlog_producer_slow(log);
}

static double evlog_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* vDSO: no system call */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Copies the event into a ring record. */
static int evlog_enqueue(struct evlog_producer *p, const struct evlog_event *ev) {
    const char *s[EVS_N] = {
        ev->message,  ev->operation_name, ev->error_message,      ev->stack_trace,
        ev->metadata, ev->resource_usage, ev->performance_metrics};
    struct evlog_rec rec = {
        .timestamp = ev->timestamp != 0 ? ev->timestamp : evlog_now(),
        .duration = ev->duration,
        .partition_id = ev->partition_id,
        .type = (int32_t)ev->type,
        .level = (int32_t)ev->level,
        .operation_idx = ev->operation_idx,
        .attempt = ev->attempt,
        .worker = ev->worker,
    };
    size_t total = sizeof rec;
    for (int i = 0; i < EVS_N; i++) {
        const size_t n = s[i] ? strlen(s[i]) : 0;
        rec.len[i] = s[i] ? (uint32_t)n : EVLOG_NOSTR;
        if (n > EVLOG_MAX_EVENT - total) return ZEST_E_NOMEM;
        total += n;
    }
    char *dst = evq_reserve(p->q, total);
    if (!dst) return ZEST_E_NOMEM;
    memcpy(dst, &rec, sizeof rec);
    dst += sizeof rec;
    for (int i = 0; i < EVS_N; i++) {
        if (rec.len[i] == EVLOG_NOSTR) continue;
        memcpy(dst, s[i], rec.len[i]);
        dst += rec.len[i];
    }
    evq_commit(p->q);
    return 0;
}

int evlog_emit(struct evlog *log, const struct evlog_event *ev) {
    if (!log || !ev) return 0;
    if (!log->enabled) {
        atomic_fetch_add_explicit(&log->disabled_emitted, 1, memory_order_relaxed);
        return 0;
    }
    struct evlog_producer *p = evlog_producer(log);
    if (!p) {
        atomic_fetch_add_explicit(&log->write_dropped, 1, memory_order_relaxed);
        return ZEST_E_NOMEM;
    }
    evlog_bump(&p->emitted);
    if (ev->level < log->min_level) {
        evlog_bump(&p->filtered);
        return 0;
    }
    if ((unsigned)ev->type >= EVT_N_TYPES || (unsigned)ev->level > EVLOG_ERROR ||
        evlog_enqueue(p, ev) != 0) {
        evlog_bump(&p->dropped);
        return ZEST_E_NOMEM;
    }
    return 0;
}

/* ---- formatting (writer thread) ------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at p (1..4), 0 when it is not valid. */
static size_t evlog_utf8_seq(const unsigned char *p, size_t n) {
    const unsigned b = p[0];
    if (b < 0x80) return 1;
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        need = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 3;
        if (b == 0xE0) lo = 0xA0; /* overlong */
        if (b == 0xED) hi = 0x9F; /* surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F; /* past U+10FFFF */
    } else {
        return 0;
    }
    if (n < need || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < need; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return need;
}

static bool evlog_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        const size_t k = evlog_utf8_seq(p + i, n - i);
        if (!k) return false;
        i += k;
    }
    return true;
}

/* Appends s as a JSON string; invalid UTF-8 (emitters pass raw record bytes in messages)
 * becomes U+FFFD so the line stays valid JSON. */
static int evlog_put_str(struct evlog *log, struct buf *out, const char *s, size_t n) {
    if (evlog_utf8_valid(s, n)) return json_write_string(out, s, n);
    struct buf *t = &log->scratch;
    buf_clear(t);
    for (size_t i = 0; i < n;) {
        const size_t k = evlog_utf8_seq((const unsigned char *)s + i, n - i);
        ZEST_TRY(k ? buf_append(t, s + i, k) : buf_append(t, "\xEF\xBF\xBD", 3));
        i += k ? k : 1;
    }
    return json_write_string(out, t->data, t->len);
}

/* A validating copy of JSON text that drops insignificant white space, so an object that
 * came pretty-printed still fits on one line. */
struct evlog_jc {
    const char *p, *end;
    struct buf *out;
    int depth;
};

static int evlog_jc_value(struct evlog_jc *c);

static void evlog_jc_ws(struct evlog_jc *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool evlog_jc_hex4(const char *p, const char *end) {
    if (end - p < 4) return false;
    for (int i = 0; i < 4; i++)
        if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) return false;
    return true;
}

static int evlog_jc_string(struct evlog_jc *c) {
    const char *start = c->p++;
    while (c->p < c->end) {
        const unsigned char ch = (unsigned char)*c->p;
        if (ch == '"') {
            c->p++;
            return buf_append(c->out, start, (size_t)(c->p - start));
        }
        if (ch == '\\') {
            if (c->end - c->p < 2) return -1;
            if (c->p[1] == 'u') {
                if (!evlog_jc_hex4(c->p + 2, c->end)) return -1;
                c->p += 6;
            } else if (c->p[1] && strchr("\"\\/bfnrt", c->p[1])) {
                c->p += 2;
            } else {
                return -1;
            }
        } else if (ch < 0x20) {
            return -1;
        } else {
            const size_t k = evlog_utf8_seq((const unsigned char *)c->p, (size_t)(c->end - c->p));
            if (!k) return -1;
            c->p += k;
        }
    }
    return -1;
}

static size_t evlog_jc_digits(const char *p, const char *end) {
    size_t n = 0;
    while (p + n < end && p[n] >= '0' && p[n] <= '9')
        n++;
    return n;
}

static int evlog_jc_number(struct evlog_jc *c) {
    const char *start = c->p, *p = c->p, *end = c->end;
    if (p < end && *p == '-') p++;
    const size_t ni = evlog_jc_digits(p, end);
    if (ni == 0 || (ni > 1 && *p == '0')) return -1;
    p += ni;
    if (p < end && *p == '.') {
        const size_t nf = evlog_jc_digits(p + 1, end);
        if (!nf) return -1;
        p += 1 + nf;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        const size_t ne = evlog_jc_digits(p, end);
        if (!ne) return -1;
        p += ne;
    }
    c->p = p;
    return buf_append(c->out, start, (size_t)(p - start));
}

static int evlog_jc_literal(struct evlog_jc *c, const char *word) {
    const size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return -1;
    c->p += n;
    return buf_append(c->out, word, n);
}

/* An object ('{' ... '}') or an array ('[' ... ']'): members separated by ','. */
static int evlog_jc_container(struct evlog_jc *c, char close, bool keys) {
    if (++c->depth > EVLOG_MAX_DEPTH) return -1;
    ZEST_TRY(buf_putc(c->out, *c->p++));
    evlog_jc_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        c->depth--;
        return buf_putc(c->out, close);
    }
    for (;;) {
        evlog_jc_ws(c);
        if (keys) {
            if (c->p >= c->end || *c->p != '"' || evlog_jc_string(c)) return -1;
            evlog_jc_ws(c);
            if (c->p >= c->end || *c->p != ':') return -1;
            ZEST_TRY(buf_putc(c->out, *c->p++));
            evlog_jc_ws(c);
        }
        if (evlog_jc_value(c)) return -1;
        evlog_jc_ws(c);
        if (c->p >= c->end || (*c->p != ',' && *c->p != close)) return -1;
        const char sep = *c->p++;
        ZEST_TRY(buf_putc(c->out, sep));
        if (sep == close) break;
    }
    c->depth--;
    return 0;
}

static int evlog_jc_value(struct evlog_jc *c) {
    if (c->p >= c->end) return -1;
    switch (*c->p) {
    case '{': return evlog_jc_container(c, '}', true);
    case '[': return evlog_jc_container(c, ']', false);
    case '"': return evlog_jc_string(c);
    case 't': return evlog_jc_literal(c, "true");
    case 'f': return evlog_jc_literal(c, "false");
    case 'n': return evlog_jc_literal(c, "null");
    default: return evlog_jc_number(c);
    }
}

/* Appends the emitter's JSON object text; anything else is written as a JSON string, so a
 * bad metadata text is kept for a human and never makes the line invalid. */
static int evlog_put_object(struct evlog *log, const char *s, size_t n) {
    const size_t mark = log->out.len;
    struct evlog_jc c = {s, s + n, &log->out, 0};
    evlog_jc_ws(&c);
    if (c.p < c.end && *c.p == '{' && evlog_jc_container(&c, '}', true) == 0) {
        evlog_jc_ws(&c);
        if (c.p == c.end) return 0;
    }
    log->out.len = mark;
    return evlog_put_str(log, &log->out, s, n);
}

/* Epoch seconds with exactly six decimals, from integer microseconds (no printf). */
static int evlog_put_timestamp(struct buf *out, double ts) {
    if (!(ts > -9e12 && ts < 9e12)) ts = 0; /* also NaN; keeps llround in range */
    const long long us = llround(ts * 1e6);
    unsigned long long u = us < 0 ? 0ull - (unsigned long long)us : (unsigned long long)us;
    char tmp[32];
    char *q = tmp + sizeof tmp;
    for (int i = 0; i < 6; i++, u /= 10)
        *--q = (char)('0' + u % 10);
    *--q = '.';
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (us < 0) *--q = '-';
    return buf_append(out, q, (size_t)(tmp + sizeof tmp - q));
}

/* Appends a key or other fixed text; inline, as a line is mostly these. */
static inline int evlog_put_key(struct buf *out, const char *key) {
    const size_t n = strlen(key);
    if (out->cap - out->len < n) return buf_append(out, key, n);
    buf_put(out, key, n);
    return 0;
}

/* json_write_double's text without its printf + strtod for the common durations: the
 * fewest decimals (<= 9, <= 15 significant digits) that read back as exactly d. Such a text
 * is also what "%.15g" prints (no other 15-digit decimal lies as close to d), so the output
 * is identical; the test checks that. Other values take json_write_double. */
static int evlog_put_double(struct buf *out, double d) {
    static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    const double a = fabs(d);
    if (!(a >= 1e-4 && a < 1e9)) return json_write_double(out, d);
    for (int k = 0; k <= 9; k++) {
        const double v = nearbyint(a * p10[k]);
        if (v >= 1e15) break;
        if (v / p10[k] != a) continue;
        char tmp[40];
        char *q = tmp + sizeof tmp;
        uint64_t u = (uint64_t)v;
        if (k == 0) *--q = '0'; /* "3.0": the reader must still see a double */
        for (int i = 0; i < k; i++, u /= 10)
            *--q = (char)('0' + u % 10);
        *--q = '.';
        do {
            *--q = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (d < 0) *--q = '-';
        return buf_append(out, q, (size_t)(tmp + sizeof tmp - q));
    }
    return json_write_double(out, d);
}

static int evlog_put_int_field(struct buf *out, const char *key, int64_t v) {
    if (v < 0) return 0; /* unset */
    ZEST_TRY(evlog_put_key(out, key));
    return json_write_int(out, v);
}

/* A string field, omitted when NULL; `object` fields take JSON object text. */
static int evlog_put_str_field(struct evlog *log, const char *key, const char *s, uint32_t n,
                               bool object) {
    if (n == EVLOG_NOSTR) return 0;
    ZEST_TRY(evlog_put_key(&log->out, key));
    return object ? evlog_put_object(log, s, n) : evlog_put_str(log, &log->out, s, n);
}

/* Formats one ring record as the next line of the log, in the key order evlog.h fixes. */
static int evlog_format(struct evlog *log, const char *data) {
    struct evlog_rec r;
    memcpy(&r, data, sizeof r);
    const char *s[EVS_N];
    const char *at = data + sizeof r;
    for (int i = 0; i < EVS_N; i++) {
        s[i] = at;
        if (r.len[i] != EVLOG_NOSTR) at += r.len[i];
    }
    struct buf *out = &log->out;
    ZEST_TRY(evlog_put_key(out, "{\"event_id\":"));
    ZEST_TRY(json_write_int(out, log->next_id));
    ZEST_TRY(evlog_put_key(out, log->job_json));
    ZEST_TRY(evlog_put_key(out, ",\"event_type\":\""));
    ZEST_TRY(evlog_put_key(out, evlog_type_names[r.type]));
    ZEST_TRY(evlog_put_key(out, "\",\"level\":\""));
    ZEST_TRY(evlog_put_key(out, evlog_level_names[r.level]));
    ZEST_TRY(evlog_put_key(out, "\",\"timestamp\":"));
    ZEST_TRY(evlog_put_timestamp(out, r.timestamp));
    ZEST_TRY(evlog_put_str_field(log, ",\"message\":", s[EVS_MESSAGE], r.len[EVS_MESSAGE], 0));
    ZEST_TRY(evlog_put_int_field(out, ",\"partition_id\":", r.partition_id));
    ZEST_TRY(evlog_put_str_field(log, ",\"operation_name\":", s[EVS_OPNAME], r.len[EVS_OPNAME], 0));
    ZEST_TRY(evlog_put_int_field(out, ",\"operation_idx\":", r.operation_idx));
    ZEST_TRY(evlog_put_int_field(out, ",\"attempt\":", r.attempt));
    ZEST_TRY(evlog_put_int_field(out, ",\"worker\":", r.worker));
    if (isfinite(r.duration)) {
        ZEST_TRY(evlog_put_key(out, ",\"duration\":"));
        ZEST_TRY(evlog_put_double(out, r.duration));
    }
    ZEST_TRY(evlog_put_str_field(log, ",\"error_message\":", s[EVS_ERROR], r.len[EVS_ERROR], 0));
    ZEST_TRY(evlog_put_str_field(log, ",\"stack_trace\":", s[EVS_STACK], r.len[EVS_STACK], 0));
    ZEST_TRY(evlog_put_str_field(log, ",\"metadata\":", s[EVS_META], r.len[EVS_META], 1));
    ZEST_TRY(evlog_put_str_field(log, ",\"resource_usage\":", s[EVS_RES], r.len[EVS_RES], 1));
    ZEST_TRY(
        evlog_put_str_field(log, ",\"performance_metrics\":", s[EVS_PERF], r.len[EVS_PERF], 1));
    return evlog_put_key(out, log->tail_json);
}

/* Formats a record and notes where its line ends; a record that cannot be formatted (out
 * of memory) is dropped whole and its id not used. */
static void evlog_take(struct evlog *log, const char *data) {
    const size_t mark = log->out.len;
    if (log->n_lines == log->cap_lines) {
        const size_t cap = log->cap_lines ? 2 * log->cap_lines : 4096;
        size_t *e = realloc(log->ends, cap * sizeof *e);
        if (!e) goto drop;
        log->ends = e;
        log->cap_lines = cap;
    }
    if (evlog_format(log, data) != 0) goto drop;
    log->ends[log->n_lines++] = log->out.len;
    log->next_id++;
    return;
drop:
    log->out.len = mark;
    atomic_fetch_add_explicit(&log->write_dropped, 1, memory_order_relaxed);
}

/* ---- writing (writer thread) --------------------------------------------------------- */

/* Keeps lines [from, to) of the batch (the last ring_events of them) for evlog_recent. */
static void evlog_remember(struct evlog *log, size_t from, size_t to) {
    if (!log->ring_events) return;
    if (to - from > log->ring_events) from = to - log->ring_events;
    pthread_mutex_lock(&log->recent_mu);
    for (size_t i = from; i < to; i++) {
        const size_t start = i ? log->ends[i - 1] : 0;
        struct buf *slot = &log->recent[log->recent_total++ % log->ring_events];
        buf_clear(slot);
        if (buf_append(slot, log->out.data + start, log->ends[i] - start - 1) != 0)
            buf_clear(slot); /* out of memory: an empty entry, skipped by evlog_recent */
    }
    pthread_mutex_unlock(&log->recent_mu);
}

/* How many lines from `i` fit before the size limit (a lone oversized line always does). */
static size_t evlog_fit(const struct evlog *log, size_t i, size_t done) {
    if (!log->limit) return log->n_lines - i;
    const uint64_t room = log->rot.size >= log->limit ? 0 : log->limit - log->rot.size;
    size_t j = i;
    while (j < log->n_lines && log->ends[j] - done <= room)
        j++;
    if (j == i && log->rot.size == 0) j = i + 1;
    return j - i;
}

/* Writes the batch, rotating wherever the next lines would pass the size limit. */
static void evlog_write_batch(struct evlog *log) {
    size_t i = 0, done = 0;
    bool rotate_ok = true;
    while (i < log->n_lines) {
        const size_t k = rotate_ok ? evlog_fit(log, i, done) : log->n_lines - i;
        zest_error e;
        if (k) {
            const size_t end = log->ends[i + k - 1];
            int rc = evrot_write(&log->rot, log->out.data + done, end - done, &e);
            if (rc) {
                evlog_fail(log, rc, &e);
                atomic_fetch_add_explicit(&log->write_dropped, k, memory_order_relaxed);
            } else {
                atomic_fetch_add_explicit(&log->written, k, memory_order_relaxed);
                evlog_remember(log, i, i + k);
            }
            i += k;
            done = end;
        }
        if (i < log->n_lines) {
            const int rc = evrot_rotate(&log->rot, &e);
            /* A failed rotation must not stop the log: the rest goes to the current file. */
            if (rc) evlog_fail(log, rc, &e);
            rotate_ok = rc == 0;
        }
    }
    buf_clear(&log->out);
    log->n_lines = 0;
}

/* Drains every ring up to what it holds now; returns how many events were taken. */
static size_t evlog_drain(struct evlog *log) {
    size_t got = 0;
    struct evlog_producer *p = atomic_load_explicit(&log->producers, memory_order_acquire);
    for (; p; p = p->next) {
        const uint64_t limit = evq_snapshot(p->q);
        const void *rec;
        size_t n;
        while ((rec = evq_front(p->q, limit, &n))) {
            evlog_take(log, rec);
            evq_pop(p->q);
            got++;
            if (log->out.len >= EVLOG_WRITE_BYTES) evlog_write_batch(log);
        }
    }
    return got;
}

/* Sleeps until kicked, asked to flush or stop, or `secs` pass. */
static void evlog_idle(struct evlog *log, uint64_t flushed, double secs) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const double t = (double)ts.tv_nsec * 1e-9 + (secs > 0 ? secs : 0);
    ts.tv_sec += (time_t)t;
    ts.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
    pthread_mutex_lock(&log->mu);
    if (!log->stop && !log->kicked && log->flush_req == flushed)
        pthread_cond_timedwait(&log->wake_cv, &log->mu, &ts);
    log->kicked = false;
    pthread_mutex_unlock(&log->mu);
}

static void *evlog_writer_main(void *arg) {
    struct evlog *log = arg;
    uint64_t flushed = 0;
    double idle = EVLOG_IDLE_MIN, pending_since = -1;
    for (;;) {
        pthread_mutex_lock(&log->mu);
        const bool stop = log->stop;
        const uint64_t req = log->flush_req;
        pthread_mutex_unlock(&log->mu);
        const size_t got = evlog_drain(log);
        const double now = evlog_mono();
        if (log->n_lines && pending_since < 0) pending_since = now;
        if (log->n_lines && (req != flushed || stop || now - pending_since >= log->flush_due)) {
            evlog_write_batch(log);
            pending_since = -1;
        }
        if (req != flushed) {
            pthread_mutex_lock(&log->mu);
            log->flush_done = flushed = req;
            pthread_cond_broadcast(&log->done_cv);
            pthread_mutex_unlock(&log->mu);
        }
        if (stop && got == 0) break;
        if (got >= EVLOG_BUSY_EVENTS || stop) continue;
        idle = got ? EVLOG_IDLE_MIN : (idle * 2 < log->idle_max ? idle * 2 : log->idle_max);
        double secs = idle;
        if (pending_since >= 0 && pending_since + log->flush_due - now < secs)
            secs = pending_since + log->flush_due - now;
        evlog_idle(log, flushed, secs);
    }
    return NULL;
}

/* ---- open, flush, close -------------------------------------------------------------- */

/* The fixed parts of every line: the job id after event_id, rank, pid and host at the end. */
static int evlog_build_affixes(struct evlog *log, const char *job_id, int rank,
                               const char *host_given) {
    struct buf b;
    char host[256] = "";
    int rc = 0;
    buf_init(&b, 0);
    if (job_id && ((rc = buf_append(&b, ",\"job_id\":", 10)) ||
                   (rc = evlog_put_str(log, &b, job_id, strlen(job_id)))))
        goto out;
    if ((rc = buf_putc(&b, '\0'))) goto out;
    log->job_json = b.data;
    buf_init(&b, 0);
    if ((rc = buf_printf(&b, ",\"rank\":%d,\"pid\":%ld", rank, (long)getpid()))) goto out;
    if (host_given) snprintf(host, sizeof host, "%s", host_given);
    if ((host[0] || gethostname(host, sizeof host - 1) == 0) && host[0] &&
        ((rc = buf_append(&b, ",\"host\":", 8)) ||
         (rc = evlog_put_str(log, &b, host, strlen(host)))))
        goto out;
    if ((rc = buf_append(&b, "}\n", 3))) goto out;
    log->tail_json = b.data;
    b.data = NULL;
out:
    buf_free(&b);
    return rc;
}

static void evlog_set_limits(struct evlog *log, const struct evlog_config *cfg) {
    const double fi = cfg->flush_interval_s > 0 ? cfg->flush_interval_s : 1.0;
    log->flush_due = fi / 2;
    log->idle_max = fi / 4 < EVLOG_IDLE_MAX ? fi / 4 : EVLOG_IDLE_MAX;
    const double bytes = cfg->max_log_size_mb * 1024.0 * 1024.0;
    log->limit = bytes >= 1 ? (bytes < 1e18 ? (uint64_t)bytes : UINT64_MAX) : 0;
    if (cfg->max_log_size_mb > 0 && !log->limit) log->limit = 1;
    log->ring_events = cfg->ring_events;
    log->enabled = cfg->enabled;
    log->min_level = cfg->min_level;
}

static int evlog_start(struct evlog *log, const struct evlog_config *cfg, zest_error *err) {
    if (!cfg->dir || !cfg->dir[0]) return err_set(err, ZEST_E_USAGE, "events: no directory");
    if (log->ring_events && !(log->recent = calloc(log->ring_events, sizeof *log->recent)))
        return err_set(err, ZEST_E_NOMEM, "%s: out of memory", cfg->dir);
    for (size_t i = 0; i < log->ring_events; i++)
        buf_init(&log->recent[i], 0);
    if (evlog_build_affixes(log, cfg->job_id, cfg->rank, cfg->host) != 0)
        return err_set(err, ZEST_E_NOMEM, "%s: out of memory", cfg->dir);
    int64_t last_id = 0;
    ZEST_TRY(evrot_open(&log->rot, cfg->dir, cfg->backup_count, &last_id, err));
    log->rot_open = true;
    log->next_id = last_id + 1;
    if (pthread_create(&log->writer, NULL, evlog_writer_main, log) != 0)
        return err_set(err, ZEST_E_INTERNAL, "%s: cannot start the event writer thread", cfg->dir);
    log->started = true;
    return 0;
}

int evlog_open(const struct evlog_config *cfg, struct evlog **out, zest_error *err) {
    *out = NULL;
    struct evlog *log = calloc(1, sizeof *log);
    if (!log) return err_set(err, ZEST_E_NOMEM, "events: out of memory");
    log->serial = atomic_fetch_add(&evlog_serials, 1);
    evlog_set_limits(log, cfg);
    buf_init(&log->out, 0);
    buf_init(&log->scratch, 0);
    pthread_mutex_init(&log->mu, NULL);
    pthread_mutex_init(&log->recent_mu, NULL);
    pthread_cond_init(&log->done_cv, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&log->wake_cv, &ca);
    pthread_condattr_destroy(&ca);
    const int rc = cfg->enabled ? evlog_start(log, cfg, err) : 0;
    if (rc) {
        evlog_close(log, NULL);
        return rc;
    }
    *out = log;
    return 0;
}

void evlog_flush(struct evlog *log) {
    if (!log || !log->started) return;
    pthread_mutex_lock(&log->mu);
    const uint64_t mine = ++log->flush_req;
    pthread_cond_signal(&log->wake_cv);
    while (log->flush_done < mine)
        pthread_cond_wait(&log->done_cv, &log->mu);
    pthread_mutex_unlock(&log->mu);
}

size_t evlog_recent(struct evlog *log, char **lines, size_t max) {
    if (!log || !log->ring_events) return 0;
    pthread_mutex_lock(&log->recent_mu);
    const uint64_t total = log->recent_total;
    const uint64_t have = total < log->ring_events ? total : log->ring_events;
    const uint64_t first = total - (have < max ? have : max);
    size_t n = 0;
    for (uint64_t i = first; i < total; i++) {
        const struct buf *slot = &log->recent[i % log->ring_events];
        char *s = slot->len ? malloc(slot->len + 1) : NULL;
        if (!s) continue;
        memcpy(s, slot->data, slot->len);
        s[slot->len] = '\0';
        lines[n++] = s;
    }
    pthread_mutex_unlock(&log->recent_mu);
    return n;
}

void evlog_stats(const struct evlog *log, struct evlog_stats *st) {
    memset(st, 0, sizeof *st);
    if (!log) return;
    st->emitted = evlog_load(&log->disabled_emitted);
    st->dropped = evlog_load(&log->write_dropped);
    st->written = evlog_load(&log->written);
    const struct evlog_producer *p = atomic_load_explicit(
        (_Atomic(struct evlog_producer *) *)&log->producers, memory_order_acquire);
    for (; p; p = p->next) {
        st->emitted += evlog_load(&p->emitted);
        st->filtered += evlog_load(&p->filtered);
        st->dropped += evlog_load(&p->dropped);
        if (p->q) st->queue_waits += evq_waits(p->q);
    }
}

void evlog_counts(const struct evlog *log, uint64_t *emitted, uint64_t *written,
                  uint64_t *filtered) {
    struct evlog_stats st;
    evlog_stats(log, &st);
    if (emitted) *emitted = st.emitted;
    if (written) *written = st.written;
    if (filtered) *filtered = st.filtered;
}

int evlog_close(struct evlog *log, zest_error *err) {
    if (!log) return 0;
    if (log->started) {
        pthread_mutex_lock(&log->mu);
        log->stop = true;
        pthread_cond_signal(&log->wake_cv);
        pthread_mutex_unlock(&log->mu);
        pthread_join(log->writer, NULL);
    }
    int rc = log->rc;
    if (rc && err) *err = log->err;
    if (log->rot_open) {
        const int crc = evrot_close(&log->rot, rc ? NULL : err);
        if (!rc) rc = crc;
    }
    struct evlog_producer *p = atomic_load_explicit(&log->producers, memory_order_acquire);
    while (p) {
        struct evlog_producer *next = p->next;
        evq_destroy(p->q);
        free(p);
        p = next;
    }
    for (size_t i = 0; log->recent && i < log->ring_events; i++)
        buf_free(&log->recent[i]);
    free(log->recent);
    free(log->ends);
    free(log->job_json);
    free(log->tail_json);
    buf_free(&log->out);
    buf_free(&log->scratch);
    pthread_mutex_destroy(&log->mu);
    pthread_mutex_destroy(&log->recent_mu);
    pthread_cond_destroy(&log->wake_cv);
    pthread_cond_destroy(&log->done_cv);
    free(log);
    return rc;
}

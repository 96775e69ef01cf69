/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evlog.h - the event logger: structured events (the spec's Event plus event_id, job_id,
 * level, operation_idx, attempt, worker, rank, pid, host) written as JSON Lines to
 * <job dir>/events/events.jsonl, rotated to events.jsonl.1.gz ... events.jsonl.N.gz.
 *
 * Threads emit; one writer thread formats and writes. evlog_emit never touches the disk and
 * takes no lock shared by all threads per event: each emitting thread has its own queue,
 * registered once. event_id is assigned in file order, monotonic within a job and never reused
 * across resumes (a reopened log continues after the last id it holds). A torn last line left
 * by a crash is cut off on reopen. Depends on common/ only.
 */
#ifndef ZEST_EVLOG_H
#define ZEST_EVLOG_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zest.h"

enum evlog_level { EVLOG_DEBUG, EVLOG_INFO, EVLOG_WARNING, EVLOG_ERROR };

#include "event_types.h"

/* Event types are EVT_<NAME> (EVT_PROCESSING_START, ...); levels are EVLOG_<LEVEL>. */
enum evlog_type {
#define XX(e, name, level) EVT_##e,
    EVENT_TYPE_MAP(XX)
#undef XX
    EVT_N_TYPES
};

/* "processing_start", ...; NULL when out of range. */
const char *evlog_type_name(enum evlog_type t);
/* Type by name, in the spec's upper case or lower case; -1 when unknown. */
int evlog_type_from_name(const char *name);
/* "DEBUG", "INFO", "WARNING", "ERROR". */
const char *evlog_level_name(enum evlog_level l);
/* Level by name, any case; -1 when unknown. */
int evlog_level_from_name(const char *name);

/* One event as an emitter describes it. Strings are borrowed for the call (evlog_emit copies
 * them). `metadata`, `resource_usage` and `performance_metrics` are JSON object texts (e.g.
 * "{\"rows\":10}") or NULL. Unset optional fields: partition_id, operation_idx, attempt and
 * worker -1, duration NAN, strings NULL. timestamp 0 means "now". */
struct evlog_event {
    enum evlog_type type;
    enum evlog_level level; /* EVLOG_INFO etc.; see EVLOG_EVENT() for the type's default */
    double timestamp;
    const char *message;
    int64_t partition_id;
    const char *operation_name;
    int operation_idx;
    double duration;
    const char *error_message;
    const char *stack_trace;
    const char *metadata;
    const char *resource_usage;
    const char *performance_metrics;
    int attempt;
    int worker;
};

/* An event of type t with its default level and every optional field unset. */
struct evlog_event evlog_event_init(enum evlog_type t);
/* The same by the table's name: EVLOG_EVENT(PARTITION_START). */
#define EVLOG_EVENT(e) evlog_event_init(EVT_##e)

struct evlog_config {
    const char *dir;          /* the events directory (created if missing) */
    const char *job_id;
    bool enabled;             /* false: evlog_emit only counts */
    enum evlog_level min_level;
    double max_log_size_mb;   /* rotate past this (fractions allowed); <= 0: never */
    int backup_count;         /* rotated files kept; 0: rotation truncates */
    double flush_interval_s;  /* at most this long between an emit and its write(2) */
    size_t ring_events;       /* recent events kept in memory for live queries */
    int rank;                 /* the MPI rank writing this log (0 when not distributed) */
    const char *host;         /* the host named in every event; NULL: gethostname */
};

struct evlog;

/* Opens (or reopens, for a resumed job) the log. Returns 0 or a status with err filled. */
int evlog_open(const struct evlog_config *cfg, struct evlog **out, zest_error *err);
/* Enqueues an event (filtered by level). Thread-safe; never blocks on disk. Returns 0, or
 * ZEST_E_NOMEM when the event could not be queued (counted, never silent). */
int evlog_emit(struct evlog *log, const struct evlog_event *ev);
/* Waits until every event emitted before the call is written (write(2), not fsync). */
void evlog_flush(struct evlog *log);
/* Copies up to `max` of the most recent written events (JSON lines, oldest first) into
 * caller-freed strings; returns how many. */
size_t evlog_recent(struct evlog *log, char **lines, size_t max);
/* Events emitted, written, and dropped by the level filter so far. */
void evlog_counts(const struct evlog *log, uint64_t *emitted, uint64_t *written,
                  uint64_t *filtered);
/* Everything evlog_counts gives, plus events refused (out of memory, bad type or level, a
 * failed write) and how often an emitting thread waited for room in its full queue. */
struct evlog_stats {
    uint64_t emitted, written, filtered, dropped, queue_waits;
};
void evlog_stats(const struct evlog *log, struct evlog_stats *st);
/* Flushes, fsyncs, stops the writer thread and frees everything; accepts NULL. Returns the
 * first write error the writer met (err filled), else 0. */
int evlog_close(struct evlog *log, zest_error *err);

#endif

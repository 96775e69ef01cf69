/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evrotate.h - the event log's files: the current events.jsonl, its rotation to
 * events.jsonl.1 (pending) and the background compression of that to events.jsonl.1.gz,
 * the shift of events.jsonl.k.gz to k+1, and the repair done on open (torn last line cut
 * off, a leftover events.jsonl.1 compressed or recognised as a duplicate, the last event_id
 * found). Used by the logger's writer thread (evlog.c) only. Depends on common/ and zlib.
 *
 * Rotation protocol, each step safe to crash after (a reopen repairs, never loses or
 * duplicates an event beyond what de-duplication by event_id removes):
 *   1. wait for the previous compression;
 *   2. shift: the first missing k.gz in 1..N is the hole; with none, N.gz is deleted; then
 *      k.gz -> (k+1).gz from the hole down (so a shift cut short is finished, not repeated);
 *   3. fsync + close events.jsonl, rename it to events.jsonl.1, open a new events.jsonl,
 *      fsync the directory;
 *   4. in the compressor thread: .events.jsonl.1.gz.tmp, fsync, rename to events.jsonl.1.gz,
 *      fsync the directory, unlink events.jsonl.1.
 * With backup_count 0, rotation truncates events.jsonl instead (those events are dropped,
 * as is a leftover events.jsonl.1 on open). On open, events.jsonl.k.gz with k past
 * backup_count are removed (the retention may have shrunk since the last run).
 *
 * Test hook: with ZEST_EVLOG_CRASH_AT=<step>[@<n>] in the environment at open, the process
 * calls _exit(9) at the n-th (default first) time it reaches <step>: rotate, shift, shifted,
 * renamed, opened, gz_tmp, gz_renamed, gz_done. Only the crash tests set it.
 */
#ifndef ZEST_EVROTATE_H
#define ZEST_EVROTATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "zest.h"

#define EVROT_PATH_MAX 4096

struct evrot {
    char cur[EVROT_PATH_MAX];  /* <dir>/events.jsonl */
    char pend[EVROT_PATH_MAX]; /* <dir>/events.jsonl.1, uncompressed, being compressed */
    char tmp[EVROT_PATH_MAX];  /* <dir>/.events.jsonl.1.gz.tmp */
    char dir[EVROT_PATH_MAX];
    int fd;        /* events.jsonl, O_APPEND; -1 when closed */
    uint64_t size; /* bytes in events.jsonl */
    int backup_count;
    char crash_step[32]; /* the test hook (see above); "" when off */
    long crash_nth;
    atomic_long crash_hits;
    /* the compressor thread and its one job slot */
    pthread_t thr;
    bool thr_started, job, stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int job_rc;
    zest_error job_err;
};

/* Creates `dir` (and its parents), repairs what a crash left, opens events.jsonl for
 * appending and starts the compressor thread. *last_id gets the largest event_id the log
 * holds (0 when none). On failure everything is released (evrot_close need not be called). */
int evrot_open(struct evrot *r, const char *dir, int backup_count, int64_t *last_id,
               zest_error *err);
/* Appends n bytes (whole lines) to events.jsonl. */
int evrot_write(struct evrot *r, const void *data, size_t n, zest_error *err);
/* Rotates as the protocol above says; on return events.jsonl is new and empty. */
int evrot_rotate(struct evrot *r, zest_error *err);
/* Waits for a pending compression, stops the compressor, fsyncs and closes events.jsonl.
 * Returns the first error met (err filled). */
int evrot_close(struct evrot *r, zest_error *err);

/* Reads the event_id that starts a line `{"event_id":N,...`; -1 when it does not. */
int64_t evrot_parse_id(const char *line, size_t n);

#endif

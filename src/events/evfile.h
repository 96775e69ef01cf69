/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evfile.h - the files of an event log as the reading side sees them: a line reader over one
 * file (gzip or plain, transparently, through zlib; or a raw descriptor that a follower reads
 * again after EOF as the writer appends), the event_id of a line, and the listing of an
 * events/ directory (events.jsonl, events.jsonl.N, events.jsonl.N.gz; dot files ignored)
 * ordered by each file's first event_id. Depends on common/ and io/json.h.
 */
#ifndef ZEST_EVFILE_H
#define ZEST_EVFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zest.h"

/* A line longer than this is dropped (and reported as EVFILE_LONG), not buffered. */
#define EVFILE_MAX_LINE ((size_t)64 << 20)

enum evfile_status { EVFILE_EOF = 0, EVFILE_LINE = 1, EVFILE_LONG = 2 };

struct evfile;

/* Opens `path`. `follow` false: read through zlib (gzip or plain). `follow` true: a plain file
 * read with read(2), so that a call after EOF sees what the writer appended since.
 * Returns 0, ZEST_E_NOTFOUND when the file does not exist (err filled), or ZEST_E_IO. */
int evfile_open(const char *path, bool follow, struct evfile **out, zest_error *err);
/* Next complete line, without its '\n' and NUL-terminated; valid until the next call.
 * Returns EVFILE_LINE, EVFILE_LONG (an over-long line was dropped), EVFILE_EOF (bytes of an
 * unfinished line stay buffered: see evfile_tail), or a negative status with err filled. */
int evfile_next(struct evfile *f, const char **line, size_t *len, zest_error *err);
/* Bytes of an unfinished last line buffered after EOF (a torn line, or one being written). */
size_t evfile_tail(const struct evfile *f);
/* Byte offset just past the last complete line returned (follow mode: a file offset). */
int64_t evfile_consumed(const struct evfile *f);
/* Starts again from offset 0 (follow mode: the file was truncated under us; one-shot: to
 * read a listed file from its start). */
int evfile_restart(struct evfile *f, zest_error *err);
/* Device and inode of the open file. */
void evfile_identity(const struct evfile *f, dev_t *dev, ino_t *ino);
const char *evfile_path(const struct evfile *f);
/* Accepts NULL. */
void evfile_close(struct evfile *f);

/* The event_id of a line: a fast look at the writer's `{"event_id":N,` prefix, else a full
 * parse. -1 when the line is not a JSON object with an integer event_id >= 1. */
int64_t evfile_line_id(const char *line, size_t len);

/* One log file of an events/ directory, held open (a rotation may rename it meanwhile: the
 * descriptor still reads the file whose first id was measured), rewound to its start, and
 * the first event_id found in it (INT64_MAX when it holds none yet). */
struct evfile_entry {
    char *path;
    struct evfile *f;
    int64_t first_id;
};

/* Lists the log files of `events_dir` ordered by first event_id. *out is caller-freed with
 * evfile_list_free (which closes the files). A file that vanishes while being listed
 * (rotation) is left out. */
int evfile_list(const char *events_dir, struct evfile_entry **out, size_t *n, zest_error *err);
void evfile_list_free(struct evfile_entry *e, size_t n);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partscan.h - the planner's scans over a read-only mapping of a plain input file: newline
 * counting and search (SSE2 or word-at-a-time), and the per-partition pass that counts each
 * range's lines and hashes its bytes, on several threads. Results never depend on the number
 * of threads. Depends on common/ (hash, err) and POSIX threads.
 */
#ifndef ZEST_PARTSCAN_H
#define ZEST_PARTSCAN_H

#include <stddef.h>
#include <stdint.h>


/* A byte range [start, end) of the mapping; partscan_ranges fills lines and hash. */
struct partscan_range {
    int64_t start, end;
    int64_t lines;  /* newlines in it, plus one for a last line without '\n' */
    uint64_t hash;  /* hash_wide over its bytes */
};

/* Newlines in p[0, n). */
int64_t partscan_nl_count(const unsigned char *p, size_t n);

/* Offset just past the k-th (k >= 1) newline of p[0, n), or -1 when there are fewer. */
int64_t partscan_nl_find_nth(const unsigned char *p, size_t n, int64_t k);

/* Counts the lines of and hashes every range of `base` on up to `threads` threads (the
 * caller's among them; a thread that will not start leaves its share to the others), handing
 * each range's whole pages back to the kernel once scanned, so the resident size stays
 * bounded. */
void partscan_ranges(const unsigned char *base, struct partscan_range *r, size_t n, int threads);

#endif

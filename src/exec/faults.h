/* SPDX-License-Identifier: Apache-2.0 */
/*
 * faults.h - fault injection for tests: the environment variable ZEST_FAULTS, a ';'-separated
 * list of OP@PARTITION:ACTION, makes an operator fail on a partition before it runs:
 *   fail=N        fail N times, then succeed
 *   fail=always   fail every time
 *   fail=N,after=K  (or fail=always,after=K) let K checks pass first, then fail: the
 *                 failure lands inside a partition, after some of its batches
 *   crash         kill the process at that point (SIGKILL, as `kill -9` would)
 *   delay=SECONDS sleep first, then run normally
 * PARTITION is a partition index or '*'. The sequential runner is partition 0. Counters are
 * shared by all threads. Never needed by users; documented in docs/faults.md.
 * Depends on common/.
 */
#ifndef ZEST_FAULTS_H
#define ZEST_FAULTS_H

#include <stdatomic.h>
#include <stdint.h>

#include "zest.h"

#define FAULTS_MAX 32

enum fault_action { FAULT_FAIL, FAULT_CRASH, FAULT_DELAY };

struct fault {
    char op[64];
    int64_t partition; /* -1: any */
    enum fault_action action;
    _Atomic int64_t remaining; /* FAULT_FAIL: failures left; -1 = always */
    _Atomic int64_t pass;      /* FAULT_FAIL: checks still to let through first */
    double delay_s;
};

struct faults {
    size_t n;
    struct fault f[FAULTS_MAX];
};

/* Parses a ZEST_FAULTS text (NULL or empty: no faults). ZEST_E_USAGE with the bad entry. */
int faults_parse(const char *spec, struct faults *out, zest_error *err);
/* Before `op` runs on `partition`: applies a matching delay or crash, and returns ZEST_E_FAULT
 * (err naming the op and partition) when a failure is due, else 0. */
int faults_before_op(struct faults *fs, const char *op, int64_t partition, zest_error *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.h - internals shared by the report files: the bottleneck rules (findings.c) and the
 * thresholds they use, documented in docs/report.md. The public API is in zest.h.
 */
#ifndef ZEST_REPORT_H
#define ZEST_REPORT_H

#include "zest.h"

/* A partition is a straggler above this multiple of the median wall time. */
#define REPORT_STRAGGLER_X 2.0
/* An op dominates from this share of the job's op time (with two ops or more). */
#define REPORT_DOMINANT_SHARE 0.5
/* Workers are imbalanced from this idle share of the runs' worker time. */
#define REPORT_IDLE_SHARE 0.25
/* Partition work is I/O-bound below, CPU-bound above these CPU shares of busy time. */
#define REPORT_IO_BOUND_CPU 0.5
#define REPORT_CPU_BOUND_CPU 0.9
/* Checkpoint writes are an overhead from this share of op + checkpoint time. */
#define REPORT_CKPT_SHARE 0.25
/* Partitions are too small below this mean wall time (seconds) when there are many. */
#define REPORT_SMALL_PART_S 0.05
/* Figures from less work than this (seconds of partition time) are noise: no finding. */
#define REPORT_MIN_WORK_S 0.2

/* Appends the findings the summary's figures support. 0 or ZEST_E_NOMEM. */
int findings_detect(zest_perf_summary *s);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * remoterun.h - a run's remote input: an http(s) dataset_path is downloaded into the job's
 * `inputs/` directory before the partitions are planned (io/remote does the transfer), each
 * step is told as an event (`info` / `warning` with `metadata.download`, docs/remote.md),
 * and the input fingerprint a resume checks comes from the URL and the validators the
 * server gave (ETag, Last-Modified, length), not from the local copy.
 * Depends on io/remote, events/, exec's fingerprint and config/.
 */
#ifndef ZEST_REMOTERUN_H
#define ZEST_REMOTERUN_H

#include <stddef.h>

#include "../config/config.h"
#include "../events/evlog.h"
#include "fingerprint.h"

/* Downloads `url` (or takes the download an earlier run of the job completed) into
 * `work_dir`/inputs under the settings of cfg's remote: keys, with events into `log` (may
 * be NULL). Returns 0 with the local file's path in `local` and the input's fingerprint in
 * *fp, or io/remote's status with err naming the URL. */
int remoterun_fetch(const struct zest_config *cfg, struct evlog *log, const char *url,
                    const char *work_dir, char *local, size_t cap, struct fingerprint *fp,
                    zest_error *err);

/* The fingerprint of a remote input: a hash of the URL, the ETag, Last-Modified and the
 * length; one file of `length` bytes. */
void remoterun_fingerprint(const char *url, const char *etag, const char *last_modified,
                           int64_t length, struct fingerprint *fp);

#endif

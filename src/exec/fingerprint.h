/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fingerprint.h - the input fingerprint: file count, total size, and a hash of each file's
 * name, size, modification time and sampled blocks (the first and last 64 KiB). It changes
 * when the input changes in any way a resume must notice, without reading the whole input.
 * Depends on io/source and common/.
 */
#ifndef ZEST_FINGERPRINT_H
#define ZEST_FINGERPRINT_H

#include <stdint.h>

#include "../io/source.h"

struct fingerprint {
    uint64_t files;
    uint64_t bytes;
    uint64_t hash;
    char hex[17];
};

int fingerprint_compute(const struct source_list *files, struct fingerprint *out,
                        zest_error *err);

#endif

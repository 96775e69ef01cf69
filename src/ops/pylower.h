/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pylower.h - lowercasing exactly as Python's str.lower() does it (full Unicode case mapping,
 * final sigma included), which Data-Juicer ops apply before counting or predicting. Depends on
 * common/ (buf) and utf8proc.
 */
#ifndef ZEST_PYLOWER_H
#define ZEST_PYLOWER_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/buf.h"

/* out = text.lower() (and, with newline_to_space, every '\n' then a space). 0 or
 * ZEST_E_NOMEM / ZEST_E_LIMIT. */
int pylower(const char *text, size_t len, bool newline_to_space, struct buf *out);

#endif

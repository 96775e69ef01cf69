/* SPDX-License-Identifier: Apache-2.0 */
/* suggest.h - "did you mean": the candidate closest to a misspelt name. Depends on libc. */
#ifndef ZEST_SUGGEST_H
#define ZEST_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between two NUL-terminated strings (bytes). */
size_t suggest_distance(const char *a, const char *b);
/* The candidate nearest to `name` when it is close enough to be a plausible typo (distance at
 * most a third of the name's length, and at least 1 allowed), else NULL. */
const char *suggest_closest(const char *name, const char *const *candidates, size_t n);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pylines.h - line boundaries exactly as Python's str.splitlines() finds them: "\n", "\r",
 * "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", U+0085, U+2028 and U+2029 each end a line, and
 * a break at the very end does not start an empty last line ("a\n" is one line, "" none).
 * Depends on libc only; text is valid UTF-8.
 */
#ifndef ZEST_PYLINES_H
#define ZEST_PYLINES_H

#include <stddef.h>

/* The line starting at `pos` (< len): *line_end gets the end of its text; returns where the
 * next line starts (after the break; len when the line has none). */
size_t pylines_next(const char *s, size_t len, size_t pos, size_t *line_end);
/* len(s.splitlines()). */
size_t pylines_count(const char *s, size_t len);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pychar.h - Python's character classes on code points, as Data-Juicer's ops see them:
 * str.isalpha, isalnum, isdigit, isspace and the line boundaries of str.splitlines, plus a
 * code-point counter (len(str)). Built from utf8proc's Unicode data (utf8proc 2.8: Unicode
 * 15.0); for every code point assigned in Unicode 14.0 (Python 3.11's unicodedata) the classes
 * equal Python's. Depends on common/ and utf8proc.
 */
#ifndef ZEST_PYCHAR_H
#define ZEST_PYCHAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* str.isalpha(): general category Lu, Ll, Lt, Lm or Lo. */
bool pychar_isalpha(uint32_t c);
/* str.isalnum(): isalpha, isdecimal, isdigit or isnumeric - every L* and N* category. */
bool pychar_isalnum(uint32_t c);
/* str.isdigit(): Numeric_Type Decimal or Digit (Nd, plus superscripts, circled digits...). */
bool pychar_isdigit(uint32_t c);
/* str.isspace(): bidirectional class WS, B or S, or category Zs. */
bool pychar_isspace(uint32_t c);
/* A line boundary of str.splitlines(): \n \v \f \r \x1c \x1d \x1e \x85 U+2028 U+2029. */
bool pychar_is_line_break(uint32_t c);

/* len(str): the number of code points of valid UTF-8. */
int64_t pychar_len(const char *s, size_t len);

/* One line of str.splitlines() (without its boundary; "\r\n" is one boundary). Start with
 * *pos = 0; each call returns 1 and the line in [*line, *line + *line_len) while lines
 * remain, then 0. A final boundary does not start an empty line, so "" and "\n" give 0 and 1
 * lines. */
int pychar_next_line(const char *s, size_t len, size_t *pos, const char **line,
                     size_t *line_len);

#endif

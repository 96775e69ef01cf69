/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pylines.c - Python's str.splitlines() boundaries (see pylines.h). ASCII bytes are tested
 * through a table; the multi-byte breaks are C2 85 and E2 80 A8/A9.
 */
#include "pylines.h"

#include <stdbool.h>

/* Bytes that can start a line break: the ASCII breaks and the lead bytes C2 and E2. */
static const bool pylines_lead[256] = {['\n'] = true, ['\r'] = true, ['\v'] = true,
                                       ['\f'] = true, [0x1C] = true, [0x1D] = true,
                                       [0x1E] = true, [0xC2] = true, [0xE2] = true};

/* Length of the break at s[i], 0 when there is none. */
static size_t pylines_break(const unsigned char *s, size_t len, size_t i) {
    const unsigned char c = s[i];
    if (c == '\r') return i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
    if (c < 0x80) return 1;
    if (c == 0xC2) return i + 1 < len && s[i + 1] == 0x85 ? 2 : 0;
    return i + 2 < len && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9) ? 3 : 0;
}

size_t pylines_next(const char *text, size_t len, size_t pos, size_t *line_end) {
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = pos; i < len; i++) {
        if (!pylines_lead[s[i]]) continue;
        const size_t n = pylines_break(s, len, i);
        if (n) {
            *line_end = i;
            return i + n;
        }
    }
    *line_end = len;
    return len;
}

size_t pylines_count(const char *s, size_t len) {
    size_t n = 0, end;
    for (size_t pos = 0; pos < len; n++) pos = pylines_next(s, len, pos, &end);
    return n;
}

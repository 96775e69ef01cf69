/* SPDX-License-Identifier: Apache-2.0 */
/*
 * regex.h - regular expressions with the meaning of Python's `regex` module (which Data-Juicer's
 * ops use) on top of PCRE2 (8-bit, UTF + UCP, JIT): a pattern is translated where the two
 * engines differ (\s is Unicode White_Space; \w is UTS #18's word class - Alphabetic, marks,
 * decimal digits, connector punctuation, ZWNJ, ZWJ - and \b, \B follow it; \Z is the very
 * end; \uXXXX and \UXXXXXXXX escapes), `^` in multiline mode also matches after a final
 * newline and `.` stops at '\n' only, as in Python. Inside a character class \W and \S keep
 * PCRE2's meaning (a negated set cannot be spliced into a class). Each op
 * instance compiles its patterns once in init and reuses the match data, so matching
 * allocates nothing. regex_sub is re.sub: Python's replacement template (\1, \g<name>,
 * escapes) and Python 3.7's rule for empty matches. Depends on common/ and libpcre2-8.
 */
#ifndef ZEST_REGEX_H
#define ZEST_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "zest.h"

enum {
    REGEX_DOTALL = 1u,    /* re.DOTALL: '.' also matches '\n' */
    REGEX_MULTILINE = 2u, /* re.MULTILINE: '^' and '$' at every line */
    REGEX_IGNORECASE = 4u /* re.IGNORECASE (Unicode simple case folding) */
};

struct regex {
    void *code;       /* pcre2_code_8 */
    void *md;         /* pcre2_match_data_8, reused by every match */
    void *mctx;       /* pcre2_match_context_8 holding the JIT stack */
    void *jit_stack;  /* pcre2_jit_stack_8 */
    uint32_t n_groups;
    uint64_t n_gave_up; /* searches PCRE2 abandoned at its match/depth/JIT stack limit */
};

/* One piece of a parsed replacement template: literal bytes or a group reference. */
struct regex_repl_item {
    int group; /* -1: literal [off, off+len) of `lit` */
    size_t off, len;
};

/* A parsed re.sub replacement template. */
struct regex_repl {
    char *lit;
    size_t n_items;
    struct regex_repl_item *items;
    bool literal_only; /* no group references: `lit` is the whole replacement */
};

/* Compiles a Python pattern (translated, see above) with REGEX_* flags. 0, or ZEST_E_CONFIG
 * naming the pattern, the offset and PCRE2's message; ZEST_E_NOMEM. Free with regex_free. */
int regex_compile(struct regex *rx, const char *pattern, unsigned flags, zest_error *err);
/* Releases a compiled pattern; accepts a zeroed or half-built struct. */
void regex_free(struct regex *rx);

/* Searches s[start, len) (s valid UTF-8). 1 and the match span [*ms, *me) when found, 0 when
 * not - also when PCRE2 gave up at its match, depth or JIT stack limit (a pattern with nested
 * quantifiers on a hostile text, where Python would run for ages): n_gave_up counts those. Group spans of the last
 * match: regex_group. `not_empty_at_start` refuses an empty match at `start` (re.sub's rule
 * after an empty match). */
int regex_search(struct regex *rx, const char *s, size_t len, size_t start,
                 bool not_empty_at_start, size_t *ms, size_t *me);
/* Span of group g of the last successful match; false when the group did not take part. */
bool regex_group(const struct regex *rx, uint32_t g, size_t *gs, size_t *ge);

/* Parses a replacement template as the regex module's sub does: \1..\99 and \g<n> / \g<name>
 * group references, \n \t \r \f \v \a \b \\, octal and \xHH \uHHHH \UHHHHHHHH escapes;
 * an unknown escape of an ASCII letter or a reference to a missing group is ZEST_E_CONFIG;
 * other unknown escapes stay as written. */
int regex_repl_parse(struct regex_repl *r, const char *tmpl, const struct regex *rx,
                     zest_error *err);
/* A template taken literally (no escapes at all). */
int regex_repl_literal(struct regex_repl *r, const char *text);
void regex_repl_free(struct regex_repl *r);

/* Appends re.sub(rx, repl, s) to `out`; *n_subs (may be NULL) gets the number of
 * replacements. When PCRE2 gives up on the text (see regex_search), the text is appended
 * unchanged and n_gave_up counts it. 0, ZEST_E_NOMEM / ZEST_E_LIMIT (buffer ceiling). */
int regex_sub(struct regex *rx, const struct regex_repl *repl, const char *s, size_t len,
              struct buf *out, size_t *n_subs);

#endif

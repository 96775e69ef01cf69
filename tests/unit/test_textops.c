/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_textops.c - the text machinery the mappers share: regex.c against what Python's
 * `regex` module gives for the same pattern, replacement and text (re.sub; the expected
 * strings were produced by that module), its template and pattern errors, and pylines.c
 * against str.splitlines().
 */
#include <stdio.h>
#include <string.h>

#include "../../src/common/buf.h"
#include "../../src/ops/pylines.h"
#include "../../src/ops/regex.h"
#include "runner.h"

struct sub_case {
    const char *pattern, *repl, *text;
    unsigned flags;
    const char *expected;
};

struct lines_case {
    const char *text;
    size_t count;
    const char *joined; /* the lines joined with '|' */
};

static const struct sub_case sub_cases[] = {
    {"x*", "-", "abxd", 0, "-a-b--d-"},
    {"a|", "-", "baac", 0, "-b---c-"},
    {"(a)(b)?", "[\\1\\2]", "zab ac", 0, "z[ab] [a]c"},
    {"(?P<w>\\w+)", "<\\g<w>>", "h\303\251llo w\303\266rld \344\270\255\346\226\207 _x", 0, "<h\303\251llo> <w\303\266rld> <\344\270\255\346\226\207> <_x>"},
    {"\\w+", "W", "cafe\314\201 x\342\200\215y a_b \302\262 \342\205\253", 0, "W W W \302\262 W"},
    {"\\W+", "_", "a, b\302\262 c", 0, "a_b_c"},
    {"[\\w]+", "W", "e\314\201 \302\262", 0, "W \302\262"},
    {"\\s+", "_", "a\034b\302\240c\341\240\216d\343\200\200e\302\205f", 0, "a\034b_c\341\240\216d_e_f"},
    {"^", ">", "a\012b\012", 2, ">a\012>b\012>"},
    {"$", "<", "a\012b\012", 2, "a<\012b<\012<"},
    {"$", "<", "a\012b\012", 0, "a\012b<\012<"},
    {".", ".", "a\012b", 0, ".\012."},
    {".", ".", "a\012b", 1, "..."},
    {"\\d", "#", "1\331\243x\302\262", 0, "##x\302\262"},
    {"\\bfoo\\b", "X", "foo foobar (foo) \303\251foo foo\314\201", 0, "X foobar (X) \303\251foo foo\314\201"},
    {"\\Bo", "0", "foo o", 0, "f00 o"},
    {"a\\Z", "X", "a\012a", 0, "a\012X"},
    {"\\u00e9", "e", "caf\303\251", 0, "cafe"},
    {"(?i)stra\303\237e", "X", "STRASSE Stra\303\237e STRA\341\272\236E", 0, "STRASSE X X"},
    {"[\\s,]+", "|", "a, b\011c", 0, "a|b|c"},
    {"\\S+", "w", "ab cd", 0, "w w"},
    {"(a)|b", "[\\1]", "ab", 0, "[a][]"},
    {"a", "\\n\\t\\\\", "xa", 0, "x\012\011\\"},
    {"a", "\\x41\\u00e9\\U0001F600", "xa", 0, "xA\303\251\360\237\230\200"},
    {"a", "\\101\\&", "xa", 0, "xA\\&"},
    {"(?i)[a-z]+", "w", "\303\200B \303\251C", 0, "\303\200w \303\251w"},
    {"(?<=\\n)x", "y", "x\012x", 0, "x\012y"},
    {"\303\251+", "E", "\303\251\303\251\303\251", 0, "E"},
};
static const struct lines_case lines_cases[] = {
    {"", 0, ""},
    {"a", 1, "a"},
    {"a\012", 1, "a"},
    {"\012", 1, ""},
    {"a\012b", 2, "a|b"},
    {"a\015\012b\015c", 3, "a|b|c"},
    {"\015\015\012\012", 3, "||"},
    {"a\013b\014c\034d\035e\036f\037g", 6, "a|b|c|d|e|f\037g"},
    {"a\302\205b\342\200\250c\342\200\251d", 4, "a|b|c|d"},
    {"a\342\200\247b\302\240c\302\205", 1, "a\342\200\247b\302\240c"},
    {"x\015", 1, "x"},
    {"\342\200\250", 1, ""},
    {"\303\251\012\344\270\255", 2, "\303\251|\344\270\255"},
};

TEST(regex_sub_matches_the_regex_module) {
    for (size_t i = 0; i < sizeof sub_cases / sizeof sub_cases[0]; i++) {
        const struct sub_case *c = &sub_cases[i];
        struct regex rx;
        struct regex_repl repl;
        zest_error err;
        zest_error_clear(&err);
        if (regex_compile(&rx, c->pattern, c->flags, &err))
            TEST_FAIL("case %zu: compile '%s': %s", i, c->pattern, err.msg);
        if (regex_repl_parse(&repl, c->repl, &rx, &err))
            TEST_FAIL("case %zu: template '%s': %s", i, c->repl, err.msg);
        struct buf out;
        buf_init(&out, 0);
        ASSERT(regex_sub(&rx, &repl, c->text, strlen(c->text), &out, NULL) == 0);
        if (out.len != strlen(c->expected) || memcmp(out.data, c->expected, out.len) != 0)
            TEST_FAIL("case %zu: sub('%s', '%s'): got '%.*s', expected '%s'", i, c->pattern,
                      c->repl, (int)out.len, out.data, c->expected);
        buf_free(&out);
        regex_repl_free(&repl);
        regex_free(&rx);
    }
}

TEST(regex_errors_name_the_pattern) {
    struct regex rx;
    struct regex_repl repl;
    zest_error err;
    zest_error_clear(&err);
    ASSERT(regex_compile(&rx, "(unclosed", 0, &err) == ZEST_E_CONFIG);
    ASSERT(strstr(err.msg, "(unclosed") != NULL);
    ASSERT(regex_compile(&rx, "(a)", 0, &err) == 0);
    static const char *const bad[] = {"\\2", "\\q", "\\g<x>", "\\g<2>", "\\x4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zest_error_clear(&err);
        if (regex_repl_parse(&repl, bad[i], &rx, &err) != ZEST_E_CONFIG)
            TEST_FAIL("template '%s' was accepted", bad[i]);
    }
    regex_free(&rx);
}

TEST(regex_sub_counts_and_keeps_long_texts) {
    struct regex rx;
    struct regex_repl repl;
    zest_error err;
    zest_error_clear(&err);
    ASSERT(regex_compile(&rx, "b+", REGEX_DOTALL, &err) == 0);
    ASSERT(regex_repl_literal(&repl, "\\1") == 0); /* literal: no group reference */
    struct buf text, out;
    buf_init(&text, 0);
    buf_init(&out, 0);
    for (int i = 0; i < 100000; i++) ASSERT(buf_append(&text, "aab", 3) == 0);
    size_t n = 0;
    ASSERT(regex_sub(&rx, &repl, text.data, text.len, &out, &n) == 0);
    ASSERT_EQ(n, 100000);
    ASSERT_EQ(out.len, 400000);
    ASSERT(memcmp(out.data, "aa\\1aa\\1", 8) == 0);
    buf_free(&text);
    buf_free(&out);
    regex_repl_free(&repl);
    regex_free(&rx);
}

TEST(pylines_match_str_splitlines) {
    for (size_t i = 0; i < sizeof lines_cases / sizeof lines_cases[0]; i++) {
        const struct lines_case *c = &lines_cases[i];
        const size_t len = strlen(c->text);
        ASSERT_EQ(pylines_count(c->text, len), c->count);
        struct buf joined;
        buf_init(&joined, 0);
        size_t end;
        for (size_t pos = 0, k = 0; pos < len; k++) {
            const size_t next = pylines_next(c->text, len, pos, &end);
            if (k) ASSERT(buf_putc(&joined, '|') == 0);
            ASSERT(buf_append(&joined, c->text + pos, end - pos) == 0);
            pos = next;
        }
        if (joined.len != strlen(c->joined) ||
            (joined.len && memcmp(joined.data, c->joined, joined.len) != 0))
            TEST_FAIL("case %zu: got '%.*s', expected '%s'", i, (int)joined.len, joined.data,
                      c->joined);
        buf_free(&joined);
    }
}

/* remove_table_text_mapper's patterns, with '|' both a separator and a cell character,
 * backtrack exponentially on this text (found by fuzz_textmappers); PCRE2 stops at its match
 * limit and the text stays as it was. */
TEST(regex_sub_keeps_a_text_the_engine_gives_up_on) {
    static const char text[] = "\003\003\n+\003||||||||||||||||||||||||||||||||||||||||\n"
                               "\357\254\211\032 \032\032\032\032\032\032\032nance";
    const size_t len = sizeof text - 1;
    uint64_t gave_up = 0;
    for (int i = 1; i <= 19; i++) {
        struct regex rx;
        struct regex_repl repl;
        zest_error err;
        zest_error_clear(&err);
        char pat[96];
        snprintf(pat, sizeof pat, "(?<=\\n)((\\S+?)([ |\\t](\\S+?)){%d}\\n+){2,}", i);
        ASSERT(regex_compile(&rx, pat, 0, &err) == 0);
        ASSERT(regex_repl_literal(&repl, "") == 0);
        struct buf out;
        buf_init(&out, 0);
        ASSERT(regex_sub(&rx, &repl, text, len, &out, NULL) == 0);
        if (rx.n_gave_up) {
            ASSERT_EQ(out.len, len);
            ASSERT(memcmp(out.data, text, len) == 0);
        }
        gave_up += rx.n_gave_up;
        buf_free(&out);
        regex_repl_free(&repl);
        regex_free(&rx);
    }
    ASSERT(gave_up > 0);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_words.c - the shared text machinery of the word and character ops: Python's character
 * classes and splitlines() boundaries against Python itself (every code point Python 3's
 * unicodedata assigns), SPECIAL_CHARACTERS, Data-Juicer's word split / refine / augment /
 * merge, and the word-list loader (Data-Juicer's JSON format, its errors).
 */
#include <stdio.h>
#include <sys/stat.h>

#include "../../src/common/buf.h"
#include "../../src/common/utf8.h"
#include "../../src/ops/pychar.h"
#include "../../src/ops/special_chars.h"
#include "../../src/ops/wordlists.h"
#include "../../src/ops/words.h"
#include "runner.h"
#include "zest.h"

/* Python prints, for every assigned code point, "hex flags" with flags from isalnum, isalpha,
 * isdigit, isspace and whether it breaks a line; the C classes must agree on each. */
static const char py_classes[] =
    "/usr/bin/python3 -c '\n"
    "import unicodedata as u\n"
    "for c in range(0x110000):\n"
    "    ch = chr(c)\n"
    "    if u.category(ch) == \"Cn\": continue\n"
    "    f = [ch.isalnum(), ch.isalpha(), ch.isdigit(), ch.isspace(), len((\"a\" + ch + \"b\").splitlines()) == 2]\n"
    "    print(\"%x %s\" % (c, \"\".join(\"1\" if x else \"0\" for x in f)))\n"
    "'";

TEST(character_classes_equal_pythons) {
    FILE *p = popen(py_classes, "r");
    ASSERT(p != NULL);
    char line[64];
    long checked = 0;
    while (fgets(line, sizeof line, p)) {
        unsigned c;
        char f[8];
        ASSERT(sscanf(line, "%x %7s", &c, f) == 2);
        const int got[5] = {pychar_isalnum(c), pychar_isalpha(c), pychar_isdigit(c),
                            pychar_isspace(c), pychar_is_line_break(c)};
        for (int k = 0; k < 5; k++)
            if (got[k] != (f[k] == '1'))
                TEST_FAIL("U+%04X: class %d (alnum, alpha, digit, space, break): got %d, python %c",
                          c, k, got[k], f[k]);
        checked++;
    }
    ASSERT(pclose(p) == 0);
    ASSERT(checked > 140000); /* Unicode 14 assigns about 144,000 code points */
}

static int count_lines(const char *s) {
    size_t pos = 0, len;
    const char *line;
    int n = 0;
    while (pychar_next_line(s, strlen(s), &pos, &line, &len)) n++;
    return n;
}

TEST(splitlines_counts_like_python) {
    ASSERT_EQ(count_lines(""), 0);
    ASSERT_EQ(count_lines("\n"), 1);
    ASSERT_EQ(count_lines("a"), 1);
    ASSERT_EQ(count_lines("a\n"), 1);
    ASSERT_EQ(count_lines("a\r\nb"), 2);
    ASSERT_EQ(count_lines("a\n\rb"), 3);
    ASSERT_EQ(count_lines("\n\n"), 2);
    ASSERT_EQ(count_lines("a\x1c" "b\x1d" "c\x1e" "d\x1f" "e"), 4); /* \x1f does not break */
    ASSERT_EQ(count_lines("a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xa9" "d\xe2\x80\xaa"), 4);
    size_t pos = 0, len;
    const char *line, *s = "ab\r\ncd";
    ASSERT(pychar_next_line(s, strlen(s), &pos, &line, &len));
    ASSERT_MEM_EQ(line, len, "ab", 2);
    ASSERT(pychar_next_line(s, strlen(s), &pos, &line, &len));
    ASSERT_MEM_EQ(line, len, "cd", 2);
    ASSERT(!pychar_next_line(s, strlen(s), &pos, &line, &len));
}

TEST(code_points_are_counted) {
    ASSERT_EQ(pychar_len("", 0), 0);
    ASSERT_EQ(pychar_len("abc", 3), 3);
    const char *s = "emoji表情测试下😊，😸31231\n";
    ASSERT_EQ(pychar_len(s, strlen(s)), 19);
}

TEST(special_characters_are_data_juicers) {
    ASSERT_EQ(special_chars_count, 1618);
    ASSERT_STR_EQ(special_chars_emoji_version, "2.2.0");
    const uint32_t in[] = {'!', '0', '9', ' ', '\t', '\n', '\r', '\v', '\f', '~', 0x3000,
                           0xFFFC, 0x4E00, 0x0413, 0x1F60A, 0x1F3FB, 0x00A9, 0x203C, 0x1FAF8};
    const uint32_t out[] = {'a', 'Z', 0x1C, 0x86, 0x00A0, 0x2000, 0x0301, 0x4E01, 0x0433,
                            0x1F1E6, 0x200D, 0xFE0F, 0x20E3, 0x10FFFF};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        if (!special_chars_has(in[i])) TEST_FAIL("U+%04X should be special", in[i]);
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
        if (special_chars_has(out[i])) TEST_FAIL("U+%04X should not be special", out[i]);
}

static void check_words(const char *text, bool lower, const char *const *want, size_t n) {
    struct word_list wl;
    word_list_init(&wl);
    ASSERT(word_list_build(&wl, text, strlen(text), lower) == 0);
    if (wl.n != n) TEST_FAIL("'%s': %zu words, expected %zu", text, wl.n, n);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *w = word_list_at(&wl, i, &len);
        ASSERT_MEM_EQ(w, len, want[i], strlen(want[i]));
    }
    word_list_free(&wl);
}

TEST(words_are_split_lowered_and_stripped) {
    const char *a[] = {"today", "is", "sunday", "it's", "a", "day"};
    check_words("  Today is\tSUNDAY\n\"it's\" a day!  ", true, a, 6);
    const char *b[] = {"Today", "x\xc2\xa0y"}; /* U+00A0 does not split */
    check_words("Today ... x\xc2\xa0y --", false, b, 2);
    const char *c[] = {"σας", "ός"}; /* final sigma, per word */
    check_words("ΣΑΣ ΌΣ", true, c, 2);
    const char *d[] = {"i\xcc\x87stanbul"}; /* U+0130 lowers to i + U+0307 */
    check_words("\xc4\xb0STANBUL", true, d, 1);
    const char *e[] = {"г"}; /* Г is special, г is not: lowercasing comes first */
    check_words("Г", true, e, 1);
    check_words("Г 😊 ...", false, NULL, 0);
}

TEST(words_augmentation_appends_joined_runs) {
    struct word_list wl;
    word_list_init(&wl);
    ASSERT(word_list_build(&wl, "a b c", 5, true) == 0);
    const int64_t sizes[] = {2, 3, 4};
    ASSERT(word_list_augment(&wl, sizes, 3, "-", 1) == 0);
    const char *want[] = {"a", "b", "c", "a-b", "b-c", "a-b-c"};
    ASSERT_EQ(wl.n, 6);
    for (size_t i = 0; i < 6; i++) {
        size_t len;
        const char *w = word_list_at(&wl, i, &len);
        ASSERT_MEM_EQ(w, len, want[i], strlen(want[i]));
    }
    word_list_free(&wl);
}

static bool keep_short(void *ctx, const char *w, size_t len) {
    (void)ctx, (void)w;
    return len <= 3;
}

static void check_merge(const char *in, const char *want) {
    struct buf out;
    buf_init(&out, 0);
    ASSERT(words_filter_merge(in, strlen(in), keep_short, NULL, &out) == 0);
    ASSERT_MEM_EQ(out.data ? out.data : "", out.len, want, strlen(want));
    buf_free(&out);
}

TEST(merge_rejoins_with_single_separators) {
    check_merge("", "");
    check_merge("a  b", "a b");
    check_merge("a\tb\nc", "a\tb\nc");
    check_merge("long\tb", "b");               /* an emptied cell disappears */
    check_merge("a\nlonger\n\nc", "a\nc");     /* so do emptied and empty lines */
    check_merge("a\t\tb", "a\tb");
    check_merge("  a  \t  b  \n", "a\tb");
    check_merge("abcd efgh", "");
}

static void write_list(const char *dir, const char *name, const char *json) {
    free(test_write_file(dir, name, json, strlen(json)));
}

static int load(const char *dir, const char *lang, struct wordset **ws, zest_error *err) {
    zest_error_clear(err);
    return wordset_load(dir, "stopwords", lang, "stopwords_filter", ws, err);
}

TEST(word_lists_merge_files_and_languages) {
    const char *dir = test_tmpdir();
    write_list(dir, "a_stopwords.json", "{\"en\": [\"the\", \"a\"], \"fr\": [\"le\"]}");
    write_list(dir, "stopwords_more.json", "{\"en\": [\"of\"]}");
    write_list(dir, "other.json", "{\"en\": [\"ignored\"]}");
    write_list(dir, "stopwords.txt", "not json");
    struct wordset *ws = NULL;
    zest_error err;
    ASSERT(load(dir, "en", &ws, &err) == 0);
    ASSERT_EQ(wordset_size(ws), 3);
    ASSERT(wordset_has(ws, "the", 3) && wordset_has(ws, "of", 2) && !wordset_has(ws, "le", 2));
    ASSERT(!wordset_has(ws, "ignored", 7) && !wordset_has(ws, "th", 2));
    wordset_free(ws);
    ASSERT(load(dir, "all", &ws, &err) == 0);
    ASSERT_EQ(wordset_size(ws), 4);
    wordset_free(ws);
    write_list(dir, "x_stopwords.json", "{\"all\": [\"only\"]}");
    ASSERT(load(dir, "all", &ws, &err) == 0); /* a file's own "all" wins */
    ASSERT_EQ(wordset_size(ws), 1);
    wordset_free(ws);
}

TEST(word_list_errors_are_config_errors) {
    const char *dir = test_tmpdir();
    struct wordset *ws = NULL;
    zest_error err;
    ASSERT_EQ(load(dir, "en", &ws, &err), ZEST_E_CONFIG);
    ASSERT_CONTAINS(err.msg, "no *stopwords*.json file");
    write_list(dir, "stopwords.json", "{\"en\": [\"a\"]}");
    ASSERT_EQ(load(dir, "de", &ws, &err), ZEST_E_CONFIG);
    ASSERT_CONTAINS(err.msg, "no stopwords list for 'de'");
    write_list(dir, "stopwords.json", "{\"en\": [\"a\", 1]}");
    ASSERT_EQ(load(dir, "en", &ws, &err), ZEST_E_CONFIG);
    ASSERT_CONTAINS(err.msg, "item 1 is not a string");
    write_list(dir, "stopwords.json", "{\"en\": \"a\"}");
    ASSERT_EQ(load(dir, "en", &ws, &err), ZEST_E_CONFIG);
    write_list(dir, "stopwords.json", "[\"a\"]");
    ASSERT_EQ(load(dir, "en", &ws, &err), ZEST_E_CONFIG);
    ASSERT_CONTAINS(err.msg, "expected an object");
    write_list(dir, "stopwords.json", "{\"en\": [\"a\"");
    ASSERT_EQ(load(dir, "en", &ws, &err), ZEST_E_CONFIG);
    ASSERT_CONTAINS(err.msg, "stopwords.json: offset");
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/nope", dir);
    ASSERT_EQ(load(missing, "en", &ws, &err), ZEST_E_CONFIG);
    ASSERT_CONTAINS(err.msg, "cannot open");
}

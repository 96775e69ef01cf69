/* SPDX-License-Identifier: Apache-2.0 */
/*
 * words.h - Data-Juicer's word machinery (ops/common/helper_func.py), written once for every
 * word-level op:
 *   - words_next: split_on_whitespace - tokens between ' ' (and '\n', '\t' when asked), empty
 *     tokens dropped; no other whitespace splits (U+00A0 stays inside a word);
 *   - words_strip_special / words_refine: words_refinement - optional Python lowercasing of
 *     the word, then SPECIAL_CHARACTERS stripped from both ends; an empty result is dropped;
 *   - word_list: get_words_from_document + words_refinement into reused buffers, with the
 *     optional n-gram augmentation (words_augmentation) appended;
 *   - words_filter_merge: split_on_newline_tab_whitespace, a per-word decision, then
 *     merge_on_whitespace_tab_newline (single separators, empty cells and lines dropped).
 * Everything works on caller-owned reused buffers: no allocation once they have grown.
 * Depends on common/ and pylower, special_chars.
 */
#ifndef ZEST_WORDS_H
#define ZEST_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

/* The next token of [s, s+len) from *pos split on ' ' (and on '\n' and '\t' when
 * newline_tab); 1 and the token, or 0 at the end. Empty tokens are skipped. */
static inline int words_next(const char *s, size_t len, size_t *pos, bool newline_tab,
                             const char **w, size_t *wlen) {
    size_t i = *pos;
    while (i < len && (s[i] == ' ' || (newline_tab && (s[i] == '\n' || s[i] == '\t')))) i++;
    if (i >= len) {
        *pos = len;
        return 0;
    }
    const size_t start = i;
    while (i < len && s[i] != ' ' && !(newline_tab && (s[i] == '\n' || s[i] == '\t'))) i++;
    *w = s + start;
    *wlen = i - start;
    *pos = i;
    return 1;
}

/* Narrows [*s, *s+len) by the SPECIAL_CHARACTERS at both ends; returns the new length. */
size_t words_strip_special(const char **s, size_t len);

/* words_refinement of one word: lowercased as Python's str.lower() when `lower` (into
 * `scratch`), then stripped. *out points into the word or into scratch; returns its length
 * (0: the word is dropped) or a negative status. */
int64_t words_refine(const char *w, size_t len, bool lower, struct buf *scratch,
                     const char **out);

struct word_span {
    size_t off, len;
};

/* Refined words of one text, back to back in `chars`, reused from text to text. */
struct word_list {
    struct buf chars;
    struct buf spans; /* struct word_span[n] */
    size_t n;
    struct buf scratch;
};

void word_list_init(struct word_list *wl);
void word_list_free(struct word_list *wl);
/* get_words_from_document (split on ' ', '\n', '\t') then words_refinement(lower, strip
 * SPECIAL_CHARACTERS). 0 or a negative status. */
int word_list_build(struct word_list *wl, const char *text, size_t len, bool lower);
/* words_augmentation for each group size in turn: every run of `g` consecutive words joined
 * by `join`, appended after the words. */
int word_list_augment(struct word_list *wl, const int64_t *group_sizes, size_t n_sizes,
                      const char *join, size_t join_len);

static inline const char *word_list_at(const struct word_list *wl, size_t i, size_t *len) {
    const struct word_span *sp = (const struct word_span *)(const void *)wl->spans.data + i;
    *len = sp->len;
    return wl->chars.data + sp->off;
}

/* Decides whether a word stays (ctx is the caller's). */
typedef bool (*words_keep_fn)(void *ctx, const char *w, size_t len);

/* Appends to `out` the text split into lines ('\n'), cells ('\t') and words (' '), keeping the
 * words `keep` accepts, joined back with single separators; cells and lines left without a
 * word disappear (merge_on_whitespace_tab_newline). 0 or a negative status. */
int words_filter_merge(const char *text, size_t len, words_keep_fn keep, void *ctx,
                       struct buf *out);

#endif

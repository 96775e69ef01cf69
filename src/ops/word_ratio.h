/* SPDX-License-Identifier: Apache-2.0 */
/*
 * word_ratio.h - what stopwords_filter and flagged_words_filter share (Data-Juicer computes
 * both the same way): the words of the text (split on spaces, tabs and newlines, lowercased as
 * Python does, stripped of SPECIAL_CHARACTERS, empty ones dropped, then optionally augmented
 * with joined runs of consecutive words) and the fraction of them found in a word list,
 * capped at 1.0 (0.0 without words). The parameter layout below is common to both ops.
 */
#ifndef ZEST_WORD_RATIO_H
#define ZEST_WORD_RATIO_H

#include "filter_range.h"
#include "op.h"
#include "words.h"

enum {
    WR_LANG,
    WR_TOKENIZATION,
    WR_MIN_RATIO,
    WR_MAX_RATIO,
    WR_DIR,
    WR_USE_AUG,
    WR_AUG_SIZES,
    WR_AUG_JOIN,
    WR_RANGE_FLAGS
};

/* The schema entries from WR_USE_AUG to WR_AUG_JOIN. */
#define WORD_RATIO_AUG_PARAMS                                                                   \
    {.name = "use_words_aug", .type = ZEST_PARAM_BOOL, .default_value = "false",               \
     .help = "also count runs of consecutive words joined together (for Chinese, Vietnamese)"}, \
    {.name = "words_aug_group_sizes", .type = ZEST_PARAM_STRING_LIST, .default_value = "2",    \
     .help = "lengths of the runs of words joined by use_words_aug (positive integers)"},      \
    {.name = "words_aug_join_char", .type = ZEST_PARAM_STRING, .default_value = "",            \
     .help = "what joins the words of a run"}

/* Loads the `type` word list ("stopwords", "flagged_words") for the op's language into
 * p->shared and checks the other parameters: config errors name `op`. */
int word_ratio_prepare(struct op_params *p, const char *op, const char *type, zest_error *err);
int word_ratio_init(void *state, const struct op_params *p, zest_error *err);
/* Computes (or reuses) stat `key` per row and drops the rows outside the range. */
int word_ratio_process(void *state, struct op_ctx *ctx, const char *key, const char *op,
                       zest_error *err);
void word_ratio_destroy(void *state);

#define WORD_RATIO_MAX_AUG_SIZES 16

struct wordset;

/* An instance's state (the op's state_size). */
struct word_ratio_state {
    struct filter_range range;
    const struct wordset *set;
    bool use_aug;
    int64_t aug_sizes[WORD_RATIO_MAX_AUG_SIZES];
    size_t n_aug_sizes;
    const char *join;
    struct word_list words;
};

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* op_list.h - every built-in operator, in name order (a unit test checks the order).
 * Adding an operator: one file defining `const struct op_desc op_<name>`, one line here. */
OP(alphanumeric_filter)
OP(average_line_length_filter)
OP(character_repetition_filter)
OP(chinese_convert_mapper)
OP(flagged_words_filter)
OP(language_id_score_filter)
OP(maximum_line_length_filter)
OP(special_characters_filter)
OP(stopwords_filter)
OP(suffix_filter)
OP(text_length_filter)
OP(whitespace_normalization_mapper)
OP(word_repetition_filter)
OP(words_num_filter)

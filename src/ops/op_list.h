/* SPDX-License-Identifier: Apache-2.0 */
/* op_list.h - every built-in operator, in name order (a unit test checks the order).
 * Adding an operator: one file defining `const struct op_desc op_<name>`, one line here. */
OP(clean_copyright_mapper)
OP(clean_email_mapper)
OP(clean_ip_mapper)
OP(clean_links_mapper)
OP(expand_macro_mapper)
OP(language_id_score_filter)
OP(punctuation_normalization_mapper)
OP(remove_bibliography_mapper)
OP(remove_comments_mapper)
OP(remove_header_mapper)
OP(remove_non_chinese_character_mapper)
OP(remove_repeat_sentences_mapper)
OP(remove_specific_chars_mapper)
OP(remove_table_text_mapper)
OP(text_length_filter)
OP(whitespace_normalization_mapper)

/* SPDX-License-Identifier: Apache-2.0 */
/* op_list.h - every built-in operator, in name order (a unit test checks the order).
 * Adding an operator: one file defining `const struct op_desc op_<name>`, one line here. */
OP(clean_email_mapper)
OP(clean_ip_mapper)
OP(clean_links_mapper)
OP(language_id_score_filter)
OP(text_length_filter)
OP(whitespace_normalization_mapper)

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * col_internal.h - builder internals shared by the files of src/data/ only (builder.c defines
 * them; selection.c's compaction fast paths use them). Not for callers outside src/data/.
 */
#ifndef ZEST_COL_INTERNAL_H
#define ZEST_COL_INTERNAL_H

#include "column.h"

/* Records the validity of row b->length (the caller then increments length, and null_count
 * for a null). The bitmap is created at the first null, earlier rows marked valid. */
int colb_push_bit(struct col_builder *b, bool valid);
/* Makes sure a utf8/json/list builder holds its leading offset 0. */
int colb_offsets_begin(struct col_builder *b);
/* Gives an empty-typed inferring builder the type of `c`, recursively creating struct fields
 * and list items typed like c's children, so a compaction keeps the schema even when no row
 * survives. A no-op when b already has a type (fixed builders of c's type get c's fields). */
int colb_adopt(struct col_builder *b, const struct column *c);

#endif

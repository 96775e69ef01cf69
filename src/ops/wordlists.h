/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wordlists.h - the word lists of stopwords_filter and flagged_words_filter, in Data-Juicer's
 * format: a directory of JSON files whose names contain the list type ("stopwords",
 * "flagged_words") and end in ".json", each an object {lang: [words]}. Lists of one language
 * from several files are merged; the language "all" is the union of every language unless a
 * file defines "all" itself. The chosen list becomes a read-only hash set, loaded once per
 * config and shared by every worker. Depends on common/, io/json.h.
 */
#ifndef ZEST_WORDLISTS_H
#define ZEST_WORDLISTS_H

#include <stdbool.h>
#include <stddef.h>

#include "zest.h"

struct wordset;

/* Loads the `type` list of `lang` from `dir` (NULL or "": the models directory,
 * $ZEST_MODELS_DIR, default ~/.cache/zest/models). A missing directory, no matching file, a
 * malformed file or a language no file has are ZEST_E_CONFIG errors naming `op` and the file. */
int wordset_load(const char *dir, const char *type, const char *lang, const char *op,
                 struct wordset **out, zest_error *err);
void wordset_free(struct wordset *ws);
/* Is the word in the set? Thread-safe (read-only). */
bool wordset_has(const struct wordset *ws, const char *w, size_t len);
size_t wordset_size(const struct wordset *ws);

/* The path of `name` in the models directory (a name with a '/' is taken as it is). */
void wordlists_model_path(const char *name, char *out, size_t cap);

#endif

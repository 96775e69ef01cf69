/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unavailable.c - the table of Data-Juicer operators zest cannot run, in name order, and the
 * refusal of `tokenization: true` (see unavailable.h). Data only.
 */
#include "unavailable.h"

#include <string.h>

#include "../common/err.h"

static const struct op_unavailable unavailable_ops[] = {
    {.name = "perplexity_filter",
     .kind = ZEST_OP_FILTER,
     .reason = "needs a KenLM language model ({lang}.arpa.bin) and a sentencepiece model "
               "({lang}.sp.model), which zest does not ship"},
    {.name = "sentence_split_mapper",
     .kind = ZEST_OP_MAPPER,
     .reason = "needs NLTK's punkt sentence models, which zest does not ship"},
    {.name = "token_num_filter",
     .kind = ZEST_OP_FILTER,
     .reason = "needs the Hugging Face tokenizer EleutherAI/pythia-6.9b-deduped, which zest "
               "does not ship"},
};

#define N_UNAVAILABLE (sizeof unavailable_ops / sizeof unavailable_ops[0])

const struct op_unavailable *op_unavailable_find(const char *name) {
    for (size_t i = 0; i < N_UNAVAILABLE; i++)
        if (strcmp(unavailable_ops[i].name, name) == 0) return &unavailable_ops[i];
    return NULL;
}

size_t op_unavailable_count(void) { return N_UNAVAILABLE; }

const struct op_unavailable *op_unavailable_at(size_t i) {
    return i < N_UNAVAILABLE ? &unavailable_ops[i] : NULL;
}

int op_refuse_tokenization(const struct op_params *p, size_t idx, const char *op,
                           const char *model, zest_error *err) {
    if (!p->v[idx].b) return 0;
    return err_set(err, ZEST_E_CONFIG,
                   "%s: tokenization: true is not available: it needs %s, which zest does not "
                   "ship (tokenization: false splits words on spaces, tabs and newlines)",
                   op, model);
}

/* Public catalogue: what `zest ops` lists as unavailable. */
size_t zest_op_unavailable_count(void) { return N_UNAVAILABLE; }

const char *zest_op_unavailable_at(size_t i, zest_op_kind *kind, const char **reason) {
    if (i >= N_UNAVAILABLE) return NULL;
    if (kind) *kind = unavailable_ops[i].kind;
    if (reason) *reason = unavailable_ops[i].reason;
    return unavailable_ops[i].name;
}

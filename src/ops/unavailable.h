/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unavailable.h - Data-Juicer operators and parameter values zest knows but cannot run,
 * because they need a model or library zest does not ship (a KenLM model, a sentencepiece or
 * Hugging Face tokenizer, NLTK punkt). `zest ops` lists them with the reason, and a
 * config that names one fails validation with that reason instead of failing at run time.
 */
#ifndef ZEST_UNAVAILABLE_H
#define ZEST_UNAVAILABLE_H

#include <stddef.h>

#include "op.h"

struct op_unavailable {
    const char *name;
    zest_op_kind kind;
    const char *reason;
};

/* The unavailable operator called `name`, or NULL. */
const struct op_unavailable *op_unavailable_find(const char *name);
size_t op_unavailable_count(void);
const struct op_unavailable *op_unavailable_at(size_t i);

/* For an op whose parameter `tokenization` (index `idx`) selects a model-based word split:
 * ZEST_E_CONFIG with the reason when it is true, else 0. `model` names what it would need. */
int op_refuse_tokenization(const struct op_params *p, size_t idx, const char *op,
                           const char *model, zest_error *err);

#endif

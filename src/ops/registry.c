/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.c - the table of built-in operators (expanded from op_list.h) and lookups by name,
 * plus the public zest_op_* catalogue functions. Data only: no operator state lives here.
 */
#include <string.h>

#include "../common/suggest.h"
#include "op.h"

#define OP(name) extern const struct op_desc op_##name;
#include "op_list.h"
#undef OP

static const struct op_desc *const builtin_ops[] = {
#define OP(name) &op_##name,
#include "op_list.h"
#undef OP
};

#define N_OPS (sizeof builtin_ops / sizeof builtin_ops[0])

static const char *const op_names[] = {
#define OP(name) #name,
#include "op_list.h"
#undef OP
};

size_t op_registry_count(void) { return N_OPS; }

const struct op_desc *op_registry_at(size_t i) { return i < N_OPS ? builtin_ops[i] : NULL; }

/* op_list.h is kept in name order, so lookup is a binary search. */
const struct op_desc *op_registry_find(const char *name) {
    size_t lo = 0, hi = N_OPS;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int c = strcmp(name, builtin_ops[mid]->info.name);
        if (c == 0) return builtin_ops[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *op_registry_suggest(const char *name) {
    return suggest_closest(name, op_names, N_OPS);
}

size_t zest_op_count(void) { return N_OPS; }

const zest_op_info *zest_op_at(size_t i) { return i < N_OPS ? &builtin_ops[i]->info : NULL; }

const zest_op_info *zest_op_find(const char *name) {
    const struct op_desc *d = op_registry_find(name);
    return d ? &d->info : NULL;
}

const char *zest_op_kind_name(zest_op_kind kind) {
    switch (kind) {
    case ZEST_OP_MAPPER: return "mapper";
    case ZEST_OP_FILTER: return "filter";
    case ZEST_OP_DEDUPLICATOR: return "deduplicator";
    }
    return "unknown";
}

const char *zest_param_type_name(zest_param_type type) {
    switch (type) {
    case ZEST_PARAM_BOOL: return "bool";
    case ZEST_PARAM_INT: return "int";
    case ZEST_PARAM_DOUBLE: return "float";
    case ZEST_PARAM_STRING: return "string";
    case ZEST_PARAM_STRING_LIST: return "list[string]";
    }
    return "unknown";
}

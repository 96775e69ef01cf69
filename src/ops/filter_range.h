/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_range.h - Data-Juicer's common keep rule for range filters (Filter.get_keep_boolean):
 * closed intervals by default; min_closed_interval / max_closed_interval open either end;
 * reversed_range first flips both closedness flags and then negates the result, so it keeps
 * values outside the range. Every range filter splices FILTER_RANGE_PARAMS into its schema.
 */
#ifndef ZEST_FILTER_RANGE_H
#define ZEST_FILTER_RANGE_H

#include <stdbool.h>

#include "op.h"

#define FILTER_RANGE_PARAMS                                                                    \
    {.name = "min_closed_interval", .type = ZEST_PARAM_BOOL, .default_value = "true",          \
     .help = "whether the lower bound is inclusive"},                                          \
    {.name = "max_closed_interval", .type = ZEST_PARAM_BOOL, .default_value = "true",          \
     .help = "whether the upper bound is inclusive"},                                          \
    {.name = "reversed_range", .type = ZEST_PARAM_BOOL, .default_value = "false",              \
     .help = "keep samples outside the range instead of inside"}

struct filter_range {
    double min, max;
    bool has_min, has_max;
    bool min_closed, max_closed, reversed;
};

/* Reads the three flags from parameters `first`, `first+1`, `first+2` (FILTER_RANGE_PARAMS). */
static inline void filter_range_flags(struct filter_range *r, const struct op_params *p,
                                      size_t first) {
    r->reversed = p->v[first + 2].b;
    r->min_closed = p->v[first].b != r->reversed;
    r->max_closed = p->v[first + 1].b != r->reversed;
}

static inline bool filter_range_keep(const struct filter_range *r, double v) {
    bool keep = true;
    if (r->has_min) keep = keep && (r->min_closed ? v >= r->min : v > r->min);
    if (r->has_max) keep = keep && (r->max_closed ? v <= r->max : v < r->max);
    return keep != r->reversed;
}

#endif

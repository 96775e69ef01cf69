/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op.h - what an operator is: a descriptor (the public zest_op_info plus state size and
 * functions), typed parameter values bound from the config, and the context a process call
 * gets. One file per operator defines one `const struct op_desc op_<name>`; op_list.h lists
 * them. Operators see batches and arenas only - never files, events or the executor.
 */
#ifndef ZEST_OP_H
#define ZEST_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zest.h"
#include "../common/arena.h"
#include "../common/node.h"
#include "../data/column.h"

/* A bound parameter value; which member is set follows the schema's type. */
struct param_value {
    bool b;
    int64_t i;
    double d;
    const char *s;          /* ZEST_PARAM_STRING */
    const char *const *list; /* ZEST_PARAM_STRING_LIST */
    size_t n_list;
};

/* An operator's parameters, in schema order, plus the memory they live in. */
struct op_params {
    size_t n;
    struct param_value *v;
    struct arena mem;
    void *shared;                  /* what `prepare` loaded for every instance (a model) */
    void (*free_shared)(void *);   /* how op_params_free releases it */
};

/* The stats struct column every filter reads and writes (`__dj__stats__`). */
#define OP_STATS_FIELD "__dj__stats__"

/* What process() works on. The runner owns it; the op reads `in` and writes its result:
 * a mapper may replace the text column with `text_out`; a filter marks `sel` and may add
 * stats through `stats`. Memory that must live until the batch is written comes from
 * `arena` (reset per batch). */
struct op_ctx {
    const struct batch *in;
    int text_col;                 /* index of the text column in `in` */
    struct arena *arena;
    struct col_builder *text_out; /* mapper output: one row per input row */
    bool text_replaced;           /* set by a mapper that filled text_out */
    struct selection *sel;        /* filter output, all kept on entry */
    struct stats_view *stats;     /* filter stats: read existing, write new */
};

/* Stats access for filters: reuse a value already present in the input (Data-Juicer
 * skips compute_stats when the key exists), else compute and store one. */
struct stats_view;
/* 1 and *out set when row `row` already has a numeric stat `key`; 0 otherwise. */
int stats_get_number(struct stats_view *sv, const char *key, int64_t row, double *out);
/* Stores a stat for the row; rows are set in order, each key once per row. */
int stats_set_int(struct stats_view *sv, const char *key, int64_t row, int64_t v);
int stats_set_double(struct stats_view *sv, const char *key, int64_t row, double v);
/* String stats (e.g. lang): 1 and the value when present, else 0. */
int stats_get_string(struct stats_view *sv, const char *key, int64_t row, const char **out,
                     size_t *len);
int stats_set_string(struct stats_view *sv, const char *key, int64_t row, const char *v,
                     size_t len);

struct op_desc {
    zest_op_info info;
    size_t state_size;
    /* Loads, once per config and at load time, what every instance of the op shares read-only
     * (a model): a missing or damaged file is a config error, not a failure at the first
     * sample. Sets p->shared and p->free_shared. May be NULL. */
    int (*prepare)(struct op_params *p, zest_error *err);
    /* Validates parameters beyond the schema and derives settings into `state` (zeroed). */
    int (*init)(void *state, const struct op_params *p, zest_error *err);
    /* Processes one batch. Returns 0, or a negative status for an infrastructure failure;
     * a record the op cannot handle is data (dropped or passed on), not a failure. */
    int (*process)(void *state, struct op_ctx *ctx, zest_error *err);
    /* Releases what init took; must accept a half-initialised state. May be NULL. */
    void (*destroy)(void *state);
};

/* Registry (registry.c): built-in operators sorted by name. */
const struct op_desc *op_registry_find(const char *name);
size_t op_registry_count(void);
const struct op_desc *op_registry_at(size_t i);
/* The registered name closest to `name` (for "did you mean"), or NULL if none is close. */
const char *op_registry_suggest(const char *name);

/* Binds a config mapping (may be NULL: all defaults) against the op's schema: unknown
 * parameters are errors with a suggestion; wrong types or out-of-range values are errors
 * naming the parameter, the value, `path` and the line. */
int op_params_bind(const struct op_desc *op, const struct node *params, const char *path,
                   struct op_params *out, zest_error *err);
void op_params_free(struct op_params *p);

#endif

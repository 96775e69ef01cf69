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
#include "../common/buf.h"
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

/* A deduplicator (kind ZEST_OP_DEDUPLICATOR) is a global op in three phases (docs/dedup.md):
 * per partition, `signature` turns each record into a fixed-size signature; once, over every
 * partition's signatures in global input order, `finalize` decides keep or drop per record;
 * then, per partition again, the decision is applied as a selection. The executor runs the
 * phases and stores what passes between them; the op only computes. */
enum dedup_mode { DEDUP_OFF = 0, DEDUP_SIGNATURE, DEDUP_APPLY };
struct dedup_desc;

/* What the executor hands a deduplicator for the partition running: set before the
 * partition's first batch, read and advanced by the op's process call. */
struct dedup_run {
    enum dedup_mode mode;
    const struct dedup_desc *desc; /* the op's phases */
    int64_t seq;         /* rows of the partition this op has seen so far */
    struct buf *sigs;    /* SIGNATURE: signatures appended in row order */
    const uint8_t *keep; /* APPLY: the partition's keep bits (bit i: row i kept) */
    int64_t n_keep;      /* rows the decision has for the partition */
    double seconds0;     /* the executor's: the op's time and text bytes when the segment began */
    int64_t bytes0;
};

/* Every partition's signatures, concatenated in global input order. */
struct dedup_sigs {
    const unsigned char *data; /* total * sig_size bytes */
    size_t sig_size;
    int64_t total;
};

struct dedup_desc {
    /* Bytes of one signature under these settings. */
    size_t (*sig_size)(const void *state);
    /* One record's signature into `sig` (sig_size bytes); scratch memory is the state's.
     * Returns 0 or ZEST_E_NOMEM. */
    int (*signature)(void *state, const char *text, size_t len, unsigned char *sig);
    /* Sets bit i of `keep` (zeroed, total bits) for every record kept: the first of each
     * duplicate group in global order. Deterministic for the same signatures; may use up to
     * `threads` threads. */
    int (*finalize)(const void *state, const struct dedup_sigs *in, uint8_t *keep, int threads,
                    zest_error *err);
};

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
    struct dedup_run *dedup;      /* deduplicators: the phase and its data */
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
    /* Deduplicators only (their `process` is dedup_process); NULL for the others. */
    const struct dedup_desc *dedup;
};

/* The process() of every deduplicator (dedup.c): signatures or the decision, as
 * ctx->dedup says. */
int dedup_process(void *state, struct op_ctx *ctx, zest_error *err);

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

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_internal.h - what the config module's files share: the YAML-to-tree reader
 * (yaml_tree.c) and the key table (config_keys.c) that config.c binds, validates, overrides
 * and dumps with. Not for use outside src/config/ (tests excepted: they check the table
 * against docs/config.md). Depends on common/ and config.h.
 */
#ifndef ZEST_CONFIG_INTERNAL_H
#define ZEST_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* ---- yaml_tree.c ---------------------------------------------------------------------------- */

/* Receives a non-fatal remark (a duplicated key) already prefixed with "file:line: ". */
typedef int (*yaml_tree_warn_fn)(void *user, const char *msg);

/* Parses the YAML file `path` into a tree whose root is a mapping (an empty file gives an empty
 * mapping). Aliases are resolved by copying the anchored node; merge keys (`<<`) are applied;
 * a duplicated key keeps its last value and is reported through `warn` (may be NULL). More
 * than one document, a root that is not a mapping, or a YAML syntax error fail with
 * ZEST_E_CONFIG naming the file, line and column. On success *out owns the tree. */
int yaml_tree_load_file(const char *path, struct node **out, yaml_tree_warn_fn warn, void *user,
                        zest_error *err);

/* Parses one YAML value (a scalar, or a flow list or mapping) from `text`, as an override's
 * right-hand side; `origin` names it in messages ("--set np=4"). Every node gets line 0, the
 * mark of a value that did not come from the file. */
int yaml_tree_parse_value(const char *text, const char *origin, struct node **out,
                          zest_error *err);

/* ---- config_keys.c -------------------------------------------------------------------------- */

enum config_type {
    CONFIG_BOOL,
    CONFIG_INT,
    CONFIG_DOUBLE,
    CONFIG_STRING,
    CONFIG_LIST,    /* list of strings; a single string is a list of one */
    CONFIG_ENUM,    /* one of `choices`, stored as the choice's int value */
    CONFIG_IGNORED, /* a Data-Juicer key zest accepts and does not use; any value */
};

/* What zest does with a key today (docs/config.md shows it). */
enum config_status {
    CONFIG_STORED,  /* parsed, validated and stored; no behaviour depends on it */
    CONFIG_PLANNED, /* the design uses it; the engine does not act on it yet */
    CONFIG_USED,    /* zest acts on it */
};

/* One accepted spelling of an enumeration. `warn`, when set, is added to the warnings
 * whenever the value is given (it takes the key's location and the value, in that order). */
struct config_choice {
    const char *name;
    int value;
    const char *warn;
};

struct config_key {
    const char *path;        /* "event_logging.max_log_size_mb"; nested keys use dots */
    enum config_type type;
    const char *def;         /* default as YAML text; NULL = null */
    bool has_min, has_max;
    double min, max;         /* inclusive bounds of INT and DOUBLE values (in file units) */
    int64_t scale;           /* INT: stored value = given value * scale (0 = 1) */
    size_t offset;           /* offsetof(struct zest_config, field) */
    size_t count_offset;     /* LIST: offsetof the size_t count */
    const struct config_choice *choices; /* ENUM: terminated by a NULL name */
    bool nocase;             /* ENUM: choices match in any case */
    bool required;           /* must be given (and not null) */
    enum config_status status; /* whether zest acts on the value yet */
    const char *alias_of;    /* another spelling of this key: it writes the same setting */
    const char *help;
};

extern const struct config_key config_keys[];
extern const size_t config_n_keys;

/* The entry for a full key path (aliases and ignored keys included), or NULL. */
const struct config_key *config_key_find(const char *path);
/* True when some key lives under `prefix` + "." (so `prefix` is a section like "partition"). */
bool config_key_is_section(const char *prefix);
/* The key an alias stands for (itself when it is not an alias). */
const struct config_key *config_key_canonical(const struct config_key *key);

#endif

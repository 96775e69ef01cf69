/* SPDX-License-Identifier: Apache-2.0 */
/*
 * node.h - a small document tree (scalars, sequences, mappings) that remembers where each
 * node came from. The config loader builds it from YAML; `--set` overrides edit it; operator
 * parameters are bound from it. Scalars stay text: their meaning (int, float, bool, null)
 * is decided by whoever reads them, with the YAML 1.1 rules in node_as_*.
 * Depends on libc only.
 */
#ifndef ZEST_NODE_H
#define ZEST_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum node_kind { NODE_SCALAR, NODE_SEQ, NODE_MAP };

struct node {
    enum node_kind kind;
    char *text;   /* NODE_SCALAR: the scalar's text (owned) */
    bool quoted;  /* NODE_SCALAR: written in quotes, so always a string */
    int line;     /* 1-based source line, 0 when it came from an override */
    int column;
    size_t n;             /* NODE_SEQ items / NODE_MAP pairs */
    struct node **items;  /* NODE_SEQ: items; NODE_MAP: values */
    char **keys;          /* NODE_MAP: keys (owned) */
};

struct node *node_new(enum node_kind kind, const char *text, int line, int column);
void node_free(struct node *n);
/* Appends to a sequence (takes ownership of item). Returns 0 or ZEST_E_NOMEM. */
int node_seq_push(struct node *seq, struct node *item);
/* Sets key in a mapping, replacing an existing value (takes ownership of value). */
int node_map_set(struct node *map, const char *key, struct node *value);
/* Value of `key` in a mapping, or NULL. */
const struct node *node_map_get(const struct node *map, const char *key);
/* Deep copy, or NULL when memory is exhausted. */
struct node *node_clone(const struct node *n);

/* Scalar interpretation (YAML 1.1 core rules): return 0 on success, -1 when the scalar is not
 * of that type (a quoted scalar is only ever a string). */
bool node_is_null(const struct node *n); /* "", "~", "null", "Null", "NULL", or absent */
int node_as_bool(const struct node *n, bool *out);     /* true/false/yes/no/on/off, any case */
int node_as_int(const struct node *n, int64_t *out);   /* decimal, with optional sign, _ allowed */
int node_as_double(const struct node *n, double *out); /* any int, decimal or exponent, .inf, .nan */
/* Short description of a node for messages: "'abc'", "a list", "a mapping". Static or n->text. */
const char *node_describe(const struct node *n, char *buf, size_t size);

#endif

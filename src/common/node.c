/* SPDX-License-Identifier: Apache-2.0 */
/*
 * node.c - the document tree of node.h: construction, mapping and sequence edits, deep copy,
 * and the YAML 1.1 reading of plain scalars (null, bool, int, float). Scalars keep their text;
 * each reader decides what it means, so one tree serves the config loader, `--set` overrides
 * and operator parameter binding alike. Depends on libc only.
 */
#include "node.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zest.h"

static char *node_strdup(const char *s) {
    const size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy) memcpy(copy, s, len);
    return copy;
}

struct node *node_new(enum node_kind kind, const char *text, int line, int column) {
    struct node *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    n->line = line;
    n->column = column;
    if (kind == NODE_SCALAR) {
        n->text = node_strdup(text ? text : "");
        if (!n->text) {
            free(n);
            return NULL;
        }
    }
    return n;
}

void node_free(struct node *n) {
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) {
        node_free(n->items[i]);
        if (n->keys) free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->text);
    free(n);
}

/* Arrays grow by doubling; the capacity is implied by n (4, 8, 16, ...), so the struct needs
 * no capacity field. Returns 0 or -1 when memory is exhausted. */
static int node_reserve(struct node *n) {
    if (n->n != 0 && (n->n < 4 || (n->n & (n->n - 1)) != 0)) return 0;
    const size_t cap = n->n == 0 ? 4 : n->n * 2;
    struct node **items = realloc(n->items, cap * sizeof *items);
    if (!items) return -1;
    n->items = items;
    if (n->kind != NODE_MAP) return 0;
    char **keys = realloc(n->keys, cap * sizeof *keys);
    if (!keys) return -1;
    n->keys = keys;
    return 0;
}

int node_seq_push(struct node *seq, struct node *item) {
    if (!seq || seq->kind != NODE_SEQ || node_reserve(seq) != 0) return ZEST_E_NOMEM;
    seq->items[seq->n++] = item;
    return ZEST_OK;
}

static ptrdiff_t node_map_index(const struct node *map, const char *key) {
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0) return (ptrdiff_t)i;
    return -1;
}

int node_map_set(struct node *map, const char *key, struct node *value) {
    if (!map || map->kind != NODE_MAP) return ZEST_E_NOMEM;
    const ptrdiff_t at = node_map_index(map, key);
    if (at >= 0) {
        node_free(map->items[at]);
        map->items[at] = value;
        return ZEST_OK;
    }
    char *copy = node_strdup(key);
    if (!copy || node_reserve(map) != 0) {
        free(copy);
        return ZEST_E_NOMEM;
    }
    map->keys[map->n] = copy;
    map->items[map->n++] = value;
    return ZEST_OK;
}

const struct node *node_map_get(const struct node *map, const char *key) {
    if (!map || map->kind != NODE_MAP) return NULL;
    const ptrdiff_t at = node_map_index(map, key);
    return at >= 0 ? map->items[at] : NULL;
}

struct node *node_clone(const struct node *n) {
    if (!n) return NULL;
    struct node *copy = node_new(n->kind, n->text, n->line, n->column);
    if (!copy) return NULL;
    copy->quoted = n->quoted;
    for (size_t i = 0; i < n->n; i++) {
        struct node *item = node_clone(n->items[i]);
        const int rc = !item                  ? ZEST_E_NOMEM
                       : n->kind == NODE_MAP ? node_map_set(copy, n->keys[i], item)
                                             : node_seq_push(copy, item);
        if (rc != ZEST_OK) {
            node_free(item);
            node_free(copy);
            return NULL;
        }
    }
    return copy;
}

/* ---- scalar interpretation ---------------------------------------------------------------- */

static const char *const node_null_words[] = {"", "~", "null", "Null", "NULL"};

bool node_is_null(const struct node *n) {
    if (!n) return true;
    if (n->kind != NODE_SCALAR || n->quoted) return false;
    for (size_t i = 0; i < sizeof node_null_words / sizeof *node_null_words; i++)
        if (strcmp(n->text, node_null_words[i]) == 0) return true;
    return false;
}

static const struct {
    const char *word;
    bool value;
} node_bool_words[] = {
    {"true", true}, {"yes", true}, {"on", true}, {"false", false}, {"no", false}, {"off", false},
};

int node_as_bool(const struct node *n, bool *out) {
    if (!n || n->kind != NODE_SCALAR || n->quoted) return -1;
    for (size_t i = 0; i < sizeof node_bool_words / sizeof *node_bool_words; i++) {
        if (strcasecmp(n->text, node_bool_words[i].word) == 0) {
            *out = node_bool_words[i].value;
            return 0;
        }
    }
    return -1;
}

/* Copies `text` without YAML's digit-group underscores into buf; -1 when it does not fit.
 * An underscore is only accepted between digits, so "_1" and "1_" stay invalid. */
static int node_strip_underscores(const char *text, char *buf, size_t size) {
    size_t o = 0;
    for (size_t i = 0; text[i]; i++) {
        if (text[i] == '_') {
            if (i == 0 || !(text[i - 1] >= '0' && text[i - 1] <= '9') ||
                !(text[i + 1] >= '0' && text[i + 1] <= '9'))
                return -1;
            continue;
        }
        if (o + 1 >= size) return -1;
        buf[o++] = text[i];
    }
    buf[o] = '\0';
    return 0;
}

static size_t node_span_digits(const char *s) {
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9') i++;
    return i;
}

int node_as_int(const struct node *n, int64_t *out) {
    char buf[64];
    if (!n || n->kind != NODE_SCALAR || n->quoted) return -1;
    if (node_strip_underscores(n->text, buf, sizeof buf) != 0) return -1;
    const char *p = buf + (buf[0] == '-' || buf[0] == '+');
    const size_t digits = node_span_digits(p);
    if (digits == 0 || p[digits] != '\0') return -1;
    errno = 0;
    const long long v = strtoll(buf, NULL, 10);
    if (errno == ERANGE) return -1;
    *out = (int64_t)v;
    return 0;
}

/* True when s is [digits][.digits][e[sign]digits] with at least one mantissa digit. */
static bool node_is_decimal(const char *s) {
    size_t i = node_span_digits(s);
    size_t mantissa = i;
    if (s[i] == '.') {
        const size_t frac = node_span_digits(s + i + 1);
        mantissa += frac;
        i += 1 + frac;
    }
    if (mantissa == 0) return false;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-') i++;
        const size_t exp = node_span_digits(s + i);
        if (exp == 0) return false;
        i += exp;
    }
    return s[i] == '\0';
}

static const char *const node_inf_words[] = {".inf", ".Inf", ".INF"};
static const char *const node_nan_words[] = {".nan", ".NaN", ".NAN"};

static bool node_word_in(const char *s, const char *const *words, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, words[i]) == 0) return true;
    return false;
}

int node_as_double(const struct node *n, double *out) {
    char buf[128];
    if (!n || n->kind != NODE_SCALAR || n->quoted) return -1;
    if (node_strip_underscores(n->text, buf, sizeof buf) != 0) return -1;
    const bool neg = buf[0] == '-';
    const char *p = buf + (buf[0] == '-' || buf[0] == '+');
    if (node_word_in(p, node_inf_words, 3)) {
        *out = neg ? -INFINITY : INFINITY;
        return 0;
    }
    if (node_word_in(buf, node_nan_words, 3)) {
        *out = NAN;
        return 0;
    }
    if (!node_is_decimal(p)) return -1;
    *out = strtod(buf, NULL); /* overflow gives +-HUGE_VAL, which is what YAML means too */
    return 0;
}

const char *node_describe(const struct node *n, char *buf, size_t size) {
    if (!n || node_is_null(n)) return "null";
    if (n->kind == NODE_SEQ) return "a list";
    if (n->kind == NODE_MAP) return "a mapping";
    if (size == 0) return n->text;
    const size_t len = strlen(n->text);
    if (len + 3 <= size)
        snprintf(buf, size, "'%s'", n->text);
    else if (size > 8)
        snprintf(buf, size, "'%.*s...'", (int)(size - 6), n->text);
    else
        return n->text;
    return buf;
}

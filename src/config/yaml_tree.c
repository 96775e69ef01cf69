/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yaml_tree.c - YAML text to a struct node tree, through libyaml's event parser. It owns the
 * YAML-level rules: one document, line and column on every node, anchors and aliases (an
 * alias becomes a copy of its anchor, within a node budget so that "billion laughs" input
 * fails instead of exhausting memory), merge keys, duplicate keys (last wins, with a remark),
 * and syntax errors reported with file, line, column and libyaml's own problem text.
 * It knows nothing of config keys. Calls libyaml, common/node and common/err.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "../common/err.h"
#include "config_internal.h"

/* Deeper nesting than this is no config; the limit keeps the recursion's stack small. */
#define YAML_TREE_MAX_DEPTH 64
/* Nodes one document may produce, copies made for aliases included. */
#define YAML_TREE_MAX_NODES 200000

struct yaml_tree_anchor {
    char *name;
    struct node *copy; /* owned: a private copy, so later edits of the tree cannot free it */
};

struct yaml_tree {
    yaml_parser_t parser;
    const char *origin;    /* file path, or the override text */
    bool is_override;      /* messages then carry no line/column */
    zest_error *err;
    yaml_tree_warn_fn warn;
    void *user;
    struct yaml_tree_anchor *anchors;
    size_t n_anchors;
    size_t budget;         /* nodes still allowed */
};

/* ---- messages ------------------------------------------------------------------------------- */

static int yaml_tree_fail(struct yaml_tree *t, int line, int column, const char *fmt, ...)
    ERR_PRINTF(4, 5);

static int yaml_tree_fail(struct yaml_tree *t, int line, int column, const char *fmt, ...) {
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (t->is_override || line <= 0)
        err_set(t->err, ZEST_E_CONFIG, "%s: %s", t->origin, what);
    else
        err_set(t->err, ZEST_E_CONFIG, "%s:%d:%d: %s", t->origin, line, column, what);
    if (t->err) {
        snprintf(t->err->path, sizeof t->err->path, "%s", t->is_override ? "" : t->origin);
        t->err->line = t->is_override ? 0 : line;
    }
    return ZEST_E_CONFIG;
}

static int yaml_tree_syntax_error(struct yaml_tree *t) {
    const yaml_parser_t *p = &t->parser;
    const int line = (int)p->problem_mark.line + 1, column = (int)p->problem_mark.column + 1;
    if (p->error == YAML_MEMORY_ERROR) return err_set(t->err, ZEST_E_NOMEM, "%s", t->origin);
    if (p->context)
        return yaml_tree_fail(t, line, column, "YAML syntax error: %s (%s at line %d)",
                              p->problem ? p->problem : "unknown problem", p->context,
                              (int)p->context_mark.line + 1);
    if (p->error == YAML_READER_ERROR)
        return yaml_tree_fail(t, line, column, "cannot read YAML: %s at byte %zu",
                              p->problem ? p->problem : "unknown problem", p->problem_offset);
    return yaml_tree_fail(t, line, column, "YAML syntax error: %s",
                          p->problem ? p->problem : "unknown problem");
}

static int yaml_tree_nomem(struct yaml_tree *t) {
    return err_set(t->err, ZEST_E_NOMEM, "%s: out of memory while reading YAML", t->origin);
}

/* ---- events and nodes ----------------------------------------------------------------------- */

static int yaml_tree_next(struct yaml_tree *t, yaml_event_t *ev) {
    if (!yaml_parser_parse(&t->parser, ev)) return yaml_tree_syntax_error(t);
    return ZEST_OK;
}

static int ev_line(const yaml_event_t *ev) { return (int)ev->start_mark.line + 1; }
static int ev_column(const yaml_event_t *ev) { return (int)ev->start_mark.column + 1; }

static size_t yaml_tree_count(const struct node *n, size_t limit) {
    size_t total = 1;
    for (size_t i = 0; i < n->n && total <= limit; i++)
        total += yaml_tree_count(n->items[i], limit - total);
    return total;
}

/* Charges `cost` nodes to the budget; fails once the document has grown too large. */
static int yaml_tree_spend(struct yaml_tree *t, size_t cost, int line, int column) {
    if (cost > t->budget)
        return yaml_tree_fail(t, line, column,
                              "document too large (more than %d nodes, aliases expanded)",
                              YAML_TREE_MAX_NODES);
    t->budget -= cost;
    return ZEST_OK;
}

static struct yaml_tree_anchor *yaml_tree_anchor_find(struct yaml_tree *t, const char *name) {
    for (size_t i = t->n_anchors; i-- > 0;)
        if (strcmp(t->anchors[i].name, name) == 0) return &t->anchors[i];
    return NULL;
}

/* Records `&name` on a finished node. A redefined anchor replaces the earlier one, as YAML
 * says later aliases refer to the most recent definition. */
static int yaml_tree_anchor_add(struct yaml_tree *t, const char *name, const struct node *n) {
    ZEST_TRY(yaml_tree_spend(t, yaml_tree_count(n, t->budget), n->line, n->column));
    struct node *copy = node_clone(n);
    if (!copy) return yaml_tree_nomem(t);
    struct yaml_tree_anchor *old = yaml_tree_anchor_find(t, name);
    if (old) {
        node_free(old->copy);
        old->copy = copy;
        return ZEST_OK;
    }
    struct yaml_tree_anchor *grown = realloc(t->anchors, (t->n_anchors + 1) * sizeof *grown);
    char *dup = grown ? strdup(name) : NULL;
    if (grown) t->anchors = grown;
    if (!dup) {
        node_free(copy);
        return yaml_tree_nomem(t);
    }
    t->anchors[t->n_anchors++] = (struct yaml_tree_anchor){.name = dup, .copy = copy};
    return ZEST_OK;
}

static int yaml_tree_alias(struct yaml_tree *t, const yaml_event_t *ev, struct node **out) {
    const char *name = (const char *)ev->data.alias.anchor;
    const struct yaml_tree_anchor *a = yaml_tree_anchor_find(t, name);
    if (!a)
        return yaml_tree_fail(t, ev_line(ev), ev_column(ev),
                              "alias '*%s' refers to no anchor defined before it", name);
    ZEST_TRY(yaml_tree_spend(t, yaml_tree_count(a->copy, t->budget), ev_line(ev), ev_column(ev)));
    *out = node_clone(a->copy);
    if (!*out) return yaml_tree_nomem(t);
    return ZEST_OK;
}

static bool yaml_tree_is_str_tag(const yaml_char_t *tag) {
    return tag && (strcmp((const char *)tag, YAML_STR_TAG) == 0 ||
                   strcmp((const char *)tag, "!") == 0);
}

static int yaml_tree_scalar(struct yaml_tree *t, const yaml_event_t *ev, struct node **out) {
    const char *text = (const char *)ev->data.scalar.value;
    if (memchr(text, '\0', ev->data.scalar.length))
        return yaml_tree_fail(t, ev_line(ev), ev_column(ev),
                              "a NUL character is not allowed in a value");
    ZEST_TRY(yaml_tree_spend(t, 1, ev_line(ev), ev_column(ev)));
    struct node *n = node_new(NODE_SCALAR, text, ev_line(ev), ev_column(ev));
    if (!n) return yaml_tree_nomem(t);
    /* Quoted and block scalars, and `!!str`, are strings whatever their text looks like. */
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
                yaml_tree_is_str_tag(ev->data.scalar.tag);
    *out = n;
    return ZEST_OK;
}

static int yaml_tree_value(struct yaml_tree *t, yaml_event_t *ev, int depth, struct node **out);

/* Reads values until `end`; the start event has been consumed. */
static int yaml_tree_seq(struct yaml_tree *t, struct node *seq, int depth) {
    for (;;) {
        yaml_event_t ev;
        ZEST_TRY(yaml_tree_next(t, &ev));
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return ZEST_OK;
        }
        struct node *item = NULL;
        int rc = yaml_tree_value(t, &ev, depth + 1, &item);
        if (rc == ZEST_OK && node_seq_push(seq, item) != ZEST_OK) rc = yaml_tree_nomem(t);
        if (rc != ZEST_OK) {
            node_free(item);
            return rc;
        }
    }
}

/* Applies one `<<` source: copies each of its keys the mapping does not set itself. */
static int yaml_tree_merge_one(struct yaml_tree *t, struct node *map, const struct node *src) {
    if (src->kind != NODE_MAP)
        return yaml_tree_fail(t, src->line, src->column,
                              "a merge key '<<' takes a mapping or a list of mappings");
    for (size_t i = 0; i < src->n; i++) {
        if (node_map_get(map, src->keys[i])) continue;
        struct node *copy = node_clone(src->items[i]);
        if (!copy || node_map_set(map, src->keys[i], copy) != ZEST_OK) {
            node_free(copy);
            return yaml_tree_nomem(t);
        }
    }
    return ZEST_OK;
}

/* Merges after the whole mapping is read, so explicit keys win wherever they appear. */
static int yaml_tree_merge(struct yaml_tree *t, struct node *map, const struct node *merge) {
    if (merge->kind != NODE_SEQ) return yaml_tree_merge_one(t, map, merge);
    for (size_t i = 0; i < merge->n; i++) ZEST_TRY(yaml_tree_merge_one(t, map, merge->items[i]));
    return ZEST_OK;
}

static int yaml_tree_key(struct yaml_tree *t, yaml_event_t *ev, char **key, int *line,
                         int *column) {
    if (ev->type != YAML_SCALAR_EVENT)
        return yaml_tree_fail(t, ev_line(ev), ev_column(ev),
                              "a mapping key must be a plain name, not a list, mapping or alias");
    if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length))
        return yaml_tree_fail(t, ev_line(ev), ev_column(ev), "a NUL character in a key");
    *line = ev_line(ev);
    *column = ev_column(ev);
    *key = strdup((const char *)ev->data.scalar.value);
    return *key ? ZEST_OK : yaml_tree_nomem(t);
}

static int yaml_tree_warn_duplicate(struct yaml_tree *t, const char *key, int line) {
    char msg[640];
    if (!t->warn) return ZEST_OK;
    snprintf(msg, sizeof msg, "%s:%d: key '%.400s' is given twice; the last value is used",
             t->origin, line, key);
    return t->warn(t->user, msg);
}

/* Stores one pair, or keeps a `<<` value aside for yaml_tree_merge. */
static int yaml_tree_put(struct yaml_tree *t, struct node *map, char *key, int line,
                         struct node *value, struct node *merges) {
    if (strcmp(key, "<<") == 0) return node_seq_push(merges, value);
    if (node_map_get(map, key)) ZEST_TRY(yaml_tree_warn_duplicate(t, key, line));
    return node_map_set(map, key, value);
}

static int yaml_tree_map_pair(struct yaml_tree *t, struct node *map, yaml_event_t *ev,
                              int depth, struct node *merges) {
    char *key = NULL;
    struct node *value = NULL;
    int line = 0, column = 0;
    int rc = yaml_tree_key(t, ev, &key, &line, &column);
    yaml_event_delete(ev);
    if (rc != ZEST_OK) goto out;
    yaml_event_t vev;
    if ((rc = yaml_tree_next(t, &vev)) != ZEST_OK) goto out;
    if ((rc = yaml_tree_value(t, &vev, depth + 1, &value)) != ZEST_OK) goto out;
    /* A block list or mapping starts on the line after its key, and an empty value has no
     * place of its own: both are better reported where the key is written. */
    if (value->kind != NODE_SCALAR || node_is_null(value)) {
        value->line = line;
        value->column = column;
    }
    rc = yaml_tree_put(t, map, key, line, value, merges);
    if (rc == ZEST_OK) value = NULL;
    else if (rc == ZEST_E_NOMEM) rc = yaml_tree_nomem(t);
out:
    node_free(value);
    free(key);
    return rc;
}

static int yaml_tree_map(struct yaml_tree *t, struct node *map, int depth) {
    struct node *merges = node_new(NODE_SEQ, NULL, map->line, map->column);
    int rc = merges ? ZEST_OK : yaml_tree_nomem(t);
    while (rc == ZEST_OK) {
        yaml_event_t ev;
        if ((rc = yaml_tree_next(t, &ev)) != ZEST_OK) break;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            for (size_t i = 0; i < merges->n && rc == ZEST_OK; i++)
                rc = yaml_tree_merge(t, map, merges->items[i]);
            break;
        }
        rc = yaml_tree_map_pair(t, map, &ev, depth, merges);
    }
    node_free(merges);
    return rc;
}

static int yaml_tree_collection(struct yaml_tree *t, const yaml_event_t *ev, int depth,
                                struct node **out) {
    const bool is_map = ev->type == YAML_MAPPING_START_EVENT;
    if (depth > YAML_TREE_MAX_DEPTH)
        return yaml_tree_fail(t, ev_line(ev), ev_column(ev), "nesting deeper than %d levels",
                              YAML_TREE_MAX_DEPTH);
    ZEST_TRY(yaml_tree_spend(t, 1, ev_line(ev), ev_column(ev)));
    struct node *n = node_new(is_map ? NODE_MAP : NODE_SEQ, NULL, ev_line(ev), ev_column(ev));
    if (!n) return yaml_tree_nomem(t);
    const int rc = is_map ? yaml_tree_map(t, n, depth) : yaml_tree_seq(t, n, depth);
    if (rc != ZEST_OK) {
        node_free(n);
        return rc;
    }
    *out = n;
    return ZEST_OK;
}

static const yaml_char_t *ev_anchor(const yaml_event_t *ev) {
    switch (ev->type) {
    case YAML_SCALAR_EVENT: return ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT: return ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT: return ev->data.mapping_start.anchor;
    default: return NULL;
    }
}

/* Builds the node that starts with `ev` and deletes the event. */
static int yaml_tree_value(struct yaml_tree *t, yaml_event_t *ev, int depth, struct node **out) {
    int rc;
    *out = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: rc = yaml_tree_scalar(t, ev, out); break;
    case YAML_ALIAS_EVENT: rc = yaml_tree_alias(t, ev, out); break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: rc = yaml_tree_collection(t, ev, depth, out); break;
    default:
        rc = yaml_tree_fail(t, ev_line(ev), ev_column(ev), "unexpected YAML event %d",
                            (int)ev->type);
    }
    const yaml_char_t *anchor = ev_anchor(ev);
    if (rc == ZEST_OK && anchor) rc = yaml_tree_anchor_add(t, (const char *)anchor, *out);
    yaml_event_delete(ev);
    if (rc != ZEST_OK) {
        node_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- documents ------------------------------------------------------------------------------ */

/* Expects `type` next; anything else is a structural error (only a second document can make
 * that happen once libyaml has accepted the stream). */
static int yaml_tree_expect(struct yaml_tree *t, yaml_event_type_t type, bool *matched) {
    yaml_event_t ev;
    ZEST_TRY(yaml_tree_next(t, &ev));
    *matched = ev.type == type;
    const int line = ev_line(&ev), column = ev_column(&ev);
    const bool second_doc = ev.type == YAML_DOCUMENT_START_EVENT;
    yaml_event_delete(&ev);
    if (second_doc && type == YAML_STREAM_END_EVENT)
        return yaml_tree_fail(t, line, column,
                              "more than one YAML document ('---'); a config is one document");
    return ZEST_OK;
}

/* Reads the stream: nothing at all, or exactly one document. */
static int yaml_tree_document(struct yaml_tree *t, struct node **root) {
    yaml_event_t ev;
    bool ok;
    ZEST_TRY(yaml_tree_expect(t, YAML_STREAM_START_EVENT, &ok));
    ZEST_TRY(yaml_tree_next(t, &ev));
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return ZEST_OK; /* empty input: no root */
    }
    yaml_event_delete(&ev); /* DOCUMENT_START */
    ZEST_TRY(yaml_tree_next(t, &ev));
    ZEST_TRY(yaml_tree_value(t, &ev, 0, root));
    ZEST_TRY(yaml_tree_expect(t, YAML_DOCUMENT_END_EVENT, &ok));
    return yaml_tree_expect(t, YAML_STREAM_END_EVENT, &ok);
}

static void yaml_tree_cleanup(struct yaml_tree *t) {
    for (size_t i = 0; i < t->n_anchors; i++) {
        free(t->anchors[i].name);
        node_free(t->anchors[i].copy);
    }
    free(t->anchors);
    yaml_parser_delete(&t->parser);
}

static int yaml_tree_run(struct yaml_tree *t, struct node **out) {
    struct node *root = NULL;
    int rc = yaml_tree_document(t, &root);
    if (rc != ZEST_OK) node_free(root);
    else *out = root;
    return rc;
}

int yaml_tree_load_file(const char *path, struct node **out, yaml_tree_warn_fn warn, void *user,
                        zest_error *err) {
    struct yaml_tree t = {.origin = path, .err = err, .warn = warn, .user = user,
                          .budget = YAML_TREE_MAX_NODES};
    struct node *root = NULL;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return err_set_at(err, ZEST_E_IO, path, 0, -1, "cannot open config: %s", strerror(errno));
    int rc = ZEST_OK;
    if (!yaml_parser_initialize(&t.parser)) {
        fclose(f);
        return yaml_tree_nomem(&t);
    }
    yaml_parser_set_input_file(&t.parser, f);
    if ((rc = yaml_tree_run(&t, &root)) != ZEST_OK) goto out;
    if (!root) root = node_new(NODE_MAP, NULL, 1, 1);
    if (!root) rc = yaml_tree_nomem(&t);
    else if (root->kind != NODE_MAP && !node_is_null(root)) {
        char buf[64];
        rc = yaml_tree_fail(&t, root->line, root->column,
                            "a config is a mapping of keys to values, got %s",
                            node_describe(root, buf, sizeof buf));
    } else if (root->kind != NODE_MAP) { /* a document holding only `~` */
        node_free(root);
        root = node_new(NODE_MAP, NULL, 1, 1);
        if (!root) rc = yaml_tree_nomem(&t);
    }
out:
    yaml_tree_cleanup(&t);
    fclose(f);
    if (rc == ZEST_OK) *out = root;
    else node_free(root);
    return rc;
}

static void yaml_tree_unlocate(struct node *n) {
    n->line = 0;
    n->column = 0;
    for (size_t i = 0; i < n->n; i++) yaml_tree_unlocate(n->items[i]);
}

int yaml_tree_parse_value(const char *text, const char *origin, struct node **out,
                          zest_error *err) {
    struct yaml_tree t = {.origin = origin, .is_override = true, .err = err,
                          .budget = YAML_TREE_MAX_NODES};
    struct node *root = NULL;
    *out = NULL;
    if (!yaml_parser_initialize(&t.parser)) return yaml_tree_nomem(&t);
    yaml_parser_set_input_string(&t.parser, (const unsigned char *)text, strlen(text));
    int rc = yaml_tree_run(&t, &root);
    if (rc == ZEST_OK && !root) root = node_new(NODE_SCALAR, "", 0, 0); /* `key=` is null */
    if (rc == ZEST_OK && !root) rc = yaml_tree_nomem(&t);
    yaml_tree_cleanup(&t);
    if (rc != ZEST_OK) return rc;
    yaml_tree_unlocate(root);
    *out = root;
    return ZEST_OK;
}

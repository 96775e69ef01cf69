/* SPDX-License-Identifier: Apache-2.0 */
/*
 * param.c - binds an operator's parameters from the config tree against its schema. The
 * schema (zest_param_desc[]) is the one source of truth: types, defaults, ranges and choices
 * are checked here, generically, never by hand in an operator.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../common/err.h"
#include "../common/suggest.h"
#include "op.h"

/* Message prefix naming the op, the parameter and where the value came from. */
static int param_error(zest_error *err, const char *path, const struct node *n, const char *op,
                       const char *param, const char *fmt, const char *detail) {
    char what[256];
    snprintf(what, sizeof what, fmt, detail);
    err_set_at(err, ZEST_E_CONFIG, path, n ? n->line : 0, -1, "%s: parameter '%s': %s", op, param,
               what);
    err_set_op(err, op);
    return ZEST_E_CONFIG;
}

static int check_range(const zest_param_desc *d, double v) {
    return (d->has_min && v < d->min) || (d->has_max && v > d->max) ? -1 : 0;
}

static void range_text(const zest_param_desc *d, char *buf, size_t size) {
    if (d->has_min && d->has_max)
        snprintf(buf, size, "between %g and %g", d->min, d->max);
    else if (d->has_min)
        snprintf(buf, size, "at least %g", d->min);
    else
        snprintf(buf, size, "at most %g", d->max);
}

static int choice_ok(const char *choices, const char *s) {
    const size_t len = strlen(s);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        const size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && memcmp(p, s, n) == 0) return 1;
        p += n + (bar != NULL);
    }
    return 0;
}

struct bind_ctx {
    const char *path, *op;
    struct op_params *out;
    zest_error *err;
};

static int bind_number(const struct bind_ctx *c, const zest_param_desc *d, const struct node *n,
                       struct param_value *v) {
    char desc[128], range[96];
    if (n->kind != NODE_SCALAR) goto type_error;
    if (d->type == ZEST_PARAM_INT) {
        if (node_as_int(n, &v->i) != 0) goto type_error;
        v->d = (double)v->i;
    } else if (node_as_double(n, &v->d) != 0 || isnan(v->d)) {
        goto type_error;
    }
    if (check_range(d, v->d) == 0) return 0;
    range_text(d, range, sizeof range);
    snprintf(desc, sizeof desc, "%s, got %s", range, n->text);
    return param_error(c->err, c->path, n, c->op, d->name, "must be %s", desc);
type_error:
    snprintf(desc, sizeof desc, "%s, got %s", d->type == ZEST_PARAM_INT ? "an integer" : "a number",
             node_describe(n, range, sizeof range));
    return param_error(c->err, c->path, n, c->op, d->name, "expected %s", desc);
}

static int bind_string(const struct bind_ctx *c, const zest_param_desc *d, const struct node *n,
                       struct param_value *v) {
    char desc[160];
    if (n->kind != NODE_SCALAR) {
        char what[64];
        snprintf(desc, sizeof desc, "a string, got %s", node_describe(n, what, sizeof what));
        return param_error(c->err, c->path, n, c->op, d->name, "expected %s", desc);
    }
    if (!n->quoted && node_is_null(n)) {
        v->s = NULL;
        return 0;
    }
    if (d->choices && !choice_ok(d->choices, n->text)) {
        snprintf(desc, sizeof desc, "'%s' (choose one of %s)", n->text, d->choices);
        return param_error(c->err, c->path, n, c->op, d->name, "invalid value %s", desc);
    }
    v->s = arena_strndup(&c->out->mem, n->text, strlen(n->text));
    return v->s ? 0 : ZEST_E_NOMEM;
}

static int bind_list(const struct bind_ctx *c, const zest_param_desc *d, const struct node *n,
                     struct param_value *v) {
    char desc[96], what[64];
    const int scalar = n->kind == NODE_SCALAR;
    if (n->kind == NODE_MAP) goto type_error;
    if (scalar && !n->quoted && node_is_null(n)) return 0; /* no list: empty */
    const size_t count = scalar ? 1 : n->n;
    const char **items = arena_alloc(&c->out->mem, (count ? count : 1) * sizeof *items);
    if (!items) return ZEST_E_NOMEM;
    for (size_t i = 0; i < count; i++) {
        const struct node *item = scalar ? n : n->items[i];
        if (item->kind != NODE_SCALAR) goto type_error;
        items[i] = arena_strndup(&c->out->mem, item->text, strlen(item->text));
        if (!items[i]) return ZEST_E_NOMEM;
    }
    v->list = items;
    v->n_list = count;
    return 0;
type_error:
    snprintf(desc, sizeof desc, "a string or a list of strings, got %s",
             node_describe(n, what, sizeof what));
    return param_error(c->err, c->path, n, c->op, d->name, "expected %s", desc);
}

static int bind_one(const struct bind_ctx *c, const zest_param_desc *d, const struct node *n,
                    struct param_value *v) {
    char what[64];
    switch (d->type) {
    case ZEST_PARAM_BOOL:
        if (n->kind == NODE_SCALAR && node_as_bool(n, &v->b) == 0) return 0;
        return param_error(c->err, c->path, n, c->op, d->name, "expected true or false, got %s",
                           node_describe(n, what, sizeof what));
    case ZEST_PARAM_INT:
    case ZEST_PARAM_DOUBLE: return bind_number(c, d, n, v);
    case ZEST_PARAM_STRING: return bind_string(c, d, n, v);
    case ZEST_PARAM_STRING_LIST: return bind_list(c, d, n, v);
    }
    return ZEST_E_INTERNAL;
}

/* Defaults are YAML text in the schema; they go through the same conversion as user values. */
static int bind_default(const struct bind_ctx *c, const zest_param_desc *d, struct param_value *v) {
    if (!d->default_value) return 0;
    struct node *n = node_new(NODE_SCALAR, d->default_value, 0, 0);
    if (!n) return ZEST_E_NOMEM;
    n->quoted = d->type == ZEST_PARAM_STRING;
    const int rc = bind_one(c, d, n, v);
    node_free(n);
    return rc;
}

static int check_unknown(const struct bind_ctx *c, const struct op_desc *op,
                         const struct node *params) {
    const char *names[64];
    const size_t n_names = op->info.n_params < 64 ? op->info.n_params : 64;
    for (size_t i = 0; i < n_names; i++) names[i] = op->info.params[i].name;
    for (size_t k = 0; k < params->n; k++) {
        size_t i = 0;
        while (i < op->info.n_params && strcmp(op->info.params[i].name, params->keys[k]) != 0) i++;
        if (i < op->info.n_params) continue;
        const char *near = suggest_closest(params->keys[k], names, n_names);
        char hint[128] = "";
        if (near) snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
        err_set_at(c->err, ZEST_E_CONFIG, c->path, params->items[k]->line, -1,
                   "%s: unknown parameter '%s'%s", op->info.name, params->keys[k], hint);
        err_set_op(c->err, op->info.name);
        return ZEST_E_CONFIG;
    }
    return 0;
}

int op_params_bind(const struct op_desc *op, const struct node *params, const char *path,
                   struct op_params *out, zest_error *err) {
    const struct bind_ctx c = {.path = path, .op = op->info.name, .out = out, .err = err};
    int rc = 0;
    memset(out, 0, sizeof *out);
    arena_init(&out->mem, 4096);
    if (params && params->kind == NODE_SCALAR && !params->quoted && node_is_null(params))
        params = NULL;
    if (params && params->kind != NODE_MAP) {
        rc = err_set_at(err, ZEST_E_CONFIG, path, params->line, -1,
                        "%s: parameters must be a mapping of name: value", op->info.name);
        goto out;
    }
    out->n = op->info.n_params;
    out->v = arena_alloc(&out->mem, (out->n ? out->n : 1) * sizeof *out->v);
    if (!out->v) {
        rc = ZEST_E_NOMEM;
        goto out;
    }
    memset(out->v, 0, (out->n ? out->n : 1) * sizeof *out->v);
    if (params && (rc = check_unknown(&c, op, params)) != 0) goto out;
    for (size_t i = 0; i < out->n && rc == 0; i++) {
        const zest_param_desc *d = &op->info.params[i];
        const struct node *given = params ? node_map_get(params, d->name) : NULL;
        rc = given ? bind_one(&c, d, given, &out->v[i]) : bind_default(&c, d, &out->v[i]);
    }
out:
    if (rc) op_params_free(out);
    return rc;
}

void op_params_free(struct op_params *p) {
    if (!p) return;
    if (p->free_shared) p->free_shared(p->shared);
    p->shared = NULL;
    p->free_shared = NULL;
    arena_destroy(&p->mem);
    p->v = NULL;
    p->n = 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c - zest_config_load and friends: read the YAML tree (yaml_tree.c), apply `--set`
 * overrides to the tree, find each key of the table (config_keys.c) in it, convert and check
 * every value (defaults for what is absent), apply the cross-key rules, and bind the `process`
 * list against the operator registry. Also the dump, the warnings and destroy.
 * Unknown file keys are warnings (with "did you mean"); everything else that is wrong is
 * ZEST_E_CONFIG naming the key, the value and where it was written. Never prints.
 * Calls config_keys/yaml_tree, common/ (node, err, suggest, buf) and ops/ (registry, params).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "../common/suggest.h"
#include "../ops/unavailable.h"
#include "config_internal.h"

/* Where one key's value was found: the node and the spelling it was written under. */
struct config_slot {
    const struct node *node;
    const struct config_key *spelling;
};

/* State of one load. slot[i] and alt[i] belong to config_keys[i] (canonical keys only): alt
 * holds a second spelling of the same setting, which must then agree with the first. */
struct config_load {
    zest_config *cfg;
    struct node *root;
    const char *const *overrides;
    size_t n_overrides;
    struct config_slot *slot;
    struct config_slot *alt;
    zest_error *err;
};

/* A converted value before it is stored; which member is set follows the key's type. */
struct config_value {
    bool b;
    int64_t i;
    double d;
    const struct config_choice *choice;
    char *s;
    char **list;
    size_t n;
};

#define CONFIG_PATH_MAX 256

static char *config_strdup(const char *s) {
    const size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy) memcpy(copy, s, len);
    return copy;
}

/* ---- warnings and locations ----------------------------------------------------------------- */

static int config_warn_text(void *user, const char *msg) {
    zest_config *cfg = user;
    char *copy = config_strdup(msg);
    char **grown = copy ? realloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(copy);
        return ZEST_E_NOMEM;
    }
    cfg->warnings = grown;
    cfg->warnings[cfg->n_warnings++] = copy;
    return ZEST_OK;
}

static int config_warn(zest_config *cfg, const char *fmt, ...) ERR_PRINTF(2, 3);

static int config_warn(zest_config *cfg, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return config_warn_text(cfg, msg);
}

/* The override that set `path` (or a section holding it): the last one wins, as applied. */
static const char *config_override_for(const struct config_load *ld, const char *path) {
    for (size_t i = ld->n_overrides; i-- > 0;) {
        const char *ov = ld->overrides[i];
        const size_t klen = strcspn(ov, "=");
        if (strncmp(ov, path, klen) == 0 && (path[klen] == '\0' || path[klen] == '.')) return ov;
    }
    return NULL;
}

/* "file:line", or "--set key=value" for a value that came from an override. */
static const char *config_where(const struct config_load *ld, const struct node *n,
                                const char *path, char *buf, size_t size) {
    const char *ov = n && n->line > 0 ? NULL : config_override_for(ld, path);
    if (ov) snprintf(buf, size, "--set %s", ov);
    else if (n && n->line > 0) snprintf(buf, size, "%s:%d", ld->cfg->path, n->line);
    else snprintf(buf, size, "%s", ld->cfg->path);
    return buf;
}

static int config_fail(const struct config_load *ld, const struct node *n, const char *path,
                       const char *fmt, ...) ERR_PRINTF(4, 5);

/* Fails with ZEST_E_CONFIG at the node's place: file and line, or the override. */
static int config_fail(const struct config_load *ld, const struct node *n, const char *path,
                       const char *fmt, ...) {
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *ov = n && n->line > 0 ? NULL : config_override_for(ld, path);
    if (ov) return err_set(ld->err, ZEST_E_CONFIG, "--set %s: %s", ov, what);
    return err_set_at(ld->err, ZEST_E_CONFIG, ld->cfg->path, n ? n->line : 0, -1, "%s", what);
}

/* ---- "did you mean" ------------------------------------------------------------------------- */

/* The names one level below `prefix` ("" = top level), as candidates for a typo there;
 * `cap` entries at most, one kept for "process". */
static size_t config_level_names(const char *prefix, char (*names)[64], const char **ptrs,
                                 size_t cap) {
    const size_t plen = strlen(prefix);
    size_t n = 0;
    for (size_t i = 0; i < config_n_keys && n + 1 < cap; i++) {
        const char *p = config_keys[i].path;
        if (plen && (strncmp(p, prefix, plen) != 0 || p[plen] != '.')) continue;
        p += plen ? plen + 1 : 0;
        snprintf(names[n], sizeof names[n], "%.*s", (int)strcspn(p, "."), p);
        ptrs[n] = names[n];
        n++;
    }
    if (!plen) ptrs[n++] = "process";
    return n;
}

/* A key `path` may have been meant as: a close sibling, else a key with the same last part
 * at another level ("log_level" -> "event_logging.log_level"). Writes "" when none. */
static const char *config_suggest(const char *path, char *out, size_t size) {
    char names[256][64];
    const char *ptrs[256];
    char prefix[CONFIG_PATH_MAX];
    const char *dot = strrchr(path, '.');
    const char *leaf = dot ? dot + 1 : path;
    snprintf(prefix, sizeof prefix, "%.*s", dot ? (int)(dot - path) : 0, path);
    const size_t n = config_level_names(prefix, names, ptrs, sizeof ptrs / sizeof *ptrs);
    const char *near = suggest_closest(leaf, ptrs, n);
    out[0] = '\0';
    if (near) {
        snprintf(out, size, "%s%s%s", prefix, *prefix ? "." : "", near);
        return out;
    }
    for (size_t i = 0; i < config_n_keys; i++) {
        const char *p = config_keys[i].path, *last = strrchr(p, '.');
        if (strcmp(last ? last + 1 : p, leaf) == 0 && strcmp(p, path) != 0) {
            snprintf(out, size, "%s", p);
            break;
        }
    }
    return out;
}

/* ---- finding keys in the tree --------------------------------------------------------------- */

static int config_record(struct config_load *ld, const struct config_key *k,
                         const struct node *value) {
    /* An explicit null means "the default", so it does not count as giving the key. */
    if (k->type == CONFIG_IGNORED || node_is_null(value)) return ZEST_OK;
    const size_t i = (size_t)(config_key_canonical(k) - config_keys);
    struct config_slot *s = ld->slot[i].node ? &ld->alt[i] : &ld->slot[i];
    s->node = value;
    s->spelling = k;
    return ZEST_OK;
}

static int config_warn_unknown(struct config_load *ld, const char *path, const struct node *v) {
    char where[600], near[CONFIG_PATH_MAX];
    config_where(ld, v, path, where, sizeof where);
    if (*config_suggest(path, near, sizeof near))
        return config_warn(ld->cfg, "unknown key '%s' at %s (did you mean '%s'?)", path, where,
                           near);
    return config_warn(ld->cfg, "unknown key '%s' at %s", path, where);
}

static int config_collect(struct config_load *ld, const struct node *map, const char *prefix);

static int config_collect_one(struct config_load *ld, const char *path, const struct node *v) {
    char buf[64];
    if (strcmp(path, "process") == 0) return ZEST_OK; /* bound by config_build_ops */
    const struct config_key *k = config_key_find(path);
    if (k) return config_record(ld, k, v);
    if (!config_key_is_section(path)) return config_warn_unknown(ld, path, v);
    if (node_is_null(v)) return ZEST_OK;
    if (v->kind != NODE_MAP)
        return config_fail(ld, v, path, "%s: expected a mapping of settings, got %s", path,
                           node_describe(v, buf, sizeof buf));
    return config_collect(ld, v, path);
}

static int config_collect(struct config_load *ld, const struct node *map, const char *prefix) {
    for (size_t i = 0; i < map->n; i++) {
        char path[CONFIG_PATH_MAX];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", map->keys[i]);
        ZEST_TRY(config_collect_one(ld, path, map->items[i]));
    }
    return ZEST_OK;
}

/* ---- converting values ---------------------------------------------------------------------- */

static void config_value_free(struct config_value *v) {
    free(v->s);
    for (size_t i = 0; i < v->n; i++) free(v->list[i]);
    free(v->list);
    *v = (struct config_value){0};
}

/* Converters return 0, 1 when the node is not a valid value of the key, or ZEST_E_NOMEM. */
typedef int (*config_convert_fn)(const struct config_key *k, const struct node *n,
                                 struct config_value *v);

static bool config_in_range(const struct config_key *k, double x) {
    return (!k->has_min || x >= k->min) && (!k->has_max || x <= k->max);
}

static int config_conv_bool(const struct config_key *k, const struct node *n,
                            struct config_value *v) {
    return node_as_bool(n, &v->b) == 0 ? 0 : 1;
}

/* Keys whose minimum is 0 meaning "automatic" also take the word `auto` (Data-Juicer writes
 * `max_concurrent_partitions: auto`). */
static int config_conv_int(const struct config_key *k, const struct node *n,
                           struct config_value *v) {
    int64_t x;
    if (n->kind == NODE_SCALAR && k->has_min && k->min == 0 && strcmp(n->text, "auto") == 0)
        x = 0;
    else if (node_as_int(n, &x) != 0)
        return 1;
    if (!config_in_range(k, (double)x)) return 1;
    v->i = x * (k->scale ? k->scale : 1); /* bounds keep scaled keys far from overflow */
    return 0;
}

static int config_conv_double(const struct config_key *k, const struct node *n,
                              struct config_value *v) {
    if (node_as_double(n, &v->d) != 0 || isnan(v->d)) return 1;
    return config_in_range(k, v->d) ? 0 : 1;
}

static int config_conv_string(const struct config_key *k, const struct node *n,
                              struct config_value *v) {
    if (n->kind != NODE_SCALAR) return 1;
    v->s = config_strdup(n->text);
    return v->s ? 0 : ZEST_E_NOMEM;
}

/* A string list: a list of scalars, or one scalar standing for a list of one. */
static int config_conv_list(const struct config_key *k, const struct node *n,
                            struct config_value *v) {
    const struct node *const *items = n->kind == NODE_SEQ ? (const struct node *const *)n->items
                                                          : (const struct node *const *)&n;
    const size_t count = n->kind == NODE_SEQ ? n->n : 1;
    if (n->kind == NODE_MAP) return 1;
    v->list = calloc(count ? count : 1, sizeof *v->list);
    if (!v->list) return ZEST_E_NOMEM;
    for (size_t i = 0; i < count; i++) {
        if (items[i]->kind != NODE_SCALAR || node_is_null(items[i])) return 1;
        if (!(v->list[v->n++] = config_strdup(items[i]->text))) return ZEST_E_NOMEM;
    }
    return 0;
}

static int config_conv_enum(const struct config_key *k, const struct node *n,
                            struct config_value *v) {
    if (n->kind != NODE_SCALAR) return 1;
    for (const struct config_choice *c = k->choices; c->name; c++) {
        if ((k->nocase ? strcasecmp(c->name, n->text) : strcmp(c->name, n->text)) == 0) {
            v->choice = c;
            return 0;
        }
    }
    return 1;
}

static const config_convert_fn config_converters[] = {
    [CONFIG_BOOL] = config_conv_bool,     [CONFIG_INT] = config_conv_int,
    [CONFIG_DOUBLE] = config_conv_double, [CONFIG_STRING] = config_conv_string,
    [CONFIG_LIST] = config_conv_list,     [CONFIG_ENUM] = config_conv_enum,
};

/* What a key takes, for "expected ..." messages. */
static const char *config_expect(const struct config_key *k, char *buf, size_t size) {
    const char *noun = k->type == CONFIG_INT ? "integer" : "number";
    switch (k->type) {
    case CONFIG_BOOL: return "true or false";
    case CONFIG_STRING: return "a string";
    case CONFIG_LIST: return "a string or a list of strings";
    case CONFIG_INT:
    case CONFIG_DOUBLE:
        if (k->has_min && k->has_max)
            snprintf(buf, size, "%s %s from %.15g to %.15g", k->type == CONFIG_INT ? "an" : "a",
                     noun, k->min, k->max);
        else if (k->has_min && k->min == 1 && k->type == CONFIG_INT)
            snprintf(buf, size, "a positive integer");
        else if (k->has_min && k->min == 0)
            snprintf(buf, size, "a non-negative %s", noun);
        else
            snprintf(buf, size, "%s %s", k->type == CONFIG_INT ? "an" : "a", noun);
        return buf;
    case CONFIG_ENUM: {
        size_t o = (size_t)snprintf(buf, size, "one of");
        for (const struct config_choice *c = k->choices; c->name && o < size; c++)
            o += (size_t)snprintf(buf + o, size - o, "%s %s", c == k->choices ? "" : ",", c->name);
        return buf;
    }
    default: return "a value";
    }
}

/* Converts the value of key `k` found in `s` (absent or null: the key's default). */
static int config_convert(const struct config_load *ld, const struct config_key *k,
                          const struct config_slot *s, struct config_value *v) {
    char expect[256], got[96];
    if (s->node) {
        const int rc = config_converters[k->type](k, s->node, v);
        if (rc == 1)
            return config_fail(ld, s->node, s->spelling->path, "%s: expected %s, got %s",
                               s->spelling->path, config_expect(k, expect, sizeof expect),
                               node_describe(s->node, got, sizeof got));
        return rc == 0 ? ZEST_OK : err_set(ld->err, rc, "%s: out of memory", ld->cfg->path);
    }
    if (!k->def) return ZEST_OK; /* null: NULL string, empty list */
    struct node *def = node_new(NODE_SCALAR, k->def, 0, 0);
    if (!def) return err_set(ld->err, ZEST_E_NOMEM, "%s: out of memory", ld->cfg->path);
    const int rc = config_converters[k->type](k, def, v);
    node_free(def);
    if (rc == 1) return err_set(ld->err, ZEST_E_INTERNAL, "bad default of key %s", k->path);
    return rc == 0 ? ZEST_OK : err_set(ld->err, rc, "%s: out of memory", ld->cfg->path);
}

static bool config_str_eq(const char *a, const char *b) {
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool config_value_equal(const struct config_value *a, const struct config_value *b) {
    if (a->b != b->b) return false;
    if (a->i != b->i || a->d != b->d || a->n != b->n) return false;
    if ((a->choice ? a->choice->value : -1) != (b->choice ? b->choice->value : -1)) return false;
    if (!config_str_eq(a->s, b->s)) return false;
    for (size_t i = 0; i < a->n; i++)
        if (!config_str_eq(a->list[i], b->list[i])) return false;
    return true;
}

/* ---- storing values ------------------------------------------------------------------------- */

/* Moves a converted value into its field (the value gives up what it owned). Fields are
 * written with memcpy: the table only knows their offset and type. */
static void config_store(zest_config *cfg, const struct config_key *k, struct config_value *v) {
    char *field = (char *)cfg + k->offset;
    const int e = v->choice ? v->choice->value : 0;
    switch (k->type) {
    case CONFIG_BOOL: memcpy(field, &v->b, sizeof v->b); break;
    case CONFIG_INT: memcpy(field, &v->i, sizeof v->i); break;
    case CONFIG_DOUBLE: memcpy(field, &v->d, sizeof v->d); break;
    case CONFIG_ENUM: memcpy(field, &e, sizeof e); break;
    case CONFIG_STRING: memcpy(field, &v->s, sizeof v->s); break;
    case CONFIG_LIST:
        memcpy(field, &v->list, sizeof v->list);
        memcpy((char *)cfg + k->count_offset, &v->n, sizeof v->n);
        break;
    default: return;
    }
    *v = (struct config_value){0};
}

static int config_conflict(const struct config_load *ld, const struct config_slot *a,
                           const struct config_slot *b) {
    char va[96], vb[96], wb[600];
    return config_fail(ld, a->node, a->spelling->path,
                       "%s: %s disagrees with %s: %s at %s (they are the same setting)",
                       a->spelling->path, node_describe(a->node, va, sizeof va),
                       b->spelling->path, node_describe(b->node, vb, sizeof vb),
                       config_where(ld, b->node, b->spelling->path, wb, sizeof wb));
}

static int config_check_required(const struct config_load *ld, const struct config_key *k,
                                 const struct config_slot *s, const struct config_value *v) {
    if (!k->required) return ZEST_OK;
    if (!s->node)
        return err_set_at(ld->err, ZEST_E_CONFIG, ld->cfg->path, 0, -1, "%s is required",
                          k->path);
    if (k->type == CONFIG_STRING && v->s && !*v->s)
        return config_fail(ld, s->node, k->path, "%s: must not be empty", k->path);
    return ZEST_OK;
}

/* Choices that are accepted but not what they seem (Ray executors, every_partition). */
static int config_choice_warn(struct config_load *ld, const struct config_slot *s,
                              const struct config_value *v) {
    char where[600], msg[512];
    if (!s->node || !v->choice || !v->choice->warn) return ZEST_OK;
    snprintf(msg, sizeof msg, v->choice->warn, v->choice->name);
    return config_warn(ld->cfg, "%s: %s",
                       config_where(ld, s->node, s->spelling->path, where, sizeof where), msg);
}

static int config_bind_key(struct config_load *ld, size_t i) {
    const struct config_key *k = &config_keys[i];
    struct config_value v = {0}, w = {0};
    if (k->alias_of || k->type == CONFIG_IGNORED) return ZEST_OK;
    int rc = config_convert(ld, k, &ld->slot[i], &v);
    if (rc == ZEST_OK && ld->alt[i].node) {
        rc = config_convert(ld, k, &ld->alt[i], &w);
        if (rc == ZEST_OK && !config_value_equal(&v, &w))
            rc = config_conflict(ld, &ld->alt[i], &ld->slot[i]);
    }
    if (rc == ZEST_OK) rc = config_check_required(ld, k, &ld->slot[i], &v);
    if (rc == ZEST_OK) rc = config_choice_warn(ld, &ld->slot[i], &v);
    if (rc == ZEST_OK) config_store(ld->cfg, k, &v);
    config_value_free(&v);
    config_value_free(&w);
    return rc;
}

/* ---- rules across keys ---------------------------------------------------------------------- */

static const struct config_slot *config_slot_of(const struct config_load *ld, const char *path,
                                                const char *spelling) {
    const size_t i = (size_t)(config_key_find(path) - config_keys);
    for (int pass = 0; pass < 2; pass++) {
        const struct config_slot *s = pass ? &ld->alt[i] : &ld->slot[i];
        if (s->node && (!spelling || strcmp(s->spelling->path, spelling) == 0)) return s;
    }
    return NULL;
}

/* Data-Juicer: a `{job_id}` in work_dir must end it (trailing slashes aside). */
static int config_rule_work_dir(struct config_load *ld) {
    const char *wd = ld->cfg->work_dir;
    if (!wd || !strstr(wd, "{job_id}")) return ZEST_OK;
    size_t len = strlen(wd);
    while (len > 0 && wd[len - 1] == '/') len--;
    static const char tag[] = "{job_id}";
    if (len >= sizeof tag - 1 && strncmp(wd + len - (sizeof tag - 1), tag, sizeof tag - 1) == 0)
        return ZEST_OK;
    return config_fail(ld, config_slot_of(ld, "work_dir", NULL)->node, "work_dir",
                       "work_dir: '{job_id}' must be the last part of the path, got '%s' "
                       "(write e.g. 'outputs/{job_id}')",
                       wd);
}

/* Data-Juicer's legacy `num_partitions` forces manual partitioning with that count. */
static int config_rule_num_partitions(struct config_load *ld) {
    if (config_slot_of(ld, "partition.num_of_partitions", "num_partitions"))
        ld->cfg->partition_mode = CFG_PART_MANUAL;
    return ZEST_OK;
}

static int config_rule_partition_keys(struct config_load *ld) {
    ld->cfg->partition_size_given = config_slot_of(ld, "partition_size", NULL) != NULL;
    ld->cfg->max_partition_size_given = config_slot_of(ld, "max_partition_size_mb", NULL) != NULL;
    ld->cfg->partition_mode_given = config_slot_of(ld, "partition.mode", NULL) != NULL;
    return ZEST_OK;
}

static int config_rule_ray_address(struct config_load *ld) {
    char where[600];
    const struct config_slot *s = config_slot_of(ld, "ray_address", NULL);
    if (!s) return ZEST_OK;
    return config_warn(ld->cfg, "%s: ray_address '%s' is ignored: zest runs on its own "
                                "executor (Ray is not used)",
                       config_where(ld, s->node, "ray_address", where, sizeof where),
                       ld->cfg->ray_address);
}

/* monitoring.alerts: every rule parses (the run watches them). */
static int config_rule_alerts(struct config_load *ld) {
    zest_config *c = ld->cfg;
    if (c->n_alert_texts > CFG_ALERTS_MAX) {
        const struct config_slot *s = config_slot_of(ld, "monitoring.alerts", NULL);
        return config_fail(ld, s ? s->node : NULL, "monitoring.alerts",
                           "monitoring.alerts: at most %d rules", CFG_ALERTS_MAX);
    }
    c->n_alerts = 0;
    for (size_t i = 0; i < c->n_alert_texts; i++) {
        const char *why = "";
        if (config_alert_parse(c->alert_texts[i], &c->alerts[c->n_alerts], &why) == 0) {
            c->n_alerts++;
            continue;
        }
        const struct config_slot *s = config_slot_of(ld, "monitoring.alerts", NULL);
        return config_fail(ld, s ? s->node : NULL, "monitoring.alerts",
                           "monitoring.alerts: rule '%s': %s", c->alert_texts[i], why);
    }
    return ZEST_OK;
}

static int (*const config_rules[])(struct config_load *) = {
    config_rule_alerts,
    config_rule_work_dir,
    config_rule_num_partitions,
    config_rule_partition_keys,
    config_rule_ray_address,
};

/* ---- the process list ----------------------------------------------------------------------- */

/* One item: `{op_name: params-or-null}`, or a bare op name. */
static int config_op_shape(const struct config_load *ld, const struct node *item, size_t idx,
                           const char **name, const struct node **params) {
    char buf[96];
    if (item->kind == NODE_SCALAR && !node_is_null(item)) {
        *name = item->text;
        *params = NULL;
        return ZEST_OK;
    }
    if (item->kind != NODE_MAP || item->n != 1)
        return config_fail(ld, item, "process",
                           "process item %zu: expected one '- op_name: {params}' entry, got %s",
                           idx, item->kind == NODE_MAP ? "a mapping with several keys"
                                                       : node_describe(item, buf, sizeof buf));
    *name = item->keys[0];
    *params = node_is_null(item->items[0]) ? NULL : item->items[0];
    if (*params && (*params)->kind != NODE_MAP)
        return config_fail(ld, *params, "process", "%s: expected its parameters as a mapping, got %s",
                           *name, node_describe(*params, buf, sizeof buf));
    return ZEST_OK;
}

static int config_build_op(struct config_load *ld, const struct node *item, size_t idx) {
    const char *name = NULL, *near;
    const struct node *params = NULL;
    ZEST_TRY(config_op_shape(ld, item, idx, &name, &params));
    const struct op_desc *desc = op_registry_find(name);
    const struct op_unavailable *missing = desc ? NULL : op_unavailable_find(name);
    if (missing)
        return config_fail(ld, item, "process", "operator '%s' is not available in zest: %s",
                           name, missing->reason);
    if (!desc && (near = op_registry_suggest(name)) != NULL)
        return config_fail(ld, item, "process", "unknown operator '%s' (did you mean '%s'?)",
                           name, near);
    if (!desc) return config_fail(ld, item, "process", "unknown operator '%s'", name);
    struct cfg_op *op = &ld->cfg->ops[ld->cfg->n_ops];
    op->desc = desc;
    op->line = item->line;
    int rc = op_params_bind(desc, params, ld->cfg->path, &op->params, ld->err);
    if (rc == ZEST_OK) ld->cfg->n_ops++; /* from here on destroyed with the config */
    if (rc == ZEST_OK && desc->prepare) rc = desc->prepare(&op->params, ld->err);
    if (rc != ZEST_OK) {
        err_set_op(ld->err, name);
        return rc;
    }
    return ZEST_OK;
}

static int config_build_ops(struct config_load *ld) {
    char buf[96];
    const struct node *list = node_map_get(ld->root, "process");
    if (node_is_null(list)) return ZEST_OK; /* the identity pipeline */
    if (list->kind != NODE_SEQ)
        return config_fail(ld, list, "process", "process: expected a list of operators, got %s",
                           node_describe(list, buf, sizeof buf));
    ld->cfg->ops = calloc(list->n ? list->n : 1, sizeof *ld->cfg->ops);
    if (!ld->cfg->ops) return err_set(ld->err, ZEST_E_NOMEM, "%s: out of memory", ld->cfg->path);
    for (size_t i = 0; i < list->n; i++) ZEST_TRY(config_build_op(ld, list->items[i], i));
    return ZEST_OK;
}

/* ---- overrides ------------------------------------------------------------------------------ */

static struct node *config_child(struct node *map, const char *key) {
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0) return map->items[i];
    return NULL;
}

static void config_map_remove(struct node *map, const char *key) {
    for (size_t i = 0; i < map->n; i++) {
        if (strcmp(map->keys[i], key) != 0) continue;
        node_free(map->items[i]);
        free(map->keys[i]);
        memmove(&map->items[i], &map->items[i + 1], (map->n - i - 1) * sizeof *map->items);
        memmove(&map->keys[i], &map->keys[i + 1], (map->n - i - 1) * sizeof *map->keys);
        map->n--;
        return;
    }
}

/* Sets `path` ("a.b.c") in the tree, making the sections on the way mappings. Takes
 * ownership of value. */
static int config_tree_set(struct node *root, const char *path, struct node *value) {
    char part[CONFIG_PATH_MAX];
    struct node *map = root;
    for (const char *dot; (dot = strchr(path, '.')) != NULL; path = dot + 1) {
        snprintf(part, sizeof part, "%.*s", (int)(dot - path), path);
        struct node *next = config_child(map, part);
        if (!next || next->kind != NODE_MAP) {
            next = node_new(NODE_MAP, NULL, 0, 0);
            if (!next || node_map_set(map, part, next) != ZEST_OK) {
                node_free(next);
                node_free(value);
                return ZEST_E_NOMEM;
            }
        }
        map = next;
    }
    const int rc = node_map_set(map, path, value);
    if (rc != ZEST_OK) node_free(value);
    return rc;
}

static void config_tree_unset(struct node *root, const char *path) {
    char part[CONFIG_PATH_MAX];
    struct node *map = root;
    for (const char *dot; map && (dot = strchr(path, '.')) != NULL; path = dot + 1) {
        snprintf(part, sizeof part, "%.*s", (int)(dot - path), path);
        map = config_child(map, part);
        if (map && map->kind != NODE_MAP) return;
    }
    if (map) config_map_remove(map, path);
}

/* An override replaces every spelling of its setting, so `--set checkpoint.enabled=false`
 * wins over `checkpointing.enabled: true` in the file instead of conflicting with it. */
static void config_unset_spellings(struct node *root, const struct config_key *k) {
    const struct config_key *c = config_key_canonical(k);
    for (size_t i = 0; i < config_n_keys; i++)
        if (&config_keys[i] != k && config_key_canonical(&config_keys[i]) == c)
            config_tree_unset(root, config_keys[i].path);
}

static int config_override_key(struct config_load *ld, const char *ov, const char *key,
                               struct node *value) {
    char near[CONFIG_PATH_MAX];
    const struct config_key *k = config_key_find(key);
    if (!k && !config_key_is_section(key)) {
        node_free(value);
        if (*config_suggest(key, near, sizeof near))
            return err_set(ld->err, ZEST_E_CONFIG,
                           "--set %s: unknown key '%s' (did you mean '%s'?)", ov, key, near);
        return err_set(ld->err, ZEST_E_CONFIG, "--set %s: unknown key '%s'", ov, key);
    }
    if (k) config_unset_spellings(ld->root, k);
    if (config_tree_set(ld->root, key, value) != ZEST_OK)
        return err_set(ld->err, ZEST_E_NOMEM, "--set %s: out of memory", ov);
    return ZEST_OK;
}

/* "process.<index>.<op_name>.<param>" split into its parts; -1 when it has another shape. */
static int config_parse_op_key(const char *key, size_t *idx, char *op, size_t op_size,
                               const char **param) {
    const char *p = key + strlen("process.");
    char *end;
    if (*p < '0' || *p > '9') return -1;
    *idx = (size_t)strtoul(p, &end, 10);
    if (*end != '.') return -1;
    const char *name = end + 1, *dot = strchr(name, '.');
    if (!dot || dot == name || (size_t)(dot - name) >= op_size) return -1;
    snprintf(op, op_size, "%.*s", (int)(dot - name), name);
    *param = dot + 1;
    return **param && !strchr(*param, '.') ? 0 : -1;
}

/* Checks the parameter name now, so a typo is reported against the --set that made it. */
static int config_check_op_param(const struct config_load *ld, const char *ov, const char *op,
                                 const char *param) {
    const struct op_desc *desc = op_registry_find(op);
    if (!desc) return ZEST_OK; /* reported with its line when the process list is bound */
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < desc->info.n_params && n < 64; i++) {
        if (strcmp(desc->info.params[i].name, param) == 0) return ZEST_OK;
        names[n++] = desc->info.params[i].name;
    }
    const char *near = suggest_closest(param, names, n);
    return err_set(ld->err, ZEST_E_CONFIG, "--set %s: %s has no parameter '%s'%s%s%s", ov, op,
                   param, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static int config_op_params_node(const struct config_load *ld, const char *ov, size_t idx,
                                 const char *op, struct node **params) {
    struct node *list = config_child(ld->root, "process");
    const size_t n = list && list->kind == NODE_SEQ ? list->n : 0;
    if (idx >= n)
        return err_set(ld->err, ZEST_E_CONFIG,
                       "--set %s: process has %zu operator(s); the index counts from 0", ov, n);
    struct node *item = list->items[idx];
    if (item->kind != NODE_MAP || item->n != 1 || strcmp(item->keys[0], op) != 0)
        return err_set(ld->err, ZEST_E_CONFIG, "--set %s: process item %zu is not '%s'%s%s", ov,
                       idx, op, item->kind == NODE_MAP && item->n == 1 ? ", it is " : "",
                       item->kind == NODE_MAP && item->n == 1 ? item->keys[0] : "");
    if (node_is_null(item->items[0])) {
        struct node *map = node_new(NODE_MAP, NULL, item->line, item->column);
        if (!map || node_map_set(item, op, map) != ZEST_OK) {
            node_free(map);
            return err_set(ld->err, ZEST_E_NOMEM, "--set %s: out of memory", ov);
        }
    }
    *params = item->items[0];
    if ((*params)->kind != NODE_MAP)
        return err_set(ld->err, ZEST_E_CONFIG, "--set %s: %s's parameters are not a mapping", ov,
                       op);
    return ZEST_OK;
}

static int config_override_op(struct config_load *ld, const char *ov, const char *key,
                              struct node *value) {
    size_t idx;
    char op[128];
    const char *param;
    struct node *params = NULL;
    int rc;
    if (strcmp(key, "process") == 0) {
        rc = node_map_set(ld->root, "process", value);
        if (rc != ZEST_OK) node_free(value);
        return rc == ZEST_OK ? rc : err_set(ld->err, rc, "--set %s: out of memory", ov);
    }
    if (config_parse_op_key(key, &idx, op, sizeof op, &param) != 0)
        rc = err_set(ld->err, ZEST_E_CONFIG,
                     "--set %s: expected process.<index>.<op_name>.<param>=value", ov);
    else if ((rc = config_op_params_node(ld, ov, idx, op, &params)) == ZEST_OK &&
             (rc = config_check_op_param(ld, ov, op, param)) == ZEST_OK) {
        rc = node_map_set(params, param, value);
        if (rc == ZEST_OK) return ZEST_OK;
        rc = err_set(ld->err, rc, "--set %s: out of memory", ov);
    }
    node_free(value);
    return rc;
}

static int config_apply_override(struct config_load *ld, const char *ov) {
    char key[CONFIG_PATH_MAX], origin[CONFIG_PATH_MAX + 600];
    struct node *value = NULL;
    const size_t klen = strcspn(ov, "=");
    if (ov[klen] != '=' || klen == 0 || klen >= sizeof key)
        return err_set(ld->err, ZEST_E_CONFIG, "--set %s: expected key=value", ov);
    snprintf(key, sizeof key, "%.*s", (int)klen, ov);
    snprintf(origin, sizeof origin, "--set %s", ov);
    ZEST_TRY(yaml_tree_parse_value(ov + klen + 1, origin, &value, ld->err));
    if (strncmp(key, "process", 7) == 0 && (key[7] == '\0' || key[7] == '.'))
        return config_override_op(ld, ov, key, value);
    return config_override_key(ld, ov, key, value);
}

/* ---- load and destroy ----------------------------------------------------------------------- */

static int config_load_steps(struct config_load *ld) {
    for (size_t i = 0; i < ld->n_overrides; i++)
        ZEST_TRY(config_apply_override(ld, ld->overrides[i]));
    ZEST_TRY(config_collect(ld, ld->root, ""));
    for (size_t i = 0; i < config_n_keys; i++) ZEST_TRY(config_bind_key(ld, i));
    for (size_t i = 0; i < sizeof config_rules / sizeof *config_rules; i++)
        ZEST_TRY(config_rules[i](ld));
    return config_build_ops(ld);
}

int zest_config_load(const char *path, const char *const *overrides, size_t n_overrides,
                     zest_config **out, zest_error *err) {
    struct config_load ld = {.overrides = overrides, .n_overrides = n_overrides, .err = err};
    int rc = ZEST_OK;
    if (!path || !out || (n_overrides && !overrides))
        return err_set(err, ZEST_E_USAGE, "zest_config_load: path and out are required");
    *out = NULL;
    ld.cfg = calloc(1, sizeof *ld.cfg);
    ld.slot = calloc(config_n_keys, sizeof *ld.slot);
    ld.alt = calloc(config_n_keys, sizeof *ld.alt);
    if (ld.cfg) ld.cfg->path = config_strdup(path);
    if (!ld.cfg || !ld.slot || !ld.alt || !ld.cfg->path) {
        rc = err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    if ((rc = yaml_tree_load_file(path, &ld.root, config_warn_text, ld.cfg, err)) != ZEST_OK)
        goto out;
    rc = config_load_steps(&ld);
out:
    node_free(ld.root);
    free(ld.slot);
    free(ld.alt);
    if (rc != ZEST_OK) zest_config_destroy(ld.cfg);
    else *out = ld.cfg;
    return rc;
}

/* Frees what the table's STRING and LIST keys own. */
static void config_free_fields(zest_config *cfg) {
    for (size_t i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        if (k->alias_of || (k->type != CONFIG_STRING && k->type != CONFIG_LIST)) continue;
        void *p;
        memcpy(&p, (char *)cfg + k->offset, sizeof p);
        if (k->type == CONFIG_LIST) {
            size_t n;
            memcpy(&n, (char *)cfg + k->count_offset, sizeof n);
            for (size_t j = 0; j < n; j++) free(((char **)p)[j]);
        }
        free(p);
    }
}

void zest_config_destroy(zest_config *cfg) {
    if (!cfg) return;
    config_free_fields(cfg);
    for (size_t i = 0; i < cfg->n_ops; i++) op_params_free(&cfg->ops[i].params);
    free(cfg->ops);
    for (size_t i = 0; i < cfg->n_warnings; i++) free(cfg->warnings[i]);
    free(cfg->warnings);
    free(cfg->path);
    free(cfg);
}

size_t zest_config_warning_count(const zest_config *cfg) { return cfg ? cfg->n_warnings : 0; }

const char *zest_config_warning(const zest_config *cfg, size_t i) {
    return cfg && i < cfg->n_warnings ? cfg->warnings[i] : NULL;
}

/* ---- dump ----------------------------------------------------------------------------------- */

/* A YAML double-quoted string: always a string on reload, whatever it looks like. */
static int config_dump_string(struct buf *b, const char *s) {
    if (!s) return buf_printf(b, "null");
    ZEST_TRY(buf_putc(b, '"'));
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') ZEST_TRY(buf_printf(b, "\\%c", c));
        else if (c < 0x20 || c == 0x7f) ZEST_TRY(buf_printf(b, "\\x%02x", c));
        else ZEST_TRY(buf_putc(b, (char)c));
    }
    return buf_putc(b, '"');
}

static int config_dump_list(struct buf *b, const char *const *items, size_t n) {
    ZEST_TRY(buf_putc(b, '['));
    for (size_t i = 0; i < n; i++) {
        if (i) ZEST_TRY(buf_printf(b, ", "));
        ZEST_TRY(config_dump_string(b, items[i]));
    }
    return buf_putc(b, ']');
}

/* Shortest %g form that reads back to the same double; YAML spellings for inf and nan. */
static int config_dump_double(struct buf *b, double d) {
    char text[64];
    if (isnan(d)) return buf_printf(b, ".nan");
    if (isinf(d)) return buf_printf(b, d < 0 ? "-.inf" : ".inf");
    snprintf(text, sizeof text, "%.15g", d);
    if (strtod(text, NULL) != d) snprintf(text, sizeof text, "%.17g", d);
    return buf_printf(b, "%s", text);
}

static const char *config_choice_name(const struct config_key *k, int value) {
    for (const struct config_choice *c = k->choices; c->name; c++)
        if (c->value == value) return c->name;
    return "?";
}

static int config_dump_value(struct buf *b, const zest_config *cfg, const struct config_key *k) {
    const char *field = (const char *)cfg + k->offset;
    union {
        bool b;
        int64_t i;
        double d;
        int e;
        char *s;
        char **list;
    } v;
    size_t n = 0;
    memcpy(&v, field, k->type == CONFIG_BOOL     ? sizeof v.b
                      : k->type == CONFIG_INT    ? sizeof v.i
                      : k->type == CONFIG_DOUBLE ? sizeof v.d
                      : k->type == CONFIG_ENUM   ? sizeof v.e
                                                 : sizeof v.s);
    switch (k->type) {
    case CONFIG_BOOL: return buf_printf(b, "%s", v.b ? "true" : "false");
    case CONFIG_INT: return buf_printf(b, "%lld", (long long)(v.i / (k->scale ? k->scale : 1)));
    case CONFIG_DOUBLE: return config_dump_double(b, v.d);
    case CONFIG_ENUM: return buf_printf(b, "%s", config_choice_name(k, v.e));
    case CONFIG_STRING: return config_dump_string(b, v.s);
    case CONFIG_LIST:
        memcpy(&n, (const char *)cfg + k->count_offset, sizeof n);
        return config_dump_list(b, (const char *const *)v.list, n);
    default: return ZEST_OK;
    }
}

/* Keys in table order; a run of keys of one section is written as a nested mapping. */
static int config_dump_keys(struct buf *b, const zest_config *cfg) {
    char section[CONFIG_PATH_MAX] = "";
    for (size_t i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        if (k->alias_of || k->type == CONFIG_IGNORED) continue;
        const char *dot = strchr(k->path, '.');
        const int slen = dot ? (int)(dot - k->path) : 0;
        if (dot && (strncmp(section, k->path, (size_t)slen) != 0 || section[slen] != '\0')) {
            snprintf(section, sizeof section, "%.*s", slen, k->path);
            ZEST_TRY(buf_printf(b, "%s:\n", section));
        }
        if (!dot) section[0] = '\0';
        ZEST_TRY(buf_printf(b, "%s%s: ", dot ? "  " : "", dot ? dot + 1 : k->path));
        ZEST_TRY(config_dump_value(b, cfg, k));
        ZEST_TRY(buf_putc(b, '\n'));
    }
    return ZEST_OK;
}

static int config_dump_param(struct buf *b, const zest_param_desc *d,
                             const struct param_value *v) {
    ZEST_TRY(buf_printf(b, "      %s: ", d->name));
    switch (d->type) {
    case ZEST_PARAM_BOOL: ZEST_TRY(buf_printf(b, "%s", v->b ? "true" : "false")); break;
    case ZEST_PARAM_INT: ZEST_TRY(buf_printf(b, "%lld", (long long)v->i)); break;
    case ZEST_PARAM_DOUBLE: ZEST_TRY(config_dump_double(b, v->d)); break;
    case ZEST_PARAM_STRING: ZEST_TRY(config_dump_string(b, v->s)); break;
    case ZEST_PARAM_STRING_LIST: ZEST_TRY(config_dump_list(b, v->list, v->n_list)); break;
    }
    return buf_putc(b, '\n');
}

static int config_dump_ops(struct buf *b, const zest_config *cfg) {
    if (cfg->n_ops == 0) return buf_printf(b, "process: []\n");
    ZEST_TRY(buf_printf(b, "process:\n"));
    for (size_t i = 0; i < cfg->n_ops; i++) {
        const zest_op_info *info = &cfg->ops[i].desc->info;
        const struct op_params *p = &cfg->ops[i].params;
        ZEST_TRY(buf_printf(b, "  - %s:%s\n", info->name, info->n_params ? "" : " {}"));
        for (size_t j = 0; j < info->n_params && j < p->n; j++)
            ZEST_TRY(config_dump_param(b, &info->params[j], &p->v[j]));
    }
    return ZEST_OK;
}

int zest_config_dump(const zest_config *cfg, char **out, zest_error *err) {
    struct buf b;
    if (!cfg || !out) return err_set(err, ZEST_E_USAGE, "zest_config_dump: cfg and out are required");
    *out = NULL;
    buf_init(&b, 0);
    int rc = buf_printf(&b, "# zest %s: effective configuration, defaults filled in\n",
                        ZEST_VERSION);
    if (rc == ZEST_OK) rc = config_dump_keys(&b, cfg);
    if (rc == ZEST_OK) rc = config_dump_ops(&b, cfg);
    if (rc == ZEST_OK) rc = buf_putc(&b, '\0');
    if (rc != ZEST_OK) {
        buf_free(&b);
        return err_set(err, rc, "zest_config_dump: out of memory");
    }
    *out = b.data;
    return ZEST_OK;
}

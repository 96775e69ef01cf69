/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wordlists.c - Data-Juicer's word-list directories (see wordlists.h): the files are read and
 * parsed once at config load; the set is an open-addressing table of (hash, word) over one
 * arena. Nothing here runs per sample except wordset_has.
 */
#include "wordlists.h"

#include <dirent.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/buf.h"
#include "../common/err.h"
#include "../common/fsutil.h"
#include "../common/hash.h"
#include "../io/json.h"

struct ws_slot {
    uint64_t hash;
    const char *word; /* NULL: empty slot */
    size_t len;
};

struct wordset {
    struct arena mem;
    struct ws_slot *slots;
    size_t mask, n;
};

void wordlists_model_path(const char *name, char *out, size_t cap) {
    const char *dir = getenv("ZEST_MODELS_DIR"), *cache = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (strchr(name, '/')) snprintf(out, cap, "%s", name);
    else if (dir && *dir) snprintf(out, cap, "%s/%s", dir, name);
    else if (cache && *cache) snprintf(out, cap, "%s/zest/models/%s", cache, name);
    else snprintf(out, cap, "%s/.cache/zest/models/%s", home ? home : ".", name);
}

static uint64_t ws_hash(const char *w, size_t len) {
    return hash_finish(hash_bytes(HASH_SEED, w, len) ^ len);
}

static int ws_grow(struct wordset *ws) {
    const size_t cap = ws->slots ? (ws->mask + 1) * 2 : 1024;
    struct ws_slot *slots = calloc(cap, sizeof *slots);
    if (!slots) return ZEST_E_NOMEM;
    for (size_t i = 0; ws->slots && i <= ws->mask; i++) {
        if (!ws->slots[i].word) continue;
        size_t j = ws->slots[i].hash & (cap - 1);
        while (slots[j].word) j = (j + 1) & (cap - 1);
        slots[j] = ws->slots[i];
    }
    free(ws->slots);
    ws->slots = slots;
    ws->mask = cap - 1;
    return 0;
}

static int ws_add(struct wordset *ws, const char *w, size_t len) {
    if (!ws->slots || (ws->n + 1) * 2 > ws->mask + 1) ZEST_TRY(ws_grow(ws));
    const uint64_t h = ws_hash(w, len);
    size_t j = h & ws->mask;
    for (; ws->slots[j].word; j = (j + 1) & ws->mask)
        if (ws->slots[j].hash == h && ws->slots[j].len == len &&
            memcmp(ws->slots[j].word, w, len) == 0)
            return 0;
    const char *copy = arena_strndup(&ws->mem, w, len);
    if (!copy) return ZEST_E_NOMEM;
    ws->slots[j] = (struct ws_slot){.hash = h, .word = copy, .len = len};
    ws->n++;
    return 0;
}

bool wordset_has(const struct wordset *ws, const char *w, size_t len) {
    if (!ws->n) return false;
    const uint64_t h = ws_hash(w, len);
    for (size_t j = h & ws->mask; ws->slots[j].word; j = (j + 1) & ws->mask)
        if (ws->slots[j].hash == h && ws->slots[j].len == len &&
            memcmp(ws->slots[j].word, w, len) == 0)
            return true;
    return false;
}

size_t wordset_size(const struct wordset *ws) { return ws ? ws->n : 0; }

void wordset_free(struct wordset *ws) {
    if (!ws) return;
    free(ws->slots);
    arena_destroy(&ws->mem);
    free(ws);
}

struct ws_load {
    const char *type, *lang, *op;
    struct wordset *set;
    bool found_lang, file_has_all;
    zest_error *err;
};

/* Adds one file's list for the language (every list when `all_union`). */
static int ws_add_file(struct ws_load *ld, const char *path, const struct json_value *root,
                       bool all_union) {
    for (size_t m = 0; m < root->u.obj.n; m++) {
        const struct json_member *mem = &root->u.obj.members[m];
        if (!all_union && strcmp(mem->key, ld->lang) != 0) continue;
        if (mem->value.type != JSON_ARRAY)
            return err_set(ld->err, ZEST_E_CONFIG, "%s: %s: language '%s' is not a list of words",
                           ld->op, path, mem->key);
        ld->found_lang = true;
        for (size_t i = 0; i < mem->value.u.arr.n; i++) {
            const struct json_value *v = &mem->value.u.arr.items[i];
            if (v->type != JSON_STRING)
                return err_set(ld->err, ZEST_E_CONFIG, "%s: %s: language '%s': item %zu is not "
                               "a string", ld->op, path, mem->key, i);
            ZEST_TRY(ws_add(ld->set, v->u.str.ptr, v->u.str.len));
        }
    }
    return 0;
}

static int ws_parse(struct ws_load *ld, const char *path, struct arena *a, struct buf *text,
                    struct json_value *root) {
    zest_error local;
    buf_clear(text);
    if (fsutil_read_file(path, text, &local) != 0)
        return err_set(ld->err, ZEST_E_CONFIG, "%s: %s", ld->op, local.msg);
    struct json_cursor c;
    json_cursor_init(&c, text->data ? text->data : "", text->len);
    if (json_parse_value(&c, a, root) != 0 || json_expect_end(&c) != 0)
        return err_set(ld->err, ZEST_E_CONFIG, "%s: %s: offset %lld: %s", ld->op, path,
                       (long long)json_error_offset(&c), c.err ? c.err : "invalid JSON");
    if (root->type != JSON_OBJECT)
        return err_set(ld->err, ZEST_E_CONFIG, "%s: %s: expected an object {lang: [words]}",
                       ld->op, path);
    for (size_t m = 0; m < root->u.obj.n; m++)
        if (strcmp(root->u.obj.members[m].key, "all") == 0) ld->file_has_all = true;
    return 0;
}

static bool ws_file_matches(const char *name, const char *type) {
    const size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0 && strstr(name, type) != NULL;
}

static int ws_name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The matching file names, sorted (a stable order for the messages), in the arena. */
static int ws_list_dir(struct ws_load *ld, const char *dir, struct arena *a, char ***names,
                       size_t *n) {
    DIR *d = opendir(dir);
    if (!d) return err_set(ld->err, ZEST_E_CONFIG, "%s: %s_dir: cannot open %s", ld->op, ld->type, dir);
    size_t cap = 16;
    *names = arena_alloc(a, cap * sizeof **names);
    *n = 0;
    int rc = *names ? 0 : ZEST_E_NOMEM;
    for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
        if (!ws_file_matches(e->d_name, ld->type)) continue;
        if (*n == cap) {
            char **bigger = arena_alloc(a, cap * 2 * sizeof *bigger);
            if (!bigger) { rc = ZEST_E_NOMEM; break; }
            memcpy(bigger, *names, cap * sizeof *bigger);
            *names = bigger;
            cap *= 2;
        }
        if (!((*names)[*n] = arena_strndup(a, e->d_name, strlen(e->d_name)))) {
            rc = ZEST_E_NOMEM;
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (rc == 0 && *n > 1) qsort(*names, *n, sizeof **names, ws_name_cmp);
    return rc;
}

static int ws_load_dir(struct ws_load *ld, const char *dir) {
    struct arena a;
    struct buf text;
    arena_init(&a, 1 << 20);
    buf_init(&text, 0);
    char **names = NULL, path[8192 + 256];
    size_t n = 0;
    int rc = ws_list_dir(ld, dir, &a, &names, &n);
    if (rc == 0 && n == 0)
        rc = err_set(ld->err, ZEST_E_CONFIG, "%s: no *%s*.json file in %s (scripts/models.sh "
                     "installs the default lists)", ld->op, ld->type, dir);
    struct json_value *roots = rc == 0 ? arena_alloc(&a, n * sizeof *roots) : NULL;
    if (rc == 0 && !roots) rc = ZEST_E_NOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = ws_parse(ld, path, &a, &text, &roots[i]);
    }
    /* "all" without a file defining it is the union of every language */
    const bool all_union = strcmp(ld->lang, "all") == 0 && !ld->file_has_all;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = ws_add_file(ld, path, &roots[i], all_union);
    }
    if (rc == 0 && !ld->found_lang)
        rc = err_set(ld->err, ZEST_E_CONFIG, "%s: lang: no %s list for '%s' in %s", ld->op,
                     ld->type, ld->lang, dir);
    buf_free(&text);
    arena_destroy(&a);
    return rc;
}

int wordset_load(const char *dir, const char *type, const char *lang, const char *op,
                 struct wordset **out, zest_error *err) {
    char models[4096];
    if (!dir || !*dir) {
        wordlists_model_path(".", models, sizeof models);
        dir = models;
    }
    struct wordset *ws = calloc(1, sizeof *ws);
    if (!ws) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", op);
    arena_init(&ws->mem, 1 << 16);
    struct ws_load ld = {.type = type, .lang = lang ? lang : "", .op = op, .set = ws, .err = err};
    const int rc = ws_load_dir(&ld, dir);
    if (rc) {
        if (rc == ZEST_E_NOMEM) err_set(err, rc, "%s: out of memory loading %s", op, dir);
        wordset_free(ws);
        return rc;
    }
    *out = ws;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_node.c - the document tree: building, replacing and copying, and the YAML 1.1 reading
 * of plain scalars (null, bool, int, float) that every config value goes through.
 */
#include "runner.h"

#include <math.h>

#include "zest.h"
#include "../../src/common/node.h"

static struct node *scalar(const char *text, bool quoted) {
    struct node *n = node_new(NODE_SCALAR, text, 3, 7);
    ASSERT(n != NULL);
    n->quoted = quoted;
    return n;
}

TEST(build_map_and_seq) {
    struct node *map = node_new(NODE_MAP, NULL, 1, 1);
    struct node *seq = node_new(NODE_SEQ, NULL, 2, 1);
    for (int i = 0; i < 100; i++) {
        char text[16];
        snprintf(text, sizeof text, "v%d", i);
        ASSERT_EQ(node_seq_push(seq, scalar(text, false)), ZEST_OK);
        ASSERT_EQ(node_map_set(map, text, scalar(text, false)), ZEST_OK);
    }
    ASSERT_EQ(node_map_set(map, "list", seq), ZEST_OK);
    ASSERT_EQ(map->n, 101);
    ASSERT_STR_EQ(node_map_get(map, "v42")->text, "v42");
    ASSERT_STR_EQ(seq->items[99]->text, "v99");
    ASSERT(node_map_get(map, "nope") == NULL);
    ASSERT(node_map_get(seq, "v1") == NULL); /* not a mapping */
    /* replacing keeps the position and frees the old value */
    ASSERT_EQ(node_map_set(map, "v3", scalar("new", true)), ZEST_OK);
    ASSERT_EQ(map->n, 101);
    ASSERT_STR_EQ(map->keys[3], "v3");
    ASSERT_STR_EQ(map->items[3]->text, "new");
    struct node *x = scalar("x", false);
    ASSERT(node_seq_push(map, x) != ZEST_OK);
    node_free(x);
    node_free(map);
    node_free(NULL);
}

TEST(clone_is_deep) {
    struct node *map = node_new(NODE_MAP, NULL, 4, 2);
    struct node *seq = node_new(NODE_SEQ, NULL, 5, 3);
    node_seq_push(seq, scalar("a", true));
    node_map_set(map, "k", seq);
    struct node *copy = node_clone(map);
    node_free(map);
    ASSERT_EQ(copy->kind, NODE_MAP);
    ASSERT_EQ(copy->line, 4);
    const struct node *s = node_map_get(copy, "k");
    ASSERT_EQ(s->kind, NODE_SEQ);
    ASSERT_EQ(s->line, 5);
    ASSERT_STR_EQ(s->items[0]->text, "a");
    ASSERT(s->items[0]->quoted);
    ASSERT_EQ(s->items[0]->column, 7);
    node_free(copy);
    ASSERT(node_clone(NULL) == NULL);
}

TEST(null_words) {
    static const char *const yes[] = {"", "~", "null", "Null", "NULL"};
    static const char *const no[] = {"nul", "nULL", "none", "0"};
    for (size_t i = 0; i < 5; i++) {
        struct node *n = scalar(yes[i], false);
        ASSERT(node_is_null(n));
        n->quoted = true; /* '' is an empty string, not null */
        ASSERT(!node_is_null(n));
        node_free(n);
    }
    for (size_t i = 0; i < 4; i++) {
        struct node *n = scalar(no[i], false);
        ASSERT(!node_is_null(n));
        node_free(n);
    }
    ASSERT(node_is_null(NULL));
    struct node *m = node_new(NODE_MAP, NULL, 1, 1);
    ASSERT(!node_is_null(m));
    node_free(m);
}

TEST(bools) {
    static const struct {
        const char *text;
        int ok;
        bool v;
    } cases[] = {
        {"true", 1, true}, {"True", 1, true}, {"TRUE", 1, true}, {"yes", 1, true},
        {"On", 1, true},   {"false", 1, false}, {"no", 1, false}, {"OFF", 1, false},
        {"1", 0, false},   {"y", 0, false},     {"", 0, false},   {"truth", 0, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct node *n = scalar(cases[i].text, false);
        bool v = !cases[i].v;
        ASSERT_EQ(node_as_bool(n, &v) == 0, cases[i].ok);
        if (cases[i].ok) ASSERT_EQ(v, cases[i].v);
        n->quoted = true;
        ASSERT_EQ(node_as_bool(n, &v), -1);
        node_free(n);
    }
}

TEST(ints) {
    static const struct {
        const char *text;
        int ok;
        int64_t v;
    } cases[] = {
        {"0", 1, 0},
        {"42", 1, 42},
        {"-7", 1, -7},
        {"+7", 1, 7},
        {"10_000", 1, 10000},
        {"9223372036854775807", 1, INT64_MAX},
        {"-9223372036854775808", 1, INT64_MIN},
        {"9223372036854775808", 0, 0},
        {"1.0", 0, 0},
        {"1e3", 0, 0},
        {"_1", 0, 0},
        {"1_", 0, 0},
        {"1__0", 0, 0},
        {"", 0, 0},
        {"-", 0, 0},
        {"0x10", 0, 0},
        {" 1", 0, 0},
        {"ten", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct node *n = scalar(cases[i].text, false);
        int64_t v = -1;
        if ((node_as_int(n, &v) == 0) != cases[i].ok) TEST_FAIL("int '%s'", cases[i].text);
        if (cases[i].ok) ASSERT_EQ(v, cases[i].v);
        n->quoted = true;
        ASSERT_EQ(node_as_int(n, &v), -1);
        node_free(n);
    }
}

TEST(doubles) {
    static const struct {
        const char *text;
        int ok;
        double v;
    } cases[] = {
        {"0.8", 1, 0.8},   {"5", 1, 5.0},       {"-2.5e3", 1, -2500.0}, {"1E-2", 1, 0.01},
        {".5", 1, 0.5},    {"5.", 1, 5.0},      {"1_000.5", 1, 1000.5}, {"+1.5", 1, 1.5},
        {".", 0, 0},       {"e5", 0, 0},        {"1e", 0, 0},           {"inf", 0, 0},
        {"nan", 0, 0},     {"0x1p3", 0, 0},     {"1.2.3", 0, 0},        {"", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct node *n = scalar(cases[i].text, false);
        double v = -1;
        if ((node_as_double(n, &v) == 0) != cases[i].ok) TEST_FAIL("double '%s'", cases[i].text);
        if (cases[i].ok) ASSERT_DBL_EQ(v, cases[i].v);
        node_free(n);
    }
    double v = 0;
    struct node *n = scalar(".inf", false);
    ASSERT_EQ(node_as_double(n, &v), 0);
    ASSERT(isinf(v) && v > 0);
    node_free(n);
    n = scalar("-.Inf", false);
    ASSERT_EQ(node_as_double(n, &v), 0);
    ASSERT(isinf(v) && v < 0);
    node_free(n);
    n = scalar(".NaN", false);
    ASSERT_EQ(node_as_double(n, &v), 0);
    ASSERT(isnan(v));
    node_free(n);
}

TEST(describe) {
    char buf[16];
    struct node *n = scalar("ten", false);
    ASSERT_STR_EQ(node_describe(n, buf, sizeof buf), "'ten'");
    node_free(n);
    n = scalar("a very long value indeed", false);
    ASSERT_STR_EQ(node_describe(n, buf, sizeof buf), "'a very lon...'");
    node_free(n);
    n = node_new(NODE_SEQ, NULL, 1, 1);
    ASSERT_STR_EQ(node_describe(n, buf, sizeof buf), "a list");
    node_free(n);
    n = node_new(NODE_MAP, NULL, 1, 1);
    ASSERT_STR_EQ(node_describe(n, buf, sizeof buf), "a mapping");
    node_free(n);
    ASSERT_STR_EQ(node_describe(NULL, buf, sizeof buf), "null");
}

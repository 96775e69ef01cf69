/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_html.c - the HTML report is one self-contained document: one partition group per
 * partition (empty ones too), one bar per span with its kind, escaped text, no script and no
 * external reference.
 */
#include <string.h>

#include "../../src/report/html.h"
#include "runner.h"

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

static char *render(const struct html_input *in) {
    struct buf b;
    buf_init(&b, 0);
    ASSERT_EQ(html_report(in, &b), 0);
    ASSERT_EQ(buf_putc(&b, '\0'), 0);
    return b.data;
}

static const struct html_op ops[] = {{"whitespace_normalization_mapper", 2.0},
                                     {"text_<length>_filter & co", 6.0}};
static const struct html_span spans[] = {
    {.partition = 2, .worker = 1, .op = 1, .t0 = 1.0, .t1 = 2.0},
    {.partition = 0, .worker = 0, .op = 0, .t0 = 0.0, .t1 = 0.5},
    {.partition = 0, .worker = 0, .op = 1, .t0 = 0.5, .t1 = 1.5},
    {.partition = 1, .worker = 1, .op = 1, .t0 = 0.0, .t1 = 0.4, .kind = HTML_SPAN_FAILED},
    {.partition = 1, .worker = 1, .op = 1, .t0 = 0.6, .t1 = 0.9, .kind = HTML_SPAN_SKIPPED},
};
static const struct html_point points[] = {{0.5, 1000, 10.0}, {1.0, 3000, 30.5}, {2.0, 0, 0}};
static const struct html_finding findings[] = {
    {"dominant_op", "text_length_filter takes 75% of op time <see partition_size>"}};

static struct html_input input(void) {
    return (struct html_input){.job_id = "job-1", .state = "partial", .duration = 2.0,
                               .workers = 2, .partitions = 4, .spans = spans, .n_spans = 5,
                               .points = points, .n_points = 3, .ops = ops, .n_ops = 2,
                               .findings = findings, .n_findings = 1};
}

TEST(one_group_per_partition_even_without_spans) {
    const struct html_input in = input();
    char *html = render(&in);
    ASSERT_EQ(count(html, "<g class=\"partition\""), 4);
    ASSERT_CONTAINS(html, "<g class=\"partition\" data-partition=\"3\"></g>");
    free(html);
}

TEST(one_bar_per_span_grouped_under_its_partition) {
    const struct html_input in = input();
    char *html = render(&in);
    ASSERT_EQ(count(html, "<rect class=\"bar "), 5);
    ASSERT_EQ(count(html, "class=\"bar failed\""), 1);
    ASSERT_EQ(count(html, "class=\"bar skipped\""), 1);
    const char *g0 = strstr(html, "data-partition=\"0\""), *g1 = strstr(html, "data-partition=\"1\"");
    ASSERT(g0 && g1 && g0 < g1);
    ASSERT_EQ(count(html, "<title>partition 0,"), 2); /* both of its ops, in its group */
    const char *first = strstr(g0, "<title>partition 0,");
    ASSERT(first && first < g1);
    free(html);
}

TEST(text_is_escaped) {
    const struct html_input in = input();
    char *html = render(&in);
    ASSERT_CONTAINS(html, "text_&lt;length&gt;_filter &amp; co");
    ASSERT_CONTAINS(html, "&lt;see partition_size&gt;");
    ASSERT(strstr(html, "text_<length>") == NULL);
    free(html);
}

TEST(self_contained_no_script_no_external_reference) {
    const struct html_input in = input();
    char *html = render(&in);
    ASSERT(strstr(html, "<script") == NULL);
    ASSERT(strstr(html, "src=") == NULL);
    ASSERT(strstr(html, "href=") == NULL);
    ASSERT(strstr(html, "@import") == NULL);
    ASSERT_EQ(count(html, "http"), 3); /* the three SVG namespaces, nothing fetched */
    ASSERT_CONTAINS(html, "<style>");
    ASSERT_CONTAINS(html, "</html>\n");
    free(html);
}

TEST(shares_throughput_and_findings_are_drawn) {
    const struct html_input in = input();
    char *html = render(&in);
    ASSERT_CONTAINS(html, "75.0% (6.000 s)");
    ASSERT_CONTAINS(html, "25.0% (2.000 s)");
    ASSERT_CONTAINS(html, "30.5 MB/s");
    ASSERT_CONTAINS(html, "<table id=\"findings\">");
    ASSERT_CONTAINS(html, "<td>dominant_op</td>");
    free(html);
}

TEST(no_findings_says_so) {
    struct html_input in = input();
    in.n_findings = 0;
    char *html = render(&in);
    ASSERT_CONTAINS(html, "No bottleneck found.");
    free(html);
}


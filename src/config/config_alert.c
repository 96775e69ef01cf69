/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_alert.c - the monitoring.alerts rule language: a rule name, and for the rules with a
 * threshold `> NUMBER` ("error_rate > 0.05"). The rules are a table; the run's watcher
 * (exec/alerts.c) acts on the parsed form. Depends on config.h only.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const struct {
    const char *name;
    enum cfg_alert_kind kind;
    int has_threshold;
    double lo, hi; /* bounds of the threshold, inclusive */
    const char *why;
} alert_rules[] = {
    {"partition_skipped", CFG_ALERT_PARTITION_SKIPPED, 0, 0, 0, NULL},
    {"error_rate", CFG_ALERT_ERROR_RATE, 1, 0, 1, "error_rate > X needs X from 0 to 1"},
    {"no_progress_s", CFG_ALERT_NO_PROGRESS, 1, 0.1, 1e7,
     "no_progress_s > N needs N seconds from 0.1"},
    {"rss_mb", CFG_ALERT_RSS_MB, 1, 1, 1e9, "rss_mb > Y needs Y megabytes from 1"},
};

int config_alert_parse(const char *text, struct cfg_alert *out, const char **why) {
    char rule[64];
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\t') continue;
        if (n + 1 >= sizeof rule) return *why = "too long", -1;
        rule[n++] = *p;
    }
    rule[n] = '\0';
    const char *gt = strchr(rule, '>');
    const size_t name_len = gt ? (size_t)(gt - rule) : n;
    for (size_t i = 0; i < sizeof alert_rules / sizeof alert_rules[0]; i++) {
        if (strlen(alert_rules[i].name) != name_len || strncmp(rule, alert_rules[i].name, name_len))
            continue;
        memset(out, 0, sizeof *out);
        out->kind = alert_rules[i].kind;
        snprintf(out->rule, sizeof out->rule, "%s", rule);
        if (!alert_rules[i].has_threshold)
            return gt ? (*why = "partition_skipped takes no threshold", -1) : 0;
        char *end = NULL;
        errno = 0;
        const double v = gt ? strtod(gt + 1, &end) : NAN;
        if (!gt || end == gt + 1 || *end || errno || !(v >= alert_rules[i].lo) ||
            !(v <= alert_rules[i].hi))
            return *why = alert_rules[i].why, -1;
        out->threshold = v;
        return 0;
    }
    *why = "not a rule (partition_skipped, error_rate > X, no_progress_s > N, rss_mb > Y)";
    return -1;
}

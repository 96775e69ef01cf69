/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_events.c - `zest events JOBDIR [filters] [--follow] [--json]`: prints a job's events,
 * rotated files included, as one readable line each or as the exact JSON lines; --follow keeps
 * streaming until SIGINT/SIGTERM (then exit 0). Times on the command line are ISO-8601 (naive
 * means UTC) or relative to now ("30s", "10m", "2h", "1d" ago); printed times are UTC. Owns
 * option parsing and formatting; calls only zest.h (zest_get_events, zest_monitor_*).
 */
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum ev_opt_id { OPT_TYPE, OPT_PARTITION, OPT_OP, OPT_SINCE, OPT_UNTIL, OPT_LEVEL, OPT_LIMIT,
                 OPT_FOLLOW, OPT_JSON };

static const struct ev_opt {
    const char *name;
    enum ev_opt_id id;
    bool takes_value;
} ev_opts[] = {
    {"--type", OPT_TYPE, true},       {"--partition", OPT_PARTITION, true},
    {"--op", OPT_OP, true},           {"--since", OPT_SINCE, true},
    {"--until", OPT_UNTIL, true},     {"--level", OPT_LEVEL, true},
    {"--limit", OPT_LIMIT, true},     {"--follow", OPT_FOLLOW, false},
    {"--json", OPT_JSON, false},
};
#define EV_N_OPTS (sizeof ev_opts / sizeof ev_opts[0])

struct ev_args {
    const char *job;
    zest_event_filter f;
    bool follow, json;
};

/* ------------------------------------------------------------------------------ times */

/* "30s", "10m", "2h", "1d", "1.5h": that long before now. */
static bool ev_parse_relative(const char *s, double now, double *out) {
    static const struct { char unit; double seconds; } units[] = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    char *end;
    const double n = strtod(s, &end);
    if (end == s || n < 0 || !isfinite(n) || !end[0] || end[1]) return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (*end != units[i].unit) continue;
        *out = now - n * units[i].seconds;
        return true;
    }
    return false;
}

/* Reads exactly `n` digits. */
static bool ev_digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9') return false;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return true;
}

/* "Z", "+02:00", "-0530" or nothing (UTC): seconds east of UTC. */
static bool ev_parse_zone(const char *p, long *east) {
    int hh, mm;
    *east = 0;
    if (!*p || (p[0] == 'Z' && !p[1])) return true;
    if (*p != '+' && *p != '-') return false;
    const int sign = *p++ == '-' ? -1 : 1;
    if (!ev_digits(&p, 2, &hh)) return false;
    if (*p == ':') p++;
    if (!ev_digits(&p, 2, &mm) || *p || hh > 23 || mm > 59) return false;
    *east = sign * (hh * 3600L + mm * 60L);
    return true;
}

/* YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z|±HH:MM]; naive is UTC. */
static bool ev_parse_iso(const char *s, double *out) {
    struct tm tm = {0};
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    double frac = 0;
    long east;
    if (!ev_digits(&p, 4, &y) || *p++ != '-' || !ev_digits(&p, 2, &mo) || *p++ != '-' ||
        !ev_digits(&p, 2, &d))
        return false;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (!ev_digits(&p, 2, &h) || *p++ != ':' || !ev_digits(&p, 2, &mi)) return false;
        if (*p == ':' && (p++, !ev_digits(&p, 2, &sec))) return false;
        if (*p == '.') {
            char *end;
            frac = strtod(p, &end);
            p = end;
        }
    }
    if (!ev_parse_zone(p, &east) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = (double)timegm(&tm) - (double)east + frac;
    return true;
}

static int ev_parse_time(const char *opt, const char *s, double *out) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    const double t = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    if (ev_parse_relative(s, t, out) || ev_parse_iso(s, out)) return 0;
    cli_error("events: %s: cannot read time '%s' (use e.g. 2026-12-03T17:00:00, "
              "2026-12-03T17:00:00+02:00, or 30s, 10m, 2h, 1d for that long ago)", opt, s);
    return CLI_EXIT_USAGE;
}

/* -------------------------------------------------------------------------- arguments */

static int ev_parse_count(const char *opt, const char *s, bool allow_zero, int64_t *out) {
    char *end;
    const long long v = strtoll(s, &end, 10);
    if (end == s || *end || v < 0 || (v == 0 && !allow_zero)) {
        cli_error("events: %s expects a %s integer, got '%s'", opt,
                  allow_zero ? "non-negative" : "positive", s);
        return CLI_EXIT_USAGE;
    }
    *out = v;
    return 0;
}

static int ev_take(struct ev_args *a, const struct ev_opt *o, const char *v) {
    int64_t n = 0;
    int rc = 0;
    switch (o->id) {
    case OPT_TYPE: a->f.types = v; break;
    case OPT_OP: a->f.op = v; break;
    case OPT_LEVEL: a->f.min_level = v; break;
    case OPT_SINCE: return ev_parse_time(o->name, v, &a->f.since);
    case OPT_UNTIL: return ev_parse_time(o->name, v, &a->f.until);
    case OPT_PARTITION:
        if (!(rc = ev_parse_count(o->name, v, true, &n))) a->f.partition_id = n;
        break;
    case OPT_LIMIT:
        if (!(rc = ev_parse_count(o->name, v, false, &n))) a->f.limit = (size_t)n;
        break;
    case OPT_FOLLOW: a->follow = true; break;
    case OPT_JSON: a->json = true; break;
    }
    return rc;
}

static const struct ev_opt *ev_find_opt(const char *arg, const char **inline_value) {
    for (size_t i = 0; i < EV_N_OPTS; i++) {
        const size_t n = strlen(ev_opts[i].name);
        if (strncmp(arg, ev_opts[i].name, n) != 0) continue;
        if (arg[n] == '\0') return &ev_opts[i];
        if (arg[n] == '=' && ev_opts[i].takes_value) {
            *inline_value = arg + n + 1;
            return &ev_opts[i];
        }
    }
    return NULL;
}

static int ev_parse_args(int argc, char **argv, struct ev_args *a) {
    memset(a, 0, sizeof *a);
    a->f.partition_id = -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = NULL;
        const struct ev_opt *o = arg[0] == '-' && arg[1] ? ev_find_opt(arg, &value) : NULL;
        if (arg[0] == '-' && arg[1] && !o) {
            cli_error("events: unknown option '%s' (see zest events --help)", arg);
            return CLI_EXIT_USAGE;
        }
        if (!o && a->job) {
            cli_error("events: more than one JOBDIR given ('%s' and '%s')", a->job, arg);
            return CLI_EXIT_USAGE;
        }
        if (!o) {
            a->job = arg;
            continue;
        }
        if (o->takes_value && !value && (value = i + 1 < argc ? argv[++i] : NULL) == NULL) {
            cli_error("events: %s expects a value", o->name);
            return CLI_EXIT_USAGE;
        }
        const int rc = ev_take(a, o, value);
        if (rc) return rc;
    }
    if (!a->job) {
        cli_error("events: missing JOBDIR (see zest events --help)");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* ----------------------------------------------------------------------------- output */

/* Text on one line: newlines and other control bytes become spaces. */
static void ev_put_flat(const char *s) {
    for (; *s; s++) putchar((unsigned char)*s < 0x20 ? ' ' : *s);
}

static void ev_print_time(double ts) {
    /* rounded to the millisecond: 1796317200.123 is stored as ...122999... */
    const double total_ms = floor(ts * 1000.0 + 0.5);
    const time_t secs = (time_t)floor(total_ms / 1000.0);
    const int ms = (int)(total_ms - (double)secs * 1000.0);
    struct tm tm;
    char when[32];
    gmtime_r(&secs, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    printf("[%s.%03d] ", when, ms);
}

/* Opens the details' parenthesis, or separates from the previous detail. */
static void ev_detail(bool *open) {
    fputs(*open ? ", " : " (", stdout);
    *open = true;
}

/* `[2026-12-03 17:00:00.123] operation_complete: msg (op=x, partition=3, duration=1.250s)`
 * and, when there is one, ` error: ...`. */
static void ev_print_text(const zest_event *ev) {
    bool open = false;
    ev_print_time(ev->timestamp);
    printf("%s:", ev->event_type);
    if (ev->message) {
        putchar(' ');
        ev_put_flat(ev->message);
    }
    if (ev->operation_name) {
        ev_detail(&open);
        fputs("op=", stdout);
        ev_put_flat(ev->operation_name);
    }
    if (ev->partition_id >= 0) {
        ev_detail(&open);
        printf("partition=%lld", (long long)ev->partition_id);
    }
    if (ev->attempt >= 0) {
        ev_detail(&open);
        printf("attempt=%d", ev->attempt);
    }
    if (!isnan(ev->duration)) {
        ev_detail(&open);
        printf("duration=%.3fs", ev->duration);
    }
    if (ev->rank > 0) { /* another MPI rank than 0 (docs/mpi.md) */
        ev_detail(&open);
        printf("rank=%d", ev->rank);
    }
    if (open) putchar(')');
    if (ev->error_message) {
        fputs(" error: ", stdout);
        ev_put_flat(ev->error_message);
    }
    putchar('\n');
}

static int ev_print(const zest_event *ev, void *user) {
    const struct ev_args *a = user;
    if (a->json) puts(ev->json);
    else ev_print_text(ev);
    return 0;
}

/* ----------------------------------------------------------------------------- follow */

static volatile sig_atomic_t ev_stop;

static void ev_on_signal(int sig) {
    (void)sig;
    ev_stop = 1;
}

static void ev_catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ev_on_signal; /* no SA_RESTART: the wait returns promptly */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int ev_follow(struct ev_args *a, zest_error *err) {
    zest_event_monitor *m = NULL;
    const size_t backlog = a->f.limit ? a->f.limit : SIZE_MAX;
    int rc = zest_monitor_events(a->job, &a->f, backlog, &m, err);
    ev_catch_signals();
    while (rc >= 0 && !ev_stop) {
        zest_event ev;
        rc = zest_monitor_next(m, 0.2, &ev, err);
        if (rc > 0) {
            ev_print(&ev, a);
            fflush(stdout);
        }
    }
    zest_monitor_close(m);
    return rc < 0 ? rc : 0;
}

int cmd_events(int argc, char **argv) {
    struct ev_args a;
    zest_error err;
    size_t skipped = 0;
    int rc = ev_parse_args(argc, argv, &a);
    if (rc) return rc;
    zest_error_clear(&err);
    rc = a.follow ? ev_follow(&a, &err)
                  : zest_get_events(a.job, &a.f, ev_print, &a, &skipped, &err);
    if (rc) {
        cli_error("%s", err.msg);
        return cli_exit_code(rc);
    }
    if (skipped)
        fprintf(stderr, "zest: warning: %zu torn or malformed line%s skipped\n", skipped,
                skipped == 1 ? "" : "s");
    return CLI_EXIT_OK;
}

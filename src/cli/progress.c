/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.c - `zest run`'s live progress on stderr, drawn from the library's on_progress
 * calls. On a terminal one line is redrawn in place (`\r`, clear to end of line) and erased
 * before the summary; colour only there, and not when NO_COLOR is set (no-color.org). Not on
 * a terminal (CI logs, pipes) a plain line goes out every interval (5 s, or
 * ZEST_PROGRESS_INTERVAL seconds) and a last one at the end, none for a shorter run.
 * A mutex keeps the malformed-record warnings, printed from the run's workers, off the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

#define PROGRESS_PLAIN_INTERVAL_S 5.0 /* between plain lines: a CI log stays readable */
#define PROGRESS_TTY_INTERVAL_S 0.2   /* between redraws: live, yet cheap */
#define PROGRESS_TICK_MAX_S 0.5       /* library ticks, so a plain line is not late */
#define PROGRESS_COLS_DEFAULT 80

#define COLOR_BAR "\033[32m"
#define COLOR_BAD "\033[31m"
#define COLOR_OFF "\033[0m"

static double env_interval(void) {
    const char *s = getenv("ZEST_PROGRESS_INTERVAL");
    char *end;
    const double v = s && *s ? strtod(s, &end) : 0;
    return s && *s && !*end && v > 0 ? v : 0;
}

static int terminal_cols(void) {
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return PROGRESS_COLS_DEFAULT;
}

void cli_progress_init(struct cli_progress *p, int enabled) {
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    p->enabled = enabled;
    p->tty = isatty(STDERR_FILENO);
    p->color = p->tty && !(no_color && *no_color) && !(term && !strcmp(term, "dumb"));
    p->cols = p->tty ? terminal_cols() : 0;
    const double env = env_interval();
    p->interval_s = env > 0 ? env : p->tty ? PROGRESS_TTY_INTERVAL_S : PROGRESS_PLAIN_INTERVAL_S;
    p->next_s = p->interval_s;
}

void cli_progress_destroy(struct cli_progress *p) {
    pthread_mutex_destroy(&p->mu);
}

double cli_progress_tick_s(const struct cli_progress *p) {
    return p->tty || p->interval_s < PROGRESS_TICK_MAX_S ? p->interval_s : PROGRESS_TICK_MAX_S;
}

/* 183392 -> "183,392". */
static void fmt_thousands(char *out, size_t n, double v) {
    char digits[32];
    const int len = snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* m:ss or h:mm:ss; "--" when unknown. */
static void fmt_clock(char *out, size_t n, double eta) {
    if (eta < 0) {
        snprintf(out, n, "--");
        return;
    }
    const long long s = (long long)(eta + 0.5);
    if (s >= 3600)
        snprintf(out, n, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, n, "%lld:%02lld", s / 60, s % 60);
}

static int64_t finished(const zest_progress *pr) {
    return pr->partitions_done + pr->partitions_skipped + pr->partitions_failed;
}

/* The bar: `width` cells, filled by the partitions finished. */
static void fmt_bar(char *out, size_t n, const zest_progress *pr, int width, int color) {
    const int64_t total = pr->partitions_total > 0 ? pr->partitions_total : 1;
    int fill = (int)(finished(pr) * width / total);
    fill = fill > width ? width : fill;
    char cells[64];
    memset(cells, '=', (size_t)fill);
    memset(cells + fill, ' ', (size_t)(width - fill));
    if (fill > 0 && fill < width) cells[fill - 1] = '>'; /* the head, until the bar is full */
    cells[width] = '\0';
    snprintf(out, n, "[%s%.*s%s%s] ", color ? COLOR_BAR : "", fill, cells, color ? COLOR_OFF : "",
             cells + fill);
}

/* "  retries R  skipped S[  failed F]", red when a partition was lost; nothing when `terse`
 * and all are 0. */
static void fmt_counts(char *out, size_t n, const zest_progress *pr, int color, int terse) {
    const int red = color && (pr->partitions_skipped || pr->partitions_failed);
    char failed[40] = "";
    *out = '\0';
    if (terse && !pr->retries && !pr->partitions_skipped && !pr->partitions_failed) return;
    if (pr->partitions_failed)
        snprintf(failed, sizeof failed, "  failed %lld", (long long)pr->partitions_failed);
    snprintf(out, n, "  retries %lld  %sskipped %lld%s%s", (long long)pr->retries,
             red ? COLOR_BAD : "", (long long)pr->partitions_skipped, failed, red ? COLOR_OFF : "");
}

/* The terminal line, with a bar of `width` cells (0: none). */
static void fmt_tty_line(char *out, size_t n, const zest_progress *pr, int width, int color,
                         int terse) {
    char bar[160] = "", rows[40], eta[32], counts[128];
    if (width) fmt_bar(bar, sizeof bar, pr, width, color);
    fmt_thousands(rows, sizeof rows, pr->rows_per_s);
    fmt_clock(eta, sizeof eta, pr->eta_s);
    fmt_counts(counts, sizeof counts, pr, color, terse);
    snprintf(out, n, "%s%lld/%lld partitions  %s rows/s  %.1f MB/s  ETA %s%s", bar,
             (long long)finished(pr), (long long)pr->partitions_total, rows, pr->mb_per_s, eta,
             counts);
}

/* Characters a terminal shows: colour sequences take no room. */
static size_t visible_len(const char *s) {
    size_t n = 0;
    for (; *s; s++) {
        if (*s == '\033')
            while (*s && *s != 'm')
                s++;
        else
            n++;
        if (!*s) break;
    }
    return n;
}

/* The line fitted to the terminal: a shorter bar, zero counts left out, no bar, then cut
 * (plain) text, so it never wraps (a wrapped line cannot be redrawn in place). */
static void draw_tty(struct cli_progress *p, const zest_progress *pr) {
    static const int fits[][2] = {{30, 0}, {20, 0}, {10, 0}, {10, 1}, {0, 1}}; /* bar, terse */
    const size_t n_fits = sizeof fits / sizeof fits[0];
    char line[512];
    const size_t room = p->cols > 1 ? (size_t)p->cols - 1 : 1;
    size_t i = 0;
    for (; i < n_fits; i++) {
        fmt_tty_line(line, sizeof line, pr, fits[i][0], p->color, fits[i][1]);
        if (visible_len(line) <= room) break;
    }
    if (i == n_fits) {
        fmt_tty_line(line, sizeof line, pr, 0, 0, 1);
        if (room < sizeof line) line[room] = '\0';
    }
    fprintf(stderr, "\r%s\033[K", line);
    p->drawn = 1;
}

static void print_plain(struct cli_progress *p, const zest_progress *pr) {
    char eta[32] = "unknown", failed[48] = "";
    if (pr->eta_s >= 0) snprintf(eta, sizeof eta, "%.0f s", pr->eta_s);
    if (pr->partitions_failed)
        snprintf(failed, sizeof failed, ", failed %lld", (long long)pr->partitions_failed);
    fprintf(stderr,
            "progress: %lld/%lld partitions, %lld rows read, %.0f rows/s, %.1f MB/s, ETA %s, "
            "retries %lld, skipped %lld%s\n",
            (long long)finished(pr), (long long)pr->partitions_total, (long long)pr->rows_read,
            pr->rows_per_s, pr->mb_per_s, eta, (long long)pr->retries,
            (long long)pr->partitions_skipped, failed);
    p->printed = 1;
}

/* Clears the terminal line, if one is drawn (the caller holds the mutex). */
static void erase(struct cli_progress *p) {
    if (!p->drawn) return;
    fputs("\r\033[K", stderr);
    p->drawn = 0;
}

void cli_progress_update(struct cli_progress *p, const zest_progress *pr) {
    if (!p->enabled) return;
    pthread_mutex_lock(&p->mu);
    if (p->tty && pr->final)
        erase(p); /* the summary follows */
    else if (p->tty)
        draw_tty(p, pr);
    else if (pr->final ? p->printed : pr->elapsed_s >= p->next_s) {
        print_plain(p, pr);
        while (p->next_s <= pr->elapsed_s)
            p->next_s += p->interval_s;
    }
    fflush(stderr);
    pthread_mutex_unlock(&p->mu);
}

void cli_progress_lock(struct cli_progress *p) {
    pthread_mutex_lock(&p->mu);
    erase(p);
}

void cli_progress_unlock(struct cli_progress *p) {
    pthread_mutex_unlock(&p->mu);
}

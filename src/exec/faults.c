/* SPDX-License-Identifier: Apache-2.0 */
/* faults.c - ZEST_FAULTS parsing and application (see faults.h). */
#include "faults.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/err.h"

static int fault_bad(zest_error *err, const char *entry, size_t len, const char *why) {
    return err_set(err, ZEST_E_USAGE, "ZEST_FAULTS: '%.*s': %s (expected OP@PARTITION:ACTION, "
                   "ACTION one of fail=N, fail=always (each optionally ,after=K), crash, delay=SECONDS)", (int)len, entry, why);
}

static int fault_action(struct fault *f, const char *a, size_t n) {
    char buf[64], *end;
    if (n >= sizeof buf) return -1;
    memcpy(buf, a, n);
    buf[n] = '\0';
    atomic_init(&f->pass, 0);
    char *after = strstr(buf, ",after=");
    if (after) {
        errno = 0;
        const long long k = strtoll(after + 7, &end, 10);
        if (errno || *end || end == after + 7 || k < 0 || strncmp(buf, "fail=", 5) != 0) return -1;
        atomic_init(&f->pass, k);
        *after = '\0';
    }
    if (strcmp(buf, "crash") == 0) {
        f->action = FAULT_CRASH;
    } else if (strcmp(buf, "fail=always") == 0) {
        f->action = FAULT_FAIL;
        atomic_init(&f->remaining, -1);
    } else if (strncmp(buf, "fail=", 5) == 0) {
        errno = 0;
        const long long v = strtoll(buf + 5, &end, 10);
        if (errno || *end || end == buf + 5 || v < 1) return -1;
        f->action = FAULT_FAIL;
        atomic_init(&f->remaining, v);
    } else if (strncmp(buf, "delay=", 6) == 0) {
        errno = 0;
        f->delay_s = strtod(buf + 6, &end);
        if (errno || *end || end == buf + 6 || !(f->delay_s >= 0)) return -1;
        f->action = FAULT_DELAY;
    } else {
        return -1;
    }
    return 0;
}

static int fault_entry(struct fault *f, const char *e, size_t n, zest_error *err) {
    const char *at = memchr(e, '@', n), *colon = at ? memchr(at, ':', n - (size_t)(at - e)) : NULL;
    if (!at || !colon) return fault_bad(err, e, n, "missing '@' or ':'");
    const size_t op_len = (size_t)(at - e);
    if (!op_len || op_len >= sizeof f->op) return fault_bad(err, e, n, "bad operator name");
    memcpy(f->op, e, op_len);
    f->op[op_len] = '\0';
    const char *p = at + 1;
    if (colon - p == 1 && *p == '*') {
        f->partition = -1;
    } else {
        char *end;
        errno = 0;
        f->partition = strtoll(p, &end, 10);
        if (errno || end != colon || end == p || f->partition < 0)
            return fault_bad(err, e, n, "bad partition");
    }
    if (fault_action(f, colon + 1, n - (size_t)(colon + 1 - e)) != 0)
        return fault_bad(err, e, n, "bad action");
    return 0;
}

int faults_parse(const char *spec, struct faults *out, zest_error *err) {
    memset(out, 0, sizeof *out);
    for (const char *p = spec; p && *p;) {
        const char *semi = strchr(p, ';');
        const size_t n = semi ? (size_t)(semi - p) : strlen(p);
        if (n) {
            if (out->n == FAULTS_MAX) return fault_bad(err, p, n, "too many entries");
            ZEST_TRY(fault_entry(&out->f[out->n], p, n, err));
            out->n++;
        }
        p += n + (semi != NULL);
    }
    return 0;
}

static void fault_sleep(double s) {
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* One failure is due when `remaining` is -1 (always) or can be taken down by one. */
static int fault_take(struct fault *f) {
    int64_t pass = atomic_load(&f->pass);
    while (pass > 0)
        if (atomic_compare_exchange_weak(&f->pass, &pass, pass - 1)) return 0;
    int64_t left = atomic_load(&f->remaining);
    while (left != 0) {
        if (left < 0) return 1;
        if (atomic_compare_exchange_weak(&f->remaining, &left, left - 1)) return 1;
    }
    return 0;
}

int faults_before_op(struct faults *fs, const char *op, int64_t partition, zest_error *err) {
    for (size_t i = 0; fs && i < fs->n; i++) {
        struct fault *f = &fs->f[i];
        if (strcmp(f->op, op) != 0 || (f->partition >= 0 && f->partition != partition)) continue;
        if (f->action == FAULT_DELAY) fault_sleep(f->delay_s);
        if (f->action == FAULT_CRASH) raise(SIGKILL); /* a test asked for exactly this */
        if (f->action == FAULT_FAIL && fault_take(f))
            return err_set(err, ZEST_E_FAULT, "partition %lld: op %s: injected fault (ZEST_FAULTS)",
                           (long long)partition, op);
    }
    return 0;
}

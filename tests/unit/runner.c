/* SPDX-License-Identifier: Apache-2.0 */
/* runner.c - runs each registered test in its own process with a timeout; prints TAP. */
#include "runner.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TESTS 1024

static struct {
    const char *name;
    test_fn fn;
} tests[MAX_TESTS];
static size_t n_tests;
static char tmpdir[4096];

void test_register(const char *name, test_fn fn) {
    if (n_tests < MAX_TESTS) {
        tests[n_tests].name = name;
        tests[n_tests].fn = fn;
        n_tests++;
    }
}

const char *test_tmpdir(void) { return tmpdir; }

char *test_write_file(const char *dir, const char *name, const void *data, size_t len) {
    const size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path) TEST_FAIL("out of memory");
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        TEST_FAIL("cannot write %s: %s", path, strerror(errno));
    return path;
}

char *test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) TEST_FAIL("cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    size_t got;
    while (data && (got = fread(data + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) data = realloc(data, cap *= 2);
    }
    fclose(f);
    if (!data) TEST_FAIL("out of memory");
    data[n] = '\0';
    if (len) *len = n;
    return data;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int run_one(size_t i, size_t num, unsigned timeout) {
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/zest-test-XXXXXX", base);
    if (!mkdtemp(tmpdir)) {
        printf("not ok %zu - %s # cannot make temp dir\n", num, tests[i].name);
        return 1;
    }
    fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        alarm(timeout);
        tests[i].fn();
        exit(0); /* not _exit: LeakSanitizer runs at exit */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    const int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok) {
        nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        printf("ok %zu - %s\n", num, tests[i].name);
    } else if (WIFSIGNALED(status)) {
        printf("not ok %zu - %s # signal %d%s (files kept in %s)\n", num, tests[i].name,
               WTERMSIG(status), WTERMSIG(status) == SIGALRM ? " (timeout)" : "", tmpdir);
    } else {
        printf("not ok %zu - %s # exit %d (files kept in %s)\n", num, tests[i].name,
               WEXITSTATUS(status), tmpdir);
    }
    return !ok;
}

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : NULL;
    const char *t = getenv("ZEST_TEST_TIMEOUT");
    const unsigned timeout = t ? (unsigned)strtoul(t, NULL, 10) : 120;
    size_t failed = 0, planned = 0;
    for (size_t i = 0; i < n_tests; i++)
        planned += !only || strstr(tests[i].name, only);
    printf("1..%zu\n", planned);
    size_t num = 0;
    for (size_t i = 0; i < n_tests; i++)
        if (!only || strstr(tests[i].name, only)) failed += (size_t)run_one(i, ++num, timeout);
    return failed ? 1 : 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_faults.c - the ZEST_FAULTS grammar and what each action does. */
#include "../../src/exec/faults.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"

TEST(faults_parse_every_action_and_partition_form) {
    struct faults fs;
    zest_error err;
    ASSERT_EQ(faults_parse("a@*:fail=2;b@3:fail=always;c@0:crash;d@*:delay=0.01;", &fs, &err), 0);
    ASSERT_EQ(fs.n, 4);
    ASSERT_STR_EQ(fs.f[0].op, "a");
    ASSERT_EQ(fs.f[0].partition, -1);
    ASSERT_EQ(fs.f[0].action, FAULT_FAIL);
    ASSERT_EQ(atomic_load(&fs.f[0].remaining), 2);
    ASSERT_EQ(fs.f[1].partition, 3);
    ASSERT_EQ(atomic_load(&fs.f[1].remaining), -1);
    ASSERT_EQ(fs.f[2].action, FAULT_CRASH);
    ASSERT_EQ(fs.f[3].action, FAULT_DELAY);
    ASSERT_DBL_EQ(fs.f[3].delay_s, 0.01);
    ASSERT_EQ(faults_parse(NULL, &fs, &err), 0);
    ASSERT_EQ(fs.n, 0);
}

TEST(faults_parse_rejects_malformed_entries_naming_them) {
    static const char *const bad[] = {"x", "a@1", "a@:fail=1", "@1:crash", "a@-1:crash",
                                      "a@1:fail=0", "a@1:fail=x", "a@1:explode", "a@1:delay=-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct faults fs;
        zest_error err;
        zest_error_clear(&err);
        if (faults_parse(bad[i], &fs, &err) != ZEST_E_USAGE) TEST_FAIL("accepted '%s'", bad[i]);
        ASSERT_CONTAINS(err.msg, bad[i]);
    }
}

TEST(fail_n_fails_n_times_on_matching_op_and_partition_only) {
    struct faults fs;
    zest_error err;
    ASSERT_EQ(faults_parse("f@2:fail=2", &fs, &err), 0);
    ASSERT_EQ(faults_before_op(&fs, "f", 1, &err), 0);
    ASSERT_EQ(faults_before_op(&fs, "g", 2, &err), 0);
    ASSERT_EQ(faults_before_op(&fs, "f", 2, &err), ZEST_E_FAULT);
    ASSERT_CONTAINS(err.msg, "partition 2: op f: injected fault");
    ASSERT_EQ(faults_before_op(&fs, "f", 2, &err), ZEST_E_FAULT);
    ASSERT_EQ(faults_before_op(&fs, "f", 2, &err), 0);
    ASSERT_EQ(faults_parse("f@*:fail=always", &fs, &err), 0);
    for (int i = 0; i < 5; i++) ASSERT_EQ(faults_before_op(&fs, "f", i, &err), ZEST_E_FAULT);
}

TEST(crash_kills_the_process) {
    const pid_t pid = fork();
    if (pid == 0) {
        struct faults fs;
        zest_error err;
        if (faults_parse("f@*:crash", &fs, &err) == 0) faults_before_op(&fs, "f", 0, &err);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST(fail_after_k_lets_k_checks_pass_first) {
    struct faults fs;
    zest_error err;
    ASSERT_EQ(faults_parse("f@*:fail=2,after=3", &fs, &err), 0);
    for (int i = 0; i < 3; i++) ASSERT_EQ(faults_before_op(&fs, "f", 0, &err), 0);
    ASSERT_EQ(faults_before_op(&fs, "f", 0, &err), ZEST_E_FAULT);
    ASSERT_EQ(faults_before_op(&fs, "f", 0, &err), ZEST_E_FAULT);
    ASSERT_EQ(faults_before_op(&fs, "f", 0, &err), 0);
    ASSERT_EQ(faults_parse("f@*:crash,after=3", &fs, &err), ZEST_E_USAGE);
    ASSERT_EQ(faults_parse("f@*:fail=1,after=x", &fs, &err), ZEST_E_USAGE);
}

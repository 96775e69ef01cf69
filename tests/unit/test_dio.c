/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dio.c - the direct-I/O appender writes exactly the bytes it was given, for every size
 * around its block and buffer boundaries, with direct I/O (on a disk file system) and with the
 * buffered mode a file system that refuses direct I/O leaves.
 */
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "../../src/common/dio.h"
#include "runner.h"

static void fill(unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 9));
}

/* Appends n bytes in pieces of `piece` bytes to dir/f and checks the file. Returns whether
 * direct I/O was on at the end. */
static int write_and_check(const char *dir, size_t n, size_t piece, int buffered) {
    char path[4200];
    snprintf(path, sizeof path, "%s/f-%zu-%zu", dir, n, piece);
    unsigned char *data = malloc(n ? n : 1);
    ASSERT(data != NULL);
    fill(data, n, (unsigned)n);
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT(fd >= 0);
    struct dio d;
    zest_error err;
    ASSERT_EQ(dio_open(&d, fd, path, 1, &err), 0);
    if (buffered) { /* what a file system that refuses O_DIRECT leaves us with */
        ASSERT_EQ(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT), 0);
        d.direct = 0;
    }
    for (size_t off = 0; off < n; off += piece)
        ASSERT_EQ(dio_write(&d, data + off, n - off < piece ? n - off : piece, &err), 0);
    ASSERT_EQ(dio_finish(&d, &err), 0);
    const int direct = d.direct;
    dio_free(&d);
    ASSERT_EQ(close(fd), 0);
    size_t got_len;
    char *got = test_read_file(path, &got_len);
    ASSERT_MEM_EQ(got, got_len, data, n);
    free(got);
    free(data);
    unlink(path);
    return direct;
}

static const size_t sizes[] = {0, 1, 4095, 4096, 4097, DIO_BUF - 1, DIO_BUF, DIO_BUF + 1,
                               3 * DIO_BUF + 12345};

TEST(every_size_is_written_exactly_on_disk) {
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        write_and_check(test_tmpdir(), sizes[i], 1 << 20, 0);
        write_and_check(test_tmpdir(), sizes[i], 1000, 0);
    }
}

TEST(buffered_mode_writes_the_same_bytes) {
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        ASSERT_EQ(write_and_check(test_tmpdir(), sizes[i], 65536, 1), 0);
}

/* ext4, xfs and btrfs take O_DIRECT; there the appender must use it. */
TEST(direct_io_is_used_on_ext4_xfs_btrfs) {
    struct statfs fs;
    ASSERT_EQ(statfs(test_tmpdir(), &fs), 0);
    const long t = (long)fs.f_type;
    if (t != 0xEF53 && t != 0x58465342 && t != (long)0x9123683E) {
        printf("# skipped: the test directory is on another file system\n");
        return;
    }
    ASSERT_EQ(write_and_check(test_tmpdir(), DIO_BUF + 1, 1 << 20, 0), 1);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* fingerprint.c - cheap, change-sensitive fingerprint of the input files. */
#include "fingerprint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/err.h"
#include "../common/hash.h"

#define FP_SAMPLE ((size_t)64 << 10)

static int fp_sample(int fd, off_t at, size_t n, uint64_t *h, const char *path, zest_error *err) {
    static _Thread_local unsigned char block[FP_SAMPLE];
    size_t got = 0;
    while (got < n) {
        const ssize_t r = pread(fd, block + got, n - got, at + (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return err_set_at(err, ZEST_E_IO, path, 0, -1, "read: %s", strerror(errno));
        if (r == 0) break;
        got += (size_t)r;
    }
    *h = hash_bytes(*h, block, got);
    return 0;
}

static int fp_file(const char *path, uint64_t *h, uint64_t *size, zest_error *err) {
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return err_set_at(err, ZEST_E_IO, path, 0, -1, "open: %s", strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = err_set_at(err, ZEST_E_IO, path, 0, -1, "fstat: %s", strerror(errno));
        goto out;
    }
    const uint64_t meta[3] = {(uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec,
                              (uint64_t)st.st_mtim.tv_nsec};
    *h = hash_bytes(*h, path, strlen(path));
    *h = hash_bytes(*h, meta, sizeof meta);
    *size = (uint64_t)st.st_size;
    const size_t head = *size < FP_SAMPLE ? (size_t)*size : FP_SAMPLE;
    if ((rc = fp_sample(fd, 0, head, h, path, err)) != 0) goto out;
    if (*size > 2 * FP_SAMPLE)
        rc = fp_sample(fd, (off_t)(*size - FP_SAMPLE), FP_SAMPLE, h, path, err);
out:
    close(fd);
    return rc;
}

int fingerprint_compute(const struct source_list *files, struct fingerprint *out,
                        zest_error *err) {
    uint64_t h = HASH_SEED;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < files->count; i++) {
        uint64_t size = 0;
        ZEST_TRY(fp_file(files->files[i].path, &h, &size, err));
        out->bytes += size;
    }
    out->files = files->count;
    out->hash = hash_finish(h);
    snprintf(out->hex, sizeof out->hex, "%016llx", (unsigned long long)out->hash);
    return 0;
}

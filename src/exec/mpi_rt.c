/* SPDX-License-Identifier: Apache-2.0 */
/* mpi_rt.c - MPI behind a small polled interface, or one rank without it (see mpi_rt.h). */
#include "mpi_rt.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/err.h"

#ifdef ZEST_HAVE_MPI
#include <limits.h>
#include <mpi.h>
#endif

/* Idle rounds that only yield the core before the first sleep. */
#define MPIRT_SPINS 32u

/* Transfers larger than this are polled without sleeping (see mpirt_wait). */
#define MPIRT_BUSY_BYTES ((size_t)64 << 10)

/* Messages larger than this go in several pieces (MPI counts are int). */
#define MPIRT_PIECE ((size_t)1 << 30)

static struct {
    pthread_mutex_t mu;
    bool inited, agreed;
    int rank, size;
    char host[256];
} rt = {.mu = PTHREAD_MUTEX_INITIALIZER, .size = 1};

static void mpirt_set_host(void) {
    if (gethostname(rt.host, sizeof rt.host - 1) != 0 || !rt.host[0])
        snprintf(rt.host, sizeof rt.host, "unknown");
}

void mpirt_idle(unsigned i) {
    if (i < MPIRT_SPINS) { /* a message in flight lands within microseconds: look again soon */
        sched_yield();
        return;
    }
    const long ns = i < 16 + MPIRT_SPINS ? 20000L : i < 64 + MPIRT_SPINS ? 100000L : 1000000L;
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

int mpirt_rank(void) { return rt.rank; }
int mpirt_size(void) { return rt.size; }
bool mpirt_distributed(void) { return rt.size > 1; }
const char *mpirt_host(void) {
    if (!rt.host[0]) mpirt_set_host();
    return rt.host;
}

#ifdef ZEST_HAVE_MPI

/* Launched by an MPI launcher: Open MPI's mpirun, or a PMI/PMIx one such as Slurm's srun. */
static bool mpirt_launched(void) {
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE",
                                       "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i])) return true;
    return false;
}

static int mpirt_fail(zest_error *err, int code, const char *what) {
    char msg[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(code, msg, &len);
    return err_set(err, ZEST_E_IO, "MPI %s (rank %d of %d): %s", what, rt.rank, rt.size, msg);
}

static void mpirt_atexit(void) {
    int fin = 0;
    MPI_Finalized(&fin);
    if (rt.agreed && !fin) MPI_Finalize();
}

int mpirt_init(zest_error *err) {
    mpirt_set_host();
    if (rt.inited || !mpirt_launched()) return 0;
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
    if (rc != MPI_SUCCESS) return err_set(err, ZEST_E_IO, "MPI_Init_thread failed (%d)", rc);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rt.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &rt.size);
    rt.inited = true;
    rt.agreed = rt.size == 1; /* one rank agrees with itself: it finalizes at exit */
    atexit(mpirt_atexit);
    if (provided < MPI_THREAD_SERIALIZED)
        return err_set(err, ZEST_E_IO, "this MPI library does not allow threads "
                                       "(MPI_THREAD_SERIALIZED)");
    return 0;
}

void mpirt_agreed(void) { rt.agreed = true; }

/* Polls a request to completion, one MPI call at a time under the mutex. A large transfer
 * (`busy`) moves in fragments that each side must push on: it is polled without sleeping,
 * only yielding the core, for as long as it lasts. */
static int mpirt_wait(MPI_Request *req, bool busy, const char *what, zest_error *err) {
    for (unsigned i = 0;; i++) {
        int done = 0;
        pthread_mutex_lock(&rt.mu);
        const int rc = MPI_Test(req, &done, MPI_STATUS_IGNORE);
        pthread_mutex_unlock(&rt.mu);
        if (rc != MPI_SUCCESS) return mpirt_fail(err, rc, what);
        if (done) return 0;
        if (busy) sched_yield();
        else mpirt_idle(i);
    }
}

int mpirt_bcast(void *buf, size_t n, int root, zest_error *err) {
    if (!rt.inited) return 0;
    MPI_Request req;
    pthread_mutex_lock(&rt.mu);
    const int rc = MPI_Ibcast(buf, (int)n, MPI_BYTE, root, MPI_COMM_WORLD, &req);
    pthread_mutex_unlock(&rt.mu);
    return rc != MPI_SUCCESS ? mpirt_fail(err, rc, "broadcast") : mpirt_wait(&req, false, "broadcast", err);
}

int mpirt_allgather(const void *mine, void *all, size_t n, zest_error *err) {
    if (!rt.inited) {
        memcpy(all, mine, n);
        return 0;
    }
    MPI_Request req;
    pthread_mutex_lock(&rt.mu);
    const int rc = MPI_Iallgather(mine, (int)n, MPI_BYTE, all, (int)n, MPI_BYTE, MPI_COMM_WORLD,
                                  &req);
    pthread_mutex_unlock(&rt.mu);
    return rc != MPI_SUCCESS ? mpirt_fail(err, rc, "allgather") : mpirt_wait(&req, false, "allgather", err);
}

int mpirt_reduce_sum(double *v, size_t n, zest_error *err) {
    if (!rt.inited || !n) return 0;
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return err_set(err, ZEST_E_NOMEM, "out of memory");
    MPI_Request req;
    pthread_mutex_lock(&rt.mu);
    int rc = MPI_Ireduce(v, tmp, (int)n, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD, &req);
    pthread_mutex_unlock(&rt.mu);
    rc = rc != MPI_SUCCESS ? mpirt_fail(err, rc, "reduce") : mpirt_wait(&req, false, "reduce", err);
    if (rc == 0 && rt.rank == 0) memcpy(v, tmp, n * sizeof *tmp);
    free(tmp);
    return rc;
}

int mpirt_send(int dest, int tag, const void *buf, size_t n, zest_error *err) {
    const char *p = buf;
    do {
        const size_t piece = n < MPIRT_PIECE ? n : MPIRT_PIECE;
        MPI_Request req;
        pthread_mutex_lock(&rt.mu);
        const int rc = MPI_Isend(p, (int)piece, MPI_BYTE, dest, tag, MPI_COMM_WORLD, &req);
        pthread_mutex_unlock(&rt.mu);
        if (rc != MPI_SUCCESS) return mpirt_fail(err, rc, "send");
        ZEST_TRY(mpirt_wait(&req, piece > MPIRT_BUSY_BYTES, "send", err));
        p += piece;
        n -= piece;
    } while (n > 0);
    return 0;
}

int mpirt_probe(int src, int tag, int *src_out, int *tag_out, size_t *n, zest_error *err) {
    int flag = 0, count = 0;
    MPI_Status st;
    pthread_mutex_lock(&rt.mu);
    int rc = MPI_Iprobe(src < 0 ? MPI_ANY_SOURCE : src, tag < 0 ? MPI_ANY_TAG : tag,
                        MPI_COMM_WORLD, &flag, &st);
    if (rc == MPI_SUCCESS && flag) rc = MPI_Get_count(&st, MPI_BYTE, &count);
    pthread_mutex_unlock(&rt.mu);
    if (rc != MPI_SUCCESS) return mpirt_fail(err, rc, "probe");
    if (!flag) return 0;
    if (src_out) *src_out = st.MPI_SOURCE;
    if (tag_out) *tag_out = st.MPI_TAG;
    if (n) *n = (size_t)count;
    return 1;
}

int mpirt_recv(int src, int tag, void *buf, size_t n, zest_error *err) {
    char *p = buf;
    do {
        const size_t piece = n < MPIRT_PIECE ? n : MPIRT_PIECE;
        MPI_Request req;
        pthread_mutex_lock(&rt.mu);
        const int rc = MPI_Irecv(p, (int)piece, MPI_BYTE, src, tag, MPI_COMM_WORLD, &req);
        pthread_mutex_unlock(&rt.mu);
        if (rc != MPI_SUCCESS) return mpirt_fail(err, rc, "receive");
        ZEST_TRY(mpirt_wait(&req, piece > MPIRT_BUSY_BYTES, "receive", err));
        p += piece;
        n -= piece;
    } while (n > 0);
    return 0;
}

#else /* one rank: MPI is not compiled in */

int mpirt_init(zest_error *err) {
    (void)err;
    mpirt_set_host();
    return 0;
}

void mpirt_agreed(void) { rt.agreed = true; }

int mpirt_bcast(void *buf, size_t n, int root, zest_error *err) {
    (void)buf, (void)n, (void)root, (void)err;
    return 0;
}

int mpirt_allgather(const void *mine, void *all, size_t n, zest_error *err) {
    (void)err;
    memcpy(all, mine, n);
    return 0;
}

int mpirt_reduce_sum(double *v, size_t n, zest_error *err) {
    (void)v, (void)n, (void)err;
    return 0;
}

int mpirt_send(int dest, int tag, const void *buf, size_t n, zest_error *err) {
    (void)tag, (void)buf, (void)n;
    return err_set(err, ZEST_E_INTERNAL, "no rank %d: MPI is not compiled in", dest);
}

int mpirt_probe(int src, int tag, int *src_out, int *tag_out, size_t *n, zest_error *err) {
    (void)src, (void)tag, (void)src_out, (void)tag_out, (void)n, (void)err;
    return 0;
}

int mpirt_recv(int src, int tag, void *buf, size_t n, zest_error *err) {
    (void)tag, (void)buf, (void)n;
    return err_set(err, ZEST_E_INTERNAL, "no rank %d: MPI is not compiled in", src);
}

#endif

int mpirt_recv_wait(int src, int tag, void *buf, size_t cap, size_t *n, zest_error *err) {
    int got_src = src, got_tag = tag;
    size_t len = 0;
    for (unsigned i = 0;; i++) {
        const int rc = mpirt_probe(src, tag, &got_src, &got_tag, &len, err);
        if (rc < 0) return rc;
        if (rc == 1) break;
        if (!mpirt_distributed()) return err_set(err, ZEST_E_INTERNAL, "no message can come");
        mpirt_idle(i);
    }
    if (len > cap)
        return err_set(err, ZEST_E_FORMAT, "rank %d: a %zu-byte message where at most %zu fit",
                       got_src, len, cap);
    if (n) *n = len;
    return mpirt_recv(got_src, got_tag, buf, len, err);
}

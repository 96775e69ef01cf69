/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ckpt.c - the checkpoint store: names, the streaming checksum, op-prefix hashes, the store's
 * directories, checkpoint writers (a sink plus a running checksum), the commit into the
 * manifest, verification and lookup for resume, cleanup and removal. Owns the store and writer
 * objects; the manifest text lives in manifest.c. Calls common/ (err, hash, fsutil), io/sink
 * (checkpoint bytes, committed atomically), io/source (streamed, decompressed re-reading for
 * verification) and the ops/op.h parameter types; never the executor, never events.
 */
#include "ckpt.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/err.h"
#include "../common/fsutil.h"
#include "../common/hash.h"
#include "../io/parquet_lines.h"
#include "../io/sink.h"
#include "../io/source.h"

#define CKPT_PATH_MAX 4096
#define CKPT_MANIFEST_DIR "manifest"

/* ---- names ---------------------------------------------------------------------------- */

static const char *const ckpt_exts[] = {
    [CKPT_JSONL] = "jsonl",
    [CKPT_JSONL_GZ] = "jsonl.gz",
    [CKPT_JSONL_ZST] = "jsonl.zst",
    [CKPT_PARQUET_SNAPPY] = "parquet",
    [CKPT_PARQUET_ZSTD] = "parquet",
    [CKPT_PARQUET_GZIP] = "parquet",
    [CKPT_PARQUET_NONE] = "parquet",
    [CKPT_ARROW_LZ4] = "arrow",
    [CKPT_ARROW_ZSTD] = "arrow",
    [CKPT_ARROW_NONE] = "arrow",
};

const char *ckpt_format_ext(enum ckpt_format f) {
    return (unsigned)f < sizeof ckpt_exts / sizeof *ckpt_exts ? ckpt_exts[f] : "jsonl";
}

int ckpt_format_from_config(const char *storage_format, const char *compression,
                            enum ckpt_format *out, zest_error *err) {
    if (storage_format && strcmp(storage_format, "parquet") == 0) {
        const char *pc = compression ? compression : "snappy";
        if (strcmp(pc, "snappy") == 0) return *out = CKPT_PARQUET_SNAPPY, 0;
        if (strcmp(pc, "zstd") == 0) return *out = CKPT_PARQUET_ZSTD, 0;
        if (strcmp(pc, "gzip") == 0) return *out = CKPT_PARQUET_GZIP, 0;
        if (strcmp(pc, "none") == 0) return *out = CKPT_PARQUET_NONE, 0;
    }
    if (storage_format && strcmp(storage_format, "arrow") == 0) {
        const char *ac = compression ? compression : "snappy";
        if (strcmp(ac, "snappy") == 0) return *out = CKPT_ARROW_LZ4, 0;
        if (strcmp(ac, "zstd") == 0) return *out = CKPT_ARROW_ZSTD, 0;
        if (strcmp(ac, "none") == 0) return *out = CKPT_ARROW_NONE, 0;
    }
    const char *c = compression ? compression : "none";
    if (storage_format && strcmp(storage_format, "jsonl") == 0) {
        if (strcmp(c, "none") == 0) return *out = CKPT_JSONL, 0;
        if (strcmp(c, "gzip") == 0) return *out = CKPT_JSONL_GZ, 0;
        if (strcmp(c, "zstd") == 0) return *out = CKPT_JSONL_ZST, 0;
    }
    return err_set(err, ZEST_E_UNSUPPORTED,
                   "checkpoint storage_format '%s' with compression '%s' is not supported yet "
                   "(jsonl with none, gzip or zstd is, parquet with snappy, zstd, gzip or none, "
                   "and arrow with snappy (as lz4), zstd or none)",
                   storage_format ? storage_format : "(null)", c);
}

static int ckpt_fits(int n, size_t cap, zest_error *err) {
    if (n < 0 || (size_t)n >= cap)
        return err_set(err, ZEST_E_LIMIT, "checkpoint name longer than %zu bytes", cap);
    return 0;
}

int ckpt_file_name(int op_index, int partition, enum ckpt_format f, char *out, size_t cap,
                   zest_error *err) {
    if (op_index < 0 || partition < 0)
        return err_set(err, ZEST_E_PARAM, "negative op index %d or partition %d", op_index,
                       partition);
    return ckpt_fits(snprintf(out, cap, "checkpoint_op_%04d_partition_%04d.%s", op_index, partition,
                              ckpt_format_ext(f)),
                     cap, err);
}

int ckpt_manifest_name(int partition, char *out, size_t cap, zest_error *err) {
    if (partition < 0) return err_set(err, ZEST_E_PARAM, "negative partition %d", partition);
    return ckpt_fits(snprintf(out, cap, "partition_%04d.json", partition), cap, err);
}

/* ---- checksum ------------------------------------------------------------------------- */

void ckpt_hasher_init(struct ckpt_hasher *hs) {
    memset(hs, 0, sizeof *hs);
    hs->h = HASH_SEED;
}

void ckpt_hasher_update(struct ckpt_hasher *hs, const void *data, size_t len) {
    /* An empty partition's rows come as (NULL, 0): memcpy must not see that null. */
    if (len == 0) return;
    const unsigned char *p = data;
    hs->bytes += len;
    if (hs->n_carry) {
        /* Complete the pending word first so word boundaries match a one-shot hash. */
        const size_t take = len < 8 - hs->n_carry ? len : 8 - hs->n_carry;
        memcpy(hs->carry + hs->n_carry, p, take);
        hs->n_carry += take;
        p += take;
        len -= take;
        if (hs->n_carry < 8) return;
        hs->h = hash_bytes(hs->h, hs->carry, 8);
        hs->n_carry = 0;
    }
    const size_t whole = len & ~(size_t)7;
    hs->h = hash_bytes(hs->h, p, whole);
    memcpy(hs->carry, p + whole, len - whole);
    hs->n_carry = len - whole;
}

uint64_t ckpt_hasher_final(const struct ckpt_hasher *hs) {
    return hash_finish(hash_bytes(hs->h, hs->carry, hs->n_carry));
}

void ckpt_hex(uint64_t h, char out[17]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, h >>= 4)
        out[i] = digits[h & 15];
    out[16] = '\0';
}

int ckpt_unhex(const char *s, size_t len, uint64_t *out) {
    uint64_t v = 0;
    if (len != 16) return -1;
    for (size_t i = 0; i < len; i++) {
        const char c = s[i];
        const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

/* ---- op-prefix hashes ----------------------------------------------------------------- */

/* Every field goes in with a tag and a length, so no two different inputs serialise alike
 * ("ab"+"c" vs "a"+"bc", a NULL string vs an empty one). */
enum { PH_U64 = 1, PH_STR, PH_NULL };

static void ph_u64(struct ckpt_hasher *hs, uint64_t v) {
    unsigned char b[9] = {PH_U64};
    for (int i = 0; i < 8; i++)
        b[1 + i] = (unsigned char)(v >> (8 * i));
    ckpt_hasher_update(hs, b, sizeof b);
}

static void ph_str(struct ckpt_hasher *hs, const char *s) {
    if (!s) {
        const unsigned char tag = PH_NULL;
        ckpt_hasher_update(hs, &tag, 1);
        return;
    }
    const size_t n = strlen(s);
    const unsigned char tag = PH_STR;
    ckpt_hasher_update(hs, &tag, 1);
    ph_u64(hs, n);
    ckpt_hasher_update(hs, s, n);
}

static void ph_value(struct ckpt_hasher *hs, zest_param_type type, const struct param_value *v) {
    uint64_t bits;
    ph_u64(hs, (uint64_t)type);
    switch (type) {
    case ZEST_PARAM_BOOL: ph_u64(hs, v->b ? 1 : 0); break;
    case ZEST_PARAM_INT: ph_u64(hs, (uint64_t)v->i); break;
    case ZEST_PARAM_DOUBLE:
        /* The exact bits: 0.1 and 0.1000000000000001 are different parameters. */
        memcpy(&bits, &v->d, sizeof bits);
        ph_u64(hs, bits);
        break;
    case ZEST_PARAM_STRING: ph_str(hs, v->s); break;
    case ZEST_PARAM_STRING_LIST:
        ph_u64(hs, v->n_list);
        for (size_t i = 0; i < v->n_list; i++)
            ph_str(hs, v->list[i]);
        break;
    default: break;
    }
}

static int ph_op(struct ckpt_hasher *hs, const struct ckpt_op_ref *op, zest_error *err) {
    const zest_op_info *info = &op->desc->info;
    const size_t n = op->params ? op->params->n : 0;
    if (n != info->n_params)
        return err_set(err, ZEST_E_PARAM, "op %s: %zu bound parameters, schema has %zu", info->name,
                       n, info->n_params);
    ph_str(hs, info->name);
    ph_u64(hs, n);
    for (size_t i = 0; i < n; i++) {
        ph_str(hs, info->params[i].name);
        ph_value(hs, info->params[i].type, &op->params->v[i]);
    }
    return 0;
}

int ckpt_prefix_hashes(const char *input_fingerprint, const struct ckpt_partition_ref *part,
                       const struct ckpt_op_ref *ops, size_t n_ops, uint64_t *out,
                       zest_error *err) {
    struct ckpt_hasher hs;
    ckpt_hasher_init(&hs);
    ph_str(&hs, "zest-checkpoint");
    ph_u64(&hs, CKPT_FORMAT_VERSION);
    ph_str(&hs, input_fingerprint);
    ph_str(&hs, part ? part->source : NULL);
    ph_u64(&hs, part ? (uint64_t)part->start : 0);
    ph_u64(&hs, part ? (uint64_t)part->end : 0);
    uint64_t prev = ckpt_hasher_final(&hs);
    for (size_t k = 0; k < n_ops; k++) {
        /* Chaining through the previous hash makes out[k] a function of ops 0..k only. */
        ckpt_hasher_init(&hs);
        ph_u64(&hs, prev);
        ZEST_TRY(ph_op(&hs, &ops[k], err));
        out[k] = prev = ckpt_hasher_final(&hs);
    }
    return 0;
}

/* ---- the store ------------------------------------------------------------------------ */

struct ckpt_store {
    char *dir;  /* the checkpoint directory */
    char *mdir; /* dir/manifest */
};

/* mkdir -p with mode 0777 & ~umask. */
static int ckpt_mkdirs(const char *dir, zest_error *err) {
    char path[CKPT_PATH_MAX];
    const size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return err_set(err, ZEST_E_LIMIT, "checkpoint directory path empty or too long");
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        const char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return err_set_at(err, ZEST_E_IO, path, 0, -1, "mkdir: %s", strerror(errno));
        path[i] = c;
    }
    return 0;
}

/* A crashed writer's temporary: ".<name>.tmp.<pid>" (fsutil_tmp_path's convention). */
static int ckpt_is_tmp(const char *name) {
    return name[0] == '.' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
           strstr(name, ".tmp.") != NULL;
}

static int ckpt_remove_tmps(const char *dir, zest_error *err) {
    DIR *d = opendir(dir);
    if (!d) return err_set_at(err, ZEST_E_IO, dir, 0, -1, "opendir: %s", strerror(errno));
    int rc = 0;
    const struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!ckpt_is_tmp(e->d_name)) continue;
        if (unlinkat(dirfd(d), e->d_name, 0) != 0 && errno != ENOENT)
            rc = err_set_at(err, ZEST_E_IO, dir, 0, -1, "removing temporary %s: %s", e->d_name,
                            strerror(errno));
    }
    closedir(d);
    return rc;
}

static char *ckpt_join(const char *a, const char *b) {
    const size_t na = strlen(a), nb = strlen(b);
    char *p = malloc(na + nb + 2);
    if (p) snprintf(p, na + nb + 2, "%s/%s", a, b);
    return p;
}

int ckpt_store_open(const char *dir, struct ckpt_store **out, zest_error *err) {
    int rc;
    *out = NULL;
    struct ckpt_store *s = calloc(1, sizeof *s);
    if (!s) return err_set(err, ZEST_E_NOMEM, "%s: out of memory", dir);
    s->dir = strdup(dir);
    s->mdir = ckpt_join(dir, CKPT_MANIFEST_DIR);
    if (!s->dir || !s->mdir) {
        rc = err_set(err, ZEST_E_NOMEM, "%s: out of memory", dir);
        goto out;
    }
    if ((rc = ckpt_mkdirs(s->mdir, err)) != 0) goto out;
    if ((rc = ckpt_remove_tmps(s->dir, err)) != 0) goto out;
    rc = ckpt_remove_tmps(s->mdir, err);
out:
    if (rc) {
        ckpt_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void ckpt_store_close(struct ckpt_store *s) {
    if (!s) return;
    free(s->dir);
    free(s->mdir);
    free(s);
}

const char *ckpt_store_dir(const struct ckpt_store *s) {
    return s->dir;
}

int ckpt_path(const struct ckpt_store *s, const char *name, char *out, size_t cap,
              zest_error *err) {
    const int n = snprintf(out, cap, "%s/%s", s->dir, name);
    if (n < 0 || (size_t)n >= cap)
        return err_set(err, ZEST_E_LIMIT, "%s/%s: path too long", s->dir, name);
    return 0;
}

static int ckpt_manifest_path(const struct ckpt_store *s, int partition, char *out, size_t cap,
                              zest_error *err) {
    char name[64];
    ZEST_TRY(ckpt_manifest_name(partition, name, sizeof name, err));
    const int n = snprintf(out, cap, "%s/%s", s->mdir, name);
    if (n < 0 || (size_t)n >= cap)
        return err_set(err, ZEST_E_LIMIT, "%s/%s: path too long", s->mdir, name);
    return 0;
}

int ckpt_manifest_read(const struct ckpt_store *s, int partition, struct ckpt_manifest *m,
                       zest_error *err) {
    char path[CKPT_PATH_MAX];
    memset(m, 0, sizeof *m);
    ZEST_TRY(ckpt_manifest_path(s, partition, path, sizeof path, err));
    return manifest_load(path, partition, m, err);
}

/* ---- writing -------------------------------------------------------------------------- */

struct ckpt_writer {
    struct sink *sink;
    struct parquet_lines *pq; /* Parquet / Arrow checkpoints: lines in, file bytes to the sink */
    struct ckpt_hasher hs;
    int partition, op_index;
    char name[CKPT_NAME_MAX];
};

/* Bytes as they reach the file: through the sink and the checksum. */
static int ckpt_raw_write(void *user, const void *data, size_t len, zest_error *err) {
    struct ckpt_writer *w = user;
    ZEST_TRY(sink_write(w->sink, data, len, err));
    ckpt_hasher_update(&w->hs, data, len);
    return 0;
}

int ckpt_writer_open(const struct ckpt_store *s, int partition, int op_index, enum ckpt_format f,
                     struct ckpt_writer **out, zest_error *err) {
    char path[CKPT_PATH_MAX];
    *out = NULL;
    struct ckpt_writer *w = calloc(1, sizeof *w);
    if (!w) return err_set(err, ZEST_E_NOMEM, "checkpoint writer: out of memory");
    int rc = ckpt_file_name(op_index, partition, f, w->name, sizeof w->name, err);
    if (!rc) rc = ckpt_path(s, w->name, path, sizeof path, err);
    if (!rc) rc = sink_open_cached(path, &w->sink, err);
    if (rc) {
        free(w);
        return rc;
    }
    ckpt_hasher_init(&w->hs);
    w->partition = partition;
    w->op_index = op_index;
    if (ckpt_format_is_parquet(f)) {
        static const enum pq_codec codecs[] = {PQ_SNAPPY, PQ_ZSTD, PQ_GZIP, PQ_UNCOMPRESSED};
        struct parquet_write_opts o;
        parquet_write_opts_default(&o);
        o.codec = codecs[f - CKPT_PARQUET_SNAPPY];
        rc = parquet_lines_new(path, &o, ckpt_raw_write, w, &w->pq, err);
        if (rc) {
            ckpt_writer_abort(w);
            return rc;
        }
        parquet_lines_set_lossless(w->pq);
    } else if (ckpt_format_is_arrow(f)) {
        static const enum arrow_ipc_codec acodecs[] = {ARROW_IPC_LZ4_FRAME, ARROW_IPC_ZSTD,
                                                       ARROW_IPC_UNCOMPRESSED};
        const struct arrow_ipc_writer_opts o = {.kind = ARROW_IPC_FILE,
                                                .codec = acodecs[f - CKPT_ARROW_LZ4]};
        rc = parquet_lines_arrow(path, &o, ckpt_raw_write, w, &w->pq, err);
        if (rc) {
            ckpt_writer_abort(w);
            return rc;
        }
        parquet_lines_set_lossless(w->pq);
    }
    *out = w;
    return 0;
}

int ckpt_writer_write(struct ckpt_writer *w, const void *data, size_t len, zest_error *err) {
    if (w->pq) return parquet_lines_write(w->pq, data, len, err);
    return ckpt_raw_write(w, data, len, err);
}

static int64_t ckpt_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ckpt_writer_finish(struct ckpt_writer *w, const char *op_name, uint64_t prefix_hash,
                       int64_t rows, struct ckpt_record *rec, zest_error *err) {
    uint64_t bytes = 0;
    if (w->pq) {
        const int prc = parquet_lines_finish(w->pq, NULL, err);
        parquet_lines_free(w->pq);
        w->pq = NULL;
        if (prc) {
            ckpt_writer_abort(w);
            return prc;
        }
    }
    const uint64_t content = sink_bytes(w->sink);
    const int rc = sink_commit(w->sink, &bytes, err);
    w->sink = NULL;
    if (rc == 0) {
        memset(rec, 0, sizeof *rec);
        rec->op_index = w->op_index;
        snprintf(rec->op_name, sizeof rec->op_name, "%s", op_name ? op_name : "");
        rec->prefix_hash = prefix_hash;
        rec->rows = rows;
        rec->bytes = bytes;
        rec->content_bytes = content;
        rec->checksum = ckpt_hasher_final(&w->hs);
        memcpy(rec->file, w->name, sizeof rec->file);
        rec->committed_ms = ckpt_now_ms();
    }
    free(w);
    return rc;
}

void ckpt_writer_abort(struct ckpt_writer *w) {
    if (!w) return;
    parquet_lines_free(w->pq);
    sink_abort(w->sink);
    free(w);
}

/* Deletes the files of records, skipping `keep_name`. ENOENT counts as done: a crash may have
 * deleted some already. Tries every file; returns the first failure. */
static int ckpt_unlink_records(const struct ckpt_store *s, const struct ckpt_record *r, size_t n,
                               const char *keep_name, zest_error *err) {
    char path[CKPT_PATH_MAX];
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (keep_name && strcmp(r[i].file, keep_name) == 0) continue;
        int prc = ckpt_path(s, r[i].file, path, sizeof path, rc ? NULL : err);
        if (prc == 0 && unlink(path) != 0 && errno != ENOENT)
            prc =
                err_set_at(rc ? NULL : err, ZEST_E_IO, path, 0, -1, "unlink: %s", strerror(errno));
        if (!rc) rc = prc;
    }
    return rc;
}

static int ckpt_check_record(const struct ckpt_record *rec, zest_error *err) {
    if (rec->op_index < 0 || rec->file[0] == '\0' || rec->file[0] == '.' ||
        strchr(rec->file, '/') || rec->op_name[0] == '\0')
        return err_set(err, ZEST_E_PARAM,
                       "checkpoint record for op %d is incomplete (op name, plain file name)",
                       rec->op_index);
    return 0;
}

int ckpt_commit(const struct ckpt_store *s, int partition, const struct ckpt_record *rec,
                zest_error *err) {
    char path[CKPT_PATH_MAX];
    struct ckpt_manifest m;
    ZEST_TRY(ckpt_check_record(rec, err));
    ZEST_TRY(ckpt_manifest_path(s, partition, path, sizeof path, err));
    ZEST_TRY(manifest_load(path, partition, &m, err));
    /* Records past this op belong to an older lineage; keep them aside to delete their files
     * once the new manifest no longer names them. */
    size_t keep = 0;
    while (keep < m.n && m.recs[keep].op_index < rec->op_index)
        keep++;
    /* A record of the same op in another format names a file the new record replaces. */
    if (keep < m.n && m.recs[keep].op_index == rec->op_index &&
        strcmp(m.recs[keep].file, rec->file) == 0)
        keep++;
    const size_t n_drop = m.n - keep;
    struct ckpt_record *dropped = n_drop ? malloc(n_drop * sizeof *dropped) : NULL;
    int rc = 0;
    if (n_drop && !dropped) rc = err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
    if (!rc) {
        if (n_drop) memcpy(dropped, m.recs + keep, n_drop * sizeof *dropped);
        m.n = keep;
        rc = manifest_put(&m, rec) ? err_set(err, ZEST_E_NOMEM, "%s: out of memory", path) : 0;
    }
    if (!rc) rc = manifest_save(path, &m, err);
    if (!rc) rc = ckpt_unlink_records(s, dropped, n_drop, rec->file, err);
    free(dropped);
    manifest_free(&m);
    return rc;
}

/* ---- verification and lookup ---------------------------------------------------------- */

static const char *const ckpt_problem_names[] = {
    [CKPT_STALE] = "stale",
    [CKPT_MISSING] = "missing",
    [CKPT_SIZE_MISMATCH] = "size_mismatch",
    [CKPT_CHECKSUM_MISMATCH] = "checksum_mismatch",
    [CKPT_UNREADABLE] = "unreadable",
};

const char *ckpt_problem_name(enum ckpt_problem p) {
    return p >= CKPT_STALE && p <= CKPT_UNREADABLE ? ckpt_problem_names[p] : "unknown";
}

/* Streams the file's uncompressed bytes through the checksum. The line reader gives lines
 * without their '\n', so each line's newline is added when the next line arrives, and after
 * the last line only when the recorded length says the file ended with one. */
static int ckpt_stream_checksum(const char *path, uint64_t content_bytes, struct ckpt_hasher *hs,
                                zest_error *err) {
    struct linereader *r = NULL;
    ckpt_hasher_init(hs);
    ZEST_TRY(linereader_open(path, 0, 0, -1, &r, err));
    const char *line;
    size_t len;
    int pending_nl = 0, rc;
    while ((rc = linereader_next(r, &line, &len, NULL, NULL, err)) == 1) {
        if (pending_nl) ckpt_hasher_update(hs, "\n", 1);
        ckpt_hasher_update(hs, line, len);
        pending_nl = 1;
    }
    linereader_close(r);
    if (rc == 0 && pending_nl && hs->bytes + 1 == content_bytes) ckpt_hasher_update(hs, "\n", 1);
    return rc;
}

int ckpt_verify(const struct ckpt_store *s, const struct ckpt_record *rec, char *detail,
                size_t cap) {
    char path[CKPT_PATH_MAX];
    struct stat st;
    zest_error e;
    if (ckpt_path(s, rec->file, path, sizeof path, &e) != 0)
        return snprintf(detail, cap, "%s", e.msg), CKPT_UNREADABLE;
    if (stat(path, &st) != 0) {
        snprintf(detail, cap, "checkpoint %s is missing: %s", path, strerror(errno));
        return errno == ENOENT ? CKPT_MISSING : CKPT_UNREADABLE;
    }
    if ((uint64_t)st.st_size != rec->bytes) {
        snprintf(detail, cap, "checkpoint %s is corrupt: size mismatch (%lld bytes, recorded %llu)",
                 path, (long long)st.st_size, (unsigned long long)rec->bytes);
        return CKPT_SIZE_MISMATCH;
    }
    struct ckpt_hasher hs;
    if (ckpt_stream_checksum(path, rec->content_bytes, &hs, &e) != 0) {
        snprintf(detail, cap, "checkpoint %s is corrupt: unreadable (%s)", path, e.msg);
        return CKPT_UNREADABLE;
    }
    const uint64_t sum = ckpt_hasher_final(&hs);
    if (hs.bytes != rec->content_bytes || sum != rec->checksum) {
        char got[17], want[17];
        ckpt_hex(sum, got);
        ckpt_hex(rec->checksum, want);
        snprintf(detail, cap,
                 "checkpoint %s is corrupt: checksum mismatch (%s over %llu bytes, recorded %s "
                 "over %llu)",
                 path, got, (unsigned long long)hs.bytes, want,
                 (unsigned long long)rec->content_bytes);
        return CKPT_CHECKSUM_MISMATCH;
    }
    return 0;
}

static void ckpt_report(ckpt_finding_fn fn, void *user, int partition, const struct ckpt_record *r,
                        int problem, const char *detail) {
    if (!fn) return;
    struct ckpt_finding f;
    memset(&f, 0, sizeof f);
    f.partition = partition;
    f.op_index = r->op_index;
    f.problem = (enum ckpt_problem)problem;
    memcpy(f.file, r->file, sizeof f.file);
    snprintf(f.detail, sizeof f.detail, "%s", detail);
    fn(user, &f);
}

int ckpt_latest_valid(const struct ckpt_store *s, int partition, const uint64_t *expected,
                      size_t n_ops, ckpt_finding_fn fn, void *user, struct ckpt_record *out,
                      zest_error *err) {
    struct ckpt_manifest m;
    char detail[sizeof((struct ckpt_finding *)0)->detail];
    ZEST_TRY(ckpt_manifest_read(s, partition, &m, err));
    int found = 0;
    for (size_t i = m.n; i-- > 0 && !found;) {
        const struct ckpt_record *r = &m.recs[i];
        int problem;
        if ((size_t)r->op_index >= n_ops || r->prefix_hash != expected[r->op_index]) {
            snprintf(detail, sizeof detail,
                     "checkpoint %s/%s is stale: the pipeline up to op %d (%s) changed", s->dir,
                     r->file, r->op_index, r->op_name);
            problem = CKPT_STALE;
        } else {
            problem = ckpt_verify(s, r, detail, sizeof detail);
        }
        if (problem) {
            ckpt_report(fn, user, partition, r, problem, detail);
            continue;
        }
        *out = *r;
        found = 1;
    }
    manifest_free(&m);
    return found;
}

/* ---- cleanup -------------------------------------------------------------------------- */

int ckpt_cleanup(const struct ckpt_store *s, int partition, size_t keep,
                 struct ckpt_record **removed, size_t *n_removed, zest_error *err) {
    char path[CKPT_PATH_MAX];
    struct ckpt_manifest m;
    if (removed) *removed = NULL;
    if (n_removed) *n_removed = 0;
    ZEST_TRY(ckpt_manifest_path(s, partition, path, sizeof path, err));
    ZEST_TRY(manifest_load(path, partition, &m, err));
    if (m.n <= keep) {
        manifest_free(&m);
        return 0;
    }
    const size_t n_old = m.n - keep;
    struct ckpt_record *old = malloc(n_old * sizeof *old);
    int rc = old ? 0 : err_set(err, ZEST_E_NOMEM, "%s: out of memory", path);
    if (!rc) {
        memcpy(old, m.recs, n_old * sizeof *old);
        memmove(m.recs, m.recs + n_old, keep * sizeof *m.recs);
        m.n = keep;
        /* The manifest first: a crash after it leaves files without records, never the
         * reverse. */
        rc = manifest_save(path, &m, err);
    }
    if (!rc) rc = ckpt_unlink_records(s, old, n_old, NULL, err);
    manifest_free(&m);
    if (!rc && removed) {
        *removed = old;
        old = NULL;
    }
    if (!rc && n_removed) *n_removed = n_old;
    free(old);
    return rc;
}

/* Whether `name` is a checkpoint file of partition p: checkpoint_op_<digits>_partition_<p>.* */
static int ckpt_name_is_partition(const char *name, const char *part_tag) {
    static const char prefix[] = "checkpoint_op_";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0) return 0;
    const char *p = name + sizeof prefix - 1;
    if (*p < '0' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    return strncmp(p, part_tag, strlen(part_tag)) == 0;
}

int ckpt_remove_partition(const struct ckpt_store *s, int partition, size_t *n_files,
                          zest_error *err) {
    char path[CKPT_PATH_MAX], tag[48];
    size_t n = 0;
    if (n_files) *n_files = 0;
    ZEST_TRY(ckpt_manifest_path(s, partition, path, sizeof path, err));
    if (unlink(path) != 0 && errno != ENOENT)
        return err_set_at(err, ZEST_E_IO, path, 0, -1, "unlink: %s", strerror(errno));
    ZEST_TRY(fsutil_fsync_dir_of(path, err));
    snprintf(tag, sizeof tag, "_partition_%04d.", partition);
    DIR *d = opendir(s->dir);
    if (!d) return err_set_at(err, ZEST_E_IO, s->dir, 0, -1, "opendir: %s", strerror(errno));
    int rc = 0;
    const struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!ckpt_name_is_partition(e->d_name, tag)) continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            n++;
        else if (errno != ENOENT)
            rc = err_set_at(err, ZEST_E_IO, s->dir, 0, -1, "unlink %s: %s", e->d_name,
                            strerror(errno));
    }
    closedir(d);
    if (n_files) *n_files = n;
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * partplan.c - the partition planner: the settings, the adaptive size decision, the newline
 * scan that cuts plain files into line-aligned byte ranges (counting lines and hashing each
 * range in the same pass over a read-only mapping), and the splitting of compressed inputs
 * into partition files. partitions.json lives in partplan_json.c.
 * Calls io/source (codec sniffing, line reader), exec/fingerprint and common/ (hash, fsutil,
 * buf, err); libc/POSIX (mmap, sysconf).
 */
#include "partplan.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "../common/fsutil.h"
#include "../common/hash.h"
#include "../config/config.h"
#include "../io/parquet_lines.h"
#include "partscan.h"

/* Adaptive rule constants (docs/partitioning.md). */
#define AUTO_PER_CORE 16                 /* aim for 16 x cores partitions (a short tail) */
#define AUTO_INFLIGHT_PER_CORE 4         /* memory must hold 4 x cores partitions */
#define AUTO_MIN (16 * PARTPLAN_MB)      /* never smaller ... */
#define AUTO_MAX (256 * PARTPLAN_MB)     /* ... nor larger, memory permitting */
#define AUTO_MIN_RECORDS 1000            /* at least ~1000 records per partition */
#define AUTO_GZ_RATIO 4                  /* compressed bytes count 4x (unknown expansion) */
#define AUTO_SAMPLE ((size_t)1 << 20)    /* head bytes sampled per file for the record size */
#define AUTO_SAMPLE_FILES 16

/* Bytes hashed and counted per step: a multiple of 32, so the chunked hash equals the hash
 * of the whole range in one call (hash_wide folds 32-byte blocks first). */
#define SCAN_BLOCK ((size_t)1 << 20)

/* ---- settings ------------------------------------------------------------------------- */

void partplan_settings_from_config(const struct zest_config *cfg, struct partplan_settings *out) {
    memset(out, 0, sizeof *out);
    if (cfg->partition_mode == CFG_PART_MANUAL) {
        out->mode = PARTPLAN_MANUAL;
        out->num_partitions = cfg->num_of_partitions;
        return;
    }
    out->max_bytes = cfg->max_partition_size_mb * PARTPLAN_MB;
    out->target_bytes = cfg->partition_target_size_mb * PARTPLAN_MB;
    /* The spec's strategies: partition_size given -> sample-based (max_partition_size_mb
     * still bounds the bytes); only max_partition_size_mb given -> size-based; neither, or
     * an explicit partition.mode: auto -> adaptive. */
    const bool limits = (cfg->partition_size_given || cfg->max_partition_size_given) &&
                        !(cfg->partition_mode_given && cfg->partition_mode == CFG_PART_AUTO);
    out->mode = limits ? PARTPLAN_LIMITS : PARTPLAN_AUTO;
    if (limits && cfg->partition_size_given) out->max_rows = cfg->partition_size;
}

static int settings_check(const struct partplan_settings *s, zest_error *err) {
    if (s->max_rows < 0 || s->max_bytes < 0 || s->target_bytes < 0 || s->cores < 0 ||
        s->mem_bytes < 0)
        return err_set(err, ZEST_E_PARAM, "partition settings: negative limit");
    if (s->mode == PARTPLAN_MANUAL && s->num_partitions < 1)
        return err_set(err, ZEST_E_PARAM, "partition settings: num_of_partitions must be >= 1, "
                                          "got %" PRId64, s->num_partitions);
    if (s->mode != PARTPLAN_LIMITS && s->mode != PARTPLAN_AUTO && s->mode != PARTPLAN_MANUAL)
        return err_set(err, ZEST_E_PARAM, "partition settings: unknown mode %d", (int)s->mode);
    return 0;
}

static void settings_resolve_machine(struct partplan_settings *s) {
    if (s->cores == 0) {
        const long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->cores = n > 0 ? n : 1;
    }
    if (s->mem_bytes == 0) {
        const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        s->mem_bytes = pages > 0 && page > 0 ? (int64_t)pages * page : (int64_t)1 << 32;
    }
}

/* ---- the plan under construction ------------------------------------------------------ */

struct builder {
    struct partplan *plan;
    size_t cap;
};

static int plan_push(struct builder *b, const struct partplan_part *part, zest_error *err) {
    struct partplan *pl = b->plan;
    if (pl->count == b->cap) {
        const size_t cap = b->cap ? 2 * b->cap : 16;
        struct partplan_part *p = realloc(pl->parts, cap * sizeof *p);
        if (!p) return err_set(err, ZEST_E_NOMEM, "partition plan: out of memory");
        pl->parts = p;
        b->cap = cap;
    }
    struct partplan_part *dst = &pl->parts[pl->count];
    *dst = *part;
    dst->id = (int64_t)pl->count;
    dst->source = strdup(part->source);
    dst->origin = strdup(part->origin);
    if (!dst->source || !dst->origin) {
        free(dst->source);
        free(dst->origin);
        return err_set(err, ZEST_E_NOMEM, "partition plan: out of memory");
    }
    pl->count++;
    return 0;
}

void partplan_free(struct partplan *plan) {
    if (!plan) return;
    for (size_t i = 0; i < plan->count; i++) {
        free(plan->parts[i].source);
        free(plan->parts[i].origin);
    }
    free(plan->parts);
    plan->parts = NULL;
    plan->count = 0;
}

/* ---- one plain file ------------------------------------------------------------------- */

/* A read-only view of a whole file. Pages behind the scan are handed back as it goes
 * (`released` bytes so far), so planning a large file keeps a bounded resident size. */
struct mapped {
    const unsigned char *p;
    size_t n;
    size_t released;
};

/* Drops the mapped pages before byte `upto` (rounded down to a page): planning reads each
 * range once more at most, right after finding its end, so nothing before it is needed. */
static void mapped_release(struct mapped *m, int64_t upto) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t at = (size_t)upto / page * page;
    if (at <= m->released) return;
    (void)madvise((void *)(uintptr_t)(m->p + m->released), at - m->released, MADV_DONTNEED);
    m->released = at;
}

static int map_file(const char *path, struct mapped *m, zest_error *err) {
    m->p = NULL;
    m->n = 0;
    m->released = 0;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return err_set_at(err, ZEST_E_IO, path, 0, -1, "open: %s", strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = err_set_at(err, ZEST_E_IO, path, 0, -1, "fstat: %s", strerror(errno));
    } else if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            rc = err_set_at(err, ZEST_E_IO, path, 0, -1, "mmap: %s", strerror(errno));
        } else {
            /* No MADV_SEQUENTIAL: with it the kernel maps read-ahead pages into the
             * process faster than the scan releases them (a 4 GB input in 16 MB
             * partitions: peak RSS 548 MB with the hint, 89 MB without). */
            m->p = p;
            m->n = (size_t)st.st_size;
        }
    }
    close(fd);
    return rc;
}

static void unmap_file(struct mapped *m) {
    if (m->p) munmap((void *)(uintptr_t)m->p, m->n);
    m->p = NULL;
}

/* End of the partition starting at `ps` under the row and byte limits (0 = none). */
static int64_t cut_limits(const struct mapped *m, int64_t ps, int64_t rows, int64_t bytes) {
    const int64_t n = (int64_t)m->n;
    const int64_t lim = bytes && bytes < n - ps ? ps + bytes : n;
    if (rows) {
        const int64_t r = partscan_nl_find_nth(m->p + ps, (size_t)(lim - ps), rows);
        if (r >= 0) return ps + r; /* the row limit comes first */
    }
    if (lim == n) return n;
    /* The byte limit binds: end after the last newline inside [ps, lim). memrchr stops at
     * the first newline from the back, so this costs about one line, not the range. */
    const unsigned char *nl = memrchr(m->p + ps, '\n', (size_t)(lim - ps));
    if (nl) return (int64_t)(nl - m->p) + 1;
    /* One line longer than the limit: it gets a partition of its own. */
    nl = memchr(m->p + lim, '\n', (size_t)(n - lim));
    return nl ? (int64_t)(nl - m->p) + 1 : n;
}

/* First line start at or after byte t. */
static int64_t line_start_at(const struct mapped *m, int64_t t) {
    if (t <= 0) return 0;
    if (t >= (int64_t)m->n) return (int64_t)m->n;
    if (m->p[t - 1] == '\n') return t;
    const unsigned char *nl = memchr(m->p + t, '\n', m->n - (size_t)t);
    return nl ? (int64_t)(nl - m->p) + 1 : (int64_t)m->n;
}

/* n * i / k without overflow for any file size (i < k). */
static int64_t frac(int64_t n, int64_t i, int64_t k) {
    return n / k * i + n % k * i / k;
}

/* The partition ends of a file, in order (cheap: a newline search per cut, or a newline
 * count when rows are limited); pages behind are handed back as the cuts go. */
static int plan_cuts(const struct partplan *pl, struct mapped *m, int64_t manual_parts,
                     struct partscan_range **out, size_t *count, zest_error *err) {
    const int64_t n = (int64_t)m->n;
    size_t cap = 0;
    int64_t ps = 0;
    *out = NULL;
    *count = 0;
    for (int64_t i = 1; ps < n; i++) {
        int64_t end;
        if (manual_parts > 0) /* boundary i at about i/k of the bytes, moved to a line start */
            end = i >= manual_parts ? n : line_start_at(m, frac(n, i, manual_parts));
        else
            end = cut_limits(m, ps, pl->chosen_rows, pl->chosen_bytes);
        if (end <= ps) continue; /* two boundaries in one line: fewer partitions */
        if (*count == cap) {
            cap = cap ? 2 * cap : 64;
            struct partscan_range *r = realloc(*out, cap * sizeof *r);
            if (!r) return err_set(err, ZEST_E_NOMEM, "out of memory planning partitions");
            *out = r;
        }
        (*out)[(*count)++] = (struct partscan_range){.start = ps, .end = end};
        if (pl->chosen_rows) mapped_release(m, end);
        ps = end;
    }
    return 0;
}

/* Cuts the file, then counts the lines of and hashes every range in parallel (the result
 * does not depend on the number of threads), and adds the partitions in order. */
static int plan_plain(struct builder *b, const char *path, struct mapped *m,
                      int64_t manual_parts, zest_error *err) {
    struct partscan_range *r = NULL;
    size_t n = 0;
    int rc = plan_cuts(b->plan, m, manual_parts, &r, &n, err);
    const int64_t cores = b->plan->settings.cores;
    if (rc == 0) partscan_ranges(m->p, r, n, cores > 0 ? (int)cores : 1);
    int64_t line_no = 1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct partplan_part part = {.kind = PARTPLAN_RANGE, .start = r[i].start,
                                     .end = r[i].end, .first_line = line_no,
                                     .origin_line = line_no, .lines = r[i].lines,
                                     .hash = r[i].hash};
        part.source = part.origin = (char *)(uintptr_t)path;
        line_no += r[i].lines;
        rc = plan_push(b, &part, err);
    }
    free(r);
    return rc;
}

static int plan_plain_file(struct builder *b, const char *path, int64_t manual_parts,
                           zest_error *err) {
    struct mapped m;
    ZEST_TRY(map_file(path, &m, err));
    const int rc = plan_plain(b, path, &m, manual_parts, err);
    unmap_file(&m);
    return rc;
}

/* ---- input inspection ----------------------------------------------------------------- */

/* Reads up to cap bytes from the head of path; *got gets the count. */
static int read_head(const char *path, void *buf, size_t cap, size_t *got, zest_error *err) {
    *got = 0;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return err_set_at(err, ZEST_E_IO, path, 0, -1, "open: %s", strerror(errno));
    int rc = 0;
    while (*got < cap) {
        const ssize_t r = read(fd, (char *)buf + *got, cap - *got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            rc = err_set_at(err, ZEST_E_IO, path, 0, -1, "read: %s", strerror(errno));
            break;
        }
        if (r == 0) break;
        *got += (size_t)r;
    }
    close(fd);
    return rc;
}

/* The codec by magic bytes; *fmt is set for a Parquet file ("PAR1") or an Arrow IPC file or
 * stream, which is planned like a compressed stream (its size is compressed, its rows are
 * split out once). */
static int sniff_file(const char *path, enum source_codec *codec, unsigned char *fmt,
                      zest_error *err) {
    unsigned char head[6];
    size_t got;
    ZEST_TRY(read_head(path, head, sizeof head, &got, err));
    *codec = source_codec_sniff(head, got);
    *fmt = (unsigned char)columnar_sniff(head, got);
    if (*fmt != COLUMNAR_NONE) *codec = SOURCE_ZSTD; /* a stream, weighted like compressed input */
    return 0;
}

/* Parquet, Arrow and JSON Lines do not mix in one dataset: the message names one file of each
 * of two formats. */
static int check_mixed(const struct source_list *files, const unsigned char *fmt,
                       zest_error *err) {
    static const char *const names[] = {"JSON Lines", "Parquet", "Arrow IPC"};
    for (size_t i = 1; i < files->count; i++) {
        if (fmt[i] == fmt[0]) continue;
        const size_t a = fmt[i] > fmt[0] ? i : 0, b = a ? 0 : i; /* columnar named first */
        return err_set(err, ZEST_E_CONFIG,
                       "dataset_path mixes %s and %s files (%s is %s, %s is %s): use one "
                       "format per dataset", names[fmt[a]], names[fmt[b]], files->files[a].path,
                       names[fmt[a]], files->files[b].path, names[fmt[b]]);
    }
    return 0;
}

/* ---- the adaptive decision ------------------------------------------------------------ */

struct input_stats {
    int64_t bytes;        /* estimated uncompressed bytes */
    int64_t sample_bytes; /* bytes sampled from file heads */
    int64_t sample_lines; /* newlines in them */
};

static int gather_stats(const struct source_list *files, const enum source_codec *codecs,
                        struct input_stats *st, zest_error *err) {
    memset(st, 0, sizeof *st);
    unsigned char *buf = NULL;
    int rc = 0, sampled = 0;
    for (size_t i = 0; i < files->count && rc == 0; i++) {
        const int64_t size = files->files[i].size;
        st->bytes += codecs[i] == SOURCE_PLAIN ? size : size * AUTO_GZ_RATIO;
        if (codecs[i] != SOURCE_PLAIN || size == 0 || sampled >= AUTO_SAMPLE_FILES) continue;
        if (!buf && !(buf = malloc(AUTO_SAMPLE)))
            return err_set(err, ZEST_E_NOMEM, "partition plan: out of memory");
        size_t got;
        rc = read_head(files->files[i].path, buf, AUTO_SAMPLE, &got, err);
        st->sample_bytes += (int64_t)got;
        st->sample_lines += partscan_nl_count(buf, got);
        sampled++;
    }
    free(buf);
    return rc;
}

static void fmt_mb(char *out, size_t cap, int64_t bytes) {
    snprintf(out, cap, "%.1f MB", (double)bytes / (double)PARTPLAN_MB);
}

/* The documented rule: size = total / (16 x cores), rounded up to a whole MB, raised to
 * 16 MB and to ~1000 average records, then capped by 256 MB, target_size_mb,
 * max_partition_size_mb and memory / (4 x cores). */
int64_t partplan_auto_size(int64_t input_bytes, int64_t avg_record,
                           const struct partplan_settings *s, const char **why) {
    const int64_t cores = s->cores > 0 ? s->cores : 1;
    const int64_t parts = AUTO_PER_CORE * cores, inflight = AUTO_INFLIGHT_PER_CORE * cores;
    int64_t hi = AUTO_MAX;
    if (s->target_bytes && s->target_bytes < hi) hi = s->target_bytes;
    if (s->max_bytes && s->max_bytes < hi) hi = s->max_bytes;
    if (s->mem_bytes > 0 && s->mem_bytes / inflight < hi) hi = s->mem_bytes / inflight;
    if (hi < 1) hi = 1;
    int64_t size = (input_bytes + parts - 1) / parts;
    size = (size + PARTPLAN_MB - 1) / PARTPLAN_MB * PARTPLAN_MB;
    *why = "input / (16 x cores)";
    if (size < AUTO_MIN) size = AUTO_MIN, *why = "raised to the 16 MB floor";
    if (avg_record > (AUTO_MAX + AUTO_MIN_RECORDS - 1) / AUTO_MIN_RECORDS) avg_record = AUTO_MAX;
    if (avg_record * AUTO_MIN_RECORDS > size)
        size = avg_record * AUTO_MIN_RECORDS, *why = "raised to hold ~1000 average records";
    if (size > hi) {
        size = hi;
        *why = hi == s->target_bytes    ? "capped by partition.target_size_mb"
               : hi == s->max_bytes     ? "capped by max_partition_size_mb"
               : hi == AUTO_MAX         ? "capped at 256 MB"
                                        : "capped by memory / (4 x cores)";
    }
    return size;
}

static void decide_auto(struct partplan *pl, const struct input_stats *st) {
    const struct partplan_settings *s = &pl->settings;
    const int64_t avg = st->sample_lines ? st->sample_bytes / st->sample_lines : st->sample_bytes;
    const char *why;
    pl->chosen_bytes = partplan_auto_size(st->bytes, avg, s, &why);
    char total[32], chosen[32], mem[32];
    fmt_mb(total, sizeof total, st->bytes);
    fmt_mb(chosen, sizeof chosen, pl->chosen_bytes);
    fmt_mb(mem, sizeof mem, s->mem_bytes);
    snprintf(pl->decision, sizeof pl->decision,
             "auto: %s per partition (%s; input %s, average record %" PRId64 " B, %" PRId64
             " cores, memory %s)",
             chosen, why, total, avg, s->cores, mem);
}

static void decide(struct partplan *pl, const struct input_stats *st) {
    const struct partplan_settings *s = &pl->settings;
    char b[32];
    switch (s->mode) {
    case PARTPLAN_AUTO:
        decide_auto(pl, st);
        break;
    case PARTPLAN_MANUAL:
        snprintf(pl->decision, sizeof pl->decision,
                 "manual: %" PRId64 " partitions of about equal bytes", s->num_partitions);
        break;
    case PARTPLAN_LIMITS:
        pl->chosen_rows = s->max_rows;
        pl->chosen_bytes = s->max_bytes;
        fmt_mb(b, sizeof b, s->max_bytes);
        snprintf(pl->decision, sizeof pl->decision,
                 "limits: %" PRId64 " rows, %s per partition (0 = no limit)", s->max_rows,
                 s->max_bytes ? b : "0");
        break;
    }
}

/* ---- manual shares -------------------------------------------------------------------- */

/* Splits num_partitions over the non-empty files in proportion to their sizes (largest
 * remainder), at least one each: the shares add up to num_partitions whenever it is at
 * least the number of non-empty files. Compressed files weigh AUTO_GZ_RATIO x their size,
 * the same estimate as the adaptive rule. */
static int manual_shares(const struct source_list *files, const enum source_codec *codecs,
                         int64_t want, int64_t *share, zest_error *err) {
    int64_t total = 0, nonempty = 0, given = 0;
    for (size_t i = 0; i < files->count; i++) {
        total += files->files[i].size * (codecs[i] == SOURCE_PLAIN ? 1 : AUTO_GZ_RATIO);
        nonempty += files->files[i].size > 0;
    }
    double *rem = calloc(files->count ? files->count : 1, sizeof *rem);
    if (!rem) return err_set(err, ZEST_E_NOMEM, "partition plan: out of memory");
    for (size_t i = 0; i < files->count; i++) {
        share[i] = 0;
        if (files->files[i].size == 0) continue;
        const int64_t w = files->files[i].size * (codecs[i] == SOURCE_PLAIN ? 1 : AUTO_GZ_RATIO);
        const double exact = (double)want * (double)w / (double)total;
        share[i] = (int64_t)exact;
        rem[i] = exact - (double)share[i];
        if (share[i] < 1) share[i] = 1, rem[i] = -1;
        given += share[i];
    }
    for (; given < want && nonempty > 0; given++) { /* hand out the rest, largest first */
        size_t best = 0;
        for (size_t i = 1; i < files->count; i++)
            if (rem[i] > rem[best]) best = i;
        if (rem[best] < 0) break;
        share[best]++;
        rem[best] = -1;
    }
    free(rem);
    return 0;
}

/* ---- partplan_build ------------------------------------------------------------------- */

static int plan_files(struct builder *b, const struct source_list *files,
                      const enum source_codec *codecs, const int64_t *shares, zest_error *err) {
    for (size_t i = 0; i < files->count; i++) {
        const char *path = files->files[i].path;
        const int64_t k = shares ? shares[i] : 0;
        if (codecs[i] == SOURCE_PLAIN) {
            ZEST_TRY(plan_plain_file(b, path, k, err));
            continue;
        }
        const struct partplan_part part = {.kind = PARTPLAN_STREAM, .source = (char *)path,
                                           .origin = (char *)path, .end = -1, .first_line = 1,
                                           .origin_line = 1, .lines = -1, .stream_parts = k};
        ZEST_TRY(plan_push(b, &part, err));
    }
    return 0;
}

int partplan_build(const struct source_list *files, const struct partplan_settings *settings,
                   struct partplan *out, zest_error *err) {
    memset(out, 0, sizeof *out);
    ZEST_TRY(settings_check(settings, err));
    out->settings = *settings;
    settings_resolve_machine(&out->settings);
    struct builder b = {.plan = out};
    enum source_codec *codecs = calloc(files->count + 1, sizeof *codecs);
    unsigned char *pq = calloc(files->count + 1, sizeof *pq);
    int64_t *shares = NULL;
    int rc = codecs && pq ? 0 : err_set(err, ZEST_E_NOMEM, "partition plan: out of memory");
    for (size_t i = 0; rc == 0 && i < files->count; i++)
        rc = sniff_file(files->files[i].path, &codecs[i], &pq[i], err);
    if (rc == 0) rc = check_mixed(files, pq, err);
    if (rc == 0) rc = fingerprint_compute(files, &out->fp, err);
    struct input_stats st;
    if (rc == 0) rc = gather_stats(files, codecs, &st, err);
    if (rc == 0) decide(out, &st);
    if (rc == 0 && settings->mode == PARTPLAN_MANUAL) {
        shares = calloc(files->count + 1, sizeof *shares);
        rc = shares ? manual_shares(files, codecs, settings->num_partitions, shares, err)
                    : err_set(err, ZEST_E_NOMEM, "partition plan: out of memory");
    }
    if (rc == 0) rc = plan_files(&b, files, codecs, shares, err);
    free(codecs);
    free(pq);
    free(shares);
    if (rc) {
        partplan_free(out);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* ---- splitting compressed inputs ------------------------------------------------------ */

/* One partition file being written: a temporary name, committed atomically at the end. */
struct part_writer {
    char path[4096];
    char tmp[4200];
    int fd;
    struct buf out;
};

static int pw_open(struct part_writer *w, const char *dir, int64_t id, zest_error *err) {
    w->fd = -1;
    buf_init(&w->out, 0);
    const int n = snprintf(w->path, sizeof w->path, "%s/part_%06" PRId64 ".jsonl", dir, id);
    if (n < 0 || (size_t)n >= sizeof w->path)
        return err_set(err, ZEST_E_LIMIT, "%s: partition directory path too long", dir);
    ZEST_TRY(fsutil_tmp_path(w->path, w->tmp, sizeof w->tmp, err));
    w->fd = fsutil_create(w->tmp, err);
    return w->fd < 0 ? ZEST_E_IO : 0;
}

static int pw_flush(struct part_writer *w, zest_error *err) {
    const int rc = fsutil_write_all(w->fd, w->out.data, w->out.len, w->tmp, err);
    buf_clear(&w->out);
    return rc;
}

static int pw_line(struct part_writer *w, const char *line, size_t len, zest_error *err) {
    if (w->out.len + len + 1 > SCAN_BLOCK && w->out.len) ZEST_TRY(pw_flush(w, err));
    if (buf_append(&w->out, line, len) || buf_putc(&w->out, '\n'))
        return err_set(err, ZEST_E_NOMEM, "%s: out of memory", w->tmp);
    return 0;
}

/* Flushes, fsyncs and renames into place; on failure removes the temporary. */
static int pw_commit(struct part_writer *w, zest_error *err) {
    int rc = pw_flush(w, err);
    if (rc == 0) rc = fsutil_fsync(w->fd, w->tmp, err);
    if (close(w->fd) != 0 && rc == 0)
        rc = err_set_at(err, ZEST_E_IO, w->tmp, 0, -1, "close: %s", strerror(errno));
    w->fd = -1;
    if (rc == 0) rc = fsutil_commit(w->tmp, w->path, err);
    if (rc) unlink(w->tmp);
    buf_free(&w->out);
    return rc;
}

static void pw_abort(struct part_writer *w) {
    if (w->fd >= 0) {
        close(w->fd);
        unlink(w->tmp);
    }
    w->fd = -1;
    buf_free(&w->out);
}

/* Plans a finished partition file as k ranges (1 = the whole file) whose lines come from
 * `origin` starting at its line `origin_line`. */
static int plan_part_file(struct builder *b, const char *path, int64_t k, const char *origin,
                          int64_t origin_line, zest_error *err) {
    const size_t first = b->plan->count;
    ZEST_TRY(plan_plain_file(b, path, k, err));
    for (size_t i = first; i < b->plan->count; i++) {
        struct partplan_part *p = &b->plan->parts[i];
        char *o = strdup(origin);
        if (!o) return err_set(err, ZEST_E_NOMEM, "partition plan: out of memory");
        free(p->origin);
        p->origin = o;
        p->origin_line = origin_line + p->first_line - 1;
    }
    return 0;
}

struct splitter {
    struct builder *b;
    const char *dir, *origin;
    int64_t rows, bytes, k; /* cut rules; k: ranges per file (manual), else 1 */
    struct part_writer w;
    int open;
    int64_t lines, size, first_line;
    bool hold; /* inside a Parquet row group: no cut here */
};

static int split_close(struct splitter *s, zest_error *err) {
    if (!s->open) return 0;
    s->open = 0;
    ZEST_TRY(pw_commit(&s->w, err));
    return plan_part_file(s->b, s->w.path, s->k, s->origin, s->first_line, err);
}

static int split_line(struct splitter *s, const char *line, size_t len, int64_t line_no,
                      zest_error *err) {
    const int64_t add = (int64_t)len + 1;
    if (s->open && !s->hold &&
        ((s->rows && s->lines >= s->rows) || (s->bytes && s->size + add > s->bytes)))
        ZEST_TRY(split_close(s, err));
    if (!s->open) {
        ZEST_TRY(pw_open(&s->w, s->dir, (int64_t)s->b->plan->count, err));
        s->open = 1;
        s->lines = s->size = 0;
        s->first_line = line_no;
    }
    s->lines++;
    s->size += add;
    return pw_line(&s->w, line, len, err);
}

/* A Parquet or Arrow input: its rows as JSON lines, cut only between row groups (record
 * batches), so that every partition is a range of whole row groups. */
static int split_columnar(struct splitter *s, zest_error *err) {
    struct parquet_linesrc *src = NULL;
    ZEST_TRY(parquet_linesrc_open(s->origin, 0, -1, &src, err));
    const char *line;
    size_t len;
    int64_t row;
    int rc;
    while ((rc = parquet_linesrc_next(src, &line, &len, &row, err)) == 1) {
        s->hold = !parquet_linesrc_group_head(src);
        if ((rc = split_line(s, line, len, row, err)) != 0) break;
    }
    parquet_linesrc_close(src);
    return rc;
}

static int split_one(struct builder *b, const struct partplan_part *part, const char *dir,
                     size_t max_line_bytes, zest_error *err) {
    const int manual = part->stream_parts > 0;
    struct splitter s = {.b = b, .dir = dir, .origin = part->origin,
                         .rows = manual ? 0 : b->plan->chosen_rows,
                         .bytes = manual ? 0 : b->plan->chosen_bytes,
                         .k = manual ? part->stream_parts : 1};
    unsigned char head[6];
    size_t got;
    ZEST_TRY(read_head(part->origin, head, sizeof head, &got, err));
    if (columnar_sniff(head, got) != COLUMNAR_NONE) {
        int rc = split_columnar(&s, err);
        if (rc == 0) rc = split_close(&s, err);
        if (rc && s.open) pw_abort(&s.w);
        return rc;
    }
    struct linereader *r = NULL;
    int rc = linereader_open(part->origin, max_line_bytes, 0, -1, &r, err);
    const char *line;
    size_t len;
    int64_t no;
    while (rc == 0 && (rc = linereader_next(r, &line, &len, &no, NULL, err)) == 1)
        rc = split_line(&s, line, len, no, err);
    if (rc == 0) rc = split_close(&s, err);
    if (rc && s.open) pw_abort(&s.w);
    linereader_close(r);
    return rc;
}

static int ensure_dir(const char *dir, zest_error *err) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return err_set_at(err, ZEST_E_IO, dir, 0, -1, "mkdir: %s", strerror(errno));
    return 0;
}

int partplan_split_streams(struct partplan *plan, const char *dir, size_t max_line_bytes,
                           zest_error *err) {
    size_t streams = 0;
    for (size_t i = 0; i < plan->count; i++) streams += plan->parts[i].kind == PARTPLAN_STREAM;
    if (streams == 0) return 0;
    ZEST_TRY(ensure_dir(dir, err));
    struct partplan next = *plan;
    next.parts = NULL;
    next.count = 0;
    struct builder b = {.plan = &next};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < plan->count; i++) {
        const struct partplan_part *p = &plan->parts[i];
        rc = p->kind == PARTPLAN_STREAM ? split_one(&b, p, dir, max_line_bytes, err)
                                        : plan_push(&b, p, err);
    }
    if (rc) {
        partplan_free(&next);
        return rc;
    }
    partplan_free(plan);
    *plan = next;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.c - input listing (file, directory, glob) and the line reader: raw bytes from a file
 * descriptor or memory, optional gzip/zstd decompression straight into the line buffer, and a
 * memchr line splitter that hands out lines zero-copy from that buffer. Owns the reader's
 * file descriptor, buffers and decompression contexts. Calls libc/POSIX, zlib, libzstd and
 * common/ (buf, err) only.
 */
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../common/buf.h"
#include "../common/err.h"

/* ======================================================================================== */
/* Listing                                                                                  */

/* Directory members taken as input. ".jsonl.gz", ".json.zst" etc. end in ".gz"/".zst". */
static const char *const source_exts[] = {".jsonl", ".json", ".gz", ".zst", ".parquet",
                                             ".arrow", ".feather", ".arrows"};

static int source_has_input_ext(const char *name) {
    const size_t n = strlen(name);
    for (size_t i = 0; i < sizeof source_exts / sizeof source_exts[0]; i++) {
        const size_t e = strlen(source_exts[i]);
        if (n > e && memcmp(name + n - e, source_exts[i], e) == 0) return 1;
    }
    return 0;
}

static int source_push(struct source_list *l, size_t *cap, const char *path, int64_t size) {
    if (l->count == *cap) {
        const size_t ncap = *cap ? *cap * 2 : 16;
        struct source_file *f = realloc(l->files, ncap * sizeof *f);
        if (!f) return ZEST_E_NOMEM;
        l->files = f;
        *cap = ncap;
    }
    char *copy = strdup(path);
    if (!copy) return ZEST_E_NOMEM;
    l->files[l->count].path = copy;
    l->files[l->count].size = size;
    l->count++;
    l->total_bytes += size;
    return 0;
}

static int source_cmp_path(const void *a, const void *b) {
    return strcmp(((const struct source_file *)a)->path, ((const struct source_file *)b)->path);
}

/* Adds `path` when it is (or links to) a regular file; anything else is silently skipped. */
static int source_push_if_regular(struct source_list *l, size_t *cap, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    return source_push(l, cap, path, (int64_t)st.st_size);
}

static int source_list_dir(const char *dir, struct source_list *l, size_t *cap,
                           zest_error *err) {
    int rc = 0;
    struct buf path;
    buf_init(&path, 0);
    DIR *d = opendir(dir);
    if (!d) return err_set_at(err, ZEST_E_IO, dir, 0, -1, "opendir: %s", strerror(errno));
    const size_t dlen = strlen(dir);
    const int slash = dlen > 0 && dir[dlen - 1] == '/';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !source_has_input_ext(e->d_name)) continue;
        buf_clear(&path);
        rc = buf_printf(&path, "%s%s%s", dir, slash ? "" : "/", e->d_name);
        if (!rc) rc = source_push_if_regular(l, cap, path.data);
        if (rc) {
            err_set_at(err, rc, dir, 0, -1, "listing directory: %s", zest_strerror(rc));
            goto out;
        }
    }
out:
    closedir(d);
    buf_free(&path);
    return rc;
}

static int source_list_glob(const char *pattern, struct source_list *l, size_t *cap,
                            zest_error *err) {
    glob_t g;
    memset(&g, 0, sizeof g);
    const int grc = glob(pattern, 0, NULL, &g);
    int rc = 0;
    if (grc == GLOB_NOSPACE) rc = err_set(err, ZEST_E_NOMEM, "glob %s: out of memory", pattern);
    if (grc == GLOB_ABORTED)
        rc = err_set_at(err, ZEST_E_IO, pattern, 0, -1, "glob: read error");
    for (size_t i = 0; grc == 0 && !rc && i < g.gl_pathc; i++) {
        rc = source_push_if_regular(l, cap, g.gl_pathv[i]);
        if (rc) err_set(err, rc, "glob %s: %s", pattern, zest_strerror(rc));
    }
    globfree(&g);
    return rc;
}

static int source_is_glob(const char *path) { return strpbrk(path, "*?[") != NULL; }

int source_list(const char *dataset_path, struct source_list *out, zest_error *err) {
    size_t cap = 0;
    int rc = 0;
    struct stat st;
    memset(out, 0, sizeof *out);
    if (stat(dataset_path, &st) == 0) {
        if (S_ISREG(st.st_mode))
            rc = source_push(out, &cap, dataset_path, (int64_t)st.st_size);
        else if (S_ISDIR(st.st_mode))
            rc = source_list_dir(dataset_path, out, &cap, err);
        else
            rc = err_set_at(err, ZEST_E_UNSUPPORTED, dataset_path, 0, -1,
                            "not a regular file or directory");
        if (rc == ZEST_E_NOMEM) err_set(err, rc, "%s: out of memory", dataset_path);
    } else if ((errno == ENOENT || errno == ENOTDIR) && source_is_glob(dataset_path)) {
        rc = source_list_glob(dataset_path, out, &cap, err);
    } else if (errno != ENOENT && errno != ENOTDIR) {
        rc = err_set_at(err, ZEST_E_IO, dataset_path, 0, -1, "stat: %s", strerror(errno));
    }
    if (!rc && out->count == 0)
        rc = err_set_at(err, ZEST_E_NOTFOUND, dataset_path, 0, -1,
                        "no input files (no such file or directory, or no *.jsonl, *.json, "
                        "*.gz, *.zst, *.parquet, *.arrow, *.feather, *.arrows file in it, or no "
                        "glob match)");
    if (rc) {
        source_list_free(out);
        return rc;
    }
    /* glob(3) and readdir order depend on the locale and the file system; strcmp does not. */
    qsort(out->files, out->count, sizeof *out->files, source_cmp_path);
    return 0;
}

void source_list_free(struct source_list *list) {
    if (!list) return;
    for (size_t i = 0; i < list->count; i++) free(list->files[i].path);
    free(list->files);
    memset(list, 0, sizeof *list);
}

/* ======================================================================================== */
/* Codec detection                                                                          */

enum source_codec source_codec_sniff(const void *head, size_t len) {
    const unsigned char *h = head;
    if (len >= 2 && h[0] == 0x1f && h[1] == 0x8b) return SOURCE_GZIP;
    if (len >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
        return SOURCE_ZSTD;
    /* A skippable frame (magic 0x184D2A50..5F, little endian) may open a zstd file. */
    if (len >= 4 && (h[0] & 0xf0) == 0x50 && h[1] == 0x2a && h[2] == 0x4d && h[3] == 0x18)
        return SOURCE_ZSTD;
    return SOURCE_PLAIN;
}

const char *source_codec_name(enum source_codec codec) {
    switch (codec) {
    case SOURCE_GZIP: return "gzip";
    case SOURCE_ZSTD: return "zstd";
    default: return "plain";
    }
}

/* ======================================================================================== */
/* Line reader                                                                              */

/* Compressed input is read in steps of at most this much (or the chunk, if smaller). */
#define LINEREADER_IN_MAX (1u << 20)

struct linereader {
    char *path;
    enum source_codec codec;
    size_t chunk;    /* bytes per read / decompression step */
    size_t max_line; /* SIZE_MAX when unlimited */
    int64_t start, end;
    int64_t first_line; /* > 0: given by the caller, no newline count needed */

    /* raw input: a file descriptor, or borrowed memory */
    int fd;
    const unsigned char *mem;
    size_t mem_len, mem_pos;
    int64_t raw_pos; /* bytes taken from the file or memory */
    int raw_eof;

    /* compressed input window: [in + in_pos, in + in_len) not yet decoded */
    unsigned char *inbuf; /* owned; NULL when `in` points into borrowed memory */
    const unsigned char *in;
    size_t in_pos, in_len;
    z_stream zs;
    int zs_ready, member_open;
    ZSTD_DCtx *zd;
    int frame_open;
    int64_t out_total; /* decompressed bytes produced */

    /* line buffer: b.data[pos, b.len) is not yet returned; no '\n' in [pos, scan) */
    struct buf b;
    size_t pos, scan;
    int64_t base;    /* stream offset of b.data[0] */
    int64_t line_no; /* number of the next line */
    int started, eof, done, status;
    int pending;            /* decoding failure to report at the next fill */
    zest_error pending_err; /* its detail */
    int skip_long;          /* an over-long line is reported and skipped, not fatal */
    int discarding;         /* inside an over-long line being skipped */
    int64_t long_line_no, long_offset; /* where it began */
};

static int linereader_fail(struct linereader *r, int rc) {
    r->status = rc;
    return rc;
}

static int linereader_io_error(struct linereader *r, const char *what, zest_error *err) {
    return err_set_at(err, ZEST_E_IO, r->path, 0, r->raw_pos, "%s: %s", what, strerror(errno));
}

/* A compressed-stream failure: names the decompressed offset reached (where the lines stop)
 * and the compressed offset (where the damage is). cause NULL means truncated. */
static int linereader_format_error(struct linereader *r, const char *cause, zest_error *err) {
    const int64_t in_off = r->raw_pos - (int64_t)(r->in_len - r->in_pos);
    char what[300];
    if (cause)
        snprintf(what, sizeof what, "corrupt %s stream (%s)", source_codec_name(r->codec), cause);
    else
        snprintf(what, sizeof what, "truncated %s stream", source_codec_name(r->codec));
    return err_set_at(err, ZEST_E_FORMAT, r->path, 0, r->out_total,
                      "%s after %lld decompressed bytes (compressed offset %lld)", what,
                      (long long)r->out_total, (long long)in_off);
}

/* Reads up to cap raw bytes; *got = 0 only at end of input. */
static int linereader_raw_read(struct linereader *r, void *dst, size_t cap, size_t *got,
                               zest_error *err) {
    if (r->fd < 0) {
        const size_t n = r->mem_len - r->mem_pos < cap ? r->mem_len - r->mem_pos : cap;
        if (n) memcpy(dst, r->mem + r->mem_pos, n);
        r->mem_pos += n;
        *got = n;
    } else {
        ssize_t n;
        do {
            n = read(r->fd, dst, cap);
        } while (n < 0 && errno == EINTR);
        if (n < 0) return linereader_io_error(r, "read", err);
        *got = (size_t)n;
    }
    r->raw_pos += (int64_t)*got;
    if (*got == 0) r->raw_eof = 1;
    return 0;
}

/* Makes compressed input available unless the raw input is exhausted. */
static int linereader_in_refill(struct linereader *r, zest_error *err) {
    if (r->in_pos < r->in_len || r->raw_eof) return 0;
    const size_t cap = r->chunk < LINEREADER_IN_MAX ? r->chunk : LINEREADER_IN_MAX;
    size_t got = 0;
    const int rc = linereader_raw_read(r, r->inbuf, cap, &got, err);
    r->in_pos = 0;
    r->in_len = got;
    return rc;
}

/* One inflate step over the available input. Returns 0, or a status with err filled. */
static int linereader_gz_step(struct linereader *r, zest_error *err) {
    z_stream *z = &r->zs;
    const size_t avail = r->in_len - r->in_pos;
    if (!r->member_open) {
        /* Data after a member must be another member (gzip allows concatenation). */
        inflateReset(z);
        r->member_open = 1;
    }
    const uInt give = avail > UINT_MAX ? UINT_MAX : (uInt)avail;
    z->next_in = (Bytef *)(uintptr_t)(r->in + r->in_pos);
    z->avail_in = give;
    const int zrc = inflate(z, Z_NO_FLUSH);
    r->in_pos += give - z->avail_in;
    if (zrc == Z_STREAM_END) r->member_open = 0;
    if (zrc == Z_OK || zrc == Z_STREAM_END || (zrc == Z_BUF_ERROR && avail > 0)) return 0;
    if (zrc == Z_BUF_ERROR) return err_set(err, ZEST_E_FORMAT, "%s", ""); /* ends mid-member */
    if (zrc == Z_MEM_ERROR)
        return err_set_at(err, ZEST_E_NOMEM, r->path, 0, r->out_total, "inflate: no memory");
    return err_set(err, ZEST_E_FORMAT, "%s", z->msg ? z->msg : "corrupt");
}

/* Inflates up to cap bytes into dst. *got is set on failure too: bytes decoded before the
 * damage are still delivered. */
static int linereader_gz_fill(struct linereader *r, char *dst, size_t cap, size_t *got,
                              zest_error *err) {
    z_stream *z = &r->zs;
    const uInt want = cap > UINT_MAX ? UINT_MAX : (uInt)cap;
    int rc = 0;
    z->next_out = (Bytef *)dst;
    z->avail_out = want;
    while (!rc && z->avail_out == want) {
        if ((rc = linereader_in_refill(r, err)) != 0) break;
        if (r->in_pos == r->in_len && !r->member_open) break; /* every member ended */
        rc = linereader_gz_step(r, err);
    }
    *got = want - z->avail_out;
    r->out_total += (int64_t)*got;
    if (rc == ZEST_E_FORMAT) {
        char cause[sizeof err->msg];
        memcpy(cause, err->msg, sizeof cause);
        linereader_format_error(r, cause[0] ? cause : NULL, err);
    }
    return rc;
}

/* Decompresses up to cap bytes into dst; *got is set on failure too (see gz_fill). */
static int linereader_zstd_fill(struct linereader *r, char *dst, size_t cap, size_t *got,
                                zest_error *err) {
    ZSTD_outBuffer out = {dst, cap, 0};
    int rc = 0;
    const char *why = NULL; /* truncated */
    while (!rc && out.pos == 0) {
        if ((rc = linereader_in_refill(r, err)) != 0) break;
        const size_t avail = r->in_len - r->in_pos;
        if (avail == 0 && !r->frame_open) break; /* every frame ended */
        ZSTD_inBuffer in = {r->in, r->in_len, r->in_pos};
        const size_t zrc = ZSTD_decompressStream(r->zd, &out, &in);
        r->in_pos = in.pos;
        if (ZSTD_isError(zrc)) {
            why = ZSTD_getErrorName(zrc);
            rc = ZEST_E_FORMAT;
            break;
        }
        r->frame_open = zrc != 0;
        /* No input left, nothing flushed, frame unfinished: the file ends mid-frame. */
        if (avail == 0 && out.pos == 0 && r->frame_open) rc = ZEST_E_FORMAT;
    }
    *got = out.pos;
    r->out_total += (int64_t)out.pos;
    if (rc == ZEST_E_FORMAT) linereader_format_error(r, why, err);
    return rc;
}

/* Appends up to one chunk of decompressed bytes to the line buffer; sets eof at the end.
 * A decoding failure that still produced bytes is held back until those bytes (and the
 * complete lines in them) have been handed out, so what a damaged file yields does not
 * depend on the chunk size. */
static int linereader_fill(struct linereader *r, zest_error *err) {
    if (r->pending) {
        if (err) *err = r->pending_err;
        return r->pending;
    }
    int rc = buf_reserve(&r->b, r->chunk);
    if (rc)
        return err_set_at(err, rc, r->path, r->line_no, r->base + (int64_t)r->pos,
                          "line buffer: %s", zest_strerror(rc));
    char *dst = r->b.data + r->b.len;
    size_t got = 0;
    switch (r->codec) {
    case SOURCE_GZIP: rc = linereader_gz_fill(r, dst, r->chunk, &got, &r->pending_err); break;
    case SOURCE_ZSTD: rc = linereader_zstd_fill(r, dst, r->chunk, &got, &r->pending_err); break;
    default: rc = linereader_raw_read(r, dst, r->chunk, &got, &r->pending_err); break;
    }
    r->b.len += got;
    if (rc && got > 0) {
        r->pending = rc;
        return 0;
    }
    if (rc && err) *err = r->pending_err;
    if (!rc && got == 0) r->eof = 1;
    return rc;
}

/* Moves the unreturned tail to the front so the next fill has room; keeps offsets exact. */
static void linereader_compact(struct linereader *r) {
    if (r->pos == 0) return;
    const size_t tail = r->b.len - r->pos;
    memmove(r->b.data, r->b.data + r->pos, tail);
    r->base += (int64_t)r->pos;
    r->scan -= r->pos;
    r->b.len = tail;
    r->pos = 0;
}

/* Number of '\n' bytes in p[0, n), eight bytes per step without branches: in x = word ^ "\n\n..",
 * ~(((x & 0x7f..) + 0x7f..) | x | 0x7f..) has bit 7 set exactly in the zero bytes; shifted
 * down, those 0/1 bytes are summed lane-wise for up to 255 words, then added up once. (A
 * popcount instruction is not in baseline x86-64, and memchr per line is slow on short
 * lines.) */
static int64_t linereader_count_nl(const char *p, size_t n) {
    const uint64_t ones7 = 0x7f7f7f7f7f7f7f7full, nl = 0x0a0a0a0a0a0a0a0aull;
    const uint64_t lanes16 = 0x00ff00ff00ff00ffull;
    int64_t count = 0;
    size_t i = 0;
    while (n - i >= 8) {
        const size_t words = (n - i) / 8 < 255 ? (n - i) / 8 : 255;
        uint64_t acc = 0;
        for (size_t w = 0; w < words; w++, i += 8) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            x ^= nl;
            acc += (~(((x & ones7) + ones7) | x | ones7)) >> 7;
        }
        acc = (acc & lanes16) + ((acc >> 8) & lanes16);
        count += (int64_t)((acc * 0x0001000100010001ull) >> 48);
    }
    for (; i < n; i++) count += p[i] == '\n';
    return count;
}

/* Positions a range reader on the first line starting at or after `start`, counting the
 * newlines before it unless the caller gave the line number. Sets done if there is none. */
static int linereader_seek_start(struct linereader *r, zest_error *err) {
    const int64_t target = r->start - 1; /* the line starts after the first '\n' >= target */
    int64_t newlines = 0;
    if (r->first_line > 0) {
        if (lseek(r->fd, target, SEEK_SET) < 0) return linereader_io_error(r, "lseek", err);
        r->base = r->raw_pos = target;
    } else {
        while (r->base + (int64_t)r->b.len <= target) {
            newlines += linereader_count_nl(r->b.data, r->b.len);
            r->base += (int64_t)r->b.len;
            r->b.len = 0;
            ZEST_TRY(linereader_fill(r, err));
            if (r->eof) break;
        }
        if (r->eof) {
            r->done = 1;
            return 0;
        }
        r->pos = (size_t)(target - r->base);
        newlines += linereader_count_nl(r->b.data, r->pos);
    }
    for (;;) {
        const char *nl = memchr(r->b.data + r->pos, '\n', r->b.len - r->pos);
        if (nl) {
            r->pos = r->scan = (size_t)(nl - r->b.data) + 1;
            break;
        }
        /* Skipped bytes belong to the previous range's last line: no limit applies here. */
        r->base += (int64_t)r->b.len;
        r->b.len = r->pos = r->scan = 0;
        if (r->eof) {
            r->done = 1;
            return 0;
        }
        ZEST_TRY(linereader_fill(r, err));
    }
    r->line_no = r->first_line > 0 ? r->first_line : newlines + 2;
    return 0;
}

static int linereader_begin(struct linereader *r, zest_error *err) {
    r->started = 1;
    if (r->codec != SOURCE_PLAIN && !r->inbuf && r->fd >= 0) {
        const size_t cap = r->chunk < LINEREADER_IN_MAX ? r->chunk : LINEREADER_IN_MAX;
        r->inbuf = malloc(cap);
        if (!r->inbuf) return err_set_at(err, ZEST_E_NOMEM, r->path, 0, -1, "out of memory");
        r->in = r->inbuf;
    }
    /* The tail kept between fills is at most max_line bytes (longer fails), plus one chunk. */
    r->b.max = r->max_line > SIZE_MAX - r->chunk - 1 ? SIZE_MAX : r->max_line + r->chunk + 1;
    const int rc = buf_reserve(&r->b, r->chunk);
    if (rc) return err_set_at(err, rc, r->path, 0, -1, "line buffer: %s", zest_strerror(rc));
    if (r->start > 0) return linereader_seek_start(r, err);
    return 0;
}

static int linereader_too_long(struct linereader *r, zest_error *err) {
    const int64_t off = r->base + (int64_t)r->pos;
    return err_set_at(err, ZEST_E_LIMIT, r->path, r->line_no, off,
                      "line at offset %lld is longer than max_line_bytes (%zu)", (long long)off,
                      r->max_line);
}

/* Hands out b.data[pos, stop) as the next line; skip = 1 steps over the '\n' at stop. */
/* Reports the over-long line that began at long_line_no/long_offset, now skipped up to
 * `next` (the byte after its '\n'). The reader goes on with the following line. */
static int linereader_skipped(struct linereader *r, size_t next, zest_error *err) {
    r->discarding = 0;
    r->pos = r->scan = next;
    r->line_no = r->long_line_no + 1;
    return err_set_at(err, ZEST_E_LIMIT, r->path, r->long_line_no, r->long_offset,
                      "line at offset %lld is longer than max_line_bytes (%zu); skipped",
                      (long long)r->long_offset, r->max_line);
}

/* The line at pos passed the limit: fail, or with skip_long start discarding it. */
static int linereader_over_limit(struct linereader *r, zest_error *err) {
    if (!r->skip_long) return linereader_fail(r, linereader_too_long(r, err));
    r->discarding = 1;
    r->long_line_no = r->line_no;
    r->long_offset = r->base + (int64_t)r->pos;
    return 0;
}

static int linereader_emit(struct linereader *r, size_t stop, size_t skip, const char **line,
                           size_t *len, int64_t *line_no, int64_t *offset, zest_error *err) {
    if (stop - r->pos > r->max_line) {
        const int rc = linereader_over_limit(r, err);
        return rc ? rc : linereader_skipped(r, stop + skip, err);
    }
    *line = r->b.data + r->pos;
    *len = stop - r->pos;
    if (line_no) *line_no = r->line_no;
    if (offset) *offset = r->base + (int64_t)r->pos;
    r->line_no++;
    r->pos = r->scan = stop + skip;
    return 1;
}

int linereader_next(struct linereader *r, const char **line, size_t *len, int64_t *line_no,
                    int64_t *offset, zest_error *err) {
    int rc;
    if (r->status)
        return err_set_at(err, r->status, r->path, 0, -1, "reader stopped by an earlier error");
    if (!r->started && (rc = linereader_begin(r, err)) != 0) return linereader_fail(r, rc);
    for (;;) {
        if (r->done) return 0;
        if (r->end >= 0 && !r->discarding && r->base + (int64_t)r->pos >= r->end) {
            r->done = 1;
            return 0;
        }
        const char *nl = memchr(r->b.data + r->scan, '\n', r->b.len - r->scan);
        if (nl && r->discarding) return linereader_skipped(r, (size_t)(nl - r->b.data) + 1, err);
        if (nl)
            return linereader_emit(r, (size_t)(nl - r->b.data), 1, line, len, line_no, offset,
                                   err);
        /* Stop as soon as the partial line passes the limit: never buffer a whole huge line. */
        if (!r->discarding && r->b.len - r->pos > r->max_line &&
            (rc = linereader_over_limit(r, err)) != 0)
            return rc;
        if (r->discarding) r->pos = r->b.len; /* drop what was read of it */
        r->scan = r->b.len;
        if (r->eof && r->discarding) {
            r->done = 1;
            return linereader_skipped(r, r->b.len, err);
        }
        if (r->eof) {
            if (r->pos == r->b.len) {
                r->done = 1;
                return 0;
            }
            return linereader_emit(r, r->b.len, 0, line, len, line_no, offset, err);
        }
        linereader_compact(r);
        if ((rc = linereader_fill(r, err)) != 0) return linereader_fail(r, rc);
    }
}

static int linereader_new(const char *name, size_t max_line_bytes, struct linereader **out,
                          zest_error *err) {
    struct linereader *r = calloc(1, sizeof *r);
    if (r) r->path = strdup(name ? name : "");
    if (!r || !r->path) {
        free(r);
        return err_set(err, ZEST_E_NOMEM, "%s: out of memory", name ? name : "");
    }
    r->fd = -1;
    r->chunk = LINEREADER_CHUNK;
    r->max_line = max_line_bytes ? max_line_bytes : SIZE_MAX;
    r->end = -1;
    r->line_no = 1;
    buf_init(&r->b, 0);
    *out = r;
    return 0;
}

static int linereader_init_codec(struct linereader *r, zest_error *err) {
    if (r->codec == SOURCE_GZIP) {
        /* 15 + 32: 32 KB window, gzip or zlib header detected automatically. */
        if (inflateInit2(&r->zs, 15 + 32) != Z_OK)
            return err_set_at(err, ZEST_E_NOMEM, r->path, 0, -1, "inflateInit2 failed");
        r->zs_ready = 1;
    } else if (r->codec == SOURCE_ZSTD) {
        r->zd = ZSTD_createDCtx();
        if (!r->zd) return err_set_at(err, ZEST_E_NOMEM, r->path, 0, -1, "ZSTD_createDCtx failed");
    }
    return 0;
}

static int linereader_open_fd(struct linereader *r, zest_error *err) {
    do {
        r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
    } while (r->fd < 0 && errno == EINTR);
    if (r->fd < 0)
        return err_set_at(err, errno == ENOENT ? ZEST_E_NOTFOUND : ZEST_E_IO, r->path, 0, -1,
                          "open: %s", strerror(errno));
    struct stat st;
    if (fstat(r->fd, &st) != 0) return linereader_io_error(r, "fstat", err);
    if (S_ISDIR(st.st_mode))
        return err_set_at(err, ZEST_E_IO, r->path, 0, -1, "is a directory, not a file");
    unsigned char head[4];
    ssize_t n;
    do {
        n = pread(r->fd, head, sizeof head, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return linereader_io_error(r, "read", err);
    r->codec = source_codec_sniff(head, (size_t)n);
    /* Advisory only: a failure costs read-ahead, not correctness. */
    (void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return 0;
}

int linereader_open(const char *path, size_t max_line_bytes, int64_t start, int64_t end,
                    struct linereader **out, zest_error *err) {
    struct linereader *r = NULL;
    int rc;
    *out = NULL;
    if (start < 0 || (end >= 0 && end < start) || end < -1)
        return err_set_at(err, ZEST_E_PARAM, path, 0, -1, "bad byte range [%lld, %lld)",
                          (long long)start, (long long)end);
    if ((rc = linereader_new(path, max_line_bytes, &r, err)) != 0) return rc;
    r->start = start;
    r->end = end;
    if ((rc = linereader_open_fd(r, err)) != 0) goto out;
    if (r->codec != SOURCE_PLAIN && (start != 0 || end != -1)) {
        rc = err_set_at(err, ZEST_E_UNSUPPORTED, path, 0, -1,
                        "byte ranges need an uncompressed file; this one is %s",
                        source_codec_name(r->codec));
        goto out;
    }
    rc = linereader_init_codec(r, err);
out:
    if (rc) {
        linereader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int linereader_open_mem(const char *name, const void *data, size_t len, size_t max_line_bytes,
                        struct linereader **out, zest_error *err) {
    struct linereader *r = NULL;
    int rc;
    *out = NULL;
    if ((rc = linereader_new(name, max_line_bytes, &r, err)) != 0) return rc;
    r->mem = data;
    r->mem_len = len;
    r->codec = source_codec_sniff(data, len);
    if (r->codec != SOURCE_PLAIN) {
        /* Decode straight from the caller's memory: the whole input is one window. */
        r->in = data;
        r->in_len = len;
        r->raw_pos = (int64_t)len;
        r->raw_eof = 1;
    }
    rc = linereader_init_codec(r, err);
    if (rc) {
        linereader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

void linereader_set_chunk(struct linereader *r, size_t bytes) {
    if (!r->started) r->chunk = bytes ? bytes : 1;
}

void linereader_set_skip_long(struct linereader *r, int on) { r->skip_long = on; }

void linereader_set_first_line(struct linereader *r, int64_t line_no) {
    if (!r->started && line_no > 0) r->first_line = line_no;
}

enum source_codec linereader_codec(const struct linereader *r) { return r->codec; }

int64_t linereader_bytes_in(const struct linereader *r) { return r->raw_pos; }

void linereader_close(struct linereader *r) {
    if (!r) return;
    if (r->fd >= 0) close(r->fd);
    if (r->zs_ready) inflateEnd(&r->zs);
    ZSTD_freeDCtx(r->zd);
    free(r->inbuf);
    buf_free(&r->b);
    free(r->path);
    free(r);
}

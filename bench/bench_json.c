/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_json.c - a by-hand throughput check of io/json (not a test: tests never time things).
 * Builds ~200 MB of records {"text":"<~2 KB of English with some UTF-8>","meta":{"id":N}}
 * from a text file (default: the GPL-3 licence text), or takes the first 200 MB of a JSONL
 * file given with -f, and reports MB/s of json_canon_value over whole records, of the record
 * walk (json_read_string for "text", json_canon_value for the rest), of json_read_string on
 * the strings alone, and of json_skip_value.
 *
 *   cc -std=c11 -O2 -Iinclude -D_GNU_SOURCE bench/bench_json.c src/io/json.c \
 *      src/io/json_write.c src/common/buf.c src/common/arena.c -o /tmp/bench_json
 *   /tmp/bench_json [-t text-file | -f records.jsonl]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/io/json.h"

#define TARGET ((size_t)200 << 20)

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be shared */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t max, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *d = malloc(max);
    *len = fread(d, 1, max, f);
    fclose(f);
    return d;
}

/* Records of ~2 KB slices of `src`, with a few non-ASCII words mixed in. */
static void make_records(const char *src, size_t n, struct buf *out) {
    static const char *const spice[] = {"caf\xc3\xa9", "na\xc3\xafve", "\xe2\x80\x94",
                                        "\xe2\x80\x9cquoted\xe2\x80\x9d", "\xe4\xb8\xad\xe6\x96\x87"};
    struct buf text;
    buf_init(&text, 0);
    size_t at = 0;
    for (unsigned id = 0; out->len < TARGET; id++) {
        buf_clear(&text);
        while (text.len < 2048) {
            const size_t take = 150 < n - at ? 150 : n - at;
            buf_append(&text, src + at, take);
            buf_append(&text, " ", 1);
            buf_append(&text, spice[(id + at) % 5], strlen(spice[(id + at) % 5]));
            at = at + take >= n ? 0 : at + take;
        }
        buf_append(out, "{\"text\":", 8);
        json_write_string(out, text.data, text.len);
        buf_printf(out, ",\"meta\":{\"id\":%u}}\n", id);
    }
    buf_free(&text);
}

/* Splits the buffer into lines (records). */
static size_t split_lines(char *d, size_t len, const char ***starts, size_t **lens) {
    size_t n = 0, cap = 1 << 16;
    *starts = malloc(cap * sizeof **starts);
    *lens = malloc(cap * sizeof **lens);
    for (char *p = d, *e = d + len; p < e;) {
        char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl) break;
        if (n == cap) {
            cap *= 2;
            *starts = realloc(*starts, cap * sizeof **starts);
            *lens = realloc(*lens, cap * sizeof **lens);
        }
        (*starts)[n] = p;
        (*lens)[n++] = (size_t)(nl - p);
        p = nl + 1;
    }
    return n;
}

int main(int argc, char **argv) {
    const char *textfile = "/usr/share/common-licenses/GPL-3", *jsonl = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-t")) textfile = argv[i + 1];
        if (!strcmp(argv[i], "-f")) jsonl = argv[i + 1];
    }
    struct buf data;
    buf_init(&data, 0);
    size_t n;
    if (jsonl) {
        data.data = slurp(jsonl, TARGET, &n);
        data.len = data.cap = n;
    } else {
        char *src = slurp(textfile, 1 << 20, &n);
        make_records(src, n, &data);
        free(src);
    }
    const char **rec;
    size_t *rlen;
    const size_t nrec = split_lines(data.data, data.len, &rec, &rlen);
    size_t total = 0;
    for (size_t i = 0; i < nrec; i++) total += rlen[i];
    printf("%zu records, %.1f MB\n", nrec, (double)total / 1e6);

    /* Where each record's "text" value starts, and how long it is. */
    const char **tv = calloc(nrec, sizeof *tv);
    size_t str_bytes = 0;
    for (size_t i = 0; i < nrec; i++) {
        const char *q = memmem(rec[i], rlen[i], "\"text\":", 7);
        if (!q) continue;
        struct json_cursor probe;
        json_cursor_init(&probe, q + 7, (size_t)(rec[i] + rlen[i] - q - 7));
        json_skip_ws(&probe);
        if (json_peek_type(&probe) != JSON_STRING) continue;
        tv[i] = probe.p;
        if (json_skip_value(&probe)) return 1;
        str_bytes += (size_t)(probe.p - tv[i]);
    }
    struct buf out, key;
    buf_init(&out, 0);
    buf_init(&key, 0);
    struct json_cursor c;
    for (int round = 0; round < 2; round++) {
        double t = now();
        for (size_t i = 0; i < nrec; i++) {
            json_cursor_init(&c, rec[i], rlen[i]);
            buf_clear(&out);
            if (json_canon_value(&c, &out) || json_expect_end(&c)) {
                fprintf(stderr, "record %zu: %s\n", i, c.err);
                return 1;
            }
        }
        printf("json_canon_value (whole records):   %7.0f MB/s\n", (double)total / 1e6 / (now() - t));

        t = now();
        for (size_t i = 0; i < nrec; i++) {
            json_cursor_init(&c, rec[i], rlen[i]);
            buf_clear(&out);
            int rc = json_object_begin(&c);
            while (!rc && (rc = json_object_next_key(&c, &key)) == 1)
                rc = json_peek_type(&c) == JSON_STRING ? json_read_string(&c, &out)
                                                       : json_canon_value(&c, &out);
            if (rc < 0) {
                fprintf(stderr, "record %zu: %s\n", i, c.err);
                return 1;
            }
        }
        printf("record walk (read_string + canon):  %7.0f MB/s\n", (double)total / 1e6 / (now() - t));

        /* json_read_string alone, over the value of "text" (the bytes from its quote). */
        t = now();
        for (size_t i = 0; i < nrec; i++) {
            if (!tv[i]) continue;
            json_cursor_init(&c, tv[i], (size_t)(rec[i] + rlen[i] - tv[i]));
            buf_clear(&out);
            if (json_read_string(&c, &out)) return 1;
        }
        printf("json_read_string (text values):     %7.0f MB/s  (%.1f MB of strings)\n",
               (double)str_bytes / 1e6 / (now() - t), (double)str_bytes / 1e6);

        t = now();
        for (size_t i = 0; i < nrec; i++) {
            json_cursor_init(&c, rec[i], rlen[i]);
            if (json_skip_value(&c)) return 1;
        }
        printf("json_skip_value (whole records):    %7.0f MB/s\n", (double)total / 1e6 / (now() - t));
    }
    return 0;
}

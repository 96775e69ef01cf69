/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_clean_copyright.c - clean_copyright_mapper (Data-Juicer's): when the text has a
 * C-style comment, the first one (from the first "/" "*" to the next "*" "/") is deleted if it
 * contains "copyright" in any case, and the text is otherwise left alone; when it has none,
 * the leading lines that start with "//", "#" or "--" or are empty are dropped. Plain byte
 * scanning gives what Data-Juicer's pattern for a C comment finds.
 */
#include "textmap.h"

/* "copyright" in ASCII case-insensitively (no other character folds to these letters in
 * Python's simple case folding). */
static bool has_copyright(const char *s, size_t len) {
    static const char word[] = "copyright";
    for (size_t i = 0; i + 9 <= len; i++) {
        size_t k = 0;
        while (k < 9 && (s[i + k] | 0x20) == word[k]) k++;
        if (k == 9) return true;
    }
    return false;
}

static bool comment_line(const char *s, size_t n) {
    return n == 0 || s[0] == '#' || (n >= 2 && ((s[0] == '/' && s[1] == '/') ||
                                                (s[0] == '-' && s[1] == '-')));
}

static int copyright_apply(void *state, const char *s, size_t len, struct buf *out) {
    (void)state;
    const char *open = memmem(s, len, "/*", 2);
    const char *close = open ? memmem(open + 2, len - (size_t)(open + 2 - s), "*/", 2) : NULL;
    if (close) {
        const size_t a = (size_t)(open - s), b = (size_t)(close + 2 - s);
        if (!has_copyright(s + a, b - a)) return buf_append(out, s, len);
        ZEST_TRY(buf_append(out, s, a));
        return buf_append(out, s + b, len - b);
    }
    /* drop the leading comment and empty lines; a last line has no '\n' after it */
    size_t pos = 0;
    for (;;) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        const size_t end = nl ? (size_t)(nl - s) : len;
        if (!comment_line(s + pos, end - pos)) break;
        if (!nl) {
            pos = len;
            break;
        }
        pos = end + 1;
    }
    return buf_append(out, s + pos, len - pos);
}

static int copyright_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, copyright_apply, state, err);
}

const struct op_desc op_clean_copyright_mapper = {
    .info = {.name = "clean_copyright_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Delete a leading copyright comment (/* ... */ containing \"copyright\", "
                        "or leading //, # and -- lines)",
             .params = NULL,
             .n_params = 0},
    .state_size = 0,
    .process = copyright_process,
};

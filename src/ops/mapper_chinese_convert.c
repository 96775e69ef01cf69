/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_chinese_convert.c - chinese_convert_mapper (Data-Juicer's): converts the text between
 * Simplified and Traditional Chinese (and the Taiwan and Hong Kong standards, and Japanese
 * Shinjitai) with OpenCC, as Data-Juicer does through OpenCC's Python binding, using the
 * conversion `mode`'s configuration (<mode>.json from OpenCC's data directory; Debian's
 * libopencc1.1 and libopencc-data). The configuration is opened once when the config is loaded
 * (a failure is a config error) and once per worker, so no converter is shared between
 * threads. OpenCC returns each converted text in memory it allocates; that one allocation per
 * text is the library's, copied into the batch's column and freed at once.
 *
 * OpenCC only replaces dictionary keys, and every key of its tables holds a character at or
 * above U+2E80 (CJK; checked over all of Debian's OpenCC 1.1.6 tables, dumped with
 * opencc_dict: the few keys with Latin letters, such as "U盤", hold CJK too). So a text
 * without any character from U+2000 up (no UTF-8 lead byte 0xE2 or above) cannot change and is
 * copied without calling OpenCC: most non-Chinese text, at memory speed.
 */
#include <opencc/opencc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../common/err.h"
#include "op.h"

enum { P_MODE };

static const zest_param_desc params[] = {
    {.name = "mode", .type = ZEST_PARAM_STRING, .default_value = "s2t",
     .choices = "s2t|t2s|s2tw|tw2s|s2hk|hk2s|s2twp|tw2sp|t2tw|tw2t|hk2t|t2hk|t2jp|jp2t",
     .help = "conversion: s2t Simplified to Traditional, t2s back, s2tw / tw2s Taiwan "
             "standard, s2hk / hk2s Hong Kong variant, s2twp / tw2sp with Taiwanese / "
             "Mainland idioms, t2tw, tw2t, hk2t, t2hk between Traditional variants, t2jp / "
             "jp2t Kyujitai and Shinjitai"},
};

struct state {
    opencc_t cc;
    bool open;
};

/* Opens OpenCC's configuration for the mode; a config error naming it when that fails. */
static int cc_open(const char *mode, opencc_t *cc, zest_error *err) {
    char file[64];
    snprintf(file, sizeof file, "%s.json", mode);
    *cc = opencc_open(file);
    if (*cc == (opencc_t)-1)
        return err_set(err, ZEST_E_CONFIG, "chinese_convert_mapper: mode %s: OpenCC: %s "
                       "(Debian's libopencc-data ships the conversion tables)", mode,
                       opencc_error());
    return 0;
}

static int cc_prepare(struct op_params *p, zest_error *err) {
    opencc_t cc;
    ZEST_TRY(cc_open(p->v[P_MODE].s, &cc, err));
    opencc_close(cc);
    return 0;
}

static int cc_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    ZEST_TRY(cc_open(p->v[P_MODE].s, &s->cc, err));
    s->open = true;
    return 0;
}

static void cc_destroy(void *state) {
    struct state *s = state;
    if (s->open) opencc_close(s->cc);
    s->open = false;
}

/* Could the text hold a character from U+2000 up? Eight bytes at a time. */
static bool maybe_cjk(const char *t, size_t len) {
    const unsigned char *p = (const unsigned char *)t;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        /* a byte >= 0xE2 has its top three bits set and is not 0xE0 or 0xE1 */
        if (!(w & (w << 1) & (w << 2) & 0x8080808080808080ull)) continue;
        for (size_t k = 0; k < 8; k++)
            if (p[i + k] >= 0xE2) return true;
    }
    for (; i < len; i++)
        if (p[i] >= 0xE2) return true;
    return false;
}

static int cc_process(void *state, struct op_ctx *ctx, zest_error *err) {
    const struct state *s = state;
    const struct column *text = &ctx->in->cols[ctx->text_col];
    struct col_builder *out = ctx->text_out;
    for (int64_t r = 0; r < ctx->in->length; r++) {
        if (!col_is_valid(text, r)) {
            ZEST_TRY(colb_append_null(out));
            continue;
        }
        size_t len;
        const char *t = col_str(text, r, &len);
        if (!maybe_cjk(t, len)) {
            ZEST_TRY(colb_append_str(out, t, len));
            continue;
        }
        char *converted = opencc_convert_utf8(s->cc, t, len);
        if (!converted)
            return err_set(err, ZEST_E_NOMEM, "chinese_convert_mapper: row %lld: OpenCC: %s",
                           (long long)r, opencc_error());
        const int rc = colb_append_str(out, converted, strlen(converted));
        opencc_convert_utf8_free(converted);
        ZEST_TRY(rc);
    }
    ctx->text_replaced = true;
    return 0;
}

const struct op_desc op_chinese_convert_mapper = {
    .info = {.name = "chinese_convert_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Convert Chinese text between Simplified, Traditional (Taiwan, Hong Kong) "
                        "and Japanese Kanji forms with OpenCC",
             .params = params,
             .n_params = sizeof params / sizeof params[0]},
    .state_size = sizeof(struct state),
    .prepare = cc_prepare,
    .init = cc_init,
    .process = cc_process,
    .destroy = cc_destroy,
};

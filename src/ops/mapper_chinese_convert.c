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
 */
#include <opencc/opencc.h>
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
        if (!len) {
            ZEST_TRY(colb_append_str(out, "", 0));
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

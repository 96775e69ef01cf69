/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_write.c - the JSON writer: canonical string literals, shortest round-trip doubles,
 * integers, and whole trees from json_parse_value. Canonical form is the one json.h defines
 * (minimal escapes, raw UTF-8, numbers as their text, no whitespace), so writing a parsed tree
 * gives byte for byte what json_canon_value gives for the same text. Calls common/buf only.
 */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/err.h"
#include "zest.h"

static const char json_hex[] = "0123456789abcdef";

size_t json_escape_ascii(char *o, unsigned char ch) {
    static const char short_esc[32] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
                                       ['\t'] = 't'};
    o[0] = '\\';
    if (ch == '"' || ch == '\\') {
        o[1] = (char)ch;
        return 2;
    }
    if (short_esc[ch]) {
        o[1] = short_esc[ch];
        return 2;
    }
    memcpy(o + 1, "u00", 3);
    o[4] = json_hex[ch >> 4];
    o[5] = json_hex[ch & 15];
    return 6;
}

/* Index of the first byte in s[i, len) that must be escaped, or len. */
static size_t json_next_escapable(const char *s, size_t i, size_t len) {
    for (; i + 8 <= len; i += 8) {
        const uint64_t m = json_swar_escapable(json_swar_load(s + i));
        if (m) return i + json_swar_first(m);
    }
    for (; i < len; i++) {
        const unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == '"' || ch == '\\') return i;
    }
    return len;
}

int json_write_string(struct buf *out, const char *s, size_t len) {
    /* Room for the plain case up front; each escape then tops the reservation up, so the
     * rare 6x growth of control characters never costs the common case anything. */
    int rc = buf_reserve(out, len + 2);
    if (rc) return rc;
    buf_put(out, "\"", 1);
    size_t i = 0;
    for (;;) {
        const size_t j = json_next_escapable(s, i, len);
        buf_put(out, s + i, j - i);
        if (j == len) break;
        if ((rc = buf_reserve(out, 6 + (len - j)))) return rc;
        out->len += json_escape_ascii(out->data + out->len, (unsigned char)s[j]);
        i = j + 1;
    }
    buf_put(out, "\"", 1);
    return 0;
}

int json_write_int(struct buf *out, int64_t v) {
    char tmp[24];
    char *q = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--q = '-';
    return buf_append(out, q, (size_t)(tmp + sizeof tmp - q));
}

int json_write_double(struct buf *out, double d) {
    if (!isfinite(d)) return buf_append(out, "null", 4);
    /* The shortest of 15, 16, 17 significant digits that reads back exactly; 17 always does. */
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d) break;
    }
    /* Keep it a double when read back: "1" would come back as an integer. */
    if (!strpbrk(tmp, ".e")) strcat(tmp, ".0");
    return buf_append(out, tmp, strlen(tmp));
}

static int json_write_array(struct buf *out, const struct json_value *v) {
    ZEST_TRY(buf_putc(out, '['));
    for (size_t i = 0; i < v->u.arr.n; i++) {
        if (i) ZEST_TRY(buf_putc(out, ','));
        ZEST_TRY(json_write_value(out, &v->u.arr.items[i]));
    }
    return buf_putc(out, ']');
}

static int json_write_object(struct buf *out, const struct json_value *v) {
    ZEST_TRY(buf_putc(out, '{'));
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const struct json_member *m = &v->u.obj.members[i];
        if (i) ZEST_TRY(buf_putc(out, ','));
        ZEST_TRY(json_write_string(out, m->key, m->key_len));
        ZEST_TRY(buf_putc(out, ':'));
        ZEST_TRY(json_write_value(out, &m->value));
    }
    return buf_putc(out, '}');
}

int json_write_value(struct buf *out, const struct json_value *v) {
    switch (v->type) {
    case JSON_NULL: return buf_append(out, "null", 4);
    case JSON_FALSE: return buf_append(out, "false", 5);
    case JSON_TRUE: return buf_append(out, "true", 4);
    case JSON_NUMBER: return buf_append(out, v->u.num.text, v->u.num.len);
    case JSON_STRING: return json_write_string(out, v->u.str.ptr, v->u.str.len);
    case JSON_ARRAY: return json_write_array(out, v);
    case JSON_OBJECT: return json_write_object(out, v);
    }
    return ZEST_E_INTERNAL;
}

/* ---- building one object -------------------------------------------------------------- */

void json_obj_begin(struct json_obj *o, struct buf *b) {
    o->b = b;
    o->first = 1;
    o->rc = buf_putc(b, '{');
}

/* Writes the separator and "key": ; returns 0 when the value may follow. */
static int json_obj_key(struct json_obj *o, const char *key) {
    if (o->rc) return o->rc;
    if (!o->first && (o->rc = buf_putc(o->b, ','))) return o->rc;
    o->first = 0;
    if ((o->rc = json_write_string(o->b, key, strlen(key)))) return o->rc;
    return o->rc = buf_putc(o->b, ':');
}

void json_obj_str(struct json_obj *o, const char *key, const char *val) {
    if (val && !json_obj_key(o, key)) o->rc = json_write_string(o->b, val, strlen(val));
}

void json_obj_int(struct json_obj *o, const char *key, int64_t v) {
    if (!json_obj_key(o, key)) o->rc = json_write_int(o->b, v);
}

void json_obj_double(struct json_obj *o, const char *key, double v) {
    if (!json_obj_key(o, key)) o->rc = json_write_double(o->b, v);
}

void json_obj_bool(struct json_obj *o, const char *key, bool v) {
    if (!json_obj_key(o, key)) o->rc = buf_append(o->b, v ? "true" : "false", v ? 4 : 5);
}

void json_obj_raw(struct json_obj *o, const char *key, const char *json) {
    if (json && !json_obj_key(o, key)) o->rc = buf_append(o->b, json, strlen(json));
}

int json_obj_end(struct json_obj *o) {
    if (!o->rc) o->rc = buf_putc(o->b, '}');
    return o->rc;
}

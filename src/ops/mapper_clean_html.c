/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mapper_clean_html.c - clean_html_mapper (Data-Juicer's): "<li>" and "<ol>" become "\n*",
 * "</li>" and "</ol>" are deleted (plain string replacements, case-sensitive), then the text
 * is parsed as HTML and the result is the concatenated text of every text node under <body>
 * (selectolax's HTMLParser(...).text(): no separator, no stripping, comments left out,
 * entities decoded). The parser is libxml2's HTML parser in recovery mode, one parser context
 * per op instance, reused; see docs/ops/clean_html_mapper.md for where its tree differs from
 * an HTML5 parser's.
 */
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "textmap.h"

struct state {
    htmlParserCtxtPtr ctxt;
    struct buf pre;   /* the text after the <li>/<ol> replacements */
    struct buf fixed; /* ... and after html_fix_lt */
};

static pthread_once_t html_once = PTHREAD_ONCE_INIT;
static void html_global_init(void) { xmlInitParser(); }

static int html_init(void *state, const struct op_params *p, zest_error *err) {
    struct state *s = state;
    (void)p;
    pthread_once(&html_once, html_global_init);
    buf_init(&s->pre, 0);
    buf_init(&s->fixed, 0);
    s->ctxt = htmlNewParserCtxt();
    if (!s->ctxt) return err_set(err, ZEST_E_NOMEM, "clean_html_mapper: out of memory");
    return 0;
}

/* Data-Juicer's four str.replace calls, in their order. */
static int html_replace_lists(const char *s, size_t len, struct buf *out) {
    static const struct {
        const char *from, *to;
    } rep[4] = {{"<li>", "\n*"}, {"</li>", ""}, {"<ol>", "\n*"}, {"</ol>", ""}};
    struct buf tmp[2];
    buf_init(&tmp[0], 0);
    buf_init(&tmp[1], 0);
    int rc = 0;
    for (int i = 0; i < 4 && !rc; i++) {
        struct buf *dst = i == 3 ? out : &tmp[i & 1];
        const size_t fl = strlen(rep[i].from), tl = strlen(rep[i].to);
        size_t pos = 0;
        for (const char *hit; !rc && (hit = memmem(s + pos, len - pos, rep[i].from, fl));) {
            rc = buf_append(dst, s + pos, (size_t)(hit - s) - pos);
            if (!rc) rc = buf_append(dst, rep[i].to, tl);
            pos = (size_t)(hit - s) + fl;
        }
        if (!rc) rc = buf_append(dst, s + pos, len - pos);
        if (i < 3) {
            if (i) buf_clear(&tmp[(i - 1) & 1]);
            s = dst->data ? dst->data : "", len = dst->len;
        }
    }
    buf_free(&tmp[0]);
    buf_free(&tmp[1]);
    return rc;
}

static bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* The raw-text elements whose content an HTML5 tokenizer reads verbatim up to the closing
 * tag: the '<' rules below must not touch it. Returns the length of the name matched at p
 * (after '<' or "</"), 0 when none. */
static size_t raw_element(const char *p, size_t avail) {
    static const char *const names[] = {"script", "style", "textarea", "title", "xmp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const size_t n = strlen(names[i]);
        if (avail > n && strncasecmp(p, names[i], n) == 0 &&
            (p[n] == '>' || p[n] == '/' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n'))
            return n;
    }
    return 0;
}

/* End of the raw text that starts at `from` inside element name[0, n): the start of its
 * closing tag, or len. */
static size_t raw_end(const char *s, size_t len, size_t from, const char *name, size_t n) {
    for (size_t i = from; i + 2 + n <= len; i++)
        if (s[i] == '<' && s[i + 1] == '/' && strncasecmp(s + i + 2, name, n) == 0) return i;
    return len;
}

/* Where an HTML5 parser and libxml2 part ways, rewritten before libxml2 sees the text:
 * "\r\n" and a lone '\r' become '\n' (HTML5's input preprocessing); a '<' that cannot open
 * a tag (not followed by a letter, '!', '/' or '?') is text in HTML5, so it becomes "&lt;";
 * "</" followed by something else than a letter is a bogus comment up to the next '>', so it
 * is deleted. The content of script, style, textarea, title and xmp is copied as it is. */
static int html_fix_lt(const char *s, size_t len, struct buf *out) {
    ZEST_TRY(buf_reserve(out, len));
    for (size_t i = 0; i < len;) {
        const char ch = s[i];
        if (ch == '\r') {
            ZEST_TRY(buf_putc(out, '\n'));
            i += i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
            continue;
        }
        if (ch != '<') {
            const char *stop = s + i;
            while (stop < s + len && *stop != '<' && *stop != '\r') stop++;
            ZEST_TRY(buf_append(out, s + i, (size_t)(stop - (s + i))));
            i = (size_t)(stop - s);
            continue;
        }
        const char c = i + 1 < len ? s[i + 1] : '\0';
        size_t rn;
        if (ascii_alpha(c) && (rn = raw_element(s + i + 1, len - i - 1))) {
            const char *gt = memchr(s + i, '>', len - i);
            const size_t body = gt ? (size_t)(gt + 1 - s) : len;
            const size_t stop = raw_end(s, len, body, s + i + 1, rn);
            ZEST_TRY(buf_append(out, s + i, stop - i));
            i = stop;
            if (i < len) { /* the closing tag itself */
                ZEST_TRY(buf_append(out, "</", 2));
                i += 2;
            }
            continue;
        }
        if (ascii_alpha(c) || c == '!' || c == '?' ||
            (c == '/' && i + 2 < len && ascii_alpha(s[i + 2]))) {
            ZEST_TRY(buf_putc(out, '<'));
            i++;
        } else if (c == '/') {
            const char *gt = i + 2 < len ? memchr(s + i + 2, '>', len - i - 2) : NULL;
            i = gt ? (size_t)(gt + 1 - s) : len;
        } else {
            ZEST_TRY(buf_append(out, "&lt;", 4));
            i++;
        }
    }
    return 0;
}

static int html_collect(const xmlNode *n, struct buf *out) {
    for (; n; n = n->next) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
            ZEST_TRY(buf_append(out, n->content, strlen((const char *)n->content)));
        else if (n->type == XML_ELEMENT_NODE)
            ZEST_TRY(html_collect(n->children, out));
    }
    return 0;
}

static const xmlNode *html_body(const xmlDoc *doc) {
    const xmlNode *root = xmlDocGetRootElement(doc);
    for (const xmlNode *n = root ? root->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && xmlStrcasecmp(n->name, BAD_CAST "body") == 0) return n;
    return NULL;
}

static int html_apply(void *state, const char *s, size_t len, struct buf *out) {
    struct state *st = state;
    buf_clear(&st->pre);
    ZEST_TRY(html_replace_lists(s, len, &st->pre));
    buf_clear(&st->fixed);
    ZEST_TRY(html_fix_lt(st->pre.data ? st->pre.data : "", st->pre.len, &st->fixed));
    if (st->fixed.len > INT32_MAX) return ZEST_E_LIMIT;
    htmlCtxtReset(st->ctxt);
    xmlDoc *doc = htmlCtxtReadMemory(st->ctxt, st->fixed.data ? st->fixed.data : "", (int)st->fixed.len,
                                     NULL, "UTF-8",
                                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                         HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    int rc = 0;
    const xmlNode *body = doc ? html_body(doc) : NULL;
    if (body) rc = html_collect(body->children, out);
    xmlFreeDoc(doc);
    return rc;
}

static int html_process(void *state, struct op_ctx *ctx, zest_error *err) {
    return textmap_run(ctx, html_apply, state, err);
}

static void html_destroy(void *state) {
    struct state *s = state;
    if (s->ctxt) htmlFreeParserCtxt(s->ctxt);
    buf_free(&s->pre);
    buf_free(&s->fixed);
}

const struct op_desc op_clean_html_mapper = {
    .info = {.name = "clean_html_mapper",
             .kind = ZEST_OP_MAPPER,
             .summary = "Turn HTML into its text (list items become \"\\n*\" lines)",
             .params = NULL,
             .n_params = 0},
    .state_size = sizeof(struct state),
    .init = html_init,
    .process = html_process,
    .destroy = html_destroy,
};

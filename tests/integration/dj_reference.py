#!/usr/bin/env python3
"""dj_reference.py - an independent reference for the seed pipeline's semantics, written from
Data-Juicer's documented behaviour: whitespace_normalization_mapper (str.strip(), then each
VARIOUS_WHITESPACES character -> one space), text_length_filter (len() in code points,
closed interval) and, with `lid`, language_id_score_filter (the real fastText through
python3-fasttext on text.lower() with newlines made spaces; the top label without __label__
must be LANG and its probability >= MIN). Reads JSONL, writes compact JSONL (UTF-8, keys in
input order), so the integration tests can compare zest's output with it byte for byte.

usage: dj_reference.py INPUT OUTPUT MIN_LEN MAX_LEN [keep_stats] [lid LANG MIN MODEL]
(lid needs Debian's python3-fasttext: run it with /usr/bin/python3)
"""
import json
import sys

VARIOUS_WHITESPACES = {
    ' ', '\t', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006',
    '\u2007', '\u2008', '\u2009', '\u200a', '\u00a0', '\u202f', '\u205f', '\u3000',
    '\u200b', '\u200c', '\u200d', '\u2060', '\ufffc', '\u0084',
}


def normalize(text):
    return ''.join(' ' if c in VARIOUS_WHITESPACES else c for c in text.strip())


def language_filter(args):
    """The keep rule of language_id_score_filter, or None without `lid` in args."""
    if 'lid' not in args:
        return None
    lang, min_score, model = args[args.index('lid') + 1:args.index('lid') + 4]
    import fasttext  # Debian's python3-fasttext
    fasttext.FastText.eprint = lambda *a, **k: None  # its load_model warning
    ft = fasttext.load_model(model)

    def keep(text):
        labels, probs = ft.predict(text.lower().replace('\n', ' '))
        return labels[0].replace('__label__', '') == lang and probs[0] >= float(min_score)
    return keep


def main():
    src, dst, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    keep_stats = 'keep_stats' in sys.argv[5:]
    lid = language_filter(sys.argv[5:])
    with open(src, encoding='utf-8') as f, open(dst, 'w', encoding='utf-8') as out:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            rec['text'] = normalize(rec['text'])
            n = len(rec['text'])
            if not lo <= n <= hi:
                continue
            if lid and not lid(rec['text']):
                continue
            if keep_stats:
                rec.setdefault('__dj__stats__', {})['text_len'] = n
            else:
                rec.pop('__dj__stats__', None)
            out.write(json.dumps(rec, ensure_ascii=False, separators=(',', ':')) + '\n')


if __name__ == '__main__':
    main()

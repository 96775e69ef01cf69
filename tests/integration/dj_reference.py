#!/usr/bin/env python3
"""dj_reference.py - an independent reference for the seed pipeline's semantics, written from
Data-Juicer's documented behaviour: whitespace_normalization_mapper (str.strip(), then each
VARIOUS_WHITESPACES character -> one space) and text_length_filter (len() in code points,
closed interval). Reads JSONL, writes compact JSONL (UTF-8, keys in input order), so the
integration tests can compare zest's output with it byte for byte.

usage: dj_reference.py INPUT OUTPUT MIN_LEN MAX_LEN [keep_stats]
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


def main():
    src, dst, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    keep_stats = len(sys.argv) > 5 and sys.argv[5] == 'keep_stats'
    with open(src, encoding='utf-8') as f, open(dst, 'w', encoding='utf-8') as out:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            rec['text'] = normalize(rec['text'])
            n = len(rec['text'])
            if not lo <= n <= hi:
                continue
            if keep_stats:
                rec.setdefault('__dj__stats__', {})['text_len'] = n
            else:
                rec.pop('__dj__stats__', None)
            out.write(json.dumps(rec, ensure_ascii=False, separators=(',', ':')) + '\n')


if __name__ == '__main__':
    main()

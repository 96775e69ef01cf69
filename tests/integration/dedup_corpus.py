#!/usr/bin/env python3
"""dedup_corpus.py - a JSONL corpus with planted duplicates, and its ground truth.

Usage: dedup_corpus.py OUT.jsonl TRUTH.json [--docs N] [--edit-rate R] [--seed S]

Originals are documents of 80 to 200 words drawn from a synthetic vocabulary. After them
come, mixed in at random later positions (so across partitions): exact copies of earlier
documents, and near copies in which each word was replaced by a random word with probability
R (the edit rate, default 0.02). TRUTH.json lists, for each planted copy, its line index
(0-based) and the index of the document it copies, plus the kind (exact or near).
Deterministic for a seed.
"""
import json
import random
import sys


def main():
    args = sys.argv[1:]
    out, truth_path = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    n = int(opts.get('--docs', 2000))
    rate = float(opts.get('--edit-rate', 0.02))
    rng = random.Random(int(opts.get('--seed', 7)))
    letters = 'abcdefghijklmnopqrstuvwxyz'
    vocab = [''.join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(20000)]
    docs = []  # (text, kind, key of the original copied or -1), key = position among originals
    for k in range(n):
        words = [rng.choice(vocab) for _ in range(rng.randint(80, 200))]
        docs.append((' '.join(words), 'original', k))
    copies = n // 10
    for c in range(copies):
        src = rng.randrange(len(docs))
        while docs[src][1] != 'original':
            src = rng.randrange(len(docs))
        text = docs[src][0]
        if c % 2:
            words = [w if rng.random() >= rate else rng.choice(vocab) for w in text.split(' ')]
            text, kind = ' '.join(words), 'near'
        else:
            kind = 'exact'
        at = rng.randint(src + 1, len(docs))
        docs.insert(at, (text, kind, docs[src][2]))
    ids = {d[2]: i for i, d in enumerate(docs) if d[1] == 'original'}
    truth = []
    with open(out, 'w') as f:
        for i, (text, kind, src) in enumerate(docs):
            f.write(json.dumps({'text': text, 'id': i}) + '\n')
            if kind != 'original':
                truth.append({'line': i, 'copies': ids[src], 'kind': kind})
    json.dump({'edit_rate': rate, 'docs': len(docs), 'copies': truth}, open(truth_path, 'w'))


if __name__ == '__main__':
    main()

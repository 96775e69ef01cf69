#!/usr/bin/env python3
"""dedup_quality.py - precision and recall of the near-duplicate deduplicators.

Usage: dedup_quality.py ZEST WORKDIR [--docs N] [--edit-rate R] [--np N]

Builds a corpus with dedup_corpus.py (planted exact copies and near copies at edit rate R:
each word replaced with probability R), runs document_minhash_deduplicator and
document_simhash_deduplicator on it with their default parameters through `zest run`, and
prints, per op, the records dropped and the precision (dropped records that are planted
copies) and recall (planted copies dropped), overall and for the near copies alone.
A dropped original is a false positive; a planted copy kept is a false negative.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(zest, work, op, np_):
    cfg = os.path.join(work, op + '.yaml')
    with open(cfg, 'w') as f:
        f.write("dataset_path: '%s'\nexport_path: '%s'\nnp: %d\n" % (
            os.path.join(work, 'corpus.jsonl'), os.path.join(work, op, 'out.jsonl'), np_))
        f.write('partition:\n  mode: manual\n  num_of_partitions: 4\n')
        f.write('process:\n  - %s:\n' % op)
    subprocess.run([zest, 'run', cfg, '--quiet'], check=True)
    with open(os.path.join(work, op, 'out.jsonl')) as f:
        return {json.loads(line)['id'] for line in f}


def main():
    zest, work = sys.argv[1], sys.argv[2]
    opts = dict(zip(sys.argv[3::2], sys.argv[4::2]))
    docs, rate, np_ = opts.get('--docs', '2000'), opts.get('--edit-rate', '0.02'), int(opts.get('--np', 2))
    os.makedirs(work, exist_ok=True)
    corpus, truth_path = os.path.join(work, 'corpus.jsonl'), os.path.join(work, 'truth.json')
    subprocess.run([sys.executable, os.path.join(HERE, 'dedup_corpus.py'), corpus, truth_path,
                    '--docs', docs, '--edit-rate', rate], check=True)
    truth = json.load(open(truth_path))
    copies = {c['line'] for c in truth['copies']}
    near = {c['line'] for c in truth['copies'] if c['kind'] == 'near'}
    print('corpus: %d records, %d planted copies (%d near, edit rate %s: each word replaced '
          'with that probability)' % (truth['docs'], len(copies), len(near), truth['edit_rate']))
    print('%-32s %8s %10s %8s %12s' % ('op', 'dropped', 'precision', 'recall', 'near recall'))
    result = {}
    for op in ('document_minhash_deduplicator', 'document_simhash_deduplicator'):
        kept = run(zest, work, op, np_)
        dropped = set(range(truth['docs'])) - kept
        tp = len(dropped & copies)
        p = tp / len(dropped) if dropped else 1.0
        r = tp / len(copies) if copies else 1.0
        nr = len(dropped & near) / len(near) if near else 1.0
        result[op] = {'precision': p, 'recall': r, 'near_recall': nr}
        print('%-32s %8d %10.4f %8.4f %12.4f' % (op, len(dropped), p, r, nr))
    with open(os.path.join(work, 'quality.json'), 'w') as f:
        json.dump(result, f)


if __name__ == '__main__':
    main()

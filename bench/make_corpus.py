#!/usr/bin/env python3
"""Build the benchmark corpus: ~1 GiB of JSONL documents made of real fortune text.

Documents are runs of consecutive fortunes from one source, with web-like lengths
(log-normal, mean ~2 KB, tail to 50 KB). About 50 MB of distinct documents are built,
then repeated with fresh ids until the file reaches the target size. Deterministic.
Does nothing when the corpus already exists. Writes CORPUS and CORPUS's .json sidecar
({"bytes", "records", "distinct"}).
Usage: bench/make_corpus.py [CORPUS] [SIZE_MB]   (default bench/corpus/corpus-v1.jsonl 1024)
"""
import json
import math
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from make_sample import PACKAGES, fortune_files, read_entries  # noqa: E402

SEED = 1009
DISTINCT_BYTES = 50 << 20
MEDIAN, SIGMA, MIN_LEN, MAX_LEN = 1000, 1.2, 80, 50_000  # bytes; mean ~2 KB


def load_sources():
    """[(source, lang, entries)] for every fortune file with enough text."""
    sources = []
    for pkg, (lang, _) in PACKAGES.items():
        for path, rel in fortune_files(pkg):
            entries = read_entries(path, lang)
            if sum(map(len, entries)) > 2000:
                sources.append((pkg + "/" + rel.split("/")[-1], lang, entries))
    return sources


def documents(rng, sources):
    """Distinct documents as JSON text after the id: '"text": ..., "meta": {...}}'."""
    langs = sorted({lang for _, lang, _ in sources})
    by_lang = {lang: [s for s in sources if s[1] == lang] for lang in langs}
    docs, size = [], 0
    while size < DISTINCT_BYTES:
        source, lang, entries = rng.choice(by_lang[rng.choice(langs)])
        target = min(MAX_LEN, max(MIN_LEN, int(rng.lognormvariate(math.log(MEDIAN), SIGMA))))
        i = rng.randrange(len(entries))
        parts, n = [entries[i]], len(entries[i].encode())
        while True:  # whole fortunes only, up to the target size in UTF-8 bytes
            i += 1
            nxt = entries[i % len(entries)]
            n += len(nxt.encode()) + 2
            if n > target:
                break
            parts.append(nxt)
        text = "\n\n".join(parts)
        meta = {"source": source, "lang": lang, "fortunes": len(parts),
                "url": "https://fortunes.example/%s/%d" % (source, i - len(parts))}
        doc = json.dumps({"text": text, "meta": meta}, ensure_ascii=False)[1:]
        docs.append(doc)
        size += len(doc.encode())
    return docs


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "bench/corpus/corpus-v1.jsonl"
    target = int(sys.argv[2]) << 20 if len(sys.argv) > 2 else 1 << 30
    if os.path.exists(path) and os.path.exists(path + ".json"):
        return
    rng = random.Random(SEED)
    docs = [d.encode() for d in documents(rng, load_sources())]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    size = records = 0
    with open(path + ".tmp", "wb", buffering=1 << 22) as f:
        while size < target:
            # Each pass visits the documents in a new order, so repeats are far apart.
            order = list(range(len(docs)))
            rng.shuffle(order)
            for j in order:
                line = b'{"id": %d, %s\n' % (records, docs[j])
                f.write(line)
                size += len(line)
                records += 1
                if size >= target:
                    break
    os.replace(path + ".tmp", path)
    with open(path + ".json", "w") as f:
        json.dump({"bytes": size, "records": records, "distinct": len(docs)}, f)
        f.write("\n")


if __name__ == "__main__":
    main()

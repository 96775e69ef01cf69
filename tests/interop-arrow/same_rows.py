"""Compares two JSON Lines files row by row as values (an integer equals the same float;
absent keys of EXPECTED count as null). Usage: same_rows.py EXPECTED GOT"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    want, got = load(sys.argv[1]), load(sys.argv[2])
    if len(want) != len(got):
        sys.exit(f"{len(got)} rows, expected {len(want)}")
    for n, (w, g) in enumerate(zip(want, got), 1):
        w = {k: w.get(k) for k in g} if set(w) <= set(g) else w
        if w != g:
            sys.exit(f"row {n} differs:\n  expected {json.dumps(w, ensure_ascii=False)[:600]}\n"
                     f"  got      {json.dumps(g, ensure_ascii=False)[:600]}")


main()

#!/usr/bin/env python3
"""pq_compare.py A B: the JSON lines of A and B hold the same rows in the same order.

Rows compare as parsed JSON values, so key order does not matter, and a key that is absent
equals a key whose value is null (Parquet has no "absent"). Numbers compare exactly (ints as
ints, doubles as doubles; an int equals the same-valued double only when both sides agree).
Prints the first difference and exits 1."""
import json
import sys


def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def rows(path):
    with open(path, encoding="utf-8") as f:
        return [norm(json.loads(line)) for line in f if line.strip()]


a, b = rows(sys.argv[1]), rows(sys.argv[2])
if len(a) != len(b):
    print(f"{sys.argv[1]}: {len(a)} rows, {sys.argv[2]}: {len(b)} rows")
    sys.exit(1)
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        print(f"row {i + 1} differs:\n  {json.dumps(x)[:600]}\n  {json.dumps(y)[:600]}")
        sys.exit(1)
print(f"{len(a)} rows equal")

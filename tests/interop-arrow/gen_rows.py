"""Writes the JSON Lines the Arrow interop test sends through zest's Arrow writer.

Usage: gen_rows.py OUT ROWS [HUGE_BYTES]
Every record has a string "text" (empty, ASCII, non-ASCII, escapes); the other fields cover
int64 (beyond 2^53), double, bool, null, a struct with a nested list, a list of strings, and
a field whose types conflict (zest keeps it as JSON text: the arrow.json extension). Each
field is non-null in the first record, and the conflicting field conflicts within every
3 rows, so that every batch infers the same schema. HUGE_BYTES adds one huge string.
"""
import json
import sys

TEXTS = ["", "hello", "Grüße, 世界 🌍", 'quote " backslash \\ newline \n tab \t', "x" * 100]


def row(i):
    r = {"text": TEXTS[i % len(TEXTS)], "id": i * 1_000_000_007 - 9_007_199_254_740_993}
    if i % 5 != 4 or i == 0:
        r["score"] = i / 8 - 3.5
    if i % 7 != 6 or i == 0:
        r["ok"] = i % 3 == 0
    r["none"] = None
    if i % 6 != 5 or i == 0:
        r["meta"] = {"lang": ["en", "de", "zh"][i % 3], "tags": list(range(i % 4)),
                     "src": None if i % 4 == 3 else TEXTS[(i + 1) % len(TEXTS)]}
    if i % 9 != 8 or i == 0:
        r["words"] = [TEXTS[(i + k) % len(TEXTS)] for k in range(i % 3)]
    r["mixed"] = [7, "seven", {"n": [1, None]}][i % 3]
    return r


def main():
    out, rows = sys.argv[1], int(sys.argv[2])
    huge = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    with open(out, "w", encoding="utf-8") as f:
        for i in range(rows):
            r = row(i)
            if huge and i == rows // 2:
                r["text"] = ("zest ünïcode " * (huge // 14 + 1))[:huge]
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


main()

#!/usr/bin/env python3
"""The Python baseline: parse every JSONL record and write it back out, nothing else.

This is the floor of what a Python pipeline (Data-Juicer included) pays per record.
Usage: bench/py_baseline.py INPUT OUTPUT
"""
import json
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as fin, open(dst, "w", encoding="utf-8", buffering=1 << 20) as fout:
        for line in fin:
            fout.write(json.dumps(json.loads(line), ensure_ascii=False))
            fout.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""python3-fasttext's predictions, one line of TEXTS at a time, as a Python user calls it:
model.predict(line) with k=1, the label and probability written per line. One process, one
thread: the per-core baseline of the `lid` bench item.
Usage: /usr/bin/python3 bench/py_lid_predict.py MODEL TEXTS OUTPUT
(Debian's python3-fasttext is for Debian's /usr/bin/python3; another python3 may come first
on PATH.)
"""
import sys

import fasttext


def main():
    model, src, dst = sys.argv[1:4]
    fasttext.FastText.eprint = lambda *a, **k: None  # load_model's warning
    ft = fasttext.load_model(model)
    with open(src, encoding="utf-8", newline="\n") as f, open(dst, "w", encoding="utf-8", buffering=1 << 20) as out:
        for line in f:
            labels, probs = ft.predict(line.rstrip("\n"), k=1)
            out.write("%s %.9f\n" % (labels[0], probs[0]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Compares zest's predictions with the fastText CLI's, line by line.

Usage: compare.py REF ZEST TEXTS K [THRESHOLD]
  REF    `fasttext predict-prob MODEL - K [THRESHOLD]` output (6 significant digits)
  ZEST   `zest predict MODEL -k K [--threshold P]` output (9 decimals), same format
  TEXTS  the input lines (shown for the worst lines on failure)

Each line holds up to K pairs `__label__xx P`, best first. They agree when both have the same
number of lines and, on every line:
  - the same labels at every rank, and |P_zest - P_ref| <= 1e-4 at every rank;
  - a label may differ only in a tie: the two labels' probabilities equal within TIE (float
    noise plus the 6 printed digits), where any order is right;
  - a line may hold one prediction more or fewer only when that probability is within 2e-5
    of THRESHOLD (fastText compares before adding its 1e-5 smoothing).
Prints one summary line (lines, max |dP|, ties) and exits 0, or prints the disagreeing lines,
worst first, and exits 1. Needs only the Python standard library.
"""
import sys

TOL = 1e-4
TIE = 2e-6
EDGE = 2e-5


def parse(line):
    f = line.split()
    if len(f) % 2:
        raise ValueError("odd field count: %r" % line)
    return [(f[i], float(f[i + 1])) for i in range(0, len(f), 2)]


def read_lines(path):
    # '\n' only: texts may hold '\r', '\v', '\f', U+2028..., which other splitters split on
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [l.decode("utf-8", "replace") for l in lines]


def compare_line(ref, got, threshold):
    """(problem or None, max |dP| on the line, ties on the line)."""
    worst, ties = 0.0, 0
    n = min(len(ref), len(got))
    if len(ref) != len(got):
        extra = ref[n:] or got[n:]
        if threshold is None or any(abs(p - threshold) > EDGE for _, p in extra):
            return "%d predictions, expected %d" % (len(got), len(ref)), 1.0, 0
    ref_p = dict(ref)
    for i in range(n):
        (rl, rp), (gl, gp) = ref[i], got[i]
        d = abs(gp - rp)
        worst = max(worst, d)
        if d > TOL:
            return "rank %d: probability %.9f, expected %.6g (|dP| %.2e)" % (i + 1, gp, rp, d), d, ties
        if gl != rl:
            # zest's label must tie with the reference's at this rank: the reference gives it
            # the same probability, or (not listed by it, at the last rank) zest does
            other = ref_p.get(gl, gp if i == n - 1 else None)
            if other is None or abs(other - rp) > TIE:
                return "rank %d: %s %.9f, expected %s %.6g" % (i + 1, gl, gp, rl, rp), max(d, 1.0), ties
            ties += 1
    return None, worst, ties


def main():
    if len(sys.argv) not in (5, 6):
        sys.stderr.write(__doc__)
        sys.exit(2)
    ref_path, got_path, texts_path, k = sys.argv[1:5]
    k = int(k)
    threshold = float(sys.argv[5]) if len(sys.argv) == 6 else None
    ref, got, texts = read_lines(ref_path), read_lines(got_path), read_lines(texts_path)
    if len(ref) != len(got) or len(ref) != len(texts):
        print("line counts differ: %d texts, %d reference lines, %d zest lines" % (len(texts), len(ref), len(got)))
        sys.exit(1)
    bad, worst, ties = [], 0.0, 0
    for no, (r, g) in enumerate(zip(ref, got), 1):
        try:
            pr, pg = parse(r), parse(g)
        except ValueError as e:
            bad.append((2.0, no, str(e), r, g))
            continue
        if len(pg) > k:
            bad.append((2.0, no, "%d predictions for k=%d" % (len(pg), k), r, g))
            continue
        problem, w, t = compare_line(pr, pg, threshold)
        ties += t
        if problem:
            bad.append((w, no, problem, r, g))
        else:
            worst = max(worst, w)
    summary = "%d lines, max |dP| %.2e, %d tie%s" % (len(ref), worst, ties, "" if ties == 1 else "s")
    if not bad:
        print(summary)
        return
    bad.sort(key=lambda b: -b[0])
    print("%d of %d lines disagree; the worst:" % (len(bad), len(ref)))
    for w, no, problem, r, g in bad[:10]:
        text = texts[no - 1]
        print("line %d: %s\n  text: %r\n  fasttext: %s\n  zest:     %s" %
              (no, problem, text if len(text) <= 120 else text[:117] + "...", r, g))
    sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Compares zest's predictions with the fastText CLI's, line by line.

Usage: compare.py [--sigmoid-steps] REF ZEST TEXTS K [THRESHOLD]
  REF    `fasttext predict-prob MODEL - K [THRESHOLD]` output (6 significant digits)
  ZEST   `zest predict MODEL -k K [--threshold P]` output (9 decimals), same format
  TEXTS  the input lines (shown for the worst lines on failure)

Each line holds up to K pairs `__label__xx P`, best first. They agree when both have the same
number of lines and, on every line:
  - the same labels at every rank, and |P_zest - P_ref| <= 1e-4 at every rank;
  - a label may differ only in a tie: the two labels' probabilities equal within TIE (float
    noise plus the 6 printed digits), where any order is right (a label the reference does
    not list must then tie with the reference's last one);
  - a line may hold one prediction more or fewer only when that probability is within 2e-5
    of THRESHOLD (fastText compares before adding its 1e-5 smoothing);
  - with --sigmoid-steps (one-vs-all models), a probability may instead be one step of
    fastText's sigmoid table away: fastText's sigmoid is a 512-entry table over [-8, 8], a step
    function, so a score on a step's edge goes to either side with the last bits of its sum
    (zest's sums agree with fastText's to about 1e-6, not bit for bit). Such steps are counted.
Prints one summary line (lines, max |dP|, ties) and exits 0, or prints the disagreeing lines,
worst first, and exits 1. Needs only the Python standard library.
"""
import math
import sys

TOL = 1e-4
TIE = 2e-6
EDGE = 2e-5

# fastText's sigmoid table (loss.cc): 513 entries over [-8, 8]; a one-vs-all probability is an
# entry plus the 1e-5 its predict adds before the log.
SIGMOID = [1.0 / (1.0 + math.exp(-(i * 16.0 / 512 - 8))) + 1e-5 for i in range(513)]


def table_index(p):
    """The sigmoid table entry p prints (6 significant digits or more), or None."""
    lo, hi = 0, len(SIGMOID) - 1
    while lo < hi:  # first entry >= p
        mid = (lo + hi) // 2
        if SIGMOID[mid] < p:
            lo = mid + 1
        else:
            hi = mid
    for i in (lo - 1, lo):
        if 0 <= i < len(SIGMOID) and abs(SIGMOID[i] - p) <= 5e-6 * SIGMOID[i]:
            return i
    return None


def sigmoid_step(a, b):
    """True when a and b are neighbouring entries of fastText's sigmoid table."""
    i, j = table_index(a), table_index(b)
    return i is not None and j is not None and abs(i - j) == 1


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


def compare_line(ref, got, threshold, steps_ok):
    """(problem or None, max |dP| on the line, ties on the line, sigmoid steps on the line)."""
    worst, ties, steps = 0.0, 0, 0
    n = min(len(ref), len(got))
    if len(ref) != len(got):
        extra = ref[n:] or got[n:]
        if threshold is None or any(abs(p - threshold) > EDGE for _, p in extra):
            return "%d predictions, expected %d" % (len(got), len(ref)), 1.0, 0, 0
    ref_p = dict(ref)
    for i in range(n):
        (rl, rp), (gl, gp) = ref[i], got[i]
        d = abs(gp - rp)
        if d > TOL and steps_ok and gl == rl and sigmoid_step(gp, rp):
            steps += 1
            continue
        worst = max(worst, d)
        if d > TOL:
            return "rank %d: probability %.9f, expected %.6g (|dP| %.2e)" % (i + 1, gp, rp, d), d, ties, steps
        if gl != rl:
            # zest's label must tie with the reference's at this rank: the reference gives it
            # the same probability, or (not listed by it, at the last rank) zest does
            other = ref_p.get(gl)
            if other is None and abs(gp - ref[-1][1]) <= TIE:
                other = gp  # not in the reference's list: it ties with the reference's last
            if other is None or abs(other - rp) > TIE:
                return "rank %d: %s %.9f, expected %s %.6g" % (i + 1, gl, gp, rl, rp), max(d, 1.0), ties, steps
            ties += 1
    return None, worst, ties, steps


def main():
    args = sys.argv[1:]
    steps_ok = bool(args) and args[0] == "--sigmoid-steps"
    if steps_ok:
        args = args[1:]
    if len(args) not in (4, 5):
        sys.stderr.write(__doc__)
        sys.exit(2)
    ref_path, got_path, texts_path, k = args[:4]
    k = int(k)
    threshold = float(args[4]) if len(args) == 5 else None
    ref, got, texts = read_lines(ref_path), read_lines(got_path), read_lines(texts_path)
    if len(ref) != len(got) or len(ref) != len(texts):
        print("line counts differ: %d texts, %d reference lines, %d zest lines" % (len(texts), len(ref), len(got)))
        sys.exit(1)
    bad, worst, ties, steps = [], 0.0, 0, 0
    for no, (r, g) in enumerate(zip(ref, got), 1):
        try:
            pr, pg = parse(r), parse(g)
        except ValueError as e:
            bad.append((2.0, no, str(e), r, g))
            continue
        if len(pg) > k:
            bad.append((2.0, no, "%d predictions for k=%d" % (len(pg), k), r, g))
            continue
        problem, w, t, st = compare_line(pr, pg, threshold, steps_ok)
        ties += t
        steps += st
        if problem:
            bad.append((w, no, problem, r, g))
        else:
            worst = max(worst, w)
    summary = "%d lines, max |dP| %.2e, %d tie%s" % (len(ref), worst, ties, "" if ties == 1 else "s")
    if steps_ok:
        summary += ", %d sigmoid-table step%s" % (steps, "" if steps == 1 else "s")
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

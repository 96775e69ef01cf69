#!/usr/bin/env bash
# Progress display of `zest run`: with stderr piped, plain `progress:` lines every
# ZEST_PROGRESS_INTERVAL seconds whose partition count only grows and ends at N/N with the
# input's rows, none for a run shorter than the interval, none with --quiet; retries and a
# skipped partition counted; on a terminal (a pty from util-linux `script`) one line redrawn
# with \r and erased before the summary, coloured unless NO_COLOR is set.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

ROWS=20000
python3 - "$TMP/in.jsonl" "$ROWS" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"text": "record %d, long enough for the length filter of fifty code points" % i}) + "\n")
PY
config() { # config NAME [extra yaml lines...]: 10 partitions of 2000 rows on 2 workers
  local name=$1; shift
  seed_config "$name" "$TMP/in.jsonl" "$TMP/$name/out.jsonl" "np: 2" "partition_size: 2000" "$@"
}
# 20 batches of 1000 rows, 50 ms each on 2 workers: about 0.5 s, many 50 ms ticks
SLOW='whitespace_normalization_mapper@*:delay=0.05'

# progress_ok FILE TOTAL ROWS: the plain lines' partition counts never go down, every line
# has the total, and the last one is TOTAL/TOTAL with ROWS rows read.
progress_ok() {
  python3 - "$@" <<'PY'
import re, sys
path, total, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = [l for l in open(path) if l.startswith("progress: ")]
assert len(lines) >= 2, "%d progress lines" % len(lines)
pat = re.compile(r"^progress: (\d+)/(\d+) partitions, (\d+) rows read, \d+ rows/s, [\d.]+ MB/s, "
                 r"ETA (\d+ s|unknown), retries \d+, skipped \d+(, failed \d+)?$")
counts = []
for l in lines:
    m = pat.match(l.rstrip("\n"))
    assert m, "malformed: %r" % l
    assert int(m.group(2)) == total, l
    counts.append((int(m.group(1)), int(m.group(3))))
assert all(a[0] <= b[0] for a, b in zip(counts, counts[1:])), counts
assert all(a[1] <= b[1] for a, b in zip(counts, counts[1:])), counts
assert counts[-1] == (total, rows), counts[-1]
PY
}

export ZEST_FAULTS=$SLOW ZEST_PROGRESS_INTERVAL=0.05
run_zest run "$(config plain)"
check "piped: exit 0" equals "$rc" 0
check "piped: progress lines, counts growing to 10/10 and $ROWS rows read" progress_ok "$TMP/err" 10 "$ROWS"
check "piped: no terminal control sequences" bash -c "! grep -q \$'[\r\033]' '$TMP/err'"
check "piped: the summary follows the last progress line" python3 -c '
import sys
t = open(sys.argv[1]).read()
assert t.rindex("progress: ") < t.index("records read"), t' "$TMP/err"

run_zest run "$(config quiet)" --quiet
check "--quiet: exit 0" equals "$rc" 0
check "--quiet: no progress line" bash -c "! grep -q '^progress' '$TMP/err'"

unset ZEST_PROGRESS_INTERVAL
run_zest run "$(config short)"
check "a run shorter than the 5 s default: exit 0" equals "$rc" 0
check "a run shorter than the 5 s default: no progress line" bash -c "! grep -q '^progress' '$TMP/err'"
export ZEST_PROGRESS_INTERVAL=0.05

ZEST_FAULTS="$SLOW;text_length_filter@3:fail=always" run_zest run "$(config skip \
  'recovery: {enabled: true, max_retries: 2, retry_delay_seconds: 0.01}')"
check "a skipped partition: exit 3" equals "$rc" 3
check "a skipped partition: the last line counts it and both retries" python3 -c '
import sys
last = [l for l in open(sys.argv[1]) if l.startswith("progress: ")][-1]
assert last.startswith("progress: 10/10 partitions, ") and "retries 2, skipped 1" in last, last' "$TMP/err"

# on_tty NAME [ENV=VALUE...]: runs zest in a pty (script -q: no banner; -e: its exit code),
# keeping what the terminal got in $TMP/NAME.tty.
on_tty() {
  local name=$1; shift
  set +e
  env "$@" TERM=xterm script -qec "'$ZEST' run '$(config "$name")'" /dev/null </dev/null >"$TMP/$name.tty" 2>&1
  rc=$?
  set -e
}
on_tty tty -u NO_COLOR
check "terminal: exit 0" equals "$rc" 0
check "terminal: the line is redrawn in place" python3 -c '
import sys
t = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
assert t.count("\r[") >= 2 and "\x1b[K" in t and " partitions " in t, repr(t[:400])
assert "progress: " not in t, "a plain line on a terminal"' "$TMP/tty.tty"
check "terminal: the line is erased before the summary" python3 -c '
import sys
t = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
head = t[:t.index("records read")]
assert head.rstrip("\r\n").endswith("\r\x1b[K") or "\r\x1b[K\r\n" in head, repr(head[-300:])
assert "partitions" not in head[head.rindex("\r\x1b[K"):], repr(head[-300:])' "$TMP/tty.tty"
check "terminal: coloured" grep -qP '\x1b\[3[0-9]m' "$TMP/tty.tty"
on_tty nocolor NO_COLOR=1
check "terminal, NO_COLOR=1: exit 0" equals "$rc" 0
check "terminal, NO_COLOR=1: redrawn, no colour" python3 -c '
import re, sys
t = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
assert "\r[" in t and "\x1b[K" in t, repr(t[:400])
assert not re.search("\x1b\\[3[0-9]m", t), repr(t[:400])' "$TMP/nocolor.tty"
# a malformed record met while the line is drawn: its warning starts a line of its own
sed '9001s/.*/{"text": broken}/' "$TMP/in.jsonl" >"$TMP/bad.jsonl"
cp "$TMP/in.jsonl" "$TMP/good.jsonl"
cp "$TMP/bad.jsonl" "$TMP/in.jsonl"
on_tty badrec -u NO_COLOR
cp "$TMP/good.jsonl" "$TMP/in.jsonl"
check "terminal, a malformed record: exit 0" equals "$rc" 0
check "terminal, a malformed record: the warning is not run into the line" python3 -c '
import re, sys
t = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
at = [m.start() for m in re.finditer("zest: warning: ", t)]
assert len(at) == 1, repr(t[:600])
assert t[:at[0]].endswith(("\n", "\x1b[K")), repr(t[max(0, at[0] - 200):at[0] + 80])' "$TMP/badrec.tty"

set +e
env TERM=xterm script -qec "'$ZEST' run '$(config ttyq)' --quiet" /dev/null </dev/null >"$TMP/ttyq.tty" 2>&1
rc=$?
set -e
check "terminal, --quiet: exit 0" equals "$rc" 0
check "terminal, --quiet: nothing drawn" bash -c "! grep -q 'partitions' '$TMP/ttyq.tty'"

finish

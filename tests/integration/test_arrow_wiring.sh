#!/usr/bin/env bash
# Arrow IPC at the edges of a run, against an independent implementation (npm apache-arrow,
# through tests/interop-arrow/):
#  - an export to .arrow / .feather / .arrows is read by apache-arrow and equals, row by row,
#    the JSON lines export of the same run;
#  - an Arrow file or stream that apache-arrow writes (tableFromJSON's own types and column
#    order, several record batches), run through the seed pipeline, gives the same export as
#    the JSON lines it was made from, row by row as values (a file, a stream, a directory);
#  - Arrow mixed with JSON lines or Parquet in one dataset is refused, naming both.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e
bash scripts/npm.sh >/dev/null
aread() { node tests/interop-arrow/read.js "$1"; }
same_rows() { python3 tests/interop-arrow/same_rows.py "$1" "$2"; }

# Input: strings only (so that the JSON lines export is byte-comparable), nulls, empty and
# non-ASCII text, a nested struct, a list, and whitespace for the normalizer to change.
python3 - "$TMP/in.jsonl" <<'PY'
import json, random, sys
rng = random.Random(11)
words = ["alpha", "beta", "δέλτα", "日本語", "emoji 🚀", "", "tab\there", "x" * 30]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(3000):
        text = "  ".join(rng.choice(words) for _ in range(rng.choice([2, 8, 30, 90])))
        rec = {"id": "r%d" % i, "text": text, "lang": None if i % 9 == 0 else rng.choice(["en", "fr"]),
               "meta": {"src": rng.choice(["web", "book"]), "ok": i % 3 == 0}}
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
PY

# ---- zest writes Arrow, apache-arrow reads ------------------------------------------------
run_zest run "$(seed_config ref "$TMP/in.jsonl" "$TMP/ref/out.jsonl" 'np: 2')" --quiet
check "reference run on JSON lines: exit 0" equals "$rc" 0
check "reference run keeps some rows and drops some" python3 -c '
import sys; n=sum(1 for _ in open(sys.argv[1])); assert 0 < n < 3000, n' "$TMP/ref/out.jsonl"
for ext in arrow feather arrows; do
  run_zest run "$(seed_config w$ext "$TMP/in.jsonl" "$TMP/w$ext/out.$ext" 'np: 2')" --quiet
  check "export to .$ext: exit 0" equals "$rc" 0
  aread "$TMP/w$ext/out.$ext" >"$TMP/w$ext/read.jsonl" || true
  check "apache-arrow reads the .$ext export: every row equals the JSON lines export" \
    same_rows "$TMP/ref/out.jsonl" "$TMP/w$ext/read.jsonl"
done
check "a .arrow export is the file format (ARROW1 at both ends)" python3 -c '
import sys; b=open(sys.argv[1],"rb").read(); assert b[:6]==b"ARROW1" and b[-6:]==b"ARROW1"' "$TMP/warrow/out.arrow"
check "a .arrows export is the stream format (no magic)" python3 -c '
import sys; b=open(sys.argv[1],"rb").read(); assert b[:4]==b"\xff\xff\xff\xff"' "$TMP/warrows/out.arrows"
run_zest run "$(f=$TMP/wempty.yaml; { echo "dataset_path: '$TMP/in.jsonl'"; echo "export_path: '$TMP/wempty/out.arrow'"
  echo "process:"; echo "  - text_length_filter:"; echo "      min_len: 999999999"; } >"$f"; echo "$f")" --quiet
check "0-row Arrow export: exit 0" equals "$rc" 0
check "0-row Arrow export: apache-arrow reads 0 rows" equals "$(aread "$TMP/wempty/out.arrow" | wc -l)" 0

# ---- apache-arrow writes Arrow, zest reads --------------------------------------------------
mkdir -p "$TMP/ain" "$TMP/adir"
node tests/interop-arrow/from_jsonl.js "$TMP/in.jsonl" "$TMP/ain/in.arrow" file 700
node tests/interop-arrow/from_jsonl.js "$TMP/in.jsonl" "$TMP/ain/in.arrows" stream 500
for f in in.arrow in.arrows; do
  run_zest run "$(seed_config r$f "$TMP/ain/$f" "$TMP/r$f/out.jsonl" 'np: 2' 'partition_size: 1')" --quiet
  check "apache-arrow's $f through the seed pipeline: exit 0" equals "$rc" 0
  check "apache-arrow's $f through the seed pipeline: same export as its JSON lines" \
    same_rows "$TMP/ref/out.jsonl" "$TMP/r$f/out.jsonl"
done
head -n 1000 "$TMP/in.jsonl" >"$TMP/part1.jsonl"; tail -n +1001 "$TMP/in.jsonl" >"$TMP/part2.jsonl"
node tests/interop-arrow/from_jsonl.js "$TMP/part1.jsonl" "$TMP/adir/a.feather" file 300
node tests/interop-arrow/from_jsonl.js "$TMP/part2.jsonl" "$TMP/adir/b.arrow" file 900
run_zest run "$(seed_config rdir "$TMP/adir" "$TMP/rdir/out.jsonl" 'np: 2')" --quiet
check "a directory of Arrow files: exit 0" equals "$rc" 0
check "a directory of Arrow files: same export as the JSON lines" same_rows "$TMP/ref/out.jsonl" "$TMP/rdir/out.jsonl"

# ---- formats do not mix ------------------------------------------------------------------------
cp "$TMP/part1.jsonl" "$TMP/adir/c.jsonl"
run_zest run "$(seed_config mix "$TMP/adir" "$TMP/mix/out.jsonl")" --quiet
check "Arrow mixed with JSON lines: refused" test "$rc" -ne 0
check "Arrow mixed with JSON lines: the message says so" contains "$TMP/err" "mixes Arrow IPC and JSON Lines"
rm "$TMP/adir/c.jsonl"
run_zest run "$(seed_config mkpq "$TMP/part1.jsonl" "$TMP/adir/d.parquet")" --quiet
run_zest run "$(seed_config mix2 "$TMP/adir" "$TMP/mix2/out.jsonl")" --quiet
check "Arrow mixed with Parquet: refused" test "$rc" -ne 0
check "Arrow mixed with Parquet: the message says so" contains "$TMP/err" "mixes Arrow IPC and Parquet"
finish

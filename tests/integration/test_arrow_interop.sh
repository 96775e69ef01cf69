#!/usr/bin/env bash
# Arrow IPC interop with an independent implementation, the apache-arrow npm package (its
# buffer codecs are the Debian lz4 and zstd tools): every file zest writes (file and stream
# formats, uncompressed / LZ4_FRAME / ZSTD, several batches, nulls, empty and non-ASCII
# strings, 64-bit integers, nested struct and list, JSON-typed fields, 0 rows, one huge
# string) is read by apache-arrow and compared row by row with the source; every file
# apache-arrow writes (its own types: utf8, int32, float32, dictionary-encoded strings,
# list<int32>, struct, null; sliced batches) is read by zest and compared the same way.
# The zest side is tests/interop-arrow/zest_arrow_tool.c, linked against libzest.a.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

BUILD=${ZEST_BUILD:-build}
dir=tests/interop-arrow
if [ ! -d "$dir/node_modules/apache-arrow" ]; then
  echo "# apache-arrow is not installed: run 'make npm' (scripts/npm.sh)"
  not_ok "apache-arrow installed"
  finish
  exit 1
fi
san=$(case "$BUILD" in *asan*) echo "-fsanitize=address,undefined";; *tsan*) echo "-fsanitize=thread";; esac)
# shellcheck disable=SC2086
cc -std=c11 -D_GNU_SOURCE -Iinclude $san -o "$TMP/tool" "$dir/zest_arrow_tool.c" "$BUILD/libzest.a" \
  -lyaml -lz -lzstd -llz4 -lutf8proc -lm -pthread
tool=$TMP/tool

# ---- zest writes, apache-arrow reads ----
python3 "$dir/gen_rows.py" "$TMP/rows.jsonl" 2500
python3 "$dir/gen_rows.py" "$TMP/huge.jsonl" 5 $((24 << 20))
: >"$TMP/empty.jsonl"
for kind in file stream; do
  for codec in none lz4 zstd; do
    name="zest $kind $codec"
    check "$name: written" "$tool" write "$TMP/z.arrow" "$kind" "$codec" 600 <"$TMP/rows.jsonl"
    check "$name: apache-arrow reads the same rows" sh -c \
      "node $dir/read.js $TMP/z.arrow >$TMP/js.jsonl && python3 $dir/same_rows.py $TMP/rows.jsonl $TMP/js.jsonl"
  done
done
check "zest 0 rows: written" "$tool" write "$TMP/z0.arrow" file zstd 100 <"$TMP/empty.jsonl"
check "zest 0 rows: apache-arrow reads 0 rows" sh -c "[ -z \"\$(node $dir/read.js $TMP/z0.arrow)\" ]"
check "zest huge string: written" "$tool" write "$TMP/zh.arrow" stream lz4 5 <"$TMP/huge.jsonl"
check "zest huge string: apache-arrow reads the same rows" sh -c \
  "node $dir/read.js $TMP/zh.arrow >$TMP/jsh.jsonl && python3 $dir/same_rows.py $TMP/huge.jsonl $TMP/jsh.jsonl"

# ---- apache-arrow writes, zest reads ----
for kind in file stream; do
  for codec in none lz4 zstd; do
    name="apache-arrow $kind $codec"
    check "$name: written" sh -c "node $dir/write.js $TMP/j.arrow $kind $codec 1000 333 >$TMP/want.jsonl"
    check "$name: zest reads the same rows" sh -c \
      "$tool read $TMP/j.arrow >$TMP/got.jsonl && python3 $dir/same_rows.py $TMP/want.jsonl $TMP/got.jsonl"
  done
done
# one-row batches: all-null arrays, which apache-arrow writes with empty value buffers
check "apache-arrow one-row batches: zest reads the same rows" sh -c \
  "node $dir/write.js $TMP/j1.arrow stream zstd 40 1 >$TMP/want1.jsonl && $tool read $TMP/j1.arrow >$TMP/got1.jsonl && python3 $dir/same_rows.py $TMP/want1.jsonl $TMP/got1.jsonl"
check "apache-arrow 0 rows: zest reads 0 rows" sh -c \
  "node $dir/write.js $TMP/j0.arrow file none 0 10 >/dev/null && [ -z \"\$($tool read $TMP/j0.arrow)\" ]"

# ---- a corrupt file is an error naming the file and the offset ----
head -c 300 "$TMP/z.arrow" >"$TMP/cut.arrow"
set +e
"$tool" read "$TMP/cut.arrow" >/dev/null 2>"$TMP/cut.err"
rc=$?
set -e
check "truncated file: exit 1" equals "$rc" 1
check "truncated file: the error names the file and an offset" sh -c \
  "grep -q 'cut.arrow' $TMP/cut.err && grep -q 'offset' $TMP/cut.err"

# ---- a type zest does not read is an error naming the field and the type ----
node -e "
const a = require('./$dir/node_modules/apache-arrow'), fs = require('fs');
const t = new a.Table({ when: a.vectorFromArray([new Date(0)], new a.DateMillisecond()) });
fs.writeFileSync('$TMP/date.arrow', a.tableToIPC(t, 'file'));"
set +e
"$tool" read "$TMP/date.arrow" >/dev/null 2>"$TMP/date.err"
rc=$?
set -e
check "unsupported type: exit 1" equals "$rc" 1
check "unsupported type: the error names the file, the field and the type" sh -c \
  "grep -q \"date.arrow: schema at offset [0-9]*: field 'when': Arrow type Date (8) is not supported\" $TMP/date.err"

finish

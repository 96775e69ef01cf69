#!/usr/bin/env bash
# Parquet against an independent implementation, DuckDB (npm @duckdb/node-api, through
# tests/interop-duckdb/duck.js), row by row both ways:
#  - files zest writes (an export, every codec x page version x string encoding from the unit
#    test's samples, Parquet checkpoints, a 0-row export) are read by DuckDB and compared with
#    their source rows;
#  - files DuckDB writes (each codec, Parquet v1 and v2 with its own encodings, small row
#    groups, nested types) are zest's input and its output is compared with the same pipeline
#    run on the JSON lines;
#  - a directory of Parquet files is one dataset; Parquet mixed with JSON lines is refused.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e
bash scripts/npm.sh
duckq() { node tests/interop-duckdb/duck.js "$@"; }      # rows as JSON lines
duck() { node tests/interop-duckdb/duck.js "$@" >/dev/null; } # statements (COPY)
cmp_rows() { python3 tests/integration/pq_compare.py "$1" "$2"; }

# Input: every JSON type, nulls, empty and non-ASCII strings, nested structs and lists, one
# 3 MB string.
python3 - "$TMP/in.jsonl" <<'PY'
import json, random, sys
rng = random.Random(7)
words = ["alpha", "beta", "gamma", "δέλτα", "日本語", "emoji 🚀", "", "x" * 40]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(5000):
        n = rng.choice([1, 5, 20, 80])
        text = " ".join(rng.choice(words) for _ in range(n))
        if i == 1234:
            text = "huge " + "y" * (3 << 20)
        rec = {"id": i, "text": text,
               "score": None if i % 11 == 0 else rng.random() * 1e6 - 5e5,
               "ok": None if i % 13 == 0 else rng.random() < 0.5,
               "tags": None if i % 17 == 0 else [rng.choice(words) for _ in range(rng.randrange(4))],
               "meta": None if i % 19 == 0 else {"lang": rng.choice(["en", "fr", None]),
                                                  "n": n, "inner": {"w": rng.randrange(-5, 5)}}}
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
PY

cfg() { # cfg NAME DATASET EXPORT [MIN_LEN] [extra yaml lines...]
  local f=$TMP/$1.yaml min=${4:-1}
  { echo "dataset_path: '$2'"; echo "export_path: '$3'"; echo "np: 2"
    echo "partition_size: 1"; shift 4 2>/dev/null || shift $#
    for l in "$@"; do echo "$l"; done
    echo "process:"
    echo "  - text_length_filter:"
    echo "      min_len: $min"
    echo "      max_len: 100000000"; } >"$f"
  echo "$f"
}

# ---- zest writes, DuckDB reads ----------------------------------------------------------
run_zest run "$(cfg ref "$TMP/in.jsonl" "$TMP/ref/out.jsonl")" --quiet
check "reference run on JSON lines: exit 0" equals "$rc" 0
run_zest run "$(cfg wpq "$TMP/in.jsonl" "$TMP/wpq/out.parquet")" --quiet
check "export to .parquet: exit 0" equals "$rc" 0
check "export to .parquet: a Parquet file" python3 -c '
import sys; b=open(sys.argv[1],"rb").read(); assert b[:4]==b"PAR1" and b[-4:]==b"PAR1"' "$TMP/wpq/out.parquet"
duck "COPY (SELECT * FROM read_parquet('$TMP/wpq/out.parquet')) TO '$TMP/wpq/duck.jsonl' (FORMAT json)"
check "DuckDB reads zest's Parquet export: every row equals the JSON lines export" cmp_rows "$TMP/wpq/duck.jsonl" "$TMP/ref/out.jsonl"
check "DuckDB sees zest's types" python3 -c '
import json,sys
t={r["column_name"]:r["column_type"] for r in map(json.loads,open(sys.argv[1]))}
assert t["id"]=="BIGINT" and t["text"]=="VARCHAR" and t["score"]=="DOUBLE" and t["ok"]=="BOOLEAN", t
assert t["tags"]=="VARCHAR[]" and t["meta"]=="STRUCT(lang VARCHAR, n BIGINT, \"inner\" STRUCT(w BIGINT))", t' \
  <(duckq "DESCRIBE SELECT * FROM read_parquet('$TMP/wpq/out.parquet')")
check "the huge string survives (DuckDB's length)" equals \
  "$(duckq "SELECT length(text) AS n FROM read_parquet('$TMP/wpq/out.parquet') WHERE id = 1234")" '{"n":"3145733"}'

run_zest run "$(cfg empty "$TMP/in.jsonl" "$TMP/empty/out.parquet" 999999999)" --quiet
check "0-row export: exit 0" equals "$rc" 0
check "0-row export: DuckDB reads 0 rows" equals \
  "$(duckq "SELECT count(*) AS n FROM read_parquet('$TMP/empty/out.parquet')")" '{"n":"0"}'

mkdir -p "$TMP/samples"
ZEST_PARQUET_SAMPLES=$TMP/samples "$ZEST_BUILD/tests/test_parquet" samples >/dev/null
bad=""
for f in "$TMP"/samples/s_*.parquet; do
  duck "COPY (SELECT * FROM read_parquet('$f')) TO '$f.jsonl' (FORMAT json)"
  cat "$TMP/samples/source.jsonl" "$TMP/samples/source.jsonl" >"$TMP/samples/twice.jsonl"
  cmp_rows "$f.jsonl" "$TMP/samples/twice.jsonl" >/dev/null || bad="$bad $(basename "$f")"
done
check "DuckDB reads every codec x page v1/v2 x dictionary/plain file zest writes (20 files)" \
  equals "$(ls "$TMP"/samples/s_*.parquet | wc -l)${bad:+ bad:$bad}" 20

run_zest run "$(cfg ck "$TMP/in.jsonl" "$TMP/ck/out.jsonl" 1 'checkpoint: {enabled: true, strategy: every_op}' 'checkpointing: {storage_format: parquet, compression: zstd}')" --quiet
check "Parquet checkpoints (zstd): exit 0, same export" same_file "$TMP/ck/out.jsonl" "$TMP/ref/out.jsonl"
ck=$(ls "$TMP"/ck/2*/checkpoints/checkpoint_op_0000_partition_0000.parquet)
check "DuckDB reads a checkpoint: its rows are the partition's rows" equals \
  "$(duckq "SELECT count(*) AS n FROM read_parquet('$ck')")" \
  "{\"n\":\"$(python3 -c 'import json,sys,glob; d=json.load(open(sys.argv[1])); print(d["records"][0]["rows"])' "$(dirname "$ck")/manifest/partition_0000.json")\"}"

# ---- DuckDB writes, zest reads ----------------------------------------------------------
bad=""
for codec in snappy gzip zstd lz4_raw uncompressed; do
  for ver in V1 V2; do
    f=$TMP/duck_${codec}_$ver.parquet
    duck "COPY (SELECT * FROM read_json('$TMP/in.jsonl')) TO '$f' (FORMAT parquet, COMPRESSION $codec, ROW_GROUP_SIZE 1000, PARQUET_VERSION $ver)"
    "$ZEST" run "$(cfg "r_${codec}_$ver" "$f" "$TMP/r_${codec}_$ver/out.jsonl")" --quiet 2>"$TMP/r.err" &&
      cmp_rows "$TMP/r_${codec}_$ver/out.jsonl" "$TMP/ref/out.jsonl" >"$TMP/r.cmp" ||
      { bad="$bad ${codec}_$ver"; head -3 "$TMP/r.err" "$TMP/r.cmp" >&2; }
  done
done
check "zest reads DuckDB's Parquet (5 codecs x v1/v2 pages): output equals the JSON lines run" \
  equals "${bad:-none}" none

# Logical types and nested shapes as DuckDB writes them: MAP (a list of key/value structs),
# lists of lists, DECIMAL as INT32/INT64 and FIXED (to double), DATE, TIMESTAMP (to text),
# TINYINT, UBIGINT, FLOAT, a struct of a list of structs.
duck "COPY (SELECT i AS id, 'row '||i AS text, map([1,2],['a','b']) AS m, [[1,2],[3]] AS ll, (i/7)::DECIMAL(10,3) AS dec, (i*1.5)::DECIMAL(30,5) AS bigdec, DATE '2024-02-29' + i::INTEGER AS d, TIMESTAMP '2024-01-01 12:00:00.25' + to_seconds(i) AS ts, i::TINYINT AS t, i::UBIGINT AS u, i::FLOAT/4 AS f, {'a': [ {'x': i} ]} AS s FROM range(5) t(i)) TO '$TMP/types.parquet' (FORMAT parquet)"
printf "dataset_path: '%s'\nexport_path: '%s'\nprocess: []\n" "$TMP/types.parquet" "$TMP/types/out.jsonl" >"$TMP/types.yaml"
run_zest run "$TMP/types.yaml" --quiet
check "DuckDB's logical types and nested shapes: exit 0" equals "$rc" 0
check "DuckDB's logical types and nested shapes: mapped as docs/parquet.md says" equals "$(sed -n 2p "$TMP/types/out.jsonl")" \
  '{"id":1,"text":"row 1","m":[{"key":1,"value":"a"},{"key":2,"value":"b"}],"ll":[[1,2],[3]],"dec":0.143,"bigdec":1.5,"d":"2024-03-01","ts":"2024-01-01 12:00:01.25","t":1,"u":1,"f":0.25,"s":{"a":[{"x":1}]}}'

mkdir -p "$TMP/dir"
duck "COPY (SELECT * FROM read_json('$TMP/in.jsonl') WHERE id < 2500) TO '$TMP/dir/a.parquet' (FORMAT parquet)" \
     "COPY (SELECT * FROM read_json('$TMP/in.jsonl') WHERE id >= 2500) TO '$TMP/dir/b.parquet' (FORMAT parquet, COMPRESSION zstd)"
run_zest run "$(cfg dir "$TMP/dir" "$TMP/dirout/out.jsonl")" --quiet
check "a directory of Parquet files is one dataset: exit 0" equals "$rc" 0
check "a directory of Parquet files: output equals the JSON lines run" cmp_rows "$TMP/dirout/out.jsonl" "$TMP/ref/out.jsonl"
check "partitions of a Parquet input are whole row groups" python3 -c '
import json,sys
p=json.load(open(sys.argv[1]))["partitions"]
assert len(p)>=2 and all(x["origin"].endswith(".parquet") for x in p), p' "$(ls -d "$TMP"/dirout/2*/)partitions.json"

cp "$TMP/in.jsonl" "$TMP/dir/c.jsonl"
run_zest run "$(cfg mixed "$TMP/dir" "$TMP/mixed/out.jsonl")" --quiet
check "Parquet mixed with JSON lines: refused" test "$rc" -ne 0
check "Parquet mixed with JSON lines: the message says so" contains "$TMP/err" "mixes Parquet and JSON Lines"

printf 'PAR1 this is not parquet PAR1' >"$TMP/bad.parquet"
run_zest run "$(cfg bad "$TMP/bad.parquet" "$TMP/badout/out.jsonl")" --quiet
check "a damaged Parquet input: refused" test "$rc" -ne 0
check "a damaged Parquet input: the message names the file" contains "$TMP/err" "bad.parquet"

finish

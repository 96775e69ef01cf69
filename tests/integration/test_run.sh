#!/usr/bin/env bash
# zest run end to end: the spec's Basic config on the bundled sample must give, byte for byte,
# what an independent reference of Data-Juicer's semantics (with the real fastText) gives; compressed inputs and outputs; directories and globs; malformed records under both
# policies; --set overrides; export_shard_size.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

config() { seed_config "$@"; } # config NAME DATASET EXPORT [extra yaml lines...]

python3 tests/integration/dj_reference.py examples/sample.jsonl "$TMP/ref.jsonl" 50 2000
python3 tests/integration/dj_reference.py examples/sample.jsonl "$TMP/ref_stats.jsonl" 50 2000 keep_stats
MODEL=${ZEST_MODELS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zest/models}/lid.176.ftz
/usr/bin/python3 tests/integration/dj_reference.py examples/sample.jsonl "$TMP/ref_lid.jsonl" 50 2000 lid en 0.8 "$MODEL"

# The demo config itself (spec's Basic configuration), with the export redirected.
sed "s|outputs/demo/processed.jsonl|$TMP/demo/out.jsonl|" examples/demo.yaml >"$TMP/demo.yaml"
run_zest run "$TMP/demo.yaml"
check "basic config exits 0" equals "$rc" 0
check "basic config output equals the Data-Juicer reference byte for byte" same_file "$TMP/demo/out.jsonl" "$TMP/ref_lid.jsonl"
check "ray executor keys are mapped with a warning" contains "$TMP/err" "Ray is not used"
check "summary names the ops" contains "$TMP/err" "language_id_score_filter"

run_zest run "$(config stats examples/sample.jsonl "$TMP/stats.jsonl" 'keep_stats_in_res_ds: true')"
check "keep_stats_in_res_ds writes __dj__stats__.text_len" same_file "$TMP/stats.jsonl" "$TMP/ref_stats.jsonl"

gzip -c examples/sample.jsonl >"$TMP/in.gz.data"
zstd -q -c examples/sample.jsonl >"$TMP/in.zst.data"
run_zest run "$(config gz "$TMP/in.gz.data" "$TMP/gz.jsonl")"
check "gzip input detected by magic bytes" same_file "$TMP/gz.jsonl" "$TMP/ref.jsonl"
run_zest run "$(config zst "$TMP/in.zst.data" "$TMP/zst.jsonl")"
check "zstd input detected by magic bytes" same_file "$TMP/zst.jsonl" "$TMP/ref.jsonl"

run_zest run "$(config outgz examples/sample.jsonl "$TMP/out.jsonl.gz")"
gzip -dc "$TMP/out.jsonl.gz" >"$TMP/outgz.jsonl"
check "export .jsonl.gz is gzip" same_file "$TMP/outgz.jsonl" "$TMP/ref.jsonl"
run_zest run "$(config outzst examples/sample.jsonl "$TMP/out.jsonl.zst")"
zstd -q -d -c "$TMP/out.jsonl.zst" >"$TMP/outzst.jsonl"
check "export .jsonl.zst is zstd" same_file "$TMP/outzst.jsonl" "$TMP/ref.jsonl"

mkdir -p "$TMP/dir"
head -n 5000 examples/sample.jsonl >"$TMP/dir/a.jsonl"
tail -n +5001 examples/sample.jsonl | gzip -c >"$TMP/dir/b.jsonl.gz"
run_zest run "$(config dir "$TMP/dir" "$TMP/dirout.jsonl")"
check "a directory of files is read in name order" same_file "$TMP/dirout.jsonl" "$TMP/ref.jsonl"
run_zest run "$(config glob "$TMP/dir/*.jsonl*" "$TMP/globout.jsonl")"
check "a glob is read in name order" same_file "$TMP/globout.jsonl" "$TMP/ref.jsonl"

printf '%s\n' '{"text":"a good record that is long enough to pass the length filter of fifty"}' \
  '{"text": "broken' '[1,2]' '{"text":"dup","text":"dup"}' '{"meta":1}' \
  '{"text":"bad utf8 \xc3\x28 here"}' '' '{"text":"another good record that is long enough to pass the length filter"}' \
  '{"text":"stats that are not an object cannot be kept by the filters of this pipeline","__dj__stats__":3}' \
  >"$TMP/bad.jsonl"
run_zest run "$(config bad "$TMP/bad.jsonl" "$TMP/badout.jsonl")"
check "skip policy: exit 0" equals "$rc" 0
check "skip policy: good records written" equals "$(wc -l <"$TMP/badout.jsonl")" 2
check "skip policy: bad record reported with file and line" contains "$TMP/err" "bad.jsonl:2 (offset"
check "skip policy: non-object record reported" contains "$TMP/err" "bad.jsonl:3"
check "skip policy: duplicate key reported" contains "$TMP/err" 'duplicate key'
check "skip policy: missing text field reported" contains "$TMP/err" 'no "text" field'
check "skip policy: invalid UTF-8 reported" contains "$TMP/err" "bad.jsonl:6"
check "skip policy: non-object __dj__stats__ reported" contains "$TMP/err" "bad.jsonl:9 (offset"
check "skip policy: summary counts 6 malformed records" contains "$TMP/err" "malformed records 6"

run_zest run "$(config fail "$TMP/bad.jsonl" "$TMP/failout.jsonl" 'bad_record_policy: fail')"
check "fail policy: exit 1" equals "$rc" 1
check "fail policy: error names file and line" contains "$TMP/err" "bad.jsonl:2"
check "fail policy: no partial export is left" test ! -e "$TMP/failout.jsonl"

run_zest run "$(config set examples/sample.jsonl "$TMP/set.jsonl")" --set process.1.text_length_filter.min_len=10 --quiet
python3 tests/integration/dj_reference.py examples/sample.jsonl "$TMP/ref10.jsonl" 10 2000
check "--set overrides an op parameter" same_file "$TMP/set.jsonl" "$TMP/ref10.jsonl"
check "--quiet prints no summary" test ! -s "$TMP/err"

run_zest run "$(config missing "$TMP/nothing-here.jsonl" "$TMP/x.jsonl")"
check "missing input: exit 1" equals "$rc" 1
check "missing input: error names the path" contains "$TMP/err" "nothing-here.jsonl"

python3 -c '
import json
print(json.dumps({"text": "a first record long enough to pass the length filter of fifty chars"}))
print(json.dumps({"text": "x" * (3 << 20)}))
print(json.dumps({"text": "a third record also long enough to pass the length filter of fifty"}))' >"$TMP/long.jsonl"
run_zest run "$(config long "$TMP/long.jsonl" "$TMP/longout.jsonl" 'max_line_size_mb: 1')"
check "over-long line, skip policy: exit 0" equals "$rc" 0
check "over-long line, skip policy: the records around it are kept" equals "$(wc -l <"$TMP/longout.jsonl")" 2
check "over-long line, skip policy: reported with line and offset" contains "$TMP/err" "long.jsonl:2 (offset 80): malformed record: line longer than max_line_size_mb"
run_zest run "$(config longfail "$TMP/long.jsonl" "$TMP/longfail.jsonl" 'max_line_size_mb: 1' 'bad_record_policy: fail')"
check "over-long line, fail policy: exit 1" equals "$rc" 1
check "over-long line, fail policy: error names file, line and limit" contains "$TMP/err" "long.jsonl:2: line at offset 80 is longer than max_line_bytes"

# export_shard_size: shards cut at line ends whose concatenation is the single-file export.
run_zest run "$(config unsharded examples/sample.jsonl "$TMP/unsharded/out.jsonl")" --quiet
size=$(( $(wc -c <"$TMP/unsharded/out.jsonl") / 5 ))
shards() { (cd "$1" && ls -d "$2"-*-of-* 2>/dev/null | tr '\n' ' '); } # shards DIR BASE
run_zest run "$(config shards examples/sample.jsonl "$TMP/shards/out.jsonl")" --set export_shard_size=$size --quiet
check "sharded export: exit 0" equals "$rc" 0
check "sharded export: five shards named <base>-<i>-of-<n>.<suffix>" equals "$(shards "$TMP/shards" out)" \
  "out-00-of-05.jsonl out-01-of-05.jsonl out-02-of-05.jsonl out-03-of-05.jsonl out-04-of-05.jsonl "
check "sharded export: no file at export_path itself" test ! -e "$TMP/shards/out.jsonl"
cat "$TMP"/shards/out-0[0-4]-of-05.jsonl >"$TMP/shards.cat"
check "sharded export: the shards in order equal the unsharded export byte for byte" same_file "$TMP/shards.cat" "$TMP/unsharded/out.jsonl"
check "sharded export: every shard but the last reaches the size" python3 -c '
import sys
size, files = int(sys.argv[1]), sys.argv[2:]
for f in files[:-1]:
    data = open(f, "rb").read()
    assert len(data) >= size and data.endswith(b"\n"), f
    assert len(data[:-1].rsplit(b"\n", 1)[0]) + 1 < size, f  # it ends at the first line end past the size
' "$size" "$TMP"/shards/out-0[0-4]-of-05.jsonl
run_zest run "$(config shards examples/sample.jsonl "$TMP/shards/out.jsonl")" --set export_shard_size=$((size * 2)) --quiet
check "sharded re-run with fewer shards removes the earlier set" equals "$(shards "$TMP/shards" out)" \
  "out-00-of-03.jsonl out-01-of-03.jsonl out-02-of-03.jsonl "
cat "$TMP"/shards/out-0[0-2]-of-03.jsonl >"$TMP/shards2.cat"
check "sharded re-run: the shards in order equal the unsharded export" same_file "$TMP/shards2.cat" "$TMP/unsharded/out.jsonl"
run_zest run "$(config shardgz examples/sample.jsonl "$TMP/shardgz/out.jsonl.gz")" --set export_shard_size=$size --quiet
for f in "$TMP"/shardgz/out-0[0-4]-of-05.jsonl.gz; do gzip -dc "$f"; done >"$TMP/shardgz.cat"
check "gzip shards decompress, in order, to the unsharded export" same_file "$TMP/shardgz.cat" "$TMP/unsharded/out.jsonl"
run_zest run "$(config shardnone examples/sample.jsonl "$TMP/shardnone/out.jsonl")" --set export_shard_size=1000 --set process.1.text_length_filter.min_len=1999999 --quiet
check "sharded empty export: one empty shard -00-of-01" equals "$(shards "$TMP/shardnone" out)|$(wc -c <"$TMP/shardnone/out-00-of-01.jsonl")" "out-00-of-01.jsonl |0"
run_zest run "$(config shardfail "$TMP/bad.jsonl" "$TMP/shardfail/out.jsonl" 'bad_record_policy: fail')" --set export_shard_size=10
check "sharded export, failed run: exit 1 and no shard left" equals "$rc|$(ls -A "$TMP/shardfail" | grep -c '^\.*out')" "1|0"

finish

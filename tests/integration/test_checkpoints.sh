#!/usr/bin/env bash
# Per-op checkpoints of a run: Data-Juicer's names, one per partition and checkpointed op,
# as the strategy says; each holds the rows as that op left them (stats kept; the last op's
# holds the export lines); manifests
# record them; checkpoint_save / checkpoint_cleanup events; pruning and removal.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

config() { # config NAME [extra yaml lines...]
  local name=$1; shift
  seed_config "$name" examples/sample.jsonl "$TMP/$name/out.jsonl" "job_id: job" "np: 2" \
    "partition_size: 4000" "$@"
}
ckpts() { (cd "$TMP/$1/job/checkpoints" 2>/dev/null && ls checkpoint_* 2>/dev/null | tr '\n' ' '); }

python3 tests/integration/dj_reference.py examples/sample.jsonl "$TMP/ref.jsonl" 50 2000

run_zest run "$(config every 'checkpoint: {enabled: true, strategy: every_op}' 'checkpointing: {storage_format: jsonl, compression: none}')"
check "every_op: exit 0" equals "$rc" 0
check "every_op: output unchanged by checkpointing" same_file "$TMP/every/out.jsonl" "$TMP/ref.jsonl"
check "every_op: one file per partition and op, Data-Juicer's names" equals "$(ckpts every)" \
  "checkpoint_op_0000_partition_0000.jsonl checkpoint_op_0000_partition_0001.jsonl checkpoint_op_0000_partition_0002.jsonl checkpoint_op_0001_partition_0000.jsonl checkpoint_op_0001_partition_0001.jsonl checkpoint_op_0001_partition_0002.jsonl "
cat "$TMP"/every/job/checkpoints/checkpoint_op_0001_partition_000{0,1,2}.jsonl >"$TMP/last.jsonl"
check "the last op's checkpoints hold the export lines (stats as keep_stats_in_res_ds says)" \
  same_file "$TMP/last.jsonl" "$TMP/ref.jsonl"
check "the first op's checkpoints hold every row" equals "$(cat "$TMP"/every/job/checkpoints/checkpoint_op_0000_* | wc -l)" 10862
check "manifests record each checkpoint with rows and checksum" python3 -c '
import json,sys,os
d=sys.argv[1]
rows=0
for p in range(3):
    m=json.load(open(os.path.join(d,"manifest","partition_%04d.json" % p)))
    assert [r["op_index"] for r in m["records"]] == [0, 1], m
    for r in m["records"]:
        assert os.path.getsize(os.path.join(d, r["file"])) == r["bytes"]
        assert len(r["checksum"]) == 16 and len(r["prefix_hash"]) == 16
    rows += m["records"][1]["rows"]
assert rows == 9478, rows' "$TMP/every/job/checkpoints"
check "checkpoint_save events name the file, rows and op" python3 -c '
import json,sys
es=[json.loads(l) for l in open(sys.argv[1])]
s=[e for e in es if e["event_type"]=="checkpoint_save"]
assert len(s)==6, len(s)
assert all(e["metadata"]["checkpoint_path"].endswith(".jsonl") and e["operation_name"] for e in s)
assert sum(e["metadata"]["rows"] for e in s if e["operation_idx"]==1) == 9478' "$TMP/every/job/events/events.jsonl"

run_zest run "$(config nops 'checkpoint: {enabled: true, strategy: every_n_ops, n_ops: 2}' 'checkpointing: {storage_format: jsonl}')"
check "every_n_ops 2: only op 1" equals "$(ckpts nops)" \
  "checkpoint_op_0001_partition_0000.jsonl checkpoint_op_0001_partition_0001.jsonl checkpoint_op_0001_partition_0002.jsonl "
run_zest run "$(config manual 'checkpoint: {enabled: true, strategy: manual, op_names: [whitespace_normalization_mapper]}' 'checkpointing: {storage_format: jsonl}')"
check "manual: only the named op" equals "$(ckpts manual)" \
  "checkpoint_op_0000_partition_0000.jsonl checkpoint_op_0000_partition_0001.jsonl checkpoint_op_0000_partition_0002.jsonl "
run_zest run "$(config off 'checkpoint: {enabled: false}')"
check "disabled: no checkpoints" test ! -e "$TMP/off/job/checkpoints"
check "disabled: same output" same_file "$TMP/off/out.jsonl" "$TMP/ref.jsonl"

run_zest run "$(config prune 'checkpointing: {storage_format: jsonl, compression: gzip, max_checkpoints_per_partition: 1}')"
check "max_checkpoints_per_partition 1: only the newest kept, gzip" equals "$(ckpts prune)" \
  "checkpoint_op_0001_partition_0000.jsonl.gz checkpoint_op_0001_partition_0001.jsonl.gz checkpoint_op_0001_partition_0002.jsonl.gz "
check "pruning is a checkpoint_cleanup event" python3 -c '
import json,sys
es=[json.loads(l) for l in open(sys.argv[1])]
c=[e for e in es if e["event_type"]=="checkpoint_cleanup"]
assert len(c)==3 and all(e["metadata"]["removed"]==1 for e in c), c' "$TMP/prune/job/events/events.jsonl"
run_zest run "$(config pq 'checkpointing: {storage_format: parquet}')"
check "parquet: exit 0" equals "$rc" 0
check "parquet: Parquet checkpoints are written" equals "$(ckpts pq)" \
  "checkpoint_op_0000_partition_0000.parquet checkpoint_op_0000_partition_0001.parquet checkpoint_op_0000_partition_0002.parquet checkpoint_op_0001_partition_0000.parquet checkpoint_op_0001_partition_0001.parquet checkpoint_op_0001_partition_0002.parquet "
check "parquet: the files are Parquet (PAR1 at both ends)" python3 -c '
import sys
for p in sys.argv[1:]:
    b=open(p,"rb").read(); assert b[:4]==b"PAR1" and b[-4:]==b"PAR1", p' "$TMP"/pq/job/checkpoints/checkpoint_*.parquet
check "parquet: output unchanged by Parquet checkpoints" same_file "$TMP/pq/out.jsonl" "$TMP/ref.jsonl"
for comp in snappy zstd none; do
  run_zest run "$(config ar$comp "checkpointing: {storage_format: arrow, compression: $comp}")"
  check "arrow ($comp): exit 0" equals "$rc" 0
  check "arrow ($comp): Arrow checkpoints are written" equals "$(ckpts ar$comp)" \
    "checkpoint_op_0000_partition_0000.arrow checkpoint_op_0000_partition_0001.arrow checkpoint_op_0000_partition_0002.arrow checkpoint_op_0001_partition_0000.arrow checkpoint_op_0001_partition_0001.arrow checkpoint_op_0001_partition_0002.arrow "
  check "arrow ($comp): the files are Arrow IPC files (ARROW1 at both ends)" python3 -c '
import sys
for p in sys.argv[1:]:
    b=open(p,"rb").read(); assert b[:6]==b"ARROW1" and b[-6:]==b"ARROW1", p' "$TMP"/ar$comp/job/checkpoints/checkpoint_*.arrow
  check "arrow ($comp): output unchanged by Arrow checkpoints" same_file "$TMP/ar$comp/out.jsonl" "$TMP/ref.jsonl"
done
check "arrow: apache-arrow reads a checkpoint" bash -c 'bash scripts/npm.sh >/dev/null 2>&1 &&
  test "$(node tests/interop-arrow/read.js "$1" | wc -l)" -gt 0' _ "$TMP/arzstd/job/checkpoints/checkpoint_op_0000_partition_0000.arrow"

run_zest run "$(config drop 'checkpointing: {storage_format: jsonl}' 'preserve_intermediate_data: false')"
check "preserve_intermediate_data false: no checkpoint left after the export" equals "$(ckpts drop)" ""
check "preserve_intermediate_data false: same output" same_file "$TMP/drop/out.jsonl" "$TMP/ref.jsonl"

finish

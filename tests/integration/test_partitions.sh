#!/usr/bin/env bash
# Partitioned runs: the same bytes whatever the number of workers and the partitioning
# strategy; one partition_start/partition_complete per partition; malformed records reported
# at their real file line whichever partition holds them; a failing partition ends the run.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

config() { # config NAME DATASET [extra yaml lines...]
  local name=$1 data=$2; shift 2
  seed_config "$name" "$data" "$TMP/$name/out.jsonl" "job_id: job" "$@"
}

python3 tests/integration/dj_reference.py examples/sample.jsonl "$TMP/ref.jsonl" 50 2000

for np in 1 2 4 8; do
  run_zest run "$(config np$np examples/sample.jsonl "np: $np" 'partition_size: 500')"
  check "np=$np with 22 partitions: exit 0" equals "$rc" 0
  check "np=$np with 22 partitions: output equals the reference" same_file "$TMP/np$np/out.jsonl" "$TMP/ref.jsonl"
done
check "22 partitions planned" python3 -c '
import json,sys; p=json.load(open(sys.argv[1])); assert len(p["partitions"]) == 22, len(p["partitions"])' "$TMP/np4/job/partitions.json"
check "one partition_start and one partition_complete per partition" python3 -c '
import json,sys
es=[json.loads(l) for l in open(sys.argv[1])]
s=sorted(e["partition_id"] for e in es if e["event_type"]=="partition_start")
c=sorted(e["partition_id"] for e in es if e["event_type"]=="partition_complete")
assert s == c == list(range(22)), (s, c)
assert all(isinstance(e["worker"], int) for e in es if e["event_type"]=="partition_start")' "$TMP/np4/job/events/events.jsonl"

for strategy in "partition: {mode: manual, num_of_partitions: 7}" "max_partition_size_mb: 1" "partition: {mode: auto}"; do
  name=s$(echo "$strategy" | tr -dc 'a-z0-9' | head -c 20)
  run_zest run "$(config "$name" examples/sample.jsonl 'np: 3' "$strategy")"
  check "strategy '$strategy': output equals the reference" same_file "$TMP/$name/out.jsonl" "$TMP/ref.jsonl"
done

gzip -c examples/sample.jsonl >"$TMP/in.jsonl.gz"
run_zest run "$(config gz "$TMP/in.jsonl.gz" 'np: 2' 'partition_size: 1000')"
check "gzip input split into partitions: output equals the reference" same_file "$TMP/gz/out.jsonl" "$TMP/ref.jsonl"

python3 - "$TMP/bad.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 401):
        f.write('{"text": broken}\n' if i in (7, 150, 399) else
                json.dumps({"text": "a good record that is long enough for the length filter of fifty", "i": i}) + "\n")
PY
run_zest run "$(config bad "$TMP/bad.jsonl" 'np: 4' 'partition_size: 50')"
check "malformed records in later partitions: exit 0" equals "$rc" 0
for line in 7 150 399; do
  check "malformed record at line $line reported at its file line" contains "$TMP/err" "bad.jsonl:$line (offset"
done
check "the good records are all written" equals "$(wc -l <"$TMP/bad/out.jsonl")" 397

ZEST_FAULTS='text_length_filter@5:fail=always' run_zest run "$(config fault examples/sample.jsonl 'np: 2' 'partition_size: 500' 'recovery: {enabled: false}' 'enable_fault_tolerance: false')"
check "a failing partition: exit 1" equals "$rc" 1
check "a failing partition: the error names it" contains "$TMP/err" "partition 5: op text_length_filter: injected fault"
check "a failing partition: partition_error for it, no export" python3 -c '
import json,sys,os
es=[json.loads(l) for l in open(sys.argv[1])]
errs=[e for e in es if e["event_type"]=="partition_error" and "injected" in e.get("error_message","")]
assert [e["partition_id"] for e in errs] == [5], errs
assert es[-1]["event_type"] == "processing_error"
assert not os.path.exists(sys.argv[2])' "$TMP/fault/job/events/events.jsonl" "$TMP/fault/out.jsonl"

finish

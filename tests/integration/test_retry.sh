#!/usr/bin/env bash
# Retry with exponential backoff: transient operator failures recover with identical output,
# partition_retry events carry growing delays, output a failed attempt already handed to the
# writer is not written twice, malformed records are reported once whatever the attempts; a
# permanent failure ends the run after the last retry, or (enable_fault_tolerance) is skipped.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

config() { # config NAME [extra yaml lines...]
  local name=$1; shift
  seed_config "$name" "$DATA" "$TMP/$name/out.jsonl" "job_id: job" "checkpoint: {enabled: false}" \
    "recovery: {enabled: true, max_retries: 3, retry_delay_seconds: 0.01}" "$@"
}
retries() { python3 -c '
import json,sys
es=[json.loads(l) for l in open(sys.argv[1])]
r=[e for e in es if e["event_type"]=="partition_retry"]
print(" ".join("%d:%d" % (e["partition_id"], e["attempt"]) for e in r))' "$TMP/$1/job/events/events.jsonl"; }

DATA=examples/sample.jsonl
python3 tests/integration/dj_reference.py "$DATA" "$TMP/ref.jsonl" 50 2000

ZEST_FAULTS='text_length_filter@3:fail=2' run_zest run "$(config transient 'np: 2' 'partition_size: 1000')"
check "transient failures: exit 0" equals "$rc" 0
check "transient failures: output equals the reference" same_file "$TMP/transient/out.jsonl" "$TMP/ref.jsonl"
check "transient failures: partition_retry for attempts 2 and 3 of partition 3" equals "$(retries transient)" "3:2 3:3"
check "transient failures: the backoff grows and starts at the base delay" python3 -c '
import json,sys
es=[json.loads(l) for l in open(sys.argv[1])]
d=[e["metadata"]["backoff_s"] for e in es if e["event_type"]=="partition_retry"]
assert 0.01 <= d[0] < 0.015 and 0.02 <= d[1] < 0.03 and d[1] > d[0], d' "$TMP/transient/job/events/events.jsonl"

# partition 0 is the head: it streams to the writer (a partition that cannot be skipped
# does), then fails after 25 batches, twice
ZEST_FAULTS='text_length_filter@0:fail=2,after=25' run_zest run "$(config head 'np: 1' 'partition_size: 6000' 'performance: {arrow_batch_size: 200}' 'enable_fault_tolerance: false')"
check "the head partition failing after streaming: exit 0" equals "$rc" 0
check "the head partition failing after streaming: nothing written twice" same_file "$TMP/head/out.jsonl" "$TMP/ref.jsonl"

python3 - "$TMP/bad.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 301):
        f.write('{"text": broken}\n' if i == 5 else
                json.dumps({"text": "a good record that is long enough for the length filter of fifty", "i": i}) + "\n")
PY
DATA=$TMP/bad.jsonl
ZEST_FAULTS='text_length_filter@0:fail=2' run_zest run "$(config bad 'np: 1')"
check "malformed records with retries: exit 0" equals "$rc" 0
check "malformed records with retries: reported once" equals "$(grep -c 'bad.jsonl:5 (offset' "$TMP/err")" 1
check "malformed records with retries: counted once" contains "$TMP/err" "malformed records 1"

DATA=examples/sample.jsonl
ZEST_FAULTS='text_length_filter@1:fail=always' run_zest run "$(config permanent 'np: 2' 'partition_size: 1000' 'enable_fault_tolerance: false')"
check "a permanent failure, no fault tolerance: exit 1 after the retries" equals "$rc" 1
check "a permanent failure: 3 retries, then the error" equals "$(retries permanent)" "1:2 1:3 1:4"
check "a permanent failure, no fault tolerance: no export" test ! -e "$TMP/permanent/out.jsonl"

# enable_fault_tolerance (the default): the partition is skipped, the others exported
sed '1001,2000d' "$DATA" >"$TMP/without1.jsonl"
python3 tests/integration/dj_reference.py "$TMP/without1.jsonl" "$TMP/ref_without1.jsonl" 50 2000
ZEST_FAULTS='text_length_filter@1:fail=always' run_zest run "$(config skip 'np: 2' 'partition_size: 1000')"
check "a permanent failure, fault tolerance: exit 3 (partial)" equals "$rc" 3
check "a permanent failure, fault tolerance: the export holds every other partition in order" \
  same_file "$TMP/skip/out.jsonl" "$TMP/ref_without1.jsonl"
check "a permanent failure, fault tolerance: the summary names the skipped partition and why" \
  contains "$TMP/err" "skipped           partition 1 after 4 attempts: partition 1: op text_length_filter: injected fault"
check "a permanent failure, fault tolerance: partition_skip event, processing_complete" python3 -c '
import json,sys
es=[json.loads(l) for l in open(sys.argv[1])]
s=[e for e in es if e["event_type"]=="partition_skip"]
assert len(s)==1 and s[0]["partition_id"]==1 and s[0]["attempt"]==4 and "injected fault" in s[0]["error_message"], s
c=[e for e in es if e["event_type"]=="processing_complete"]
assert len(c)==1 and c[0]["metadata"]["partitions_skipped"]==1, c' "$TMP/skip/job/events/events.jsonl"

finish

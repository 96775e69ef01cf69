#!/usr/bin/env bash
# The events a `zest run` writes: every type the sequential runner emits, with its required
# fields, checked as JSON; level filtering; malformed-record warnings; processing_error.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e
ev() { python3 tests/integration/check_events.py "$@"; }

config() { # config NAME DATASET [extra yaml lines...]
  local name=$1 data=$2; shift 2
  seed_config "$name" "$data" "$TMP/$name/out.jsonl" "job_id: job1" "$@"
}

run_zest run "$(config all examples/sample.jsonl 'event_logging: {log_level: DEBUG, resource_interval_s: 0.01}' 'parition_size: 3')"
J=$TMP/all/job1
check "run exits 0" equals "$rc" 0
check "summary names the job dir" contains "$TMP/err" "zest events $J"
check "every event has its required fields, ids 1..n" ev "$J" required-fields
for t in processing_start processing_complete operation_start operation_complete \
         resource_usage performance_metric warning info debug; do
  check "emits $t" ev "$J" has $t
done
check "no processing_error in a good run" ev "$J" none processing_error
check "operation_complete counts the mapper's rows" ev "$J" op-complete whitespace_normalization_mapper 10862 10862
check "operation_complete counts the filter's rows" ev "$J" op-complete text_length_filter 10862 9478
check "the unknown-key warning is an event" python3 -c '
import json,sys
ws=[json.loads(l) for l in open(sys.argv[1]) if "\"warning\"" in l]
assert any("parition_size" in w["message"] for w in ws)' "$J/events/events.jsonl"

run_zest run "$(config info examples/sample.jsonl 'event_logging: {log_level: WARNING}' 'parition_size: 3')"
check "log_level WARNING writes nothing below WARNING" ev "$TMP/info/job1" levels-at-least WARNING
check "log_level WARNING keeps warnings" ev "$TMP/info/job1" has warning

run_zest run "$(config off examples/sample.jsonl 'event_logging: {enabled: false}')"
check "event_logging.enabled false: run exits 0" equals "$rc" 0
check "event_logging.enabled false: no events written" bash -c "[ ! -s '$TMP/off/job1/events/events.jsonl' ]"

python3 - "$TMP/bad.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(300):
        f.write(json.dumps({"text": "a good record that is long enough for the length filter of fifty", "i": i}) + "\n")
        f.write('{"text": broken}\n')
PY
run_zest run "$(config bad "$TMP/bad.jsonl")"
check "malformed records: each is a warning event or counted as suppressed" ev "$TMP/bad/job1" bad-accounting 300

ZEST_FAULTS='text_length_filter@*:fail=always' run_zest run "$(config fault examples/sample.jsonl 'recovery: {enabled: false}' 'enable_fault_tolerance: false')"
check "an operator failure exits 1" equals "$rc" 1
check "an operator failure logs operation_error with the op and its error" python3 -c '
import json,sys
es=[json.loads(l) for l in open(sys.argv[1])]
e=[e for e in es if e["event_type"]=="operation_error"]
assert len(e)==1 and e[0]["operation_name"]=="text_length_filter" and e[0]["operation_idx"]==1, e
assert "injected fault" in e[0]["error_message"]
assert es[-1]["event_type"]=="processing_error", es[-1]' "$TMP/fault/job1/events/events.jsonl"
check "an operator failure leaves no export" test ! -e "$TMP/fault/out.jsonl"
check "every event of a failed run has its required fields" ev "$TMP/fault/job1" required-fields

run_zest run "$(config missing "$TMP/no-such-input.jsonl")"
check "a failed run exits 1" equals "$rc" 1
check "a failed run logs processing_error with its error" ev "$TMP/missing/job1" has processing_error

finish

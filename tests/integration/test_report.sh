#!/usr/bin/env bash
# zest status and zest report on runs whose events are known: ZEST_FAULTS delays make one
# partition a straggler and one op dominant, and the report must name them; retries, skips,
# failures and kills show in the states; both JSON outputs match the schema of docs/report.md;
# the HTML report opens in headless Chromium with one bar group per partition.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

config() { # config NAME [extra yaml lines...]
  local name=$1; shift
  seed_config "$name" "$DATA" "$TMP/$name/out.jsonl" "job_id: job" "partition_size: 500" \
    "recovery: {enabled: true, max_retries: 2, retry_delay_seconds: 0.01}" "$@"
}
# py FILE.json EXPR: evaluates EXPR with the JSON as `j`, prints the result.
py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# status NAME: the status JSON of job NAME into $TMP/NAME.status.json.
status() { "$ZEST" status "$TMP/$1/job" --json >"$TMP/$1.status.json"; }

DATA=$TMP/in.jsonl
head -n 4000 examples/sample.jsonl >"$DATA"

# ---- a straggler and a dominant op
ZEST_FAULTS='whitespace_normalization_mapper@5:delay=1.2;text_length_filter@*:delay=0.3' \
  run_zest run "$(config slow 'np: 2')"
check "slow run: exit 0" equals "$rc" 0
run_zest report "$TMP/slow/job" --json
cp "$TMP/out" "$TMP/slow.report.json"
check "report --json: exit 0" equals "$rc" 0
check "report: 8 partitions" equals "$(py "$TMP/slow.report.json" 'j["partitions_total"]')" 8
check "report: partition 5 is the one straggler" \
  equals "$(py "$TMP/slow.report.json" '[p["id"] for p in j["partitions"] if p["straggler"]]')" "[5]"
check "report: a stragglers finding names partition 5 and partition_size" \
  equals "$(py "$TMP/slow.report.json" '[(f["config_key"], "partition 5," in f["message"]) for f in j["findings"] if f["kind"]=="stragglers"]')" "[('partition_size', True)]"
check "report: the dominant op is text_length_filter" \
  equals "$(py "$TMP/slow.report.json" '[f["config_key"] for f in j["findings"] if f["kind"]=="dominant_op"]')" "['process.1.text_length_filter']"
check "report: text_length_filter's share is over 60%" \
  equals "$(py "$TMP/slow.report.json" 'j["ops"][1]["share"] > 0.6 and j["ops"][1]["runs"] == 8')" True
check "report: partition 5 is whitespace_normalization_mapper's slowest" \
  equals "$(py "$TMP/slow.report.json" 'j["ops"][0]["slowest"][0]["partition"]')" 5
check "report: rows in and out match the input and the export" \
  equals "$(py "$TMP/slow.report.json" '(j["rows_in"], j["rows_out"], j["ops"][0]["rows_in"], j["ops"][1]["rows_out"])')" \
  "(4000, $(wc -l <"$TMP/slow/out.jsonl"), 4000, $(wc -l <"$TMP/slow/out.jsonl"))"
check "report: op time includes the delays (>= 8 x 0.3 + 1.2 s)" \
  equals "$(py "$TMP/slow.report.json" 'j["time"]["op_s"] >= 3.6 and j["wall_s"] >= 1.8')" True
check "report: two workers, both busy" \
  equals "$(py "$TMP/slow.report.json" '[w["attempts"] > 0 for w in j["workers_detail"]]')" "[True, True]"
check "report --json follows docs/report.md" python3 tests/integration/check_report_schema.py "Performance summary JSON" "$TMP/slow.report.json"
check "zest run wrote report.json, the same summary" \
  equals "$(py "$TMP/slow/job/report.json" '(j["state"], [p["id"] for p in j["partitions"] if p["straggler"]])')" "('complete', [5])"
run_zest report "$TMP/slow/job"
check "report text: names the straggler and the dominant op" \
  bash -c "grep -q 'stragglers: 1 partition' '$TMP/out' && grep -q 'dominant_op: text_length_filter takes' '$TMP/out' && grep -q '^5 .*straggler$' '$TMP/out'"
run_zest report "$TMP/slow" --op text_length_filter --json
check "report --op: only that op" equals "$(py "$TMP/out" '(j["op_filter"], [o["name"] for o in j["ops"]])')" "('text_length_filter', ['text_length_filter'])"
run_zest report "$TMP/slow/job" --op no_such_op
check "report --op unknown: exit 1 naming the job's ops" \
  bash -c "[ $rc = 1 ] && grep -q \"no op 'no_such_op' (its ops: whitespace_normalization_mapper, text_length_filter)\" '$TMP/err'"
status slow
check "status: complete, 8 done, rows as the report" \
  equals "$(py "$TMP/slow.status.json" '(j["state"], j["counts"]["done"], j["partitions_total"], j["rows_in"], j["retries"], j["runs"], j["eta_s"])')" \
  "('complete', 8, 8, 4000, 0, 1, None)"
ckpt_bytes=$(find "$TMP/slow/job/checkpoints" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
check "status: checkpoints held are counted with their size (manifests included)" \
  equals "$(py "$TMP/slow.status.json" '(j["checkpoints"]["files"], j["checkpoints"]["bytes"])')" "(16, $ckpt_bytes)"
check "status --json follows docs/report.md" python3 tests/integration/check_report_schema.py "Status JSON" "$TMP/slow.status.json"
run_zest status "$TMP/slow"
check "status of the work dir: the job in it, as text" \
  bash -c "grep -q '^state       complete' '$TMP/out' && grep -q '^partitions  8: 8 done' '$TMP/out'"

# ---- the HTML report in a real browser
run_zest report "$TMP/slow/job" --html "$TMP/report.html"
check "report --html: exit 0" equals "$rc" 0
if command -v chromium >/dev/null; then
  chrome() { timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$TMP/chrome" "$@" 2>/dev/null; }
  chrome --dump-dom "file://$TMP/report.html" >"$TMP/dom.html" || true
  check "html in Chromium: one bar group per partition" \
    equals "$(grep -o '<g class="partition" data-partition="[0-9]*">' "$TMP/dom.html" | sort -u | wc -l)" 8
  check "html in Chromium: partition 5's group holds its bars" \
    bash -c "grep -o '<g class=\"partition\" data-partition=\"5\">.*' '$TMP/dom.html' | head -1 | grep -q '<rect class=\"bar run\"'"
  check "html in Chromium: the findings table names the straggler" contains "$TMP/dom.html" "partition 5, took"
  (cd "$TMP" && chrome --screenshot="$TMP/report.png" --window-size=1200,1000 "file://$TMP/report.html") || true
  check "html in Chromium: a screenshot is taken" \
    bash -c "[ \"\$(head -c 8 '$TMP/report.png' | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ] && [ \$(stat -c %s '$TMP/report.png') -gt 10000 ]"
else
  not_ok "chromium is not installed (scripts/deps.sh installs it)"
fi

# ---- retries, a skip: partial
ZEST_FAULTS='text_length_filter@2:fail=always' run_zest run "$(config skip 'np: 2' 'enable_fault_tolerance: true')"
check "skip run: exit 3" equals "$rc" 3
status skip
check "status: partial, partition 2 skipped with its error, 2 retries" \
  equals "$(py "$TMP/skip.status.json" '(j["state"], j["counts"]["skipped"], j["counts"]["done"], j["retries"], j["partitions"][2]["state"], j["partitions"][2]["attempts"], "injected" in j["partitions"][2]["error"])')" \
  "('partial', 1, 7, 2, 'skipped', 3, True)"
check "report.json of a partial run: partial, a retries finding" \
  equals "$(py "$TMP/skip/job/report.json" '(j["state"], j["skipped"], [f["kind"] for f in j["findings"] if f["kind"]=="retries"])')" "('partial', 1, ['retries'])"

# ---- a failure
ZEST_FAULTS='text_length_filter@1:fail=always' run_zest run "$(config fail 'np: 1' 'enable_fault_tolerance: false')"
check "failing run: exit 1" equals "$rc" 1
status fail
check "status: failed, with the run's error" \
  equals "$(py "$TMP/fail.status.json" '(j["state"], "injected" in j["error"], j["partitions"][1]["state"])')" "('failed', True, 'failed')"
check "report.json of a failed run: failed" equals "$(py "$TMP/fail/job/report.json" 'j["state"]')" failed

# ---- a running job, then killed, then resumed
ZEST_FAULTS='text_length_filter@*:delay=0.6' "$ZEST" run "$(config live 'np: 1')" --quiet 2>"$TMP/live.err" &
pid=$!
live=""
for _ in $(seq 1 200); do
  if "$ZEST" status "$TMP/live/job" --json >"$TMP/live.status.json" 2>/dev/null &&
     [ "$(py "$TMP/live.status.json" 'j["state"] == "running" and j["counts"]["done"] >= 2')" = True ]; then
    live=yes; break
  fi
  sleep 0.1
done
check "status of a running job: running" equals "$live" yes
check "status of a running job: counts add up, one running, an ETA" \
  equals "$(py "$TMP/live.status.json" 'sum(j["counts"][k] for k in ("done","running","pending","retrying","failed","skipped")) == 8 and j["counts"]["running"] == 1 and j["eta_s"] is not None and j["eta_s"] > 0')" True
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
status live
check "status of a killed job: interrupted, nothing running" \
  equals "$(py "$TMP/live.status.json" '(j["state"], j["counts"]["running"], j["counts"]["done"] >= 2)')" "('interrupted', 0, True)"
run_zest run "$(config live 'np: 1')" --resume --quiet
check "resumed job: exit 0" equals "$rc" 0
status live
check "status after the resume: complete in 2 runs, 8 done" \
  equals "$(py "$TMP/live.status.json" '(j["state"], j["runs"], j["counts"]["done"])')" "('complete', 2, 8)"

# ---- no job
run_zest status "$TMP/nowhere"
check "status of a missing dir: exit 1 naming it" bash -c "[ $rc = 1 ] && grep -q '$TMP/nowhere' '$TMP/err'"
finish

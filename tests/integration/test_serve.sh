#!/usr/bin/env bash
# zest serve and zest run --serve: the dashboard in Debian's chromium driven by playwright-core
# (tests/browser/dashboard.mjs) while a job slowed by ZEST_FAULTS runs; the JSON API against
# the CLI's own outputs; /metrics through a strict Prometheus text-format parser; the event
# stream; the token and loopback rules; read-only and no path traversal; malformed requests,
# oversized headers and slowloris (tests/integration/http_garbage.py); a job killed and
# resumed under a running server. Screenshots are kept in $ZEST_BUILD/test-artifacts/serve/.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

SHOTS=${ZEST_BUILD:-build}/test-artifacts/serve
SERVERS=()
trap 'for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"' EXIT

# serve NAME ARGS...: starts `zest serve ARGS` in the background; sets PID, PORT and TOKEN
# from its URL line.
serve() {
  local name=$1; shift
  "$ZEST" serve "$@" >"$TMP/$name.log" 2>&1 &
  PID=$!
  SERVERS+=("$PID")
  for _ in $(seq 100); do grep -q 'serving' "$TMP/$name.log" 2>/dev/null && break; sleep 0.05; done
  PORT=$(sed -n 's|.*http://[^ ]*:\([0-9]*\)/.*|\1|p' "$TMP/$name.log")
  TOKEN=$(sed -n 's|.*?token=\([0-9a-zA-Z]*\)$|\1|p' "$TMP/$name.log")
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# http PATH [ARGS...]: GET on the current server; prints the status code, body in $TMP/body.
http() { local p=$1; shift; python3 tests/integration/http_get.py "http://127.0.0.1:$PORT$p" -o "$TMP/body" "$@"; }
py() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

DATA=$TMP/in.jsonl
head -n 4000 examples/sample.jsonl >"$DATA"
config() { # config NAME [extra yaml lines...]
  local name=$1; shift
  seed_config "$name" "$DATA" "$TMP/$name/out.jsonl" "job_id: job" "partition_size: 250" "np: 2" \
    "recovery: {enabled: true, max_retries: 2, retry_delay_seconds: 0.01}" "$@"
}
SLOW='text_length_filter@*:delay=0.5;whitespace_normalization_mapper@2:fail=1'
ALERTS="monitoring: {alerts: ['error_rate > 0.01', 'rss_mb > 1'], alert_command: 'cat >> $TMP/alerts.jsonl'}"

# ---- usage
run_zest serve
check "serve without WORKDIR: exit 2" equals "$rc" 2
run_zest serve "$TMP" --port 70000
check "serve --port 70000: exit 2" equals "$rc" 2
run_zest serve "$TMP" --token short
check "serve --token of 5 characters: exit 2" bash -c "[ $rc = 2 ] && grep -q 'token: from 8' '$TMP/err'"
run_zest serve "$TMP" --bind nowhere
check "serve --bind nowhere: exit 2 naming the address" bash -c "[ $rc = 2 ] && grep -q 'nowhere' '$TMP/err'"

# ---- the page in a real browser while a slowed job runs
mkdir -p "$TMP/live" "$SHOTS"
serve live "$TMP/live" --port 0
check "serve: prints a loopback URL without a token" \
  bash -c "grep -q '^zest: serving .* at http://127.0.0.1:[0-9]*/$' '$TMP/live.log'"
LIVE_PID=$PID LIVE_PORT=$PORT
if [ -d tests/browser/node_modules/playwright-core ] && command -v chromium >/dev/null; then
  node tests/browser/dashboard.mjs "http://127.0.0.1:$PORT/" 16 "$TMP/ready" "$SHOTS" >"$TMP/browser.out" 2>&1 &
  NODE=$!
  for _ in $(seq 300); do [ -f "$TMP/ready" ] && break; sleep 0.1; done
  ZEST_FAULTS=$SLOW run_zest run "$(config live "$ALERTS")" --quiet
  check "the slowed job: exit 0" equals "$rc" 0
  wait "$NODE" || true
  while IFS=$'\t' read -r verdict name detail; do
    if [ "$verdict" = ok ]; then ok "browser: $name"; else not_ok "browser: $name"; echo "#   $detail"; fi
  done < <(grep -E '^(ok|not ok)'$'\t' "$TMP/browser.out")
  check "browser: the scenario reported its checks" bash -c "[ \$(grep -c '^ok' '$TMP/browser.out') -ge 15 ] || { cat '$TMP/browser.out'; false; }"
  for s in running complete filtered; do
    check "browser: screenshot dashboard-$s.png kept" \
      bash -c "[ \"\$(head -c 8 '$SHOTS/dashboard-$s.png' | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ]"
  done
else
  not_ok "the browser test needs chromium and tests/browser/node_modules (make npm)"
  ZEST_FAULTS=$SLOW run_zest run "$(config live "$ALERTS")" --quiet
fi

# ---- alerts: warning events, the command's stdin
check "alerts: the command got error_rate and rss_mb as JSON" \
  equals "$(python3 -c 'import json,sys; print(sorted(json.loads(l)["metadata"]["alert"] for l in open(sys.argv[1])))' "$TMP/alerts.jsonl")" \
  "['error_rate', 'rss_mb']"
check "alerts: each is a warning event naming its rule" \
  equals "$("$ZEST" events "$TMP/live/job" --type warning --json | python3 -c 'import json,sys; print(sorted(j["metadata"]["alert"] for j in map(json.loads, sys.stdin) if "alert" in j.get("metadata", {})))')" \
  "['error_rate', 'rss_mb']"
mkdir -p "$TMP/skip"
ZEST_FAULTS='text_length_filter@3:fail=always' run_zest run "$(config skip "monitoring: {alerts: [partition_skipped, 'rss_mb > 1'], alert_command: 'exit 0'}")" --quiet
check "alerts: a skipped partition raises partition_skipped (exit 3, also with a command that reads nothing)" \
  equals "$rc $("$ZEST" events "$TMP/skip/job" --type warning --json | python3 -c 'import json,sys; print(sorted(j["metadata"]["rule"] for j in map(json.loads, sys.stdin) if "alert" in j.get("metadata", {})))')" \
  "3 ['partition_skipped', 'rss_mb>1']"
run_zest validate "$(config bad "monitoring: {alerts: ['rss_mb > lots']}")"
check "alerts: a bad rule is a config error naming it" bash -c "[ $rc = 2 ] && grep -q \"rule 'rss_mb > lots'\" '$TMP/err'"

# ---- the API answers as the CLI does (same library calls)
JOB=$TMP/live/job
code=$(http /api/status)
"$ZEST" status "$JOB" --json >"$TMP/status.json"
check "/api/status: 200, the same JSON as zest status --json" \
  bash -c "[ $code = 200 ] && python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(a!=b)' '$TMP/body' '$TMP/status.json'"
code=$(http /api/report)
"$ZEST" report "$JOB" --json >"$TMP/report.json"
check "/api/report: 200, the same JSON as zest report --json" \
  bash -c "[ $code = 200 ] && python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(a!=b)' '$TMP/body' '$TMP/report.json'"
check "/api/report follows docs/report.md" python3 tests/integration/check_report_schema.py "Performance summary JSON" "$TMP/body"
code=$(http /api/jobs)
check "/api/jobs: the one job" equals "$code $(py "$TMP/body" '[j["job_id"] for j in j["jobs"]]')" "200 ['job']"
code=$(http "/api/events?type=partition_complete")
check "/api/events?type=partition_complete: the 16 partitions" \
  equals "$code $(py "$TMP/body" 'sorted(e["partition_id"] for e in j["events"]) == list(range(16)) and {e["event_type"] for e in j["events"]}')" \
  "200 {'partition_complete'}"
http "/api/events?partition=2&level=ERROR" >/dev/null
check "/api/events?partition=2&level=ERROR: the injected failure, partition 2 only" \
  equals "$(py "$TMP/body" 'len(j["events"]) >= 1 and all(e["partition_id"] == 2 and e["level"] == "ERROR" for e in j["events"])')" True
http "/api/events?op=text_length_filter&limit=3" >/dev/null
check "/api/events?op=...&limit=3: the 3 most recent of that op" \
  equals "$(py "$TMP/body" '(len(j["events"]), {e["operation_name"] for e in j["events"]})')" "(3, {'text_length_filter'})"
since=$(py "$TMP/body" 'j["events"][1]["timestamp"]')
http "/api/events?since=$since" >/dev/null
check "/api/events?since=T: only events at or after T" \
  equals "$(py "$TMP/body" "len(j['events']) > 0 and all(e['timestamp'] >= $since for e in j['events'])")" True
check "/api/events?limit=0: 400" equals "$(http '/api/events?limit=0')" 400
check "/api/events?level=LOUD: 400" equals "$(http '/api/events?level=LOUD')" 400
check "/api/status?job=nosuch: 404" equals "$(http '/api/status?job=nosuch')" 404
code=$(http /api/timeline)
check "/api/timeline: 17 attempts (one retry), one failed, spans of both ops" \
  equals "$code $(py "$TMP/body" '(sum(s[3] < 0 for s in j["spans"]), sum(s[6] for s in j["spans"]), sorted({s[3] for s in j["spans"]}))')" \
  "200 (17, 1, [-1, 0, 1])"

# ---- /metrics through a strict text-format parser
code=$(http /metrics)
cp "$TMP/body" "$TMP/metrics.txt"
check "/metrics: 200 and valid Prometheus text" bash -c "[ $code = 200 ] && python3 tests/integration/check_prometheus.py '$TMP/metrics.txt'"
vals=$(python3 tests/integration/check_prometheus.py "$TMP/metrics.txt" \
  'zest_partitions{job_id="job",state="done"}' 'zest_partitions{job_id="job",state="pending"}' \
  'zest_op_rows_in_total{job_id="job",op="text_length_filter"}' \
  'zest_op_rows_out_total{job_id="job",op="text_length_filter"}' 'zest_retries_total{job_id="job"}' \
  'zest_partitions_skipped_total{job_id="job"}' 'zest_events_total{job_id="job",type="partition_complete"}' \
  'zest_job_info{job_id="job",state="complete"}' | tr '\n' ' ')
check "/metrics: 16 done, 0 pending, op rows, 1 retry, 0 skips, 16 partition_complete events" \
  equals "$vals" "16 0 4000 $(wc -l <"$TMP/live/out.jsonl") 1 0 16 1 "
check "/metrics: checkpoint bytes and memory are there" bash -c \
  "python3 tests/integration/check_prometheus.py '$TMP/metrics.txt' 'zest_checkpoint_bytes{job_id=\"job\"}' 'zest_peak_rss_bytes{job_id=\"job\"}' | grep -qv missing"
cat >"$TMP/bad.prom" <<'EOF'
# TYPE a counter
a{x="1"} 1
b 2
EOF
check "the Prometheus parser rejects a sample without TYPE" bash -c "! python3 tests/integration/check_prometheus.py '$TMP/bad.prom' 2>/dev/null"

# ---- the event stream
code=$(http "/api/events/stream?backlog=5" --stream 1.5)
check "/api/events/stream?backlog=5: 200 and the 5 newest events" \
  equals "$code $(grep -c '^id: ' "$TMP/body") $(grep -c '^data: {' "$TMP/body")" "200 5 5"
last=$(grep '^id: ' "$TMP/body" | tail -n 1 | cut -d' ' -f2)
http "/api/events/stream" -H "Last-Event-ID: $((last - 2))" --stream 1.5 >/dev/null
check "the stream resumes after Last-Event-ID" \
  equals "$(grep '^id: ' "$TMP/body" | cut -d' ' -f2 | tr '\n' ' ')" "$((last - 1)) $last "

# ---- the stream follows the log across rotations: every event once, in order
mkdir -p "$TMP/rot"
serve rot "$TMP/rot" --port 0
ROT_PID=$PID
ZEST_FAULTS='text_length_filter@*:delay=0.3' "$ZEST" run "$(config rot \
  'event_logging: {max_log_size_mb: 0.01, backup_count: 50}')" --quiet &
JOBPID=$!
for _ in $(seq 100); do [ "$(http /api/status)" = 200 ] && break; sleep 0.05; done
http "/api/events/stream?backlog=100000" --stream 120 --until '"processing_complete"' >/dev/null
wait "$JOBPID" || true
check "rotation: the log was rotated" bash -c "ls '$TMP/rot/job/events' | grep -q 'events.jsonl.1'"
"$ZEST" events "$TMP/rot/job" --json | python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["event_id"]) for l in sys.stdin))' >"$TMP/rot.ids"
check "rotation: the stream carried every event of the job once, in order" \
  equals "$(grep '^id: ' "$TMP/body" | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')" "$(cat "$TMP/rot.ids")"
stop "$ROT_PID"
PORT=$LIVE_PORT PID=$LIVE_PID

# ---- read-only, no traversal
check "POST: 405" equals "$(http /api/status -X POST)" 405
check "DELETE: 405" equals "$(http /api/status -X DELETE)" 405
check "/../etc/passwd: 404" equals "$(http /../../etc/passwd)" 404
check "/api/status?job=..: 400" equals "$(http '/api/status?job=..')" 400
for f in index.html app.js app.css; do
  http "/$f" >/dev/null
  check "/$f is src/server/www/$f (the embedded copy is up to date)" same_file "$TMP/body" "src/server/www/$f"
done
check "the page is under 300 KB in all" \
  bash -c "[ \$(cat src/server/www/* | wc -c) -lt 307200 ]"

# ---- malformed HTTP, oversized headers, slowloris, a stuck stream client
python3 tests/integration/http_garbage.py "$PORT" "$PID" >"$TMP/garbage.out" 2>&1 || true
while IFS=$'\t' read -r verdict name detail; do
  if [ "$verdict" = ok ]; then ok "garbage: $name"; else not_ok "garbage: $name"; echo "#   $detail"; fi
done < <(grep -E '^(ok|not ok)'$'\t' "$TMP/garbage.out")
check "garbage: the script ran to its end" grep -q 'after an event stream client that never reads' "$TMP/garbage.out"
stop "$LIVE_PID"

# ---- the token and loopback rules
serve tok "$JOB" --port 0 --token secret-123
check "--token: a request without it: 401" equals "$(http /api/status)" 401
check "--token: Authorization: Bearer: 200" equals "$(http /api/status -H 'Authorization: Bearer secret-123')" 200
check "--token: ?token=: 200" equals "$(http '/api/status?token=secret-123')" 200
check "--token: a wrong one: 401" equals "$(http /metrics -H 'Authorization: Bearer secret-124')" 401
check "--token: the page too needs it" equals "$(http /)" 401
stop "$PID"
serve open "$JOB" --port 0 --bind 0.0.0.0
check "--bind 0.0.0.0 without --token: a token is generated and printed" \
  bash -c "[ \${#TOKEN} -ge 32 ] || [ \$(sed -n 's|.*?token=\([0-9a-f]*\)$|\1|p' '$TMP/open.log' | wc -c) -ge 33 ]"
check "--bind 0.0.0.0: no token: 401" equals "$(http /api/status)" 401
check "--bind 0.0.0.0: the generated token: 200" equals "$(http "/api/status?token=$TOKEN")" 200
stop "$PID"

if grep -q . /proc/net/if_inet6 2>/dev/null; then
  serve six "$JOB" --port 0 --bind ::1
  check "--bind ::1: loopback, served without a token" bash -c \
    "grep -q 'at http://\[::1\]:[0-9]*/\$' '$TMP/six.log' && python3 -c 'import http.client,sys; c=http.client.HTTPConnection(\"::1\",int(sys.argv[1])); c.request(\"GET\",\"/api/status\"); sys.exit(c.getresponse().status != 200)' $PORT"
  stop "$PID"
fi

# ---- zest run --serve: the running job is served, the server ends with the run
mkdir -p "$TMP/rs"
(ZEST_FAULTS='text_length_filter@*:delay=0.4' "$ZEST" run "$(config rs)" --quiet --serve 0 \
  >"$TMP/rs.out" 2>"$TMP/rs.err"; echo $? >"$TMP/rs.rc") &
for _ in $(seq 100); do grep -q serving "$TMP/rs.out" 2>/dev/null && break; sleep 0.05; done
PORT=$(sed -n 's|.*http://[^ ]*:\([0-9]*\)/.*|\1|p' "$TMP/rs.out")
for _ in $(seq 50); do code=$(http /api/status); [ "$code" = 200 ] && break; sleep 0.1; done
check "run --serve: the URL is printed and /api/status says running" \
  equals "$code $(py "$TMP/body" 'j["state"]')" "200 running"
for _ in $(seq 300); do [ -f "$TMP/rs.rc" ] && break; sleep 0.1; done
check "run --serve: the run ends with exit 0" equals "$(cat "$TMP/rs.rc" 2>/dev/null)" 0
check "run --serve: the server is gone with the run" bash -c "! python3 tests/integration/http_get.py http://127.0.0.1:$PORT/api/jobs 2>/dev/null"
check "run --serve: a bad port is a usage error" bash -c "'$ZEST' run '$(config rs)' --serve 99999 2>/dev/null; [ \$? = 2 ]"

# ---- a job killed and resumed while the server runs
mkdir -p "$TMP/kr"
serve kr "$TMP/kr" --port 0
KR_PID=$PID
ZEST_FAULTS='text_length_filter@*:delay=0.4' "$ZEST" run "$(config kr)" --quiet &
JOBPID=$!
for _ in $(seq 100); do
  [ "$(http /api/status)" = 200 ] && [ "$(py "$TMP/body" 'j["counts"]["done"]')" -ge 2 ] && break
  sleep 0.1
done
kill -9 "$JOBPID"; wait "$JOBPID" 2>/dev/null || true
http /api/status >/dev/null
check "killed job: the server says interrupted" equals "$(py "$TMP/body" 'j["state"]')" interrupted
run_zest run "$(config kr)" --quiet --resume
check "resumed job: exit 0" equals "$rc" 0
code=$(http /api/status)
check "after the resume: the same server says complete, 2 runs" \
  equals "$code $(py "$TMP/body" '(j["state"], j["runs"], j["counts"]["done"])')" "200 ('complete', 2, 16)"
check "the server survived the kill and the resume" kill -0 "$KR_PID"
stop "$KR_PID"

finish

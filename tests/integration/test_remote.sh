#!/usr/bin/env bash
# Remote inputs: an http:// dataset_path served by a local fault-injecting server
# (http_fault_server.py, 127.0.0.1 only) gives the export of the same file read locally, byte
# for byte: plainly; after HTTP 500s (retry events); after a connection dropped mid-body
# (the second request asks for the remaining range only); after a kill -9 of zest during the
# download and a `--resume` (only the rest is fetched, or all of it when the file changed
# on the server in between); from a server that ignores ranges; after a slow response (stall
# timeout); for a gzip file (magic bytes); and after a crash past the download (the download
# is reused, nothing fetched). A 404 and an unreachable port are clear errors naming the URL.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

WWW=$TMP/www
mkdir -p "$WWW"
python3 - "$WWW/data.jsonl" <<'PY'
import json, random, sys
rng = random.Random(11)
words = ["data", "juicer", "zest", "token", "corpus", "ünïcödé", "数据", "  ", "\t", "model"]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(8000):
        text = " ".join(rng.choice(words) for _ in range(rng.choice([4, 12, 40, 120, 300])))
        f.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
PY
gzip -c "$WWW/data.jsonl" >"$WWW/data.jsonl.gz"
SIZE=$(stat -c %s "$WWW/data.jsonl")

python3 tests/integration/http_fault_server.py "$WWW" "$TMP/port" "$TMP/server.log" \
  --max-seconds 300 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/port")
BASE=http://127.0.0.1:$PORT

FAST="remote: {backoff_initial_s: 0.05, backoff_max_s: 0.2, progress_interval_s: 0.05}"
# rconfig NAME URL [YAML LINE...]: the seed pipeline on URL, exporting to $TMP/NAME/out.jsonl.
rconfig() { local name=$1 url=$2; shift 2; seed_config "$name" "$url" "$TMP/$name/out.jsonl" "np: 2" "$FAST" "$@"; }
job_of() { ls -td "$TMP/$1"/2*/ | head -1; }
# requests PATH: the server's log entries for PATH, one JSON object a line.
requests() { python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["path"] == sys.argv[2]: print(json.dumps(e))' "$TMP/server.log" "$1"; }
# downloads JOB KIND: the number of events with metadata.download == KIND.
downloads() { python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if (json.loads(l).get("metadata") or {}).get("download") == sys.argv[2]))' \
  "$1/events/events.jsonl" "$2"; }

# The reference: the same file read locally.
run_zest run "$(seed_config local "$WWW/data.jsonl" "$TMP/local/out.jsonl" "np: 2")"
check "local run succeeds" equals "$rc" 0

# 1. A plain download.
run_zest run "$(rconfig plain "$BASE/data.jsonl")"
check "plain download: run succeeds" equals "$rc" 0
check "plain download: export identical to the local run" same_file "$TMP/plain/out.jsonl" "$TMP/local/out.jsonl"
J=$(job_of plain)
check "plain download: inputs/data.jsonl is the served file" same_file "$J/inputs/data.jsonl" "$WWW/data.jsonl"
check "plain download: no partial file left" test ! -e "$J/inputs/data.jsonl.part"
check "plain download: validators recorded beside it" contains "$J/inputs/data.jsonl.meta.json" '"etag":"\"'
check "plain download: one request, no range" equals "$(requests /data.jsonl | python3 -c '
import json,sys; r=[json.loads(l) for l in sys.stdin]; print(len(r), r[0]["range"], r[0]["sent"])')" "1 None $SIZE"
check "plain download: start and complete events" equals "$(downloads "$J" start) $(downloads "$J" complete)" "1 1"
check "plain download: processing_start names the URL" contains "$J/events/events.jsonl" "\"dataset_path\":\"$BASE/data.jsonl\""

# 2. HTTP 500 twice, then success: two retries with events.
run_zest run "$(rconfig e500 "$BASE/f/500x2/data.jsonl")"
check "500s: run succeeds" equals "$rc" 0
check "500s: export identical" same_file "$TMP/e500/out.jsonl" "$TMP/local/out.jsonl"
J=$(job_of e500)
check "500s: two retry events" equals "$(downloads "$J" retry)" 2
check "500s: the retry event says why" contains "$J/events/events.jsonl" "HTTP 500 Internal Server Error"
check "500s: three requests" equals "$(requests /f/500x2/data.jsonl | wc -l)" 3

# 3. The connection drops after 1,000,000 bytes: the next request asks for the rest only.
run_zest run "$(rconfig drop "$BASE/f/drop1000000x1/data.jsonl")"
check "drop: run succeeds" equals "$rc" 0
check "drop: export identical" same_file "$TMP/drop/out.jsonl" "$TMP/local/out.jsonl"
check "drop: first request sent 1000000 bytes and dropped, the second asked for bytes=1000000- with If-Range" \
  equals "$(requests /f/drop1000000x1/data.jsonl | python3 -c '
import json,sys; r=[json.loads(l) for l in sys.stdin]
print(len(r), r[0]["sent"], r[0]["dropped"], r[1]["range"], r[1]["status"], r[1]["sent"], r[1]["if_range"] is not None)')" \
  "2 1000000 True bytes=1000000- 206 $((SIZE - 1000000)) True"
J=$(job_of drop)
check "drop: one retry event, a resumed start" equals "$(downloads "$J" retry) $(grep -c 'download resumed: .* from byte 1000000' "$J/events/events.jsonl")" "1 1"

# 4. kill -9 during the download (the server sends 1 MB/s), then --resume: only the rest.
URL=$BASE/f/rate1000000/data.jsonl
CFG=$(rconfig kill "$URL")
"$ZEST" run "$CFG" >"$TMP/kill.out" 2>&1 &
PID=$!
PART=
for _ in $(seq 400); do
  PART=$(ls "$TMP"/kill/2*/inputs/data.jsonl.part 2>/dev/null | head -1 || true)
  [ -n "$PART" ] && [ "$(stat -c %s "$PART")" -ge 300000 ] && break
  sleep 0.05
done
kill -9 "$PID"; wait "$PID" 2>/dev/null || true
HAVE=$(stat -c %s "$PART")
check "kill: killed mid-download ($HAVE of $SIZE bytes)" test "$HAVE" -ge 300000 -a "$HAVE" -lt "$SIZE"
check "kill: nothing under the final name" test ! -e "${PART%.part}"
run_zest run "$CFG" --resume
check "kill: --resume succeeds" equals "$rc" 0
check "kill: --resume continued the job" contains "$TMP/err" "resumed"
check "kill: export identical" same_file "$TMP/kill/out.jsonl" "$TMP/local/out.jsonl"
check "kill: the resumed request asked for bytes=$HAVE- and got only the rest" \
  equals "$(requests /f/rate1000000/data.jsonl | tail -1 | python3 -c '
import json,sys; e=json.loads(sys.stdin.read()); print(e["range"], e["status"], e["sent"])')" \
  "bytes=$HAVE- 206 $((SIZE - HAVE))"
check "kill: two requests in all" equals "$(requests /f/rate1000000/data.jsonl | wc -l)" 2
check "kill: progress events while it downloads" test "$(downloads "$(job_of kill)" progress)" -ge 1

# 4b. The same after the file changed on the server (a new ETag): If-Range does not match, the
# server sends the whole file, the bytes kept are dropped (a restart warning).
cp "$WWW/data.jsonl" "$WWW/changing.jsonl"
CFG=$(rconfig changed "$BASE/f/rate1000000/changing.jsonl")
"$ZEST" run "$CFG" >"$TMP/changed.out" 2>&1 &
PID=$!
PART=
for _ in $(seq 400); do
  PART=$(ls "$TMP"/changed/2*/inputs/changing.jsonl.part 2>/dev/null | head -1 || true)
  [ -n "$PART" ] && [ "$(stat -c %s "$PART")" -ge 300000 ] && break
  sleep 0.05
done
kill -9 "$PID"; wait "$PID" 2>/dev/null || true
touch -d '2001-01-01 00:00:00' "$WWW/changing.jsonl"
run_zest run "$CFG" --resume
check "changed: --resume succeeds" equals "$rc" 0
check "changed: export identical" same_file "$TMP/changed/out.jsonl" "$TMP/local/out.jsonl"
check "changed: the resumed request's If-Range did not match: the whole file came" \
  equals "$(requests /f/rate1000000/changing.jsonl | tail -1 | python3 -c '
import json,sys; e=json.loads(sys.stdin.read()); print(e["range"] is not None, e["status"], e["sent"])')" \
  "True 200 $SIZE"
check "changed: a restart warning says why" contains "$(job_of changed)/events/events.jsonl" "the resource changed on the server"

# 4c. A server that ignores ranges: after a drop the whole file comes again.
run_zest run "$(rconfig noranges "$BASE/f/noranges/drop1000000x1/data.jsonl")"
check "no ranges: run succeeds" equals "$rc" 0
check "no ranges: export identical" same_file "$TMP/noranges/out.jsonl" "$TMP/local/out.jsonl"
check "no ranges: the second answer was a 200 with the whole file" \
  equals "$(requests /f/noranges/drop1000000x1/data.jsonl | tail -1 | python3 -c '
import json,sys; e=json.loads(sys.stdin.read()); print(e["range"], e["status"], e["sent"])')" \
  "bytes=1000000- 200 $SIZE"
check "no ranges: a restart warning" equals "$(downloads "$(job_of noranges)" restart)" 1

# 5. A crash after the download (in an operator): the resumed job reuses the file.
CFG=$(rconfig crash "$BASE/data.jsonl?job=crash")
BEFORE=$(requests "/data.jsonl?job=crash" | wc -l)
(ZEST_FAULTS='text_length_filter@0:crash' "$ZEST" run "$CFG" >/dev/null 2>&1 || true) 2>/dev/null
check "crash: one request before the crash" equals "$(requests "/data.jsonl?job=crash" | wc -l)" $((BEFORE + 1))
run_zest run "$CFG" --resume
check "crash: --resume succeeds" equals "$rc" 0
check "crash: export identical" same_file "$TMP/crash/out.jsonl" "$TMP/local/out.jsonl"
check "crash: no request on resume" equals "$(requests "/data.jsonl?job=crash" | wc -l)" $((BEFORE + 1))
check "crash: a reused event" equals "$(downloads "$(job_of crash)" reused)" 1

# 6. A slow response (5 s before the headers) against a 1 s stall timeout: retried.
run_zest run "$(rconfig slow "$BASE/f/slow5x1/data.jsonl" "remote.stall_timeout_s: 1")"
check "slow: run succeeds" equals "$rc" 0
check "slow: export identical" same_file "$TMP/slow/out.jsonl" "$TMP/local/out.jsonl"
J=$(job_of slow)
check "slow: one retry, after a timeout" equals "$(downloads "$J" retry) $(grep -c 'Timeout was reached' "$J/events/events.jsonl")" "1 1"

# 7. A gzip file: downloaded as it is, decompressed by the planner (magic bytes).
run_zest run "$(rconfig gz "$BASE/data.jsonl.gz")"
check "gzip: run succeeds" equals "$rc" 0
check "gzip: export identical" same_file "$TMP/gz/out.jsonl" "$TMP/local/out.jsonl"
check "gzip: the compressed bytes are kept" same_file "$(job_of gz)/inputs/data.jsonl.gz" "$WWW/data.jsonl.gz"

# 8. 404: a permanent error naming the URL, not retried.
run_zest run "$(rconfig missing "$BASE/missing.jsonl")"
check "404: run fails" test "$rc" -ne 0
check "404: the error names the URL and the status" contains "$TMP/err" "$BASE/missing.jsonl: HTTP 404 Not Found"
check "404: not retried" equals "$(requests /missing.jsonl | wc -l)" 1
check "404: no export" test ! -e "$TMP/missing/out.jsonl"

# 9. Nothing listens on the port: fails after the configured retries, naming the URL.
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
run_zest run "$(rconfig dead "http://127.0.0.1:$DEAD/data.jsonl" "remote.max_retries: 2")"
check "unreachable: run fails" test "$rc" -ne 0
check "unreachable: the error names the URL and the cause" contains "$TMP/err" "GET http://127.0.0.1:$DEAD/data.jsonl: Failed to connect to 127.0.0.1 port $DEAD"
check "unreachable: ... that nothing listens" contains "$TMP/err" "Couldn't connect to server"
check "unreachable: giving up after 3 attempts" contains "$TMP/err" "giving up after 3 attempts (2 retries)"
check "unreachable: two retry events" equals "$(downloads "$(job_of dead)" retry)" 2

finish

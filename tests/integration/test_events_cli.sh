#!/usr/bin/env bash
# `zest events` on hand-written logs: text and --json output, filters, --since relative,
# --limit, rotated gzip files, --follow and exit codes.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

JOB="$TMP/job"
mkdir -p "$JOB/events"
now=$(date +%s)
old=$((now - 7200)) # two hours ago

# event ID TYPE LEVEL TS MESSAGE [EXTRA]: one line in the writer's format
event() {
  printf '{"event_id":%s,"job_id":"j1","event_type":"%s","level":"%s","timestamp":%s.123000,"message":"%s"%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "${6:-}"
}
{
  event 1 processing_start INFO "$old" "job started"
  event 2 partition_start INFO "$old" "partition 0 started" ',"partition_id":0'
  event 3 operation_complete INFO "$old" "op done" ',"partition_id":0,"operation_name":"text_length_filter","operation_idx":0,"duration":1.25'
} | gzip >"$JOB/events/events.jsonl.1.gz"
{
  event 4 partition_error ERROR "$now" "partition 1 failed" ',"partition_id":1,"attempt":2,"error_message":"disk full"'
  event 5 operation_complete INFO "$now" "op done" ',"partition_id":2,"operation_name":"text_length_filter","duration":0.5'
  event 6 processing_complete INFO "$now" "job done"
} >"$JOB/events/events.jsonl"

run_zest events "$JOB"
check "events: exit 0" equals "$rc" 0
check "events: six lines, rotated file first" equals "$(cut -c1-100 "$TMP/out" | wc -l)" 6
check "events: first line is the oldest" equals "$(head -1 "$TMP/out" | sed 's/^\[[^]]*\] //')" "processing_start: job started"
check "events: text line with details" contains "$TMP/out" \
  "] operation_complete: op done (op=text_length_filter, partition=0, duration=1.250s)"
check "events: error message shown" contains "$TMP/out" \
  "partition_error: partition 1 failed (partition=1, attempt=2) error: disk full"
check "events: UTC time with milliseconds" contains "$TMP/out" \
  "[$(date -u -d "@$old" '+%Y-%m-%d %H:%M:%S').123] processing_start"

run_zest events "$JOB" --json
{ gzip -dc "$JOB/events/events.jsonl.1.gz"; cat "$JOB/events/events.jsonl"; } >"$TMP/all.jsonl"
check "--json prints the exact lines" same_file "$TMP/out" "$TMP/all.jsonl"

run_zest events "$JOB" --type OPERATION_COMPLETE --json
check "--type in upper case" equals "$(grep -c operation_complete "$TMP/out")/$(wc -l <"$TMP/out")" "2/2"
run_zest events "$JOB" --type partition_start,PARTITION_ERROR
check "--type list" equals "$(wc -l <"$TMP/out")" 2

run_zest events "$JOB" --since 1h --json
check "--since 1h: only the recent three" equals "$(cut -d, -f1 "$TMP/out" | tr '\n' ' ')" \
  '{"event_id":4 {"event_id":5 {"event_id":6 '
run_zest events "$JOB" --until "$(date -u -d "@$((old + 60))" '+%Y-%m-%dT%H:%M:%SZ')"
check "--until ISO-8601 Z" equals "$(wc -l <"$TMP/out")" 3
run_zest events "$JOB" --since "$(date -u -d "@$((old - 60))" '+%Y-%m-%dT%H:%M:%S')" --until 1h
check "--since naive ISO (UTC) with --until relative" equals "$(wc -l <"$TMP/out")" 3

run_zest events "$JOB" --limit 2 --json
check "--limit 2: the two most recent" equals "$(cut -d, -f1 "$TMP/out" | tr '\n' ' ')" \
  '{"event_id":5 {"event_id":6 '
run_zest events "$JOB" --partition 0 --op text_length_filter
check "--partition and --op" equals "$(wc -l <"$TMP/out")" 1
run_zest events "$JOB" --level error
check "--level error" equals "$(wc -l <"$TMP/out")" 1

printf '{"event_id":7,"event_type":"info","lev' >>"$JOB/events/events.jsonl"
run_zest events "$JOB"
check "torn last line: exit 0" equals "$rc" 0
check "torn last line: warned on stderr" contains "$TMP/err" "1 torn or malformed line skipped"

run_zest events "$JOB" --type NO_SUCH_TYPE
check "unknown type: exit 2" equals "$rc" 2
check "unknown type: named, valid ones listed" contains "$TMP/err" "unknown event type 'NO_SUCH_TYPE' (valid: processing_start"
run_zest events "$JOB" --frobnicate
check "unknown option: exit 2" equals "$rc" 2
check "unknown option: named" contains "$TMP/err" "unknown option '--frobnicate'"
run_zest events "$JOB" --since yesterday
check "bad time: exit 2" equals "$rc" 2
run_zest events "$JOB" --limit 0
check "bad limit: exit 2" equals "$rc" 2
run_zest events
check "missing JOBDIR: exit 2" equals "$rc" 2
check "missing JOBDIR: said" contains "$TMP/err" "missing JOBDIR"
run_zest events "$TMP/no-such-job"
check "no such job dir: exit 1" equals "$rc" 1
mkdir -p "$TMP/empty-job"
run_zest events "$TMP/empty-job"
check "no events/: exit 1" equals "$rc" 1
check "no events/: said" contains "$TMP/err" "no event log"

# --follow: the backlog, then a line appended later, then SIGINT -> exit 0
set +e
"$ZEST" events "$JOB" --follow --json >"$TMP/follow.out" 2>"$TMP/follow.err" &
pid=$!
sleep 0.5
printf 'el":"INFO","timestamp":%s.0,"message":"late"}\n' "$now" >>"$JOB/events/events.jsonl"
for _ in $(seq 50); do grep -q '"late"' "$TMP/follow.out" && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
frc=$?
set -e
check "--follow: SIGINT exits 0" equals "$frc" 0
check "--follow: backlog then the completed line" equals "$(cut -d, -f1 "$TMP/follow.out" | tr '\n' ' ')" \
  '{"event_id":1 {"event_id":2 {"event_id":3 {"event_id":4 {"event_id":5 {"event_id":6 {"event_id":7 '

finish

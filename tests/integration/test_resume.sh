#!/usr/bin/env bash
# Resume: kill -9 at random instants, then `zest run --resume`, gives the export of an
# uninterrupted run byte for byte, and no partition reruns an op it had committed; a crash
# after op k reruns only the ops after k; damaged checkpoints are found and recomputed; a
# changed op parameter reruns from that op on; a changed input is refused; a complete job is
# left as is. ZEST_KILL_SEEDS sets the number of kills (make test-long: 200).
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

SEEDS=${ZEST_KILL_SEEDS:-20}
DATA=$TMP/in.jsonl
python3 - "$DATA" <<'PY'
import json, random, sys
rng = random.Random(7)
words = ["data", "juicer", "zest", "token", "corpus", "filter", "the", "a", "model", "text",
         "ünïcödé", "数据", "\t", "  "]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(24000):
        n = rng.choice([3, 8, 20, 60, 200, 400])
        text = " ".join(rng.choice(words) for _ in range(n))
        f.write(json.dumps({"id": i, "text": text, "meta": {"n": n, "x": rng.random()}},
                           ensure_ascii=False) + "\n")
PY

# config NAME [MIN_LEN] [extra yaml lines...]: three ops, so a crash can fall between any two.
config() {
  local name=$1 min=${2:-50}; shift; [ $# -gt 0 ] && shift
  local f=$TMP/$name.yaml
  { echo "dataset_path: '$DATA'"; echo "export_path: '$TMP/$name/out.jsonl'"
    echo "np: 2"; echo "partition_size: 1000"
    echo "checkpoint: {enabled: true, strategy: every_op}"
    echo "checkpointing: {storage_format: ${FMT:-jsonl}}"
    for l in "$@"; do echo "$l"; done
    echo "process:"
    echo "  - whitespace_normalization_mapper:"
    echo "  - text_length_filter:"
    echo "      min_len: $min"
    echo "      max_len: 100000"
    echo "  - text_length_filter:"
    echo "      min_len: 0"
    echo "      max_len: 2000"; } >"$f"
  echo "$f"
}
job_of() { ls -td "$TMP/$1"/2*/ | head -1; }

# committed JOB: "partition:last committed op" for every partition with a checkpoint.
committed() { python3 - "$1" <<'PY'
import glob, json, os, sys
out = {}
for m in glob.glob(os.path.join(sys.argv[1], "checkpoints/manifest/partition_*.json")):
    d = json.load(open(m))
    if d["records"]:
        out[d["partition"]] = max(r["op_index"] for r in d["records"])
print(json.dumps(out))
PY
}
last_event_id() { python3 -c '
import json,sys
ids=[json.loads(l)["event_id"] for l in open(sys.argv[1]) if l.endswith("\n")]
print(max(ids) if ids else 0)' "$1/events/events.jsonl" 2>/dev/null || echo 0; }

# no_rerun JOB COMMITTED_JSON AFTER_ID: in events after AFTER_ID, no operation_start of an op
# at or below the partition's last committed op.
no_rerun() { python3 - "$1/events/events.jsonl" "$2" "$3" <<'PY'
import json, sys
done = {int(k): v for k, v in json.loads(sys.argv[2]).items()}
after = int(sys.argv[3])
bad = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event_id"] > after and e["event_type"] == "operation_start":
        p, k = e["partition_id"], e["operation_idx"]
        if k <= done.get(p, -1):
            bad.append((p, k))
assert not bad, "ops rerun after their commit (partition, op): %s" % bad[:10]
PY
}

python3 tests/integration/dj_reference.py "$DATA" "$TMP/dj.jsonl" 50 2000
run_zest run "$(config ref)"
check "uninterrupted run: exit 0" equals "$rc" 0
check "uninterrupted run: equals the independent reference" same_file "$TMP/ref/out.jsonl" "$TMP/dj.jsonl"

# ---- kill -9 at random instants -------------------------------------------------------------
t0=$(date +%s%N); "$ZEST" run "$(config timing)" --quiet; t1=$(date +%s%N)
full_ms=$(( (t1 - t0) / 1000000 + 1 ))
kills_ok=0 kills_bad=""
rerun_bad=""
for seed in $(seq 1 "$SEEDS"); do
  cfg=$(config "k$seed")
  delay_ms=$(( (seed * 7919 + 13) % 101 * full_ms / 100 ))
  "$ZEST" run "$cfg" --quiet 2>/dev/null &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  job=$(job_of "k$seed" 2>/dev/null || true)
  done_json='{}' after=0
  if [ -n "$job" ]; then done_json=$(committed "$job"); after=$(last_event_id "$job"); fi
  if ! "$ZEST" run "$cfg" --resume --quiet 2>"$TMP/k$seed.err" ||
     ! cmp -s "$TMP/k$seed/out.jsonl" "$TMP/ref/out.jsonl"; then
    kills_bad="$kills_bad $seed(${delay_ms}ms)"
    continue
  fi
  kills_ok=$((kills_ok + 1))
  job=$(job_of "k$seed")
  no_rerun "$job" "$done_json" "$after" >"$TMP/k$seed.rerun" 2>&1 || rerun_bad="$rerun_bad $seed"
  rm -rf "$TMP/k$seed"
done
check "kill -9 at $SEEDS instants, then --resume: the export is byte-identical every time" \
  equals "$kills_ok${kills_bad:+ (failed:$kills_bad)}" "$SEEDS"
check "kill -9, then --resume: no partition reruns an op it had committed" \
  equals "${rerun_bad:-none}" "none"

run_zest run "$(config fresh)" --resume --quiet
check "--resume with no earlier job: runs it as a new job" contains "$TMP/err" "no earlier job of this config"
check "--resume with no earlier job: the export equals the reference" same_file "$TMP/fresh/out.jsonl" "$TMP/ref/out.jsonl"

# ---- one process per job ------------------------------------------------------------------
ZEST_FAULTS='text_length_filter@0:delay=3' "$ZEST" run "$(config busy)" --quiet 2>/dev/null &
busy=$!
for _ in $(seq 1 100); do [ -e "$TMP/busy" ] && ls "$TMP"/busy/2*/job.json >/dev/null 2>&1 && break; sleep 0.05; done
run_zest run "$(config busy)" --resume
check "--resume while the job still runs: refused (exit 2)" equals "$rc" 2
check "--resume while the job still runs: says another process runs it" contains "$TMP/err" "being run by another zest process"
wait "$busy"
check "--resume while the job still runs: the running job is not disturbed" same_file "$TMP/busy/out.jsonl" "$TMP/ref/out.jsonl"

# ---- resume across checkpoint formats -------------------------------------------------------
for pair in "jsonl parquet" "parquet jsonl" "arrow parquet" "parquet arrow" "jsonl arrow" "arrow jsonl"; do
  set -- $pair
  FMT=$1; cfg=$(config "x$1")
  ZEST_FAULTS='text_length_filter@5:crash' run_zest run "$cfg" --quiet
  check "$1 checkpoints, crash at op 1 of partition 5: the process dies" test "$rc" -ne 0
  FMT=$2; cfg=$(config "x$1"); FMT=jsonl
  run_zest run "$cfg" --resume --quiet
  check "$1 checkpoints, then --resume writing $2: exit 0" equals "$rc" 0
  check "$1 checkpoints, then --resume writing $2: export byte-identical" same_file "$TMP/x$1/out.jsonl" "$TMP/ref/out.jsonl"
  check "$1 checkpoints, then --resume writing $2: both formats are on disk" test -n \
    "$(ls "$(job_of "x$1")"/checkpoints/*.$1 2>/dev/null)" -a -n "$(ls "$(job_of "x$1")"/checkpoints/*.$2 2>/dev/null)"
done

# ---- a crash after op k of partition p ----------------------------------------------------
ZEST_FAULTS='text_length_filter@5:crash' run_zest run "$(config crash)" --quiet
check "crash injected at op 1 of partition 5: the process dies" test "$rc" -ne 0
job=$(job_of crash)
check "crash: job.json says running" contains "$job/job.json" '"state":"running"'
after=$(last_event_id "$job")
run_zest run "$(config crash)" --resume
check "crash, then --resume: exit 0" equals "$rc" 0
check "crash, then --resume: export byte-identical" same_file "$TMP/crash/out.jsonl" "$TMP/ref/out.jsonl"
check "crash, then --resume: partition 5 resumes after op 0 and runs only ops 1 and 2" python3 -c '
import json,sys
after=int(sys.argv[2])
es=[json.loads(l) for l in open(sys.argv[1])]
es=[e for e in es if e["event_id"]>after and e.get("partition_id")==5]
r=[e for e in es if e["event_type"]=="partition_resume"]
assert len(r)==1 and r[0]["operation_idx"]==0, r
l=[e for e in es if e["event_type"]=="checkpoint_load"]
assert len(l)==1 and l[0]["metadata"]["checkpoint_path"].endswith("checkpoint_op_0000_partition_0005.jsonl"), l
ops=sorted(e["operation_idx"] for e in es if e["event_type"]=="operation_start")
assert ops==[1,2], ops' "$job/events/events.jsonl" "$after"
check "crash, then --resume: event ids go on from the crashed run's" python3 -c '
import json,sys
ids=[json.loads(l)["event_id"] for l in open(sys.argv[1])]
assert ids==list(range(1,len(ids)+1)), "ids not 1..n"' "$job/events/events.jsonl"
check "crash, then --resume: the summary says what was reused" contains "$TMP/err" "resumed           "
check "crash, then --resume: job.json says complete, 2 runs" python3 -c '
import json,sys
j=json.load(open(sys.argv[1]))
assert j["state"]=="complete" and j["runs"]==2, j' "$job/job.json"

run_zest run "$(config crash)" --resume
check "--resume of a complete job: exit 0" equals "$rc" 0
check "--resume of a complete job: says it is complete" contains "$TMP/err" "is complete: nothing to do"
run_zest run "$(config crash)" --job-id "$(basename "$job")"
check "--job-id of a complete job: exit 0, nothing to do" contains "$TMP/err" "is complete: nothing to do"

# ---- damaged checkpoints ----------------------------------------------------------------------
ZEST_FAULTS='text_length_filter@20:crash' run_zest run "$(config damaged)" --quiet
job=$(job_of damaged)
ck=$job/checkpoints
truncate -s -100 "$ck/checkpoint_op_0002_partition_0001.jsonl"
python3 - "$ck/checkpoint_op_0002_partition_0002.jsonl" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x04
open(sys.argv[1], "wb").write(bytes(b))
PY
echo '{"format":"zest-checkpoint-manifest","version":1,"partition":3,"records":[{"op_' \
  >"$ck/manifest/partition_0003.json"
after=$(last_event_id "$job")
run_zest run "$(config damaged)" --resume --quiet
check "damaged checkpoints, then --resume: exit 0" equals "$rc" 0
check "damaged checkpoints: export byte-identical" same_file "$TMP/damaged/out.jsonl" "$TMP/ref/out.jsonl"
check "damaged checkpoints: the truncated and the bit-flipped one are reported and recomputed" python3 -c '
import json,sys
after=int(sys.argv[2])
es=[json.loads(l) for l in open(sys.argv[1])]
es=[e for e in es if e["event_id"]>after]
w={(e["partition_id"], e["metadata"]["problem"]) for e in es if e["event_type"]=="warning" and "problem" in (e.get("metadata") or {})}
assert (1,"size_mismatch") in w and (2,"checksum_mismatch") in w, w
for p in (1,2):
    ops=[e["operation_idx"] for e in es if e["event_type"]=="operation_start" and e["partition_id"]==p]
    assert ops==[2], (p, ops)' "$job/events/events.jsonl" "$after"
check "damaged manifest: reported, the partition starts over from its source" python3 -c '
import json,sys
after=int(sys.argv[2])
es=[json.loads(l) for l in open(sys.argv[1])]
es=[e for e in es if e["event_id"]>after and e.get("partition_id")==3]
w=[e for e in es if e["event_type"]=="warning" and "partition_0003.json" in e["message"]]
assert w and "starts from its source" in w[0]["message"], w
ops=[e["operation_idx"] for e in es if e["event_type"]=="operation_start"]
assert ops==[0,1,2], ops' "$job/events/events.jsonl" "$after"

# ---- a changed op parameter ---------------------------------------------------------------------
python3 tests/integration/dj_reference.py "$DATA" "$TMP/dj80.jsonl" 80 2000
ZEST_FAULTS='text_length_filter@20:crash' run_zest run "$(config param)" --quiet
job=$(job_of param)
after=$(last_event_id "$job")
done_json=$(committed "$job")
run_zest run "$(config param 80)" --resume --quiet
check "min_len changed, then --resume: exit 0" equals "$rc" 0
check "min_len changed: the export is the new pipeline's" same_file "$TMP/param/out.jsonl" "$TMP/dj80.jsonl"
check "min_len changed: partitions past op 0 rerun from op 1 on, reusing op 0" python3 -c '
import json,sys
after=int(sys.argv[2])
done={int(k):v for k,v in json.loads(sys.argv[3]).items()}
assert len(done)>=10, done
es=[json.loads(l) for l in open(sys.argv[1])]
es=[e for e in es if e["event_id"]>after]
for p in done:
    ops=sorted(e["operation_idx"] for e in es if e["event_type"]=="operation_start" and e["partition_id"]==p)
    assert ops==[1,2], (p, ops)
st={e["partition_id"] for e in es if e["event_type"]=="warning" and (e.get("metadata") or {}).get("problem")=="stale"}
assert set(p for p,k in done.items() if k>=1) <= st, ("stale checkpoints not reported", st)' \
  "$job/events/events.jsonl" "$after" "$done_json"

# ---- a changed input ----------------------------------------------------------------------------
cp "$DATA" "$TMP/in2.jsonl"
DATA=$TMP/in2.jsonl
ZEST_FAULTS='text_length_filter@20:crash' run_zest run "$(config input)" --quiet
echo '{"text":"one more record, appended after the crash, long enough to pass"}' >>"$DATA"
run_zest run "$(config input)" --resume
check "changed input, then --resume: refused (exit 2)" equals "$rc" 2
check "changed input: the message says the input changed" contains "$TMP/err" "changed since this job was planned"
check "changed input: no export" test ! -e "$TMP/input/out.jsonl"

finish

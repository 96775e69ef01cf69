#!/usr/bin/env bash
# Deduplicators as global operators in zest run: duplicates planted across partitions are
# found; the export does not depend on np or the partition size; a kill -9 during the
# combine phase and after the decision is committed, then --resume, gives the same export
# and reuses what was committed; precision and recall of the near-duplicate ops on a corpus
# with planted near copies.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

python3 "$HERE/dedup_corpus.py" "$TMP/in.jsonl" "$TMP/truth.json" --docs 600 --edit-rate 0.01

# config NAME NP PARTS [YAML LINE...]: the three deduplicators in one pipeline.
config() {
  local f=$TMP/$1.yaml
  { echo "dataset_path: '$TMP/in.jsonl'"; echo "export_path: '$TMP/$1/out.jsonl'"
    echo "np: $2"; echo "partition: {mode: manual, num_of_partitions: $3}"
    shift 3
    for l in "$@"; do echo "$l"; done
    echo "process:"
    echo "  - whitespace_normalization_mapper:"
    echo "  - document_deduplicator:"
    echo "  - document_minhash_deduplicator:"
    echo "      num_permutations: 128"
    echo "  - document_simhash_deduplicator:"; } >"$f"
  echo "$f"
}

ids() { python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["id"]) for l in open(sys.argv[1])))' "$1"; }

run_zest run "$(config ref 1 1)" --quiet
check "np 1, one partition: exit 0" equals "$rc" 0

# The exact copies are known: every one of them is dropped, and no original is.
check "every planted copy is dropped, no original is (np 1)" python3 - "$TMP/ref/out.jsonl" "$TMP/truth.json" <<'PY'
import json, sys
kept = {json.loads(l)['id'] for l in open(sys.argv[1])}
t = json.load(open(sys.argv[2]))
copies = {c['line'] for c in t['copies']}
exact = {c['line'] for c in t['copies'] if c['kind'] == 'exact'}
assert not exact & kept, ('exact copies kept', sorted(exact & kept)[:5])
assert set(range(t['docs'])) - copies <= kept, 'an original was dropped'
near_kept = len(copies & kept)
assert near_kept <= len(copies) // 10, ('near copies kept', near_kept)
PY

for v in "np4 4 4" "np2p7 2 7" "np3p13 3 13"; do
  set -- $v
  run_zest run "$(config "$1" "$2" "$3")" --quiet
  check "np $2, $3 partitions: the export equals np 1's" same_file "$TMP/$1/out.jsonl" "$TMP/ref/out.jsonl"
done

check "duplicates were planted across partitions (np 4: copies in another partition than their original)" \
  python3 - "$TMP/truth.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
part = lambda i: i * 4 // t['docs']
assert sum(part(c['line']) != part(c['copies']) for c in t['copies']) >= 10
PY

# Files of the barrier: one signature file per partition and op, one decision per op.
job=$(ls -d "$TMP"/np4/*/ | head -1)
check "signature files per partition and op, one decision per op" equals \
  "$(cd "$job/dedup" && ls | wc -l)" 15

check "events: signature, combine and finalize phases of every deduplicator" python3 - "$job" <<'PY'
import glob, json, sys
es = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + '/events/*.jsonl')) for l in open(f)]
for op in (1, 2, 3):
    phases = [json.loads(e['metadata'])['phase'] if isinstance(e.get('metadata'), str) else e['metadata']['phase']
              for e in es if e['event_type'] == 'operation_complete' and e.get('operation_idx') == op
              and e.get('metadata') and 'phase' in str(e['metadata'])]
    assert phases.count('signature') == 4 and phases.count('combine') == 1 and \
        phases.count('finalize') == 1, (op, phases)
PY

# The report shows each barrier: its phases and what the decision kept.
run_zest report "$job" --json
cp "$TMP/out" "$TMP/np4.report.json"
check "report --json: a barrier per deduplicator, with its phases and rows" python3 - "$TMP/np4.report.json" "$TMP/np4/out.jsonl" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
b = r['barriers']
assert [x['op_index'] for x in b] == [1, 2, 3], b
assert [x['op'] for x in b] == ['document_deduplicator', 'document_minhash_deduplicator',
                               'document_simhash_deduplicator'], b
assert all(x['signature_s'] > 0 and x['combine_s'] >= 0 and x['finalize_s'] >= 0 for x in b), b
assert b[0]['rows_in'] == r['rows_in'] and b[2]['rows_kept'] == sum(1 for _ in open(sys.argv[2])), b
assert b[0]['rows_kept'] == b[1]['rows_in'] and b[1]['rows_kept'] == b[2]['rows_in'], b
PY
check "report --json follows docs/report.md (barriers included)" \
  python3 "$HERE/check_report_schema.py" "Performance summary JSON" "$TMP/np4.report.json"
run_zest report "$job"
check "report text: a barrier line per deduplicator" equals "$(grep -c 'deduplicator: signatures' "$TMP/out")" 3

# kill -9 during the combine phase (the signatures committed, no decision yet), then --resume.
ZEST_FAULTS='dedup_combine@*:crash' run_zest run "$(config crash1 2 4 'checkpoint: {enabled: true, strategy: every_op}')" --quiet
check "kill -9 in the combine phase: the process died (SIGKILL)" equals "$rc" 137
check "kill -9 in the combine phase: no export" test ! -e "$TMP/crash1/out.jsonl"
check "kill -9 in the combine phase: no decision committed" test -z "$(ls "$TMP"/crash1/*/dedup/*decision* 2>/dev/null)"
run_zest run "$(config crash1 2 4 'checkpoint: {enabled: true, strategy: every_op}')" --resume --quiet
check "kill -9 in the combine phase, then --resume: exit 0" equals "$rc" 0
check "kill -9 in the combine phase, then --resume: the export is byte-identical" \
  same_file "$TMP/crash1/out.jsonl" "$TMP/ref/out.jsonl"
check "--resume after the combine crash: the signature phase of the first deduplicator is not rerun" \
  python3 - "$TMP"/crash1/*/ <<'PY'
import glob, json, sys
es = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + '/events/*.jsonl')) for l in open(f)]
starts = [i for i, e in enumerate(es) if e['event_type'] == 'processing_start']
second = es[starts[-1]:]
sig = [e for e in second if e['event_type'] == 'operation_start' and e.get('operation_idx') == 1
       and 'signature' in str(e.get('metadata'))]
assert not sig, 'signatures recomputed'
assert any(e['event_type'] == 'operation_complete' and e.get('operation_idx') == 1 and
           'combine' in str(e.get('metadata')) for e in second), 'no combine after the resume'
PY

# kill -9 right after the first decision is committed, then --resume: the decision is reused.
ZEST_FAULTS='dedup_decided@*:crash' run_zest run "$(config crash2 2 4)" --quiet
check "kill -9 after the decision: the process died" equals "$rc" 137
check "kill -9 after the decision: the decision was committed" test -n "$(ls "$TMP"/crash2/*/dedup/op_0001_decision.bin 2>/dev/null)"
run_zest run "$(config crash2 2 4)" --resume --quiet
check "kill -9 after the decision, then --resume: the export is byte-identical" \
  same_file "$TMP/crash2/out.jsonl" "$TMP/ref/out.jsonl"
check "--resume after the decision: it is reused, not recomputed" python3 - "$TMP"/crash2/*/ <<'PY'
import glob, json, sys
es = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + '/events/*.jsonl')) for l in open(f)]
starts = [i for i, e in enumerate(es) if e['event_type'] == 'processing_start']
second = es[starts[-1]:]
assert any('decision reused' in (e.get('message') or '') and e.get('operation_idx') == 1 for e in second)
assert not any(e['event_type'] == 'operation_start' and e.get('operation_idx') == 1 and
               'finalize' in str(e.get('metadata')) for e in second)
PY

# A damaged decision is not trusted: it is made again, and the export does not change.
job=$(ls -d "$TMP"/crash2/*/ | head -1)
printf 'X' | dd of="$job/dedup/op_0001_decision.bin" bs=1 seek=30 conv=notrunc 2>/dev/null
rm -f "$TMP/crash2/out.jsonl"
python3 -c 'import json,sys; p=sys.argv[1]; j=json.load(open(p)); j["state"]="failed"; json.dump(j,open(p,"w"))' "$job/job.json"
run_zest run "$(config crash2 2 4)" --resume --quiet
check "a damaged decision file is made again: the export is byte-identical" \
  same_file "$TMP/crash2/out.jsonl" "$TMP/ref/out.jsonl"
check "a damaged decision file is made again: from the committed signatures" python3 - "$job" <<'PY'
import glob, json, sys
es = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + '/events/*.jsonl')) for l in open(f)]
starts = [i for i, e in enumerate(es) if e['event_type'] == 'processing_start']
last = es[starts[-1]:]
ph = lambda p: [e for e in last if e['event_type'] == 'operation_complete' and
                e.get('operation_idx') == 1 and p in str(e.get('metadata'))]
assert ph('finalize') and not ph('signature'), 'not remade from the signatures'
PY

# Quality: precision and recall of MinHash and SimHash on planted near copies.
python3 "$HERE/dedup_quality.py" "$ZEST" "$TMP/quality" --docs 1000 --edit-rate 0.01 | sed 's/^/# /'
check "quality: MinHash precision 1 and recall >= 0.9, SimHash precision 1 and recall >= 0.5" \
  python3 - "$TMP/quality/quality.json" <<'PY'
import json, sys
q = json.load(open(sys.argv[1]))
m, s = q['document_minhash_deduplicator'], q['document_simhash_deduplicator']
assert m['precision'] == 1 and m['recall'] >= 0.9, m
assert s['precision'] == 1 and s['recall'] >= 0.5, s
PY

# Bad parameters are config errors (exit 2) before any data is read, in validate and run.
printf "dataset_path: '%s'\nexport_path: '%s'\nprocess:\n  - document_minhash_deduplicator:\n      ignore_pattern: '[unclosed'\n" \
  "$TMP/in.jsonl" "$TMP/bad1/out.jsonl" >"$TMP/bad1.yaml"
printf "dataset_path: '%s'\nexport_path: '%s'\nprocess:\n  - document_simhash_deduplicator:\n      num_blocks: 4\n      hamming_distance: 4\n" \
  "$TMP/in.jsonl" "$TMP/bad2/out.jsonl" >"$TMP/bad2.yaml"
printf "dataset_path: '%s'\nexport_path: '%s'\nprocess:\n  - document_minhash_deduplicator:\n      num_permutations: 16\n      num_bands: 5\n      num_rows_per_band: 4\n" \
  "$TMP/in.jsonl" "$TMP/bad3/out.jsonl" >"$TMP/bad3.yaml"
for v in "bad1:ignore_pattern '[unclosed'" "bad2:hamming_distance (4) must be less than num_blocks (4)" \
         "bad3:num_bands * num_rows_per_band (5 * 4)"; do
  name=${v%%:*} msg=${v#*:}
  run_zest validate "$TMP/$name.yaml"
  check "validate $name: exit 2 naming the problem" bash -c '[ "$1" = 2 ] && grep -qF -- "$2" "$3"' _ "$rc" "$msg" "$TMP/err"
  run_zest run "$TMP/$name.yaml" --quiet
  check "run $name: exit 2, no export" bash -c '[ "$1" = 2 ] && [ ! -e "$2" ]' _ "$rc" "$TMP/$name/out.jsonl"
done

for op in document_deduplicator document_minhash_deduplicator document_simhash_deduplicator; do
  check "docs/ops/$op.md names every parameter of the op" python3 - "$op" "$HERE/../../docs/ops/$op.md" "$ZEST" <<'PY'
import json, subprocess, sys
op, doc, zest = sys.argv[1:4]
info = json.loads(subprocess.run([zest, 'ops', op, '--json'], capture_output=True, check=True).stdout)
text = open(doc).read()
missing = [p['name'] for p in info['params'] if '| `%s` |' % p['name'] not in text]
assert text.startswith('# ' + op + '\n') and not missing, missing
PY
done

finish

#!/usr/bin/env bash
# language_id_score_filter in zest run: a missing or damaged model is a config error before
# any data is read (validate and run, exit 2, naming the file); model_path takes another
# model; the output is the same whatever the worker count; zest predict's usage errors.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

lid_config() { # lid_config NAME EXTRA_OP_LINE [top-level lines...]
  local name=$1 extra=$2; shift 2
  { echo "dataset_path: 'examples/sample.jsonl'"; echo "export_path: '$TMP/$name/out.jsonl'"
    for l in "$@"; do echo "$l"; done
    echo "process:"; echo "  - language_id_score_filter:"; echo "      lang: [en, de]"
    [ -n "$extra" ] && echo "      $extra"; } >"$TMP/$name.yaml"
  echo "$TMP/$name.yaml"
}

run_zest validate "$(lid_config missing "model_path: '$TMP/nowhere/lid.ftz'")"
check "missing model: validate exits 2" equals "$rc" 2
check "missing model: the error names the op, the key and the file" \
  contains "$TMP/err" "language_id_score_filter: model_path: $TMP/nowhere/lid.ftz"
run_zest run "$(lid_config missing "model_path: '$TMP/nowhere/lid.ftz'")"
check "missing model: run exits 2 and writes nothing" bash -c "[ $rc = 2 ] && [ ! -e '$TMP/missing' ]"

head -c 4000 tests/fuzz/corpus/fasttext/tiny.ftz >"$TMP/cut.ftz"
run_zest run "$(lid_config cut "model_path: '$TMP/cut.ftz'")"
check "damaged model: exit 2 naming the file, offset and cause" \
  bash -c "[ $rc = 2 ] && grep -q '$TMP/cut.ftz: offset [0-9]*: not a fastText model' '$TMP/err'"

run_zest run "$(lid_config tiny "model_path: 'tests/fuzz/corpus/fasttext/tiny.ftz'" 'np: 1')"
check "model_path takes another fastText model" equals "$rc" 0

run_zest run "$(lid_config np1 "" 'np: 1' 'partition_size: 700' 'keep_stats_in_res_ds: true')"
check "np 1: exit 0" equals "$rc" 0
run_zest run "$(lid_config np3 "" 'np: 3' 'partition_size: 700' 'keep_stats_in_res_ds: true')"
check "np 3 gives the same bytes as np 1, stats included" same_file "$TMP/np3/out.jsonl" "$TMP/np1/out.jsonl"
check "the stats hold lang and lang_score" contains "$TMP/np1/out.jsonl" '"__dj__stats__":{"lang":"'

run_zest predict
check "predict without a model: usage error" bash -c "[ $rc = 2 ] && grep -q 'MODEL missing' '$TMP/err'"
run_zest predict tests/fuzz/corpus/fasttext/tiny.ftz -k 0
check "predict -k 0: usage error" bash -c "[ $rc = 2 ] && grep -q \"bad value '0' for -k\" '$TMP/err'"
printf 'the cat\n\nle chat\n' | "$ZEST" predict tests/fuzz/corpus/fasttext/tiny.ftz -k 2 >"$TMP/pred.out"
check "predict: one output line per input line, k labels each" \
  equals "$(awk '{print NF}' "$TMP/pred.out" | tr '\n' ' ')" "4 4 4 "
finish

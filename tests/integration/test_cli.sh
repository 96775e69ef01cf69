#!/usr/bin/env bash
# The command line: help, exit codes, ops catalogue, validate.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

run_zest --help
check "--help exits 0" equals "$rc" 0
check "--help lists the exit codes" contains "$TMP/out" "2  usage or config error"
run_zest
check "no command: exit 2" equals "$rc" 2
run_zest frobnicate
check "unknown command: exit 2" equals "$rc" 2
run_zest run --help
check "run --help shows --set" contains "$TMP/out" "--set KEY=VALUE"

run_zest ops
check "ops lists whitespace_normalization_mapper" contains "$TMP/out" "whitespace_normalization_mapper"
check "ops lists text_length_filter" contains "$TMP/out" "text_length_filter"
run_zest ops text_length_filter
check "ops NAME shows defaults" contains "$TMP/out" "min_len"
check "ops NAME shows the common range flags" contains "$TMP/out" "reversed_range"
run_zest ops --json
check "ops --json is valid JSON" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)>=2' "$TMP/out"
run_zest ops no_such_op
check "ops unknown name: exit 2" equals "$rc" 2

run_zest validate examples/demo.yaml
check "validate the demo config: exit 0" equals "$rc" 0
check "validate says ok" contains "$TMP/out" "ok"

cat >"$TMP/typo.yaml" <<'YAML'
dataset_path: in.jsonl
export_path: out.jsonl
parition_size: 100
process:
  - text_length_filter:
YAML
run_zest validate "$TMP/typo.yaml"
check "unknown key is a warning, not an error" equals "$rc" 0
check "unknown key warning suggests the right key" contains "$TMP/err" "did you mean 'partition_size'"

cat >"$TMP/badop.yaml" <<'YAML'
dataset_path: in.jsonl
export_path: out.jsonl
process:
  - text_lenght_filter:
      min_len: 5
YAML
run_zest validate "$TMP/badop.yaml"
check "unknown op: exit 2" equals "$rc" 2
check "unknown op: suggestion" contains "$TMP/err" "did you mean 'text_length_filter'"
check "unknown op: file and line" contains "$TMP/err" "badop.yaml:4"

cat >"$TMP/badval.yaml" <<'YAML'
dataset_path: in.jsonl
export_path: out.jsonl
process:
  - text_length_filter:
      min_len: ten
YAML
run_zest validate "$TMP/badval.yaml"
check "wrong parameter type: exit 2" equals "$rc" 2
check "wrong parameter type: names the parameter, value and line" contains "$TMP/err" "badval.yaml:5"
check "wrong parameter type: names the value" contains "$TMP/err" "ten"

run_zest validate "$TMP/typo.yaml" --set np=-3
check "--set with an out-of-range value: exit 2" equals "$rc" 2

finish

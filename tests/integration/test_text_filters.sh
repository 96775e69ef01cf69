#!/usr/bin/env bash
# The text filters from the command line: `zest ops` lists the Data-Juicer operators zest
# cannot run with the reason, and a config naming one (or tokenization: true) fails validation
# with that reason and exit code 2 before any data is read; word lists are checked at load.
set -eu
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
PY_TEXTS=/usr/bin/python3  # Debian's, with python3-emoji

printf '{"text":"Today is a happy day and it is Sunday"}\n' >"$TMP/in.jsonl"

# config NAME OP [PARAM LINE...]: a one-op config, its path printed.
config() {
  local f=$TMP/$1.yaml op=$2; shift 2
  { echo "dataset_path: '$TMP/in.jsonl'"; echo "export_path: '$TMP/out-$op.jsonl'"
    echo "process:"; echo "  - $op:"; for l in "$@"; do echo "      $l"; done; } >"$f"
  echo "$f"
}

run_zest ops
check "zest ops lists the new filters" contains "$TMP/out" "stopwords_filter"
check "zest ops lists perplexity_filter as unavailable with its reason" \
  grep -q '^perplexity_filter .*unavailable: needs a KenLM language model' "$TMP/out"
for op in token_num_filter sentence_split_mapper; do
  check "zest ops lists $op as unavailable" grep -q "^$op .*unavailable: " "$TMP/out"
done
run_zest ops perplexity_filter
check "zest ops perplexity_filter explains itself" equals "$rc" 0
check "... with the reason" contains "$TMP/out" "unavailable: needs a KenLM"
run_zest ops --json
check "zest ops --json marks unavailable ops" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); u=[o for o in d if o.get("available") is False]; assert {o["name"] for o in u} >= {"perplexity_filter","token_num_filter"}, u; assert all(o["reason"] for o in u)' "$TMP/out"

for op in perplexity_filter token_num_filter sentence_split_mapper; do
  run_zest validate "$(config "u-$op" "$op")"
  check "a config using $op fails validation with exit 2" equals "$rc" 2
  check "... saying why ($op)" contains "$TMP/err" "operator '$op' is not available in zest: needs"
done
run_zest validate "$(config cc-bad chinese_convert_mapper "mode: s2x")"
check "chinese_convert_mapper with an unknown mode fails validation with exit 2" equals "$rc" 2
check "... listing the modes" contains "$TMP/err" "s2t|t2s|s2tw"
printf '{"text":"\xe8\xbf\x99\xe6\x98\xaf\xe7\xae\x80\xe4\xbd\x93\xe5\xad\x97"}\n' >"$TMP/zh.jsonl"
sed "s|$TMP/in.jsonl|$TMP/zh.jsonl|" "$(config cc-one chinese_convert_mapper "mode: s2t")" >"$TMP/cc-np.yaml"
echo "np: 2" >>"$TMP/cc-np.yaml"
run_zest run "$TMP/cc-np.yaml"
check "chinese_convert_mapper runs (OpenCC from Debian)" equals "$rc" 0
check "... and converts to Traditional characters" contains "$TMP/out-chinese_convert_mapper.jsonl" '這是簡體字'
run_zest run "$(config run-ppl perplexity_filter)"
check "zest run refuses it too, before reading data" equals "$rc" 2
check "... and writes no export" test ! -e "$TMP/out-perplexity_filter.jsonl"

for op in alphanumeric_filter words_num_filter word_repetition_filter stopwords_filter flagged_words_filter; do
  run_zest validate "$(config "t-$op" "$op" "tokenization: true")"
  check "$op with tokenization: true fails validation with exit 2" equals "$rc" 2
  check "... saying it is not available ($op)" contains "$TMP/err" "tokenization: true is not available"
  run_zest validate "$(config "f-$op" "$op" "tokenization: false")"
  check "$op with tokenization: false validates" equals "$rc" 0
done
run_zest validate "$(config t-alnum alphanumeric_filter "tokenization: true")"
check "alphanumeric_filter's reason names its tokenizer" contains "$TMP/err" "EleutherAI/pythia-6.9b-deduped"

mkdir -p "$TMP/lists"
run_zest validate "$(config nolists stopwords_filter "stopwords_dir: '$TMP/lists'")"
check "an empty stopwords_dir is a config error" equals "$rc" 2
check "... naming the directory" contains "$TMP/err" "no *stopwords*.json file in $TMP/lists"
printf '{"en": ["a", "the", "is"]}\n' >"$TMP/lists/my_stopwords.json"
run_zest validate "$(config nolang stopwords_filter "stopwords_dir: '$TMP/lists'" "lang: de")"
check "a language the lists lack is a config error" equals "$rc" 2
check "... naming it" contains "$TMP/err" "no stopwords list for 'de'"
printf '{"en": ["a", ' >"$TMP/lists/broken_stopwords.json"
run_zest validate "$(config broken stopwords_filter "stopwords_dir: '$TMP/lists'")"
check "a malformed list file is a config error" equals "$rc" 2
check "... naming the file" contains "$TMP/err" "broken_stopwords.json: offset"
rm "$TMP/lists/broken_stopwords.json"
run_zest run "$(config ok stopwords_filter "stopwords_dir: '$TMP/lists'" "min_ratio: 0.2")"
check "a user's list in Data-Juicer's format runs" equals "$rc" 0
check "... and keeps the sample (3 stopwords of 9 words)" contains "$TMP/out-stopwords_filter.jsonl" "happy day"
run_zest validate "$(config sizes stopwords_filter "stopwords_dir: '$TMP/lists'" "words_aug_group_sizes: [2, x]")"
check "words_aug_group_sizes must be positive integers" contains "$TMP/err" "expected positive integers, got 'x'"

# every filter in one pipeline, np 1 and np 3 over many partitions: the same bytes (the word
# lists are shared read-only by the workers; each worker has its own buffers)
$PY_TEXTS tests/integration/filters_reference.py texts "$TMP/many.jsonl" 11 1500
many() {
  { echo "dataset_path: '$TMP/many.jsonl'"; echo "export_path: '$TMP/many-$1.jsonl'"
    echo "np: $1"; echo "partition_size: 20000"; echo "keep_stats_in_res_ds: true"
    cat <<'YAML'
process:
  - alphanumeric_filter:
      min_ratio: 0.05
  - average_line_length_filter:
      min_len: 2
  - maximum_line_length_filter:
      min_len: 2
  - character_repetition_filter:
      max_ratio: 0.9
  - word_repetition_filter:
      rep_len: 2
      max_ratio: 0.95
  - words_num_filter:
      min_num: 1
  - special_characters_filter:
      max_ratio: 0.9
  - stopwords_filter:
      min_ratio: 0.0
      stopwords_dir: tests/ops/wordlists
  - flagged_words_filter:
      flagged_words_dir: tests/ops/wordlists
      max_ratio: 1.0
YAML
  } >"$TMP/many-$1.yaml"
  echo "$TMP/many-$1.yaml"
}
run_zest run "$(many 1)"
check "all filters in one pipeline, np 1: exit 0" equals "$rc" 0
run_zest run "$(many 3)"
check "np 3 over many partitions: exit 0" equals "$rc" 0
check "np 3 gives the same bytes as np 1, stats included" same_file "$TMP/many-3.jsonl" "$TMP/many-1.jsonl"
check "some samples pass every filter" test -s "$TMP/many-1.jsonl"
check "their stats hold every filter's key" contains "$TMP/many-1.jsonl" '"stopwords_ratio":'

finish

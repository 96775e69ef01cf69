#!/usr/bin/env bash
# The text filters' stats against an independent Python reference (filters_reference.py: the
# same formulas on Python's own str methods and Data-Juicer's SPECIAL_CHARACTERS) on random texts
# built from troublesome pieces (every line boundary, combining marks, emoji with modifiers,
# flags, final sigma, dotted capital I, CJK, RTL, astral characters) and edge cases: every stat
# must be equal, value and type (int or float).
set -eu
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
PY=/usr/bin/python3  # Debian's, with python3-emoji
REF=tests/integration/filters_reference.py

$PY $REF texts "$TMP/in.jsonl" 7 600

# compare NAME OP STAT 'PARAM LINES' REF_ARGS...: zest's stats vs the reference's, line by line.
compare() {
  local name=$1 op=$2 stat=$3 params=$4; shift 4
  { echo "dataset_path: '$TMP/in.jsonl'"; echo "export_path: '$TMP/out.jsonl'"
    echo "keep_stats_in_res_ds: true"; echo "process:"; echo "  - $op:"
    printf '%s\n' "$params" | sed '/^$/d; s/^/      /'; } >"$TMP/c.yaml"
  run_zest run "$TMP/c.yaml"
  if [ "$rc" -ne 0 ]; then not_ok "$name"; sed 's/^/#   /' "$TMP/err" | head; return; fi
  $PY -c 'import json,sys; [print(json.dumps(json.loads(l)["__dj__stats__"][sys.argv[2]])) for l in open(sys.argv[1])]' \
    "$TMP/out.jsonl" "$stat" >"$TMP/got"
  $PY $REF stats "$op" "$TMP/in.jsonl" "$@" >"$TMP/want"
  check "$name" same_file "$TMP/got" "$TMP/want"
}

compare "alnum_ratio equals Python's" alphanumeric_filter alnum_ratio 'min_ratio: -1'
compare "avg_line_length equals Python's" average_line_length_filter avg_line_length 'min_len: 0'
compare "max_line_length equals Python's" maximum_line_length_filter max_line_length 'min_len: 0'
for n in 1 3 10; do
  compare "char_rep_ratio equals Python's (rep_len $n)" character_repetition_filter char_rep_ratio \
    "rep_len: $n
max_ratio: 2" "$n"
done
for n in 1 2 5; do
  compare "word_rep_ratio equals Python's (rep_len $n)" word_repetition_filter word_rep_ratio \
    "rep_len: $n
max_ratio: 2" "$n"
done
compare "num_words equals Python's" words_num_filter num_words 'min_num: 0'
compare "special_char_ratio equals Python's" special_characters_filter special_char_ratio 'max_ratio: 2'
compare "stopwords_ratio equals Python's" stopwords_filter stopwords_ratio \
  "min_ratio: 0
stopwords_dir: tests/ops/wordlists" tests/ops/wordlists en '' ''
compare "stopwords_ratio with words augmentation equals Python's" stopwords_filter stopwords_ratio \
  "min_ratio: 0
stopwords_dir: tests/ops/wordlists
use_words_aug: true
words_aug_group_sizes: [1, 2, 3]
words_aug_join_char: '-'" tests/ops/wordlists en 1,2,3 -
compare "stopwords_ratio for lang all equals Python's" stopwords_filter stopwords_ratio \
  "min_ratio: 0
lang: all
stopwords_dir: tests/ops/wordlists" tests/ops/wordlists all '' ''

finish

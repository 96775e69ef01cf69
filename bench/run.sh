#!/usr/bin/env bash
# The benchmark (`make bench`): builds the 1 GiB corpus once (cached in bench/corpus/), then
# runs the selected items on it (zest vs cat and Python, the partitioned executor, the event
# logger), prints a table and writes bench/results/<time>.json.
# ZEST=path/to/zest measures another build (default build/zest); BENCH_ONLY, BENCH_SKIP,
# BENCH_SKIP_4G and BENCH_CORPUS_MB select items and the corpus size. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

zest=${ZEST:-build/zest}
mb=${BENCH_CORPUS_MB:-1024}
case $mb in
  '' | *[!0-9]* | 0*) echo "bench: BENCH_CORPUS_MB must be a positive whole number of MB, got '$mb'" >&2; exit 2 ;;
esac
corpus=bench/corpus/corpus-v1.jsonl
[ "$mb" = 1024 ] || corpus=bench/corpus/corpus-v1-${mb}mb.jsonl  # a smaller (or larger) corpus

if [ ! -x "$zest" ]; then
  echo "bench: $zest not found; build it first with 'make'" >&2
  exit 1
fi

# a bad BENCH_ONLY/BENCH_SKIP stops here (exit 2), before any work
rc=0
python3 bench/measure.py --wants base || rc=$?
[ "$rc" -le 1 ] || exit "$rc"
python3 bench/make_corpus.py "$corpus" "$mb"
rm -rf bench/corpus/out
python3 bench/measure.py "$zest" "$corpus"

# The event logger: enqueue rate from 2 threads and the writer's sustained rate.
if python3 bench/measure.py --wants evlog; then
  cc -std=c11 -O2 -Iinclude -D_GNU_SOURCE -pthread bench/bench_events.c src/events/evlog.c src/events/evqueue.c src/events/evrotate.c src/io/json_write.c src/common/buf.c src/common/err.c src/common/fsutil.c -lz -lm -o build/bench_events
  build/bench_events
fi

#!/usr/bin/env bash
# Builds every libFuzzer target tests/fuzz/fuzz_<name>.c against the library sources with
# clang (-fsanitize=fuzzer,address,undefined) into build/fuzz/, then runs each for
# FUZZ_SECONDS (default 30) over a scratch copy of its seed corpus:
#   tests/fuzz/corpus/<name>/ when it exists, else the seeds named in SEEDS below.
# `make fuzz` calls it. FUZZ_SECONDS=0 only builds.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=build/fuzz
mkdir -p "$out"
secs=${FUZZ_SECONDS:-30}
lib_src=$(find src -name '*.c' ! -path 'src/cli/*' | sort)
flags="-g -O1 -std=c11 -D_GNU_SOURCE -Iinclude -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
libs="-lyaml -lz -llz4 -lzstd -lutf8proc -lm -pthread"

declare -A SEEDS=([jsonl]=tests/conformance [json]=tests/conformance [yaml]=examples [stream]=tests/conformance)

for src in tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c); name=${name#fuzz_}
  echo "fuzz: building $name" >&2
  # shellcheck disable=SC2086
  clang $flags "$src" $lib_src $libs -o "$out/fuzz_$name"
  [ "$secs" -gt 0 ] || continue
  seeds=tests/fuzz/corpus/$name
  [ -d "$seeds" ] || seeds=${SEEDS[$name]:-}
  work=$out/corpus-$name
  rm -rf "$work"; mkdir -p "$work"
  [ -n "$seeds" ] && find "$seeds" -maxdepth 1 -type f -size -1024k -exec cp {} "$work/" \;
  echo "fuzz: running $name for ${secs}s" >&2
  "$out/fuzz_$name" -max_total_time="$secs" -max_len=65536 "$work" >"$out/fuzz_$name.log" 2>&1 \
    || { tail -n 40 "$out/fuzz_$name.log"; exit 1; }
  grep -E '^(#[0-9]+ +DONE|Done)' "$out/fuzz_$name.log" | tail -n 1 >&2 || true
done

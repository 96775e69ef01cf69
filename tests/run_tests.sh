#!/usr/bin/env bash
# Runs every unit test binary and integration script for each build tree given (e.g. `build`
# and `build/asan`), prints their TAP output, and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() { # label, command...
  local label=$1; shift
  echo "# $label"
  "$@" 2>&1 | tee "$log" | sed 's/^/  /'
  local status=${PIPESTATUS[0]} p f
  p=$(grep -c '^ok ' "$log")
  f=$(grep -c '^not ok ' "$log")
  # A crashed binary that printed no TAP line still counts as a failure.
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
}

for build in "$@"; do
  export ZEST_BUILD="$build"
  export ZEST="$PWD/$build/zest"
  case "$build" in
    *asan*) export ZEST_TEST_TIMEOUT=600 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ;;
    *tsan*) export ZEST_TEST_TIMEOUT=600 TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ;;
  esac
  for t in "$build"/tests/test_*; do
    [ -x "$t" ] && run "$t" "$t"
  done
  for t in tests/integration/test_*.sh; do
    [ -f "$t" ] && run "$t ($build)" bash "$t"
  done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

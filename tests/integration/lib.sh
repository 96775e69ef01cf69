# lib.sh - TAP helpers for the integration tests (sourced). Each test script runs the real
# zest binary ($ZEST, default build/zest) on real files in a temporary directory.
set -u
ZEST=${ZEST:-$PWD/build/zest}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/zest-it-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
_n=0
_failed=0

ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $1"; }

# check NAME COMMAND...: passes when the command succeeds.
check() {
  local name=$1; shift
  if "$@" >"$TMP/.check.out" 2>&1; then ok "$name"; else not_ok "$name"; sed 's/^/#   /' "$TMP/.check.out" | head -40; fi
}

# run_zest ARGS...: runs zest, keeping stdout, stderr and the exit code in $TMP/out, $TMP/err, $rc.
run_zest() {
  set +e
  "$ZEST" "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  set -e
}

# same_file A B: byte-identical files, with a diff on failure.
same_file() { cmp -s "$1" "$2" || { diff <(head -c 4000 "$1") <(head -c 4000 "$2") | head -20; return 1; }; }
contains() { grep -qF -- "$2" "$1" || { echo "'$2' not in $1:"; head -20 "$1"; return 1; }; }
equals() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }

# seed_config NAME DATASET EXPORT [YAML LINE...]: writes $TMP/NAME.yaml, a config running the
# seed pipeline (whitespace_normalization_mapper, text_length_filter 50..2000) with the extra
# top-level lines given, and prints its path.
seed_config() {
  local f=$TMP/$1.yaml; shift
  { echo "dataset_path: '$1'"; echo "export_path: '$2'"; shift 2
    for l in "$@"; do echo "$l"; done
    echo "process:"
    echo "  - whitespace_normalization_mapper:"
    echo "  - text_length_filter:"
    echo "      min_len: 50"
    echo "      max_len: 2000"; } >"$f"
  echo "$f"
}

finish() {
  echo "1..$_n"
  [ "$_failed" -eq 0 ]
}

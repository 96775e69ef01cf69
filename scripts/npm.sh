#!/usr/bin/env bash
# Installs the npm packages the tests use (independent readers and writers of our formats, a
# browser driver), when missing or out of date. Every folder under tests/ that holds a
# package.json with its package-lock.json gets `npm ci` (exact versions from the npm registry,
# verified against the lock file's integrity hashes). Idempotent and silent when up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "npm: installing npm" >&2
  SUDO=
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

find tests -name package-lock.json -not -path '*/node_modules/*' | sort | while read -r lock; do
  dir=$(dirname "$lock")
  stamp=$dir/node_modules/.zest-lock.sha256
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && continue
  echo "npm: installing the packages of $dir" >&2
  (cd "$dir" && npm ci --silent --no-audit --no-fund >/dev/null) || { echo "npm: npm ci failed in $dir" >&2; exit 1; }
  echo "$want" >"$stamp"
done

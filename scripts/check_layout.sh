#!/usr/bin/env bash
# Checks the module dependency rule of CONTRIBUTING.md over the #include lines of src/:
# a module may include only the modules listed for it (and include/zest.h).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [common]="common"
  [json]="common json"
  [data]="common json data"
  [io]="common json data io"
  [fasttext]="common fasttext"
  [ops]="common data json fasttext ops"
  [config]="common ops data json fasttext config"
  [events]="common json events"
  [ckpt]="common json io ops ckpt"
  [report]="common json events report"
  [exec]="common json data io ops config events ckpt report fasttext exec"
  [server]="common json server"
  [cli]=""
)

module_of() { # path relative to src/ -> module
  case "$1" in
    io/json.h|io/json.c|io/json_write.c) echo json ;;
    *) echo "${1%%/*}" ;;
  esac
}

bad=0
while IFS= read -r file; do
  rel=${file#src/}
  mod=$(module_of "$rel")
  dir=$(dirname "$rel")
  while IFS= read -r inc; do
    [ "$inc" = "zest.h" ] && continue
    target=$(realpath -m --relative-to=src "src/$dir/$inc")
    case "$target" in ../*) echo "$file: includes $inc outside src/"; bad=1; continue ;; esac
    tmod=$(module_of "$target")
    [ "$tmod" = "$mod" ] && continue
    if [[ " ${allowed[$mod]} " != *" $tmod "* ]]; then
      echo "$file: module '$mod' may not include '$inc' (module '$tmod')"
      bad=1
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(find src -name '*.[ch]' | sort)
exit $bad

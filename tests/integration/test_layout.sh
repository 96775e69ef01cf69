#!/usr/bin/env bash
# The source tree keeps its dependency rule (CONTRIBUTING.md), and the rule checker itself
# catches a violation.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

check "src/ includes follow the module dependency rule" scripts/check_layout.sh

mkdir -p "$TMP/tree/scripts" "$TMP/tree/src/common" "$TMP/tree/src/exec"
cp scripts/check_layout.sh "$TMP/tree/scripts/"
echo '#include "../exec/run.h"' >"$TMP/tree/src/common/bad.c"
touch "$TMP/tree/src/exec/run.h"
check "the checker rejects common/ including exec/" bash -c "! '$TMP/tree/scripts/check_layout.sh'"

finish

#!/usr/bin/env bash
# End-to-end tests of the mmusim command line.  Runs every tests/e2e/test_*.sh
# with $MMUSIM set to the binary under test; each script exits non-zero on
# failure.  Prints "N passed, N failed" and exits non-zero if any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${MMUSIM:?MMUSIM must name the mmusim binary}"
export MMUSIM E2E_DIR="$here" SHARED_DIR="${SHARED_DIR:-$here/../../../shared}"
pass=0 fail=0
for t in "$here"/test_*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    tmp=$(mktemp -d)
    if (cd "$tmp" && bash "$t") >"$tmp/.log" 2>&1; then
        pass=$((pass + 1)); echo "PASS $name"
    else
        fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/    /' "$tmp/.log" | tail -40
    fi
    rm -rf "$tmp"
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

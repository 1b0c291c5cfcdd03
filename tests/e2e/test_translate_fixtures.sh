#!/usr/bin/env bash
# `mmusim translate` on every hand-derived fixture (tests/fixtures/translate/<name>.json)
# against <name>.expected.json: every key of every expected entry must match (walks are
# compared fetch by fetch).  The expected files were derived by hand; see author.py there.
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/../oracle/e2e_common.sh"
set -u
n=$(ls "$FIX"/*.expected.json | wc -l)
[ "$n" -ge 25 ] || fail "only $n fixtures found in $FIX"
translate_available || exit 0
scen=$(ls "$FIX"/*.json | grep -v '\.expected\.json$')
python3 "$ORACLE/run_compare.py" --expected --max 10 "$MMUSIM" $scen || fail "fixture mismatch"

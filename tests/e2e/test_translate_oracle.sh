#!/usr/bin/env bash
# 1. The reference model (tests/oracle/vmsa_ref.py) against the hand-derived fixtures.
# 2. 300 random scenarios (seeds 11, 12, 13 x 100, tests/oracle/gen_scenarios.py) through
#    `mmusim translate` and through the reference; any difference is printed precisely.
#    Reproduce one with: gen_scenarios.py --seed S --count 100 --out DIR (file scen_S_<i>).
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/../oracle/e2e_common.sh"
set -u
scen=$(ls "$FIX"/*.json | grep -v '\.expected\.json$')
python3 "$ORACLE/run_compare.py" --ref-only --max 10 none $scen \
    || fail "the reference model disagrees with the hand fixtures"
translate_available || exit 0
for seed in 11 12 13; do
    python3 "$ORACLE/gen_scenarios.py" --seed $seed --count 100 --out gen \
        || fail "generator failed for seed $seed"
done
[ "$(ls gen | wc -l)" -eq 300 ] || fail "expected 300 generated scenarios"
python3 "$ORACLE/run_compare.py" --max 10 "$MMUSIM" gen/*.json \
    || fail "mmusim translate differs from the reference (scenarios above)"

#!/usr/bin/env bash
# scripts/report.sh writes every plot, PNG and SVG, non-empty and well formed.
source "$E2E_DIR/lib.sh"
root=$(cd "$E2E_DIR/../.." && pwd)
python3 "$E2E_DIR/test_results_fixture.py" "$root/results/schema.sql" r.db || fail "fixture"
bash "$root/scripts/report.sh" r.db plots || fail "report.sh failed"
for f in walk_cost walk_latency_cdf tlb_mpka walk_fetch_served; do
    [ -s "plots/$f.png" ] || fail "plots/$f.png missing or empty"
    [ -s "plots/$f.svg" ] || fail "plots/$f.svg missing or empty"
    # PNG signature: 89 50 4E 47 0D 0A 1A 0A
    [ "$(head -c 8 "plots/$f.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
        fail "plots/$f.png is not a PNG"
    # a real plot: larger than an empty canvas, and the SVG draws paths
    [ "$(stat -c %s "plots/$f.png")" -gt 5000 ] || fail "plots/$f.png looks empty"
    grep -q '<svg' "plots/$f.svg" && grep -q '<path' "plots/$f.svg" || fail "plots/$f.svg has no drawing"
done
# axes carry units and the title the configuration
grep -q 'cycles' plots/walk_cost.svg || fail "walk_cost.svg: no cycles axis label"
grep -q 'preset n1' plots/walk_cost.svg || fail "walk_cost.svg: no configuration in the title"
# the run left 'running' is not plotted: 12 runs
grep -q '12 runs' plots/tlb_mpka.svg || fail "tlb_mpka.svg: expected 12 runs in the title"
# a subset of runs
bash "$root/scripts/report.sh" r.db sub --run 1 --run 10 || fail "report.sh --run"
grep -q '2 runs' sub/tlb_mpka.svg || fail "sub: expected 2 runs"
# bad inputs: clear error, non-zero exit
echo "not a database" > bad.db
expect_exit 2 bash "$root/scripts/report.sh" bad.db x 2>/dev/null
expect_exit 2 bash "$root/scripts/report.sh" r.db x --run 13 2>/dev/null
exit 0

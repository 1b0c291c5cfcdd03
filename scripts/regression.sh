#!/usr/bin/env bash
# scripts/regression.sh check|regold [MMUSIM]
#   check:  replay every case of results/baselines/cases.tsv and compare its walk-cost
#           numbers with results/baselines/<case>.baseline.json (exit 1 on any difference).
#   regold: rewrite the baselines from fresh runs (review the diff and commit it on purpose).
# Runs from the repository root; generated traces and the database go to a temp directory.
set -euo pipefail
mode=${1:?usage: regression.sh check|regold [MMUSIM]}
M=${2:-${MMUSIM:-bin/mmusim}}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/ci.db
metrics='accesses,walks,walk_refs.mean,walk_cycles.mean,walk_cycles.p50,walk_cycles.p99,walk_fetch.*,tlb.*.misses,pwc.*,translation_cycles,total_cycles,demand_faults'
fail=0 n=0
while IFS=$'\t' read -r name trace args; do
    case "$name" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    if [[ $trace == gen:* ]]; then
        # shellcheck disable=SC2086
        "$M" gen ${trace#gen:} -o "$tmp/$name.trace"
        trace=$tmp/$name.trace
    fi
    # shellcheck disable=SC2086
    "$M" run --trace "$trace" $args --db "$db" --walk-log none --label "$name" --quiet >/dev/null
    base=results/baselines/$name.baseline.json
    if [ "$mode" = regold ]; then
        "$M" baseline "$db" --label "$name" --metrics "$metrics" --rel 1e-9 -o "$base"
        echo "regold: wrote $base"
    elif "$M" compare "$base" "$db" > "$tmp/cmp.txt" 2>&1; then
        echo "ok   $name"
    else
        echo "FAIL $name: walk-cost numbers moved (update the baseline on purpose: scripts/regression.sh regold)"
        cat "$tmp/cmp.txt"
        fail=1
    fi
done < results/baselines/cases.tsv
echo "regression: $n cases, $([ $fail = 0 ] && echo 'all inside tolerance' || echo 'some outside tolerance')"
exit $fail

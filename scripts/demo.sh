#!/usr/bin/env bash
# scripts/demo.sh - the bundled default experiment (`make demo`).
# Replays the bundled sample trace (first traces/samples/*.xz, or $DEMO_TRACE)
# under the 9 stage-1 x stage-2 granule combinations virtualized and the 3
# native ones, into results/demo.db (recreated), writes the plots under
# results/plots, and prints a side-by-side table.  $MMUSIM = the binary,
# cwd = the repository root.  $DEMO_JOBS (default 2) runs in parallel: all
# runs write the one database (WAL; each holds the write lock only while a
# batch of walks is written).  $DEMO_WALK_LOG (default full) sets --walk-log.
set -euo pipefail
: "${MMUSIM:?MMUSIM must name the mmusim binary}"
trace=${DEMO_TRACE:-$(ls traces/samples/*.xz 2>/dev/null | head -1)}
[ -n "$trace" ] && [ -f "$trace" ] || { echo "demo.sh: no sample trace (traces/samples/*.xz)" >&2; exit 2; }
db=results/demo.db
mkdir -p results
rm -f "$db" "$db-wal" "$db-shm"
start=$(date +%s)
jobs=()
for s1 in 4k 16k 64k; do
    for s2 in 4k 16k 64k; do jobs+=("--s1-granule $s1 --s2-granule $s2 --label $s1/$s2"); done
    jobs+=("--s1-granule $s1 --native --label $s1/native")
done
echo "demo: $(basename "$trace"), ${#jobs[@]} runs into $db"
printf '%s\n' "${jobs[@]}" |
    xargs -P "${DEMO_JOBS:-2}" -I{} sh -c \
        '"$0" run --trace "$1" --db "$2" --walk-log "$3" {} >/dev/null || { echo "demo: run failed: {}" >&2; exit 255; }' \
        "$MMUSIM" "$trace" "$db" "${DEMO_WALK_LOG:-full}"
bash scripts/report.sh "$db" results/plots
echo
sqlite3 -readonly -column -header "$db" "
    SELECT label, s1_granule AS s1, COALESCE(s2_granule, '-') AS s2, CAST(walks AS INTEGER) AS walks,
           printf('%.2f', refs_per_walk) AS 'refs/walk', printf('%.1f', walk_cycles_mean) AS 'walk cycles',
           printf('%.2f%%', 100 * translation_share) AS 'translation share'
    FROM v_runs WHERE status = 'complete'
    ORDER BY virtualized DESC, s1_granule = '4k' DESC, s1_granule = '16k' DESC,
             s2_granule = '4k' DESC, s2_granule = '16k' DESC"
echo "demo: done in $(( $(date +%s) - start )) s; database $db, plots results/plots/"

#!/usr/bin/env bash
# scripts/report.sh DB OUTDIR [--run ID ...]
# Plots (PNG and SVG, gnuplot) from an mmusim results database: walk cost per
# granule combination, walk-latency CDF, TLB misses per kilo-access, and where
# walk fetches were served.  Without --run, every complete run is plotted.
# Needs the sqlite3 CLI and gnuplot (scripts/deps.sh installs both).
set -euo pipefail
usage() { echo "usage: report.sh DB OUTDIR [--run ID ...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
db=$1 out=$2; shift 2
ids=""
while [ $# -gt 0 ]; do
    case $1 in
        --run) [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || usage; ids="${ids:+$ids,}$2"; shift 2 ;;
        *) usage ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$db" ] || { echo "report.sh: $db: no such file" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "report.sh: sqlite3 CLI not found (scripts/deps.sh)" >&2; exit 3; }
command -v gnuplot >/dev/null || { echo "report.sh: gnuplot not found (scripts/deps.sh)" >&2; exit 3; }
q() { sqlite3 -readonly -batch -noheader -separator $'\t' "$db" "$@"; }
appid=$(q "PRAGMA application_id" 2>&1) || { echo "report.sh: $db: $appid" >&2; exit 2; }
[ "$appid" = 1296913747 ] || { echo "report.sh: $db: not an mmusim results database" >&2; exit 2; }

sel="status = 'complete'${ids:+ AND id IN ($ids)}"
n=$(q "SELECT count(*) FROM runs WHERE $sel")
[ "$n" -gt 0 ] || { echo "report.sh: $db: no complete run${ids:+ among $ids}" >&2; exit 2; }
mkdir -p "$out"
data=$(mktemp -d); trap 'rm -rf "$data"' EXIT
lbl="COALESCE(NULLIF(label, ''), 'run ' || id)"
M() { echo "(SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = '$1')"; }

# title: what the selected runs share (preset, trace, version)
title=$(q "SELECT 'mmusim ' || MIN(version) || ', preset ' || COALESCE(NULLIF(MIN(preset), ''), 'default')
             || ', trace ' || replace(MIN(trace_path), rtrim(MIN(trace_path), replace(MIN(trace_path), '/', '')), '')
             || CASE WHEN COUNT(DISTINCT trace_path) > 1 THEN ' (+' || (COUNT(DISTINCT trace_path) - 1) || ' more)' ELSE '' END
             || ', ' || COUNT(*) || ' runs'
           FROM runs WHERE $sel")

# 1. walk cost per granule combination: rows = S1 granule, columns = native, S2 4k/16k/64k
for metric in walk_cycles.mean walk_refs.mean; do
    q "WITH g(s1) AS (VALUES ('4k'), ('16k'), ('64k')),
            v AS (SELECT s1_granule AS s1, CASE WHEN virtualized THEN s2_granule ELSE 'native' END AS col,
                         AVG($(M "$metric")) AS val FROM runs r WHERE $sel GROUP BY 1, 2)
       SELECT upper(g.s1),
              COALESCE((SELECT val FROM v WHERE v.s1 = g.s1 AND col = 'native'), '?'),
              COALESCE((SELECT val FROM v WHERE v.s1 = g.s1 AND col = '4k'), '?'),
              COALESCE((SELECT val FROM v WHERE v.s1 = g.s1 AND col = '16k'), '?'),
              COALESCE((SELECT val FROM v WHERE v.s1 = g.s1 AND col = '64k'), '?')
       FROM g" > "$data/$metric.dat"
done
# 2. CDF of walk latency, one block per run (from the walk_cycles histogram)
: > "$data/cdf.dat"; : > "$data/cdf.titles"
for id in $(q "SELECT id FROM runs WHERE $sel ORDER BY id"); do
    rows=$(q "SELECT key, cdf FROM v_hist_cdf WHERE run_id = $id AND hist = 'walk_cycles' ORDER BY key")
    [ -n "$rows" ] || continue
    printf '%s\n\n\n' "$rows" >> "$data/cdf.dat"
    q "SELECT $lbl FROM runs WHERE id = $id" >> "$data/cdf.titles"
done
# 3. TLB misses per thousand accesses, per level
q "SELECT $lbl, COALESCE($(M tlb.l1i.mpka), '?'), COALESCE($(M tlb.l1d.mpka), '?'),
          COALESCE($(M tlb.l2.mpka), '?') FROM runs r WHERE $sel ORDER BY id" > "$data/mpka.dat"
# 4. descriptor fetches per walk by where they were served, per stage
cols=""
for st in s1 s2; do for lv in l1 l2 llc dram; do
    cols="$cols, COALESCE($(M walk_fetch.$st.$lv) / NULLIF($(M walks), 0), 0)"
done; done
q "SELECT $lbl $cols FROM runs r WHERE $sel ORDER BY id" > "$data/served.dat"

if gnuplot -e "set terminal pngcairo" >/dev/null 2>&1; then png=pngcairo; else png=png; fi
ncdf=$(wc -l < "$data/cdf.titles")
for fmt in png svg; do
    term=$png; [ $fmt = svg ] && term=svg
    gnuplot -e "data='$data'; out='$out'; fmt='$fmt'; term='$term'; ncdf=$ncdf" \
            -e "maintitle='$(printf '%s' "$title" | sed "s/'/''/g")'" "$here/report.gp"
done
for f in walk_cost walk_latency_cdf tlb_mpka walk_fetch_served; do
    for fmt in png svg; do
        [ -s "$out/$f.$fmt" ] || { echo "report.sh: $out/$f.$fmt was not produced" >&2; exit 3; }
    done
done
echo "report.sh: wrote $(ls "$out" | grep -cE '\.(png|svg)$') plots of $n runs to $out"

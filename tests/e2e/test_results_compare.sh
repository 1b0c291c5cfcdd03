#!/usr/bin/env bash
# mmusim compare / baseline / export / runs on a fixture database.
source "$E2E_DIR/lib.sh"
root=$(cd "$E2E_DIR/../.." && pwd)
python3 "$E2E_DIR/test_results_fixture.py" "$root/results/schema.sql" r.db || fail "fixture"

# runs: 13 rows, run 13 still running
$MMUSIM runs r.db > runs.txt || fail "runs"
[ "$(grep -c ' complete ' runs.txt)" -eq 12 ] || fail "runs: expected 12 complete"
grep -q ' running ' runs.txt || fail "runs: the running run is listed"

# baseline from run 1 (4k/4k: refs = 5*5-1 = 24, cycles = 480), then compare
$MMUSIM baseline r.db --run 1 --metrics 'walk*' --rel 0.02 -o base.json || fail "baseline"
[ "$(json_get base.json '["metrics"]["walk_cycles.mean"]["value"]')" = 480 ] || fail "baseline value"
[ "$(json_get base.json '["label"]')" = 4k/4k ] || fail "baseline label"
# the baseline's label selects run 1 although run 12 is the latest complete one
expect_exit 0 $MMUSIM compare base.json r.db
# run 2 (4k/16k, also 24 refs) is inside; run 3 (4k/64k: 5*4-1 = 19 refs) is outside 2%
expect_exit 0 $MMUSIM compare base.json r.db --run 2
expect_exit 1 $MMUSIM compare base.json r.db --run 3
$MMUSIM compare base.json r.db --run 3 > cmp.txt
grep -E '^walk_cycles.mean +480 +380 ' cmp.txt | grep -q OUTSIDE || fail "table row for walk_cycles.mean"
# tolerances: |380 - 480| = 100 is inside abs 100, outside rel 0.2 (96)
cat > t.json <<'J'
{"format": "mmusim-baseline", "version": 1, "metrics": {"walk_cycles.mean": {"value": 480, "abs": 100}}}
J
expect_exit 0 $MMUSIM compare t.json r.db --run 3
sed -i 's/"abs": 100/"rel": 0.2/' t.json
expect_exit 1 $MMUSIM compare t.json r.db --run 3
# two runs of the database
expect_exit 0 $MMUSIM compare r.db --run 1 --run 2 --metrics 'walk*'
expect_exit 1 $MMUSIM compare r.db --run 1 --run 3 --metrics 'walk*'
expect_exit 0 $MMUSIM compare r.db --run 1 --run 3 --metrics 'walk*' --rel 0.25

# bad inputs: exit 2 and one line naming the file (and the field)
echo '{"format": "mmusim-baseline", "version": 1, "metrics": {"walks": {"valu": 3}}}' > bad.json
$MMUSIM compare bad.json r.db 2> err.txt; [ $? -eq 2 ] || fail "bad field: exit"
grep -q '^mmusim compare: bad.json: metrics.walks' err.txt || fail "bad field: message $(cat err.txt)"
[ "$(wc -l < err.txt)" -eq 1 ] || fail "one error line"
echo '{"format": "mmusim-baseline", ' > trunc.json
expect_exit 2 $MMUSIM compare trunc.json r.db 2>/dev/null
echo 'garbage garbage garbage' > junk.db
$MMUSIM compare base.json junk.db 2> err.txt; [ $? -eq 2 ] || fail "junk db: exit"
grep -q 'junk.db: not an SQLite database' err.txt || fail "junk db: $(cat err.txt)"
python3 -c 'import sqlite3; d=sqlite3.connect("foreign.db"); d.execute("create table t(x)"); d.commit()'
$MMUSIM runs foreign.db 2> err.txt; [ $? -eq 2 ] || fail "foreign db: exit"
grep -q 'not an mmusim results database' err.txt || fail "foreign db: $(cat err.txt)"
expect_exit 2 $MMUSIM compare base.json r.db --run 13 2>/dev/null   # running, not complete
expect_exit 2 $MMUSIM compare base.json r.db --run 99 2>/dev/null
expect_exit 2 $MMUSIM compare base.json 2>/dev/null

# export: CSV and JSON, every format parses
$MMUSIM export r.db --run 3 --format csv -o m.csv || fail "export csv"
grep -q '^3,walk_refs.mean,19$' m.csv || fail "csv row: $(cat m.csv)"
$MMUSIM export r.db --run 3 --what hist --format json -o h.json || fail "export json"
[ "$(json_get h.json '[3]["count"]')" = 200 ] || fail "hist json"
$MMUSIM export r.db --what runs --format json -o runs.json || fail "export runs"
[ "$(json_get runs.json '[0]["config_json"]["process"]["s1_granule"]')" = 4k ] || fail "runs json"
$MMUSIM export r.db --run 1 --what walks --format csv > w.csv || fail "export walks"
[ "$(head -1 w.csv | cut -d, -f1-3)" = run_id,seq,kind ] || fail "walks header"
expect_exit 2 $MMUSIM export r.db --format xml 2>/dev/null
exit 0

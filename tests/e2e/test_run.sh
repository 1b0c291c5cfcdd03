#!/usr/bin/env bash
# mmusim run end to end: JSON schema keys, determinism, bad input, the database record,
# interruption, and a walk-heavy run whose reference counts are known.
set -u
. "$E2E_DIR/lib.sh"
M=$MMUSIM
$M gen random -o r.trace --accesses 5000 --footprint 256M --seed 3 || fail "gen"

# --json carries the documented keys, and the same inputs give byte-identical output
$M run --trace r.trace --db none --json --quiet > a.json || fail "run a"
$M run --trace r.trace --db none --json --quiet > b.json || fail "run b"
cmp -s a.json b.json || fail "two identical runs differ"
python3 - a.json <<'PY' || fail "json keys"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("schema", "accesses", "walks", "walk_refs", "walk_cycles", "translation_cycles", "total_cycles"):
    assert k in d, k
assert d["schema"] == 1
assert set(("mean", "hist")) <= set(d["walk_refs"])
assert set(("mean", "p50", "p99", "hist")) <= set(d["walk_cycles"])
assert sum(d["walk_refs"]["hist"].values()) == d["walks"]
assert d["accesses"] == 5000
assert d["total_cycles"] >= d["translation_cycles"]
PY

# no-caching, 4K/4K, 48-bit VA, 40-bit IPA (L1 start, 2 concatenated tables):
# every completed walk is 4 + 5*3 = 19 references (ARM-VMSA.md s4)
$M run --trace r.trace --preset no-caching --db none --json --quiet > nc.json || fail "no-caching"
python3 -c 'import json,sys; d=json.load(open("nc.json")); h=d["walk_refs"]["hist"]; assert h=={"19": d["walks"]} and d["walks"]==5000, h' || fail "no-caching refs"
# 64K/64K native: n = 3
$M run --trace r.trace --preset no-caching --native --s1-granule 64k --db none --json --quiet > nn.json || fail "native"
python3 -c 'import json; d=json.load(open("nn.json")); assert d["walk_refs"]["hist"]=={"3": 5000}, d["walk_refs"]' || fail "native refs"

# the results database: a complete run with the config and the trace's SHA-256
$M run --trace r.trace --db t.db --label e2e --quiet > /dev/null || fail "run db"
sha=$(sha256sum r.trace | cut -d' ' -f1)
python3 - "$sha" <<'PY' || fail "db record"
import sqlite3, sys, json
c = sqlite3.connect("t.db")
status, label, sha, cfg = c.execute("select status, label, trace_sha256, config_json from runs").fetchone()
assert status == "complete" and label == "e2e", (status, label)
assert sha == sys.argv[1], (sha, sys.argv[1])
assert json.loads(cfg)["preset"] == "neoverse-n1"
n = c.execute("select count(*) from walks").fetchone()[0]
w = c.execute("select value from metrics where name='walks'").fetchone()[0]
assert n == w, (n, w)
PY

# bad input: one line, exit 2, no stdout
expect_exit 2 $M run --trace r.trace --db none --set tlb.l2.ways=7 > out.txt 2> err.txt
[ ! -s out.txt ] && [ "$(wc -l < err.txt)" -eq 1 ] && grep -q 'tlb.l2.ways' err.txt || fail "bad --set: $(cat err.txt)"
printf 'MMUSIMTR\001\000\000\000\000\000\000\000\003' > bad.trace
expect_exit 2 $M run --trace bad.trace --db none > out.txt 2> err.txt
[ ! -s out.txt ] && grep -q 'bad.trace' err.txt || fail "bad trace: $(cat err.txt)"
expect_exit 2 $M run --trace missing.trace --db none 2> err.txt
expect_exit 2 $M run --trace r.trace --db none --s1-granule 8k 2> err.txt
grep -q 's1_granule' err.txt || fail "bad granule: $(cat err.txt)"

# Runs started together on a fresh file all complete.  Each examined the file with three
# separate reads, which could straddle another run's commit of the schema and refuse the
# file as foreign (~1 round in 30 of three runs); a stress test, 25 rounds.
for i in $(seq 1 25); do
    rm -f c.db c.db-wal c.db-shm
    for j in 1 2 3; do $M run --trace r.trace --db c.db --quiet > /dev/null 2> "c$j.err" & done
    wait
    cat c1.err c2.err c3.err > c.err
    [ ! -s c.err ] || fail "concurrent first runs, round $i: $(head -1 c.err)"
    python3 -c 'import sqlite3; n=sqlite3.connect("c.db").execute("select count(*) from runs where status=\"complete\"").fetchone()[0]; assert n==3, n' || fail "concurrent first runs, round $i: not 3 complete"
done

# SIGINT part way: exit 130, the run is marked failed, never complete
$M gen random -o big.trace --accesses 5000000 --footprint 1G --seed 1 || fail "gen big"
$M run --trace big.trace --db int.db --quiet > /dev/null 2> int.err &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "interrupted run exited $rc: $(cat int.err)"
python3 -c 'import sqlite3; s=sqlite3.connect("int.db").execute("select status from runs").fetchone()[0]; assert s=="failed", s' || fail "interrupted run status"
echo ok

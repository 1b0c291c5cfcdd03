#!/usr/bin/env bash
# End-to-end tests of `mmusim info`, `convert` and `gen`.
source "$E2E_DIR/lib.sh"
set -u

# --- a lackey fixture whose page counts are worked out by hand ---------------
# I 0x401000,4   code 4K {0x401}                 16K {0x100} 64K {0x40} 2M {0x2}
# I 0x401ffe,4   crosses 4K: {0x401,0x402}       16K {0x100} 64K {0x40} 2M {0x2}
# L 0x10000000,8 data 4K {0x10000}               16K {0x4000} 64K {0x1000} 2M {0x80}
# S 0x10003ffc,8 crosses 16K: 4K {0x10003,0x10004} 16K {0x4000,0x4001} 64K {0x1000} 2M {0x80}
# M 0x10200000,4 4K {0x10200} 16K {0x4080} 64K {0x1020} 2M {0x81}
# => data 4K: 4, 16K: 3, 64K: 2, 2M: 2; code 4K: 2, 16K: 1, 64K: 1, 2M: 1
# => loads 2 (L, M), stores 2 (S, M), ifetches 2
printf '==77== Lackey\nI  00401000,4\nI  00401ffe,4\n L 10000000,8\n S 10003ffc,8\n M 10200000,4\n==77== end\n' > fx.lackey

check_fixture_json() {  # FILE
    local j=$1
    [ "$(json_get "$j" '["format"]')" = lackey ] || fail "format: $(cat "$j")"
    [ "$(json_get "$j" '["loads"]')" = 2 ] || fail "loads: $(cat "$j")"
    [ "$(json_get "$j" '["stores"]')" = 2 ] || fail "stores"
    [ "$(json_get "$j" '["ifetches"]')" = 2 ] || fail "ifetches"
    [ "$(json_get "$j" '["data_pages"]["4096"]')" = 4 ] || fail "data 4K: $(cat "$j")"
    [ "$(json_get "$j" '["data_pages"]["16384"]')" = 3 ] || fail "data 16K"
    [ "$(json_get "$j" '["data_pages"]["65536"]')" = 2 ] || fail "data 64K"
    [ "$(json_get "$j" '["data_pages"]["2097152"]')" = 2 ] || fail "data 2M"
    [ "$(json_get "$j" '["code_pages"]["4096"]')" = 2 ] || fail "code 4K"
    [ "$(json_get "$j" '["code_pages"]["16384"]')" = 1 ] || fail "code 16K"
    [ "$(json_get "$j" '["code_pages"]["65536"]')" = 1 ] || fail "code 64K"
    [ "$(json_get "$j" '["code_pages"]["2097152"]')" = 1 ] || fail "code 2M"
}

"$MMUSIM" info --json fx.lackey > a.json || fail "info --json"
check_fixture_json a.json
# standard input, plain and gzip/xz-compressed (detected from the content)
"$MMUSIM" info --json - < fx.lackey > b.json || fail "info -"
check_fixture_json b.json
gzip -c fx.lackey | "$MMUSIM" info --json - > c.json || fail "info - (gzip)"
check_fixture_json c.json
xz -c fx.lackey > fx.bin && "$MMUSIM" info --json fx.bin > d.json || fail "info xz"
check_fixture_json d.json
"$MMUSIM" info fx.lackey | grep -q '^format: *lackey' || fail "text info"

# --- convert: native copy has the same content; native -> native is byte-stable
"$MMUSIM" convert fx.lackey fx.trc || fail "convert"
"$MMUSIM" info --json fx.trc > e.json || fail "info native"
[ "$(json_get e.json '["format"]')" = native ] || fail "native format"
[ "$(json_get e.json '["data_pages"]["16384"]')" = 3 ] || fail "native pages"
"$MMUSIM" convert --desc same fx.trc fx2.trc && "$MMUSIM" convert --desc same fx2.trc fx3.trc || fail "reconvert"
cmp -s fx2.trc fx3.trc || fail "native -> native not byte-identical"
cat fx.lackey | "$MMUSIM" convert - - > fx4.trc || fail "convert - -"
"$MMUSIM" info --json fx4.trc > f.json && [ "$(json_get f.json '["loads"]')" = 2 ] || fail "stdout convert"

# --- gen: deterministic for a seed, different for another ---------------------
for p in seq stride random hotcold chase ifetch mix; do
    "$MMUSIM" gen "$p" -o "g1.$p" --accesses 20000 --footprint 1M --seed 7 || fail "gen $p"
    "$MMUSIM" gen "$p" -o "g2.$p" --accesses 20000 --footprint 1M --seed 7 || fail "gen $p again"
    cmp -s "g1.$p" "g2.$p" || fail "gen $p not deterministic"
    "$MMUSIM" info --json "g1.$p" > g.json || fail "info gen $p"
    n=$(python3 -c 'import json;d=json.load(open("g.json"));print(d["loads"]+d["stores"]+d["ifetches"])')
    [ "$n" = 20000 ] || fail "gen $p: $n accesses, want 20000"
done
"$MMUSIM" gen random -o g3.random --accesses 20000 --footprint 1M --seed 8 || fail "gen seed 8"
cmp -s g1.random g3.random && fail "different seeds gave identical traces"
"$MMUSIM" gen hotcold --zipf 1.1 -o z.trc --accesses 5000 --footprint 4M || fail "gen zipf"
# seq over 1M with 8-byte accesses touches exactly 20000*8 bytes = 160000 B -> 40 4K pages (0x100000000 aligned)
"$MMUSIM" info --json g1.seq > s.json
[ "$(json_get s.json '["data_pages"]["4096"]')" = 40 ] || fail "seq pages: $(cat s.json)"
# chase visits distinct nodes: 20000 accesses over 16384 64-B nodes (1M/64) cover all 256 pages
"$MMUSIM" info --json g1.chase > ch.json
[ "$(json_get ch.json '["data_pages"]["4096"]')" = 256 ] || fail "chase pages: $(cat ch.json)"
# mix: 4 processes in 2 VMs with switches and TLBIs
"$MMUSIM" gen mix -o m.trc --accesses 100000 --switch-every 5000 --tlbi-every 10000 || fail "gen mix"
"$MMUSIM" info --json m.trc > m.json
python3 - <<'PY' || fail "mix content: $(cat m.json)"
import json
d = json.load(open("m.json"))
assert d["asids"] == [1, 2, 3, 4], d["asids"]
assert d["vmids"] == [1, 2], d["vmids"]
assert d["ctx_switches"] + d["vm_switches"] == 20, d      # 1 initial + every 5000 of 100000 (none at the end)
assert d["tlbi"] == 9, d                                   # every 10000, none at the end
PY

# --- errors: one line, file and offset, exit 2; no partial output -------------
head -c 20 fx.trc > cut.trc
"$MMUSIM" info cut.trc > /dev/null 2> err.txt; rc=$?
[ "$rc" = 2 ] || fail "truncated native: exit $rc"
[ "$(wc -l < err.txt)" = 1 ] || fail "error not one line: $(cat err.txt)"
grep -q '^mmusim info: cut.trc:[0-9]*: ' err.txt || fail "error text: $(cat err.txt)"
printf '==1== x\nI  00401000,4\n L zz,8\n' > bad.lackey
"$MMUSIM" convert bad.lackey out.trc 2> err2.txt; rc=$?
[ "$rc" = 2 ] || fail "bad lackey: exit $rc"
grep -q 'bad.lackey:3: malformed lackey line' err2.txt || fail "lackey error: $(cat err2.txt)"
[ -e out.trc ] && fail "partial output left behind"
ls out.trc.tmp.* 2>/dev/null && fail "temporary output left behind"
expect_exit 2 "$MMUSIM" info --format nosuch fx.lackey 2>/dev/null
expect_exit 2 "$MMUSIM" info --access-size 0 fx.lackey 2>/dev/null
expect_exit 2 "$MMUSIM" gen nosuch -o x.trc 2>/dev/null
expect_exit 2 "$MMUSIM" gen seq -o x.trc --footprint 12Q 2>/dev/null
expect_exit 1 "$MMUSIM" info does-not-exist 2>/dev/null
"$MMUSIM" gen --help | grep -q hotcold || fail "gen --help"

# --- ChampSim needs --format when ambiguous; --access-size applies ------------
python3 - <<'PY'
import struct
rec = struct.pack('<QBB2B4B2Q4Q', 0x401000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7000, 0, 0, 0)
open("cs.bin", "wb").write(rec * 3)   # 192 bytes: whole 64-B and 96-B multiples
PY
"$MMUSIM" info --format champsim --access-size 4096 --json cs.bin > cs.json || fail "champsim info"
[ "$(json_get cs.json '["loads"]')" = 3 ] || fail "champsim loads"
[ "$(json_get cs.json '["load_bytes"]')" = 12288 ] || fail "access size not applied"

# --- the shared drmemtrace sample ----------------------------------------------
dr="$SHARED_DIR/traces/drmemtrace-threadsig-aarch64"
if [ -d "$dr/trace" ]; then
    "$MMUSIM" info --json "$dr" > dr.json || fail "drmemtrace info"
    # TRACE-FORMATS.md A.9: 83 data pages + 50 code pages at 4K
    [ "$(json_get dr.json '["data_pages"]["4096"]')" = 83 ] || fail "dr data pages"
    [ "$(json_get dr.json '["code_pages"]["4096"]')" = 50 ] || fail "dr code pages"
    [ "$(json_get dr.json '["format"]')" = drmemtrace ] || fail "dr format"
else
    echo "SKIP drmemtrace sample: $dr absent"
fi

# --- the bundled real samples read cleanly ---------------------------------------
here=$(cd "$E2E_DIR/../.." && pwd)
for s in "$here"/traces/samples/*.xz; do
    [ -e "$s" ] || continue
    "$MMUSIM" info --json "$s" > smp.json || fail "sample $s"
    [ "$(json_get smp.json '["format"]')" = lackey ] || fail "sample format $s"
done
echo ok

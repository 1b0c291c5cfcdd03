#!/usr/bin/env bash
# Damaged traces never crash or hang a reader: seeded random byte flips,
# truncations and splices of small traces of every format go through
# `mmusim info`, which must exit 0 (the damage was harmless) or 2 (a one-line
# error naming the file), within 20 s, without a signal.  Under `make test
# SAN=1` this runs the sanitizer build.
set -u
. "$E2E_DIR/lib.sh"
M=$MMUSIM
$M gen mix -o mix.trace --accesses 3000 --seed 4 --procs 2 --vms 2 --switch-every 300 --tlbi-every 700 || fail gen
gzip -c mix.trace > mix.trace.gz
xz -c mix.trace > mix.trace.xz 2>/dev/null || cp mix.trace.gz mix.trace.xz
printf '==1== Lackey\nI  04000000,4\n L 7ff000100,8\n S 7ff000108,8\n M 7ff000110,4\nI  04000004,2\n' > l.txt
for i in $(seq 200); do printf ' L %x,8\n' $((0x10000 + i * 4096)); done >> l.txt
python3 - <<'PY'
import struct
# 16 ChampSim input_instr records (64 bytes): ip, branch flags, regs, 2 stores, 4 loads
with open("c.champsim", "wb") as f:
    for i in range(16):
        f.write(struct.pack("<QBB2B4B2Q4Q", 0x400000 + 4 * i, 0, 0, 0, 0, 0, 0, 0, 0,
                            0x10000 + 64 * i, 0, 0x20000 + 64 * i, 0, 0, 0))
PY
python3 - "$M" <<'PY' || fail "a damaged trace crashed or hung the reader"
import random, subprocess, sys
m = sys.argv[1]
rng = random.Random(20261127)
cases = [("mix.trace", None), ("mix.trace.gz", None), ("mix.trace.xz", None),
         ("l.txt", "lackey"), ("c.champsim", "champsim"), ("c.champsim", "cloudsuite"),
         ("c.champsim", "cvp"), ("c.champsim", "cbp2025")]
bad = 0
n = 0
for src, fmt in cases:
    data = open(src, "rb").read()
    for k in range(25):
        b = bytearray(data)
        what = rng.randrange(3)
        if what == 0:                      # flip a few bytes
            for _ in range(rng.randrange(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif what == 1:                    # truncate
            b = b[:rng.randrange(len(b))]
        else:                              # splice a chunk elsewhere
            i, j = sorted(rng.randrange(len(b)) for _ in range(2))
            b = b[:i] + b[j:] + b[i:j]
        open("fz.bin", "wb").write(b)
        cmd = [m, "info", "fz.bin"] + (["--format", fmt] if fmt else [])
        n += 1
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=20)
        except subprocess.TimeoutExpired:
            print("HANG", src, fmt, k); bad += 1; continue
        err = p.stderr.decode(errors="replace").strip().splitlines()
        if p.returncode not in (0, 2) or (p.returncode == 2 and (len(err) != 1 or "fz.bin" not in err[0])):
            print("BAD", src, fmt, k, p.returncode, err[:3]); bad += 1
            open(f"crash_{n}.bin", "wb").write(b)
print(f"{n} damaged traces, {bad} bad")
sys.exit(1 if bad else 0)
PY
echo ok

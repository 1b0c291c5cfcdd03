#!/usr/bin/env bash
# Regenerate the bundled real traces in traces/samples/ by running small real
# programs under Valgrind lackey (--trace-mem=yes).  Each log is cut to a fixed
# window of records (SKIP records of start-up skipped, then KEEP records kept,
# Valgrind's own "==pid==" lines preserved at the top), then xz-compressed.
# The output is deterministic only up to ASLR and the tool versions installed;
# the samples committed were made on x86_64 Linux (see traces/FORMAT.md).
#
#   scripts/make_samples.sh [OUTDIR]      (default: traces/samples)
set -eu
cd "$(dirname "$0")/.."
out=${1:-traces/samples}
SKIP=${SKIP:-1000000}
KEEP=${KEEP:-1500000}
command -v valgrind >/dev/null || { echo "make_samples.sh: valgrind not installed" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Deterministic input data: 200,000 pseudo-random lines (LCG, no $RANDOM).
python3 - "$work/input.txt" <<'PY'
import sys
x = 12345
with open(sys.argv[1], "w") as f:
    for i in range(200000):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        f.write("%016x line %d\n" % (x, i))
PY

# run NAME CMD...: trace CMD under lackey, keep the window, compress.
run() {
    local name=$1; shift
    # The log goes to fd 3 -> the pipe; head stops the program once enough
    # records have been seen (Valgrind then dies of SIGPIPE, which is fine).
    # timeout: Valgrind ignores the closed pipe and would run the program to its end.
    { timeout -s KILL 90 valgrind --tool=lackey --trace-mem=yes --log-fd=3 "$@" 3>&1 >/dev/null 2>/dev/null || true; } |
        head -n $((SKIP + KEEP + 50)) > "$work/$name.full" || true
    { grep -m 20 '^==' "$work/$name.full" || true
      grep -v '^==' "$work/$name.full" | tail -n +$((SKIP + 1)) | head -n "$KEEP"
    } > "$work/$name.lackey"
    xz -9 -T1 -c "$work/$name.lackey" > "$out/$name.lackey.xz"
    local n
    n=$(grep -vc '^==' "$work/$name.lackey" || true)
    [ "$n" -eq "$KEEP" ] || { echo "make_samples.sh: $name: only $n records" >&2; exit 1; }
    echo "$out/$name.lackey.xz: $n records, $(wc -c < "$out/$name.lackey.xz") bytes"
}

run sort  sort "$work/input.txt" -o "$work/sorted.txt"
run xz    xz -6 -c -T1 "$work/input.txt"
# the real interpreter, not a wrapper script (pyenv shims are shell scripts)
py=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')
run python "$py" -S -c 'd={}
for i in range(300000): d[(i*7919)%100003]=i
print(sum(d.values()))'

#!/usr/bin/env bash
# Throughput of the TLB / walk-cache / data-cache hot paths (tests/bench/bench_tlb.c).
# Run by `make bench` with $BUILD set; standalone: BUILD=build bash tests/bench/bench_tlbcache.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../../build}
bin=$BUILD/bench/bench_tlb
if [ ! -x "$bin" ]; then
    echo "bench_tlbcache: $bin not built (run: make $bin)" >&2
    exit 1
fi
echo "== bench_tlb (TLB lookups/s, cache accesses/s) =="
"$bin" "${BENCH_REPS:-20}"

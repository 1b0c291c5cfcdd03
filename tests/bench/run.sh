#!/usr/bin/env bash
# make bench: run every tests/bench/bench_*.sh (with $MMUSIM and $BUILD set).
# Benchmarks report figures; they are not tests and do not fail on speed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${MMUSIM:?}" "${BUILD:?}"
export MMUSIM BUILD
status=0
for b in "$here"/bench_*.sh; do
    [ -e "$b" ] || continue
    echo "== $(basename "$b" .sh)"
    bash "$b" || status=1
done
exit $status

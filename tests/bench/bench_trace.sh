#!/usr/bin/env bash
# Reader throughput per trace format (see tests/bench/trace_read.c).
set -eu
: "${BUILD:?}"
SHARED_DIR=${SHARED_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)/shared} "$BUILD/bench/trace_read" "${TMPDIR:-/tmp}" 50

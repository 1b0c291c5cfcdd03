#!/usr/bin/env bash
# Throughput of the SQLite walk log (full / sampled / none): see tests/bench/db_walklog.c.
set -eu
"$BUILD/bench/db_walklog" "${DB_BENCH_WALKS:-5000000}"

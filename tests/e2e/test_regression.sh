#!/usr/bin/env bash
# The CI regression gate: the reference cases of results/baselines/cases.tsv must
# reproduce the committed baselines' walk-cost numbers (scripts/regression.sh).
set -eu
bash "$E2E_DIR/../../scripts/regression.sh" check "$MMUSIM"

# Helpers for tests/e2e/test_*.sh (sourced).
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_exit CODE CMD...: run CMD, check its exit status
expect_exit() {
    local want=$1; shift
    "$@"; local got=$?
    [ "$got" -eq "$want" ] || fail "exit $got, want $want: $*"
}
# jq-free JSON field check through python3
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$@"; }

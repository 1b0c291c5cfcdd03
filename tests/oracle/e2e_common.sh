# Sourced by tests/e2e/test_translate_*.sh.  Sets FIX and ORACLE, and defines
# translate_available: true when $MMUSIM implements `translate`.  The foundation's
# placeholder main accepts any argument silently (exit 0, no output), so a binary that
# prints nothing for a valid scenario AND accepts a bogus subcommand is the placeholder.
# MMUSIM_REQUIRE_TRANSLATE=1 turns "not available" into a failure.
FIX="$E2E_DIR/../fixtures/translate"
ORACLE="$E2E_DIR/../oracle"
translate_available() {
    local out
    out=$("$MMUSIM" translate "$FIX/hcr_tge.json" 2>/dev/null)
    if [ -z "$out" ] && "$MMUSIM" no-such-subcommand-xyz >/dev/null 2>&1; then
        if [ "${MMUSIM_REQUIRE_TRANSLATE:-0}" = 1 ]; then
            fail "$MMUSIM does not implement translate"
        fi
        echo "SKIP: $MMUSIM does not implement translate yet (placeholder main)"
        return 1
    fi
    return 0
}

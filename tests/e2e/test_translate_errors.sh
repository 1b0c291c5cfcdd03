#!/usr/bin/env bash
# Bad scenarios for `mmusim translate`: exit status 2, exactly one line on stderr that names
# the offending field (regex per case), and nothing on stdout.  Every case is also run
# through the reference model (tests/oracle/vmsa_ref.py), so this test checks the oracle
# even where the program does not implement translate yet.  The last cases are valid
# scenarios (reserved encodings of a *disabled* stage are not checked): exit 0.
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/../oracle/e2e_common.sh"
set -u
REF="python3 $ORACLE/vmsa_ref.py"
progs=("$REF")
if translate_available; then progs+=("$MMUSIM translate"); fi

# base pieces: stage 1 on, 4K (TCR: T0SZ 16, TG1 4K, IPS 48), one valid probe
R1='"SCTLR_EL1": "0x1", "TCR_EL1": "0x580100010", "TTBR0_EL1": "0x10000"'
PR='"probes": [{"va": "0x1000", "access": "read"}]'
S2='"HCR_EL2": "0x1", "VTTBR_EL2": "0x800000"'
n=0
case_bad() {   # case_bad NAME FIELD-REGEX JSON
    local name=$1 re=$2 json=$3 p
    n=$((n + 1))
    printf '%s' "$json" > "bad_$n.json"
    for p in "${progs[@]}"; do
        $p "bad_$n.json" > out.txt 2> err.txt; local rc=$?
        [ "$rc" -eq 2 ] || fail "$name: '$p' exit $rc, want 2 (stderr: $(head -c 300 err.txt))"
        [ ! -s out.txt ] || fail "$name: '$p' wrote to stdout: $(head -c 200 out.txt)"
        [ "$(wc -l < err.txt)" -eq 1 ] || fail "$name: '$p' stderr is not one line: $(cat err.txt)"
        grep -Eq -- "$re" err.txt || fail "$name: '$p' error does not name /$re/: $(cat err.txt)"
    done
}
case_good() {  # case_good NAME JSON: a valid scenario, exit 0 and JSON results on stdout
    local name=$1 json=$2 p
    n=$((n + 1))
    printf '%s' "$json" > "good_$n.json"
    for p in "${progs[@]}"; do
        $p "good_$n.json" > out.txt 2> err.txt || fail "$name: '$p' failed: $(cat err.txt)"
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["results"])==1' \
            out.txt || fail "$name: '$p' did not print one result"
    done
}

case_bad "malformed JSON" '.' '{"registers": {'
case_bad "trailing garbage" '.' "{\"registers\": {$R1}, \"memory\": [], $PR} x"
case_bad "top level not an object" '.' '[1, 2]'
case_bad "missing probes" 'probes' "{\"registers\": {$R1}, \"memory\": []}"
case_bad "unknown top-level key" 'bogus' "{\"registers\": {$R1}, \"memory\": [], $PR, \"bogus\": 1}"
case_bad "unknown register" 'TCR_EL2' "{\"registers\": {$R1, \"TCR_EL2\": \"0x0\"}, \"memory\": [], $PR}"
case_bad "register not a string" 'MAIR_EL1' "{\"registers\": {$R1, \"MAIR_EL1\": 255}, \"memory\": [], $PR}"
case_bad "register not hex" 'MAIR_EL1' "{\"registers\": {$R1, \"MAIR_EL1\": \"0xZZ\"}, \"memory\": [], $PR}"
case_bad "register over 64 bits" 'TTBR1_EL1' "{\"registers\": {$R1, \"TTBR1_EL1\": \"0x10000000000000000\"}, \"memory\": [], $PR}"
case_bad "memory not an array" 'memory' "{\"registers\": {$R1}, \"memory\": {}, $PR}"
case_bad "memory pa not hex" 'pa' "{\"registers\": {$R1}, \"memory\": [{\"pa\": \"4096\", \"value\": \"0x3\"}], $PR}"
case_bad "memory pa misaligned" 'pa' "{\"registers\": {$R1}, \"memory\": [{\"pa\": \"0x1004\", \"value\": \"0x3\"}], $PR}"
case_bad "memory value missing" 'value' "{\"registers\": {$R1}, \"memory\": [{\"pa\": \"0x1000\"}], $PR}"
case_bad "memory duplicate pa" 'memory|pa' "{\"registers\": {$R1}, \"memory\": [{\"pa\": \"0x1000\", \"value\": \"0x3\"}, {\"pa\": \"0x1000\", \"value\": \"0x7\"}], $PR}"
case_bad "probes not an array" 'probes' "{\"registers\": {$R1}, \"memory\": [], \"probes\": 3}"
case_bad "probe va missing" 'va' "{\"registers\": {$R1}, \"memory\": [], \"probes\": [{\"access\": \"read\"}]}"
case_bad "probe va not hex" 'va' "{\"registers\": {$R1}, \"memory\": [], \"probes\": [{\"va\": \"0x12g\", \"access\": \"read\"}]}"
case_bad "bad access" 'access' "{\"registers\": {$R1}, \"memory\": [], \"probes\": [{\"va\": \"0x0\", \"access\": \"fetch\"}]}"
case_bad "el out of range" 'el' "{\"registers\": {$R1}, \"memory\": [], \"probes\": [{\"va\": \"0x0\", \"access\": \"read\", \"el\": 2}]}"
case_bad "el wrong type" 'el' "{\"registers\": {$R1}, \"memory\": [], \"probes\": [{\"va\": \"0x0\", \"access\": \"read\", \"el\": \"1\"}]}"
case_bad "unknown probe key" 'asid|probes' "{\"registers\": {$R1}, \"memory\": [], \"probes\": [{\"va\": \"0x0\", \"access\": \"read\", \"asid\": 1}]}"
case_bad "TCR TG0=11" 'TCR_EL1|TG0' "{\"registers\": {\"SCTLR_EL1\": \"0x1\", \"TCR_EL1\": \"0x58010c010\"}, \"memory\": [], $PR}"
case_bad "TCR TG1=00" 'TCR_EL1|TG1' "{\"registers\": {\"SCTLR_EL1\": \"0x1\", \"TCR_EL1\": \"0x500100010\"}, \"memory\": [], $PR}"
case_bad "TCR IPS=7" 'TCR_EL1|IPS' "{\"registers\": {\"SCTLR_EL1\": \"0x1\", \"TCR_EL1\": \"0x780100010\"}, \"memory\": [], $PR}"
case_bad "VTCR TG0=11" 'VTCR_EL2|TG0' "{\"registers\": {$S2, \"VTCR_EL2\": \"0x8005c058\"}, \"memory\": [], $PR}"
case_bad "VTCR PS=7" 'VTCR_EL2|PS' "{\"registers\": {$S2, \"VTCR_EL2\": \"0x80070058\"}, \"memory\": [], $PR}"
case_bad "VTCR SL0=3 (4K)" 'VTCR_EL2|SL0' "{\"registers\": {$S2, \"VTCR_EL2\": \"0x800500d8\"}, \"memory\": [], $PR}"
case_bad "VTCR SL0=3 (64K)" 'VTCR_EL2|SL0' "{\"registers\": {$S2, \"VTCR_EL2\": \"0x800540d8\"}, \"memory\": [], $PR}"
case_bad "VTCR SL0=3 via HCR.DC" 'VTCR_EL2|SL0' "{\"registers\": {\"HCR_EL2\": \"0x1000\", \"VTCR_EL2\": \"0x800580d8\"}, \"memory\": [], $PR}"
case_bad "mapping conflict" 'mappings' "{\"registers\": {$R1}, \"memory\": [], $PR, \"table_alloc\": {\"s1\": \"0x100000\"}, \"mappings\": [{\"stage\": 1, \"ia\": \"0x200000\", \"oa\": \"0x200000\", \"size\": \"2M\"}, {\"stage\": 1, \"ia\": \"0x201000\", \"oa\": \"0x0\", \"size\": \"4K\"}]}"
case_bad "mapping without table_alloc" 'table_alloc|mappings' "{\"registers\": {$R1}, \"memory\": [], $PR, \"mappings\": [{\"stage\": 1, \"ia\": \"0x1000\", \"oa\": \"0x0\", \"size\": \"4K\"}]}"
case_bad "mapping bad size" 'size|mappings' "{\"registers\": {$R1}, \"memory\": [], $PR, \"table_alloc\": {\"s1\": \"0x100000\"}, \"mappings\": [{\"stage\": 1, \"ia\": \"0x0\", \"oa\": \"0x0\", \"size\": \"8K\"}]}"
case_bad "mapping misaligned" 'mappings|ia|oa|align' "{\"registers\": {$R1}, \"memory\": [], $PR, \"table_alloc\": {\"s1\": \"0x100000\"}, \"mappings\": [{\"stage\": 1, \"ia\": \"0x1000\", \"oa\": \"0x0\", \"size\": \"2M\"}]}"
case_bad "mapping stage 2 disabled" 'mappings|stage' "{\"registers\": {$R1}, \"memory\": [], $PR, \"table_alloc\": {\"s2\": \"0x100000\"}, \"mappings\": [{\"stage\": 2, \"ia\": \"0x0\", \"oa\": \"0x0\", \"size\": \"4K\"}]}"
case_good "registers and memory may be left out" "{$PR}"
case_good "TG1=00 with stage 1 off" "{\"registers\": {\"SCTLR_EL1\": \"0x0\", \"TCR_EL1\": \"0x700000000\"}, \"memory\": [], $PR}"
case_good "SL0=3 with stage 2 off" "{\"registers\": {\"VTCR_EL2\": \"0x800500d8\"}, \"memory\": [], \"probes\": [{\"va\": \"0x1000\", \"access\": \"exec\", \"el\": 0}]}"
echo "$n cases, programs: ${progs[*]}"

#!/usr/bin/env python3
"""run_compare.py [--ref-only] [--max N] MMUSIM SCENARIO.json...

For each scenario: computes the expected answer with the reference (vmsa_ref, in-process)
and compares `MMUSIM translate SCENARIO` with it.  With --expected, each SCENARIO's
<name>.expected.json is used instead of the reference (hand fixtures).  With --ref-only the
reference itself is checked against the .expected.json files (MMUSIM is then ignored).
Input-error scenarios (reference exit 2) must make MMUSIM exit 2 with one stderr line and an
empty stdout.  Prints the first N mismatches precisely; exit 1 if any."""
import io
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vmsa_ref as V  # noqa: E402
import compare as C   # noqa: E402


def reference(path):
    try:
        m, probes, _ = V.load_scenario(path)
    except V.InputError as e:
        return None, str(e)
    return {"results": [m.translate(va, acc, el) for va, acc, el in probes]}, None


def run_prog(prog, path):
    try:
        p = subprocess.run([prog, "translate", path], capture_output=True, text=True,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, "", "cannot run %s: %s" % (prog, e)
    return p.returncode, p.stdout, p.stderr


def main(argv):
    args = argv[1:]
    mode, max_report = "ref", 5
    while args and args[0].startswith("--"):
        if args[0] == "--expected":
            mode, args = "expected", args[1:]
        elif args[0] == "--ref-only":
            mode, args = "ref-only", args[1:]
        elif args[0] == "--max":
            max_report, args = int(args[1]), args[2:]
        else:
            sys.stderr.write(__doc__)
            return 2
    prog, files = args[0], args[1:]
    bad = probes = 0
    for path in files:
        name = os.path.basename(path)
        if mode in ("expected", "ref-only"):
            with open(path[:-5] + ".expected.json") as f:
                want = json.load(f)
            err = None
        else:
            want, err = reference(path)
        if mode == "ref-only":
            got, gerr = reference(path)
            if gerr:
                bad += 1
                print("%s: reference rejected the scenario: %s" % (name, gerr))
                continue
            probes += len(got["results"])
            buf = io.StringIO()
            if C.compare(want, got, name, max_report, strict=True, out=buf):
                bad += 1
                if bad <= max_report:
                    sys.stdout.write(buf.getvalue())
            continue
        rc, out, errtxt = run_prog(prog, path)
        if err is not None:
            lines = errtxt.splitlines()
            if rc != 2 or out or len(lines) != 1:
                bad += 1
                print("%s: input error expected (reference: %s); program exit %d, stdout %d "
                      "bytes, stderr %r" % (name, err, rc, len(out), errtxt[:300]))
            continue
        if rc != 0:
            bad += 1
            if bad <= max_report:
                print("%s: program exit %d, stderr: %s" % (name, rc, errtxt.strip()[:300]))
            continue
        try:
            got = json.loads(out)
        except ValueError as e:
            bad += 1
            if bad <= max_report:
                print("%s: program output is not JSON (%s): %r" % (name, e, out[:200]))
            continue
        probes += len(want["results"])
        buf = io.StringIO()
        if C.compare(want, got, name, 3, out=buf):
            bad += 1
            if bad <= max_report:
                sys.stdout.write(buf.getvalue())
    print("%d scenarios, %d probes compared, %d scenarios differ" % (len(files), probes, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

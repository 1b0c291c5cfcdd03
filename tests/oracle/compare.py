#!/usr/bin/env python3
"""compare.py EXPECTED.json ACTUAL.json [--label L] [--max N]

Compares translate results.  For every probe, every key present in the expected entry
(keys starting with "_" are comments and skipped) must be equal in the actual entry; the
actual entry may carry extra keys only if --strict is not given.  Prints a precise report of
the first N differences (probe index, va/access/el, key, expected vs actual, and for walks the
first differing fetch).  Exit 0 when equal, 1 otherwise."""
import json
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def fmt_walk(w):
    return "(s%s L%s %s)" % (w.get("stage"), w.get("level"), w.get("pa"))


def diff_entry(e, a, strict):
    """Returns a list of human-readable differences between expected e and actual a."""
    out = []
    for k, v in e.items():
        if k.startswith("_"):
            continue
        if k not in a:
            out.append("missing key %r (expected %s)" % (k, json.dumps(v)))
            continue
        if k == "walk" and isinstance(v, list) and isinstance(a[k], list) and v != a[k]:
            n = min(len(v), len(a[k]))
            i = next((j for j in range(n) if v[j] != a[k][j]), n)
            out.append("walk differs at fetch %d: expected %s, got %s (lengths %d vs %d)"
                       % (i, fmt_walk(v[i]) if i < len(v) else "<end>",
                          fmt_walk(a[k][i]) if i < len(a[k]) else "<end>", len(v), len(a[k])))
        elif a[k] != v or type(a[k]) is not type(v):
            out.append("%s: expected %s, got %s" % (k, json.dumps(v), json.dumps(a[k])))
    if strict:
        for k in a:
            if k not in e:
                out.append("unexpected key %r" % k)
    return out


def compare(exp, act, label="", max_report=5, strict=False, out=sys.stdout):
    er, ar = exp.get("results"), act.get("results") if isinstance(act, dict) else None
    if not isinstance(ar, list):
        out.write("%s: actual output has no \"results\" array\n" % label)
        return 1
    bad = 0
    if len(er) != len(ar):
        out.write("%s: %d results expected, %d given\n" % (label, len(er), len(ar)))
        bad += 1
    for i, (e, a) in enumerate(zip(er, ar)):
        d = diff_entry(e, a, strict)
        if d:
            bad += 1
            if bad <= max_report:
                out.write("%s: probe %d (va %s %s el %s): %s\n"
                          % (label, i, e.get("va"), e.get("access"), e.get("el"),
                             "; ".join(d)))
                if e.get("_why"):
                    out.write("    why: %s\n" % e["_why"])
    return 1 if bad else 0


def main(argv):
    args = argv[1:]
    label, max_report, strict = "", 5, False
    while len(args) > 2:
        if args[0] == "--label":
            label, args = args[1], args[2:]
        elif args[0] == "--max":
            max_report, args = int(args[1]), args[2:]
        elif args[0] == "--strict":
            strict, args = True, args[1:]
        else:
            break
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    try:
        act = load(args[1])
    except (OSError, ValueError) as e:
        print("%s: actual output is not valid JSON: %s" % (label or args[1], e))
        return 1
    return compare(load(args[0]), act, label or args[0], max_report, strict)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

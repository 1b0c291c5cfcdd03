#!/usr/bin/env python3
"""Build a results database for the e2e tests without the engine.

usage: test_results_fixture.py SCHEMA.sql OUT.db

Applies results/schema.sql, then writes 12 complete runs (the 9 stage-1 x
stage-2 granule combinations virtualized, then 3 native) and one run left
'running'.  Values are simple formulas so tests can derive them by hand:
  levels(g) = {4k: 4, 16k: 4, 64k: 3} lookup levels (48-bit VA, 40-bit IPA);
  refs/walk = (s1 + 1) * (s2 + 1) - 1 virtualized, s1 native;
  walk_cycles.mean = 20 * refs/walk;  walks = 1000;  accesses = 100000.
"""
import json
import sqlite3
import sys

LEVELS = {"4k": 4, "16k": 4, "64k": 3}


def main():
    schema, out = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(out)
    db.executescript(open(schema).read())
    runs = [(s1, s2, True) for s1 in LEVELS for s2 in LEVELS] + [(s1, None, False) for s1 in LEVELS]
    for s1, s2, virt in runs:
        cfg = {"preset": "n1", "machine": {"virtualized": virt},
               "process": {"s1_granule": s1, "va_bits": 48},
               "vm": {"s2_granule": s2 or "4k", "ipa_bits": 40}}
        label = f"{s1}/{s2}" if virt else f"{s1}/native"
        cur = db.execute(
            "INSERT INTO runs (label, status, started_at, ended_at, config_json, preset, s1_granule,"
            " s2_granule, virtualized, trace_path, trace_format, version) VALUES"
            " (?, 'complete', '2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z', ?, 'n1', ?, ?, ?,"
            " 'traces/samples/demo.lackey.xz', 'lackey', '0.1.0')",
            (label, json.dumps(cfg), s1, s2, int(virt)))
        rid = cur.lastrowid
        refs = (LEVELS[s1] + 1) * (LEVELS[s2] + 1) - 1 if virt else LEVELS[s1]
        m = {"accesses": 100000, "walks": 1000, "walk_refs.mean": refs,
             "walk_cycles.mean": 20 * refs, "translation_share": 0.01 * refs,
             "tlb.l1i.mpka": 1.0, "tlb.l1d.mpka": 10.0, "tlb.l2.mpka": 5.0,
             "walk_fetch.s1.l1": 500 * refs, "walk_fetch.s1.l2": 250 * refs,
             "walk_fetch.s1.llc": 150 * refs, "walk_fetch.s1.dram": 100 * refs}
        if virt:
            m.update({"walk_fetch.s2.l1": 300, "walk_fetch.s2.l2": 300, "walk_fetch.s2.llc": 200,
                      "walk_fetch.s2.dram": 200})
        db.executemany("INSERT INTO metrics VALUES (?, ?, ?)", [(rid, k, v) for k, v in m.items()])
        # walk_cycles histogram: 1000 walks in 4 buckets of width 16*refs
        db.executemany("INSERT INTO hist VALUES (?, 'walk_cycles', ?, ?)",
                       [(rid, 16 * refs * k, c) for k, c in enumerate((100, 400, 300, 200))])
    db.execute("INSERT INTO runs (label, status, started_at, config_json) VALUES"
               " ('killed', 'running', '2024-01-01T00:00:02Z', '{}')")
    db.commit()


if __name__ == "__main__":
    main()

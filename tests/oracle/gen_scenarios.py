#!/usr/bin/env python3
"""gen_scenarios.py --seed S --count N --out DIR

Writes N random translate scenarios DIR/scen_S_<i>.json, deterministic per (S, i).
Each scenario draws: which stages are on (also HCR.DC / HCR.TGE), the stage-1 granules
TG0/TG1, T0SZ/T1SZ (a few out of range), IPS, EPD, TBI, HPD, HA/HD, WXN; the stage-2 granule,
SL0 and T0SZ (usually consistent, with 1..16 concatenated root tables; sometimes not), PS,
VTCR.HA/HD, HCR.PTW; MAIR.  Page tables are built in Python with the reference's builder
(pages, blocks at every legal level, contiguous runs, TTBR1 mappings, random attributes),
then a few descriptors are deliberately broken (invalid, reserved 0b01 at L3 / illegal
block, AF cleared, OA bits above IPS/PS, permission and table-limit bits flipped, S2 Device
memory) so that every fault kind shows up.  About 15% of the unbroken scenarios are written
with "mappings" instead of raw memory, so the program's own builder is compared as well.
Probes mostly land inside mappings (EL0/EL1, read/write/exec), plus unmapped, gap and TTBR1
addresses and TBI top bytes.
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vmsa_ref as V  # noqa: E402

G_TG0 = {12: 0, 16: 1, 14: 2}
G_TG1 = {14: 1, 12: 2, 16: 3}
PS_ENC = {32: 0, 36: 1, 40: 2, 42: 3, 44: 4, 48: 5}
SL0_OF = {12: {2: 0, 1: 1, 0: 2}, 14: {3: 0, 2: 1, 1: 2}, 16: {3: 0, 2: 1, 1: 2}}


def hx(v):
    return "0x%x" % v


def leaf_sizes(g, start):
    """(size, is_contiguous) choices for a leaf of granule g in a walk starting at start."""
    out = []
    for lv in range(start, 4):
        if lv != 3 and lv not in V.BLOCK_LEVELS[g]:
            continue
        sz = 1 << (g + (3 - lv) * (g - 3))
        out.append((sz, False))
        if (g, lv) in V.CONT_RUN:
            out.append((sz * V.CONT_RUN[(g, lv)], True))
    return out


def pick_size(rng, g, start, space_bits):
    ch = [c for c in leaf_sizes(g, start) if c[0] <= (1 << (space_bits - 2))]
    if not ch:
        return None
    w = [6 if (sz == 1 << g and not c) else (2 if not c else 1) for sz, c in ch]
    return rng.choices(ch, weights=w)[0]


class Gen:
    def __init__(self, seed, idx):
        self.rng = random.Random("%d:%d" % (seed, idx))
        self.maps = []          # mapping entries in application order (for the mappings form)

    # ------------------------------------------------------------------ registers
    def registers(self):
        r = self.rng
        regs = {k: 0 for k in V.REGS}
        s1 = r.random() < 0.85
        s2 = r.random() < 0.7
        regs["SCTLR_EL1"] = (1 if s1 else 0) | (r.random() < 0.2) << 19
        hcr = 1 if s2 else 0
        if r.random() < 0.2:
            hcr |= 4                                # PTW
        if r.random() < 0.03:
            hcr |= 1 << 12                          # DC
        if r.random() < 0.03:
            hcr |= 1 << 27                          # TGE
        regs["HCR_EL2"] = hcr
        # stage 1
        g0, g1 = r.choice((12, 14, 16)), r.choice((12, 14, 16))

        def tsz():
            if r.random() < 0.04:
                return r.choice((12, 13, 15, 40, 44))
            return r.choice((16, 16, 17, 20, 22, 25, 25, 28, 33, 39, r.randint(16, 39)))
        t0, t1 = tsz(), tsz()
        ips = r.choices((5, 0, 1, 2, 3, 4, 6), weights=(10, 1, 1, 2, 1, 1, 2))[0]
        tcr = t0 | G_TG0[g0] << 14 | t1 << 16 | G_TG1[g1] << 30 | ips << 32
        if r.random() < 0.03:
            tcr |= 1 << 7                           # EPD0
        if r.random() < 0.05:
            tcr |= 1 << 23                          # EPD1
        for b in (37, 38, 41, 42):                  # TBI0/1, HPD0/1
            if r.random() < 0.2:
                tcr |= 1 << b
        if r.random() < 0.3:
            tcr |= 1 << 39                          # HA
        if r.random() < 0.25:
            tcr |= 1 << 40                          # HD (effective only with HA)
        tcr |= r.choice((0, 0, 0x3500, 0x35000000, 0x1 << 36))   # cacheability/AS noise
        regs["TCR_EL1"] = tcr
        # stage 2
        g2 = r.choice((12, 14, 16))
        stride = g2 - 3
        for _ in range(50):
            start = r.choice(list(SL0_OF[g2]))
            s = r.choice([1, 2, stride - 1, stride, stride, stride + 1, stride + 2, stride + 4,
                          r.randint(1, stride + 4)])
            ipab = (3 - start) * stride + g2 + s
            if 25 <= ipab <= 48 and s >= 1:
                ok = [p for p in PS_ENC if p >= ipab and
                      not (start == 0 and p <= 42) and
                      not (start == 1 and g2 == 16 and p <= 42) and
                      not (start == 1 and g2 == 14 and p <= 40)]
                if ok:
                    break
        else:
            start, ipab, ok = 2, 36, [48]
        ps = r.choice(ok + [48, 48])
        if r.random() < 0.05:                       # inconsistent configurations
            ipab = r.randint(25, 48)
            if r.random() < 0.5:
                ps = r.choice(list(PS_ENC))
        vtcr = (64 - ipab) | SL0_OF[g2][start] << 6 | G_TG0[g2] << 14 | PS_ENC[ps] << 16
        vtcr |= 1 << 31
        if r.random() < 0.2:
            vtcr |= 1 << 21                         # HA
        if r.random() < 0.15:
            vtcr |= 1 << 22                         # HD (effective only with HA)
        regs["VTCR_EL2"] = vtcr
        regs["MAIR_EL1"] = r.getrandbits(64)
        return regs

    # ------------------------------------------------------------------ building
    def try_map(self, ent):
        """Apply one mapping; on a builder error undo everything it wrote (all-or-nothing,
        so that the mappings form of the scenario replays to the same memory)."""
        b = self.b
        saved = (dict(self.m.mem), dict(b.alloc), len(b.written))
        try:
            b.map(len(self.maps), ent)
        except V.InputError:
            self.m.mem.clear()
            self.m.mem.update(saved[0])
            b.alloc.clear()
            b.alloc.update(saved[1])
            del b.written[saved[2]:]
            return False
        self.maps.append(ent)
        return True

    def s2_ensure(self, ipa, region=False):
        """Make sure stage 2 maps ipa (adds a page/block/contiguous mapping if needed)."""
        m, r, c = self.m, self.rng, self.m.s2
        try:
            m.s2_walk(ipa, [], False)
            return
        except V.Fault as f:
            if f.level == 0 and f.kind in ("translation", "address_size") and \
                    (not c.consistent or ipa >> c.ipabits or c.base_fault):
                return
        for attempt in range(3):
            if attempt == 0 and not region:
                ch = pick_size(r, c.g, c.start, c.ipabits)
            else:
                ch = (1 << c.g, False)
            if ch is None:
                return
            size, cont = ch
            ia = ipa & ~(size - 1)
            if r.random() < 0.08 and (self.odd_region or not region):
                oa = r.getrandbits(48) & ~(size - 1)              # may exceed PS
            else:
                self.pa_cur = (self.pa_cur + size - 1) & ~(size - 1)
                oa = self.pa_cur
                self.pa_cur += size
                if oa + size > (1 << c.ps_bits):
                    oa = r.getrandbits(c.ps_bits) & ~(size - 1)
            if region and not self.odd_region:
                attrs = {}
            elif region:
                attrs = {"s2ap": r.choices((3, 1, 2, 0), weights=(20, 3, 1, 1))[0],
                         "af": r.random() < 0.95,
                         "memattr": 0 if r.random() < 0.2 else 15}
            else:
                attrs = {"s2ap": r.choices((3, 1, 2, 0), weights=(12, 3, 2, 1))[0],
                         "xn": r.random() < 0.15, "af": r.random() < 0.92,
                         "memattr": r.choice((15, 15, 15, 0, 5, 10)),
                         "dbm": r.random() < 0.1}
            if cont:
                attrs["contiguous"] = True
            ent = {"stage": 2, "ia": ia, "oa": oa, "size": size, "attrs": attrs,
                   "region": region}
            if self.try_map(ent):
                return

    def s1_map(self, half):
        m, r = self.m, self.rng
        h = m.halves[half]
        if not h.tsz_ok or h.base_fault:
            return None
        ch = pick_size(r, h.g, h.start, h.vabits)
        if ch is None:
            return None
        size, cont = ch
        va = r.getrandbits(h.vabits) & ~(size - 1)
        if half:
            va |= V.M64 & ~((1 << h.vabits) - 1)
        if r.random() < 0.08:
            oa = r.getrandbits(48) & ~(size - 1)                  # may exceed IPS / IPA size
        else:
            lim = min(self.ipa_bits, 40)
            oa = r.getrandbits(lim) & ~(size - 1)
        attrs = {"ap": r.choices((0, 1, 2, 3), weights=(4, 2, 2, 2))[0],
                 "uxn": r.random() < 0.2, "pxn": r.random() < 0.2, "af": r.random() < 0.9,
                 "ng": r.random() < 0.3, "attr_idx": r.randint(0, 7),
                 "dbm": r.random() < 0.15}
        if cont:
            attrs["contiguous"] = True
        ent = {"stage": 1, "ia": va, "oa": oa, "size": size, "attrs": attrs}
        return ent if self.try_map(ent) else None

    def corrupt(self):
        r, mem = self.rng, self.m.mem
        written = [w for w in self.b.written if w[0] in mem]
        for _ in range(r.choice((0, 1, 2, 2, 3, 4, 6))):
            if not written:
                break
            pa, stage, level, kind = r.choice(written)
            d = mem[pa]
            op = r.randrange(12)
            if op == 0:
                d &= ~1                                   # invalid
            elif op == 1:
                d = (d & ~3) | (1 if kind == "table" or level == 3 else 3)   # block<->table
            elif op == 2:
                d &= ~(1 << 10)                           # AF = 0
            elif op == 3:
                d |= 1 << r.randint(32, 47)               # OA above IPS/PS (maybe)
            elif op == 4:
                d ^= 3 << 6                               # AP / S2AP
            elif op == 5:
                d ^= 1 << r.choice((53, 54))              # PXN/UXN, S2 XN
            elif op == 6 and kind == "table" and stage == 1:
                d |= 1 << r.randint(59, 62)               # APTable / XNTable / PXNTable
            elif op == 7:
                d ^= 1 << 52                              # contiguous hint
            elif op == 8:
                d ^= 1 << 51                              # DBM
            elif op == 9:
                d ^= 0xf << 2                             # AttrIndx+NS / MemAttr
            elif op == 10:
                d ^= 1 << 11                              # nG
            else:
                d |= 1 << r.randint(12, 20)               # low OA bit (RES0 in blocks)
            mem[pa] = d & V.M64

    # ------------------------------------------------------------------ scenario
    def scenario(self):
        r = self.rng
        regs = self.registers()
        self.m = m = V.Machine(regs, {})
        s1_ok = m.s1_on
        s2_ok = m.s2_on and m.s2.consistent and not m.s2.base_fault
        # physical layout (all below 4GB so that PS/IPS = 32 still work for tables)
        regs["VTTBR_EL2"] = 0x1000000 | (r.random() < 0.03) * r.choice((0x1000, 0x8, 1))
        if r.random() < 0.02:
            regs["VTTBR_EL2"] |= 1 << 44
        self.pa_cur = 0x10000000
        self.odd_region = r.random() < 0.4     # odd S2 attributes on S1 table pages
        self.ipa_bits = min(m.ips_bits, m.s2.ipabits) if s2_ok else m.ips_bits
        tbase = min(0x2000000, (1 << self.ipa_bits) >> 2) & ~0xffff
        regs["TTBR0_EL1"] = tbase | (r.random() < 0.03) * r.choice((0x800, 0x10, 1))
        regs["TTBR1_EL1"] = tbase + 0x10000 | (r.random() < 0.03) * r.choice((0x800, 0x10, 1))
        if r.random() < 0.02:
            regs["TTBR0_EL1"] |= 1 << 45
        self.m = m = V.Machine(regs, {})
        self.b = V.Builder(m, {"s1": tbase + 0x20000, "s2": 0x1100000})
        s2_ok = m.s2_on and m.s2.consistent and not m.s2.base_fault
        if s2_ok and s1_ok:
            # stage-2 mappings for every S2 page of the stage-1 table region
            # [tbase, tbase + 2MB); in "odd" scenarios a few pages stay unmapped
            for off in range(0, 0x200000, 1 << m.s2.g):
                if tbase + off < (1 << m.s2.ipabits) and \
                        (not self.odd_region or r.random() < 0.97):
                    self.s2_ensure(tbase + off, region=True)
        targets = []                       # (va, final IPA or None)
        if s1_ok:
            for _ in range(r.randint(3, 8)):
                half = 1 if r.random() < 0.2 else 0
                ent = self.s1_map(half)
                if ent:
                    for _ in range(r.randint(1, 2)):
                        off = r.randrange(ent["size"]) & ~7
                        targets.append((ent["ia"] + off, ent["oa"] + off))
        elif s2_ok:
            for _ in range(r.randint(3, 8)):
                ipa = r.getrandbits(min(m.s2.ipabits, 40))
                targets.append((ipa, ipa))
        else:
            targets = [(r.getrandbits(48), None) for _ in range(3)]
        if s2_ok:
            for _, ipa in targets:
                if ipa is not None and r.random() < 0.9:
                    self.s2_ensure(ipa)
        broken = r.random() < 0.65
        if broken:
            self.corrupt()
        if r.random() < 0.4:               # hierarchical limits in S1 table descriptors
            broken = True
            for pa, stage, level, kind in self.b.written:
                if stage == 1 and kind == "table" and pa in m.mem and r.random() < 0.3:
                    m.mem[pa] |= r.getrandbits(4) << 59
        probes = []
        for va, _ in targets:
            probes.append(va)
        for _ in range(r.randint(1, 4)):
            k = r.random()
            if k < 0.3:
                probes.append(r.getrandbits(48))
            elif k < 0.5:
                probes.append(V.M64 & ~((1 << r.randint(25, 48)) - 1) | r.getrandbits(20))
            elif k < 0.7:
                probes.append(r.getrandbits(64))
            else:
                probes.append(r.getrandbits(r.randint(12, 40)))
        out_probes = []
        for va in probes:
            if r.random() < 0.1:
                va = (va & ((1 << 56) - 1)) | r.getrandbits(8) << 56     # TBI top byte
            acc = r.choices(("read", "write", "exec"), weights=(5, 3, 2))[0]
            p = {"va": hx(va), "access": acc}
            el = r.choice((0, 1, 1))
            if el != 1 or r.random() < 0.5:
                p["el"] = el
            out_probes.append(p)
        sc = {"registers": {k: hx(v) for k, v in regs.items() if v or r.random() < 0.5}}
        # the mappings form only where the contract is unambiguous: stage-1 tables on plain
        # readable+writable Normal stage-2 pages (builders may refuse other pages)
        plain = all(e["attrs"].get("s2ap", 3) == 3 and e["attrs"].get("af", True) and
                    e["attrs"].get("memattr", 15) == 15 for e in self.maps if e.get("region"))
        if not broken and self.maps and plain and not self.odd_region and r.random() < 0.8:
            order = sorted(range(len(self.maps)), key=lambda i: -self.maps[i]["stage"])
            sc["mappings"] = []
            for i in order:
                e = self.maps[i]
                me = {"stage": e["stage"], "ia": hx(e["ia"]), "oa": hx(e["oa"]),
                      "size": hx(e["size"]), "attrs": e["attrs"]}
                sc["mappings"].append(me)
            sc["table_alloc"] = {"s1": hx(tbase + 0x20000), "s2": hx(0x1100000)}
            sc["memory"] = []
        else:
            sc["memory"] = [{"pa": hx(pa), "value": hx(v)} for pa, v in sorted(m.mem.items())]
        sc["probes"] = out_probes
        return sc


def main(argv):
    ap = argparse.ArgumentParser(description="random translate scenarios")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv[1:])
    os.makedirs(a.out, exist_ok=True)
    for i in range(a.count):
        sc = Gen(a.seed, i).scenario()
        with open(os.path.join(a.out, "scen_%d_%03d.json" % (a.seed, i)), "w") as f:
            json.dump(sc, f)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

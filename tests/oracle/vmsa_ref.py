#!/usr/bin/env python3
"""vmsa_ref.py - independent reference model of `mmusim translate`.

Usage: vmsa_ref.py SCENARIO.json   -> prints {"results": [...]} on stdout.
Input errors: exit status 2, one line on stderr naming the field, nothing on stdout.

Written from /work/shared/ARM-VMSA.md (sections 1-5, 8), the issue text and the shared
translate contract only; it deliberately shares no code with mmu/ or sim/.  Python 3, stdlib.

Model: AArch64 EL1&0 regime, 64-bit descriptors, 48-bit PARange, no LPA/LPA2/LVA/TTST/XNX/
PAN/E0PD/HAFT.  FEAT_HAFDBS, FEAT_HPDS, TBI, SCTLR.WXN, HCR_EL2.{VM,PTW,DC,TGE} modelled.
Hardware AF/dirty updates are not written back (translate is read-only).
"""
import json
import re
import sys

M64 = (1 << 64) - 1
PA_MAX_BITS = 48                      # ID_AA64MMFR0_EL1.PARange = 48 bits
REGS = ("SCTLR_EL1", "TCR_EL1", "TTBR0_EL1", "TTBR1_EL1", "MAIR_EL1",
        "HCR_EL2", "VTCR_EL2", "VTTBR_EL2")
PS_BITS = {0: 32, 1: 36, 2: 40, 3: 42, 4: 44, 5: 48, 6: 52}
TG0_BITS = {0: 12, 1: 16, 2: 14}      # TCR.TG0 / VTCR.TG0 encoding
TG1_BITS = {1: 14, 2: 12, 3: 16}      # TCR.TG1 encoding (different!)
BLOCK_LEVELS = {12: (1, 2), 14: (2,), 16: (2,)}   # DS=0, PAMax 48
# contiguous run length per (granule bits, level): ARM-VMSA.md section 1
CONT_RUN = {(12, 3): 16, (12, 2): 16, (12, 1): 16,
            (14, 3): 128, (14, 2): 32,
            (16, 3): 32, (16, 2): 32}
# stage-2 start level from SL0 per granule (SL0=3 reserved for all three here)
S2_START = {12: {0: 2, 1: 1, 2: 0}, 14: {0: 3, 1: 2, 2: 1}, 16: {0: 3, 1: 2, 2: 1}}


class InputError(Exception):
    """A bad scenario: exit status 2 with this one-line message."""


class Fault(Exception):
    def __init__(self, kind, stage, level, s1ptw=False, ipa=None):
        super().__init__(kind)
        self.kind, self.stage, self.level, self.s1ptw, self.ipa = kind, stage, level, s1ptw, ipa


def bits(v, hi, lo):
    return (v >> lo) & ((1 << (hi - lo + 1)) - 1)


def bit(v, n):
    return (v >> n) & 1


def genmask(hi, lo):
    return ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1)


def hx(v):
    return "0x%x" % v


# ----------------------------------------------------------------------------- input parsing

def parse_hex(v, path):
    if not isinstance(v, str):
        raise InputError("%s: expected a hex string, got %s" % (path, type(v).__name__))
    if not re.fullmatch(r"0[xX][0-9a-fA-F]+", v):
        raise InputError("%s: not a hex number: %r" % (path, v))
    n = int(v, 16)
    if n > M64:
        raise InputError("%s: value %s does not fit in 64 bits" % (path, v))
    return n


def expect_obj(v, path):
    if not isinstance(v, dict):
        raise InputError("%s: expected an object" % path)
    return v


def expect_list(v, path):
    if not isinstance(v, list):
        raise InputError("%s: expected an array" % path)
    return v


def check_keys(obj, path, required, optional=()):
    for k in obj:
        if k not in required and k not in optional:
            raise InputError("%s: unknown key %r" % (path, k) if path else "unknown key %r" % k)
    for k in required:
        if k not in obj:
            raise InputError("%s: missing key %r" % (path, k) if path else "missing key %r" % k)


def parse_bool(v, path):
    if not isinstance(v, bool):
        raise InputError("%s: expected true or false" % path)
    return v


def parse_small_int(v, path, lo, hi):
    if isinstance(v, bool) or not isinstance(v, int):
        raise InputError("%s: expected an integer %d..%d" % (path, lo, hi))
    if not lo <= v <= hi:
        raise InputError("%s: %d is out of range %d..%d" % (path, v, lo, hi))
    return v


SIZE_SUFFIX = {"K": 10, "M": 20, "G": 30, "T": 40}


def parse_size(v, path):
    if isinstance(v, str):
        m = re.fullmatch(r"([0-9]+)([KMGT])", v)
        if m:
            return int(m.group(1)) << SIZE_SUFFIX[m.group(2)]
    return parse_hex(v, path)


# ----------------------------------------------------------------------------- regime

class Half:
    """Stage-1 parameters of one VA half (TTBR0 or TTBR1)."""

    def __init__(self, tcr, ttbr, one, ips_bits):
        sh = 16 if one else 0
        self.tsz = bits(tcr, 5 + sh, sh)
        self.tsz_ok = 16 <= self.tsz <= 39
        self.vabits = 64 - self.tsz
        if one:
            self.g = TG1_BITS.get(bits(tcr, 31, 30))
        else:
            self.g = TG0_BITS.get(bits(tcr, 15, 14))
        self.epd = bit(tcr, 23 if one else 7)
        self.tbi = bit(tcr, 38 if one else 37)
        self.hpd = bit(tcr, 42 if one else 41)
        self.one = one
        self.base = ttbr & genmask(47, 1)
        if self.g is not None and self.tsz_ok:
            self.stride = self.g - 3
            self.start = 4 - -(-(self.vabits - self.g) // self.stride)
            root_shift = self.g + (3 - self.start) * self.stride
            self.root_bits = self.vabits - root_shift
            size = 8 << self.root_bits
            self.base_fault = (self.base >> ips_bits) != 0 or (self.base & (size - 1)) != 0

    def in_range(self, va):
        top = 55 if self.tbi else 63
        if self.vabits > top:
            return True
        want = (1 << (top - self.vabits + 1)) - 1 if self.one else 0
        return bits(va, top, self.vabits) == want


class S2Cfg:
    def __init__(self, vtcr, vttbr):
        self.tsz = bits(vtcr, 5, 0)
        self.sl0 = bits(vtcr, 7, 6)
        self.g = TG0_BITS.get(bits(vtcr, 15, 14))
        ps = bits(vtcr, 18, 16)
        self.ps_bits = min(PS_BITS.get(ps, 48), PA_MAX_BITS)
        self.ha = bit(vtcr, 21)
        self.hd = bit(vtcr, 22) & self.ha          # VTCR_EL2.HD needs VTCR_EL2.HA too
        self.ipabits = 64 - self.tsz
        self.base = vttbr & genmask(47, 1)
        self.consistent = False
        if self.g is None or self.sl0 not in S2_START.get(self.g, {}):
            return
        self.stride = self.g - 3
        self.start = S2_START[self.g][self.sl0]
        if not 16 <= self.tsz <= 39:
            return
        s = self.ipabits - ((3 - self.start) * self.stride + self.g)
        if not 1 <= s <= self.stride + 4:
            return
        if self.g in (14, 16):
            if self.start == 0:
                return
            if self.start == 1 and self.ps_bits <= (42 if self.g == 16 else 40):
                return
        if self.g == 12 and self.start == 0 and self.ps_bits <= 42:
            return
        if self.ipabits > self.ps_bits:
            return
        self.root_bits = s
        self.consistent = True
        size = 8 << s
        self.base_fault = (self.base >> self.ps_bits) != 0 or (self.base & (size - 1)) != 0


class Leaf:
    def __init__(self, out, level, desc, size, desc_pa):
        self.out, self.level, self.desc, self.size, self.desc_pa = out, level, desc, size, desc_pa


def leaf_size(g, level, desc):
    size = 1 << (g + (3 - level) * (g - 3))
    if bit(desc, 52):                       # Contiguous
        size *= CONT_RUN.get((g, level), 1)
    return size


class Machine:
    def __init__(self, regs, mem):
        self.regs = regs
        self.mem = mem
        r = regs
        hcr = r["HCR_EL2"]
        self.dc, self.tge, self.vm, self.ptw = bit(hcr, 12), bit(hcr, 27), bit(hcr, 0), bit(hcr, 2)
        self.s1_on = bool(bit(r["SCTLR_EL1"], 0)) and not self.dc and not self.tge
        self.s2_on = bool(self.vm or self.dc)
        self.wxn = bit(r["SCTLR_EL1"], 19)
        tcr = r["TCR_EL1"]
        self.ips_bits = min(PS_BITS.get(bits(tcr, 34, 32), 48), PA_MAX_BITS)
        # HD is effective only together with HA (Arm ARM TCR_EL1.HD; ARM-VMSA.md section 2;
        # QEMU aa64_va_parameters: hd = ha && hd)
        self.ha = bit(tcr, 39)
        self.hd = bit(tcr, 40) & self.ha
        self.halves = (Half(tcr, r["TTBR0_EL1"], 0, self.ips_bits),
                       Half(tcr, r["TTBR1_EL1"], 1, self.ips_bits))
        self.s2 = S2Cfg(r["VTCR_EL2"], r["VTTBR_EL2"])
        self.mair = r["MAIR_EL1"]

    # ---------------------------------------------------------------- stage 2
    def s2_walk(self, ipa, walk, s1ptw):
        """Full stage-2 walk of ipa; returns the Leaf (permissions are the caller's)."""
        c = self.s2

        def fault(kind, level):
            raise Fault(kind, 2, level, s1ptw, ipa)
        if not c.consistent:
            fault("translation", 0)
        if ipa >> c.ipabits:
            fault("translation", 0)          # IPA beyond the stage-2 input size
        if c.base_fault:
            fault("address_size", 0)
        level, table = c.start, c.base
        while True:
            shift = c.g + (3 - level) * c.stride
            nbits = c.root_bits if level == c.start else c.stride
            pa = table + 8 * ((ipa >> shift) & ((1 << nbits) - 1))
            walk.append((2, level, pa))
            d = self.mem.get(pa, 0)
            if not bit(d, 0):
                fault("translation", level)
            if level == 3:
                if not bit(d, 1):
                    fault("translation", level)       # 0b01 at L3 is reserved
                leaf = True
            elif not bit(d, 1):
                if level not in BLOCK_LEVELS[c.g]:
                    fault("translation", level)       # block at an illegal level
                leaf = True
            else:
                leaf = False
            out = d & genmask(47, shift if leaf else c.g)
            if out >> c.ps_bits:
                fault("address_size", level)
            if not leaf:
                table, level = out, level + 1
                continue
            if not bit(d, 10) and not c.ha:
                fault("access_flag", level)
            return Leaf(out | (ipa & ((1 << shift) - 1)), level, d,
                        leaf_size(c.g, level, d), pa)

    def s2_can(self, leaf, acc):
        d = leaf.desc
        if acc == "read":
            return bool(bit(d, 6))
        if acc == "write":
            return bool(bit(d, 7) or (bit(d, 51) and self.s2.hd))
        return not bit(d, 54)

    # ---------------------------------------------------------------- stage 1
    def s1_walk(self, va, acc, el, walk):
        h = self.halves[bit(va, 55)]

        def fault(kind, level):
            raise Fault(kind, 1, level)
        if not h.tsz_ok or not h.in_range(va) or h.epd:
            fault("translation", 0)
        if h.base_fault:
            fault("address_size", 0)
        g, stride = h.g, h.stride
        level, table = h.start, h.base
        ap_ro = ap_noel0 = uxn_t = pxn_t = 0
        while True:
            shift = g + (3 - level) * stride
            nbits = h.root_bits if level == h.start else stride
            dipa = table + 8 * ((va >> shift) & ((1 << nbits) - 1))
            s2leaf = None
            if self.s2_on:
                s2leaf = self.s2_walk(dipa, walk, True)
                if not self.s2_can(s2leaf, "read"):
                    raise Fault("permission", 2, s2leaf.level, True, dipa)
                if self.ptw and bits(s2leaf.desc, 5, 4) == 0:   # MemAttr[3:2]=00: Device
                    raise Fault("permission", 2, s2leaf.level, True, dipa)
                dpa = s2leaf.out
            else:
                dpa = dipa
            walk.append((1, level, dpa))
            d = self.mem.get(dpa, 0)
            if not bit(d, 0):
                fault("translation", level)
            if level == 3:
                if not bit(d, 1):
                    fault("translation", level)
                leaf = True
            elif not bit(d, 1):
                if level not in BLOCK_LEVELS[g]:
                    fault("translation", level)
                leaf = True
            else:
                leaf = False
            out = d & genmask(47, shift if leaf else g)
            if out >> self.ips_bits:
                fault("address_size", level)
            if not leaf:
                if not h.hpd:
                    pxn_t |= bit(d, 59)
                    uxn_t |= bit(d, 60)
                    ap_noel0 |= bit(d, 61)
                    ap_ro |= bit(d, 62)
                table, level = out, level + 1
                continue
            # ---- leaf checks: AF, then permissions
            af = bit(d, 10)
            if not af and not self.ha:
                fault("access_flag", level)
            dbm_write = acc == "write" and bit(d, 51) and self.hd and bit(d, 7)
            ap = bits(d, 7, 6)
            # stored AP after the hierarchical limits (used by the exec rules)
            ap_st = (ap | (ap_ro << 1)) & ~(ap_noel0 & 1)
            # AP after a hardware dirty update (clears AP[2] of the descriptor only;
            # APTable still applies on top, as in QEMU's get_phys_addr_lpae)
            ap_w = ((ap & 1) if dbm_write else ap)
            ap_w = (ap_w | (ap_ro << 1)) & ~(ap_noel0 & 1)
            uxn = bit(d, 54) | uxn_t
            pxn = bit(d, 53) | pxn_t
            if el == 1:
                if acc == "read":
                    ok = True
                elif acc == "write":
                    ok = not bit(ap_w, 1)
                else:
                    ok = (not pxn and ap_st != 1 and not (self.wxn and not bit(ap_st, 1)))
            else:
                if acc == "read":
                    ok = bool(bit(ap_st, 0))
                elif acc == "write":
                    ok = ap_w == 1
                else:
                    ok = not uxn and not (self.wxn and ap_st == 1)
            if not ok:
                fault("permission", level)
            # a hardware update of the descriptor is a stage-2 write of its IPA
            if self.s2_on and (not af or dbm_write) and not self.s2_can(s2leaf, "write"):
                raise Fault("permission", 2, s2leaf.level, True, dipa)
            ipa = out | (va & ((1 << shift) - 1))
            return ipa, level, d, leaf_size(g, level, d)

    # ---------------------------------------------------------------- both
    def translate(self, va, acc, el):
        walk = []
        res = {"va": hx(va), "access": acc, "el": el}
        try:
            if self.s1_on:
                ipa, s1_level, s1d, s1size = self.s1_walk(va, acc, el, walk)
            else:
                if va >> 48:
                    raise Fault("address_size", 1, 0)
                ipa, s1_level, s1d, s1size = va, None, None, None
            if self.s2_on:
                leaf = self.s2_walk(ipa, walk, False)
                if not self.s2_can(leaf, acc):
                    raise Fault("permission", 2, leaf.level, False, ipa)
                pa, s2_level, s2size = leaf.out, leaf.level, leaf.size
            else:
                pa, s2_level, s2size = ipa, None, None
        except Fault as f:
            res.update({"ok": False, "fault": f.kind, "stage": f.stage, "level": f.level,
                        "s1ptw": f.s1ptw})
            if f.stage == 2:
                res["ipa"] = hx(f.ipa)
            res["refs"] = len(walk)
            res["walk"] = [{"stage": s, "level": l, "pa": hx(p)} for s, l, p in walk]
            return res
        sizes = [s for s in (s1size, s2size) if s is not None]
        res.update({
            "ok": True, "ipa": hx(ipa), "pa": hx(pa), "s1_level": s1_level,
            "s2_level": s2_level, "size": min(sizes) if sizes else 4096,
            "refs": len(walk),
            "walk": [{"stage": s, "level": l, "pa": hx(p)} for s, l, p in walk],
            "attr": hx(bits(self.mair, 8 * bits(s1d, 4, 2) + 7, 8 * bits(s1d, 4, 2)))
            if s1d is not None else None,
            "global": (not bit(s1d, 11)) if s1d is not None else True,
        })
        return res


# ----------------------------------------------------------------------------- mappings

class Builder:
    """Turns "mappings" into descriptors in mem (stage 2 first, then stage 1)."""

    def __init__(self, m, alloc):
        self.m = m
        self.alloc = alloc          # {"s1": next IPA or None, "s2": next PA or None}
        self.written = []           # (pa, stage, level, kind) of every descriptor written

    def take(self, which, gbytes, path):
        nxt = self.alloc.get(which)
        if nxt is None:
            raise InputError("%s: a new table is needed but table_alloc.%s is absent"
                             % (path, which))
        if nxt & (gbytes - 1):
            raise InputError("table_alloc.%s: not aligned to the %d-byte granule"
                             % (which, gbytes))
        self.alloc[which] = nxt + gbytes
        return nxt

    def s2_lookup(self, ipa, path):
        """IPA -> PA through the stage-2 tables, ignoring permissions/AF (builder use)."""
        m = self.m
        if not m.s2_on:
            return ipa
        try:
            return m.s2_walk(ipa, [], False).out
        except Fault as f:
            if f.kind == "access_flag":     # mapped, only AF=0: still a place to write
                c = m.s2
                return self._s2_noaf(ipa, c)
            raise InputError("%s: stage-1 table at IPA %s is not mapped at stage 2"
                             % (path, hx(ipa)))

    def _s2_noaf(self, ipa, c):
        saved = c.ha
        c.ha = 1
        try:
            return self.m.s2_walk(ipa, [], False).out
        finally:
            c.ha = saved

    def map(self, i, mp):
        path = "mappings[%d]" % i
        m = self.m
        stage = mp["stage"]
        ia, oa, size, attrs = mp["ia"], mp["oa"], mp["size"], mp["attrs"]
        cont = attrs.get("contiguous", False)
        if stage == 2:
            if not m.s2_on:
                raise InputError("%s.stage: stage 2 is not enabled" % path)
            c = m.s2
            if not c.consistent or c.base_fault:
                raise InputError("%s.stage: VTCR_EL2/VTTBR_EL2 do not give a valid stage 2"
                                 % path)
            g, start, base, root_bits = c.g, c.start, c.base, c.root_bits
            if ia + size > (1 << c.ipabits):
                raise InputError("%s.ia: beyond the %d-bit IPA space" % (path, c.ipabits))
        else:
            if not m.s1_on:
                raise InputError("%s.stage: stage 1 is not enabled" % path)
            h = m.halves[bit(ia, 55)]
            if not h.tsz_ok or h.base_fault or h.epd:
                raise InputError("%s.ia: TCR_EL1/TTBR%d_EL1 do not give a usable stage 1 "
                                 "(T%dSZ, EPD%d or base)" % (path, h.one, h.one, h.one))
            if not h.in_range(ia) or not h.in_range(ia + size - 1) or \
                    bit(ia, 55) != bit(ia + size - 1, 55):
                raise InputError("%s.ia: outside the VA range of TTBR%d" % (path, h.one))
            g, start, base, root_bits = h.g, h.start, h.base, h.root_bits
        stride = g - 3
        level = run = None
        for lv in range(start, 4):
            lsize = 1 << (g + (3 - lv) * stride)
            if lv != 3 and lv not in BLOCK_LEVELS[g]:
                continue
            if size == lsize:
                level, run = lv, 1
            elif cont and (g, lv) in CONT_RUN and size == lsize * CONT_RUN[(g, lv)]:
                level, run = lv, CONT_RUN[(g, lv)]
        if level is None:
            raise InputError("%s.size: %s is not a page, block or contiguous size of the "
                             "%dK granule" % (path, hx(size), (1 << g) >> 10))
        if ia & (size - 1) or oa & (size - 1):
            raise InputError("%s: ia/oa not aligned to size %s" % (path, hx(size)))
        if oa + size > (1 << 48):
            raise InputError("%s.oa: beyond 48 bits" % path)
        lsize = 1 << (g + (3 - level) * stride)
        if stage == 2:
            d = ((attrs.get("memattr", 15) & 15) << 2) | ((attrs.get("s2ap", 3) & 3) << 6) \
                | (3 << 8) | (bit(attrs.get("xn", False), 0) << 54)
        else:
            d = ((attrs.get("attr_idx", 0) & 7) << 2) | ((attrs.get("ap", 0) & 3) << 6) \
                | (3 << 8) | (int(attrs.get("ng", False)) << 11) \
                | (int(attrs.get("pxn", False)) << 53) | (int(attrs.get("uxn", False)) << 54)
        d |= (int(attrs.get("af", True)) << 10) | (int(attrs.get("dbm", False)) << 51) \
            | (int(cont) << 52) | (3 if level == 3 else 1)

        def addr_of(t):            # where a descriptor at table address t really lives
            return self.s2_lookup(t, path) if stage == 1 else t
        table = base
        lv = start
        while True:
            shift = g + (3 - lv) * stride
            nbits = root_bits if lv == start else stride
            idx = (ia >> shift) & ((1 << nbits) - 1)
            if lv == level:
                for k in range(run):
                    pa = addr_of(table + 8 * (idx + k))
                    if bit(m.mem.get(pa, 0), 0):
                        raise InputError("%s: conflicts with an existing mapping at level %d"
                                         % (path, lv))
                    m.mem[pa] = d | (oa + k * lsize)
                    self.written.append((pa, stage, lv, "leaf"))
                return
            pa = addr_of(table + 8 * idx)
            cur = m.mem.get(pa, 0)
            if not bit(cur, 0):
                nt = self.take("s%d" % stage, 1 << g, path)
                m.mem[pa] = nt | 3
                self.written.append((pa, stage, lv, "table"))
                table = nt
            elif bit(cur, 1) and lv < 3:
                table = cur & genmask(47, g)
            else:
                raise InputError("%s: conflicts with an existing block at level %d"
                                 % (path, lv))
            lv += 1


# ----------------------------------------------------------------------------- scenario

def load_scenario(path):
    """Parse + validate a scenario file; returns (Machine, probes, Builder)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise InputError("cannot read: %s" % e.strerror)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("malformed JSON: not UTF-8")
    except json.JSONDecodeError as e:
        raise InputError("malformed JSON at line %d column %d: %s" % (e.lineno, e.colno, e.msg))
    expect_obj(doc, "top level")
    # "registers" and "memory" may be left out (all registers / all words read as zero)
    check_keys(doc, "", ("probes",), ("registers", "memory", "mappings", "table_alloc"))

    regs = {k: 0 for k in REGS}
    for k, v in expect_obj(doc.get("registers", {}), "registers").items():
        if k not in REGS:
            raise InputError("registers: unknown key %r" % k)
        regs[k] = parse_hex(v, "registers." + k)

    mem = {}
    for i, w in enumerate(expect_list(doc.get("memory", []), "memory")):
        p = "memory[%d]" % i
        expect_obj(w, p)
        check_keys(w, p, ("pa", "value"))
        pa = parse_hex(w["pa"], p + ".pa")
        val = parse_hex(w["value"], p + ".value")
        if pa & 7:
            raise InputError("%s.pa: %s is not 8-byte aligned" % (p, hx(pa)))
        if pa in mem:
            raise InputError("%s.pa: duplicate address %s" % (p, hx(pa)))
        mem[pa] = val

    probes = []
    for i, pr in enumerate(expect_list(doc["probes"], "probes")):
        p = "probes[%d]" % i
        expect_obj(pr, p)
        check_keys(pr, p, ("va", "access"), ("el",))
        va = parse_hex(pr["va"], p + ".va")
        acc = pr["access"]
        if not isinstance(acc, str):
            raise InputError("%s.access: expected a string" % p)
        if acc not in ("read", "write", "exec"):
            raise InputError("%s.access: %r is not read, write or exec" % (p, acc))
        el = pr.get("el", 1)
        if isinstance(el, bool) or not isinstance(el, int):
            raise InputError("%s.el: expected the number 0 or 1" % p)
        if el not in (0, 1):
            raise InputError("%s.el: %d is not 0 or 1" % (p, el))
        probes.append((va, acc, el))

    m = Machine(regs, mem)
    # reserved register encodings (only for an enabled stage)
    tcr, vtcr = regs["TCR_EL1"], regs["VTCR_EL2"]
    if m.s1_on:
        if bits(tcr, 15, 14) == 3:
            raise InputError("registers.TCR_EL1: TG0=0b11 is reserved")
        if bits(tcr, 31, 30) == 0:
            raise InputError("registers.TCR_EL1: TG1=0b00 is reserved")
        if bits(tcr, 34, 32) == 7:
            raise InputError("registers.TCR_EL1: IPS=0b111 is reserved")
    if m.s2_on:
        if bits(vtcr, 15, 14) == 3:
            raise InputError("registers.VTCR_EL2: TG0=0b11 is reserved")
        if bits(vtcr, 18, 16) == 7:
            raise InputError("registers.VTCR_EL2: PS=0b111 is reserved")
        if bits(vtcr, 7, 6) == 3:
            raise InputError("registers.VTCR_EL2: SL0=3 is reserved for this granule")

    alloc = {"s1": None, "s2": None}
    if "table_alloc" in doc:
        ta = expect_obj(doc["table_alloc"], "table_alloc")
        check_keys(ta, "table_alloc", (), ("s1", "s2"))
        for k in ta:
            alloc[k] = parse_hex(ta[k], "table_alloc." + k)
    b = Builder(m, alloc)
    if "mappings" in doc:
        maps = []
        for i, mp in enumerate(expect_list(doc["mappings"], "mappings")):
            p = "mappings[%d]" % i
            expect_obj(mp, p)
            check_keys(mp, p, ("stage", "ia", "oa", "size"), ("attrs",))
            st = parse_small_int(mp["stage"], p + ".stage", 1, 2)
            ent = {"stage": st, "ia": parse_hex(mp["ia"], p + ".ia"),
                   "oa": parse_hex(mp["oa"], p + ".oa"),
                   "size": parse_size(mp["size"], p + ".size"), "attrs": {}}
            attrs = expect_obj(mp.get("attrs", {}), p + ".attrs")
            if st == 1:
                ints = {"ap": 3, "attr_idx": 7}
                bools = ("uxn", "pxn", "af", "ng", "contiguous", "dbm")
            else:
                ints = {"s2ap": 3, "memattr": 15}
                bools = ("xn", "af", "contiguous", "dbm")
            for k, v in attrs.items():
                if k in ints:
                    ent["attrs"][k] = parse_small_int(v, "%s.attrs.%s" % (p, k), 0, ints[k])
                elif k in bools:
                    ent["attrs"][k] = parse_bool(v, "%s.attrs.%s" % (p, k))
                else:
                    raise InputError("%s.attrs: unknown key %r" % (p, k))
            if ent["size"] == 0 or ent["size"] & (ent["size"] - 1):
                raise InputError("%s.size: not a power of two" % p)
            maps.append((i, ent))
        for i, ent in sorted(maps, key=lambda t: -t[1]["stage"]):
            b.map(i, ent)
    return m, probes, b


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: vmsa_ref.py SCENARIO.json\n")
        return 2
    try:
        m, probes, _ = load_scenario(argv[1])
    except InputError as e:
        sys.stderr.write("%s: %s\n" % (argv[1], e))
        return 2
    out = {"results": [m.translate(va, acc, el) for va, acc, el in probes]}
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

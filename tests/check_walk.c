/*
 * tests/check_walk.c - the functional walker against answers derived by hand
 * from the architecture (ARM-VMSA.md s1-s5; Arm ARM D8 "VMSAv8-64
 * translation"; the reference counts of PUBLISHED-NUMBERS.md B.0).
 *
 * Page tables are built with mmu/ptb (never hex blobs).  Layout used by every
 * case: stage-1 tables at IPA 0x10000000.., mapped by stage 2 page by page to
 * PA 0x20000000..; the data page at VA DATA_VA -> IPA 0x80000000 (or a block
 * around it) -> PA 0xc0000000; stage-2 tables at PA 0x30000000...
 */
#include <check.h>

#include "mmu/ptb.h"
#include "mmu/vmsa.h"
#include "mmu/walk.h"

#define S1_TBL_IPA  UINT64_C(0x10000000)
#define S1_TBL_PA   UINT64_C(0x20000000)
#define DATA_IPA    UINT64_C(0x80000000)   /* 1 GiB aligned */
#define DATA_PA     UINT64_C(0xc0000000)   /* 1 GiB aligned */
#define S2_TBL_PA   UINT64_C(0x30000000)
#define DATA_VA     UINT64_C(0x0000001234567000)

struct env {
    struct pgmem *mem;
    struct vmsa_regs regs;
    struct regime rg;
    uint64_t s1_next, s2_next;
    /* the last good walk's stage-1 descriptor PAs, by level */
    uint64_t s1_desc_pa[4];
    uint64_t s2_desc_pa[4];
};

static unsigned tg0_enc(unsigned g) { return g == 12 ? 0 : g == 16 ? 1 : 2; }
static unsigned tg1_enc(unsigned g) { return g == 12 ? 2 : g == 16 ? 3 : 1; }

static int alloc1(void *ctx, unsigned g, uint64_t *a, struct sim_err *e)
{
    struct env *v = ctx;
    (void)e;
    *a = v->s1_next;
    v->s1_next += UINT64_C(1) << g;
    return SIM_OK;
}

static int alloc2(void *ctx, unsigned g, uint64_t *a, struct sim_err *e)
{
    struct env *v = ctx;
    (void)e;
    *a = v->s2_next;
    v->s2_next += UINT64_C(1) << g;
    return SIM_OK;
}

static int s1_to_pa(void *ctx, uint64_t ipa, uint64_t *pa, struct sim_err *e)
{
    struct env *v = ctx;
    (void)e;
    if (!v->rg.s2_enabled) {
        *pa = ipa;
        return SIM_OK;
    }
    /* tables live in the window mapped 1:1 with an offset by stage 2 */
    *pa = ipa - S1_TBL_IPA + S1_TBL_PA;
    return SIM_OK;
}

/* s2g == 0: stage 2 off.  sl0 as VTCR_EL2.SL0. */
static void env_init(struct env *v, unsigned s1g, unsigned va_bits, unsigned s2g, unsigned ipa_bits,
                     unsigned sl0)
{
    struct sim_err err;
    *v = (struct env){ 0 };
    v->mem = pgmem_create();
    ck_assert_ptr_nonnull(v->mem);
    v->regs.sctlr_el1 = 1;
    v->regs.tcr_el1 = (64 - va_bits) | ((uint64_t)tg0_enc(s1g) << 14) |
                      ((uint64_t)(64 - va_bits) << 16) | ((uint64_t)tg1_enc(s1g) << 30) |
                      (UINT64_C(5) << 32);
    v->regs.ttbr0_el1 = S1_TBL_IPA;
    v->regs.ttbr1_el1 = S1_TBL_IPA + UINT64_C(0x80000);    /* 512K: aligned for every granule */
    v->regs.mair_el1 = UINT64_C(0x44ff);
    if (s2g) {
        v->regs.hcr_el2 = 1;
        v->regs.vtcr_el2 = (64 - ipa_bits) | (sl0 << 6) | ((uint64_t)tg0_enc(s2g) << 14) |
                           (UINT64_C(5) << 16);
        v->regs.vttbr_el2 = S2_TBL_PA;
    }
    ck_assert_int_eq(regime_decode(&v->regs, &v->rg, &err), SIM_OK);
    v->s1_next = S1_TBL_IPA + UINT64_C(0x100000);
    v->s2_next = S2_TBL_PA + UINT64_C(0x100000);
}

static struct ptb ptb_s1(struct env *v, int half)
{
    const struct stage_params *sp = &v->rg.s1[half];
    struct ptb b = { v->mem, sp->granule_shift, sp->start_level, sp->root_bits, 1, sp->root, v,
                     alloc1, s1_to_pa, NULL };
    return b;
}

static struct ptb ptb_s2(struct env *v)
{
    const struct stage_params *sp = &v->rg.s2;
    struct ptb b = { v->mem, sp->granule_shift, sp->start_level, sp->root_bits, 2, sp->root, v,
                     alloc2, NULL, NULL };
    return b;
}

#define S1_RW  (VMSA_DESC_AF | VMSA_S1_NG)                    /* AP=00: EL1 RW */
#define S2_RW  (VMSA_DESC_AF | VMSA_S2_S2AP_R | VMSA_S2_S2AP_W | (UINT64_C(0xf) << 2))

/* Stage 2: map the table window (2 MiB) page by page, and the data with leaves of
 * 2^data_shift covering at least 2^cover_shift bytes around DATA_IPA. */
static void map_s2_cover(struct env *v, unsigned data_shift, unsigned cover_shift)
{
    struct sim_err err;
    struct ptb b = ptb_s2(v);
    uint64_t page = UINT64_C(1) << v->rg.s2.granule_shift;
    for (uint64_t off = 0; off < UINT64_C(0x200000); off += page)
        ck_assert_msg(ptb_map(&b, S1_TBL_IPA + off, S1_TBL_PA + off, v->rg.s2.granule_shift, S2_RW,
                              false, &err) == SIM_OK, "%s", err.msg);
    uint64_t mask = (UINT64_C(1) << data_shift) - 1;
    uint64_t span = UINT64_C(1) << (cover_shift > data_shift ? cover_shift : data_shift);
    for (uint64_t off = 0; off < span; off += mask + 1)
        ck_assert_msg(ptb_map(&b, (DATA_IPA & ~mask) + off, (DATA_PA & ~mask) + off, data_shift,
                              S2_RW, false, &err) == SIM_OK, "%s", err.msg);
}

static void map_s2(struct env *v, unsigned data_shift)
{
    map_s2_cover(v, data_shift, data_shift);
}

static void map_s1(struct env *v, uint64_t va, unsigned shift, uint64_t attrs)
{
    struct sim_err err;
    struct ptb b = ptb_s1(v, walk_s1_half(va));
    uint64_t mask = (UINT64_C(1) << shift) - 1;
    uint64_t ia = va & ((UINT64_C(1) << v->rg.s1[walk_s1_half(va)].in_bits) - 1);
    ck_assert_msg(ptb_map(&b, ia & ~mask, DATA_IPA & ~mask, shift, attrs, false, &err) == SIM_OK,
                  "%s", err.msg);
}

static void record(void *ctx, uint64_t pa, uint8_t stage, int8_t level)
{
    struct env *v = ctx;
    if (stage == 1)
        v->s1_desc_pa[level] = pa;
    else if (level >= 0)
        v->s2_desc_pa[level] = pa;
}

static bool xlate(struct env *v, uint64_t va, enum access_kind acc, int el, struct walk_result *r)
{
    struct walk_hooks h = { .ctx = v, .fetch = record };
    return walk_translate(v->mem, &v->rg, va, acc, el, &h, NULL, r);
}

/* ---- reference counts: n + (n+1)m, n and m derived per row by hand ---- */
struct refs_case {
    unsigned s1g, va_bits, s2g, ipa_bits, sl0;
    unsigned s1_shift, s2_shift;   /* leaf sizes used */
    int s1_level, s2_level;        /* expected leaf levels */
    unsigned refs;                 /* expected reference count */
};

static const struct refs_case refs_cases[] = {
    /* 4K 48-bit VA: L0..L3, n = 4.  4K 48-bit IPA with SL0=2: S2 from L0, m = 4: 4 + 5*4 = 24 */
    { 12, 48, 12, 48, 2, 12, 12, 3, 3, 24 },
    /* 4K 40-bit IPA, SL0=1: L1 with 2 concatenated tables, m = 3: 4 + 5*3 = 19 */
    { 12, 48, 12, 40, 1, 12, 12, 3, 3, 19 },
    /* 4K 39-bit VA starts at L1, n = 3; 40-bit IPA m = 3: 3 + 4*3 = 15 */
    { 12, 39, 12, 40, 1, 12, 12, 3, 3, 15 },
    /* 16K 48-bit VA: L0 of 2 entries, n = 4; 16K 40-bit IPA SL0=1: L2 with 16 concatenated
     * tables (40 - 36 + 1... s = 40 - 25 = 15 = 11 + 4 bits), m = 2: 4 + 5*2 = 14 */
    { 14, 48, 14, 40, 1, 14, 14, 3, 3, 14 },
    /* 16K 47-bit VA starts at L1 (n = 3); 16K 48-bit IPA SL0=2: L1 with 2 tables, m = 3: 15 */
    { 14, 47, 14, 48, 2, 14, 14, 3, 3, 15 },
    /* 64K 48-bit VA: L1 with 64 entries, n = 3; 64K 48-bit IPA SL0=2 (L1), m = 3: 15 */
    { 16, 48, 16, 48, 2, 16, 16, 3, 3, 15 },
    /* 64K 42-bit VA: L2 (8192 entries), n = 2; 64K 42-bit IPA SL0=1 (L2), m = 2: 2 + 3*2 = 8 */
    { 16, 42, 16, 42, 1, 16, 16, 3, 3, 8 },
    /* mixed granules: 4K S1 (n = 4) over 16K 40-bit S2 (m = 2): 14; over 64K 48-bit (m = 3): 19 */
    { 12, 48, 14, 40, 1, 12, 14, 3, 3, 14 },
    { 12, 48, 16, 48, 2, 12, 16, 3, 3, 19 },
    /* 16K S1 48-bit (n = 4) over 4K 48-bit S2 (m = 4): 24; over 64K 42-bit (m = 2): 14 */
    { 14, 48, 12, 48, 2, 14, 12, 3, 3, 24 },
    { 14, 48, 16, 42, 1, 14, 16, 3, 3, 14 },
    /* 64K S1 48-bit (n = 3) over 4K 48-bit (m = 4): 3 + 4*4 = 19; over 16K 40-bit (m = 2): 11 */
    { 16, 48, 12, 48, 2, 16, 12, 3, 3, 19 },
    { 16, 48, 14, 40, 1, 16, 14, 3, 3, 11 },
    /* blocks: S1 2M block at L2 (n = 3) over 4-level S2 (m = 4): 3 + 4*4 = 19 */
    { 12, 48, 12, 48, 2, 21, 12, 2, 3, 19 },
    /* S1 4K pages (n = 4); S2 from L0 with 1G blocks at L1 for the data, but the table
     * window still uses pages: m = 4 for the 4 table IPAs, 2 for the data: 4 + 4*4 + 2 = 22 */
    { 12, 48, 12, 48, 2, 12, 30, 3, 1, 22 },
    /* S2 from L1 (40-bit) with a 2M block for the data: 4 + 4*3 + 2 = 18 */
    { 12, 48, 12, 40, 1, 12, 21, 3, 2, 18 },
    /* native: stage 2 off, n only: 4K 48-bit 4, 16K 48-bit 4, 64K 48-bit 3, 64K 42-bit 2,
     * 4K 39-bit 3, 4K with a 1G block at L1: 2 */
    { 12, 48, 0, 0, 0, 12, 0, 3, WALK_LEVEL_NONE, 4 },
    { 14, 48, 0, 0, 0, 14, 0, 3, WALK_LEVEL_NONE, 4 },
    { 16, 48, 0, 0, 0, 16, 0, 3, WALK_LEVEL_NONE, 3 },
    { 16, 42, 0, 0, 0, 16, 0, 3, WALK_LEVEL_NONE, 2 },
    { 12, 39, 0, 0, 0, 12, 0, 3, WALK_LEVEL_NONE, 3 },
    { 12, 48, 0, 0, 0, 30, 0, 1, WALK_LEVEL_NONE, 2 },
};

START_TEST(test_refs)
{
    const struct refs_case *c = &refs_cases[_i];
    struct env v;
    struct walk_result r;

    env_init(&v, c->s1g, c->va_bits, c->s2g, c->ipa_bits, c->sl0);
    if (c->s2g)
        map_s2_cover(&v, c->s2_shift, c->s1_shift);
    map_s1(&v, DATA_VA, c->s1_shift, S1_RW);
    ck_assert_msg(xlate(&v, DATA_VA | 0x123, ACC_READ, 1, &r), "case %d: fault %s stage %u level %d",
                  _i, walk_fault_name(r.fault.type), r.fault.stage, r.fault.level);
    ck_assert_uint_eq(r.refs, c->refs);
    ck_assert_int_eq(r.s1_level, c->s1_level);
    ck_assert_int_eq(r.s2_level, c->s2_level);
    /* the data VA's page offset survives both stages: IPA/PA = base | (VA mod leaf size) */
    uint64_t s1_mask = (UINT64_C(1) << c->s1_shift) - 1;
    uint64_t ipa = (DATA_IPA & ~s1_mask) | ((DATA_VA | 0x123) & s1_mask);
    ck_assert_uint_eq(r.ipa, ipa);
    if (c->s2g) {
        /* stage 2 maps the data region linearly: PA = IPA - DATA_IPA + DATA_PA */
        ck_assert_uint_eq(r.pa, ipa - DATA_IPA + DATA_PA);
        unsigned min = c->s1_shift < c->s2_shift ? c->s1_shift : c->s2_shift;
        ck_assert_uint_eq(r.size_shift, min);
    } else {
        ck_assert_uint_eq(r.pa, ipa);
    }
    pgmem_destroy(v.mem);
}
END_TEST

/* ---- faults, on a 4K 48-bit + 4K 48-bit (SL0=2) nested setup ---- */
static void nested_4k(struct env *v, uint64_t s1_attrs)
{
    env_init(v, 12, 48, 12, 48, 2);
    map_s2(v, 12);
    map_s1(v, DATA_VA, 12, s1_attrs);
}

static void poke(struct env *v, uint64_t pa, uint64_t set, uint64_t clear)
{
    uint64_t d = pgmem_read(v->mem, pa);
    ck_assert_int_eq(pgmem_write(v->mem, pa, (d | set) & ~clear), SIM_OK);
}

static void expect_fault(struct env *v, uint64_t va, enum access_kind acc, int el,
                         enum walk_fault_type t, int stage, int level, bool s1ptw)
{
    struct walk_result r;
    ck_assert(!xlate(v, va, acc, el, &r));
    ck_assert_msg(r.fault.type == t && r.fault.stage == stage && r.fault.level == level &&
                  r.fault.s1ptw == s1ptw,
                  "got %s stage %u level %d s1ptw %d, want %s stage %d level %d s1ptw %d",
                  walk_fault_name(r.fault.type), r.fault.stage, r.fault.level, r.fault.s1ptw,
                  walk_fault_name(t), stage, level, s1ptw);
}

START_TEST(test_s1_invalid_each_level)
{
    /* An invalid descriptor at level L is a stage-1 Translation fault at L */
    for (int level = 0; level <= 3; level++) {
        struct env v;
        struct walk_result r;
        nested_4k(&v, S1_RW);
        ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
        poke(&v, v.s1_desc_pa[level], 0, VMSA_DESC_VALID);
        expect_fault(&v, DATA_VA, ACC_READ, 1, WF_TRANSLATION, 1, level, false);
        /* refs: the S2 walk + read of each level up to L: 5 per level */
        xlate(&v, DATA_VA, ACC_READ, 1, &r);
        ck_assert_uint_eq(r.refs, 5u * (unsigned)(level + 1));
        pgmem_destroy(v.mem);
    }
}
END_TEST

START_TEST(test_s1_reserved_and_illegal_blocks)
{
    struct env v;
    struct walk_result r;
    /* 0b01 at L3 is reserved: Translation fault at level 3 */
    nested_4k(&v, S1_RW);
    ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
    poke(&v, v.s1_desc_pa[3], 0, VMSA_DESC_TABLE);
    expect_fault(&v, DATA_VA, ACC_READ, 1, WF_TRANSLATION, 1, 3, false);
    pgmem_destroy(v.mem);
    /* a block at L0 with the 4K granule (512G needs DS=1): Translation fault at level 0 */
    nested_4k(&v, S1_RW);
    ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
    poke(&v, v.s1_desc_pa[0], 0, VMSA_DESC_TABLE);
    expect_fault(&v, DATA_VA, ACC_READ, 1, WF_TRANSLATION, 1, 0, false);
    pgmem_destroy(v.mem);
    /* 64K granule, 48-bit VA starts at L1: a block at L1 (4T needs 52-bit PA) faults */
    env_init(&v, 16, 48, 0, 0, 0);
    map_s1(&v, DATA_VA, 16, S1_RW);
    ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
    ck_assert_uint_eq(r.refs, 3);
    poke(&v, v.s1_desc_pa[1], 0, VMSA_DESC_TABLE);
    expect_fault(&v, DATA_VA, ACC_READ, 1, WF_TRANSLATION, 1, 1, false);
    pgmem_destroy(v.mem);
}
END_TEST

START_TEST(test_s1_access_flag)
{
    struct env v;
    struct walk_result r;
    nested_4k(&v, S1_RW & ~VMSA_DESC_AF);
    expect_fault(&v, DATA_VA, ACC_READ, 1, WF_ACCESS_FLAG, 1, 3, false);
    /* with TCR_EL1.HA the hardware sets AF: no fault */
    v.regs.tcr_el1 |= VMSA_TCR_HA;
    struct sim_err err;
    ck_assert_int_eq(regime_decode(&v.regs, &v.rg, &err), SIM_OK);
    ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
    pgmem_destroy(v.mem);
}
END_TEST

START_TEST(test_s1_permissions)
{
    struct env v;
    struct walk_result r;
    /* AP=10 (EL1 RO): EL1 write faults at the leaf */
    nested_4k(&v, S1_RW | VMSA_S1_AP_RO);
    ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
    expect_fault(&v, DATA_VA, ACC_WRITE, 1, WF_PERMISSION, 1, 3, false);
    /* AP=10 has no EL0 access */
    expect_fault(&v, DATA_VA, ACC_READ, 0, WF_PERMISSION, 1, 3, false);
    pgmem_destroy(v.mem);
    /* AP=01 (EL0 RW): EL0 write ok; EL1 exec faults (EL0-writable => PXN) */
    nested_4k(&v, S1_RW | VMSA_S1_AP_EL0);
    ck_assert(xlate(&v, DATA_VA, ACC_WRITE, 0, &r));
    expect_fault(&v, DATA_VA, ACC_EXEC, 1, WF_PERMISSION, 1, 3, false);
    ck_assert(xlate(&v, DATA_VA, ACC_EXEC, 0, &r));
    pgmem_destroy(v.mem);
    /* UXN at the leaf: EL0 exec faults, EL1 exec ok */
    nested_4k(&v, S1_RW | VMSA_S1_AP_EL0 | VMSA_S1_AP_RO | VMSA_S1_UXN);
    expect_fault(&v, DATA_VA, ACC_EXEC, 0, WF_PERMISSION, 1, 3, false);
    ck_assert(xlate(&v, DATA_VA, ACC_EXEC, 1, &r));
    pgmem_destroy(v.mem);
    /* APTable[1] (RO) on the L1 table descriptor: write faults, reported at the leaf (L3) */
    nested_4k(&v, S1_RW);
    ck_assert(xlate(&v, DATA_VA, ACC_WRITE, 1, &r));
    poke(&v, v.s1_desc_pa[1], VMSA_S1_APTABLE_RO, 0);
    expect_fault(&v, DATA_VA, ACC_WRITE, 1, WF_PERMISSION, 1, 3, false);
    /* ...unless TCR_EL1.HPD0 disables hierarchical permissions */
    v.regs.tcr_el1 |= VMSA_TCR_HPD0;
    struct sim_err err;
    ck_assert_int_eq(regime_decode(&v.regs, &v.rg, &err), SIM_OK);
    ck_assert(xlate(&v, DATA_VA, ACC_WRITE, 1, &r));
    pgmem_destroy(v.mem);
    /* PXNTable on L0: EL1 exec faults at the leaf */
    nested_4k(&v, S1_RW | VMSA_S1_AP_RO);
    ck_assert(xlate(&v, DATA_VA, ACC_EXEC, 1, &r));
    poke(&v, v.s1_desc_pa[0], VMSA_S1_PXNTABLE, 0);
    expect_fault(&v, DATA_VA, ACC_EXEC, 1, WF_PERMISSION, 1, 3, false);
    pgmem_destroy(v.mem);
    /* SCTLR_EL1.WXN: writable at EL1 => not executable at EL1 */
    nested_4k(&v, S1_RW);
    ck_assert(xlate(&v, DATA_VA, ACC_EXEC, 1, &r));
    v.regs.sctlr_el1 |= VMSA_SCTLR_WXN;
    ck_assert_int_eq(regime_decode(&v.regs, &v.rg, &err), SIM_OK);
    expect_fault(&v, DATA_VA, ACC_EXEC, 1, WF_PERMISSION, 1, 3, false);
    pgmem_destroy(v.mem);
}
END_TEST

START_TEST(test_address_size)
{
    struct env v;
    struct walk_result r;
    struct sim_err err;
    /* IPS = 40 bits: a leaf OA with bit 40 set is an Address size fault at the leaf */
    nested_4k(&v, S1_RW);
    v.regs.tcr_el1 = (v.regs.tcr_el1 & ~GENMASK64(34, 32)) | (UINT64_C(2) << 32);
    ck_assert_int_eq(regime_decode(&v.regs, &v.rg, &err), SIM_OK);
    ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
    poke(&v, v.s1_desc_pa[3], BIT64(40), 0);
    expect_fault(&v, DATA_VA, ACC_READ, 1, WF_ADDRESS_SIZE, 1, 3, false);
    /* a next-table address above IPS at L1: Address size fault at level 1 */
    poke(&v, v.s1_desc_pa[3], 0, BIT64(40));
    poke(&v, v.s1_desc_pa[1], BIT64(41), 0);
    expect_fault(&v, DATA_VA, ACC_READ, 1, WF_ADDRESS_SIZE, 1, 1, false);
    /* a TTBR0 base above IPS: Address size fault at level 0, no reads at all */
    v.regs.ttbr0_el1 |= BIT64(44);
    ck_assert_int_eq(regime_decode(&v.regs, &v.rg, &err), SIM_OK);
    ck_assert(!xlate(&v, DATA_VA, ACC_READ, 1, &r));
    ck_assert_uint_eq(r.fault.type, WF_ADDRESS_SIZE);
    ck_assert_int_eq(r.fault.level, 0);
    ck_assert_uint_eq(r.refs, 0);
    /* a misaligned TTBR0 base (4K L0 table of 512 entries = 4 KiB): Address size, level 0 */
    v.regs.ttbr0_el1 = S1_TBL_IPA | 0x800;
    ck_assert_int_eq(regime_decode(&v.regs, &v.rg, &err), SIM_OK);
    expect_fault(&v, DATA_VA, ACC_READ, 1, WF_ADDRESS_SIZE, 1, 0, false);
    pgmem_destroy(v.mem);
}
END_TEST

START_TEST(test_stage2_faults)
{
    struct env v;
    struct walk_result r;
    /* Stage-2 leaf of the S1 L2 table page invalid: stage 2, level 3, s1ptw, IPA = the
     * L2 descriptor's IPA.  The L2 table is the third table allocated: S1_TBL_IPA + 1M + 2*4K
     * (root at S1_TBL_IPA, L1 at +1M, L2 at +1M+4K, L3 at +1M+8K) */
    nested_4k(&v, S1_RW);
    ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
    uint64_t l2_tbl_ipa = S1_TBL_IPA + 0x100000 + 0x1000;
    uint64_t l2_idx = (DATA_VA >> 21) & 511;
    /* find the stage-2 L3 descriptor of that page by translating it alone */
    struct regime r2 = v.rg;
    r2.s1_enabled = false;
    ck_assert(walk_translate(v.mem, &r2, l2_tbl_ipa, ACC_READ, 1,
                             &(struct walk_hooks){ .ctx = &v, .fetch = record }, NULL, &r));
    ck_assert_uint_eq(r.pa, S1_TBL_PA + 0x101000);
    poke(&v, v.s2_desc_pa[3], 0, VMSA_DESC_VALID);
    ck_assert(!xlate(&v, DATA_VA, ACC_READ, 1, &r));
    ck_assert_uint_eq(r.fault.type, WF_TRANSLATION);
    ck_assert_uint_eq(r.fault.stage, 2);
    ck_assert_int_eq(r.fault.level, 3);
    ck_assert(r.fault.s1ptw);
    ck_assert_uint_eq(r.fault.ipa, l2_tbl_ipa + 8 * l2_idx);
    /* refs: L0 (4+1), L1 (4+1), then the 4 reads of the failing stage-2 walk: 14 */
    ck_assert_uint_eq(r.refs, 14);
    pgmem_destroy(v.mem);

    /* Stage-2 read-only data page: a write faults at stage 2, level 3, not s1ptw */
    env_init(&v, 12, 48, 12, 48, 2);
    {
        struct sim_err err;
        struct ptb b = ptb_s2(&v);
        for (uint64_t off = 0; off < 0x200000; off += 0x1000)
            ck_assert(ptb_map(&b, S1_TBL_IPA + off, S1_TBL_PA + off, 12, S2_RW, false, &err) == 0);
        ck_assert(ptb_map(&b, DATA_IPA, DATA_PA, 12, S2_RW & ~VMSA_S2_S2AP_W, false, &err) == 0);
    }
    map_s1(&v, DATA_VA, 12, S1_RW);
    ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
    ck_assert(!xlate(&v, DATA_VA | 0x10, ACC_WRITE, 1, &r));
    ck_assert_uint_eq(r.fault.type, WF_PERMISSION);
    ck_assert_uint_eq(r.fault.stage, 2);
    ck_assert_int_eq(r.fault.level, 3);
    ck_assert(!r.fault.s1ptw);
    ck_assert_uint_eq(r.fault.ipa, DATA_IPA | 0x10);
    ck_assert_uint_eq(r.refs, 24);
    /* S2 XN: exec faults at stage 2 */
    poke(&v, v.s2_desc_pa[3], VMSA_S2_XN, 0);
    expect_fault(&v, DATA_VA, ACC_EXEC, 1, WF_PERMISSION, 2, 3, false);
    /* S2 AF = 0 on the data page: Access flag at stage 2, level 3 */
    poke(&v, v.s2_desc_pa[3], 0, VMSA_DESC_AF);
    expect_fault(&v, DATA_VA, ACC_READ, 1, WF_ACCESS_FLAG, 2, 3, false);
    pgmem_destroy(v.mem);
}
END_TEST

START_TEST(test_ranges_and_ttbr1)
{
    struct env v;
    struct walk_result r;
    struct sim_err err;
    /* TTBR1: VA 0xffff_ff80_0020_0000 in the kernel half of a 48-bit space */
    env_init(&v, 12, 48, 0, 0, 0);
    uint64_t kva = UINT64_C(0xffffff8000200000);
    map_s1(&v, kva, 12, S1_RW);
    ck_assert(xlate(&v, kva | 0x42, ACC_READ, 1, &r));
    ck_assert_uint_eq(r.pa, DATA_IPA | 0x42);
    ck_assert_uint_eq(r.refs, 4);
    /* the first descriptor read comes from TTBR1's table: index VA[47:39] = 0x1ff */
    ck_assert_uint_eq(v.s1_desc_pa[0], S1_TBL_IPA + 0x80000 + 8 * 0x1ff);
    /* the gap between the halves: Translation fault at level 0, no reads */
    expect_fault(&v, UINT64_C(0x0001000000000000), ACC_READ, 1, WF_TRANSLATION, 1, 0, false);
    expect_fault(&v, UINT64_C(0xfeff800000000000), ACC_READ, 1, WF_TRANSLATION, 1, 0, false);
    /* with TBI1 the top byte is ignored in the range check */
    v.regs.tcr_el1 |= VMSA_TCR_TBI1;
    ck_assert_int_eq(regime_decode(&v.regs, &v.rg, &err), SIM_OK);
    ck_assert(xlate(&v, (kva | 0x42) & ~(UINT64_C(0xff) << 56), ACC_READ, 1, &r));
    ck_assert_uint_eq(r.pa, DATA_IPA | 0x42);
    ck_assert(xlate(&v, (kva & ~(UINT64_C(0x5a) << 56)) | 0x42, ACC_READ, 1, &r));
    /* EPD1: TTBR1 walks disabled -> level-0 Translation fault */
    v.regs.tcr_el1 |= VMSA_TCR_EPD1;
    ck_assert_int_eq(regime_decode(&v.regs, &v.rg, &err), SIM_OK);
    expect_fault(&v, kva, ACC_READ, 1, WF_TRANSLATION, 1, 0, false);
    pgmem_destroy(v.mem);
}
END_TEST

START_TEST(test_regime_errors_and_setup_faults)
{
    struct vmsa_regs regs = { 0 };
    struct regime rg;
    struct sim_err err;
    /* TG0 = 11 is reserved */
    regs.sctlr_el1 = 1;
    regs.tcr_el1 = 16 | (UINT64_C(3) << 14) | (UINT64_C(2) << 30);
    ck_assert_int_eq(regime_decode(&regs, &rg, &err), SIM_EINVAL);
    ck_assert(strstr(err.msg, "TCR_EL1.TG0") != NULL);
    /* TG1 = 00 is reserved */
    regs.tcr_el1 = 16;
    ck_assert_int_eq(regime_decode(&regs, &rg, &err), SIM_EINVAL);
    ck_assert(strstr(err.msg, "TCR_EL1.TG1") != NULL);
    /* VTCR SL0 = 3 is reserved for 64K */
    regs = (struct vmsa_regs){ .hcr_el2 = 1, .vtcr_el2 = 16 | (3 << 6) | (1 << 14) | (5 << 16) };
    ck_assert_int_eq(regime_decode(&regs, &rg, &err), SIM_EINVAL);
    ck_assert(strstr(err.msg, "VTCR_EL2.SL0") != NULL);
    /* 4K, SL0 = 2 (start L0) with a 32-bit IPA: inconsistent, stage-2 level-0 fault */
    regs = (struct vmsa_regs){ .hcr_el2 = 1, .vtcr_el2 = 32 | (2 << 6) | (5 << 16) };
    ck_assert_int_eq(regime_decode(&regs, &rg, &err), SIM_OK);
    ck_assert(!rg.s2.usable);
    struct pgmem *m = pgmem_create();
    struct walk_result r;
    ck_assert(!walk_translate(m, &rg, 0x1000, ACC_READ, 1, NULL, NULL, &r));
    ck_assert_uint_eq(r.fault.type, WF_TRANSLATION);
    ck_assert_uint_eq(r.fault.stage, 2);
    ck_assert_int_eq(r.fault.level, 0);
    /* T0SZ = 15 (64K, no FEAT_LVA) is out of range: stage-1 level-0 Translation fault */
    regs = (struct vmsa_regs){ .sctlr_el1 = 1, .tcr_el1 = 15 | (1 << 14) | (UINT64_C(2) << 30) };
    ck_assert_int_eq(regime_decode(&regs, &rg, &err), SIM_OK);
    ck_assert(!walk_translate(m, &rg, 0x1000, ACC_READ, 1, NULL, NULL, &r));
    ck_assert_uint_eq(r.fault.type, WF_TRANSLATION);
    ck_assert_int_eq(r.fault.level, 0);
    /* stage 1 off, stage 2 off: PA = VA; a VA above 48 bits is an Address size fault */
    regs = (struct vmsa_regs){ 0 };
    ck_assert_int_eq(regime_decode(&regs, &rg, &err), SIM_OK);
    ck_assert(walk_translate(m, &rg, 0x123456789, ACC_WRITE, 0, NULL, NULL, &r));
    ck_assert_uint_eq(r.pa, 0x123456789);
    ck_assert_uint_eq(r.refs, 0);
    ck_assert(!walk_translate(m, &rg, BIT64(48), ACC_READ, 1, NULL, NULL, &r));
    ck_assert_uint_eq(r.fault.type, WF_ADDRESS_SIZE);
    pgmem_destroy(m);
}
END_TEST

START_TEST(test_contiguous_size)
{
    struct env v;
    struct walk_result r;
    struct sim_err err;
    /* 16 contiguous 4K pages at stage 1 (64K run) over 2M stage-2 blocks: size 64K */
    env_init(&v, 12, 48, 12, 40, 1);
    map_s2(&v, 21);
    struct ptb b = ptb_s1(&v, 0);
    uint64_t va = DATA_VA & ~UINT64_C(0xffff);
    ck_assert_msg(ptb_map(&b, va, DATA_IPA, 16, S1_RW, true, &err) == SIM_OK, "%s", err.msg);
    ck_assert(xlate(&v, va + 0x5123, ACC_READ, 1, &r));
    ck_assert_uint_eq(r.size_shift, 16);
    ck_assert_uint_eq(r.pa, DATA_PA + 0x5123);
    pgmem_destroy(v.mem);
}
END_TEST

START_TEST(test_unmap)
{
    /* ptb_unmap() invalidates the leaf (break-before-make step 1): the next walk of that
     * VA takes a stage-1 Translation fault at the leaf level, 3; the tables stay */
    struct env v;
    struct walk_result r;
    struct sim_err err;
    nested_4k(&v, S1_RW);
    ck_assert(xlate(&v, DATA_VA, ACC_READ, 1, &r));
    struct ptb b = ptb_s1(&v, 0);
    ck_assert_int_eq(ptb_unmap(&b, DATA_VA, &err), SIM_OK);
    expect_fault(&v, DATA_VA, ACC_READ, 1, WF_TRANSLATION, 1, 3, false);
    /* unmapping an unmapped VA is not an error */
    ck_assert_int_eq(ptb_unmap(&b, DATA_VA, &err), SIM_OK);
    pgmem_destroy(v.mem);
}
END_TEST

/* The sparse memory the tables live in: words never written read as zero, a
 * write is read back whatever the read cache held for that set before (frames
 * 4096 apart share a set of two slots), and a word's pointer survives the growth
 * of the frame table. */
START_TEST(test_pgmem_sparse)
{
    struct pgmem *m = pgmem_create();
    ck_assert_ptr_nonnull(m);
    const uint64_t stride = UINT64_C(8192) << 12;        /* same read-cache set */
    ck_assert_uint_eq(pgmem_read(m, 0x1000), 0);
    ck_assert_ptr_null(pgmem_word(m, 0x1000));
    ck_assert_int_eq(pgmem_write(m, 0x1000, 0), SIM_OK);  /* zero: nothing created */
    ck_assert_ptr_null(pgmem_word(m, 0x1000));
    ck_assert_int_eq(pgmem_write(m, 0x1008, 0x11), SIM_OK);
    const uint64_t *first = pgmem_word(m, 0x1008);
    ck_assert_ptr_nonnull(first);
    ck_assert_uint_eq(*first, 0x11);
    ck_assert_uint_eq(pgmem_read(m, 0x1000), 0);          /* same frame, unwritten word */
    ck_assert_ptr_null(pgmem_word(m, 0x1000 + stride));   /* slot held, other frame absent */
    /* 3000 frames 8192 apart, all in one set of the cache, each evicting another */
    for (uint64_t i = 0; i < 3000; i++) {
        uint64_t pa = 0x1000 + (i + 1) * stride + (i % 512) * 8;
        ck_assert_int_eq(pgmem_write(m, pa, i * 3 + 1), SIM_OK);
        ck_assert_uint_eq(pgmem_read(m, pa), i * 3 + 1);
        ck_assert_uint_eq(pgmem_read(m, 0x1008), 0x11);
    }
    for (uint64_t i = 0; i < 3000; i++) {
        uint64_t pa = 0x1000 + (i + 1) * stride + (i % 512) * 8;
        ck_assert_uint_eq(pgmem_read(m, pa), i * 3 + 1);
        ck_assert_uint_eq(pgmem_read(m, pa ^ 8), 0);
    }
    ck_assert_ptr_eq(pgmem_word(m, 0x1008), first);      /* frames never move */
    ck_assert_int_eq(pgmem_write(m, 0x1008, 0x22), SIM_OK);
    ck_assert_uint_eq(*first, 0x22);
    pgmem_destroy(m);
}
END_TEST

Suite *walk_suite(void)
{
    Suite *s = suite_create("walk");
    TCase *tc = tcase_create("refs");
    tcase_add_loop_test(tc, test_refs, 0, (int)(sizeof(refs_cases) / sizeof(refs_cases[0])));
    suite_add_tcase(s, tc);
    tc = tcase_create("faults");
    tcase_add_test(tc, test_s1_invalid_each_level);
    tcase_add_test(tc, test_s1_reserved_and_illegal_blocks);
    tcase_add_test(tc, test_s1_access_flag);
    tcase_add_test(tc, test_s1_permissions);
    tcase_add_test(tc, test_address_size);
    tcase_add_test(tc, test_stage2_faults);
    tcase_add_test(tc, test_ranges_and_ttbr1);
    tcase_add_test(tc, test_regime_errors_and_setup_faults);
    tcase_add_test(tc, test_contiguous_size);
    tcase_add_test(tc, test_unmap);
    suite_add_tcase(s, tc);
    tc = tcase_create("pgmem");
    tcase_add_test(tc, test_pgmem_sparse);
    suite_add_tcase(s, tc);
    return s;
}

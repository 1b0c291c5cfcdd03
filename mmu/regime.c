/*
 * mmu/regime.c - decode the EL1&0 regime registers (see regime.h).
 *
 * Start levels and sizes: ARM-VMSA.md s1 (stage 1: 4 - ceil((VAbits - g) /
 * stride)) and s3 (stage 2: from SL0 per granule, checked against T0SZ as
 * QEMU's check_s2_mmu_setup does, concatenating up to 16 root tables).
 */
#include "mmu/regime.h"

#include "mmu/vmsa.h"
#include "mmu/walk.h"

/* TG0 encoding (TCR_EL1.TG0 and VTCR_EL2.TG0) -> granule shift, 0 if reserved. */
static unsigned tg0_shift(unsigned tg)
{
    switch (tg) {
    case VMSA_TCR_TG0_4K: return 12;
    case VMSA_TCR_TG0_64K: return 16;
    case VMSA_TCR_TG0_16K: return 14;
    }
    return 0;
}

/* TG1 encoding -> granule shift, 0 if reserved (TG1 differs from TG0!). */
static unsigned tg1_shift(unsigned tg)
{
    switch (tg) {
    case VMSA_TCR_TG1_16K: return 14;
    case VMSA_TCR_TG1_4K: return 12;
    case VMSA_TCR_TG1_64K: return 16;
    }
    return 0;
}

static void set_unusable(struct stage_params *sp, enum walk_fault_type f)
{
    if (sp->usable) {
        sp->usable = false;
        sp->setup_fault = (uint8_t)f;
    }
}

/* Fill the geometry that follows from granule, input size and start level. */
static void set_geometry(struct stage_params *sp)
{
    sp->stride = (uint8_t)vmsa_stride(sp->granule_shift);
    int rb = (int)sp->in_bits - (int)vmsa_level_shift(sp->granule_shift, sp->start_level);
    sp->root_bits = (uint8_t)(rb > 0 ? rb : 0);
    for (int level = 0; level <= 3; level++) {
        sp->level_shift[level] = (uint8_t)vmsa_level_shift(sp->granule_shift, level);
        unsigned nbits = level == sp->start_level ? sp->root_bits
                         : level > sp->start_level ? sp->stride : 0;
        sp->index_mask[level] = (UINT64_C(1) << nbits) - 1;
        sp->leaf_oa_mask[level] = GENMASK64(VMSA_DESC_OA_HI, sp->level_shift[level]);
    }
    sp->table_oa_mask = GENMASK64(VMSA_DESC_OA_HI, sp->granule_shift);
}

static int decode_s1_half(const struct vmsa_regs *r, int half, struct stage_params *sp,
                          struct sim_err *err)
{
    uint64_t tcr = r->tcr_el1;
    unsigned tsz = (unsigned)bits_get(tcr, half ? 21 : 5, half ? 16 : 0);
    unsigned tg = (unsigned)bits_get(tcr, half ? 31 : 15, half ? 30 : 14);
    unsigned g = half ? tg1_shift(tg) : tg0_shift(tg);
    int ps = vmsa_ps_bits((unsigned)bits_get(tcr, 34, 32));

    if (!g)
        return sim_err_set(err, SIM_EINVAL, "registers.TCR_EL1.%s: reserved granule encoding %u",
                           half ? "TG1" : "TG0", tg);
    if (ps < 0)
        return sim_err_set(err, SIM_EINVAL, "registers.TCR_EL1.IPS: reserved encoding 7");

    sp->usable = true;
    sp->granule_shift = (uint8_t)g;
    sp->out_bits = (uint8_t)(ps > VMSA_PA_BITS ? VMSA_PA_BITS : ps);
    sp->tbi = bit_get(tcr, half ? 38 : 37);
    sp->ha = (tcr & VMSA_TCR_HA) != 0;
    sp->hd = sp->ha && (tcr & VMSA_TCR_HD) != 0;   /* HD works only with HA */
    sp->hpd = (tcr & (half ? VMSA_TCR_HPD1 : VMSA_TCR_HPD0)) != 0;
    sp->root = (half ? r->ttbr1_el1 : r->ttbr0_el1) & VMSA_TTBR_BADDR_MASK;

    /* TnSZ limits without FEAT_LVA / FEAT_TTST: 16..39, else level-0 fault */
    if (tsz < 16 || tsz > 39) {
        set_unusable(sp, WF_TRANSLATION);
        sp->in_bits = 48;
        sp->start_level = 0;
    } else {
        unsigned stride = vmsa_stride(g);
        sp->in_bits = (uint8_t)(64 - tsz);
        unsigned levels = (sp->in_bits - g + stride - 1) / stride;  /* ceil */
        sp->start_level = (int8_t)(4 - (int)levels);
    }
    set_geometry(sp);
    if (tcr & (half ? VMSA_TCR_EPD1 : VMSA_TCR_EPD0))
        set_unusable(sp, WF_TRANSLATION);
    return SIM_OK;
}

static int decode_s2(const struct vmsa_regs *r, struct stage_params *sp, struct sim_err *err)
{
    uint64_t vtcr = r->vtcr_el2;
    unsigned tsz = (unsigned)bits_get(vtcr, 5, 0);
    unsigned sl0 = (unsigned)bits_get(vtcr, 7, 6);
    unsigned tg = (unsigned)bits_get(vtcr, 15, 14);
    unsigned g = tg0_shift(tg);
    int ps = vmsa_ps_bits((unsigned)bits_get(vtcr, 18, 16));
    int start;

    if (!g)
        return sim_err_set(err, SIM_EINVAL, "registers.VTCR_EL2.TG0: reserved granule encoding 3");
    if (ps < 0)
        return sim_err_set(err, SIM_EINVAL, "registers.VTCR_EL2.PS: reserved encoding 7");
    /* SL0 -> start level (ARM-VMSA.md s3); 3 is reserved for every granule here:
     * 4K L3 needs FEAT_TTST, 16K L0 needs DS, 64K has no L0. */
    if (sl0 == 3)
        return sim_err_set(err, SIM_EINVAL,
                           "registers.VTCR_EL2.SL0: encoding 3 is reserved for the %uK granule",
                           (1u << g) >> 10);
    start = g == 12 ? 2 - (int)sl0 : 3 - (int)sl0;

    sp->usable = true;
    sp->granule_shift = (uint8_t)g;
    sp->out_bits = (uint8_t)(ps > VMSA_PA_BITS ? VMSA_PA_BITS : ps);
    sp->start_level = (int8_t)start;
    sp->tbi = false;
    sp->ha = (vtcr & VMSA_VTCR_HA) != 0;
    sp->hd = sp->ha && (vtcr & VMSA_VTCR_HD) != 0;
    sp->hpd = false;
    sp->root = r->vttbr_el2 & VMSA_TTBR_BADDR_MASK;

    if (tsz < 16 || tsz > 39) {
        set_unusable(sp, WF_TRANSLATION);
        sp->in_bits = 48;
    } else {
        sp->in_bits = (uint8_t)(64 - tsz);
    }
    set_geometry(sp);

    /* Consistency of SL0 with T0SZ and PS (QEMU check_s2_mmu_setup). */
    unsigned stride = vmsa_stride(g);
    int s = (int)sp->in_bits - (int)vmsa_level_shift(g, start);
    if (s < 1 || s > (int)stride + 4)
        set_unusable(sp, WF_TRANSLATION);
    if (g == 16 && start == 1 && sp->out_bits <= 42)
        set_unusable(sp, WF_TRANSLATION);
    if (g == 14 && start == 1 && sp->out_bits <= 40)
        set_unusable(sp, WF_TRANSLATION);
    if (g == 12 && start == 0 && sp->out_bits <= 42)
        set_unusable(sp, WF_TRANSLATION);
    if (sp->in_bits > sp->out_bits)
        set_unusable(sp, WF_TRANSLATION);
    return SIM_OK;
}

int regime_decode(const struct vmsa_regs *regs, struct regime *rg, struct sim_err *err)
{
    int rc;
    bool dc = (regs->hcr_el2 & VMSA_HCR_DC) != 0;
    bool tge = (regs->hcr_el2 & VMSA_HCR_TGE) != 0;

    *rg = (struct regime){ 0 };
    rg->s1_enabled = (regs->sctlr_el1 & VMSA_SCTLR_M) && !dc && !tge;
    rg->s2_enabled = (regs->hcr_el2 & VMSA_HCR_VM) || dc;
    rg->mair = regs->mair_el1;
    rg->wxn = (regs->sctlr_el1 & VMSA_SCTLR_WXN) != 0;
    rg->ptw = (regs->hcr_el2 & VMSA_HCR_PTW) != 0;

    uint64_t asid_ttbr = (regs->tcr_el1 & VMSA_TCR_A1) ? regs->ttbr1_el1 : regs->ttbr0_el1;
    rg->asid = (uint16_t)(asid_ttbr >> VMSA_TTBR_ASID_SHIFT);
    if (!(regs->tcr_el1 & VMSA_TCR_AS))
        rg->asid &= 0xff;
    rg->vmid = (uint16_t)(regs->vttbr_el2 >> VMSA_TTBR_ASID_SHIFT);
    if (!(regs->vtcr_el2 & VMSA_VTCR_VS))
        rg->vmid &= 0xff;

    if (rg->s1_enabled) {
        if ((rc = decode_s1_half(regs, 0, &rg->s1[0], err)) < 0)
            return rc;
        if ((rc = decode_s1_half(regs, 1, &rg->s1[1], err)) < 0)
            return rc;
    }
    if (rg->s2_enabled && (rc = decode_s2(regs, &rg->s2, err)) < 0)
        return rc;
    return SIM_OK;
}

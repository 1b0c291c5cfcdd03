/*
 * mmu/regime.h - the EL1&0 translation regime decoded from register values.
 *
 * regime_decode() turns SCTLR_EL1, TCR_EL1, TTBR0/1_EL1, MAIR_EL1, HCR_EL2,
 * VTCR_EL2 and VTTBR_EL2 into per-stage walk parameters: granule, input and
 * output sizes, start level, root table size and base.  Reserved encodings
 * (TG0=11, TG1=00, IPS/PS=7, an SL0 reserved for the granule) are input errors.
 * Settings that are legal encodings but unusable (TnSZ out of range, an SL0
 * inconsistent with T0SZ, EPDn) are not errors: they make the walk take a
 * level-0 Translation fault, as the architecture says (ARM-VMSA.md s3, s5).
 *
 * Modelled implementation: PARange 48 bits; FEAT_HAFDBS, FEAT_HPDS and TBI
 * implemented; no FEAT_LPA/LPA2/LVA/TTST/XNX/PAN/E0PD (DS treated as 0).
 */
#ifndef MMU_REGIME_H
#define MMU_REGIME_H

#include "sim/err.h"

struct vmsa_regs {
    uint64_t sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1;
    uint64_t hcr_el2, vtcr_el2, vttbr_el2;
};

/* Walk parameters of one stage-1 half (TTBR0 or TTBR1) or of stage 2. */
struct stage_params {
    bool usable;            /* false: every walk faults at level 0 (setup_fault) */
    uint8_t setup_fault;    /* enum walk_fault_type when !usable */
    uint8_t granule_shift;  /* 12, 14, 16 */
    uint8_t stride;         /* granule_shift - 3 */
    uint8_t in_bits;        /* VA bits (64 - TnSZ) or IPA bits (64 - VTCR.T0SZ) */
    uint8_t out_bits;       /* effective IPS / PS */
    int8_t start_level;
    uint8_t root_bits;      /* index bits at the start level (> stride: concatenated) */
    uint8_t level_shift[4]; /* by level: log2 of the bytes one descriptor maps */
    uint64_t index_mask[4]; /* by level: mask of the table index (root_bits wide at the
                               start level, stride wide below; 0 above the start level) */
    uint64_t leaf_oa_mask[4]; /* by level: a block or page descriptor's OA, bits [47:level_shift] */
    uint64_t table_oa_mask; /* a table descriptor's next-level address, bits [47:granule_shift] */
    bool tbi;               /* top byte ignored (stage-1 halves) */
    bool ha, hd;            /* hardware AF / dirty-state update */
    bool hpd;               /* hierarchical permissions disabled */
    uint64_t root;          /* table base address (IPA for stage 1 when S2 is on) */
};

struct regime {
    bool s1_enabled;
    bool s2_enabled;
    struct stage_params s1[2];   /* [0] = TTBR0 half, [1] = TTBR1 half */
    struct stage_params s2;
    uint64_t mair;
    bool wxn;
    bool ptw;                    /* HCR_EL2.PTW */
    uint16_t asid;               /* from the TTBR that TCR.A1 selects (8 bits unless AS) */
    uint16_t vmid;               /* VTTBR.VMID (8 bits unless VS) */
};

/**
 * regime_decode() - decode register values.
 * @regs: the registers.
 * @rg:   filled on success.
 * @err:  on a reserved encoding, names the register field, e.g. "TCR_EL1.TG0".
 * Return: SIM_OK or SIM_EINVAL.
 */
int regime_decode(const struct vmsa_regs *regs, struct regime *rg, struct sim_err *err);

#endif /* MMU_REGIME_H */

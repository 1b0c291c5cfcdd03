/*
 * mmu/vmsa.h - VMSAv8-64 architecture bits: descriptor fields, register
 * fields, granule geometry.  Names follow the Arm ARM field names; stage-1
 * and stage-2 fields are kept apart.  Sources: Arm ARM DDI 0487 D5/D8
 * (VMSAv8-64), summarised with citations in ../shared/ARM-VMSA.md sections 1-3.
 */
#ifndef MMU_VMSA_H
#define MMU_VMSA_H

#include "sim/base.h"

/* ---- Descriptors (64-bit, both stages) ---- */
#define VMSA_DESC_VALID        BIT64(0)           /* bit[0]: 0 = invalid */
#define VMSA_DESC_TABLE        BIT64(1)           /* bit[1]: 1 = table (L<3) / page (L3) */
#define VMSA_DESC_TYPE_MASK    GENMASK64(1, 0)
#define VMSA_DESC_TYPE_BLOCK   UINT64_C(1)        /* 0b01 */
#define VMSA_DESC_TYPE_TABLE   UINT64_C(3)        /* 0b11 (page at L3) */
#define VMSA_DESC_OA_HI        47                 /* OA bits [47:g] with a 48-bit OA */
#define VMSA_DESC_AF           BIT64(10)          /* AF */
#define VMSA_DESC_DBM          BIT64(51)          /* DBM */
#define VMSA_DESC_CONT         BIT64(52)          /* Contiguous */

/* Stage-1 leaf (block/page) attributes */
#define VMSA_S1_ATTRINDX_SHIFT 2                  /* AttrIndx[2:0] = bits [4:2] */
#define VMSA_S1_ATTRINDX_MASK  GENMASK64(4, 2)
#define VMSA_S1_NS             BIT64(5)           /* NS */
#define VMSA_S1_AP_EL0         BIT64(6)           /* AP[1]: EL0 access */
#define VMSA_S1_AP_RO          BIT64(7)           /* AP[2]: read-only */
#define VMSA_S1_SH_SHIFT       8                  /* SH[1:0] */
#define VMSA_S1_NG             BIT64(11)          /* nG: not global (ASID-tagged) */
#define VMSA_S1_PXN            BIT64(53)          /* PXN */
#define VMSA_S1_UXN            BIT64(54)          /* UXN */

/* Stage-1 table descriptor attributes (hierarchical limits) */
#define VMSA_S1_PXNTABLE       BIT64(59)          /* PXNTable */
#define VMSA_S1_UXNTABLE       BIT64(60)          /* UXNTable (XNTable) */
#define VMSA_S1_APTABLE_NOEL0  BIT64(61)          /* APTable[0]: no EL0 access below */
#define VMSA_S1_APTABLE_RO     BIT64(62)          /* APTable[1]: read-only below */
#define VMSA_S1_NSTABLE        BIT64(63)          /* NSTable */

/* Stage-2 leaf attributes */
#define VMSA_S2_MEMATTR_SHIFT  2                  /* MemAttr[3:0] = bits [5:2] */
#define VMSA_S2_MEMATTR_MASK   GENMASK64(5, 2)
#define VMSA_S2_S2AP_R         BIT64(6)           /* S2AP[0]: read */
#define VMSA_S2_S2AP_W         BIT64(7)           /* S2AP[1]: write */
#define VMSA_S2_SH_SHIFT       8
#define VMSA_S2_XN             BIT64(54)          /* XN (XN[1] with FEAT_XNX; bit 53 RES0 here) */

/* ---- Registers ---- */
#define VMSA_SCTLR_M           BIT64(0)           /* stage-1 MMU enable */
#define VMSA_SCTLR_WXN         BIT64(19)          /* write implies XN */

#define VMSA_TCR_T0SZ_SHIFT    0                  /* T0SZ [5:0] */
#define VMSA_TCR_EPD0          BIT64(7)
#define VMSA_TCR_TG0_SHIFT     14                 /* TG0 [15:14]: 00 4K, 01 64K, 10 16K */
#define VMSA_TCR_T1SZ_SHIFT    16                 /* T1SZ [21:16] */
#define VMSA_TCR_A1            BIT64(22)          /* ASID from TTBR1 */
#define VMSA_TCR_EPD1          BIT64(23)
#define VMSA_TCR_TG1_SHIFT     30                 /* TG1 [31:30]: 01 16K, 10 4K, 11 64K */
#define VMSA_TCR_IPS_SHIFT     32                 /* IPS [34:32] */
#define VMSA_TCR_AS            BIT64(36)          /* 16-bit ASID */
#define VMSA_TCR_TBI0          BIT64(37)
#define VMSA_TCR_TBI1          BIT64(38)
#define VMSA_TCR_HA            BIT64(39)          /* hardware AF update */
#define VMSA_TCR_HD            BIT64(40)          /* hardware dirty (DBM) update */
#define VMSA_TCR_HPD0          BIT64(41)          /* hierarchical permissions disabled */
#define VMSA_TCR_HPD1          BIT64(42)

#define VMSA_TCR_TG0_4K        0u
#define VMSA_TCR_TG0_64K       1u
#define VMSA_TCR_TG0_16K       2u
#define VMSA_TCR_TG1_16K       1u
#define VMSA_TCR_TG1_4K        2u
#define VMSA_TCR_TG1_64K       3u

#define VMSA_TTBR_ASID_SHIFT   48                 /* ASID [63:48] */
#define VMSA_TTBR_BADDR_MASK   GENMASK64(47, 1)   /* BADDR [47:1] */
#define VMSA_TTBR_CNP          BIT64(0)

#define VMSA_VTCR_T0SZ_SHIFT   0                  /* T0SZ [5:0] */
#define VMSA_VTCR_SL0_SHIFT    6                  /* SL0 [7:6] */
#define VMSA_VTCR_TG0_SHIFT    14                 /* TG0 [15:14], TCR TG0 encoding */
#define VMSA_VTCR_PS_SHIFT     16                 /* PS [18:16] */
#define VMSA_VTCR_VS           BIT64(19)          /* 16-bit VMID */
#define VMSA_VTCR_HA           BIT64(21)
#define VMSA_VTCR_HD           BIT64(22)

#define VMSA_HCR_VM            BIT64(0)           /* stage 2 enable */
#define VMSA_HCR_PTW           BIT64(2)           /* S1 walks to S2 Device memory fault */
#define VMSA_HCR_DC            BIT64(12)          /* default cacheability: S1 off, S2 on */
#define VMSA_HCR_TGE           BIT64(27)          /* EL1&0 stage 1 behaves as disabled */

#define VMSA_PA_BITS           48                 /* the modelled ID_AA64MMFR0_EL1.PARange */

/* IPS / PS encodings -> bits (7 is reserved, 6 = 52 bits capped to PARange). */
static inline int vmsa_ps_bits(unsigned enc)
{
    static const int8_t map[8] = { 32, 36, 40, 42, 44, 48, 52, -1 };
    return map[enc & 7];
}

/* ---- Granule geometry ---- */
/* stride = granule_shift - 3 = index bits resolved per level. */
static inline unsigned vmsa_stride(unsigned granule_shift)
{
    return granule_shift - 3;
}

/* log2 of the region mapped by one descriptor at `level` (L3 = the page). */
static inline unsigned vmsa_level_shift(unsigned granule_shift, int level)
{
    return granule_shift + (unsigned)(3 - level) * vmsa_stride(granule_shift);
}

/* Whether a block descriptor is legal at `level` (no DS, PARange < 52):
 * 4K: L1 (1G) and L2 (2M); 16K: L2 (32M); 64K: L2 (512M).  ARM-VMSA.md s1. */
static inline bool vmsa_block_allowed(unsigned granule_shift, int level)
{
    if (granule_shift == 12)
        return level == 1 || level == 2;
    return level == 2;
}

/* log2 of the contiguous-run size for a leaf at `level`, or 0 if none
 * (4K: L3 x16, L2 x16, L1 x16; 16K: L3 x128, L2 x32; 64K: L3 x32, L2 x32). */
static inline unsigned vmsa_cont_shift(unsigned granule_shift, int level)
{
    unsigned ls = vmsa_level_shift(granule_shift, level);
    switch (granule_shift) {
    case 12: return (level >= 1 && level <= 3) ? ls + 4 : 0;
    case 14: return level == 3 ? ls + 7 : level == 2 ? ls + 5 : 0;
    case 16: return (level == 3 || level == 2) ? ls + 5 : 0;
    }
    return 0;
}

#endif /* MMU_VMSA_H */

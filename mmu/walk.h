/*
 * mmu/walk.h - the functional VMSAv8-64 translation: stage-1 walk, stage-2
 * walk and the nested (2D) walk of the EL1&0 regime.
 *
 * The walker knows nothing about time, TLBs or caches.  It reads descriptor
 * values from struct pgmem and reports each descriptor fetch through
 * walk_hooks.fetch, so the timing side can charge it.  Optional hooks let the
 * MMU glue (sim/) put a stage-2 IPA cache in front of stage-2 walks and fill a
 * stage-1 walk cache with the table descriptors read; walk_start resumes a
 * stage-1 walk from a walk-cache hit.
 *
 * Translation faults are results (struct walk_fault), never errors.  Fault
 * types, stages, levels and S1PTW follow ARM-VMSA.md s5: per descriptor the
 * order is invalid -> Translation, OA too wide -> Address size, AF=0 without
 * HA -> Access flag, then Permission (AF and Permission at the leaf level).
 *
 * Not modelled: the hardware AF/DBM updates are checked (including the
 * stage-2 write permission they need) but not written back to memory;
 * FEAT_LPA/LPA2 (52-bit), FEAT_XNX, PAN, E0PD, Secure state, AArch32.
 */
#ifndef MMU_WALK_H
#define MMU_WALK_H

#include "mmu/pgmem.h"
#include "mmu/regime.h"

enum access_kind {
    ACC_READ = 0,
    ACC_WRITE = 1,
    ACC_EXEC = 2,
};

enum walk_fault_type {
    WF_NONE = 0,
    WF_TRANSLATION,
    WF_ACCESS_FLAG,
    WF_PERMISSION,
    WF_ADDRESS_SIZE,
};

#define WALK_LEVEL_NONE (-128)   /* s1_level / s2_level of a disabled stage */

struct walk_fault {
    uint8_t type;        /* enum walk_fault_type; WF_NONE on success */
    uint8_t stage;       /* 1 or 2 */
    int8_t level;        /* lookup level of the descriptor at fault (0 for setup faults) */
    bool s1ptw;          /* stage-2 fault while fetching a stage-1 descriptor */
    uint64_t ipa;        /* stage-2 faults: the IPA being translated */
};

/* Permission bits of a translation (both stages combined in walk_result). */
#define PERM_R0 0x01     /* EL0 read */
#define PERM_W0 0x02
#define PERM_X0 0x04
#define PERM_R1 0x08     /* EL1 read */
#define PERM_W1 0x10
#define PERM_X1 0x20
#define PERM_ALL 0x3f

/* A successful stage-2 leaf: what an IPA cache can hold. */
struct s2_leaf {
    uint64_t ia_base;    /* IPA aligned to 2^shift */
    uint64_t oa_base;    /* PA aligned to 2^shift */
    uint8_t shift;       /* log2 page/block size */
    uint8_t cont_shift;  /* log2 size including the contiguous run (== shift if none) */
    int8_t level;
    uint8_t perms;       /* PERM_* as stage 2 allows them (same for EL0 and EL1) */
    uint8_t memattr;     /* MemAttr[3:0] */
};

struct walk_result {
    uint64_t ipa, pa;
    int8_t s1_level, s2_level;   /* leaf levels, WALK_LEVEL_NONE for a disabled stage */
    uint8_t s1_shift, s2_shift;  /* leaf page/block size of each stage (0 = disabled) */
    uint8_t size_shift;          /* size a TLB may hold: min of the contiguous-widened sizes */
    uint8_t attr;                /* MAIR_EL1 byte selected by AttrIndx (0 if S1 off) */
    bool global;                 /* !nG (true if stage 1 is off) */
    uint8_t perms;               /* PERM_* of the combined translation */
    uint16_t refs;               /* descriptor fetches made */
    struct walk_fault fault;     /* type WF_NONE on success */
};

/* Table-attribute limits accumulated down a stage-1 walk (APTable, XNTable). */
#define TATTR_NOEL0 0x1          /* APTable[0] */
#define TATTR_RO    0x2          /* APTable[1] */
#define TATTR_UXN   0x4          /* UXNTable */
#define TATTR_PXN   0x8          /* PXNTable */

struct walk_hooks {
    void *ctx;
    /* Each descriptor read, in order (stage 1 or 2, lookup level, PA). */
    void (*fetch)(void *ctx, uint64_t pa, uint8_t stage, int8_t level);
    /* Stage-2 translation cache: true + *leaf on a hit (no fetches made). */
    bool (*s2_lookup)(void *ctx, uint64_t ipa, struct s2_leaf *leaf);
    /* A stage-2 walk produced *leaf (AF and address checks passed). */
    void (*s2_fill)(void *ctx, const struct s2_leaf *leaf);
    /* A stage-1 table descriptor at `level` covering VA region va >> shift
     * points at the next table, whose IPA is next_ipa; tattrs = the limits
     * accumulated including this descriptor. */
    void (*s1_table)(void *ctx, int8_t level, uint8_t shift, uint64_t va, uint64_t next_ipa,
                     uint8_t tattrs);
};

/* Resume point of a stage-1 walk after a walk-cache hit. */
struct walk_start {
    int8_t level;        /* level of the table to read next */
    uint64_t table_ipa;  /* its base (an IPA when stage 2 is on) */
    uint8_t tattrs;      /* limits accumulated above it */
};

/**
 * walk_translate() - translate @va for @acc at exception level @el (0 or 1).
 * @hooks: may be NULL; any hook pointer may be NULL.
 * @start: NULL for a full walk, else a walk-cache resume point.
 * @out:   always filled; out->fault.type says whether a PA was produced.
 * Return: true when a PA was produced.
 */
bool walk_translate(const struct pgmem *m, const struct regime *rg, uint64_t va,
                    enum access_kind acc, int el, const struct walk_hooks *hooks,
                    const struct walk_start *start, struct walk_result *out);

/* Stage-1 half (0 = TTBR0, 1 = TTBR1) selected by @va: VA bit 55. */
static inline int walk_s1_half(uint64_t va)
{
    return (int)((va >> 55) & 1);
}

const char *walk_fault_name(unsigned type);

#endif /* MMU_WALK_H */

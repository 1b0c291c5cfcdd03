/*
 * mmu/ptb.h - page-table builder: writes real VMSAv8-64 descriptors into
 * struct pgmem so that the walker can read them.  Used by the OS/hypervisor
 * model, by `mmusim translate` "mappings", and by tests.
 *
 * One struct ptb describes one stage's tables: granule, start level, root
 * index bits (concatenated stage-2 roots included) and root address.  Table
 * addresses are in the stage's table address space (IPA for stage 1 under
 * stage 2): the to_pa callback turns them into PAs for the writes, and the
 * alloc callback provides new zeroed tables.
 */
#ifndef MMU_PTB_H
#define MMU_PTB_H

#include "mmu/pgmem.h"

struct ptb {
    struct pgmem *mem;
    uint8_t granule_shift;      /* 12, 14, 16 */
    int8_t start_level;
    uint8_t root_bits;          /* index bits of the root table */
    uint8_t stage;              /* 1 or 2 (only for messages) */
    uint64_t root;              /* root table address (table space) */
    void *ctx;
    /* New table of 2^granule_shift zero bytes; its table-space address in *addr. */
    int (*alloc)(void *ctx, unsigned granule_shift, uint64_t *addr, struct sim_err *err);
    /* Table-space address -> PA; NULL means identity. */
    int (*to_pa)(void *ctx, uint64_t addr, uint64_t *pa, struct sim_err *err);
    /* Optional: told the PA of every descriptor written (a store by the OS). */
    void (*wrote)(void *ctx, uint64_t pa);
};

/**
 * ptb_map() - map [ia, ia + 2^size_shift) to oa with one leaf (page or block)
 * or, when @cont and size_shift is the contiguous-run size of a leaf level, a
 * whole run of leaves with the Contiguous bit.
 * @attrs: leaf attribute bits (AP, UXN, AF, nG, AttrIndx, S2AP, MemAttr, ...)
 *         ORed into each leaf; type bits and OA are set by the builder.
 * Errors (SIM_EINVAL): illegal size for the granule, misaligned ia/oa, an
 * existing leaf in the way.  The tables written before an error stay.
 */
int ptb_map(struct ptb *b, uint64_t ia, uint64_t oa, unsigned size_shift, uint64_t attrs,
            bool cont, struct sim_err *err);

/**
 * ptb_leaf_level() - level whose leaves are 2^size_shift bytes, or -1.
 * Blocks only at the levels the granule allows (ARM-VMSA.md s1).
 */
int ptb_leaf_level(unsigned granule_shift, unsigned size_shift);

/**
 * ptb_can_map() - whether a leaf of 2^size_shift bytes at @ia would fit: no
 * leaf above it and nothing (table or leaf) in its slot.  Allocates nothing.
 */
bool ptb_can_map(struct ptb *b, uint64_t ia, unsigned size_shift);

/* Make the leaf covering @ia invalid (break-before-make step 1); SIM_OK if none. */
int ptb_unmap(struct ptb *b, uint64_t ia, struct sim_err *err);

#endif /* MMU_PTB_H */

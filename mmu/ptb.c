/*
 * mmu/ptb.c - page-table builder (see ptb.h).
 */
#include "mmu/ptb.h"

#include "mmu/vmsa.h"

int ptb_leaf_level(unsigned granule_shift, unsigned size_shift)
{
    for (int level = 3; level >= 0; level--) {
        if (vmsa_level_shift(granule_shift, level) != size_shift)
            continue;
        if (level == 3 || vmsa_block_allowed(granule_shift, level))
            return level;
        return -1;
    }
    return -1;
}

static int tbl_pa(struct ptb *b, uint64_t addr, uint64_t *pa, struct sim_err *err)
{
    if (!b->to_pa) {
        *pa = addr;
        return SIM_OK;
    }
    return b->to_pa(b->ctx, addr, pa, err);
}

static uint64_t index_at(const struct ptb *b, int level, uint64_t ia)
{
    unsigned lo = vmsa_level_shift(b->granule_shift, level);
    unsigned nbits = level == b->start_level ? b->root_bits : b->granule_shift - 3;
    return (ia >> lo) & ((UINT64_C(1) << nbits) - 1);
}

/* Walk (allocating tables) down to @leaf_level; *slot_addr = table-space address of the entry. */
static int descend(struct ptb *b, uint64_t ia, int leaf_level, uint64_t *slot_addr,
                   struct sim_err *err)
{
    uint64_t table = b->root;
    unsigned g = b->granule_shift;
    int rc;

    for (int level = b->start_level;; level++) {
        uint64_t slot = table + 8 * index_at(b, level, ia);
        if (level == leaf_level) {
            *slot_addr = slot;
            return SIM_OK;
        }
        uint64_t pa = 0;
        if ((rc = tbl_pa(b, slot, &pa, err)) < 0)
            return rc;
        uint64_t desc = pgmem_read(b->mem, pa);
        if ((desc & VMSA_DESC_TYPE_MASK) == VMSA_DESC_TYPE_TABLE) {
            table = desc & GENMASK64(VMSA_DESC_OA_HI, g);
            continue;
        }
        if (desc & VMSA_DESC_VALID)
            return sim_err_set(err, SIM_EINVAL,
                               "stage %u: 0x%" PRIx64 " is already mapped by a level-%d block",
                               b->stage, ia, level);
        uint64_t next;
        if ((rc = b->alloc(b->ctx, g, &next, err)) < 0)
            return rc;
        if (next & ((UINT64_C(1) << g) - 1))
            return sim_err_set(err, SIM_EINVAL, "stage %u: table 0x%" PRIx64 " not granule aligned",
                               b->stage, next);
        if ((rc = pgmem_write(b->mem, pa, next | VMSA_DESC_TYPE_TABLE)) < 0)
            return sim_err_set(err, rc, "out of memory writing a descriptor");
        if (b->wrote)
            b->wrote(b->ctx, pa);
        table = next;
    }
}

int ptb_map(struct ptb *b, uint64_t ia, uint64_t oa, unsigned size_shift, uint64_t attrs,
            bool cont, struct sim_err *err)
{
    unsigned g = b->granule_shift;
    int level = -1;
    unsigned leaf_shift = size_shift;
    uint64_t count = 1;
    int rc;

    if (cont) {
        for (int l = 1; l <= 3; l++) {
            if ((l == 3 || vmsa_block_allowed(g, l)) && vmsa_cont_shift(g, l) == size_shift) {
                level = l;
                leaf_shift = vmsa_level_shift(g, l);
                count = UINT64_C(1) << (size_shift - leaf_shift);
            }
        }
    } else {
        level = ptb_leaf_level(g, size_shift);
    }
    if (level < 0)
        return sim_err_set(err, SIM_EINVAL, "stage %u: size 2^%u is not a %s size of the %uK granule",
                           b->stage, size_shift, cont ? "contiguous-run" : "page or block",
                           (1u << g) >> 10);
    if (level < b->start_level)
        return sim_err_set(err, SIM_EINVAL, "stage %u: size 2^%u is above the start level %d",
                           b->stage, size_shift, b->start_level);
    uint64_t mask = (UINT64_C(1) << size_shift) - 1;
    if ((ia & mask) || (oa & mask))
        return sim_err_set(err, SIM_EINVAL,
                           "stage %u: 0x%" PRIx64 " -> 0x%" PRIx64 " not aligned to 2^%u",
                           b->stage, ia, oa, size_shift);

    uint64_t type = level == 3 ? VMSA_DESC_TYPE_TABLE : VMSA_DESC_TYPE_BLOCK;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t step = i << leaf_shift;
        uint64_t slot = 0, pa = 0;
        if ((rc = descend(b, ia + step, level, &slot, err)) < 0)
            return rc;
        if ((rc = tbl_pa(b, slot, &pa, err)) < 0)
            return rc;
        uint64_t old = pgmem_read(b->mem, pa);
        if (old & VMSA_DESC_VALID)
            return sim_err_set(err, SIM_EINVAL, "stage %u: 0x%" PRIx64 " is already mapped at level %d",
                               b->stage, ia + step, level);
        uint64_t desc = ((oa + step) & GENMASK64(VMSA_DESC_OA_HI, leaf_shift)) | attrs | type |
                        (cont ? VMSA_DESC_CONT : 0);
        if ((rc = pgmem_write(b->mem, pa, desc)) < 0)
            return sim_err_set(err, rc, "out of memory writing a descriptor");
        if (b->wrote)
            b->wrote(b->ctx, pa);
    }
    return SIM_OK;
}

int ptb_unmap(struct ptb *b, uint64_t ia, struct sim_err *err)
{
    uint64_t table = b->root;
    unsigned g = b->granule_shift;
    int rc;

    for (int level = b->start_level; level <= 3; level++) {
        uint64_t slot = table + 8 * index_at(b, level, ia), pa;
        if ((rc = tbl_pa(b, slot, &pa, err)) < 0)
            return rc;
        uint64_t desc = pgmem_read(b->mem, pa);
        if (!(desc & VMSA_DESC_VALID))
            return SIM_OK;
        if (level < 3 && (desc & VMSA_DESC_TYPE_MASK) == VMSA_DESC_TYPE_TABLE) {
            table = desc & GENMASK64(VMSA_DESC_OA_HI, g);
            continue;
        }
        if ((rc = pgmem_write(b->mem, pa, 0)) < 0)
            return sim_err_set(err, rc, "out of memory writing a descriptor");
        if (b->wrote)
            b->wrote(b->ctx, pa);
        return SIM_OK;
    }
    return SIM_OK;
}

bool ptb_can_map(struct ptb *b, uint64_t ia, unsigned size_shift)
{
    int leaf_level = ptb_leaf_level(b->granule_shift, size_shift);
    uint64_t table = b->root;
    struct sim_err err;

    if (leaf_level < b->start_level)
        return false;
    for (int level = b->start_level;; level++) {
        uint64_t pa = 0;
        if (tbl_pa(b, table + 8 * index_at(b, level, ia), &pa, &err) < 0)
            return false;
        uint64_t desc = pgmem_read(b->mem, pa);
        if (level == leaf_level)
            return !(desc & VMSA_DESC_VALID);
        if (!(desc & VMSA_DESC_VALID))
            return true;            /* tables below do not exist yet */
        if ((desc & VMSA_DESC_TYPE_MASK) != VMSA_DESC_TYPE_TABLE)
            return false;           /* a block above */
        table = desc & GENMASK64(VMSA_DESC_OA_HI, b->granule_shift);
    }
}

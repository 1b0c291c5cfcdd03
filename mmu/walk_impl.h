/*
 * mmu/walk_impl.h - the body of the walker (walk.h), as a template.
 *
 * mmu/walk.c instantiates it with hook calls through struct walk_hooks, which
 * is walk_translate().  A caller whose hooks are fixed at build time (the
 * timing engine, whose walks are the hot path of a run) includes it with its
 * own definitions, so that the compiler sees the hooks and inlines them:
 *
 *   WALK_FETCH(ws, pa, stage, level)        a descriptor read (walk_hooks.fetch)
 *   WALK_S2_LOOKUP(ws, ipa, leaf)           IPA cache look-up, true on a hit
 *   WALK_S2_FILL(ws, leaf)                  a stage-2 walk's result
 *   WALK_S1_TABLE(ws, level, shift, va, next_ipa, tattrs)
 *                                           a stage-1 table descriptor read
 *
 * where ws is the struct walk_state of the walk (ws->ctx: the caller's context).
 * Each expands to what the walk_hooks member of the same name does; the walks
 * are the same code either way.
 */
#ifndef MMU_WALK_IMPL_H
#define MMU_WALK_IMPL_H

#include "mmu/walk.h"

#include "mmu/vmsa.h"

#if !defined(WALK_FETCH) || !defined(WALK_S2_LOOKUP) || !defined(WALK_S2_FILL) || \
    !defined(WALK_S1_TABLE)
#error "define the WALK_* hook macros before including mmu/walk_impl.h"
#endif

/* Per-walk state shared by the helpers. */
struct walk_state {
    const struct pgmem *mem;
    const struct regime *rg;
    const struct walk_hooks *hooks;
    void *ctx;                 /* the hooks' context */
    struct walk_result *out;
};

static inline bool set_fault(struct walk_state *ws, enum walk_fault_type t, int stage, int level,
                             bool s1ptw, uint64_t ipa)
{
    struct walk_fault *f = &ws->out->fault;
    f->type = (uint8_t)t;
    f->stage = (uint8_t)stage;
    f->level = (int8_t)level;
    f->s1ptw = s1ptw;
    f->ipa = stage == 2 ? ipa : 0;
    return false;
}

static inline uint64_t fetch(struct walk_state *ws, uint64_t pa, int stage, int level)
{
    /* find the word first and start its host load, so that it overlaps the hook's
     * own work (the cache model) instead of following it */
    const uint64_t *w = pgmem_word(ws->mem, pa);
    if (w)
        __builtin_prefetch(w);
    ws->out->refs++;
    WALK_FETCH(ws, pa, (uint8_t)stage, (int8_t)level);
    return w ? *w : 0;
}

/* Index of @ia into the table at @level. */
static inline uint64_t table_index(const struct stage_params *sp, int level, uint64_t ia)
{
    return (ia >> sp->level_shift[level]) & sp->index_mask[level];
}

/* Address-size and alignment check of a root table base (fault at level 0). */
static inline bool root_ok(const struct stage_params *sp, uint64_t base)
{
    uint64_t table_bytes = UINT64_C(8) << sp->root_bits;
    if (base >> sp->out_bits)
        return false;
    return (base & (table_bytes - 1) & ~VMSA_TTBR_CNP) == 0;
}


/*
 * Stage-2 walk of @ipa (no permission check).  s1ptw/fault-ipa describe how a
 * fault is reported.  On success fills *leaf.
 */
static inline __attribute__((always_inline)) bool s2_walk(struct walk_state *ws, uint64_t ipa,
                                                          bool s1ptw, struct s2_leaf *leaf)
{
    const struct stage_params *sp = &ws->rg->s2;
    if (!sp->usable)
        return set_fault(ws, sp->setup_fault, 2, 0, s1ptw, ipa);
    if (ipa >> sp->in_bits)
        return set_fault(ws, WF_TRANSLATION, 2, 0, s1ptw, ipa);
    if (WALK_S2_LOOKUP(ws, ipa, leaf))
        return true;
    if (!root_ok(sp, sp->root))
        return set_fault(ws, WF_ADDRESS_SIZE, 2, 0, s1ptw, ipa);

    uint64_t table = sp->root;
    unsigned g = sp->granule_shift;
    for (int level = sp->start_level; level <= 3; level++) {
        uint64_t desc = fetch(ws, table + 8 * table_index(sp, level, ipa), 2, level);
        uint64_t type = desc & VMSA_DESC_TYPE_MASK;
        bool leaf_desc;

        if (!(desc & VMSA_DESC_VALID))
            return set_fault(ws, WF_TRANSLATION, 2, level, s1ptw, ipa);
        if (level < 3 && type == VMSA_DESC_TYPE_TABLE) {
            leaf_desc = false;
        } else if ((level == 3 && type == VMSA_DESC_TYPE_TABLE) ||
                   (level < 3 && vmsa_block_allowed(g, level))) {
            leaf_desc = true;
        } else {
            return set_fault(ws, WF_TRANSLATION, 2, level, s1ptw, ipa);
        }
        unsigned ls = sp->level_shift[level];
        uint64_t oa = desc & (leaf_desc ? sp->leaf_oa_mask[level] : sp->table_oa_mask);
        if (oa >> sp->out_bits)
            return set_fault(ws, WF_ADDRESS_SIZE, 2, level, s1ptw, ipa);
        if (!leaf_desc) {
            table = oa;
            continue;
        }
        if (!(desc & VMSA_DESC_AF) && !sp->ha)
            return set_fault(ws, WF_ACCESS_FLAG, 2, level, s1ptw, ipa);

        leaf->ia_base = ipa & ~((UINT64_C(1) << ls) - 1);
        leaf->oa_base = oa;
        leaf->shift = (uint8_t)ls;
        leaf->cont_shift = (uint8_t)((desc & VMSA_DESC_CONT) ? vmsa_cont_shift(g, level) : ls);
        leaf->level = (int8_t)level;
        leaf->memattr = (uint8_t)bits_get(desc, 5, 2);
        uint8_t p = 0;
        if (desc & VMSA_S2_S2AP_R)
            p |= PERM_R0 | PERM_R1;
        if ((desc & VMSA_S2_S2AP_W) || ((desc & VMSA_DESC_DBM) && sp->hd))
            p |= PERM_W0 | PERM_W1;
        if (!(desc & VMSA_S2_XN))
            p |= PERM_X0 | PERM_X1;
        leaf->perms = p;
        WALK_S2_FILL(ws, leaf);
        return true;
    }
    return set_fault(ws, WF_TRANSLATION, 2, 3, s1ptw, ipa);   /* not reached */
}

static inline uint8_t perm_bit(enum access_kind acc, int el)
{
    static const uint8_t bits[2][3] = {
        { PERM_R0, PERM_W0, PERM_X0 },
        { PERM_R1, PERM_W1, PERM_X1 },
    };
    return bits[el ? 1 : 0][acc];
}

/* Stage-1 permissions of a leaf under the accumulated table limits (ARM-VMSA.md s2). */
static uint8_t s1_perms(const struct regime *rg, const struct stage_params *sp, uint64_t desc,
                        uint8_t tattrs)
{
    bool ap1 = (desc & VMSA_S1_AP_EL0) && !(tattrs & TATTR_NOEL0);   /* EL0 access */
    bool ro_table = (tattrs & TATTR_RO) != 0;
    bool ro_desc = (desc & VMSA_S1_AP_RO) != 0;
    bool dbm = (desc & VMSA_DESC_DBM) && sp->hd;
    bool uxn = (desc & VMSA_S1_UXN) || (tattrs & TATTR_UXN);
    bool pxn = (desc & VMSA_S1_PXN) || (tattrs & TATTR_PXN);
    /* As stored: what the exec rules look at (no DBM update) */
    bool w1_stored = !ro_table && !ro_desc;
    bool w0_stored = ap1 && w1_stored;
    /* Writes may also be allowed through a hardware DBM update */
    bool w1 = !ro_table && (!ro_desc || dbm);
    bool w0 = ap1 && w1;
    uint8_t p = PERM_R1;

    if (ap1)
        p |= PERM_R0;
    if (w0)
        p |= PERM_W0;
    if (w1)
        p |= PERM_W1;
    if (!uxn && !(rg->wxn && w0_stored))
        p |= PERM_X0;
    /* EL0-writable memory is never privileged-executable */
    if (!pxn && !w0_stored && !(rg->wxn && w1_stored))
        p |= PERM_X1;
    return p;
}

/* Stage-2 translation of an IPA including the access check. */
static inline __attribute__((always_inline)) bool
s2_translate(struct walk_state *ws, uint64_t ipa, enum access_kind acc, int el, bool s1ptw,
             struct s2_leaf *leaf)
{
    if (!s2_walk(ws, ipa, s1ptw, leaf))
        return false;
    if (!(leaf->perms & perm_bit(acc, el)))
        return set_fault(ws, WF_PERMISSION, 2, leaf->level, s1ptw, ipa);
    /* HCR_EL2.PTW: a stage-1 walk that lands on stage-2 Device memory */
    if (s1ptw && ws->rg->ptw && (leaf->memattr & 0xc) == 0)
        return set_fault(ws, WF_PERMISSION, 2, leaf->level, true, ipa);
    return true;
}

static inline uint64_t leaf_pa(const struct s2_leaf *l, uint64_t ipa)
{
    return l->oa_base | (ipa & ((UINT64_C(1) << l->shift) - 1));
}

static inline __attribute__((always_inline)) bool
walk_translate_impl(const struct pgmem *m, const struct regime *rg, uint64_t va,
                    enum access_kind acc, int el, const struct walk_hooks *hooks, void *ctx,
                    const struct walk_start *start, struct walk_result *out)
{
    struct walk_state ws = { m, rg, hooks, ctx, out };
    struct s2_leaf s2l;
    uint64_t ipa;
    unsigned s1_size = 64, s2_size = 64;

    *out = (struct walk_result){ 0 };
    out->s1_level = WALK_LEVEL_NONE;
    out->s2_level = WALK_LEVEL_NONE;
    out->global = true;
    out->perms = PERM_ALL;

    if (!rg->s1_enabled) {
        /* Flat VA -> IPA; the VA must fit the PA size */
        if (va >> VMSA_PA_BITS)
            return set_fault(&ws, WF_ADDRESS_SIZE, 1, 0, false, 0);
        ipa = va;
    } else {
        int half = walk_s1_half(va);
        const struct stage_params *sp = &rg->s1[half];
        unsigned g = sp->granule_shift;

        if (!sp->usable)
            return set_fault(&ws, sp->setup_fault, 1, 0, false, 0);
        /* The bits above the VA size must all equal bit 55 (TBI: up to bit 55) */
        unsigned hi = sp->tbi ? 55 : 63;
        uint64_t top = bits_get(va, hi, sp->in_bits);
        uint64_t ones = GENMASK64(hi - sp->in_bits, 0);
        if (top != (half ? ones : 0))
            return set_fault(&ws, WF_TRANSLATION, 1, 0, false, 0);

        uint64_t table;
        uint8_t tattrs;
        int level;
        if (start) {
            table = start->table_ipa;
            tattrs = start->tattrs;
            level = start->level;
        } else {
            if (!root_ok(sp, sp->root))
                return set_fault(&ws, WF_ADDRESS_SIZE, 1, 0, false, 0);
            table = sp->root;
            tattrs = 0;
            level = sp->start_level;
        }

        for (;; level++) {
            uint64_t desc_ipa = table + 8 * table_index(sp, level, va);
            uint64_t desc_pa = desc_ipa;
            bool desc_s2_w = true;
            int8_t desc_s2_level = 0;
            if (rg->s2_enabled) {
                if (!s2_translate(&ws, desc_ipa, ACC_READ, 1, true, &s2l))
                    return false;
                desc_pa = leaf_pa(&s2l, desc_ipa);
                desc_s2_w = (s2l.perms & PERM_W1) != 0;
                desc_s2_level = s2l.level;
            }
            uint64_t desc = fetch(&ws, desc_pa, 1, level);
            uint64_t type = desc & VMSA_DESC_TYPE_MASK;
            bool leaf_desc;

            if (!(desc & VMSA_DESC_VALID))
                return set_fault(&ws, WF_TRANSLATION, 1, level, false, 0);
            if (level < 3 && type == VMSA_DESC_TYPE_TABLE)
                leaf_desc = false;
            else if ((level == 3 && type == VMSA_DESC_TYPE_TABLE) ||
                     (level < 3 && vmsa_block_allowed(g, level)))
                leaf_desc = true;
            else
                return set_fault(&ws, WF_TRANSLATION, 1, level, false, 0);

            unsigned ls = sp->level_shift[level];
            uint64_t oa = desc & (leaf_desc ? sp->leaf_oa_mask[level] : sp->table_oa_mask);
            if (oa >> sp->out_bits)
                return set_fault(&ws, WF_ADDRESS_SIZE, 1, level, false, 0);

            if (!leaf_desc) {
                if (!sp->hpd) {
                    if (desc & VMSA_S1_APTABLE_NOEL0)
                        tattrs |= TATTR_NOEL0;
                    if (desc & VMSA_S1_APTABLE_RO)
                        tattrs |= TATTR_RO;
                    if (desc & VMSA_S1_UXNTABLE)
                        tattrs |= TATTR_UXN;
                    if (desc & VMSA_S1_PXNTABLE)
                        tattrs |= TATTR_PXN;
                }
                WALK_S1_TABLE(&ws, (int8_t)level, (uint8_t)ls, va, oa, tattrs);
                table = oa;
                continue;
            }

            /* Leaf: Access flag, then Permission, both at the leaf level */
            bool af = (desc & VMSA_DESC_AF) != 0;
            if (!af && !sp->ha)
                return set_fault(&ws, WF_ACCESS_FLAG, 1, level, false, 0);
            uint8_t p = s1_perms(rg, sp, desc, tattrs);
            if (!(p & perm_bit(acc, el)))
                return set_fault(&ws, WF_PERMISSION, 1, level, false, 0);
            /* A hardware update of the descriptor (AF, or DBM making it
             * writable) is a stage-2 write of the descriptor's IPA. */
            bool dbm_update = acc == ACC_WRITE && (desc & VMSA_S1_AP_RO);
            if ((!af || dbm_update) && rg->s2_enabled && !desc_s2_w)
                return set_fault(&ws, WF_PERMISSION, 2, desc_s2_level, true, desc_ipa);

            out->s1_level = (int8_t)level;
            out->s1_shift = (uint8_t)ls;
            s1_size = (desc & VMSA_DESC_CONT) ? vmsa_cont_shift(g, level) : ls;
            out->attr = (uint8_t)(rg->mair >> (8 * bits_get(desc, 4, 2)));
            out->global = !(desc & VMSA_S1_NG);
            out->perms = p;
            ipa = oa | (va & ((UINT64_C(1) << ls) - 1));
            break;
        }
    }

    out->ipa = ipa;
    if (rg->s2_enabled) {
        if (!s2_translate(&ws, ipa, acc, el, false, &s2l))
            return false;
        out->pa = leaf_pa(&s2l, ipa);
        out->s2_level = s2l.level;
        out->s2_shift = s2l.shift;
        s2_size = s2l.cont_shift;
        out->perms &= s2l.perms;
    } else {
        out->pa = ipa;
    }
    unsigned size = s1_size < s2_size ? s1_size : s2_size;
    out->size_shift = (uint8_t)(size == 64 ? 12 : size);
    return true;
}

#endif /* MMU_WALK_IMPL_H */

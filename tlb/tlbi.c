/*
 * tlb/tlbi.c - scope of each TLBI kind (table in tlbi.h, ARM-VMSA.md s.6).
 */
#include "tlb/tlbi.h"

static inline bool covers(uint64_t addr, uint64_t vpn, uint8_t shift)
{
    return (addr >> shift) == vpn;
}

bool tlbi_match_tlb(const struct tlbi *op, enum tlb_role role, uint16_t vmid, uint16_t asid,
                    bool global, uint64_t vpn, uint8_t shift)
{
    if (op->kind == TLBI_ALLE1)
        return true;
    if (vmid != op->vmid)
        return false;               /* every other EL1&0 op is scoped to the current VMID */
    if (role == TLB_ROLE_S2) {
        switch (op->kind) {
        case TLBI_IPAS2E1:
        case TLBI_IPAS2LE1:         /* the entry is a last-level S2 translation */
            return covers(op->addr, vpn, shift);
        case TLBI_VMALLS12E1:
            return true;
        default:
            return false;           /* stage-1 ops leave stage-2-only entries */
        }
    }
    switch (op->kind) {
    case TLBI_VMALLE1:
    case TLBI_VMALLS12E1:
        return true;
    case TLBI_VAE1:
    case TLBI_VALE1:
        return covers(op->addr, vpn, shift) && (global || asid == op->asid);
    case TLBI_ASIDE1:
        return !global && asid == op->asid;
    case TLBI_VAAE1:
    case TLBI_VAALE1:
        return covers(op->addr, vpn, shift);
    case TLBI_IPAS2E1:
    case TLBI_IPAS2LE1:             /* combined S1+S2 entries are not removed: needs VMALLE1 */
    default:
        return false;
    }
}

bool tlbi_match_pwc(const struct tlbi *op, uint16_t vmid, uint16_t asid, uint64_t tag,
                    uint8_t shift)
{
    if (op->kind == TLBI_ALLE1)
        return true;
    if (vmid != op->vmid)
        return false;
    switch (op->kind) {
    case TLBI_VMALLE1:
    case TLBI_VMALLS12E1:
        return true;
    case TLBI_VAE1:
        return asid == op->asid && covers(op->addr, tag, shift);
    case TLBI_ASIDE1:
        return asid == op->asid;
    case TLBI_VAAE1:
        return covers(op->addr, tag, shift);
    case TLBI_VALE1:                /* last level only: cached table entries may remain */
    case TLBI_VAALE1:
    case TLBI_IPAS2E1:
    case TLBI_IPAS2LE1:
    default:
        return false;
    }
}

/*
 * tlb/tlbi.h - TLB maintenance requests and their exact scope, one match
 * predicate per kind of cached object (ARM-VMSA.md section 6, EL1&0 forms;
 * IS/OS broadcast variants behave identically on a single PE).
 *
 * Objects and what removes them:
 *
 *   op           leaf/combined TLB entry   IPA cache (S2-only)   S1 walk cache
 *   VMALLE1      all of vmid               -                     all of vmid
 *   VAE1         vmid, covers addr,        -                     vmid+asid, region
 *                asid match or global                            contains addr
 *   VALE1        as VAE1                   -                     - (last level only)
 *   ASIDE1       vmid+asid, non-global     -                     vmid+asid
 *   VAAE1        vmid, covers addr         -                     vmid, contains addr
 *   VAALE1       vmid, covers addr         -                     - (last level only)
 *   IPAS2E1/LE1  - (combined entries stay) vmid, covers IPA      -
 *   VMALLS12E1   all of vmid               all of vmid           all of vmid
 *   ALLE1        all                       all                   all
 *
 * Walk-cache entries carry no nG bit (it exists only in leaf descriptors), so
 * they are tagged with VMID+ASID: the conservative model of section 6.
 * Not modelled: FEAT_TTL level hints, FEAT_TLBIRANGE, EL2 regimes, 8-bit
 * ASID/VMID truncation (callers pass the already-truncated tags).
 */
#ifndef TLB_TLBI_H
#define TLB_TLBI_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/event.h"

/* What a struct tlb holds, which decides the TLBI ops that touch it. */
enum tlb_role {
    TLB_ROLE_LEAF = 0,   /* VA -> PA leaf entries (combined S1+S2, or S1 only when native) */
    TLB_ROLE_S2 = 1,     /* stage-2-only IPA -> PA entries (the IPA cache), no ASID */
};

struct tlbi {
    enum tlbi_kind kind;   /* the operation */
    uint16_t vmid;         /* the current VMID (VTTBR_EL2.VMID) */
    uint16_t asid;         /* operand ASID (Xt[63:48]) for VAE1/VALE1/ASIDE1 */
    uint64_t addr;         /* operand VA, or IPA for IPAS2E1/IPAS2LE1 (byte address) */
};

/**
 * tlbi_match_tlb() - does @op remove this TLB entry?
 * @role:   what the TLB holds.
 * @vmid, @asid, @global: the entry's tags (@asid ignored when @global).
 * @vpn, @shift: the entry covers [vpn << shift, (vpn + 1) << shift).
 */
bool tlbi_match_tlb(const struct tlbi *op, enum tlb_role role, uint16_t vmid, uint16_t asid,
                    bool global, uint64_t vpn, uint8_t shift);

/**
 * tlbi_match_pwc() - does @op remove this stage-1 walk-cache entry?
 * The entry's region is [tag << shift, (tag + 1) << shift).
 */
bool tlbi_match_pwc(const struct tlbi *op, uint16_t vmid, uint16_t asid, uint64_t tag,
                    uint8_t shift);

#endif /* TLB_TLBI_H */

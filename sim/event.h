/*
 * sim/event.h - the engine's event vocabulary, shared by traces/ (which
 * produce events), tlb/ (which applies TLB maintenance) and sim/engine.
 *
 * A trace is a stream of struct trace_rec.  Accesses carry the VMID and ASID
 * they run under, so a reader that knows about processes (drmemtrace PIDs,
 * cloudsuite ASIDs, the native format) tags them; readers of formats without
 * such information use 0/0.  Context and VM switches are also delivered as
 * events of their own so that they can be counted.
 *
 * TLB maintenance follows ARM-VMSA.md section 6 (EL1&0 forms; the IS/OS
 * broadcast variants behave identically on a single PE).
 */
#ifndef SIM_EVENT_H
#define SIM_EVENT_H

#include <stdint.h>

enum trace_kind {
    TR_LOAD = 0,        /* data read of `size` bytes at `va` */
    TR_STORE = 1,       /* data write */
    TR_IFETCH = 2,      /* instruction fetch; each one is one instruction */
    TR_CTX_SWITCH = 3,  /* the running process becomes `asid` (same VM) */
    TR_VM_SWITCH = 4,   /* the running VM becomes `vmid` (process `asid`) */
    TR_TLBI = 5,        /* TLB maintenance `tlbi` with operand `va` and `asid` */
    TR_KIND_COUNT
};

enum tlbi_kind {
    TLBI_VMALLE1 = 0,   /* all stage-1 entries (all ASIDs, global too) of the current VMID */
    TLBI_VAE1,          /* VA + (ASID or global), current VMID, all levels (walk cache too) */
    TLBI_VALE1,         /* as VAE1, last level only: walk-cache entries may remain */
    TLBI_ASIDE1,        /* non-global entries of ASID, current VMID */
    TLBI_VAAE1,         /* VA, any ASID, current VMID, all levels */
    TLBI_VAALE1,        /* VA, any ASID, current VMID, last level */
    TLBI_IPAS2E1,       /* stage-2-only entries for IPA `va`, current VMID, all levels */
    TLBI_IPAS2LE1,      /* as IPAS2E1, last level only */
    TLBI_VMALLS12E1,    /* every S1 and S2 entry of the current VMID */
    TLBI_ALLE1,         /* every EL1&0 entry of every VMID */
    TLBI_KIND_COUNT
};

struct trace_rec {
    uint8_t kind;       /* enum trace_kind */
    uint8_t tlbi;       /* enum tlbi_kind when kind == TR_TLBI */
    uint16_t vmid;      /* VM that runs the access (or the new VM on TR_VM_SWITCH) */
    uint16_t asid;      /* process of the access, new ASID on a switch, TLBI operand ASID */
    uint16_t _pad;
    uint32_t size;      /* bytes accessed (accesses); 0 otherwise */
    uint64_t va;        /* VA of the access; TLBI operand address (VA, or IPA for IPAS2*) */
};

/* Printable name of a TLBI operation ("vae1", ...). */
const char *tlbi_kind_name(unsigned kind);

#endif /* SIM_EVENT_H */

/*
 * sim/os.h - the guest-kernel and hypervisor model: builds real page tables
 * on first touch.
 *
 * Each VM (VMID) has a guest-physical allocator and, when virtualized, its
 * stage-2 tables; each process (VMID, ASID) has its TTBR0 tables, and all
 * processes of a VM share the kernel half (TTBR1, global entries).  On a
 * stage-1 Translation fault the guest kernel allocates guest-physical memory
 * per its page-size policy and writes stage-1 descriptors (its page-table
 * pages come from the same allocator); on a stage-2 Translation fault the
 * hypervisor backs the guest-physical page (or block) and writes stage-2
 * descriptors.  The guest kernel zeroes every page it allocates (data and
 * page tables) before the faulting access is retried, so the hypervisor backs
 * it then, on that first touch: each stage-2 fault taken there is counted in
 * stats.zero_faults (the engine adds them to the demand faults).  A stage-2
 * fault seen by a trace access is therefore rare (memory the guest never
 * allocated, e.g. with `mappings` written by hand).
 *
 * User pages: AP=01 (EL0 RW), nG=1; kernel pages: AP=00, global; AF=1,
 * AttrIndx 0 = Normal WB (MAIR 0xff); stage 2: S2AP RW, MemAttr 0xF.  Nothing
 * is ever unmapped or swapped: the model studies translation, not paging.
 */
#ifndef SIM_OS_H
#define SIM_OS_H

#include "mmu/ptb.h"
#include "mmu/walk.h"
#include "sim/config.h"
#include "sim/falloc.h"

#define OS_MAX_VMS 64

#define OS_XLAT_SIZE 256   /* entries of struct os_vm.xlat (a power of two) */

struct os_xlat {
    uint64_t ipa_page;   /* (IPA >> 12) + 1; 0 = empty */
    uint64_t pa_page;    /* PA of that 4K page */
};

struct os_vm {
    bool used;
    uint16_t vmid;
    const struct vm_config *cfg;
    struct falloc galloc;          /* guest-physical frames (PAs when native) */
    struct ptb s2;                 /* stage-2 tables (virtualized) */
    struct regime s2rg;            /* stage-2-only regime, for table IPA -> PA */
    uint64_t vtcr, vttbr;
    uint8_t k_granule, k_va_bits;  /* kernel half (TTBR1) geometry, shared by the VM */
    uint64_t ttbr1_root;           /* IPA of the shared TTBR1 root table */
    struct os_model *os;
    /* IPA -> PA of guest page-table pages, by 4K page (a speed-up of the builder's
     * stage-2 look-ups; exact because the hypervisor never unmaps or remaps) */
    struct os_xlat xlat[OS_XLAT_SIZE];
};

struct os_proc {
    uint16_t vmid, asid;
    struct os_vm *vm;
    const struct proc_config *cfg;
    struct regime rg;              /* decoded registers of this context */
    struct ptb s1[2];              /* TTBR0 and TTBR1 builders */
};

struct os_stats {
    uint64_t s1_pages, s1_blocks, s1_tables;   /* guest mappings and table pages */
    uint64_t s2_pages, s2_blocks, s2_tables;   /* hypervisor mappings and table pages */
    uint64_t zero_faults;   /* stage-2 faults taken while the guest zeroed a new page */
};

struct os_model {
    const struct sim_config *cfg;
    struct pgmem *mem;
    bool virt;
    struct falloc halloc;          /* the hypervisor's physical frames */
    struct os_vm vms[OS_MAX_VMS];
    struct os_proc *procs;         /* open-addressed by (vmid, asid) */
    unsigned proc_cap, nprocs;
    struct os_stats stats;
    uint64_t seed;
    /* PAs of the descriptors written since os_wlog_reset(): the engine sends
     * these stores through the data caches (the OS's PTE writes).  Every one is
     * kept: zeroing a stage-1 block backed by stage-2 pages writes one stage-2
     * descriptor per page (512 for 2M over 4K), so the log grows on demand. */
    uint64_t *wlog;
    size_t nwlog, wlog_cap;
    bool wlog_oom;                 /* a store could not be logged: the fault fails */
};

/* Forget the descriptor stores remembered so far. */
static inline void os_wlog_reset(struct os_model *os)
{
    os->nwlog = 0;
}

/* Set up the model; @mem holds the page tables.  Errors name the config field. */
int os_init(struct os_model *os, const struct sim_config *cfg, struct pgmem *mem,
            struct sim_err *err);
void os_fini(struct os_model *os);

/* The context of (vmid, asid), created (VM and tables too) on first use. */
int os_context(struct os_model *os, uint16_t vmid, uint16_t asid, struct os_proc **out,
               struct sim_err *err);

/**
 * os_demand_fault() - handle the fault @f of a walk of @va in @p: a stage-1
 * Translation fault maps @va, a stage-2 Translation fault backs f->ipa.
 * Return: SIM_OK when the walk can be retried; SIM_EINVAL for a fault the
 * model cannot handle (VA outside the address space, a permission fault...).
 */
int os_demand_fault(struct os_model *os, struct os_proc *p, uint64_t va,
                    const struct walk_fault *f, struct sim_err *err);

#endif /* SIM_OS_H */

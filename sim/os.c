/*
 * sim/os.c - guest-kernel and hypervisor model (see os.h).
 */
#include "sim/os.h"

#include <stdlib.h>

#include "mmu/vmsa.h"

#define S1_USER_ATTRS (VMSA_DESC_AF | VMSA_S1_AP_EL0 | VMSA_S1_NG | (UINT64_C(3) << VMSA_S1_SH_SHIFT))
#define S1_KERN_ATTRS (VMSA_DESC_AF | (UINT64_C(3) << VMSA_S1_SH_SHIFT))
#define S2_ATTRS      (VMSA_DESC_AF | VMSA_S2_S2AP_R | VMSA_S2_S2AP_W | \
                       (UINT64_C(0xf) << VMSA_S2_MEMATTR_SHIFT) | (UINT64_C(3) << VMSA_S2_SH_SHIFT))

/* Whether the region @region (address >> block_shift) gets a block under @pol. */
static bool use_block(enum page_policy pol, double fraction, uint64_t region, uint64_t key)
{
    if (pol == PAGES_BLOCKS)
        return true;
    if (pol != PAGES_FRACTION)
        return false;
    double u = sim_unit_of(sim_hash64(region ^ key));
    return u < fraction;
}

static unsigned tg0_enc(unsigned g) { return g == 12 ? VMSA_TCR_TG0_4K : g == 16 ? VMSA_TCR_TG0_64K : VMSA_TCR_TG0_16K; }
static unsigned tg1_enc(unsigned g) { return g == 12 ? VMSA_TCR_TG1_4K : g == 16 ? VMSA_TCR_TG1_64K : VMSA_TCR_TG1_16K; }

/* Stage-2 start level with the fewest levels and at most 16 concatenated tables (KVM). */
static int s2_auto_start(unsigned g, unsigned ipa_bits)
{
    unsigned stride = g - 3;
    for (int level = 3; level >= 0; level--) {
        if (g == 12 && level == 3)
            continue;                       /* 4K L3 start needs FEAT_TTST */
        if (g != 12 && level == 0)
            continue;                       /* 16K/64K L0 start needs DS / 52 bits */
        int s = (int)ipa_bits - (int)vmsa_level_shift(g, level);
        if (s >= 1 && s <= (int)stride + 4)
            return level;
    }
    return -1;
}

/* ptb callback: remember a descriptor store (ctx is the VM). */
static void wrote_desc(void *ctx, uint64_t pa)
{
    struct os_model *os = ((struct os_vm *)ctx)->os;
    if (os->nwlog == os->wlog_cap) {
        size_t cap = os->wlog_cap ? 2 * os->wlog_cap : 64;
        uint64_t *w = realloc(os->wlog, cap * sizeof(*w));
        if (!w) {
            os->wlog_oom = true;
            return;
        }
        os->wlog = w;
        os->wlog_cap = cap;
    }
    os->wlog[os->nwlog++] = pa;
}

/* ---- stage 2 (hypervisor) ---- */

static int s2_alloc_table(void *ctx, unsigned g, uint64_t *addr, struct sim_err *err)
{
    struct os_vm *vm = ctx;
    int rc = falloc_frame(&vm->os->halloc, g, addr, err);
    if (rc == SIM_OK)
        vm->os->stats.s2_tables++;
    return rc;
}

/* Back the guest-physical address @ipa of @vm (hypervisor on first touch). */
static int hv_back(struct os_vm *vm, uint64_t ipa, struct sim_err *err)
{
    struct os_model *os = vm->os;
    const struct vm_config *c = vm->cfg;
    unsigned g = vm->s2.granule_shift;
    uint64_t pa;
    int rc;

    if (c->backing != PAGES_BASE && c->block_shift &&
        use_block(c->backing, c->block_fraction, ipa >> c->block_shift, os->seed ^ vm->vmid)) {
        uint64_t region = ipa & ~((UINT64_C(1) << c->block_shift) - 1);
        if (ptb_can_map(&vm->s2, region, c->block_shift)) {
            /* whole chunks honour fragmentation; smaller blocks are carved */
            int got = c->block_shift == os->halloc.chunk_shift
                          ? falloc_block(&os->halloc, &pa)
                          : falloc_frame(&os->halloc, c->block_shift, &pa, err);
            if (got == SIM_OK) {
                if ((rc = ptb_map(&vm->s2, region, pa, c->block_shift, S2_ATTRS, false, err)) < 0)
                    return rc;
                os->stats.s2_blocks++;
                return SIM_OK;
            }
            if (got < 0)
                return got;
        }
    }
    if ((rc = falloc_frame(&os->halloc, g, &pa, err)) < 0)
        return rc;
    if ((rc = ptb_map(&vm->s2, ipa & ~((UINT64_C(1) << g) - 1), pa, g, S2_ATTRS, false, err)) < 0)
        return rc;
    os->stats.s2_pages++;
    return SIM_OK;
}

/* ---- stage 1 (guest kernel) ---- */

static int ipa_to_pa(struct os_vm *vm, uint64_t ipa, uint64_t *pa, struct sim_err *err)
{
    struct walk_result r;
    if (!vm->os->virt) {
        *pa = ipa;
        return SIM_OK;
    }
    /* ipa_page is stored + 1 so that the zeroed table holds no valid entry */
    uint64_t page = (ipa >> 12) + 1;
    struct os_xlat *x = &vm->xlat[page & (OS_XLAT_SIZE - 1)];
    if (x->ipa_page == page) {
        *pa = x->pa_page | (ipa & 0xfff);
        return SIM_OK;
    }
    if (!walk_translate(vm->os->mem, &vm->s2rg, ipa, ACC_READ, 1, NULL, NULL, &r))
        return sim_err_set(err, SIM_EINVAL, "internal: guest table IPA 0x%" PRIx64
                           " is not backed at stage 2", ipa);
    x->ipa_page = page;
    x->pa_page = r.pa & ~UINT64_C(0xfff);
    *pa = r.pa;
    return SIM_OK;
}

static int s1_to_pa(void *ctx, uint64_t ipa, uint64_t *pa, struct sim_err *err)
{
    return ipa_to_pa(ctx, ipa, pa, err);
}

static int s1_alloc_table(void *ctx, unsigned g, uint64_t *addr, struct sim_err *err);

/* The guest zeroes [ipa, ipa + 2^shift): the hypervisor backs each stage-2 page
 * of it on that first touch (a stage-2 fault each, counted in zero_faults). */
static int guest_zero(struct os_vm *vm, uint64_t ipa, unsigned shift, struct sim_err *err)
{
    if (!vm->os->virt)
        return SIM_OK;
    uint64_t step = UINT64_C(1) << vm->s2.granule_shift;
    for (uint64_t off = 0; off < (UINT64_C(1) << shift); off += step) {
        struct walk_result r;
        if (walk_translate(vm->os->mem, &vm->s2rg, ipa + off, ACC_READ, 1, NULL, NULL, &r)) {
            /* already backed, maybe by a stage-2 block: skip to its end */
            uint64_t end = (r.ipa | ((UINT64_C(1) << r.s2_shift) - 1)) + 1;
            if (end > ipa + off + step)
                off = end - ipa - step;
            continue;
        }
        int rc = hv_back(vm, ipa + off, err);
        if (rc < 0)
            return rc;
        vm->os->stats.zero_faults++;
    }
    return SIM_OK;
}

/* A guest page-table page: allocated by the guest, zeroed (so backed by the hypervisor). */
static int guest_table(struct os_vm *vm, unsigned g, uint64_t *ipa, struct sim_err *err)
{
    int rc = falloc_frame(&vm->galloc, g, ipa, err);
    if (rc < 0)
        return rc;
    vm->os->stats.s1_tables++;
    return guest_zero(vm, *ipa, g, err);
}

/* ---- VMs and processes ---- */

static int vm_init(struct os_model *os, struct os_vm *vm, uint16_t vmid, struct sim_err *err)
{
    const struct sim_config *cfg = os->cfg;
    const struct vm_config *c = config_vm(cfg, vmid);
    const struct proc_config *kp = &cfg->proc;   /* template: the kernel half */
    int rc;

    *vm = (struct os_vm){ .used = true, .vmid = vmid, .cfg = c, .os = os };
    vm->k_granule = kp->s1_granule_shift;
    vm->k_va_bits = kp->va_bits;

    /* guest-physical allocator: chunk = the largest guest block (or 64K) */
    unsigned gchunk = 16;
    if (cfg->proc.pages != PAGES_BASE && cfg->proc.block_shift > gchunk)
        gchunk = cfg->proc.block_shift;
    for (unsigned i = 0; i < cfg->n_procs; i++)
        if (cfg->procs[i].pages != PAGES_BASE && cfg->procs[i].block_shift > gchunk)
            gchunk = cfg->procs[i].block_shift;
    if ((rc = falloc_init(&vm->galloc, &cfg->guest_alloc, 12, gchunk, os->seed ^ (vmid * 7919u),
                          "alloc.guest", err)) < 0)
        return rc;

    if (os->virt) {
        unsigned g = c->s2_granule_shift;
        int start = c->s2_start_level >= 0 ? c->s2_start_level : s2_auto_start(g, c->ipa_bits);
        if (start < 0)
            return sim_err_set(err, SIM_EINVAL, "vm.ipa_bits: %u bits cannot be mapped with the "
                               "%uK stage-2 granule", c->ipa_bits, (1u << g) >> 10);
        if (cfg->guest_alloc.base + cfg->guest_alloc.size_bytes > (UINT64_C(1) << c->ipa_bits))
            return sim_err_set(err, SIM_EINVAL, "alloc.guest: the guest-physical pool ends above "
                               "the %u-bit IPA space of VMID %u (vm.ipa_bits)", c->ipa_bits, vmid);
        unsigned sl0 = g == 12 ? (unsigned)(2 - start) : (unsigned)(3 - start);
        vm->vtcr = (uint64_t)(64 - c->ipa_bits) | ((uint64_t)sl0 << VMSA_VTCR_SL0_SHIFT) |
                   ((uint64_t)tg0_enc(g) << VMSA_VTCR_TG0_SHIFT) | (UINT64_C(5) << VMSA_VTCR_PS_SHIFT) |
                   VMSA_VTCR_VS;
        struct vmsa_regs r2 = { .hcr_el2 = VMSA_HCR_VM, .vtcr_el2 = vm->vtcr };
        if ((rc = regime_decode(&r2, &vm->s2rg, err)) < 0)
            return rc;
        if (!vm->s2rg.s2.usable)
            return sim_err_set(err, SIM_EINVAL, "vm.s2_start_level: level %d is inconsistent with "
                               "a %u-bit IPA and the %uK granule", start, c->ipa_bits,
                               (1u << g) >> 10);
        uint64_t root;
        unsigned root_shift = vm->s2rg.s2.root_bits + 3;
        if (root_shift < g)
            root_shift = g;
        if ((rc = falloc_frame(&os->halloc, root_shift, &root, err)) < 0)
            return rc;
        os->stats.s2_tables += UINT64_C(1) << (root_shift - g);
        vm->vttbr = root | ((uint64_t)vmid << VMSA_TTBR_ASID_SHIFT);
        r2.vttbr_el2 = vm->vttbr;
        regime_decode(&r2, &vm->s2rg, err);
        vm->s2 = (struct ptb){ os->mem, (uint8_t)g, (int8_t)start, vm->s2rg.s2.root_bits, 2, root,
                               vm, s2_alloc_table, NULL, wrote_desc };
    }
    /* the kernel half's root, shared by every process of the VM */
    if ((rc = guest_table(vm, vm->k_granule, &vm->ttbr1_root, err)) < 0)
        return rc;
    return SIM_OK;
}


static int s1_alloc_table(void *ctx, unsigned g, uint64_t *addr, struct sim_err *err)
{
    return guest_table(ctx, g, addr, err);
}

static int proc_init(struct os_model *os, struct os_proc *p, struct os_vm *vm, uint16_t asid,
                     struct sim_err *err)
{
    const struct proc_config *c = config_proc(os->cfg, asid);
    unsigned g = c->s1_granule_shift, kg = vm->k_granule;
    uint64_t root0;
    int rc;

    *p = (struct os_proc){ .vmid = vm->vmid, .asid = asid, .vm = vm, .cfg = c };
    if ((rc = guest_table(vm, g, &root0, err)) < 0)
        return rc;
    struct vmsa_regs regs = {
        .sctlr_el1 = VMSA_SCTLR_M,
        .tcr_el1 = (uint64_t)(64 - c->va_bits) | ((uint64_t)tg0_enc(g) << VMSA_TCR_TG0_SHIFT) |
                   ((uint64_t)(64 - vm->k_va_bits) << VMSA_TCR_T1SZ_SHIFT) |
                   ((uint64_t)tg1_enc(kg) << VMSA_TCR_TG1_SHIFT) |
                   (UINT64_C(5) << VMSA_TCR_IPS_SHIFT) | VMSA_TCR_AS,
        .ttbr0_el1 = root0 | ((uint64_t)asid << VMSA_TTBR_ASID_SHIFT),
        .ttbr1_el1 = vm->ttbr1_root,
        .mair_el1 = 0xff,
        .hcr_el2 = os->virt ? VMSA_HCR_VM : 0,
        .vtcr_el2 = vm->vtcr,
        .vttbr_el2 = vm->vttbr,
    };
    if ((rc = regime_decode(&regs, &p->rg, err)) < 0)
        return rc;
    if (!p->rg.s1[0].usable || !p->rg.s1[1].usable)
        return sim_err_set(err, SIM_EINVAL, "process.va_bits: %u is outside 25..48", c->va_bits);
    for (int h = 0; h < 2; h++) {
        const struct stage_params *sp = &p->rg.s1[h];
        p->s1[h] = (struct ptb){ os->mem, sp->granule_shift, sp->start_level, sp->root_bits, 1,
                                 sp->root, vm, s1_alloc_table, s1_to_pa, wrote_desc };
    }
    return SIM_OK;
}

int os_init(struct os_model *os, const struct sim_config *cfg, struct pgmem *mem,
            struct sim_err *err)
{
    *os = (struct os_model){ .cfg = cfg, .mem = mem, .virt = cfg->virtualized, .seed = cfg->seed };
    if (os->virt) {
        unsigned chunk = 20;     /* room for a 16-table concatenated root of 64K tables */
        if (cfg->vm.backing != PAGES_BASE && cfg->vm.block_shift > chunk)
            chunk = cfg->vm.block_shift;
        for (unsigned i = 0; i < cfg->n_vms; i++)
            if (cfg->vms[i].backing != PAGES_BASE && cfg->vms[i].block_shift > chunk)
                chunk = cfg->vms[i].block_shift;
        int rc = falloc_init(&os->halloc, &cfg->hyp_alloc, 12, chunk, cfg->seed ^ 0x48595045ull,
                             "alloc.hypervisor", err);
        if (rc < 0)
            return rc;
    }
    os->proc_cap = 256;
    os->procs = calloc(os->proc_cap, sizeof(*os->procs));
    if (!os->procs)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    return SIM_OK;
}

void os_fini(struct os_model *os)
{
    free(os->procs);
    os->procs = NULL;
    free(os->wlog);
    os->wlog = NULL;
    os->nwlog = os->wlog_cap = 0;
}

static struct os_vm *find_vm(struct os_model *os, uint16_t vmid, struct sim_err *err, int *rc)
{
    unsigned free_slot = OS_MAX_VMS;
    for (unsigned i = 0; i < OS_MAX_VMS; i++) {
        if (os->vms[i].used && os->vms[i].vmid == vmid)
            return &os->vms[i];
        if (!os->vms[i].used && free_slot == OS_MAX_VMS)
            free_slot = i;
    }
    if (free_slot == OS_MAX_VMS) {
        *rc = sim_err_set(err, SIM_EINVAL, "trace: more than %d VMs", OS_MAX_VMS);
        return NULL;
    }
    if ((*rc = vm_init(os, &os->vms[free_slot], vmid, err)) < 0) {
        os->vms[free_slot].used = false;
        return NULL;
    }
    return &os->vms[free_slot];
}

static int grow_procs(struct os_model *os, struct sim_err *err)
{
    unsigned ncap = os->proc_cap * 2;
    struct os_proc *n = calloc(ncap, sizeof(*n));
    if (!n)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    for (unsigned i = 0; i < os->proc_cap; i++) {
        if (!os->procs[i].vm)
            continue;
        unsigned j = (unsigned)sim_hash64(((uint64_t)os->procs[i].vmid << 16) | os->procs[i].asid) &
                     (ncap - 1);
        while (n[j].vm)
            j = (j + 1) & (ncap - 1);
        n[j] = os->procs[i];
    }
    free(os->procs);
    os->procs = n;
    os->proc_cap = ncap;
    return SIM_OK;
}

int os_context(struct os_model *os, uint16_t vmid, uint16_t asid, struct os_proc **out,
               struct sim_err *err)
{
    uint64_t key = ((uint64_t)vmid << 16) | asid;
    unsigned i = (unsigned)sim_hash64(key) & (os->proc_cap - 1);
    int rc = SIM_OK;

    for (; os->procs[i].vm; i = (i + 1) & (os->proc_cap - 1)) {
        if (os->procs[i].vmid == vmid && os->procs[i].asid == asid) {
            *out = &os->procs[i];
            return SIM_OK;
        }
    }
    if ((os->nprocs + 1) * 2 > os->proc_cap) {
        /* pointers into the table are not kept by callers across this call */
        if ((rc = grow_procs(os, err)) < 0)
            return rc;
        return os_context(os, vmid, asid, out, err);
    }
    struct os_vm *vm = find_vm(os, vmid, err, &rc);
    if (!vm)
        return rc;
    struct os_proc p;
    if ((rc = proc_init(os, &p, vm, asid, err)) < 0)
        return rc;
    os->procs[i] = p;
    os->nprocs++;
    *out = &os->procs[i];
    return SIM_OK;
}

/* Guest kernel: map the page (or block) holding @va for process @p. */
static int guest_map(struct os_proc *p, uint64_t va, struct sim_err *err)
{
    struct os_vm *vm = p->vm;
    struct os_model *os = vm->os;
    int half = walk_s1_half(va);
    const struct stage_params *sp = &p->rg.s1[half];
    const struct proc_config *c = half ? &os->cfg->proc : p->cfg;
    unsigned g = sp->granule_shift;
    uint64_t ia = va & ((UINT64_C(1) << sp->in_bits) - 1);
    uint64_t attrs = half ? S1_KERN_ATTRS : S1_USER_ATTRS;
    uint64_t ipa;
    int rc;

    if (c->pages != PAGES_BASE && c->block_shift &&
        use_block(c->pages, c->block_fraction, va >> c->block_shift, os->seed ^ p->asid)) {
        uint64_t region = ia & ~((UINT64_C(1) << c->block_shift) - 1);
        if (ptb_can_map(&p->s1[half], region, c->block_shift)) {
            int got = c->block_shift == vm->galloc.chunk_shift
                          ? falloc_block(&vm->galloc, &ipa)
                          : falloc_frame(&vm->galloc, c->block_shift, &ipa, err);
            if (got == SIM_OK) {
                if ((rc = guest_zero(vm, ipa, c->block_shift, err)) < 0 ||
                    (rc = ptb_map(&p->s1[half], region, ipa, c->block_shift, attrs, false, err)) < 0)
                    return rc;
                os->stats.s1_blocks++;
                return SIM_OK;
            }
            if (got < 0)
                return got;
        }
    }
    if ((rc = falloc_frame(&vm->galloc, g, &ipa, err)) < 0 ||
        (rc = guest_zero(vm, ipa, g, err)) < 0)
        return rc;
    if ((rc = ptb_map(&p->s1[half], ia & ~((UINT64_C(1) << g) - 1), ipa, g, attrs, false, err)) < 0)
        return rc;
    os->stats.s1_pages++;
    return SIM_OK;
}

static int demand_fault(struct os_model *os, struct os_proc *p, uint64_t va,
                        const struct walk_fault *f, struct sim_err *err)
{
    if (f->type == WF_TRANSLATION && f->stage == 1) {
        int half = walk_s1_half(va);
        const struct stage_params *sp = &p->rg.s1[half];
        if (f->level == 0 && (bits_get(va, 63, sp->in_bits) != (half ? GENMASK64(63 - sp->in_bits, 0) : 0)))
            return sim_err_set(err, SIM_EINVAL, "VA 0x%" PRIx64 " of ASID %u is outside the %u-bit "
                               "address space (process.va_bits)", va, p->asid, sp->in_bits);
        return guest_map(p, va, err);
    }
    if (f->type == WF_TRANSLATION && f->stage == 2 && os->virt)
        return hv_back(p->vm, f->ipa, err);
    return sim_err_set(err, SIM_EINVAL, "VA 0x%" PRIx64 " (VMID %u, ASID %u): unexpected %s fault "
                       "at stage %u level %d", va, p->vmid, p->asid, walk_fault_name(f->type),
                       f->stage, f->level);
}

int os_demand_fault(struct os_model *os, struct os_proc *p, uint64_t va,
                    const struct walk_fault *f, struct sim_err *err)
{
    int rc = demand_fault(os, p, va, f, err);
    if (rc == SIM_OK && os->wlog_oom)
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory logging the OS model's descriptor "
                         "stores");
    return rc;
}

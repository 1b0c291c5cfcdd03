/*
 * sim/config.h - the one validated configuration of a simulation run.
 *
 * config_defaults() gives a complete configuration (the Neoverse N1 preset,
 * virtualized, 4K/4K granules); a preset and then a JSON file overlay it;
 * then command-line overrides (`--set PATH=VALUE` and the short flags) are
 * applied with config_set(); finally config_validate() checks ranges and
 * cross-field rules.  Every error names the JSON path ("tlb.l2.ways").
 *
 * Each module takes only its own sub-struct (const struct tlb_config * ...).
 * The JSON layout is documented in README.md ("Configuration").
 */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/err.h"

enum repl_policy {
    REPL_LRU = 0,
    REPL_PLRU,          /* tree pseudo-LRU (ways rounded up to a power of two in the tree) */
    REPL_RANDOM,        /* seeded from sim_config.seed */
};

/* One TLB level (L1 I, L1 D, L2 unified). */
struct tlb_config {
    bool enabled;
    uint32_t entries;          /* total entries, need not be a power of two (1280) */
    uint32_t ways;             /* associativity; 0 = fully associative; entries % ways == 0 */
    uint32_t latency_cycles;   /* lookup latency, charged on every lookup of this level */
    enum repl_policy repl;
    uint64_t page_sizes;       /* bitmask: bit k set = entries of 2^k bytes can be held;
                                  a translation is fractured to the largest held size <= it */
};

/* Stage-1 walk cache (table descriptors) or stage-2 IPA cache (IPA -> PA). */
struct pwc_config {
    bool enabled;
    uint32_t entries;
    uint32_t ways;             /* 0 = fully associative */
    uint32_t latency_cycles;   /* charged on every lookup */
    enum repl_policy repl;
    uint32_t levels;           /* S1 walk cache: bitmask of lookup levels (bit L, L = 0..2)
                                  whose table descriptors are cached; unused for S2 */
};

/* One data-cache level. */
struct cache_config {
    bool enabled;
    uint64_t size_bytes;
    uint32_t ways;             /* 0 = fully associative */
    uint32_t line_bytes;       /* power of two */
    uint32_t latency_cycles;   /* hit latency of this level (lower levels add theirs on a miss) */
    enum repl_policy repl;
    bool write_back;           /* false: write-through */
    bool write_allocate;       /* false: write-around */
};

enum walker_port {
    PORT_L1D = 1,              /* the walker reads from the L1 D-cache (N1 with WB tables) */
    PORT_L2 = 2,
    PORT_LLC = 3,
};

struct mem_config {
    struct cache_config l1d, l2, llc;
    uint32_t dram_latency_cycles;
    enum walker_port walker_port;
};

/* How page sizes are chosen by the guest kernel (stage 1) or hypervisor (stage 2). */
enum page_policy {
    PAGES_BASE = 0,            /* base pages (granule size) only */
    PAGES_BLOCKS,              /* blocks of `block_shift` wherever the region is aligned */
    PAGES_FRACTION,            /* blocks for `block_fraction` of the aligned regions (seeded) */
};

enum alloc_kind {
    ALLOC_SEQUENTIAL = 0,      /* next free frame */
    ALLOC_SCATTERED,           /* frames taken from a seeded shuffle of the pool */
};

struct alloc_config {
    enum alloc_kind kind;
    double fragmentation;      /* 0..1: fraction of block-sized regions unusable as blocks */
    uint64_t base;             /* first physical (or guest-physical) address of the pool */
    uint64_t size_bytes;       /* pool size */
};

struct vm_config {
    uint16_t vmid;
    uint8_t s2_granule_shift;  /* 12, 14 or 16 */
    uint8_t ipa_bits;          /* 32..48 */
    int8_t s2_start_level;     /* -1: fewest levels with <= 16 concatenated tables (KVM) */
    enum page_policy backing;
    uint8_t block_shift;       /* stage-2 block size used by backing (21, 25, 29, 30) */
    double block_fraction;     /* for PAGES_FRACTION */
};

struct proc_config {
    uint16_t asid;
    uint8_t s1_granule_shift;  /* 12, 14 or 16 */
    uint8_t va_bits;           /* 25..48: T0SZ = T1SZ = 64 - va_bits */
    enum page_policy pages;    /* the guest's block / huge-page policy */
    uint8_t block_shift;
    double block_fraction;
};

#define CONFIG_MAX_VMS   16
#define CONFIG_MAX_PROCS 64

struct sim_config {
    char preset[32];           /* preset this configuration started from ("" if none) */
    uint64_t seed;
    bool virtualized;          /* false: native, stage 2 off */
    struct tlb_config l1i_tlb, l1d_tlb, l2_tlb;
    struct pwc_config s1_walk_cache, s2_ipa_cache;
    struct mem_config mem;
    struct vm_config vm;       /* template for every VMID seen in the trace */
    struct proc_config proc;   /* template for every ASID seen in the trace */
    struct vm_config vms[CONFIG_MAX_VMS];       /* per-VMID overrides */
    unsigned n_vms;
    struct proc_config procs[CONFIG_MAX_PROCS]; /* per-ASID overrides */
    unsigned n_procs;
    struct alloc_config guest_alloc;   /* guest kernel's allocator of guest-physical frames */
    struct alloc_config hyp_alloc;     /* hypervisor's allocator of physical frames */
    uint32_t demand_fault_cycles;      /* penalty of one demand fault (not walk cost) */
};

/* Fill @cfg with the built-in defaults (the Neoverse N1 preset, virtualized). */
void config_defaults(struct sim_config *cfg);

/**
 * config_preset() - reset @cfg to the named preset.
 * Return: SIM_OK, or SIM_EINVAL with @err listing the known presets.
 */
int config_preset(struct sim_config *cfg, const char *name, struct sim_err *err);

/* NULL-terminated list of preset names. */
const char *const *config_preset_names(void);

/**
 * config_load() - overlay the JSON file @path onto @cfg.
 * Unknown keys, wrong types and out-of-range values are errors naming the
 * file and the JSON path.  On error @cfg may be partly overlaid.
 */
int config_load(struct sim_config *cfg, const char *path, struct sim_err *err);

/* As config_load(), from a string; @name is used in messages. */
int config_load_string(struct sim_config *cfg, const char *json, const char *name,
                       struct sim_err *err);

/**
 * config_set() - apply one "PATH=VALUE" override (`--set tlb.l2.entries=2048`).
 * VALUE is parsed as the JSON path's type (numbers, sizes "64K", booleans,
 * enum names).  Errors name the path.
 */
int config_set(struct sim_config *cfg, const char *assignment, struct sim_err *err);

/* Cross-field checks; the error names the JSON path. */
int config_validate(const struct sim_config *cfg, struct sim_err *err);

/**
 * config_to_json() - the canonical JSON of @cfg (every field, fixed key
 * order), as stored in the results database.  Returns a malloc'd string the
 * caller frees, or NULL on allocation failure.
 */
char *config_to_json(const struct sim_config *cfg);

/* The VM / process configuration used for @vmid / @asid (override or template). */
const struct vm_config *config_vm(const struct sim_config *cfg, uint16_t vmid);
const struct proc_config *config_proc(const struct sim_config *cfg, uint16_t asid);

#endif /* SIM_CONFIG_H */

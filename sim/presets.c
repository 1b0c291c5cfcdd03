/*
 * sim/presets.c - built-in configuration presets for real Arm cores.
 *
 * Each preset is JSON text applied through the ordinary loader (sim/config.c)
 * on top of preset_base_json().  The texts are written with the JSON()
 * macro, which turns its tokens into a string literal, so the C comments
 * next to each number (removed by the preprocessor) name its source.
 *
 * Sources (facts only; see README-config.md for the full table):
 *   [VMSA7]  ../shared/ARM-VMSA.md section 7, which cites the TRMs:
 *            A53 DDI0500 §5.1-5.2, A55 100442 §A5.5.1, A72 100095 §5.2.3,
 *            A76 100798 §A5.2 / Table A6-31, N1 100616_0401 §6.2-6.5.
 *   [PUB]    ../shared/PUBLISHED-NUMBERS.md B.2 (A53/A57 TLBs via pytorch/cpuinfo).
 *   [A72TRM] A72 TRM 100095 §5.2.3: L2 TLB holds 4K, 64K, 2M, 512M, 1G
 *            (plus AArch32-only 1M/16M) - no 16K granule.
 *   [G2]     Graviton2 (Neoverse N1): 1 MB private L2 8-way, 32 MB shared
 *            system-level cache, 64-byte lines (Arm learning path
 *            "memory-subsystem/cache-hierarchy").
 *   "assumed" marks a number no source here confirms: cache latencies,
 *   walk-cache and IPA-cache sizes of cores whose TRM keeps them inside the
 *   L2 TLB or does not give them, and DRAM latency (200 cycles everywhere).
 *
 * What is not modelled: the N1/A76 L2 TLB also holds walk-cache and IPA-cache
 * entries in the same RAM; here they are separate structures (so capacity is
 * not shared), and "variable" TRM latencies become one fixed number.
 */
#include "sim/presets.h"
#include "sim/config.h"

#include <string.h>

#define JSON(...) #__VA_ARGS__

/* Everything that is not a property of the core. */
static const char base_json[] = JSON({
    "seed": 1,
    "machine": { "virtualized": true },
    /* KVM-like stage 2: 4K granule, 40-bit IPA, start level chosen as KVM does */
    "vm": { "s2_granule": "4k", "ipa_bits": 40, "s2_start_level": "auto",
            "backing": "base", "block_size": "2M", "block_fraction": 0.5 },
    "process": { "s1_granule": "4k", "va_bits": 48, "pages": "base",
                 "block_size": "2M", "block_fraction": 0.5 },
    "vms": [],
    "processes": [],
    /* pools: guest RAM at 1 GiB in the IPA space (as QEMU virt), 3G so that it ends at
       4 GiB and fits the smallest IPA size (32 bits); host RAM at 2 GiB */
    "alloc": {
        "guest": { "kind": "sequential", "fragmentation": 0, "base": "0x40000000", "size": "3G" },
        "hypervisor": { "kind": "sequential", "fragmentation": 0, "base": "0x80000000",
                        "size": "16G" }
    },
    "os": { "demand_fault_cycles": 1000 } /* assumed: order of a minor fault */
});

/* Neoverse N1 (the default): [VMSA7] N1 row = "as A76"; caches [G2]. */
static const char neoverse_n1_json[] = JSON({
    "tlb": {
        /* 48 FA, 4K/16K/64K/2M/32M, 1-cycle hit [VMSA7] */
        "l1i": { "enabled": true, "entries": 48, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "16K", "64K", "2M", "32M"] },
        /* 48 FA, 4K/16K/64K/2M/512M, 1-cycle hit [VMSA7] */
        "l1d": { "enabled": true, "entries": 48, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "16K", "64K", "2M", "512M"] },
        /* 1280 x 5-way, all sizes, ~3 cycles [VMSA7]; replacement assumed LRU */
        "l2": { "enabled": true, "entries": 1280, "ways": 5, "latency": 3, "replacement": "lru",
                "page_sizes": ["4K", "16K", "64K", "2M", "32M", "512M", "1G"] }
    },
    "walk_cache": {
        /* inside the L2 TLB on N1 [VMSA7]; 64 x 4-way and 3 cycles assumed (A55 sizes) */
        "s1": { "enabled": true, "entries": 64, "ways": 4, "latency": 3, "replacement": "lru",
                "levels": [0, 1, 2] },
        "s2": { "enabled": true, "entries": 64, "ways": 4, "latency": 3, "replacement": "lru" }
    },
    "cache": {
        /* 64K 4-way 64B [G2]; 4-cycle load-to-use assumed */
        "l1d": { "enabled": true, "size": "64K", "ways": 4, "line": 64, "latency": 4,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        /* 1M private 8-way [G2]; 11 cycles assumed */
        "l2": { "enabled": true, "size": "1M", "ways": 8, "line": 64, "latency": 11,
                "replacement": "lru", "write_back": true, "write_allocate": true },
        /* 32M system-level cache [G2]; 16-way and 35 cycles assumed */
        "llc": { "enabled": true, "size": "32M", "ways": 16, "line": 64, "latency": 35,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        "dram_latency": 200, /* assumed */
        "walker_port": "l1d" /* walker reads L1D when IRGN/ORGN are WB: N1 TRM §6.5.1 [VMSA7] */
    }
});

/* Cortex-A76: TLBs [VMSA7] (A76 TRM 100798 §A5.2); caches assumed typical phone config. */
static const char cortex_a76_json[] = JSON({
    "tlb": {
        "l1i": { "enabled": true, "entries": 48, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "16K", "64K", "2M", "32M"] },
        "l1d": { "enabled": true, "entries": 48, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "16K", "64K", "2M", "512M"] },
        "l2": { "enabled": true, "entries": 1280, "ways": 5, "latency": 3, "replacement": "lru",
                "page_sizes": ["4K", "16K", "64K", "2M", "32M", "512M", "1G"] }
    },
    "walk_cache": {
        /* inside the L2 TLB [VMSA7]; 64 x 4-way, 3 cycles assumed */
        "s1": { "enabled": true, "entries": 64, "ways": 4, "latency": 3, "replacement": "lru",
                "levels": [0, 1, 2] },
        "s2": { "enabled": true, "entries": 64, "ways": 4, "latency": 3, "replacement": "lru" }
    },
    "cache": {
        /* 64K 4-way 64B L1D (A76 TRM); latency 4 assumed */
        "l1d": { "enabled": true, "size": "64K", "ways": 4, "line": 64, "latency": 4,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        /* private L2 256K or 512K, 8-way: 512K chosen; 9 cycles assumed */
        "l2": { "enabled": true, "size": "512K", "ways": 8, "line": 64, "latency": 9,
                "replacement": "lru", "write_back": true, "write_allocate": true },
        /* DSU L3: 2M 16-way and 31 cycles assumed */
        "llc": { "enabled": true, "size": "2M", "ways": 16, "line": 64, "latency": 31,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        "dram_latency": 200,
        "walker_port": "l1d" /* assumed as N1, its server sibling */
    }
});

/* Cortex-A72: TLBs [VMSA7] + [A72TRM]; walk/IPA caches unconfirmed (assumed). */
static const char cortex_a72_json[] = JSON({
    "tlb": {
        /* 48 FA [VMSA7]; page sizes assumed those of the L2 TLB up to 2M */
        "l1i": { "enabled": true, "entries": 48, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "64K", "2M"] },
        /* 32 FA [VMSA7]; page sizes assumed */
        "l1d": { "enabled": true, "entries": 32, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "64K", "2M"] },
        /* 1024 x 4-way [VMSA7]; sizes [A72TRM]; "variable" latency: 4 assumed */
        "l2": { "enabled": true, "entries": 1024, "ways": 4, "latency": 4, "replacement": "lru",
                "page_sizes": ["4K", "64K", "2M", "512M", "1G"] }
    },
    "walk_cache": {
        /* unconfirmed [VMSA7]: 64 x 4-way, 2 cycles assumed */
        "s1": { "enabled": true, "entries": 64, "ways": 4, "latency": 2, "replacement": "lru",
                "levels": [0, 1, 2] },
        "s2": { "enabled": true, "entries": 64, "ways": 4, "latency": 2, "replacement": "lru" }
    },
    "cache": {
        /* 32K 2-way 64B L1D (A72 TRM); 4 cycles assumed */
        "l1d": { "enabled": true, "size": "32K", "ways": 2, "line": 64, "latency": 4,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        /* shared L2 512K-4M 16-way: 1M chosen; 21 cycles assumed */
        "l2": { "enabled": true, "size": "1M", "ways": 16, "line": 64, "latency": 21,
                "replacement": "lru", "write_back": true, "write_allocate": true },
        /* no L3 in a plain A72 cluster: disabled (geometry kept valid) */
        "llc": { "enabled": false, "size": "2M", "ways": 16, "line": 64, "latency": 40,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        "dram_latency": 200,
        "walker_port": "l2" /* assumed */
    }
});

/* Cortex-A55: TLBs, walk cache, IPA cache [VMSA7] (A55 TRM 100442 §A5.5.1). */
static const char cortex_a55_json[] = JSON({
    "tlb": {
        /* 15 FA, 4K/16K/64K/2M [VMSA7] */
        "l1i": { "enabled": true, "entries": 15, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "16K", "64K", "2M"] },
        /* 16 FA, 4 KB only [VMSA7] */
        "l1d": { "enabled": true, "entries": 16, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K"] },
        /* 1024 x 4-way [VMSA7]; all sizes and 2-cycle latency assumed */
        "l2": { "enabled": true, "entries": 1024, "ways": 4, "latency": 2, "replacement": "lru",
                "page_sizes": ["4K", "16K", "64K", "2M", "32M", "512M", "1G"] }
    },
    "walk_cache": {
        /* 64 x 4-way each [VMSA7] (in the L2 TLB RAM); latency 2 assumed */
        "s1": { "enabled": true, "entries": 64, "ways": 4, "latency": 2, "replacement": "lru",
                "levels": [0, 1, 2] },
        "s2": { "enabled": true, "entries": 64, "ways": 4, "latency": 2, "replacement": "lru" }
    },
    "cache": {
        /* L1D 16K-64K 4-way: 32K chosen; 3 cycles assumed */
        "l1d": { "enabled": true, "size": "32K", "ways": 4, "line": 64, "latency": 3,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        /* private L2 up to 256K 4-way: 128K chosen; 9 cycles assumed */
        "l2": { "enabled": true, "size": "128K", "ways": 4, "line": 64, "latency": 9,
                "replacement": "lru", "write_back": true, "write_allocate": true },
        /* DSU L3 1M 16-way, 27 cycles assumed */
        "llc": { "enabled": true, "size": "1M", "ways": 16, "line": 64, "latency": 27,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        "dram_latency": 200,
        "walker_port": "l1d" /* walks cacheable if inner+outer WB [VMSA7]; port assumed */
    }
});

/* Cortex-A53: TLBs, walk cache, IPA cache [VMSA7][PUB] (A53 TRM DDI0500 §5.1-5.2). */
static const char cortex_a53_json[] = JSON({
    "tlb": {
        /* 10-entry micro-TLBs, FA [VMSA7][PUB]; page sizes assumed = main TLB's */
        "l1i": { "enabled": true, "entries": 10, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "64K", "2M", "512M"] },
        "l1d": { "enabled": true, "entries": 10, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "64K", "2M", "512M"] },
        /* 512 x 4-way, all sizes but 1G (split to 512M); AArch64 granules 4K/64K only
           [VMSA7]; "variable" latency: 2 assumed */
        "l2": { "enabled": true, "entries": 512, "ways": 4, "latency": 2, "replacement": "lru",
                "page_sizes": ["4K", "64K", "2M", "512M"] }
    },
    "walk_cache": {
        /* 64 x 4-way walk cache and IPA cache [VMSA7]; latency 2 assumed */
        "s1": { "enabled": true, "entries": 64, "ways": 4, "latency": 2, "replacement": "lru",
                "levels": [0, 1, 2] },
        "s2": { "enabled": true, "entries": 64, "ways": 4, "latency": 2, "replacement": "lru" }
    },
    "cache": {
        /* L1D 8K-64K 4-way 64B: 32K chosen; 3 cycles assumed */
        "l1d": { "enabled": true, "size": "32K", "ways": 4, "line": 64, "latency": 3,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        /* shared L2 128K-2M 16-way: 512K chosen; 15 cycles assumed */
        "l2": { "enabled": true, "size": "512K", "ways": 16, "line": 64, "latency": 15,
                "replacement": "lru", "write_back": true, "write_allocate": true },
        /* no L3: disabled (geometry kept valid) */
        "llc": { "enabled": false, "size": "1M", "ways": 16, "line": 64, "latency": 40,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        "dram_latency": 200,
        "walker_port": "l2" /* walker cache level unconfirmed [VMSA7]: L2 assumed */
    }
});

/*
 * no-caching: every TLB, both walk caches and every data cache disabled, so a
 * completed walk makes exactly n + (n+1)m references, each a DRAM access
 * (PUBLISHED-NUMBERS.md B.0).  Geometry stays valid so that one field can be
 * turned back on with --set.
 */
static const char no_caching_json[] = JSON({
    "tlb": {
        "l1i": { "enabled": false, "entries": 48, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "16K", "64K", "2M", "32M"] },
        "l1d": { "enabled": false, "entries": 48, "ways": 0, "latency": 1, "replacement": "lru",
                 "page_sizes": ["4K", "16K", "64K", "2M", "512M"] },
        "l2": { "enabled": false, "entries": 1280, "ways": 5, "latency": 3, "replacement": "lru",
                "page_sizes": ["4K", "16K", "64K", "2M", "32M", "512M", "1G"] }
    },
    "walk_cache": {
        "s1": { "enabled": false, "entries": 64, "ways": 4, "latency": 3, "replacement": "lru",
                "levels": [0, 1, 2] },
        "s2": { "enabled": false, "entries": 64, "ways": 4, "latency": 3, "replacement": "lru" }
    },
    "cache": {
        "l1d": { "enabled": false, "size": "64K", "ways": 4, "line": 64, "latency": 4,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        "l2": { "enabled": false, "size": "1M", "ways": 8, "line": 64, "latency": 11,
                "replacement": "lru", "write_back": true, "write_allocate": true },
        "llc": { "enabled": false, "size": "32M", "ways": 16, "line": 64, "latency": 35,
                 "replacement": "lru", "write_back": true, "write_allocate": true },
        "dram_latency": 200,
        "walker_port": "l1d"
    }
});

struct preset {
    const char *name;
    const char *json;
};

/* The first entry is the default (config_defaults()). */
static const struct preset presets[] = {
    { "neoverse-n1", neoverse_n1_json },
    { "cortex-a53", cortex_a53_json },
    { "cortex-a55", cortex_a55_json },
    { "cortex-a72", cortex_a72_json },
    { "cortex-a76", cortex_a76_json },
    { "no-caching", no_caching_json },
};

static const char *const preset_names[] = {
    "neoverse-n1", "cortex-a53", "cortex-a55", "cortex-a72", "cortex-a76", "no-caching", NULL,
};

const char *preset_base_json(void)
{
    return base_json;
}

const char *preset_json(const char *name)
{
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
        if (strcmp(presets[i].name, name) == 0)
            return presets[i].json;
    return NULL;
}

const char *const *config_preset_names(void)
{
    return preset_names;
}

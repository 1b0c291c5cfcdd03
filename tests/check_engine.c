/*
 * tests/check_engine.c - the replay engine: reference counts of complete walks
 * under the no-caching preset (n + (n+1)m, n and m derived by hand per row
 * from ARM-VMSA.md s1/s3/s4), tagging, TLBI scope, determinism.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "sim/config.h"
#include "sim/engine.h"

static double metric(const struct run_totals *t, const char *name)
{
    for (size_t i = 0; i < t->n_metrics; i++)
        if (strcmp(t->metrics[i].name, name) == 0)
            return t->metrics[i].value;
    ck_abort_msg("metric %s missing", name);
    return -1;
}

static uint64_t hist(const struct run_totals *t, const char *h, int64_t key)
{
    for (size_t i = 0; i < t->n_bins; i++)
        if (strcmp(t->bins[i].hist, h) == 0 && t->bins[i].key == key)
            return t->bins[i].count;
    return 0;
}

static void setup_cfg(struct sim_config *cfg, const char *preset, const char *const *sets)
{
    struct sim_err err;
    config_defaults(cfg);
    ck_assert_msg(config_preset(cfg, preset, &err) == SIM_OK, "%s", err.msg);
    for (; sets && *sets; sets++)
        ck_assert_msg(config_set(cfg, *sets, &err) == SIM_OK, "%s: %s", *sets, err.msg);
    ck_assert_msg(config_validate(cfg, &err) == SIM_OK, "%s", err.msg);
}

static void ev(struct engine *e, unsigned kind, uint16_t vmid, uint16_t asid, uint64_t va)
{
    struct sim_err err;
    struct trace_rec r = { .kind = (uint8_t)kind, .vmid = vmid, .asid = asid, .size = 8, .va = va };
    ck_assert_msg(engine_event(e, &r, &err) == SIM_OK, "%s", err.msg);
}

static void tlbi(struct engine *e, unsigned op, uint16_t vmid, uint16_t asid, uint64_t addr)
{
    struct sim_err err;
    struct trace_rec r = { .kind = TR_TLBI, .tlbi = (uint8_t)op, .vmid = vmid, .asid = asid,
                           .va = addr };
    ck_assert_msg(engine_event(e, &r, &err) == SIM_OK, "%s", err.msg);
}

/* ---- no-caching reference counts ---- */
struct refs_row {
    const char *s1, *s2;       /* granules; s2 NULL = native */
    const char *pages;         /* guest page policy set, or NULL */
    const char *backing;       /* hypervisor backing set, or NULL */
    unsigned refs;             /* expected refs of every completed walk */
};

/* VA 48 bits, IPA 40 bits (defaults), stage 2 from the KVM start level:
 *   4K: 40 - 30 = 10 bits at L1 (2 tables), m = 3;  16K: 40 - 25 = 15 bits at L2 (16 tables),
 *   m = 2;  64K: 40 - 29 = 11 bits at L2, m = 2.
 *   stage 1 48-bit: 4K n = 4 (L0..L3), 16K n = 4 (L0 of 2 entries), 64K n = 3 (L1..L3). */
static const struct refs_row refs_rows[] = {
    { "4k", "4k", NULL, NULL, 4 + 5 * 3 },      /* 19 */
    { "4k", "16k", NULL, NULL, 4 + 5 * 2 },     /* 14 */
    { "4k", "64k", NULL, NULL, 4 + 5 * 2 },     /* 14 */
    { "16k", "4k", NULL, NULL, 4 + 5 * 3 },     /* 19 */
    { "16k", "16k", NULL, NULL, 4 + 5 * 2 },    /* 14 */
    { "16k", "64k", NULL, NULL, 4 + 5 * 2 },    /* 14 */
    { "64k", "4k", NULL, NULL, 3 + 4 * 3 },     /* 15 */
    { "64k", "16k", NULL, NULL, 3 + 4 * 2 },    /* 11 */
    { "64k", "64k", NULL, NULL, 3 + 4 * 2 },    /* 11 */
    { "4k", NULL, NULL, NULL, 4 },
    { "16k", NULL, NULL, NULL, 4 },
    { "64k", NULL, NULL, NULL, 3 },
    /* guest 2M blocks: n = 3 (leaf at L2); S2 4K m = 3: 3 + 4*3 = 15 */
    { "4k", "4k", "process.pages=blocks", NULL, 3 + 4 * 3 },
    /* hypervisor 1G blocks (leaf at L1, the start level): m = 1: 4 + 5*1 = 9 */
    { "4k", "4k", NULL, "vm.backing=blocks", 4 + 5 * 1 },
    /* both: 3 + 4*1 = 7 */
    { "4k", "4k", "process.pages=blocks", "vm.backing=blocks", 3 + 4 * 1 },
    /* 64K guest 512M blocks (L2 leaf, n = 2) on 64K S2 (m = 2): 2 + 3*2 = 8 */
    { "64k", "64k", "process.pages=blocks", NULL, 2 + 3 * 2 },
    /* native 4K with 2M blocks: n = 3 */
    { "4k", NULL, "process.pages=blocks", NULL, 3 },
};

START_TEST(test_no_caching_refs)
{
    const struct refs_row *r = &refs_rows[_i];
    char s1[64], s2[64], bs[64];
    const char *sets[8];
    int n = 0;
    snprintf(s1, sizeof(s1), "process.s1_granule=%s", r->s1);
    sets[n++] = s1;
    if (r->s2) {
        snprintf(s2, sizeof(s2), "vm.s2_granule=%s", r->s2);
        sets[n++] = s2;
    } else {
        sets[n++] = "machine.virtualized=false";
    }
    if (r->pages) {
        sets[n++] = r->pages;
        snprintf(bs, sizeof(bs), "process.block_size=%s", strcmp(r->s1, "64k") == 0 ? "512M" : "2M");
        sets[n++] = bs;
    }
    if (r->backing) {
        sets[n++] = r->backing;
        sets[n++] = "vm.block_size=1G";
        sets[n++] = "alloc.hypervisor.size=64G";
    }
    sets[n] = NULL;
    struct sim_config cfg;
    setup_cfg(&cfg, "no-caching", sets);
    struct engine *e;
    struct sim_err err;
    ck_assert_msg(engine_create(&e, &cfg, NULL, &err) == SIM_OK, "%s", err.msg);
    /* 64 accesses: user pages spread over 64 MiB, a repeat of each, a kernel page */
    for (int i = 0; i < 64; i++)
        ev(e, TR_LOAD, 0, 1, UINT64_C(0x10000000) + (uint64_t)i * 0x100000);
    for (int i = 0; i < 64; i++)
        ev(e, TR_STORE, 0, 1, UINT64_C(0x10000000) + (uint64_t)i * 0x100000 + 8);
    ev(e, TR_LOAD, 0, 1, UINT64_C(0xffff000000001000));
    struct run_totals t;
    ck_assert(engine_report(e, &t, &err) == SIM_OK);
    /* without a TLB every access walks, and every completed walk costs the same */
    ck_assert_uint_eq((uint64_t)metric(&t, "walks"), 129);
    ck_assert_uint_eq(hist(&t, "walk_refs", r->refs), 129);
    ck_assert(metric(&t, "walk_refs.mean") == (double)r->refs);
    /* every fetch is a DRAM access: cycles = refs x 200 */
    ck_assert(metric(&t, "walk_cycles.mean") == 200.0 * r->refs);
    ck_assert(metric(&t, "demand_faults") >= 1);
    engine_destroy(e);
}
END_TEST

/* ---- tagging and TLBI on a TLB-only machine ---- */
static struct engine *tlb_only(struct sim_config *cfg, const char *extra)
{
    const char *sets[] = { "tlb.l1d.enabled=true", "tlb.l2.enabled=true", extra, NULL };
    struct engine *e;
    struct sim_err err;
    setup_cfg(cfg, "no-caching", sets);
    ck_assert_msg(engine_create(&e, cfg, NULL, &err) == SIM_OK, "%s", err.msg);
    return e;
}

static uint64_t walks(struct engine *e)
{
    struct run_totals t;
    struct sim_err err;
    ck_assert(engine_report(e, &t, &err) == SIM_OK);
    return (uint64_t)metric(&t, "walks");
}

START_TEST(test_tagging)
{
    struct sim_config cfg;
    struct engine *e = tlb_only(&cfg, "seed=1");
    uint64_t user = 0x400000, kern = UINT64_C(0xffff800000200000);
    ev(e, TR_LOAD, 1, 5, user);
    ck_assert_uint_eq(walks(e), 1);
    ev(e, TR_LOAD, 1, 5, user);                /* same VM, ASID, VA: TLB hit */
    ck_assert_uint_eq(walks(e), 1);
    ev(e, TR_LOAD, 2, 5, user);                /* another VM, same ASID and VA: never shared */
    ck_assert_uint_eq(walks(e), 2);
    ev(e, TR_LOAD, 1, 6, user);                /* same VM, another ASID, non-global page */
    ck_assert_uint_eq(walks(e), 3);
    ev(e, TR_LOAD, 1, 5, kern);                /* kernel page: global */
    ck_assert_uint_eq(walks(e), 4);
    ev(e, TR_LOAD, 1, 6, kern);                /* global entries survive an ASID switch */
    ck_assert_uint_eq(walks(e), 4);
    ev(e, TR_LOAD, 2, 6, kern);                /* ...but not a VMID switch */
    ck_assert_uint_eq(walks(e), 5);
    engine_destroy(e);
}
END_TEST

START_TEST(test_tlbi_scope)
{
    struct sim_config cfg;
    struct engine *e = tlb_only(&cfg, "seed=1");
    uint64_t a = 0x400000, b = 0x800000, k = UINT64_C(0xffff800000200000);
    /* populate: VM1 ASID5 {a, b}, VM1 ASID6 {a}, VM1 kernel k (global), VM2 ASID5 {a} */
    ev(e, TR_LOAD, 1, 5, a);
    ev(e, TR_LOAD, 1, 5, b);
    ev(e, TR_LOAD, 1, 6, a);
    ev(e, TR_LOAD, 1, 5, k);
    ev(e, TR_LOAD, 2, 5, a);
    uint64_t w = walks(e);
    ck_assert_uint_eq(w, 5);

    /* VAE1 a, ASID 5, VMID 1: only (1,5,a) goes */
    tlbi(e, TLBI_VAE1, 1, 5, a);
    ev(e, TR_LOAD, 1, 6, a);
    ev(e, TR_LOAD, 2, 5, a);
    ev(e, TR_LOAD, 1, 5, b);
    ck_assert_uint_eq(walks(e), w);
    ev(e, TR_LOAD, 1, 5, a);
    ck_assert_uint_eq(walks(e), w + 1);
    w++;

    /* ASIDE1 5 in VM1: (1,5,a) and (1,5,b) go; the global kernel entry stays */
    tlbi(e, TLBI_ASIDE1, 1, 5, 0);
    ev(e, TR_LOAD, 1, 5, k);
    ev(e, TR_LOAD, 1, 6, a);
    ck_assert_uint_eq(walks(e), w);
    ev(e, TR_LOAD, 1, 5, a);
    ev(e, TR_LOAD, 1, 5, b);
    ck_assert_uint_eq(walks(e), w + 2);
    w += 2;

    /* IPAS2E1 does not remove combined stage 1+2 entries */
    tlbi(e, TLBI_IPAS2E1, 1, 0, 0x40000000);
    ev(e, TR_LOAD, 1, 5, a);
    ck_assert_uint_eq(walks(e), w);

    /* VAAE1 a: every ASID of VM1 loses a; VM2 keeps it */
    tlbi(e, TLBI_VAAE1, 1, 0, a);
    ev(e, TR_LOAD, 2, 5, a);
    ck_assert_uint_eq(walks(e), w);
    ev(e, TR_LOAD, 1, 5, a);
    ev(e, TR_LOAD, 1, 6, a);
    ck_assert_uint_eq(walks(e), w + 2);
    w += 2;

    /* VMALLE1 in VM1: everything of VM1 including global; VM2 untouched */
    tlbi(e, TLBI_VMALLE1, 1, 0, 0);
    ev(e, TR_LOAD, 2, 5, a);
    ck_assert_uint_eq(walks(e), w);
    ev(e, TR_LOAD, 1, 5, k);
    ck_assert_uint_eq(walks(e), w + 1);
    w++;

    /* ALLE1: everything */
    tlbi(e, TLBI_ALLE1, 0, 0, 0);
    ev(e, TR_LOAD, 2, 5, a);
    ck_assert_uint_eq(walks(e), w + 1);
    engine_destroy(e);
}
END_TEST

START_TEST(test_vale1_keeps_walk_cache)
{
    /* TLB + S1 walk cache, no data caches: after VALE1 the walk restarts from the walk
     * cache's level-2 entry: S1 reads L3 only (1) + stage-2 walks of the L3 table IPA (3)
     * and of the output IPA (3) = 7 refs; after VAE1 the walk cache entries for that VA are
     * gone too and the walk is the full 19. */
    struct sim_config cfg;
    struct engine *e = tlb_only(&cfg, "walk_cache.s1.enabled=true");
    struct run_totals t;
    struct sim_err err;
    uint64_t a = 0x400000;
    ev(e, TR_LOAD, 1, 5, a);
    tlbi(e, TLBI_VALE1, 1, 5, a);
    ev(e, TR_LOAD, 1, 5, a);
    ck_assert(engine_report(e, &t, &err) == SIM_OK);
    /* the first completed walk is the full 19: it is the retry after the stage-1 demand
     * fault, whose faulting walk stopped at the invalid level-0 entry and cached nothing
     * (the guest zeroed, so the hypervisor backed, every new page before the retry) */
    ck_assert_uint_eq(hist(&t, "walk_refs", 19), 1);
    ck_assert_uint_eq(hist(&t, "walk_refs", 7), 1);
    tlbi(e, TLBI_VAE1, 1, 5, a);
    ev(e, TR_LOAD, 1, 5, a);
    ck_assert(engine_report(e, &t, &err) == SIM_OK);
    ck_assert_uint_eq(hist(&t, "walk_refs", 19), 2);
    ck_assert_uint_eq((uint64_t)metric(&t, "walks"), 3);
    /* one stage-1 fault (the faulting walk) plus the stage-2 faults of zeroing the new
     * L1, L2, L3 tables and the data page: 1 + 4 */
    ck_assert_uint_eq((uint64_t)metric(&t, "demand_faults"), 5);
    engine_destroy(e);
}
END_TEST

START_TEST(test_deterministic)
{
    const char *sets[] = { "tlb.l2.replacement=random", "alloc.hypervisor.kind=scattered",
                           "alloc.hypervisor.fragmentation=0.3", "vm.backing=fraction",
                           "vm.block_fraction=0.5", NULL };
    char *json[3];
    for (int run = 0; run < 3; run++) {
        struct sim_config cfg;
        struct engine *e;
        struct sim_err err;
        struct run_totals t;
        setup_cfg(&cfg, "neoverse-n1", sets);
        ck_assert(engine_create(&e, &cfg, NULL, &err) == SIM_OK);
        /* run 2 takes the general path for every access: the fast paths must be exact */
        engine_set_fast_path(e, run != 2);
        uint64_t x = 12345;
        for (int i = 0; i < 20000; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            ev(e, (x >> 60) & 1 ? TR_STORE : TR_LOAD, 0, (x >> 50) & 3, (x >> 20) & 0x3ffffff8);
            /* runs of sequential accesses so that the fast paths are taken */
            for (int k = 1; k < 8; k++)
                ev(e, (x >> (40 + k)) & 1 ? TR_STORE : TR_LOAD, 0, (x >> 50) & 3,
                   ((x >> 20) & 0x3ffffff8) + 8 * (uint64_t)k);
            if (i % 1000 == 0)
                tlbi(e, TLBI_VAAE1, 0, 0, (x >> 20) & 0x3ffff000);
        }
        ck_assert(engine_report(e, &t, &err) == SIM_OK);
        json[run] = strdup(t.summary_json);
        engine_destroy(e);
    }
    ck_assert_str_eq(json[0], json[1]);
    ck_assert_str_eq(json[0], json[2]);
    for (int i = 0; i < 3; i++)
        free(json[i]);
}
END_TEST

/*
 * The fast paths (windows, primed windows, the first store to a line) against
 * the general path, through engine_events() as `mmusim run` replays: fetch runs,
 * unaligned accesses that cross lines and pages, stores and loads interleaved in a
 * line, context switches; with a write-back, a write-through and a write-around
 * L1D.  Same counters, cycles and histograms either way.
 */
static const char *const fast_cfgs[][3] = {
    { NULL },
    { "cache.l1d.write_back=false", NULL },
    { "cache.l1d.write_allocate=false", "cache.l2.write_allocate=false", NULL },
};

START_TEST(test_fast_path_exact)
{
    char *json[2];
    uint64_t wb[2][SERVED_DRAM + 1];
    for (int run = 0; run < 2; run++) {
        struct sim_config cfg;
        struct engine *e;
        struct sim_err err;
        struct run_totals t;
        setup_cfg(&cfg, "neoverse-n1", fast_cfgs[_i]);
        ck_assert(engine_create(&e, &cfg, NULL, &err) == SIM_OK);
        engine_set_fast_path(e, run == 0);
        struct trace_rec b[64];
        uint64_t x = 777, pc = 0x400000;
        for (int i = 0; i < 6000; i++) {
            unsigned n = 0;
            uint16_t asid = (uint16_t)(1 + (i / 500) % 3);
            uint64_t base = 0x10000000 + ((x >> 20) & 0xffffc0);
            for (int k = 0; k < 16; k++) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                unsigned r = (unsigned)(x >> 58);
                if (r < 16) {
                    pc += r == 0 ? 0x1000 : 4;           /* a run of fetches, now and then a jump */
                    b[n++] = (struct trace_rec){ .kind = TR_IFETCH, .asid = asid, .size = 4,
                                                 .va = pc };
                } else {
                    /* 8-byte steps in a line, sometimes 16 bytes across a line or page end */
                    uint32_t size = r > 60 ? 16 : 8;
                    uint64_t va = r > 62 ? (base | 0xff8) : base + 8 * (uint64_t)(k % 8) + (r > 60 ? 60 : 0);
                    b[n++] = (struct trace_rec){ .kind = (uint8_t)(r & 1 ? TR_STORE : TR_LOAD),
                                                 .asid = asid, .size = size, .va = va };
                }
            }
            ck_assert_msg(engine_events(e, b, n, &err) == SIM_OK, "%s", err.msg);
        }
        ck_assert(engine_report(e, &t, &err) == SIM_OK);
        json[run] = strdup(t.summary_json);
        /* dirty state shows in the write-backs, which the summary does not carry */
        for (int l = 0; l <= SERVED_DRAM; l++)
            wb[run][l] = cache_hier_stats(engine_caches(e), (enum mem_served)l)->writebacks;
        ck_assert_int_eq(cache_hier_check(engine_caches(e)), 0);
        engine_destroy(e);
    }
    ck_assert_str_eq(json[0], json[1]);
    for (int l = 0; l <= SERVED_DRAM; l++)
        ck_assert_uint_eq(wb[0][l], wb[1][l]);
    ck_assert_uint_gt(wb[0][0] + wb[0][1] + wb[0][2] + wb[0][SERVED_DRAM], 0);
    free(json[0]);
    free(json[1]);
}
END_TEST

/*
 * Every descriptor store of a demand fault goes through the data caches.  A
 * first load in a 2M stage-1 block (4K stage-1 granule: a level-2 block) whose
 * IPAs the hypervisor backs with 4K pages: the guest zeroes the block, so the
 * hypervisor backs each of its 2M / 4K = 512 pages, writing a stage-2 leaf
 * descriptor for each; with the stage-1 block descriptor and the table
 * descriptors, more than 512 stores reach L1D.  The walks of that one access
 * (at most MAX_RETRY of at most 4 + 5 * 3 = 19 reads) and its data access add far
 * fewer than that, so a log that kept only some of the stores stays below 512.
 */
START_TEST(test_demand_fault_stores)
{
    static const char *const sets[] = { "process.pages=fraction", "process.block_size=2M",
                                        "process.block_fraction=1", "vm.s2_granule=4k",
                                        "process.s1_granule=4k", NULL };
    struct sim_config cfg;
    struct engine *e;
    struct sim_err err;
    setup_cfg(&cfg, "neoverse-n1", sets);
    ck_assert(engine_create(&e, &cfg, NULL, &err) == SIM_OK);
    ev(e, TR_LOAD, 0, 1, 0x40200000);
    const struct cache_level_stats *l1 = cache_hier_stats(engine_caches(e), SERVED_L1);
    ck_assert_uint_gt(l1->accesses, 512);
    ck_assert_uint_lt(l1->accesses, 512 + 8 * 19 + 64);   /* stores, walks, the load */
    engine_destroy(e);
}
END_TEST

/*
 * The look-ahead of engine_events() (host prefetches of the coming walks' leaf
 * descriptors) has no simulated effect: a walk-heavy random stream, with context
 * switches (two ASIDs) and a TLBI now and then, gives the same summary and cache
 * contents with it and without it, natively and nested.  And it does look ahead:
 * once the footprint is mapped, it predicts where nearly every walk finds its
 * leaves (a wrong prediction is harmless, but then it would do nothing useful).
 */
static const char *const ahead_cfgs[][2] = {
    { NULL },
    { "machine.virtualized=false", NULL },
};

START_TEST(test_lookahead_exact)
{
    char *json[2];
    uint64_t checked[2][2], right[2][2];
    unsigned walks = 0;
    for (int run = 0; run < 2; run++) {
        struct sim_config cfg;
        struct engine *e;
        struct sim_err err;
        struct run_totals t;
        setup_cfg(&cfg, "neoverse-n1", ahead_cfgs[_i]);
        ck_assert(engine_create(&e, &cfg, NULL, &err) == SIM_OK);
        engine_set_lookahead(e, run == 0);
        struct trace_rec b[256];
        uint64_t x = 4242;
        /* map 64 MiB in each ASID first (16384 pages each), then 160K random accesses */
        for (uint16_t asid = 1; asid <= 2; asid++)
            for (uint64_t pg = 0; pg < 16384; pg += 256) {
                for (unsigned k = 0; k < 256; k++)
                    b[k] = (struct trace_rec){ .kind = TR_LOAD, .asid = asid, .size = 8,
                                               .va = 0x40000000 + ((pg + k) << 12) };
                ck_assert_msg(engine_events(e, b, 256, &err) == SIM_OK, "%s", err.msg);
            }
        for (int i = 0; i < 640; i++) {
            for (unsigned k = 0; k < 256; k++) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                b[k] = (struct trace_rec){ .kind = (uint8_t)((x >> 63) ? TR_STORE : TR_LOAD),
                                           .asid = (uint16_t)(1 + ((x >> 62) & 1 && k > 128)),
                                           .size = 8, .va = 0x40000000 + ((x >> 20) & 0x3fffff8) };
                if (k == 200 && i % 64 == 0)
                    b[k] = (struct trace_rec){ .kind = TR_TLBI, .tlbi = TLBI_VMALLE1,
                                               .asid = 1 };
            }
            ck_assert_msg(engine_events(e, b, 256, &err) == SIM_OK, "%s", err.msg);
        }
        ck_assert(engine_report(e, &t, &err) == SIM_OK);
        json[run] = strdup(t.summary_json);
        const char *w = strstr(t.summary_json, "\"walks\": ");
        ck_assert_ptr_nonnull(w);
        walks = (unsigned)strtoul(w + 9, NULL, 10);
        engine_lookahead_stats(e, checked[run], right[run]);
        ck_assert_int_eq(cache_hier_check(engine_caches(e)), 0);
        engine_destroy(e);
    }
    ck_assert_str_eq(json[0], json[1]);
    /* without the look-ahead nothing is predicted */
    ck_assert_uint_eq(checked[1][0] + checked[1][1], 0);
    /* with it: most walks' stage-1 leaves (and nested, stage-2 leaves) predicted, and right */
    ck_assert_uint_gt(walks, 100000);
    ck_assert_uint_gt(checked[0][0], walks * 8 / 10);
    ck_assert_uint_eq(right[0][0], checked[0][0]);
    if (_i == 0) {
        ck_assert_uint_gt(checked[0][1], walks * 6 / 10);
        ck_assert_uint_eq(right[0][1], checked[0][1]);
    } else {
        ck_assert_uint_eq(checked[0][1], 0);
    }
    free(json[0]);
    free(json[1]);
}
END_TEST

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("refs");
    tcase_add_loop_test(tc, test_no_caching_refs, 0, (int)(sizeof(refs_rows) / sizeof(refs_rows[0])));
    suite_add_tcase(s, tc);
    tc = tcase_create("tlb");
    tcase_add_test(tc, test_tagging);
    tcase_add_test(tc, test_tlbi_scope);
    tcase_add_test(tc, test_vale1_keeps_walk_cache);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_demand_fault_stores);
    tcase_add_loop_test(tc, test_fast_path_exact, 0, (int)(sizeof(fast_cfgs) / sizeof(fast_cfgs[0])));
    tcase_add_loop_test(tc, test_lookahead_exact, 0,
                        (int)(sizeof(ahead_cfgs) / sizeof(ahead_cfgs[0])));
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * tests/check_cache.c - the data-cache hierarchy (cache/cache.h) on streams
 * whose hits, misses, write-backs and cycles are worked out by hand.
 *
 * Latencies used throughout unless a test says otherwise: L1D 4, L2 10,
 * LLC 30, DRAM 200 cycles.  Set index = (pa / line) mod sets.
 */
#include <check.h>
#include <string.h>

#include "cache/cache.h"

#define L1_LAT 4
#define L2_LAT 10
#define LLC_LAT 30
#define DRAM_LAT 200

static struct cache_config lvl(uint64_t size, uint32_t ways, uint32_t line, uint32_t lat)
{
    struct cache_config c = { .enabled = true, .size_bytes = size, .ways = ways,
                              .line_bytes = line, .latency_cycles = lat, .repl = REPL_LRU,
                              .write_back = true, .write_allocate = true };
    return c;
}

/* A roomy default: L1D 32K 4-way, L2 256K 8-way, LLC 2M 16-way, 64 B lines. */
static struct mem_config defcfg(void)
{
    struct mem_config m = {
        .l1d = lvl(32 << 10, 4, 64, L1_LAT),
        .l2 = lvl(256 << 10, 8, 64, L2_LAT),
        .llc = lvl(2 << 20, 16, 64, LLC_LAT),
        .dram_latency_cycles = DRAM_LAT,
        .walker_port = PORT_L1D,
    };
    return m;
}

static struct cache_hier *mk(const struct mem_config *m)
{
    struct sim_err e;
    sim_err_clear(&e);
    struct cache_hier *h = cache_hier_create(m, 1, &e);
    ck_assert_msg(h != NULL, "%s", e.msg);
    ck_assert_int_eq(cache_hier_check(h), 0);
    return h;
}

/* One access, checked for cycles and the serving level, then the invariants. */
static void acc(struct cache_hier *h, uint64_t pa, enum mem_op op, enum walker_port from,
                uint32_t cycles, uint8_t served)
{
    uint8_t s = 99;
    uint32_t c = cache_hier_access(h, pa, op, from, &s);
    ck_assert_msg(c == cycles && s == served, "pa 0x%llx: %u cycles from %u, expected %u from %u",
                  (unsigned long long)pa, c, s, cycles, served);
    ck_assert_int_eq(cache_hier_check(h), 0);
}

static const struct cache_level_stats *st(struct cache_hier *h, enum mem_served l)
{
    return cache_hier_stats(h, l);
}

START_TEST(test_cache_direct_mapped)
{
    /* L1D only: 1 KB direct-mapped, 64 B lines -> 16 sets; 0x0 and 0x400 share set 0.
     * Alternating them misses every time: 4 + 200 cycles each. */
    struct mem_config m = defcfg();
    m.l1d = lvl(1024, 1, 64, L1_LAT);
    m.l2.enabled = m.llc.enabled = false;
    struct cache_hier *h = mk(&m);
    for (int i = 0; i < 10; i++)
        acc(h, (i & 1) ? 0x400 : 0x0, MEM_READ, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);
    ck_assert_uint_eq(st(h, SERVED_L1)->misses, 10);
    ck_assert_uint_eq(st(h, SERVED_L1)->hits, 0);
    /* 0x440 is set 1: a miss, then a hit; 0x400 (last filled) still hits */
    acc(h, 0x440, MEM_READ, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);
    acc(h, 0x47f, MEM_READ, PORT_L1D, L1_LAT, SERVED_L1);
    acc(h, 0x408, MEM_READ, PORT_L1D, L1_LAT, SERVED_L1);
    ck_assert_uint_eq(st(h, SERVED_DRAM)->accesses, 11);
    ck_assert_uint_eq(st(h, SERVED_L1)->accesses, 13);
    cache_hier_destroy(h);
}
END_TEST

START_TEST(test_cache_sequential)
{
    /* 8 KB read 8 bytes at a time: 8192 / 64 = 128 lines -> 128 misses, the other
     * 1024 - 128 = 896 accesses hit.  It fits in L1 (32 KB), so a second pass hits. */
    struct mem_config m = defcfg();
    struct cache_hier *h = mk(&m);
    uint64_t cycles = 0;
    for (uint64_t pa = 0x100000; pa < 0x102000; pa += 8)
        cycles += cache_hier_access(h, pa, MEM_READ, PORT_L1D, NULL);
    ck_assert_uint_eq(st(h, SERVED_L1)->misses, 128);
    ck_assert_uint_eq(st(h, SERVED_L1)->hits, 896);
    ck_assert_uint_eq(st(h, SERVED_L2)->accesses, 128);
    ck_assert_uint_eq(st(h, SERVED_LLC)->misses, 128);
    ck_assert_uint_eq(st(h, SERVED_DRAM)->accesses, 128);
    ck_assert_uint_eq(cycles, 1024 * L1_LAT + 128 * (L2_LAT + LLC_LAT + DRAM_LAT));
    ck_assert_int_eq(cache_hier_check(h), 0);
    cache_hier_reset_stats(h);
    for (uint64_t pa = 0x100000; pa < 0x102000; pa += 8)
        cache_hier_access(h, pa, MEM_READ, PORT_L1D, NULL);
    ck_assert_uint_eq(st(h, SERVED_L1)->hits, 1024);
    ck_assert_uint_eq(st(h, SERVED_L1)->misses, 0);
    cache_hier_destroy(h);
}
END_TEST

START_TEST(test_cache_lru_plru)
{
    /* L1: one set of 2 ways (128 B, 64 B lines); LLC only below.
     * A B A C: C evicts B (LRU; recency then A, C).  A hits (recency C, A), so the
     * following B misses in L1, comes from the LLC and evicts C. */
    struct mem_config m = defcfg();
    m.l1d = lvl(128, 2, 64, L1_LAT);
    m.l2.enabled = false;
    struct cache_hier *h = mk(&m);
    const uint64_t A = 0x0, B = 0x1000, C = 0x2000, D = 0x3000, E = 0x4000;
    const uint32_t miss = L1_LAT + LLC_LAT + DRAM_LAT;
    acc(h, A, MEM_READ, PORT_L1D, miss, SERVED_DRAM);
    acc(h, B, MEM_READ, PORT_L1D, miss, SERVED_DRAM);
    acc(h, A, MEM_READ, PORT_L1D, L1_LAT, SERVED_L1);
    acc(h, C, MEM_READ, PORT_L1D, miss, SERVED_DRAM);
    ck_assert(!cache_hier_probe(h, SERVED_L1, B));
    acc(h, A, MEM_READ, PORT_L1D, L1_LAT, SERVED_L1);
    acc(h, B, MEM_READ, PORT_L1D, L1_LAT + LLC_LAT, SERVED_LLC);   /* B still in the LLC */
    ck_assert(!cache_hier_probe(h, SERVED_L1, C));                 /* recency A, C -> C went */
    cache_hier_destroy(h);

    /* One set of 4 ways: A B C D A E.  LRU evicts B; tree-PLRU evicts C (bits worked
     * out in check_tlb.c test_repl_plru: after A B C D A the root points right and
     * the right node points left). */
    for (int p = 0; p < 2; p++) {
        m.l1d = lvl(256, 4, 64, L1_LAT);
        m.l1d.repl = p ? REPL_PLRU : REPL_LRU;
        h = mk(&m);
        const uint64_t seq[] = { A, B, C, D, A, E };
        for (unsigned i = 0; i < ARRAY_SIZE(seq); i++)
            cache_hier_access(h, seq[i], MEM_READ, PORT_L1D, NULL);
        ck_assert(cache_hier_probe(h, SERVED_L1, p ? B : C));
        ck_assert(!cache_hier_probe(h, SERVED_L1, p ? C : B));
        ck_assert(cache_hier_probe(h, SERVED_L1, A) && cache_hier_probe(h, SERVED_L1, D) &&
                  cache_hier_probe(h, SERVED_L1, E));
        ck_assert_uint_eq(st(h, SERVED_L1)->hits, 1);
        cache_hier_destroy(h);
    }
}
END_TEST

START_TEST(test_cache_writeback)
{
    /* L1: one set, 2 ways, write-back + write-allocate; L2 big below.
     * write A, write B (both dirty in L1), read C evicts A (LRU) -> 1 write-back,
     * A now dirty in L2.  read D evicts B -> 2.  read E evicts C (clean) -> still 2. */
    struct mem_config m = defcfg();
    m.l1d = lvl(128, 2, 64, L1_LAT);
    struct cache_hier *h = mk(&m);
    const uint64_t A = 0x0, B = 0x1000, C = 0x2000, D = 0x3000, E = 0x4000;
    const uint32_t miss = L1_LAT + L2_LAT + LLC_LAT + DRAM_LAT;
    acc(h, A, MEM_WRITE, PORT_L1D, miss, SERVED_DRAM);
    acc(h, B + 8, MEM_WRITE, PORT_L1D, miss, SERVED_DRAM);
    ck_assert(cache_hier_probe_dirty(h, SERVED_L1, A));
    ck_assert(!cache_hier_probe_dirty(h, SERVED_L2, A));   /* filled clean below */
    acc(h, C, MEM_READ, PORT_L1D, miss, SERVED_DRAM);
    ck_assert_uint_eq(st(h, SERVED_L1)->writebacks, 1);
    ck_assert(!cache_hier_probe(h, SERVED_L1, A));
    ck_assert(cache_hier_probe_dirty(h, SERVED_L2, A));
    acc(h, D, MEM_READ, PORT_L1D, miss, SERVED_DRAM);
    ck_assert_uint_eq(st(h, SERVED_L1)->writebacks, 2);
    acc(h, E, MEM_READ, PORT_L1D, miss, SERVED_DRAM);
    ck_assert_uint_eq(st(h, SERVED_L1)->writebacks, 2);
    /* write-backs are not charged and not counted as L2 accesses: 5 misses only */
    ck_assert_uint_eq(st(h, SERVED_L2)->accesses, 5);
    ck_assert_uint_eq(st(h, SERVED_L2)->writebacks, 0);
    /* A read back comes from L2 */
    acc(h, A, MEM_READ, PORT_L1D, L1_LAT + L2_LAT, SERVED_L2);
    cache_hier_destroy(h);

    /* Write-backs cascade.  L1 and L2 each hold a single line, LLC big.
     * write A: A in all three, dirty in L1.  read B: filled into the LLC, then L2
     * (evicting clean A), then L1, evicting dirty A, whose write-back allocates A
     * in L2 (write-allocate) and evicts clean B there.  So L1 wb = 1, L2 holds A
     * dirty, B is in L1 and the LLC only. */
    m = defcfg();
    m.l1d = lvl(64, 1, 64, L1_LAT);
    m.l2 = lvl(64, 1, 64, L2_LAT);
    h = mk(&m);
    acc(h, A, MEM_WRITE, PORT_L1D, miss, SERVED_DRAM);
    acc(h, B, MEM_READ, PORT_L1D, miss, SERVED_DRAM);
    ck_assert_uint_eq(st(h, SERVED_L1)->writebacks, 1);
    ck_assert(cache_hier_probe_dirty(h, SERVED_L2, A));
    ck_assert(!cache_hier_probe(h, SERVED_L2, B));
    ck_assert(cache_hier_probe(h, SERVED_L1, B) && cache_hier_probe(h, SERVED_LLC, B));
    /* read C: L1 evicts clean B; L2 fill of C evicts dirty A -> LLC (L2 wb = 1) */
    acc(h, C, MEM_READ, PORT_L1D, miss, SERVED_DRAM);
    ck_assert_uint_eq(st(h, SERVED_L2)->writebacks, 1);
    ck_assert(cache_hier_probe_dirty(h, SERVED_LLC, A));
    cache_hier_destroy(h);
}
END_TEST

START_TEST(test_cache_write_through_around)
{
    /* L1 write-through + write-around; L2 write-back + allocate; LLC off. */
    struct mem_config m = defcfg();
    m.l1d.write_back = false;
    m.l1d.write_allocate = false;
    m.llc.enabled = false;
    struct cache_hier *h = mk(&m);
    const uint64_t A = 0x8000;
    /* write miss: looked up in L1 and L2, served by DRAM; L1 not allocated; L2 allocated dirty */
    acc(h, A, MEM_WRITE, PORT_L1D, L1_LAT + L2_LAT + DRAM_LAT, SERVED_DRAM);
    ck_assert(!cache_hier_probe(h, SERVED_L1, A));
    ck_assert(cache_hier_probe_dirty(h, SERVED_L2, A));
    /* read: L1 miss, L2 hit; L1 filled */
    acc(h, A, MEM_READ, PORT_L1D, L1_LAT + L2_LAT, SERVED_L2);
    ck_assert(cache_hier_probe(h, SERVED_L1, A));
    /* write hit in the write-through L1: stays clean there, the write reaches L2 */
    acc(h, A + 4, MEM_WRITE, PORT_L1D, L1_LAT, SERVED_L1);
    ck_assert(!cache_hier_probe_dirty(h, SERVED_L1, A));
    ck_assert(cache_hier_probe_dirty(h, SERVED_L2, A));
    ck_assert_uint_eq(st(h, SERVED_DRAM)->writebacks, 0);
    cache_hier_destroy(h);

    /* Only a write-through, write-around L1: writes go straight to DRAM, never allocate. */
    m = defcfg();
    m.l1d.write_back = false;
    m.l1d.write_allocate = false;
    m.l2.enabled = m.llc.enabled = false;
    h = mk(&m);
    acc(h, A, MEM_WRITE, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);
    acc(h, A, MEM_WRITE, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);
    ck_assert(!cache_hier_probe(h, SERVED_L1, A));
    ck_assert_uint_eq(st(h, SERVED_DRAM)->writebacks, 2);
    acc(h, A, MEM_READ, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);   /* reads allocate */
    acc(h, A, MEM_WRITE, PORT_L1D, L1_LAT, SERVED_L1);               /* hit, written through */
    ck_assert_uint_eq(st(h, SERVED_DRAM)->writebacks, 3);
    cache_hier_destroy(h);
}
END_TEST

START_TEST(test_cache_ports_disabled)
{
    struct mem_config m = defcfg();
    struct cache_hier *h = mk(&m);
    const uint64_t T = 0x40000;   /* a page-table line */
    /* the walker on the L2 port skips L1D: 10 + 30 + 200, L1 untouched and not filled */
    acc(h, T, MEM_READ, PORT_L2, L2_LAT + LLC_LAT + DRAM_LAT, SERVED_DRAM);
    acc(h, T, MEM_READ, PORT_L2, L2_LAT, SERVED_L2);
    ck_assert_uint_eq(st(h, SERVED_L1)->accesses, 0);
    ck_assert(!cache_hier_probe(h, SERVED_L1, T));
    /* LLC port */
    acc(h, T + 64, MEM_READ, PORT_LLC, LLC_LAT + DRAM_LAT, SERVED_DRAM);
    acc(h, T + 64, MEM_READ, PORT_LLC, LLC_LAT, SERVED_LLC);
    ck_assert(!cache_hier_probe(h, SERVED_L2, T + 64));
    /* data from L1D finds the walker's line in L2: 4 + 10 */
    acc(h, T, MEM_READ, PORT_L1D, L1_LAT + L2_LAT, SERVED_L2);
    cache_hier_destroy(h);

    /* L2 disabled: skipped, neither charged nor counted */
    m = defcfg();
    m.l2.enabled = false;
    h = mk(&m);
    acc(h, T, MEM_READ, PORT_L1D, L1_LAT + LLC_LAT + DRAM_LAT, SERVED_DRAM);
    acc(h, T, MEM_READ, PORT_L1D, L1_LAT, SERVED_L1);
    acc(h, T + 128, MEM_READ, PORT_L2, LLC_LAT + DRAM_LAT, SERVED_DRAM);  /* port L2 -> LLC */
    ck_assert_uint_eq(st(h, SERVED_L2)->accesses, 0);
    cache_hier_destroy(h);

    /* everything disabled: DRAM only */
    m.l1d.enabled = m.llc.enabled = false;
    h = mk(&m);
    acc(h, T, MEM_READ, PORT_L1D, DRAM_LAT, SERVED_DRAM);
    acc(h, T, MEM_WRITE, PORT_L1D, DRAM_LAT, SERVED_DRAM);
    cache_hier_destroy(h);
}
END_TEST

START_TEST(test_cache_latency_sums)
{
    /* L1 direct-mapped 1 KB: lines 0x0 and 0x400 conflict in L1 but not in L2/LLC. */
    struct mem_config m = defcfg();
    m.l1d = lvl(1024, 1, 64, L1_LAT);
    struct cache_hier *h = mk(&m);
    acc(h, 0x0, MEM_READ, PORT_L1D, 244, SERVED_DRAM);      /* 4 + 10 + 30 + 200 */
    acc(h, 0x0, MEM_READ, PORT_L1D, 4, SERVED_L1);
    acc(h, 0x400, MEM_READ, PORT_L1D, 244, SERVED_DRAM);
    acc(h, 0x0, MEM_READ, PORT_L1D, 14, SERVED_L2);         /* 4 + 10 */
    cache_hier_destroy(h);

    /* a 128 B-line LLC under 64 B lines: 0x80 and 0xc0 share one LLC line */
    m = defcfg();
    m.l2.enabled = false;
    m.llc = lvl(1 << 20, 8, 128, LLC_LAT);
    h = mk(&m);
    acc(h, 0x80, MEM_READ, PORT_L1D, L1_LAT + LLC_LAT + DRAM_LAT, SERVED_DRAM);
    acc(h, 0xc0, MEM_READ, PORT_L1D, L1_LAT + LLC_LAT, SERVED_LLC);
    cache_hier_destroy(h);
}
END_TEST

START_TEST(test_cache_geometry)
{
    /* fully associative (ways 0): 256 B / 64 B = 4 lines in one set; four lines that
     * would share a set anywhere else all stay */
    struct mem_config m = defcfg();
    m.l1d = lvl(256, 0, 64, L1_LAT);
    m.l2.enabled = m.llc.enabled = false;
    struct cache_hier *h = mk(&m);
    for (uint64_t i = 0; i < 4; i++)
        acc(h, i << 20, MEM_READ, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);
    for (uint64_t i = 0; i < 4; i++)
        acc(h, i << 20, MEM_READ, PORT_L1D, L1_LAT, SERVED_L1);
    cache_hier_destroy(h);

    /* 3 sets (384 B, 2 ways, 64 B): line numbers 0, 3, 6 map to set 0 (mod 3) */
    m.l1d = lvl(384, 2, 64, L1_LAT);
    h = mk(&m);
    acc(h, 0 * 64, MEM_READ, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);
    acc(h, 3 * 64, MEM_READ, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);
    acc(h, 1 * 64, MEM_READ, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);   /* set 1 */
    acc(h, 6 * 64, MEM_READ, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);   /* evicts line 0 */
    acc(h, 0 * 64, MEM_READ, PORT_L1D, L1_LAT + DRAM_LAT, SERVED_DRAM);   /* evicts line 3 */
    acc(h, 1 * 64, MEM_READ, PORT_L1D, L1_LAT, SERVED_L1);
    acc(h, 6 * 64, MEM_READ, PORT_L1D, L1_LAT, SERVED_L1);
    cache_hier_destroy(h);

    /* bad configurations name the JSON path */
    struct sim_err e;
    m = defcfg();
    m.l1d.line_bytes = 48;
    ck_assert_ptr_null(cache_hier_create(&m, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "mem.l1d.line_bytes"));
    m = defcfg();
    m.l2.ways = 3;   /* 256K / (3 * 64) is not an integer */
    ck_assert_ptr_null(cache_hier_create(&m, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "mem.l2.ways"));
    m = defcfg();
    m.llc.size_bytes = 100;
    ck_assert_ptr_null(cache_hier_create(&m, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "mem.llc.size_bytes"));
    m = defcfg();
    m.llc.ways = 1u << 20;   /* more ways than lines */
    ck_assert_ptr_null(cache_hier_create(&m, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "mem.llc.ways"));
    m = defcfg();
    m.l1d.repl = (enum repl_policy)9;
    ck_assert_ptr_null(cache_hier_create(&m, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "mem.l1d.repl"));
    m = defcfg();
    m.walker_port = (enum walker_port)0;
    ck_assert_ptr_null(cache_hier_create(&m, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "mem.walker_port"));
    m = defcfg();
    m.l2.enabled = false;
    m.l2.line_bytes = 0;   /* a disabled level is not validated */
    h = cache_hier_create(&m, 1, &e);
    ck_assert_ptr_nonnull(h);
    ck_assert_ptr_null(cache_hier_stats(h, (enum mem_served)7));
    cache_hier_destroy(h);
}
END_TEST

START_TEST(test_cache_random_seed)
{
    /* Random replacement: the same seed gives the same stats, another seed other
     * victims (a 4-way L1 cycling over 5 conflicting lines many times). */
    struct mem_config m = defcfg();
    m.l1d = lvl(256, 4, 64, L1_LAT);
    m.l1d.repl = REPL_RANDOM;
    struct sim_err e;
    struct cache_hier *a = cache_hier_create(&m, 11, &e), *b = cache_hier_create(&m, 11, &e),
                      *c = cache_hier_create(&m, 12, &e);
    ck_assert(a && b && c);
    unsigned differ = 0;
    for (int i = 0; i < 5000; i++) {
        uint64_t pa = (uint64_t)(i % 5) << 12;
        uint8_t sa, sb, sc;
        cache_hier_access(a, pa, MEM_READ, PORT_L1D, &sa);
        cache_hier_access(b, pa, MEM_READ, PORT_L1D, &sb);
        cache_hier_access(c, pa, MEM_READ, PORT_L1D, &sc);
        ck_assert_uint_eq(sa, sb);
        differ += sa != sc;
    }
    ck_assert_uint_gt(differ, 0);
    ck_assert_uint_eq(st(a, SERVED_L1)->misses, st(b, SERVED_L1)->misses);
    ck_assert_int_eq(cache_hier_check(a), 0);
    cache_hier_destroy(a);
    cache_hier_destroy(b);
    cache_hier_destroy(c);
}
END_TEST

/* Random mixed reads and writes over every policy combination, against the checker. */
START_TEST(test_cache_soak)
{
    struct sim_rng g;
    sim_rng_seed(&g, 3);
    for (int combo = 0; combo < 16; combo++) {
        struct mem_config m = defcfg();
        m.l1d = lvl(512, 2, 64, L1_LAT);
        m.l2 = lvl(2048, 4, 64, L2_LAT);
        m.llc = lvl(8192, 0, 128, LLC_LAT);
        m.l1d.write_back = combo & 1;
        m.l1d.write_allocate = combo & 2;
        m.l2.write_back = combo & 4;
        m.l2.write_allocate = combo & 8;
        m.l1d.repl = (enum repl_policy)(combo % 3);
        m.l2.repl = (enum repl_policy)((combo + 1) % 3);
        m.llc.repl = (enum repl_policy)((combo + 2) % 3);
        struct cache_hier *h = mk(&m);
        for (int i = 0; i < 3000; i++) {
            uint64_t pa = sim_rng_below(&g, 1 << 15);
            enum mem_op op = (enum mem_op)(sim_rng_next(&g) & 1);
            enum walker_port port = (enum walker_port)(1 + sim_rng_below(&g, 3));
            uint8_t s;
            uint32_t cyc = cache_hier_access(h, pa, op, port, &s);
            /* served level and cycles agree: latencies of the levels from the port down */
            static const uint32_t lat[4] = { L1_LAT, L2_LAT, LLC_LAT, DRAM_LAT };
            uint32_t expect = 0;
            for (unsigned k = port - 1; k <= s; k++)
                expect += lat[k];
            ck_assert_uint_eq(cyc, expect);
            ck_assert_int_eq(cache_hier_check(h), 0);
        }
        cache_hier_destroy(h);
    }
}
END_TEST

/*
 * The specialised path of plain hierarchies (all levels write-back,
 * write-allocate, LRU) against the general one, on the same random stream:
 * every access's cycles and serving level, then every counter, line and dirty
 * bit must agree.  Geometries cover 2/4/8/16 ways and 1, 2 or 3 levels (the
 * 16-way level, with 24-bit tags, last or in the middle), and addresses whose
 * tags are inexact.
 */
START_TEST(test_cache_plain_vs_general)
{
    struct sim_rng g;
    sim_rng_seed(&g, 7);
    for (int cfg = 0; cfg < 10; cfg++) {
        struct mem_config m = defcfg();
        if (cfg >= 1) {
            m.l1d = lvl(512, 2, 64, L1_LAT);
            m.l2 = lvl(4096, 8, 64, L2_LAT);
            m.llc = lvl(16384, 16, 64, LLC_LAT);
        }
        if (cfg == 2)
            m.l1d = lvl(1024, 4, 64, L1_LAT);
        if (cfg == 3)
            m.llc.enabled = false;
        if (cfg == 4)
            m.l2.enabled = m.llc.enabled = false;
        if (cfg == 6) {
            /* a 16-way L2 above an 8-way LLC */
            m.l1d = lvl(1024, 4, 64, L1_LAT);
            m.l2 = lvl(8192, 16, 64, L2_LAT);
            m.llc = lvl(32768, 8, 64, LLC_LAT);
        }
        /* the other geometries with straight-line miss paths (access_plain_miss()):
         * cortex-a55 4/4/16, cortex-a53 4/16, cortex-a72 2/16 */
        if (cfg == 7) {
            m.l1d = lvl(1024, 4, 64, L1_LAT);
            m.l2 = lvl(4096, 4, 64, L2_LAT);
        }
        if (cfg == 8 || cfg == 9) {
            m.l1d = lvl(cfg == 8 ? 1024 : 512, cfg == 8 ? 4 : 2, 64, L1_LAT);
            m.l2 = lvl(8192, 16, 64, L2_LAT);
            m.llc.enabled = false;
        }
        /* cfg 5, 6: addresses far above any PA as well, where tags are not exact
         * (lines whose low bits agree share them) and must be confirmed */
        static const uint64_t high[4] = { 0, UINT64_C(1) << 41, UINT64_C(1) << 44,
                                          UINT64_C(1) << 63 };
        uint64_t span = cfg ? 1 << 16 : 8 << 20;
        struct cache_hier *a = mk(&m), *b = mk(&m);
        cache_hier_force_general(b);
        uint64_t last = 0;
        for (int i = 0; i < 40000; i++) {
            uint64_t pa = sim_rng_below(&g, span);
            if (cfg == 5 || cfg == 6)
                pa |= high[sim_rng_below(&g, 4)];
            enum mem_op op = (enum mem_op)(sim_rng_next(&g) & 1);
            enum walker_port port = (enum walker_port)(1 + sim_rng_below(&g, 3));
            if (sim_rng_below(&g, 4) == 0) {
                /* a repeat of the line touched last, as the engine's fast path makes */
                pa = (last & ~(uint64_t)63) | (pa & 63);
                if (op == MEM_WRITE && port == PORT_L1D) {
                    bool sa = cache_hier_store_mru(a, pa), sb = cache_hier_store_mru(b, pa);
                    ck_assert(sa == sb);
                    if (sa)
                        continue;
                }
            }
            last = pa;
            uint8_t sa = 99, sb = 99;
            uint32_t ca = cache_hier_access(a, pa, op, port, &sa);
            uint32_t cb = cache_hier_access(b, pa, op, port, &sb);
            ck_assert_msg(ca == cb && sa == sb, "cfg %d access %d: %u/%u cycles, served %u/%u",
                          cfg, i, ca, cb, sa, sb);
        }
        ck_assert_int_eq(cache_hier_check(a), 0);
        ck_assert_int_eq(cache_hier_check(b), 0);
        for (int l = SERVED_L1; l <= SERVED_DRAM; l++)
            ck_assert_mem_eq(st(a, (enum mem_served)l), st(b, (enum mem_served)l),
                             sizeof(struct cache_level_stats));
        for (uint64_t pa = 0; pa < span; pa += 64)
            for (int l = SERVED_L1; l <= SERVED_LLC; l++) {
                ck_assert(cache_hier_probe(a, (enum mem_served)l, pa) ==
                          cache_hier_probe(b, (enum mem_served)l, pa));
                ck_assert(cache_hier_probe_dirty(a, (enum mem_served)l, pa) ==
                          cache_hier_probe_dirty(b, (enum mem_served)l, pa));
            }
        cache_hier_destroy(a);
        cache_hier_destroy(b);
    }
}
END_TEST

/*
 * Dirty state per way, at both ends of a set's dirty bits: a 16-way set (one
 * word, ways 0 and 15 included; the plain and the general path), with lines far
 * above any PA whose tags are inexact as well, and a 128-way set (two words,
 * general path only).  Writing every way makes every way dirty and nothing
 * else; reading as many other lines evicts each once, one write-back apiece,
 * and each written line is then dirty in L2 (consecutive lines: in distinct L2
 * sets, so L2 evicts nothing).
 */
START_TEST(test_cache_dirty_bits)
{
    static const uint32_t ways[] = { 16, 16, 128 };
    for (int cfg = 0; cfg < 6; cfg++) {
        uint32_t n = ways[cfg % 3];
        struct mem_config m = defcfg();
        m.l1d = lvl((uint64_t)n * 64, n, 64, L1_LAT);
        struct cache_hier *h = mk(&m);
        if (cfg % 3 == 1)
            cache_hier_force_general(h);
        /* cfg 3..5: the same far above any PA (inexact tags) */
        uint64_t high = cfg >= 3 ? UINT64_C(1) << 62 : 0;
        for (uint32_t i = 0; i < n; i++)
            cache_hier_access(h, high | (uint64_t)i * 64, MEM_WRITE, PORT_L1D, NULL);
        ck_assert_int_eq(cache_hier_check(h), 0);
        for (uint32_t i = 0; i < n; i++) {
            ck_assert(cache_hier_probe_dirty(h, SERVED_L1, high | (uint64_t)i * 64));
            ck_assert(!cache_hier_probe_dirty(h, SERVED_L2, high | (uint64_t)i * 64));
        }
        ck_assert_uint_eq(st(h, SERVED_L1)->writebacks, 0);
        for (uint32_t i = 0; i < n; i++) {
            cache_hier_access(h, high | (uint64_t)(n + i) * 64, MEM_READ, PORT_L1D, NULL);
            ck_assert_uint_eq(st(h, SERVED_L1)->writebacks, i + 1);
            ck_assert(cache_hier_probe_dirty(h, SERVED_L2, high | (uint64_t)i * 64));
        }
        ck_assert_int_eq(cache_hier_check(h), 0);
        for (uint32_t i = 0; i < n; i++) {
            ck_assert(!cache_hier_probe(h, SERVED_L1, high | (uint64_t)i * 64));
            ck_assert(!cache_hier_probe_dirty(h, SERVED_L1, high | (uint64_t)(n + i) * 64));
        }
        ck_assert_uint_eq(st(h, SERVED_L2)->writebacks, 0);
        cache_hier_destroy(h);
    }
}
END_TEST

Suite *cache_suite(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("access");
    tcase_add_test(tc, test_cache_direct_mapped);
    tcase_add_test(tc, test_cache_sequential);
    tcase_add_test(tc, test_cache_latency_sums);
    tcase_add_test(tc, test_cache_ports_disabled);
    tcase_add_test(tc, test_cache_geometry);
    suite_add_tcase(s, tc);
    tc = tcase_create("replacement");
    tcase_add_test(tc, test_cache_lru_plru);
    tcase_add_test(tc, test_cache_random_seed);
    suite_add_tcase(s, tc);
    tc = tcase_create("write");
    tcase_add_test(tc, test_cache_writeback);
    tcase_add_test(tc, test_cache_write_through_around);
    tcase_add_test(tc, test_cache_soak);
    tcase_add_test(tc, test_cache_plain_vs_general);
    tcase_add_test(tc, test_cache_dirty_bits);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * tests/check_tlb.c - replacement policies (tlb/repl.h), TLB levels
 * (tlb/tlb.h) and the scope of every TLBI kind on both TLB roles.
 *
 * Expected values are worked out by hand in the comments next to them; TLBI
 * scopes follow ARM-VMSA.md section 6 (the table in tlb/tlbi.h).
 */
#include <check.h>
#include <string.h>

#include "tlb/repl.h"
#include "tlb/tlb.h"

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)
#define SZ_4K  BIT64(12)
#define SZ_2M  BIT64(21)
#define SZ_1G  BIT64(30)

/* ---------------------------------------------------------------- replacement */

/* A one-set cache of `ways` tags driven through the repl contract (fill the
 * lowest invalid way first, else ask for a victim).  Returns the evicted tag,
 * 0 when nothing was evicted (tags are non-zero letters). */
struct toyset {
    struct repl r;
    uint32_t ways;
    int tag[16];
};

static int toy_access(struct toyset *s, int tag)
{
    for (uint32_t w = 0; w < s->ways; w++) {
        if (s->tag[w] == tag) {
            repl_touch(&s->r, 0, w);
            return 0;
        }
    }
    for (uint32_t w = 0; w < s->ways; w++) {
        if (s->tag[w] == 0) {
            s->tag[w] = tag;
            repl_touch(&s->r, 0, w);
            return 0;
        }
    }
    uint32_t v = repl_victim(&s->r, 0);
    ck_assert_uint_lt(v, s->ways);
    int old = s->tag[v];
    s->tag[v] = tag;
    repl_touch(&s->r, 0, v);
    return old;
}

static void toy_init(struct toyset *s, enum repl_policy p, uint32_t ways, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->ways = ways;
    ck_assert_int_eq(repl_init(&s->r, p, 1, ways, seed, NULL), SIM_OK);
}

/* repl_replace_masked() must equal repl_victim() +
 * repl_touch() of the victim, for every policy and the packed, list and tree
 * layouts. */
START_TEST(test_repl_replace)
{
    static const uint32_t ways[] = { 1, 2, 4, 5, 16, 17, 48 };
    struct sim_rng g;
    sim_rng_seed(&g, 3);
    for (int p = REPL_LRU; p <= REPL_RANDOM; p++) {
        for (unsigned k = 0; k < ARRAY_SIZE(ways); k++) {
            struct repl b, c;
            struct repl_lru_masks m;
            ck_assert_int_eq(repl_init(&b, (enum repl_policy)p, 3, ways[k], 9, NULL), SIM_OK);
            ck_assert_int_eq(repl_init(&c, (enum repl_policy)p, 3, ways[k], 9, NULL), SIM_OK);
            repl_lru_masks_init(&c, &m);
            for (int i = 0; i < 2000; i++) {
                uint32_t set = (uint32_t)sim_rng_below(&g, 3);
                if (sim_rng_below(&g, 2)) {
                    uint32_t w = (uint32_t)sim_rng_below(&g, ways[k]);
                    repl_touch(&b, set, w);
                    repl_touch(&c, set, w);
                } else {
                    uint32_t v = repl_victim(&b, set);
                    repl_touch(&b, set, v);
                    ck_assert_uint_eq(repl_replace_masked(&c, &m, set), v);
                }
            }
            for (uint32_t set = 0; set < 3; set++) {   /* same state: same next victims */
                uint32_t vb = repl_victim(&b, set);
                ck_assert_uint_eq(repl_victim(&c, set), vb);
            }
            repl_fini(&b);
            repl_fini(&c);
        }
    }
}
END_TEST

START_TEST(test_repl_lru)
{
    struct toyset s;
    toy_init(&s, REPL_LRU, 4, 1);
    /* A B C D fill ways 0..3; A is re-used, so the oldest is B: E evicts B. */
    const char *seq = "ABCDA";
    for (const char *c = seq; *c; c++)
        ck_assert_int_eq(toy_access(&s, *c), 0);
    ck_assert_int_eq(toy_access(&s, 'E'), 'B');
    /* recency now (old -> new): C D A E; F evicts C, then G evicts D */
    ck_assert_int_eq(toy_access(&s, 'F'), 'C');
    ck_assert_int_eq(toy_access(&s, 'G'), 'D');
    /* A is the oldest now: touching it makes E the oldest */
    ck_assert_int_eq(toy_access(&s, 'A'), 0);
    ck_assert_int_eq(toy_access(&s, 'H'), 'E');
    repl_fini(&s.r);

    /* 5 ways (not a power of two), 1 2 3 4 5 then 1 3: order 2 4 5 1 3 -> victims 2 then 4 */
    toy_init(&s, REPL_LRU, 5, 1);
    const int seq5[] = { 1, 2, 3, 4, 5, 1, 3 };
    for (unsigned i = 0; i < ARRAY_SIZE(seq5); i++)
        ck_assert_int_eq(toy_access(&s, seq5[i]), 0);
    ck_assert_int_eq(toy_access(&s, 6), 2);
    ck_assert_int_eq(toy_access(&s, 7), 4);
    repl_fini(&s.r);
}
END_TEST

/* The O(1) LRU (packed order word up to 16 ways, linked list above) against the
 * definition it replaced: a 64-bit age stamp per way, victim = smallest stamp,
 * ties to the lowest way.  Random touches, several sets, both representations. */
START_TEST(test_repl_lru_vs_stamps)
{
    static const uint32_t widths[] = { 1, 2, 3, 4, 5, 8, 15, 16, 17, 32, 48 };
    struct sim_rng g;
    sim_rng_seed(&g, 5);
    for (unsigned i = 0; i < ARRAY_SIZE(widths); i++) {
        uint32_t ways = widths[i], sets = 3;
        struct repl r;
        ck_assert_int_eq(repl_init(&r, REPL_LRU, sets, ways, 1, NULL), SIM_OK);
        uint64_t stamp[3][48] = { { 0 } }, clock = 0;
        for (int n = 0; n < 20000; n++) {
            uint32_t set = (uint32_t)sim_rng_below(&g, sets);
            uint32_t best = 0;
            for (uint32_t w = 1; w < ways; w++)
                if (stamp[set][w] < stamp[set][best])
                    best = w;
            ck_assert_uint_eq(repl_victim(&r, set), best);
            /* touch the victim sometimes (a fill), else a random way (a hit) */
            uint32_t w = sim_rng_below(&g, 4) == 0 ? best : (uint32_t)sim_rng_below(&g, ways);
            repl_touch(&r, set, w);
            stamp[set][w] = ++clock;
            if (n == 10000) {        /* reset: back to the initial order */
                repl_reset(&r);
                memset(stamp, 0, sizeof(stamp));
            }
        }
        repl_fini(&r);
    }
}
END_TEST

START_TEST(test_repl_plru)
{
    /* 4 ways, nodes: n0 root (0: victim left), n1 over ways 0,1, n2 over ways 2,3.
     * Word bit i = node i.  Fill A..D into ways 0..3:
     *   touch 0: n0=1 n1=1   touch 1: n0=1 n1=0   touch 2: n0=0 n2=1   touch 3: n0=0 n2=0
     * A again (way 0): n0=1 n1=1, n2 stays 0 -> bits 0b011.
     * E: n0=1 -> right, n2=0 -> left -> way 2 = C (LRU would evict B). */
    struct toyset s;
    toy_init(&s, REPL_PLRU, 4, 1);
    for (const char *c = "ABCDA"; *c; c++)
        ck_assert_int_eq(toy_access(&s, *c), 0);
    ck_assert_uint_eq(s.r.state[0], 0x3);
    ck_assert_int_eq(toy_access(&s, 'E'), 'C');
    /* touch 2 (E): n0=0, n2=1 -> bits 0b110; victim: n0=0 left, n1=1 right -> way 1 = B */
    ck_assert_uint_eq(s.r.state[0], 0x6);
    ck_assert_int_eq(toy_access(&s, 'F'), 'B');
    repl_fini(&s.r);

    /* 3 real ways in a 4-leaf tree.  Touch 0,1,2:
     *   touch 0: n0=1 n1=1; touch 1: n0=1 n1=0; touch 2: n0=0 n2=1 (points at missing way 3).
     * victim: n0=0 left, n1=0 -> way 0.  After touching 0: n0=1 n1=1;
     * victim: n0=1 -> right half [2,4) holds way 2; n2=1 -> [3,4) holds no real way -> left -> 2. */
    toy_init(&s, REPL_PLRU, 3, 1);
    for (uint32_t w = 0; w < 3; w++)
        repl_touch(&s.r, 0, w);
    ck_assert_uint_eq(repl_victim(&s.r, 0), 0);
    repl_touch(&s.r, 0, 0);
    ck_assert_uint_eq(repl_victim(&s.r, 0), 2);
    /* touch 2: n0=0 n2=1 -> left, n1=1 -> way 1 */
    repl_touch(&s.r, 0, 2);
    ck_assert_uint_eq(repl_victim(&s.r, 0), 1);
    /* whatever the history, a missing way is never chosen */
    struct sim_rng g;
    sim_rng_seed(&g, 99);
    for (int i = 0; i < 10000; i++) {
        repl_touch(&s.r, 0, (uint32_t)sim_rng_below(&g, 3));
        ck_assert_uint_lt(repl_victim(&s.r, 0), 3);
    }
    repl_fini(&s.r);

    /* 2 ways: PLRU is exact LRU.  A B A C -> C evicts B; recency is now A, C,
     * so B evicts A. */
    toy_init(&s, REPL_PLRU, 2, 1);
    for (const char *c = "ABA"; *c; c++)
        ck_assert_int_eq(toy_access(&s, *c), 0);
    ck_assert_int_eq(toy_access(&s, 'C'), 'B');
    ck_assert_int_eq(toy_access(&s, 'B'), 'A');
    repl_fini(&s.r);

    /* 1 way: no tree nodes, the victim is way 0 */
    toy_init(&s, REPL_PLRU, 1, 1);
    ck_assert_int_eq(toy_access(&s, 'A'), 0);
    ck_assert_int_eq(toy_access(&s, 'B'), 'A');
    repl_fini(&s.r);

    /* 48 ways (tree of 64, 63 node bits): victims always among the 48 */
    struct repl r;
    ck_assert_int_eq(repl_init(&r, REPL_PLRU, 2, 48, 1, NULL), SIM_OK);
    ck_assert_uint_eq(r.tree_ways, 64);
    for (int i = 0; i < 10000; i++) {
        repl_touch(&r, 1, (uint32_t)sim_rng_below(&g, 48));
        ck_assert_uint_lt(repl_victim(&r, 1), 48);
    }
    /* set 0 untouched: all bits 0 -> leftmost way */
    ck_assert_uint_eq(repl_victim(&r, 0), 0);
    repl_fini(&r);
}
END_TEST

START_TEST(test_repl_random)
{
    struct repl a, b, c;
    ck_assert_int_eq(repl_init(&a, REPL_RANDOM, 4, 5, 7, NULL), SIM_OK);
    ck_assert_int_eq(repl_init(&b, REPL_RANDOM, 4, 5, 7, NULL), SIM_OK);
    ck_assert_int_eq(repl_init(&c, REPL_RANDOM, 4, 5, 8, NULL), SIM_OK);
    unsigned seen[5] = { 0 }, differ = 0;
    for (int i = 0; i < 2000; i++) {
        uint32_t va = repl_victim(&a, (uint32_t)i & 3), vb = repl_victim(&b, (uint32_t)i & 3);
        uint32_t vc = repl_victim(&c, (uint32_t)i & 3);
        ck_assert_uint_eq(va, vb);          /* same seed, same victims */
        ck_assert_uint_lt(va, 5);
        seen[va]++;
        differ += va != vc;
    }
    /* a different seed gives a different sequence: independent uniform draws
     * agree 1/5 of the time, so ~1600 of 2000 differ */
    ck_assert_uint_gt(differ, 1000);
    for (int w = 0; w < 5; w++)             /* each way ~400 times */
        ck_assert_uint_gt(seen[w], 200);
    repl_fini(&a);
    repl_fini(&b);
    repl_fini(&c);

    struct sim_err e;
    ck_assert_int_eq(repl_init(&a, (enum repl_policy)9, 1, 1, 0, &e), SIM_EINVAL);
    ck_assert_int_eq(repl_init(&a, REPL_LRU, 0, 1, 0, &e), SIM_EINVAL);
    repl_fini(&a);
}
END_TEST

/* ---------------------------------------------------------------- TLB helpers */

static struct tlb_config tcfg(uint32_t entries, uint32_t ways, enum repl_policy p, uint64_t sizes)
{
    struct tlb_config c = { .enabled = true, .entries = entries, .ways = ways,
                            .latency_cycles = 1, .repl = p, .page_sizes = sizes };
    return c;
}

static struct tlb *mk(uint32_t entries, uint32_t ways, enum repl_policy p, uint64_t sizes,
                      enum tlb_role role, uint64_t seed)
{
    struct tlb_config c = tcfg(entries, ways, p, sizes);
    struct sim_err e;
    sim_err_clear(&e);
    struct tlb *t = tlb_create(&c, role, seed, &e);
    ck_assert_msg(t != NULL, "%s", e.msg);
    ck_assert_int_eq(tlb_check(t), 0);
    return t;
}

static struct tlb_entry ent(uint64_t va, uint64_t pa, uint16_t vmid, uint16_t asid, bool global,
                            uint8_t shift)
{
    struct tlb_entry e = { .va = va, .pa = pa, .ipa = pa ^ GB(64), .vmid = vmid, .asid = asid,
                           .shift = shift, .level = 3, .global = global, .perms = 5 };
    return e;
}

/* Insert e (covering e.va) and check the invariants. */
static void ins(struct tlb *t, struct tlb_entry e)
{
    tlb_insert(t, &e, e.va);
    ck_assert_int_eq(tlb_check(t), 0);
}

static bool look(struct tlb *t, uint64_t va, uint16_t vmid, uint16_t asid, uint64_t *pa)
{
    struct tlb_entry out;
    bool h = tlb_lookup(t, va, vmid, asid, &out);
    ck_assert_int_eq(tlb_check(t), 0);
    if (h && pa)   /* the full PA of va, from the entry */
        *pa = out.pa | (va & GENMASK64(out.shift - 1, 0));
    return h;
}

/* ---------------------------------------------------------------- TLB tests */

START_TEST(test_tlb_lookup_insert)
{
    struct tlb *t = mk(48, 0, REPL_LRU, SZ_4K, TLB_ROLE_LEAF, 1);
    uint64_t pa = 0;
    ck_assert(!look(t, 0x400000, 1, 1, &pa));
    ins(t, ent(0x400000, 0x8123000, 1, 1, false, 12));
    ck_assert(look(t, 0x400abc, 1, 1, &pa));
    ck_assert_uint_eq(pa, 0x8123abc);
    ck_assert(!look(t, 0x401000, 1, 1, &pa));      /* next page */
    ck_assert(!look(t, 0x3ff000, 1, 1, &pa));      /* previous page */
    struct tlb_entry out;
    ck_assert(tlb_lookup(t, 0x400fff, 1, 1, &out));
    ck_assert_uint_eq(out.va, 0x400000);
    ck_assert_uint_eq(out.ipa, 0x8123000 ^ GB(64));
    ck_assert_uint_eq(out.perms, 5);
    ck_assert_uint_eq(out.level, 3);
    /* the same key again replaces, never duplicates */
    ins(t, ent(0x400000, 0x9000000, 1, 1, false, 12));
    ck_assert_uint_eq(tlb_occupancy(t), 1);
    ck_assert(look(t, 0x400010, 1, 1, &pa));
    ck_assert_uint_eq(pa, 0x9000010);
    /* lookups above, in order: miss, hit, miss, miss, hit, hit -> 6 lookups,
     * 3 hits, 3 misses; 2 inserts (the second replaced in place), no eviction */
    const struct tlb_stats *st = tlb_get_stats(t);
    ck_assert_uint_eq(st->lookups, 6);
    ck_assert_uint_eq(st->hits, 3);
    ck_assert_uint_eq(st->misses, 3);
    ck_assert_uint_eq(st->inserts, 2);
    ck_assert_uint_eq(st->evictions, 0);
    tlb_reset_stats(t);
    ck_assert_uint_eq(tlb_get_stats(t)->lookups, 0);
    tlb_destroy(t);
}
END_TEST

/* A 2 MB entry hits for each of the 512 4K pages inside it, in an FA level and
 * in the 1280 x 5-way L2 (256 sets; the probe for 2^21 indexes va >> 21). */
START_TEST(test_tlb_multisize)
{
    struct tlb *fa = mk(48, 0, REPL_LRU, SZ_4K | SZ_2M | SZ_1G, TLB_ROLE_LEAF, 1);
    struct tlb *l2 = mk(1280, 5, REPL_LRU, SZ_4K | SZ_2M | SZ_1G, TLB_ROLE_LEAF, 1);
    struct tlb *ts[2] = { fa, l2 };
    for (int k = 0; k < 2; k++) {
        struct tlb *t = ts[k];
        ins(t, ent(MB(6), GB(2) + MB(4), 3, 9, false, 21));   /* [6M, 8M) -> [2G+4M, 2G+6M) */
        ins(t, ent(GB(5), GB(9), 3, 9, false, 30));           /* [5G, 6G) */
        ins(t, ent(MB(6) - KB(4), 0x7000, 3, 9, false, 12));  /* the 4K page below the block */
        for (uint64_t off = 0; off < MB(2); off += KB(4)) {
            uint64_t pa = 0;
            ck_assert(look(t, MB(6) + off + 0x18, 3, 9, &pa));
            ck_assert_uint_eq(pa, GB(2) + MB(4) + off + 0x18);
        }
        uint64_t pa = 0;
        ck_assert(!look(t, MB(8), 3, 9, &pa));               /* just above the block */
        ck_assert(look(t, MB(6) - 1, 3, 9, &pa));
        ck_assert_uint_eq(pa, 0x7fff);
        ck_assert(look(t, GB(5) + MB(700) + 0x123, 3, 9, &pa));
        ck_assert_uint_eq(pa, GB(9) + MB(700) + 0x123);
        ck_assert(!look(t, GB(6), 3, 9, &pa));
        ck_assert(!look(t, MB(6), 4, 9, &pa));               /* another VMID */
        ck_assert_uint_eq(tlb_occupancy(t), 3);
        tlb_destroy(t);
    }
}
END_TEST

START_TEST(test_tlb_fracture)
{
    /* A level holding 4K and 2M; a 1 GB translation VA [1G, 2G) -> PA [2G, 3G).
     * va = 1G + 0x12345678: its 2 MB fragment starts at offset
     * 0x12345678 & ~0x1FFFFF = 0x12200000, so the entry is
     * VA 0x52200000 -> PA 0x92200000, 2 MB, IPA re-based the same way. */
    struct tlb *t = mk(64, 4, REPL_LRU, SZ_4K | SZ_2M, TLB_ROLE_LEAF, 1);
    struct tlb_entry e = ent(GB(1), GB(2), 1, 1, true, 30);
    e.ipa = GB(7);
    uint64_t va = GB(1) + 0x12345678;
    tlb_insert(t, &e, va);
    ck_assert_int_eq(tlb_check(t), 0);
    ck_assert_uint_eq(tlb_occupancy(t), 1);
    struct tlb_entry out;
    ck_assert(tlb_lookup(t, va, 1, 7, &out));
    ck_assert_uint_eq(out.shift, 21);
    ck_assert_uint_eq(out.va, 0x52200000);
    ck_assert_uint_eq(out.pa, 0x92200000);
    ck_assert_uint_eq(out.ipa, GB(7) + 0x12200000);
    ck_assert(out.global);
    ck_assert(tlb_contains(t, 0x52200000, 1, 0, true, 21));
    ck_assert(!look(t, GB(1), 1, 7, NULL));                 /* another fragment: not cached */
    ck_assert(!look(t, 0x52400000, 1, 7, NULL));

    /* A 4K-only level (A55 L1 D-TLB): a 2 MB block fractures to the 4K page of va:
     * va 0x40123456 in block [0x40000000, +2M) -> page 0x40123000 -> PA 0x80123000 */
    struct tlb *t4 = mk(16, 0, REPL_LRU, SZ_4K, TLB_ROLE_LEAF, 1);
    struct tlb_entry b = ent(0x40000000, 0x80000000, 1, 1, false, 21);
    tlb_insert(t4, &b, 0x40123456);
    ck_assert(tlb_lookup(t4, 0x40123fff, 1, 1, &out));
    ck_assert_uint_eq(out.shift, 12);
    ck_assert_uint_eq(out.pa, 0x80123000);
    ck_assert(!look(t4, 0x40124000, 1, 1, NULL));
    ck_assert_int_eq(tlb_check(t4), 0);

    /* A level holding only 2M and 1G cannot hold a 4K page: nothing inserted */
    struct tlb *tb = mk(16, 0, REPL_LRU, SZ_2M | SZ_1G, TLB_ROLE_LEAF, 1);
    ins(tb, ent(0x5000, 0x9000, 1, 1, false, 12));
    ck_assert_uint_eq(tlb_occupancy(tb), 0);
    ck_assert_uint_eq(tlb_get_stats(tb)->inserts, 0);
    /* ...but a 1 GB one stays 1 GB (largest held size <= 30 is 30) */
    ins(tb, ent(GB(3), GB(4), 1, 1, false, 30));
    ck_assert(tlb_contains(tb, GB(3), 1, 1, false, 30));
    tlb_destroy(t);
    tlb_destroy(t4);
    tlb_destroy(tb);
}
END_TEST

START_TEST(test_tlb_tagging)
{
    struct tlb *t = mk(1280, 5, REPL_LRU, SZ_4K | SZ_2M, TLB_ROLE_LEAF, 1);
    uint64_t va = 0x7fff0000;
    ins(t, ent(va, 0x1000000, 1, 5, false, 12));
    ins(t, ent(va, 0x2000000, 2, 5, false, 12));    /* same VA and ASID, another VMID */
    ck_assert_uint_eq(tlb_occupancy(t), 2);          /* never shared */
    uint64_t pa = 0;
    ck_assert(look(t, va, 1, 5, &pa));
    ck_assert_uint_eq(pa, 0x1000000);
    ck_assert(look(t, va, 2, 5, &pa));
    ck_assert_uint_eq(pa, 0x2000000);
    ck_assert(!look(t, va, 3, 5, &pa));
    ck_assert(!look(t, va, 1, 6, &pa));              /* other ASID, non-global */

    /* global entry of VMID 1: any ASID of VMID 1, never VMID 2 */
    uint64_t g = 0xffff000000200000ull;
    ins(t, ent(g, 0x3000000, 1, 77, true, 21));
    for (uint16_t asid = 0; asid < 300; asid += 37) {
        ck_assert(look(t, g + 0x1234, 1, asid, &pa));
        ck_assert_uint_eq(pa, 0x3001234);
    }
    ck_assert(!look(t, g + 0x1234, 2, 77, &pa));
    /* a non-global entry for the same block and ASID 77 is a different key: both held */
    ins(t, ent(g, 0x4000000, 1, 77, false, 21));
    ck_assert_uint_eq(tlb_occupancy(t), 4);
    ck_assert(tlb_contains(t, g, 1, 0, true, 21));
    ck_assert(tlb_contains(t, g, 1, 77, false, 21));
    ck_assert(!tlb_contains(t, g, 1, 78, false, 21));
    tlb_destroy(t);
}
END_TEST

START_TEST(test_tlb_replacement)
{
    /* 4-entry FA LRU: A B C D, touch A, E evicts B (as in test_repl_lru) */
    struct tlb *t = mk(4, 0, REPL_LRU, SZ_4K, TLB_ROLE_LEAF, 1);
    for (uint64_t p = 1; p <= 4; p++)
        ins(t, ent(p << 12, p << 20, 1, 1, false, 12));
    ck_assert(look(t, 1 << 12, 1, 1, NULL));
    ins(t, ent(5 << 12, 5 << 20, 1, 1, false, 12));
    ck_assert(!tlb_contains(t, 2 << 12, 1, 1, false, 12));
    for (uint64_t p = 1; p <= 5; p++)
        if (p != 2)
            ck_assert(tlb_contains(t, p << 12, 1, 1, false, 12));
    ck_assert_uint_eq(tlb_get_stats(t)->evictions, 1);
    tlb_destroy(t);

    /* 4-entry FA PLRU: same sequence evicts C (the tree of test_repl_plru) */
    t = mk(4, 0, REPL_PLRU, SZ_4K, TLB_ROLE_LEAF, 1);
    for (uint64_t p = 1; p <= 4; p++)
        ins(t, ent(p << 12, p << 20, 1, 1, false, 12));
    ck_assert(look(t, 1 << 12, 1, 1, NULL));
    ins(t, ent(5 << 12, 5 << 20, 1, 1, false, 12));
    ck_assert(!tlb_contains(t, 3 << 12, 1, 1, false, 12));
    ck_assert(tlb_contains(t, 2 << 12, 1, 1, false, 12));
    tlb_destroy(t);

    /* 12 x 4-way (48 entries, 12 sets: a modulo index).  Pages p, p+12, p+24...
     * share set p % 12; five of them in one set evict the LRU one. */
    t = mk(48, 4, REPL_LRU, SZ_4K, TLB_ROLE_LEAF, 1);
    for (uint64_t i = 0; i < 5; i++)
        ins(t, ent((7 + 12 * i) << 12, i << 12, 1, 1, false, 12));
    ck_assert(!tlb_contains(t, 7 << 12, 1, 1, false, 12));
    ck_assert_uint_eq(tlb_occupancy(t), 4);
    for (uint64_t p = 0; p < 48; p++)   /* fill every other set: no more evictions there */
        if (p % 12 != 7)
            ins(t, ent(p << 12, p << 12, 1, 1, false, 12));
    ck_assert_uint_eq(tlb_get_stats(t)->evictions, 1);
    tlb_destroy(t);

    /* Random: the same seed and stream give the same contents; another seed,
     * after enough evictions, different ones. */
    struct tlb *a = mk(16, 4, REPL_RANDOM, SZ_4K, TLB_ROLE_LEAF, 42);
    struct tlb *b = mk(16, 4, REPL_RANDOM, SZ_4K, TLB_ROLE_LEAF, 42);
    struct tlb *c = mk(16, 4, REPL_RANDOM, SZ_4K, TLB_ROLE_LEAF, 43);
    unsigned diff = 0;
    for (uint64_t i = 0; i < 4000; i++) {
        uint64_t p = (i * 2654435761u) % 97;
        ins(a, ent(p << 12, p, 1, 1, false, 12));
        ins(b, ent(p << 12, p, 1, 1, false, 12));
        ins(c, ent(p << 12, p, 1, 1, false, 12));
        for (uint64_t q = 0; q < 97; q++) {
            bool ia = tlb_contains(a, q << 12, 1, 1, false, 12);
            ck_assert(ia == tlb_contains(b, q << 12, 1, 1, false, 12));
            diff += ia != tlb_contains(c, q << 12, 1, 1, false, 12);
        }
    }
    ck_assert_uint_gt(diff, 0);
    tlb_destroy(a);
    tlb_destroy(b);
    tlb_destroy(c);
}
END_TEST

START_TEST(test_tlb_create_errors)
{
    struct sim_err e;
    struct tlb_config c = tcfg(0, 0, REPL_LRU, SZ_4K);
    ck_assert_ptr_null(tlb_create(&c, TLB_ROLE_LEAF, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "entries"));
    c = tcfg(1280, 6, REPL_LRU, SZ_4K);                  /* 1280 % 6 != 0 */
    ck_assert_ptr_null(tlb_create(&c, TLB_ROLE_LEAF, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "ways"));
    ck_assert_int_eq(e.rc, SIM_EINVAL);
    c = tcfg(16, 32, REPL_LRU, SZ_4K);
    ck_assert_ptr_null(tlb_create(&c, TLB_ROLE_LEAF, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "ways"));
    c = tcfg(16, 4, REPL_LRU, 0);
    ck_assert_ptr_null(tlb_create(&c, TLB_ROLE_LEAF, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "page_sizes"));
    c = tcfg(16, 4, REPL_LRU, SZ_4K | BIT64(11));
    ck_assert_ptr_null(tlb_create(&c, TLB_ROLE_LEAF, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "page_sizes"));
    c = tcfg(16, 4, (enum repl_policy)7, SZ_4K);
    ck_assert_ptr_null(tlb_create(&c, TLB_ROLE_LEAF, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "repl"));

    /* disabled: holds nothing, counts nothing */
    c = tcfg(0, 0, REPL_LRU, 0);
    c.enabled = false;
    struct tlb *t = tlb_create(&c, TLB_ROLE_LEAF, 1, &e);
    ck_assert_ptr_nonnull(t);
    ins(t, ent(0x1000, 0x2000, 1, 1, false, 12));
    ck_assert(!look(t, 0x1000, 1, 1, NULL));
    ck_assert_uint_eq(tlb_get_stats(t)->lookups, 0);
    struct tlbi op = { .kind = TLBI_ALLE1 };
    ck_assert_uint_eq(tlb_invalidate(t, &op), 0);
    tlb_destroy(t);

    /* tlb_config_from_pwc copies the geometry */
    struct pwc_config pc = { .enabled = true, .entries = 64, .ways = 4, .latency_cycles = 2,
                             .repl = REPL_PLRU, .levels = 0 };
    tlb_config_from_pwc(&pc, SZ_4K | SZ_2M, &c);
    ck_assert(c.enabled && c.entries == 64 && c.ways == 4 && c.latency_cycles == 2 &&
              c.repl == REPL_PLRU && c.page_sizes == (SZ_4K | SZ_2M));
}
END_TEST

/* ---------------------------------------------------------------- TLBI scopes */

/* The leaf-role population; vmid 1 is current, operand ASID 1, operand VA A. */
#define VA_A   UINT64_C(0x0000400000001000)
#define VA_B   UINT64_C(0x0000400000002000)
#define VA_C   UINT64_C(0x0000500000000000)   /* 2 MB block */
static const struct { uint64_t va; uint16_t vmid, asid; bool global; uint8_t shift; } leaf_pop[] = {
    /* 0 */ { VA_A, 1, 1, false, 12 },
    /* 1 */ { VA_A, 1, 2, false, 12 },
    /* 2 */ { VA_A, 1, 0, true, 12 },
    /* 3 */ { VA_B, 1, 1, false, 12 },
    /* 4 */ { VA_A, 2, 1, false, 12 },
    /* 5 */ { VA_C, 1, 1, false, 21 },
    /* 6 */ { VA_B, 2, 0, true, 12 },
};

/* Each op with vmid 1; `survive` = bitmask of leaf_pop indices left, by hand from tlbi.h. */
static const struct { enum tlbi_kind kind; uint16_t asid; uint64_t addr; unsigned survive; }
leaf_ops[] = {
    { TLBI_VMALLE1, 0, 0, (1u << 4) | (1u << 6) },                 /* all of vmid 1 */
    { TLBI_VAE1, 1, VA_A + 0x10, 0x7f & ~((1u << 0) | (1u << 2)) },  /* A asid1 + A global */
    { TLBI_VALE1, 1, VA_A, 0x7f & ~((1u << 0) | (1u << 2)) },
    { TLBI_VAE1, 2, VA_A, 0x7f & ~((1u << 1) | (1u << 2)) },       /* A asid2 + A global */
    { TLBI_VAE1, 1, VA_C + MB(1) + 0x40, 0x7f & ~(1u << 5) },     /* inside the block */
    { TLBI_VAE1, 2, VA_C + MB(1), 0x7f },                        /* block is asid 1 */
    { TLBI_ASIDE1, 1, 0, 0x7f & ~((1u << 0) | (1u << 3) | (1u << 5)) }, /* spares global */
    { TLBI_ASIDE1, 0, 0, 0x7f },        /* ASID 0: no non-global entry has it; globals stay */
    { TLBI_VAAE1, 9, VA_A, 0x7f & ~((1u << 0) | (1u << 1) | (1u << 2)) },
    { TLBI_VAALE1, 9, VA_A, 0x7f & ~((1u << 0) | (1u << 1) | (1u << 2)) },
    { TLBI_VAAE1, 9, VA_B, 0x7f & ~(1u << 3) },                  /* VA_B global is vmid 2 */
    { TLBI_IPAS2E1, 0, VA_A, 0x7f },                             /* combined entries stay */
    { TLBI_IPAS2LE1, 0, VA_A, 0x7f },
    { TLBI_VMALLS12E1, 0, 0, (1u << 4) | (1u << 6) },
    { TLBI_ALLE1, 0, 0, 0 },
};

static void check_survivors_leaf(struct tlb *t, unsigned survive)
{
    for (unsigned i = 0; i < ARRAY_SIZE(leaf_pop); i++) {
        bool in = tlb_contains(t, leaf_pop[i].va, leaf_pop[i].vmid, leaf_pop[i].asid,
                               leaf_pop[i].global, leaf_pop[i].shift);
        ck_assert_msg(in == ((survive >> i) & 1), "entry %u: present %d, expected %d", i, in,
                      (survive >> i) & 1);
    }
}

START_TEST(test_tlbi_leaf)
{
    /* both geometries: FA and set-associative */
    for (int geo = 0; geo < 2; geo++) {
        struct tlb *t = geo ? mk(1280, 5, REPL_LRU, SZ_4K | SZ_2M, TLB_ROLE_LEAF, 1)
                            : mk(48, 0, REPL_LRU, SZ_4K | SZ_2M, TLB_ROLE_LEAF, 1);
        for (unsigned i = 0; i < ARRAY_SIZE(leaf_pop); i++)
            ins(t, ent(leaf_pop[i].va, GB(1) + (i << 21), leaf_pop[i].vmid, leaf_pop[i].asid,
                       leaf_pop[i].global, leaf_pop[i].shift));
        check_survivors_leaf(t, 0x7f);
        struct tlbi op = { .kind = leaf_ops[_i].kind, .vmid = 1, .asid = leaf_ops[_i].asid,
                           .addr = leaf_ops[_i].addr };
        unsigned removed = tlb_invalidate(t, &op);
        ck_assert_int_eq(tlb_check(t), 0);
        check_survivors_leaf(t, leaf_ops[_i].survive);
        unsigned expect = ARRAY_SIZE(leaf_pop) - (unsigned)__builtin_popcount(leaf_ops[_i].survive);
        ck_assert_uint_eq(removed, expect);
        ck_assert_uint_eq(tlb_get_stats(t)->invalidated, expect);
        ck_assert_uint_eq(tlb_occupancy(t), ARRAY_SIZE(leaf_pop) - expect);
        tlb_destroy(t);
    }
}
END_TEST

/* IPA-cache population: IPA -> PA, global, no ASID. */
#define IPA_A UINT64_C(0x80001000)
#define IPA_B UINT64_C(0x80400000)   /* 2 MB */
static const struct { uint64_t ipa; uint16_t vmid; uint8_t shift; } s2_pop[] = {
    /* 0 */ { IPA_A, 1, 12 },
    /* 1 */ { IPA_B, 1, 21 },
    /* 2 */ { IPA_A, 2, 12 },
};
static const struct { enum tlbi_kind kind; uint64_t addr; unsigned survive; } s2_ops[] = {
    { TLBI_IPAS2E1, IPA_A + 8, 0x6 },           /* vmid 1 covering IPA A */
    { TLBI_IPAS2LE1, IPA_B + KB(12), 0x5 },     /* inside the 2 MB entry */
    { TLBI_IPAS2E1, IPA_B + MB(2), 0x7 },       /* just past it */
    { TLBI_VMALLS12E1, 0, 0x4 },
    { TLBI_ALLE1, 0, 0x0 },
    { TLBI_VMALLE1, 0, 0x7 },                   /* stage-1 ops leave S2-only entries */
    { TLBI_VAE1, IPA_A, 0x7 },
    { TLBI_VALE1, IPA_A, 0x7 },
    { TLBI_ASIDE1, 0, 0x7 },
    { TLBI_VAAE1, IPA_A, 0x7 },
    { TLBI_VAALE1, IPA_A, 0x7 },
};

START_TEST(test_tlbi_s2)
{
    struct tlb *t = mk(64, 4, REPL_LRU, SZ_4K | SZ_2M | SZ_1G, TLB_ROLE_S2, 1);
    for (unsigned i = 0; i < ARRAY_SIZE(s2_pop); i++) {
        /* inserted as non-global with an ASID: the S2 role forces global, ASID 0 */
        ins(t, ent(s2_pop[i].ipa, GB(3) + (i << 21), s2_pop[i].vmid, 33, false, s2_pop[i].shift));
    }
    uint64_t pa = 0;
    ck_assert(look(t, IPA_B + 0x1234, 1, 0, &pa));
    ck_assert_uint_eq(pa, GB(3) + (1u << 21) + 0x1234);
    struct tlbi op = { .kind = s2_ops[_i].kind, .vmid = 1, .asid = 0, .addr = s2_ops[_i].addr };
    unsigned removed = tlb_invalidate(t, &op);
    ck_assert_int_eq(tlb_check(t), 0);
    for (unsigned i = 0; i < ARRAY_SIZE(s2_pop); i++)
        ck_assert(tlb_contains(t, s2_pop[i].ipa, s2_pop[i].vmid, 0, true, s2_pop[i].shift) ==
                  ((s2_ops[_i].survive >> i) & 1));
    ck_assert_uint_eq(removed, 3 - (unsigned)__builtin_popcount(s2_ops[_i].survive));
    tlb_destroy(t);
}
END_TEST

/* Random mutations against the checker, in every geometry and policy. */
START_TEST(test_tlb_soak)
{
    static const uint32_t geo[][2] = { { 48, 0 }, { 1280, 5 }, { 48, 4 }, { 8, 2 } };
    struct sim_rng g;
    sim_rng_seed(&g, 5);
    for (unsigned k = 0; k < ARRAY_SIZE(geo); k++) {
        for (int p = REPL_LRU; p <= REPL_RANDOM; p++) {
            struct tlb *t = mk(geo[k][0], geo[k][1], (enum repl_policy)p,
                               SZ_4K | BIT64(16) | SZ_2M, TLB_ROLE_LEAF, 3);
            for (int i = 0; i < 3000; i++) {
                uint64_t r = sim_rng_next(&g);
                uint8_t shift = (uint8_t)((const uint8_t[]){ 12, 16, 21, 30 })[r & 3];
                uint64_t va = (sim_rng_below(&g, 64) << 21) | (sim_rng_below(&g, 512) << 12);
                uint16_t vmid = (uint16_t)sim_rng_below(&g, 3), asid = (uint16_t)sim_rng_below(&g, 3);
                uint64_t m = GENMASK64(shift - 1, 0);
                if ((r >> 8) % 5 == 0) {
                    struct tlbi op = { .kind = (enum tlbi_kind)sim_rng_below(&g, TLBI_KIND_COUNT),
                                       .vmid = vmid, .asid = asid, .addr = va };
                    unsigned before = tlb_occupancy(t);
                    unsigned n = tlb_invalidate(t, &op);
                    ck_assert_uint_eq(tlb_occupancy(t), before - n);
                } else if ((r >> 8) % 5 < 3) {
                    struct tlb_entry e = ent(va & ~m, (va & ~m) + GB(1), vmid, asid,
                                             (r >> 20) % 4 == 0, shift);
                    tlb_insert(t, &e, va);
                } else {
                    struct tlb_entry out;
                    if (tlb_lookup(t, va, vmid, asid, &out)) {
                        /* whatever hit covers va, with the right tags; PA = VA + 1G by construction */
                        ck_assert_uint_eq(va >> out.shift, out.va >> out.shift);
                        ck_assert_uint_eq(out.vmid, vmid);
                        ck_assert(out.global || out.asid == asid);
                        ck_assert_uint_eq(out.pa, out.va + GB(1));
                    } else {
                        /* a miss is genuine: no held size has an entry covering va */
                        static const uint8_t held[3] = { 12, 16, 21 };
                        for (unsigned z = 0; z < 3; z++) {
                            ck_assert(!tlb_contains(t, va, vmid, asid, false, held[z]));
                            ck_assert(!tlb_contains(t, va, vmid, 0, true, held[z]));
                        }
                    }
                }
                ck_assert_int_eq(tlb_check(t), 0);
            }
            tlb_destroy(t);
        }
    }
}
END_TEST

/*
 * The engine's pattern: a lookup, and on a miss the insert of an entry covering
 * the looked-up address (a miss remembered by the level lets that insert skip
 * its duplicate search).  Single-size and two-size levels, the unrolled 4- and
 * 5-way scans and the filtered fully associative scan, both roles; the insert
 * is sometimes for another VMID/ASID or global, and sometimes re-inserts a key
 * already held, so that both outcomes of the skipped search are exercised.
 */
START_TEST(test_tlb_soak_miss_fill)
{
    static const uint32_t geo[][2] = { { 48, 0 }, { 1280, 5 }, { 64, 4 }, { 48, 4 }, { 6, 0 } };
    static const uint64_t sizes[] = { SZ_4K, SZ_4K | SZ_2M };
    struct sim_rng g;
    sim_rng_seed(&g, 11);
    for (unsigned k = 0; k < ARRAY_SIZE(geo); k++) {
        for (unsigned z = 0; z < ARRAY_SIZE(sizes); z++) {
            for (int role = 0; role < 2; role++) {
                enum tlb_role rl = role ? TLB_ROLE_S2 : TLB_ROLE_LEAF;
                struct tlb *t = mk(geo[k][0], geo[k][1], REPL_LRU, sizes[z], rl, 7);
                for (int i = 0; i < 4000; i++) {
                    uint64_t r = sim_rng_next(&g);
                    uint64_t va = (sim_rng_below(&g, 8) << 21) | (sim_rng_below(&g, 96) << 12) |
                                  (r & 0xff8);
                    uint16_t vmid = (uint16_t)sim_rng_below(&g, 2);
                    uint16_t asid = rl == TLB_ROLE_S2 ? 0 : (uint16_t)sim_rng_below(&g, 2);
                    struct tlb_entry out;
                    if ((r >> 12) % 50 == 0) {
                        enum tlbi_kind kind = (enum tlbi_kind)sim_rng_below(&g, TLBI_KIND_COUNT);
                        struct tlbi op = { .kind = kind, .vmid = vmid, .asid = asid, .addr = va };
                        tlb_invalidate(t, &op);
                    } else if (tlb_lookup(t, va, vmid, asid, &out)) {
                        ck_assert_uint_eq(va >> out.shift, out.va >> out.shift);
                        ck_assert_uint_eq(out.vmid, vmid);
                        ck_assert(out.global || out.asid == asid);
                        ck_assert_uint_eq(out.pa, out.va + GB(1));
                    } else {
                        uint8_t shift = (r >> 20) % 3 == 0 ? 21 : 12;
                        uint64_t m = GENMASK64(shift - 1, 0);
                        uint16_t iv = (r >> 24) % 7 == 0 ? (uint16_t)(vmid ^ 1) : vmid;
                        uint16_t ia = (r >> 28) % 5 == 0 ? (uint16_t)(asid ^ 1) : asid;
                        bool global = (r >> 32) % 3 == 0;
                        struct tlb_entry e = ent(va & ~m, (va & ~m) + GB(1), iv, ia, global, shift);
                        /* the engine's S2 fill passes the block base, not the looked-up IPA */
                        tlb_insert(t, &e, (r >> 36) & 1 ? va : va & ~m);
                        if ((r >> 40) % 4 == 0)   /* again: the same key, now a duplicate */
                            tlb_insert(t, &e, va);
                    }
                    ck_assert_int_eq(tlb_check(t), 0);
                }
                tlb_destroy(t);
            }
        }
    }
}
END_TEST

/* Do @a and @b hold the same entries (keys of the test_tlb_fast_vs_general space)? */
static void same_contents(const struct tlb *a, const struct tlb *b)
{
    static const uint8_t shifts[] = { 12, 21, 30 };
    ck_assert_uint_eq(tlb_occupancy(a), tlb_occupancy(b));
    for (uint64_t page = 0; page < 8 * 512; page++) {
        if (page % 512 >= 160)
            continue;   /* the test's VAs: 160 pages at the start of each of 8 2M regions */
        uint64_t va = page << 12;
        for (unsigned z = 0; z < ARRAY_SIZE(shifts); z++) {
            if (va & GENMASK64(shifts[z] - 1, 0))
                continue;
            for (uint16_t vmid = 0; vmid < 2; vmid++) {
                for (uint16_t asid = 0; asid < 3; asid++) {
                    bool g = asid == 2;
                    ck_assert(tlb_contains(a, va, vmid, g ? 0 : asid, g, shifts[z]) ==
                              tlb_contains(b, va, vmid, g ? 0 : asid, g, shifts[z]));
                }
            }
        }
    }
}

/*
 * The fast paths against the general ones: two levels driven by the same
 * operations, one with tlb_set_general_only(), must give the same lookup
 * answers (whole entries), stats and contents.  Mostly the engine's pattern
 * (a lookup, and after a miss the fill covering the looked-up address, often of
 * the same key, sometimes of another one or a fractured size), with re-inserts,
 * unrelated inserts and TLBIs; every geometry with a fast path (filtered fully
 * associative, unrolled 4- and 5-way, a modulo-indexed set count), every
 * policy, both roles, one and several sizes.
 */
START_TEST(test_tlb_fast_vs_general)
{
    static const uint32_t geo[][2] = { { 48, 0 }, { 1280, 5 }, { 64, 4 }, { 24, 2 }, { 6, 0 } };
    static const uint64_t sizes[] = { SZ_4K, SZ_4K | SZ_2M };
    struct sim_rng g;
    sim_rng_seed(&g, 17);
    for (unsigned k = 0; k < ARRAY_SIZE(geo); k++) {
        for (unsigned z = 0; z < ARRAY_SIZE(sizes); z++) {
            for (int p = REPL_LRU; p <= REPL_RANDOM; p++) {
                for (int role = 0; role < 2; role++) {
                    enum tlb_role rl = role ? TLB_ROLE_S2 : TLB_ROLE_LEAF;
                    struct tlb *a = mk(geo[k][0], geo[k][1], (enum repl_policy)p, sizes[z], rl, 7);
                    struct tlb *b = mk(geo[k][0], geo[k][1], (enum repl_policy)p, sizes[z], rl, 7);
                    tlb_set_general_only(b, true);
                    for (int i = 0; i < 3000; i++) {
                        uint64_t r = sim_rng_next(&g);
                        uint64_t va = (sim_rng_below(&g, 8) << 21) |
                                      (sim_rng_below(&g, 160) << 12) | (r & 0xff8);
                        uint16_t vmid = (uint16_t)sim_rng_below(&g, 2);
                        uint16_t asid = rl == TLB_ROLE_S2 ? 0 : (uint16_t)sim_rng_below(&g, 2);
                        struct tlb_entry oa, ob;
                        memset(&oa, 0, sizeof(oa));
                        memset(&ob, 0, sizeof(ob));
                        if ((r >> 12) % 64 == 0) {
                            enum tlbi_kind kind =
                                (enum tlbi_kind)sim_rng_below(&g, TLBI_KIND_COUNT);
                            struct tlbi op = { .kind = kind, .vmid = vmid, .asid = asid,
                                               .addr = va };
                            ck_assert_uint_eq(tlb_invalidate(a, &op), tlb_invalidate(b, &op));
                        } else if ((r >> 12) % 64 == 1) {
                            /* an insert with no lookup before it: no miss memo */
                            struct tlb_entry e = ent(va & ~GENMASK64(11, 0),
                                                     (va & ~GENMASK64(11, 0)) + GB(1), vmid,
                                                     asid, false, 12);
                            tlb_insert(a, &e, va);
                            tlb_insert(b, &e, va);
                        } else {
                            bool ha = tlb_lookup(a, va, vmid, asid, &oa);
                            bool hb = tlb_lookup(b, va, vmid, asid, &ob);
                            ck_assert(ha == hb);
                            ck_assert(memcmp(&oa, &ob, sizeof(oa)) == 0);
                            if (!ha) {
                                /* mostly the looked-up key; sometimes another VMID,
                                 * ASID, global, or a 1G block fractured to a held size */
                                uint8_t shift = (r >> 20) % 4 == 0 ? 21
                                                : (r >> 20) % 9 == 1 ? 30 : 12;
                                uint64_t m = GENMASK64(shift - 1, 0);
                                uint16_t iv = (r >> 24) % 11 == 0 ? (uint16_t)(vmid ^ 1) : vmid;
                                uint16_t ia = (r >> 28) % 7 == 0 ? (uint16_t)(asid ^ 1) : asid;
                                bool gl = (r >> 32) % 4 == 0;
                                struct tlb_entry e = ent(va & ~m, (va & ~m) + GB(1), iv, ia, gl,
                                                         shift);
                                e.level = (uint8_t)(r >> 40);
                                e.perms = (uint8_t)(r >> 48);
                                if ((r >> 44) % 3 == 0) {   /* unaligned bases are masked */
                                    e.va |= va & m & 0xfff;
                                    e.pa |= (r >> 4) & m & 0xfff;
                                    e.ipa |= (r >> 16) & m & 0xfff;
                                }
                                uint64_t at = (r >> 36) & 1 ? va : va & ~m;
                                tlb_insert(a, &e, at);
                                tlb_insert(b, &e, at);
                                if ((r >> 56) % 4 == 0) {   /* again: now a duplicate */
                                    tlb_insert(a, &e, va);
                                    tlb_insert(b, &e, va);
                                }
                            }
                        }
                        ck_assert(memcmp(tlb_get_stats(a), tlb_get_stats(b),
                                         sizeof(struct tlb_stats)) == 0);
                        if (i % 64 == 0)   /* (the full check is slow under the sanitizers) */
                            ck_assert_int_eq(tlb_check(a), 0);
                    }
                    ck_assert_int_eq(tlb_check(a), 0);
                    ck_assert_int_eq(tlb_check(b), 0);
                    same_contents(a, b);
                    tlb_destroy(a);
                    tlb_destroy(b);
                }
            }
        }
    }
}
END_TEST

Suite *tlb_suite(void)
{
    Suite *s = suite_create("tlb");
    TCase *tc = tcase_create("replacement");
    tcase_add_test(tc, test_repl_lru);
    tcase_add_test(tc, test_repl_replace);
    tcase_add_test(tc, test_repl_lru_vs_stamps);
    tcase_add_test(tc, test_repl_plru);
    tcase_add_test(tc, test_repl_random);
    tcase_add_test(tc, test_tlb_replacement);
    suite_add_tcase(s, tc);

    tc = tcase_create("lookup");
    tcase_add_test(tc, test_tlb_lookup_insert);
    tcase_add_test(tc, test_tlb_multisize);
    tcase_add_test(tc, test_tlb_fracture);
    tcase_add_test(tc, test_tlb_tagging);
    tcase_add_test(tc, test_tlb_create_errors);
    tcase_add_test(tc, test_tlb_soak);
    tcase_add_test(tc, test_tlb_soak_miss_fill);
    tcase_add_test(tc, test_tlb_fast_vs_general);
    tcase_set_timeout(tc, 30);   /* the soaks take a few seconds under the sanitizers */
    suite_add_tcase(s, tc);

    tc = tcase_create("invalidate");
    tcase_add_loop_test(tc, test_tlbi_leaf, 0, (int)ARRAY_SIZE(leaf_ops));
    tcase_add_loop_test(tc, test_tlbi_s2, 0, (int)ARRAY_SIZE(s2_ops));
    suite_add_tcase(s, tc);
    return s;
}

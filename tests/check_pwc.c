/*
 * tests/check_pwc.c - the stage-1 walk cache (tlb/pwc.h): lookup by level and
 * VA prefix, VMID/ASID tagging, cached levels, replacement and the scope of
 * every TLBI kind (table in tlb/tlbi.h, ARM-VMSA.md section 6).
 *
 * Shifts are for the 4K granule, 48-bit VA: a level-L table descriptor covers
 * 2^(39 - 9L) bytes of VA, so level 0 -> shift 39, level 1 -> 30, level 2 -> 21.
 */
#include <check.h>
#include <string.h>

#include "tlb/pwc.h"

#define GB(x) ((uint64_t)(x) << 30)
#define MB(x) ((uint64_t)(x) << 20)

static const uint8_t lvl_shift[3] = { 39, 30, 21 };

static struct pwc *mk(uint32_t entries, uint32_t ways, enum repl_policy p, uint32_t levels)
{
    struct pwc_config c = { .enabled = true, .entries = entries, .ways = ways,
                            .latency_cycles = 1, .repl = p, .levels = levels };
    struct sim_err e;
    sim_err_clear(&e);
    struct pwc *w = pwc_create(&c, 1, &e);
    ck_assert_msg(w != NULL, "%s", e.msg);
    ck_assert_int_eq(pwc_check(w), 0);
    return w;
}

static struct pwc_entry pe(uint64_t va, uint16_t vmid, uint16_t asid, int8_t level, uint64_t pa)
{
    uint8_t s = lvl_shift[level];
    struct pwc_entry e = { .tag = va >> s, .ipa = pa + GB(100), .pa = pa, .vmid = vmid,
                           .asid = asid, .level = level, .shift = s, .attrs = 0 };
    return e;
}

static void ins(struct pwc *w, struct pwc_entry e)
{
    pwc_insert(w, &e);
    ck_assert_int_eq(pwc_check(w), 0);
}

static bool has(struct pwc *w, uint64_t va, uint16_t vmid, uint16_t asid, int8_t level)
{
    bool h = pwc_lookup(w, vmid, asid, level, lvl_shift[level], va, NULL);
    ck_assert_int_eq(pwc_check(w), 0);
    return h;
}

START_TEST(test_pwc_lookup)
{
    struct pwc *w = mk(64, 4, REPL_LRU, 0x7);
    uint64_t va = GB(3) + MB(5) + 0x1234;
    ins(w, pe(va, 1, 1, 1, 0x10000));   /* level-1 table desc. for the 1 GB region [3G, 4G) */
    struct pwc_entry out;
    /* any VA of [3G, 4G) hits at level 1: the tag is va >> 30 = 3 */
    ck_assert(pwc_lookup(w, 1, 1, 1, 30, GB(3), &out));
    ck_assert(pwc_lookup(w, 1, 1, 1, 30, GB(4) - 1, &out));
    ck_assert_uint_eq(out.tag, 3);
    ck_assert_uint_eq(out.pa, 0x10000);
    ck_assert_uint_eq(out.ipa, 0x10000 + GB(100));
    ck_assert_int_eq(out.level, 1);
    ck_assert(!has(w, GB(4), 1, 1, 1));          /* next region */
    ck_assert(!has(w, va, 1, 1, 2));             /* another level: different entry */
    ck_assert(!has(w, va, 1, 1, 0));
    ck_assert(!has(w, va, 2, 1, 1));             /* another VMID */
    ck_assert(!has(w, va, 1, 2, 1));             /* another ASID: no global walk-cache entries */
    /* the same VA prefix at all three levels coexists */
    ins(w, pe(va, 1, 1, 0, 0x20000));
    ins(w, pe(va, 1, 1, 2, 0x30000));
    ck_assert(has(w, va, 1, 1, 0) && has(w, va, 1, 1, 1) && has(w, va, 1, 1, 2));
    ck_assert_uint_eq(pwc_occupancy(w), 3);
    /* same key replaces */
    ins(w, pe(va, 1, 1, 2, 0x40000));
    ck_assert_uint_eq(pwc_occupancy(w), 3);
    ck_assert(pwc_lookup(w, 1, 1, 2, 21, va, &out));
    ck_assert_uint_eq(out.pa, 0x40000);
    /* two VMIDs with the same ASID and VA are separate entries */
    ins(w, pe(va, 2, 1, 1, 0x50000));
    ck_assert(pwc_lookup(w, 2, 1, 1, 30, va, &out));
    ck_assert_uint_eq(out.pa, 0x50000);
    ck_assert(pwc_lookup(w, 1, 1, 1, 30, va, &out));
    ck_assert_uint_eq(out.pa, 0x10000);
    /* stats, counted above: 2 direct hits, 5 misses, 3 hits (levels 0-2), 3 direct hits
     * -> 13 lookups, 8 hits, 5 misses; 5 inserts (one replaced in place) */
    const struct tlb_stats *st = pwc_get_stats(w);
    ck_assert_uint_eq(st->lookups, 13);
    ck_assert_uint_eq(st->hits, 8);
    ck_assert_uint_eq(st->misses, 5);
    ck_assert_uint_eq(st->inserts, 5);
    pwc_reset_stats(w);
    ck_assert_uint_eq(pwc_get_stats(w)->lookups, 0);
    pwc_destroy(w);
}
END_TEST

START_TEST(test_pwc_levels)
{
    struct pwc *w = mk(16, 0, REPL_LRU, 0x6);      /* levels 1 and 2 only */
    ck_assert(!pwc_caches_level(w, 0));
    ck_assert(pwc_caches_level(w, 1) && pwc_caches_level(w, 2));
    ck_assert(!pwc_caches_level(w, 3) && !pwc_caches_level(w, -1));
    ins(w, pe(GB(1), 1, 1, 0, 0x1000));             /* ignored */
    ck_assert_uint_eq(pwc_occupancy(w), 0);
    ck_assert_uint_eq(pwc_get_stats(w)->inserts, 0);
    ck_assert(!has(w, GB(1), 1, 1, 0));
    struct pwc_entry l3 = { .tag = 5, .level = 3, .shift = 12, .vmid = 1, .asid = 1 };
    pwc_insert(w, &l3);                              /* level 3 is never a table level */
    ck_assert_uint_eq(pwc_occupancy(w), 0);
    pwc_destroy(w);

    struct sim_err e;
    struct pwc_config c = { .enabled = true, .entries = 16, .ways = 4, .levels = 0x8 };
    ck_assert_ptr_null(pwc_create(&c, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "levels"));
    c.levels = 0x7;
    c.ways = 5;
    ck_assert_ptr_null(pwc_create(&c, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "ways"));
    c.ways = 4;
    c.entries = 0;
    ck_assert_ptr_null(pwc_create(&c, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "entries"));
    c.entries = 16;
    c.repl = (enum repl_policy)5;
    ck_assert_ptr_null(pwc_create(&c, 1, &e));
    ck_assert_ptr_nonnull(strstr(e.msg, "repl"));
    c.enabled = false;                               /* disabled: nothing validated or stored */
    w = pwc_create(&c, 1, &e);
    ck_assert_ptr_nonnull(w);
    ck_assert(!pwc_caches_level(w, 1));
    ins(w, pe(GB(1), 1, 1, 1, 0x1000));
    ck_assert(!has(w, GB(1), 1, 1, 1));
    ck_assert_uint_eq(pwc_get_stats(w)->lookups, 0);
    pwc_destroy(w);
}
END_TEST

START_TEST(test_pwc_replacement)
{
    /* 4-entry FA LRU: level-2 entries for 2 MB regions 1..4, re-use 1, insert 5:
     * region 2 is the least recently used and goes. */
    struct pwc *w = mk(4, 0, REPL_LRU, 0x7);
    for (uint64_t r = 1; r <= 4; r++)
        ins(w, pe(r << 21, 1, 1, 2, r << 12));
    ck_assert(has(w, 1 << 21, 1, 1, 2));
    ins(w, pe(5ull << 21, 1, 1, 2, 5 << 12));
    ck_assert_uint_eq(pwc_get_stats(w)->evictions, 1);
    ck_assert(!has(w, 2 << 21, 1, 1, 2));
    for (uint64_t r = 1; r <= 5; r++)
        if (r != 2)
            ck_assert(has(w, r << 21, 1, 1, 2));
    pwc_destroy(w);

    /* set-associative with a hashed index: 64 entries x 4 ways, 16 sets.  48
     * entries never exceed capacity in total; whatever the hash, every inserted
     * entry is either present or was counted as an eviction. */
    w = mk(64, 4, REPL_PLRU, 0x7);
    for (uint64_t r = 0; r < 48; r++)
        ins(w, pe(r << 39, 1, 1, (int8_t)(r % 3), r << 12));   /* distinct tags at every level */
    unsigned present = 0;
    for (uint64_t r = 0; r < 48; r++)
        present += has(w, r << 39, 1, 1, (int8_t)(r % 3));
    ck_assert_uint_eq(present + pwc_get_stats(w)->evictions, 48);
    ck_assert_uint_eq(present, pwc_occupancy(w));
    pwc_destroy(w);
}
END_TEST

/* Population; current VMID 1, operand ASID 1, operand VA A. */
#define VA_A (GB(3) + MB(4) + 0x5000)
#define VA_B (GB(3) + MB(10))           /* same 1 GB region as A, another 2 MB region */
static const struct { uint64_t va; uint16_t vmid, asid; int8_t level; } pop[] = {
    /* 0 */ { VA_A, 1, 1, 1 },
    /* 1 */ { VA_A, 1, 2, 1 },
    /* 2 */ { VA_A, 1, 1, 2 },
    /* 3 */ { VA_B, 1, 1, 2 },
    /* 4 */ { VA_A, 2, 1, 1 },
    /* 5 */ { VA_A, 1, 1, 0 },
};
/* survivors (bitmask of pop indices), by hand from the walk-cache column of tlbi.h */
static const struct { enum tlbi_kind kind; uint16_t asid; uint64_t addr; unsigned survive; } ops[] = {
    { TLBI_VMALLE1, 0, 0, 1u << 4 },
    /* vmid1 + asid1, regions containing A: 0 (1G), 2 (2M of A), 5 (512G); not 3 (B's 2M) */
    { TLBI_VAE1, 1, VA_A, (1u << 1) | (1u << 3) | (1u << 4) },
    /* VA_B: its 1 GB (0), its 2 MB (3) and the 512 GB (5) for asid 1 */
    { TLBI_VAE1, 1, VA_B, (1u << 1) | (1u << 2) | (1u << 4) },
    { TLBI_VALE1, 1, VA_A, 0x3f },                  /* last level only: tables stay */
    { TLBI_ASIDE1, 1, 0, (1u << 1) | (1u << 4) },
    { TLBI_ASIDE1, 2, 0, 0x3f & ~(1u << 1) },
    /* any ASID, containing A: 0, 1, 2, 5 */
    { TLBI_VAAE1, 7, VA_A, (1u << 3) | (1u << 4) },
    { TLBI_VAALE1, 7, VA_A, 0x3f },
    { TLBI_IPAS2E1, 0, VA_A, 0x3f },
    { TLBI_IPAS2LE1, 0, VA_A, 0x3f },
    { TLBI_VMALLS12E1, 0, 0, 1u << 4 },
    { TLBI_ALLE1, 0, 0, 0 },
};

START_TEST(test_pwc_tlbi)
{
    for (int geo = 0; geo < 2; geo++) {
        struct pwc *w = geo ? mk(64, 4, REPL_LRU, 0x7) : mk(16, 0, REPL_LRU, 0x7);
        for (unsigned i = 0; i < ARRAY_SIZE(pop); i++)
            ins(w, pe(pop[i].va, pop[i].vmid, pop[i].asid, pop[i].level, (i + 1) << 12));
        ck_assert_uint_eq(pwc_occupancy(w), ARRAY_SIZE(pop));
        struct tlbi op = { .kind = ops[_i].kind, .vmid = 1, .asid = ops[_i].asid,
                           .addr = ops[_i].addr };
        unsigned removed = pwc_invalidate(w, &op);
        ck_assert_int_eq(pwc_check(w), 0);
        for (unsigned i = 0; i < ARRAY_SIZE(pop); i++)
            ck_assert_msg(has(w, pop[i].va, pop[i].vmid, pop[i].asid, pop[i].level) ==
                              ((ops[_i].survive >> i) & 1),
                          "op %d entry %u", _i, i);
        unsigned expect = ARRAY_SIZE(pop) - (unsigned)__builtin_popcount(ops[_i].survive);
        ck_assert_uint_eq(removed, expect);
        ck_assert_uint_eq(pwc_get_stats(w)->invalidated, expect);
        pwc_destroy(w);
    }
}
END_TEST

/* The engine's probe before a walk, one pwc_lookup() per cached level, deepest
 * first (what pwc_lookup_deepest() must equal). */
static int probe_loop(struct pwc *w, const uint8_t *shifts, uint32_t levels, int to,
                      uint16_t vmid, uint16_t asid, uint64_t va, struct pwc_entry *out)
{
    for (int level = 2; level >= to; level--) {
        if (level < 0 || !((levels >> level) & 1))
            continue;
        if (pwc_lookup(w, vmid, asid, (int8_t)level, shifts[level], va, out))
            return level;
    }
    return -1;
}

/*
 * pwc_lookup_deepest() against the loop it replaces: two caches driven by the
 * same inserts, probed one way each, give the same answers, entries, stats
 * and (through later answers) replacement state.  4K, 16K and 64K granule
 * shifts (64K level 0 resolves 55 bits), every subset of cached levels, start
 * levels -1 to 3, every policy.
 */
START_TEST(test_pwc_lookup_deepest)
{
    static const uint8_t shifts[][3] = { { 39, 30, 21 }, { 47, 36, 25 }, { 55, 42, 29 } };
    struct sim_rng g;
    sim_rng_seed(&g, 23);
    for (uint32_t levels = 0; levels <= 7; levels++) {
        for (int p = REPL_LRU; p <= REPL_RANDOM; p++) {
            for (unsigned k = 0; k < ARRAY_SIZE(shifts); k++) {
                struct pwc *a = mk(16, 4, (enum repl_policy)p, levels);
                struct pwc *b = mk(16, 4, (enum repl_policy)p, levels);
                const uint8_t *sh = shifts[k];
                for (int i = 0; i < 1500; i++) {
                    uint64_t r = sim_rng_next(&g);
                    uint64_t va = sim_rng_below(&g, 4) << sh[0] | sim_rng_below(&g, 4) << sh[1] |
                                  sim_rng_below(&g, 16) << sh[2] | (r & 0xfff);
                    uint16_t vmid = (uint16_t)(r >> 12 & 1), asid = (uint16_t)(r >> 13 & 1);
                    if ((r >> 16) % 3 == 0) {
                        int8_t level = (int8_t)((r >> 20) % 3);
                        struct pwc_entry e = { .tag = va >> sh[level], .ipa = r >> 24,
                                               .pa = r >> 28, .vmid = vmid, .asid = asid,
                                               .level = level, .shift = sh[level],
                                               .attrs = (uint8_t)(r >> 32) };
                        pwc_insert(a, &e);
                        pwc_insert(b, &e);
                        continue;
                    }
                    int start = (int)((r >> 40) % 5) - 1;
                    struct pwc_entry oa, ob;
                    memset(&oa, 0, sizeof(oa));
                    memset(&ob, 0, sizeof(ob));
                    int la = pwc_lookup_deepest(a, vmid, asid, start, sh, va, &oa);
                    int lb = probe_loop(b, sh, levels, start, vmid, asid, va, &ob);
                    ck_assert_int_eq(la, lb);
                    ck_assert(memcmp(&oa, &ob, sizeof(oa)) == 0);
                    ck_assert(memcmp(pwc_get_stats(a), pwc_get_stats(b),
                                     sizeof(struct tlb_stats)) == 0);
                }
                ck_assert_int_eq(pwc_check(a), 0);
                pwc_destroy(a);
                pwc_destroy(b);
            }
        }
    }
    /* a disabled cache: every probe misses and nothing is counted */
    struct pwc_config c = { .enabled = false, .entries = 16, .ways = 4, .levels = 7 };
    struct pwc *d = pwc_create(&c, 1, NULL);
    ck_assert(d != NULL);
    ck_assert_int_eq(pwc_lookup_deepest(d, 1, 1, 0, shifts[0], GB(1), NULL), -1);
    ck_assert_uint_eq(pwc_get_stats(d)->lookups, 0);
    pwc_destroy(d);
}
END_TEST

Suite *pwc_suite(void)
{
    Suite *s = suite_create("pwc");
    TCase *tc = tcase_create("lookup");
    tcase_add_test(tc, test_pwc_lookup);
    tcase_add_test(tc, test_pwc_levels);
    tcase_add_test(tc, test_pwc_lookup_deepest);
    suite_add_tcase(s, tc);
    tc = tcase_create("replacement");
    tcase_add_test(tc, test_pwc_replacement);
    suite_add_tcase(s, tc);
    tc = tcase_create("invalidate");
    tcase_add_loop_test(tc, test_pwc_tlbi, 0, (int)ARRAY_SIZE(ops));
    suite_add_tcase(s, tc);
    return s;
}

/*
 * tests/bench/bench_tlb.c - throughput of the TLB, walk cache and data-cache
 * hot paths (a benchmark, not a test: it prints figures and checks only that
 * the streams behaved as designed, e.g. the hit-heavy streams really hit).
 *
 * Streams are generated up front from a seeded RNG so that only the lookups
 * are timed.  Usage: bench_tlb [reps]  (passes over each 1 Mi-access
 * stream; default 20).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cache/cache.h"
#include "tlb/pwc.h"
#include "tlb/tlb.h"

#define STREAM_LEN (1u << 20)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct tlb *mk_tlb(uint32_t entries, uint32_t ways, uint64_t sizes)
{
    struct tlb_config c = { .enabled = true, .entries = entries, .ways = ways,
                            .latency_cycles = 1, .repl = REPL_LRU, .page_sizes = sizes };
    struct sim_err e;
    struct tlb *t = tlb_create(&c, TLB_ROLE_LEAF, 1, &e);
    if (!t) {
        fprintf(stderr, "bench_tlb: %s\n", e.msg);
        exit(1);
    }
    return t;
}

/* A stream over `pages` 4K pages: runs of `run` accesses inside one page (a
 * TLB-friendly stream walks through a page before moving on), page chosen at
 * random. */
static void gen_stream(uint64_t *va, uint32_t pages, uint32_t run, uint64_t seed)
{
    struct sim_rng g;
    sim_rng_seed(&g, seed);
    uint64_t page = 0;
    for (uint32_t i = 0; i < STREAM_LEN; i++) {
        if (i % run == 0)
            page = sim_rng_below(&g, pages);
        va[i] = UINT64_C(0x400000000) + (page << 12) + (sim_rng_below(&g, 512) << 3);
    }
}

static void fill(struct tlb *t, uint32_t pages)
{
    for (uint64_t p = 0; p < pages; p++) {
        struct tlb_entry e = { .va = UINT64_C(0x400000000) + (p << 12), .pa = (p + 7) << 12,
                               .vmid = 1, .asid = 1, .shift = 12, .level = 3 };
        tlb_insert(t, &e, e.va);
    }
}

static void bench_lookup(const char *name, struct tlb *t, const uint64_t *va, unsigned reps)
{
    struct tlb_entry out;
    uint64_t sum = 0, hits = 0;
    double t0 = now_s();
    for (unsigned r = 0; r < reps; r++)
        for (uint32_t i = 0; i < STREAM_LEN; i++)
            if (tlb_lookup(t, va[i], 1, 1, &out)) {
                hits++;
                sum += out.pa;
            }
    double dt = now_s() - t0;
    double n = (double)reps * STREAM_LEN;
    printf("%-34s %8.1f M lookups/s  hit %6.2f%%  (chk %03llx)\n", name, n / dt / 1e6,
           100.0 * (double)hits / n, (unsigned long long)((sum >> 12) & 0xfff));
}

int main(int argc, char **argv)
{
    int reps_arg = argc > 1 ? atoi(argv[1]) : 20;
    unsigned reps = reps_arg > 0 ? (unsigned)reps_arg : 20;
    uint64_t *va = malloc(STREAM_LEN * sizeof(*va));
    if (!va)
        return 1;

    /* L1: 48 entries fully associative (A76/N1 L1 D-TLB) */
    struct tlb *l1 = mk_tlb(48, 0, BIT64(12) | BIT64(16) | BIT64(21));
    fill(l1, 32);
    gen_stream(va, 32, 16, 1);
    bench_lookup("l1 48-FA, 32 pages, runs of 16", l1, va, reps);
    gen_stream(va, 32, 1, 2);
    bench_lookup("l1 48-FA, 32 pages, random", l1, va, reps);
    tlb_destroy(l1);

    /* L2: 1280 x 5-way (A76/N1) */
    struct tlb *l2 = mk_tlb(1280, 5, BIT64(12) | BIT64(21) | BIT64(30));
    fill(l2, 1024);
    gen_stream(va, 1024, 16, 3);
    bench_lookup("l2 1280x5, 1024 pages, runs of 16", l2, va, reps);
    gen_stream(va, 1024, 1, 4);
    bench_lookup("l2 1280x5, 1024 pages, random", l2, va, reps);
    /* a 2 MB entry present too: two probes per miss-in-the-first-size */
    struct tlb_entry big = { .va = UINT64_C(0x7f0000000), .pa = UINT64_C(0x80000000),
                             .vmid = 1, .asid = 1, .shift = 21 };
    tlb_insert(l2, &big, big.va);
    bench_lookup("l2 1280x5, +2M entry, random", l2, va, reps);
    tlb_destroy(l2);

    /* The engine's path: L1 then L2, refill both on a miss (L1 working set > 48). */
    l1 = mk_tlb(48, 0, BIT64(12) | BIT64(16) | BIT64(21));
    l2 = mk_tlb(1280, 5, BIT64(12) | BIT64(21) | BIT64(30));
    fill(l2, 1024);
    gen_stream(va, 256, 16, 5);
    {
        uint64_t l1h = 0;
        struct tlb_entry out;
        double t0 = now_s();
        for (unsigned r = 0; r < reps; r++)
            for (uint32_t i = 0; i < STREAM_LEN; i++) {
                if (tlb_lookup(l1, va[i], 1, 1, &out)) {
                    l1h++;
                } else if (tlb_lookup(l2, va[i], 1, 1, &out)) {
                    tlb_insert(l1, &out, va[i]);
                }
            }
        double dt = now_s() - t0;
        double n = (double)reps * STREAM_LEN;
        printf("%-34s %8.1f M accesses/s  l1 hit %6.2f%%\n", "l1->l2 path, 256 pages, runs of 16",
               n / dt / 1e6, 100.0 * (double)l1h / n);
    }
    tlb_destroy(l1);
    tlb_destroy(l2);

    /* Walk cache: 64 x 4-way, level-2 lookups over 256 2 MB regions */
    {
        struct pwc_config pc = { .enabled = true, .entries = 64, .ways = 4, .latency_cycles = 1,
                                 .repl = REPL_LRU, .levels = 0x7 };
        struct sim_err e;
        struct pwc *w = pwc_create(&pc, 1, &e);
        if (!w)
            return 1;
        uint64_t hits = 0;
        double t0 = now_s();
        for (unsigned r = 0; r < reps; r++)
            for (uint32_t i = 0; i < STREAM_LEN; i++) {
                uint64_t v = va[i] << 5;   /* spread over 2 MB regions */
                if (pwc_lookup(w, 1, 1, 2, 21, v, NULL)) {
                    hits++;
                } else {
                    struct pwc_entry pe = { .tag = v >> 21, .vmid = 1, .asid = 1, .level = 2,
                                            .shift = 21 };
                    pwc_insert(w, &pe);
                }
            }
        double dt = now_s() - t0;
        double n = (double)reps * STREAM_LEN;
        printf("%-34s %8.1f M lookups/s  hit %6.2f%%\n", "pwc 64x4, level 2", n / dt / 1e6,
               100.0 * (double)hits / n);
        pwc_destroy(w);
    }

    /* Data caches: N1-like hierarchy, a stream with 75% L1 hits (8 B steps over 64 B
     * lines with a 16 KB-per-pass window, plus scattered misses). */
    {
        struct mem_config m = {
            .l1d = { true, 64 << 10, 4, 64, 4, REPL_LRU, true, true },
            .l2 = { true, 1 << 20, 8, 64, 11, REPL_PLRU, true, true },
            .llc = { true, 8 << 20, 16, 64, 35, REPL_RANDOM, true, true },
            .dram_latency_cycles = 200,
            .walker_port = PORT_L1D,
        };
        struct sim_err e;
        struct cache_hier *h = cache_hier_create(&m, 1, &e);
        if (!h) {
            fprintf(stderr, "bench_tlb: %s\n", e.msg);
            return 1;
        }
        struct sim_rng g;
        sim_rng_seed(&g, 9);
        static const char *const names[3] = {
            "cache, hot 32 KB (L1D hits)", "cache, sequential 8 B steps", "cache, 75% local 25% random"
        };
        for (int kind = 0; kind < 3; kind++) {
            for (uint32_t i = 0; i < STREAM_LEN; i++) {
                if (kind == 0)
                    va[i] = sim_rng_below(&g, 32 << 10) & ~UINT64_C(7);
                else if (kind == 1)
                    va[i] = (uint64_t)i * 8;
                else
                    va[i] = (i & 3) == 3 ? sim_rng_below(&g, UINT64_C(1) << 30)
                                         : (uint64_t)(i % 4096) * 8;
            }
            cache_hier_reset_stats(h);
            uint64_t cycles = 0;
            double t0 = now_s();
            for (unsigned r = 0; r < reps; r++)
                for (uint32_t i = 0; i < STREAM_LEN; i++)
                    cycles += cache_hier_access(h, va[i] + ((uint64_t)r << 23),
                                                (i & 7) == 5 ? MEM_WRITE : MEM_READ, PORT_L1D,
                                                NULL);
            double dt = now_s() - t0;
            double n = (double)reps * STREAM_LEN;
            const struct cache_level_stats *s1 = cache_hier_stats(h, SERVED_L1);
            printf("%-34s %8.1f M accesses/s  l1 hit %6.2f%%  mean %.1f cycles\n", names[kind],
                   n / dt / 1e6, 100.0 * (double)s1->hits / (double)s1->accesses,
                   (double)cycles / n);
        }
        cache_hier_destroy(h);
    }
    free(va);
    return 0;
}

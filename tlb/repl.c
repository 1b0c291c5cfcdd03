/*
 * tlb/repl.c - LRU, tree-PLRU and random replacement (see repl.h for the
 * model and the tree layout).
 */
#include "tlb/repl.h"

#include <stdlib.h>
#include <string.h>

const char *repl_policy_name(enum repl_policy p)
{
    switch (p) {
    case REPL_LRU: return "lru";
    case REPL_PLRU: return "plru";
    case REPL_RANDOM: return "random";
    }
    return "?";
}

int repl_init(struct repl *r, enum repl_policy policy, uint32_t sets, uint32_t ways,
              uint64_t seed, struct sim_err *err)
{
    memset(r, 0, sizeof(*r));
    if (policy != REPL_LRU && policy != REPL_PLRU && policy != REPL_RANDOM)
        return sim_err_set(err, SIM_EINVAL, "repl: unknown replacement policy %d", (int)policy);
    if (sets == 0 || ways == 0)
        return sim_err_set(err, SIM_EINVAL, "repl: %u sets x %u ways: both must be >= 1",
                           sets, ways);
    r->policy = policy;
    r->sets = sets;
    r->ways = ways;
    r->tree_ways = 1;
    while (r->tree_ways < ways)
        r->tree_ways <<= 1;
    /* tree_ways - 1 internal nodes, at least one word so indexing stays simple */
    r->tree_words = (r->tree_ways + 63) / 64;
    sim_rng_seed(&r->rng, seed);

    size_t n = 0;
    if (policy == REPL_LRU)
        n = (size_t)sets * ways;
    else if (policy == REPL_PLRU)
        n = (size_t)sets * r->tree_words;
    if (n) {
        r->state = calloc(n, sizeof(uint64_t));
        if (!r->state)
            return sim_err_set(err, SIM_ENOMEM, "repl: out of memory for %zu words", n);
    }
    return SIM_OK;
}

void repl_fini(struct repl *r)
{
    free(r->state);
    r->state = NULL;
}

void repl_reset(struct repl *r)
{
    size_t n = 0;
    if (r->policy == REPL_LRU)
        n = (size_t)r->sets * r->ways;
    else if (r->policy == REPL_PLRU)
        n = (size_t)r->sets * r->tree_words;
    if (n && r->state)
        memset(r->state, 0, n * sizeof(uint64_t));
    r->clock = 0;
}

static inline bool node_get(const uint64_t *bits, uint32_t node)
{
    return (bits[node >> 6] >> (node & 63)) & 1;
}

static inline void node_put(uint64_t *bits, uint32_t node, bool v)
{
    uint64_t m = UINT64_C(1) << (node & 63);
    if (v)
        bits[node >> 6] |= m;
    else
        bits[node >> 6] &= ~m;
}

void repl_plru_touch(struct repl *r, uint32_t set, uint32_t way)
{
    uint64_t *bits = r->state + (uint64_t)set * r->tree_words;
    uint32_t node = 0, lo = 0, size = r->tree_ways;
    while (size > 1) {
        uint32_t half = size >> 1;
        if (way < lo + half) {
            node_put(bits, node, 1);   /* used left: pseudo-LRU side is right */
            node = 2 * node + 1;
        } else {
            node_put(bits, node, 0);   /* used right: pseudo-LRU side is left */
            node = 2 * node + 2;
            lo += half;
        }
        size = half;
    }
}

uint32_t repl_victim(struct repl *r, uint32_t set)
{
    switch (r->policy) {
    case REPL_LRU: {
        const uint64_t *st = r->state + (uint64_t)set * r->ways;
        uint32_t best = 0;
        for (uint32_t w = 1; w < r->ways; w++)
            if (st[w] < st[best])
                best = w;
        return best;
    }
    case REPL_PLRU: {
        const uint64_t *bits = r->state + (uint64_t)set * r->tree_words;
        uint32_t node = 0, lo = 0, size = r->tree_ways;
        while (size > 1) {
            uint32_t half = size >> 1;
            /* go right only if the bit says so and the right half holds a real way */
            if (node_get(bits, node) && lo + half < r->ways) {
                node = 2 * node + 2;
                lo += half;
            } else {
                node = 2 * node + 1;
            }
            size = half;
        }
        return lo;
    }
    case REPL_RANDOM:
        return (uint32_t)sim_rng_below(&r->rng, r->ways);
    }
    return 0;
}

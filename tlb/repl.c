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

    r->packed = policy == REPL_LRU && ways <= REPL_PACKED_WAYS;

    size_t n = 0;
    if (r->packed)
        n = sets;
    else if (policy == REPL_PLRU)
        n = (size_t)sets * r->tree_words;
    if (n) {
        r->state = calloc(n, sizeof(uint64_t));
        if (!r->state)
            return sim_err_set(err, SIM_ENOMEM, "repl: out of memory for %zu words", n);
    }
    if (policy == REPL_LRU && !r->packed) {
        r->link = malloc((size_t)sets * ways * sizeof(*r->link));
        r->ends = malloc((size_t)sets * 2 * sizeof(*r->ends));
        if (!r->link || !r->ends) {
            repl_fini(r);
            return sim_err_set(err, SIM_ENOMEM, "repl: out of memory for %u x %u links", sets,
                               ways);
        }
    }
    repl_reset(r);
    return SIM_OK;
}

void repl_fini(struct repl *r)
{
    free(r->state);
    free(r->link);
    free(r->ends);
    r->state = NULL;
    r->link = NULL;
    r->ends = NULL;
}

/* Initial LRU order: way ways-1 most recent .. way 0 least recent (see repl.h). */
void repl_reset(struct repl *r)
{
    if (r->packed) {
        uint64_t o = ~UINT64_C(0);          /* unused ranks hold 0xF */
        for (uint32_t rank = 0; rank < r->ways; rank++) {
            o &= ~(UINT64_C(0xF) << (4 * rank));
            o |= (uint64_t)(r->ways - 1 - rank) << (4 * rank);
        }
        for (uint32_t s = 0; s < r->sets; s++)
            r->state[s] = o;
    } else if (r->policy == REPL_LRU && r->link) {
        for (uint32_t s = 0; s < r->sets; s++) {
            struct repl_link *l = r->link + (size_t)s * r->ways;
            for (uint32_t w = 0; w < r->ways; w++) {
                l[w].next = w - 1;          /* UINT32_MAX past way 0: never followed */
                l[w].prev = w + 1;          /* == ways past the head: never followed */
            }
            r->ends[2 * (size_t)s] = r->ways - 1;
            r->ends[2 * (size_t)s + 1] = 0;
        }
    } else if (r->policy == REPL_PLRU && r->state) {
        memset(r->state, 0, (size_t)r->sets * r->tree_words * sizeof(uint64_t));
    }
}

void repl_list_touch(struct repl *r, uint32_t set, uint32_t way)
{
    uint32_t *ends = r->ends + 2 * (size_t)set;
    uint32_t head = ends[0];
    if (head == way)
        return;                             /* already the most recent */
    struct repl_link *l = r->link + (size_t)set * r->ways;
    uint32_t p = l[way].prev, n = l[way].next;
    l[p].next = n;                          /* way is not the head, so p is a real way */
    if (ends[1] == way)
        ends[1] = p;
    else
        l[n].prev = p;
    l[way].next = head;
    l[head].prev = way;
    ends[0] = way;
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

uint32_t repl_victim_slow(struct repl *r, uint32_t set)
{
    switch (r->policy) {
    case REPL_LRU:
        if (r->packed)
            return (uint32_t)(r->state[set] >> (4 * (r->ways - 1))) & 0xF;
        return r->ends[2 * (size_t)set + 1];   /* the least recent way */
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

uint32_t repl_replace_slow(struct repl *r, uint32_t set)
{
    if (r->policy == REPL_LRU && r->ways > 1) {
        /* List LRU: the victim is the tail; repl_list_touch() of it, unrolled
         * for a way that is the tail and not the head. */
        uint32_t *ends = r->ends + 2 * (size_t)set;
        uint32_t way = ends[1], head = ends[0];
        struct repl_link *l = r->link + (size_t)set * r->ways;
        uint32_t p = l[way].prev;
        l[p].next = l[way].next;
        ends[1] = p;
        l[way].next = head;
        l[head].prev = way;
        ends[0] = way;
        return way;
    }
    uint32_t way = repl_victim_slow(r, set);
    repl_touch(r, set, way);
    return way;
}

/*
 * tlb/repl.h - per-set replacement state shared by the TLBs, the walk cache
 * and the data caches: true LRU, tree pseudo-LRU and seeded random.
 *
 * The owner keeps the validity of its ways.  The contract is:
 *   - on every hit and every fill of (set, way) the owner calls repl_touch();
 *   - when a set has an invalid way the owner fills the lowest-indexed invalid
 *     way itself (architecturally every core fills empty ways first);
 *   - only when the set is full does it call repl_victim().
 * Invalidating a way needs no call: the way is refilled before any victim is
 * chosen, whatever its recorded age.
 *
 * LRU keeps a 64-bit age stamp per way (victim = smallest stamp; O(ways)).
 * Tree-PLRU keeps one bit per internal node of a binary tree over the ways
 * rounded up to a power of two (heap layout: node n has children 2n+1 and
 * 2n+2).  A node bit of 0 means "the pseudo-LRU way is in the left half",
 * 1 "in the right half"; a touch makes every node on the path point away from
 * the touched way.  Leaves beyond the real ways exist only in the tree: the
 * victim search never descends into a half that holds no real way.
 * Random draws a way uniformly from the owner's seeded struct sim_rng.
 *
 * Not modelled: per-set random streams, NRU/RRIP, victim buffers.
 */
#ifndef TLB_REPL_H
#define TLB_REPL_H

#include <stdint.h>

#include "sim/base.h"
#include "sim/config.h"
#include "sim/err.h"

struct repl {
    enum repl_policy policy;   /* REPL_LRU, REPL_PLRU or REPL_RANDOM */
    uint32_t sets;             /* number of sets (>= 1) */
    uint32_t ways;             /* real ways per set (>= 1) */
    uint32_t tree_ways;        /* PLRU: ways rounded up to a power of two */
    uint32_t tree_words;       /* PLRU: 64-bit words of node bits per set */
    uint64_t clock;            /* LRU: last stamp handed out */
    uint64_t *state;           /* LRU: sets*ways stamps; PLRU: sets*tree_words words */
    struct sim_rng rng;        /* RANDOM: victim stream */
};

/**
 * repl_init() - set up replacement state for @sets x @ways.
 * @r:      caller storage.
 * @policy: the replacement policy.
 * @seed:   seeds the random policy's stream (ignored by LRU/PLRU).
 * Return: SIM_OK, SIM_EINVAL (bad policy or geometry) or SIM_ENOMEM, with
 * @err set; on failure @r owns nothing and repl_fini() is a no-op.
 */
int repl_init(struct repl *r, enum repl_policy policy, uint32_t sets, uint32_t ways,
              uint64_t seed, struct sim_err *err);

/* Release the state of @r (safe on a zeroed or failed struct). */
void repl_fini(struct repl *r);

/* Forget all history: LRU stamps and PLRU bits to zero; the RNG keeps running. */
void repl_reset(struct repl *r);

/**
 * repl_victim() - the way of @set to replace when every way is valid.
 * Return: a way in [0, ways).  Random advances the stream; LRU/PLRU do not
 * change state (the owner's following repl_touch() of the filled way does).
 */
uint32_t repl_victim(struct repl *r, uint32_t set);

/* PLRU part of repl_touch(), out of line: walks log2(tree_ways) nodes. */
void repl_plru_touch(struct repl *r, uint32_t set, uint32_t way);

/**
 * repl_touch() - record a use (hit or fill) of @way in @set.  Hot path: no
 * allocation, O(log ways) at most.
 */
static inline void repl_touch(struct repl *r, uint32_t set, uint32_t way)
{
    if (r->policy == REPL_LRU)
        r->state[(uint64_t)set * r->ways + way] = ++r->clock;
    else if (r->policy == REPL_PLRU)
        repl_plru_touch(r, set, way);
    /* REPL_RANDOM keeps no history */
}

/* Printable policy name ("lru", "plru", "random", or "?"). */
const char *repl_policy_name(enum repl_policy p);

#endif /* TLB_REPL_H */

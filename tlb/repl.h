/*
 * tlb/repl.h - per-set replacement state shared by the TLBs, the walk cache
 * and the data caches: true LRU, tree pseudo-LRU and seeded random.
 *
 * The owner keeps the validity of its ways.  The contract is:
 *   - on every hit and every fill of (set, way) the owner calls repl_touch();
 *   - when a set has an invalid way the owner fills the lowest-indexed invalid
 *     way itself (architecturally every core fills empty ways first);
 *   - only when the set is full does it call repl_victim() (or repl_replace_masked(),
 *     which is repl_victim() plus the repl_touch() of the fill).
 * Invalidating a way needs no call: the way is refilled before any victim is
 * chosen, whatever its recorded age.
 *
 * LRU keeps each set's ways in recency order, so the victim is O(1): sets of
 * up to 16 ways pack the order into one 64-bit word (nibble i = the way of
 * recency rank i, rank 0 the most recent), wider sets keep a doubly linked
 * list.  The order starts as ways-1 (most recent) .. 0 (least recent): that is
 * exactly the old "smallest age stamp, ties to the lowest way" rule, since
 * never-touched ways (stamp 0) then go first, lowest index first, and touched
 * ways leave in the order of their last touch.
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

#define REPL_PACKED_WAYS 16     /* LRU sets up to this wide keep a packed order word */

/* LRU list link of one way (ways > REPL_PACKED_WAYS); next points towards the LRU end. */
struct repl_link {
    uint32_t prev, next;
};

struct repl {
    enum repl_policy policy;   /* REPL_LRU, REPL_PLRU or REPL_RANDOM */
    bool packed;               /* LRU with ways <= REPL_PACKED_WAYS: order words in state */
    uint32_t sets;             /* number of sets (>= 1) */
    uint32_t ways;             /* real ways per set (>= 1) */
    uint32_t tree_ways;        /* PLRU: ways rounded up to a power of two */
    uint32_t tree_words;       /* PLRU: 64-bit words of node bits per set */
    uint64_t *state;           /* packed LRU: one order word per set; PLRU: sets*tree_words */
    struct repl_link *link;    /* list LRU: sets*ways links */
    uint32_t *ends;            /* list LRU: per set [2s] = most recent way, [2s+1] = least */
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

/* Forget all history: LRU order and PLRU bits as after repl_init(); the RNG keeps running. */
void repl_reset(struct repl *r);

/**
 * repl_victim() - the way of @set to replace when every way is valid.
 * Return: a way in [0, ways).  Random advances the stream; LRU/PLRU do not
 * change state (the owner's following repl_touch() of the filled way does).
 */
uint32_t repl_victim_slow(struct repl *r, uint32_t set);

static inline uint32_t repl_victim(struct repl *r, uint32_t set)
{
    if (r->packed)   /* the least recent rank */
        return (uint32_t)(r->state[set] >> (4 * (r->ways - 1))) & 0xF;
    return repl_victim_slow(r, set);
}

/* PLRU part of repl_touch(), out of line: walks log2(tree_ways) nodes. */
void repl_plru_touch(struct repl *r, uint32_t set, uint32_t way);

/* List-LRU part of repl_touch(), out of line: O(1) unlink and relink. */
void repl_list_touch(struct repl *r, uint32_t set, uint32_t way);

#define REPL_NIBBLES UINT64_C(0x1111111111111111)

/*
 * Move @way to rank 0 of the packed order word @o.  The nibble holding @way is
 * found with the "lowest zero nibble" bit trick (x - 0x11..1) & ~x & 0x88..8 on
 * o ^ (way * 0x11..1): its lowest set bit is exact (only nibbles above the
 * first zero can be flagged falsely), and @way occurs exactly once among the
 * real ranks (unused ranks hold 0xF, which is never a way of a narrower set).
 * That flag bit gives the mask of ranks 0 .. the rank of @way (z ^ (z - 1));
 * under it the ranks move down one (o << 4) and @way takes rank 0.
 */
static inline uint64_t repl_order_touch(uint64_t o, uint32_t way)
{
    uint64_t x = o ^ (way * REPL_NIBBLES);
    uint64_t z = (x - REPL_NIBBLES) & ~x & (REPL_NIBBLES << 3);
    uint64_t m = z ^ (z - 1);
    return (o & ~m) | ((o << 4) & m) | way;
}

/**
 * repl_touch() - record a use (hit or fill) of @way in @set.  Hot path: no
 * allocation, O(1) for LRU, O(log ways) for PLRU.
 */
static inline void repl_touch(struct repl *r, uint32_t set, uint32_t way)
{
    if (r->packed)
        r->state[set] = repl_order_touch(r->state[set], way);
    else if (r->policy == REPL_LRU)
        repl_list_touch(r, set, way);
    else if (r->policy == REPL_PLRU)
        repl_plru_touch(r, set, way);
    /* REPL_RANDOM keeps no history */
}

/* repl_replace_masked() for the policies without a packed order word, out of line. */
uint32_t repl_replace_slow(struct repl *r, uint32_t set);

/*
 * A packed LRU's least recent rank and the masks around it, kept by an owner
 * whose fills replace often (the TLBs, the walk cache), so that its
 * repl_replace_masked() is three masks and a shift.  Kept outside struct repl,
 * whose layout the data caches' hot paths are compiled against.
 */
struct repl_lru_masks {
    unsigned last_pos;         /* 4 * (ways - 1): the bit of the least recent rank */
    uint64_t below;            /* the more recent ranks: 2^last_pos - 1 */
    uint64_t above;            /* the unused ranks past the last (all 0xF) */
};

/* Set up @m for @r (zeros, never used, unless @r is a packed LRU). */
static inline void repl_lru_masks_init(const struct repl *r, struct repl_lru_masks *m)
{
    *m = (struct repl_lru_masks){ 0 };
    if (!r->packed)
        return;   /* ways > 16: 4 * (ways - 1) would shift past 64 bits */
    m->last_pos = 4 * (r->ways - 1);
    m->below = (UINT64_C(1) << m->last_pos) - 1;
    m->above = ~UINT64_C(0) << m->last_pos << 4;
}

/*
 * repl_replace_masked() - repl_victim() followed by repl_touch() of the victim,
 * for an owner that refills the victim at once; @m is set up for @r.  Same
 * result, fewer steps: the packed LRU victim is the least recent rank, so the
 * touch is a plain shift of the more recent ranks.
 */
static inline uint32_t repl_replace_masked(struct repl *r, const struct repl_lru_masks *m,
                                           uint32_t set)
{
    if (r->packed) {
        uint64_t o = r->state[set];
        uint32_t way = (uint32_t)(o >> m->last_pos) & 0xF;
        r->state[set] = (o & m->above) | ((o & m->below) << 4) | way;
        return way;
    }
    return repl_replace_slow(r, set);
}

/* Printable policy name ("lru", "plru", "random", or "?"). */
const char *repl_policy_name(enum repl_policy p);

#endif /* TLB_REPL_H */

/*
 * cache/cache.h - the data-cache hierarchy L1D -> L2 -> LLC -> DRAM, priced in
 * cycles.  Both the trace's data accesses (from PORT_L1D) and the walker's
 * descriptor fetches (from the configured walker port) go through it, so page
 * table entries compete with data for capacity.
 *
 * Each level is physically indexed and tagged: line_bytes (a power of two),
 * sets = size_bytes / (ways * line_bytes) (an integer >= 1; ways == 0 means
 * fully associative), replacement LRU / tree-PLRU / random (tlb/repl.h),
 * write-back or write-through, write-allocate or write-around.  A disabled
 * level is skipped as if absent.
 *
 * Timing: an access costs the hit latency of every enabled level it looks up,
 * from the starting port down to the level that hits, plus the DRAM latency on
 * a full miss.  Misses fill the levels above on the way back (non-inclusive,
 * non-exclusive); a write does not allocate in a write-around level.
 *
 * Writes: the written line ends up in the highest level that holds it after
 * the fill.  In a write-back level it is marked dirty; a write-through level
 * passes the write on to the next enabled level below (which treats it the way
 * it treats a write-back from above).  Dirty victims are written back to the
 * next enabled level: it updates its copy (dirty if write-back, passed on if
 * write-through) or, if absent, allocates it when write-allocate, else passes
 * it on; DRAM absorbs whatever reaches it.  Write-backs and write-through
 * traffic are counted, never charged: a write buffer is assumed, so they do
 * not delay the access that caused them.
 *
 * Not modelled: MSHRs / overlapping misses, prefetchers, bank or bus
 * contention, DRAM row buffers, coherence, inclusion/exclusion enforcement,
 * accesses spanning lines (the engine splits them), differing line sizes
 * beyond writing back the victim's first bytes.
 */
#ifndef CACHE_CACHE_H
#define CACHE_CACHE_H

#include <stdint.h>

#include "sim/config.h"
#include "sim/err.h"
#include "sim/stats.h"

enum mem_op {
    MEM_READ = 0,
    MEM_WRITE = 1,
};

struct cache_level_stats {
    uint64_t accesses;     /* lookups on the access path (write-backs excluded) */
    uint64_t hits;
    uint64_t misses;
    uint64_t writebacks;   /* caches: dirty victims written back to the level below;
                              DRAM: writes absorbed (write-backs + write-through traffic) */
};

struct cache_hier;

/**
 * cache_hier_create() - build the hierarchy of @cfg.
 * @seed: seeds the random replacement of each level (a distinct stream per level).
 * Return: the hierarchy, or NULL with @err naming the JSON path of the bad
 * field ("mem.l2.ways: ...").
 */
struct cache_hier *cache_hier_create(const struct mem_config *cfg, uint64_t seed,
                                     struct sim_err *err);

/* Free @h (NULL is fine). */
void cache_hier_destroy(struct cache_hier *h);

/**
 * cache_hier_access() - one access to the line holding @pa.
 * @from:   first level looked up: PORT_L1D for data, the walker's port for walks.
 * @served: may be NULL; receives the level that supplied the data (enum mem_served).
 * Return: cycles (sum of the latencies of the levels looked up, plus DRAM on a
 * full miss).  Hot path: no allocation.
 */
uint32_t cache_hier_access(struct cache_hier *h, uint64_t pa, enum mem_op op,
                           enum walker_port from, uint8_t *served);

/*
 * Where an access to a PA reads the last cache level's state (the only level too
 * big to stay in the host's caches), for a caller that starts those host loads
 * ahead of the access: cache_prefetch().  A speed-up only: nothing simulated
 * changes.  Filled by cache_hier_prefetch_map(); valid while @h lives (on is
 * false when the hierarchy has no such straight-line layout).
 */
struct cache_prefetch_map {
    bool on;
    unsigned line_shift;
    uint64_t set_mask;
    size_t block_bytes;
    const uint8_t *blocks;
};

void cache_hier_prefetch_map(const struct cache_hier *h, struct cache_prefetch_map *m);

/* always_inline: GCC finds a function that only prefetches "pure" and, the result
 * being void, deletes calls to it before inlining them. */
static inline __attribute__((always_inline)) void cache_prefetch(const struct cache_prefetch_map *m,
                                                                 uint64_t pa)
{
    if (!m->on)
        return;
    const uint8_t *b = m->blocks + ((pa >> m->line_shift) & m->set_mask) * m->block_bytes;
    __builtin_prefetch(b);
    if (m->block_bytes > 64)
        __builtin_prefetch(b + 64);
}

/**
 * cache_hier_store_mru() - a store to the line touched last at a write-back
 * L1D: counted as an L1D hit and the line marked dirty, exactly as
 * cache_hier_access(pa, MEM_WRITE, PORT_L1D) would.  Return: false (nothing
 * done) when that does not apply; the caller then calls cache_hier_access().
 */
bool cache_hier_store_mru(struct cache_hier *h, uint64_t pa);

/**
 * cache_hier_stats() - counters of one level (SERVED_L1, _L2, _LLC) or of DRAM
 * (SERVED_DRAM: accesses = hits = reads that reached DRAM, misses = 0).
 * Return: NULL for an out-of-range @level.
 */
const struct cache_level_stats *cache_hier_stats(const struct cache_hier *h,
                                                 enum mem_served level);

/* For tests: make @h take the general access path, which handles any
 * hierarchy; results are identical, only slower. */
void cache_hier_force_general(struct cache_hier *h);

/* Zero every counter (contents stay). */
void cache_hier_reset_stats(struct cache_hier *h);

/* True if @pa's line is held (valid) in @level (SERVED_L1.._LLC).  No side effects. */
bool cache_hier_probe(const struct cache_hier *h, enum mem_served level, uint64_t pa);

/* True if @pa's line is held dirty in @level.  No side effects. */
bool cache_hier_probe_dirty(const struct cache_hier *h, enum mem_served level, uint64_t pa);

/**
 * cache_hier_check() - invariant checker for tests: every line in the set its
 * address indexes, no duplicates within a set, no dirty line in a
 * write-through level, hits + misses == accesses, plus the layout's own
 * invariants (valid ways a prefix, tags matching lines, an LRU set that is not
 * full has its lowest free way least recent; see cache.c).
 * Return: 0 when all hold, else the number of the first violated invariant.
 */
int cache_hier_check(const struct cache_hier *h);

#endif /* CACHE_CACHE_H */

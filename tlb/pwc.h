/*
 * tlb/pwc.h - the stage-1 walk cache: cached stage-1 *table* descriptors.
 *
 * An entry records the result of a stage-1 walk up to, not including, the
 * last level (ARM-VMSA.md section 6 (b), A53/A55 TRMs): "for (vmid, asid) and
 * the VA prefix tag = va >> shift, the level-`level` table descriptor points at
 * the next-level table whose IPA is `ipa` and PA is `pa`".  A hit at level k
 * lets the walker skip the reads of levels <= k and the stage-2 walks of their
 * table addresses.  Entries are tagged with VMID+ASID (table descriptors have no
 * nG bit: the conservative model); TLBI scopes are in tlbi.h.
 *
 * Sets are indexed by a hash of (level, tag) so that the levels spread over the
 * sets.  Only levels enabled in cfg->levels (bit L, L = 0..2) are stored.
 *
 * Not modelled: the lookup latency (the caller charges cfg->latency_cycles per
 * lookup), stage-2 table caching (the IPA cache is a struct tlb, TLB_ROLE_S2),
 * level -1 tables of 52-bit LPA2 regimes (never stored).
 */
#ifndef TLB_PWC_H
#define TLB_PWC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/err.h"
#include "tlb/tlb.h"
#include "tlb/tlbi.h"

struct pwc_entry {
    uint64_t tag;      /* va >> shift */
    uint64_t ipa;      /* IPA of the next-level table the descriptor points at */
    uint64_t pa;       /* PA of that table (after its stage-2 translation) */
    uint16_t vmid;     /* VMID tag */
    uint16_t asid;     /* ASID tag */
    int8_t level;      /* lookup level of the cached table descriptor (0..2) */
    uint8_t shift;     /* VA bits resolved below that level (e.g. 30 at level 1, 4K granule) */
    uint8_t attrs;     /* opaque: hierarchical attributes (APTable, XNTable...) */
};

struct pwc;

/**
 * pwc_create() - allocate a walk cache.  cfg->enabled == false gives a cache
 * that stores nothing and counts nothing.
 * Return: the cache, or NULL with @err naming the bad field.
 */
struct pwc *pwc_create(const struct pwc_config *cfg, uint64_t seed, struct sim_err *err);

/* Free @p (NULL is fine). */
void pwc_destroy(struct pwc *p);

/**
 * pwc_lookup() - find the level-@level entry of (@vmid, @asid) for @va, whose
 * tag is va >> @shift (the caller computes @shift for the granule and level).
 * Updates replacement state and stats.  Hot path: no allocation.
 * @out: receives the entry on a hit (may be NULL); untouched on a miss.
 * Return: true on a hit.  Lookups of levels not cached are misses.
 */
bool pwc_lookup(struct pwc *p, uint16_t vmid, uint16_t asid, int8_t level, uint8_t shift,
                uint64_t va, struct pwc_entry *out);

/**
 * pwc_lookup_deepest() - the probe a walk starts with: pwc_lookup() of each
 * cached level from 2 down to @start_level, deepest first, stopping at the
 * first hit.  The same effect as that sequence of calls, which skips the levels
 * not cached (those are not looked up, so not counted): the same stats,
 * replacement updates and answer, in one call.
 * @start_level: the shallowest level to probe; below 0 (a 52-bit regime's
 *              level -1, never cached) probes down to level 0.
 * @level_shift: by level 0..2, the VA bits resolved below it (the tag of level L
 *              is va >> level_shift[L]), e.g. a regime's stage_params.level_shift.
 * @out: receives the entry that hit (may be NULL); untouched when none does.
 * Return: the level that hit (0..2), or -1 when every probed level missed.
 */
int pwc_lookup_deepest(struct pwc *p, uint16_t vmid, uint16_t asid, int start_level,
                       const uint8_t *level_shift, uint64_t va, struct pwc_entry *out);

/**
 * pwc_insert() - cache @e (e->tag already = va >> e->shift).  Ignored when
 * e->level is not cached.  An entry with the same (vmid, asid, level, shift,
 * tag) is overwritten; otherwise the lowest invalid way, else the policy's
 * victim, is used.  Never fails.
 */
void pwc_insert(struct pwc *p, const struct pwc_entry *e);

/* Apply one TLBI (scopes in tlbi.h).  Return: entries removed. */
unsigned pwc_invalidate(struct pwc *p, const struct tlbi *op);

/* True if @level's table descriptors are stored (enabled and bit set in cfg->levels). */
bool pwc_caches_level(const struct pwc *p, int8_t level);

/* Counters (the TLB counter struct is reused). */
const struct tlb_stats *pwc_get_stats(const struct pwc *p);
void pwc_reset_stats(struct pwc *p);

/* Valid entries currently held. */
unsigned pwc_occupancy(const struct pwc *p);

/**
 * pwc_check() - invariant checker for tests: entries in their hashed set, only
 * cached levels, no duplicate keys, counts consistent.
 * Return: 0 when all hold, else the number of the first violated invariant.
 */
int pwc_check(const struct pwc *p);

#endif /* TLB_PWC_H */

/*
 * tlb/tlb.h - one TLB level: set-associative or fully associative, several
 * page sizes, VMID/ASID/global tags, seeded replacement, exact TLBI scopes.
 *
 * One structure serves the L1 I-TLB, the L1 D-TLB and the L2 unified TLB
 * (TLB_ROLE_LEAF: combined VA->PA entries when virtualized, stage-1 VA->PA
 * when native; ARM-VMSA.md section 6 (a)) and the stage-2 IPA cache
 * (TLB_ROLE_S2: IPA->PA, inserted global, looked up with ASID 0; (c)).
 *
 * Indexing: a set-associative level indexes a probe for page size 2^s with
 * (va >> s) mod sets.  It probes only the sizes it currently holds (a count
 * per size), so the common case is one probe.  Fully associative = one set.
 * Entries larger than the level can hold are fractured to the largest held
 * size (ARM-VMSA.md s.6 "Combined entry size"; A55 L1 D-TLB holds 4K only).
 *
 * Not modelled: contiguous-bit coalescing, TLB conflict aborts (an older entry
 * of another size covering the same VA may coexist; a lookup returns either),
 * the regime tag (EL1&0 only), 8-bit ASID/VMID truncation (callers truncate),
 * lookup latency (the caller charges cfg->latency_cycles).
 */
#ifndef TLB_TLB_H
#define TLB_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/config.h"
#include "sim/err.h"
#include "tlb/tlbi.h"

#define TLB_MIN_SHIFT 12   /* smallest entry: a 4 KB page */
#define TLB_MAX_SHIFT 42   /* largest entry: a 4 TB block (64K granule, level 1, 52-bit) */

struct tlb_entry {
    uint64_t va;        /* input address base (VA, or IPA for TLB_ROLE_S2), aligned to 2^shift */
    uint64_t pa;        /* output address base (PA), aligned to 2^shift */
    uint64_t ipa;       /* IPA base of the translation (informational, for the walk log) */
    uint16_t vmid;      /* VMID tag */
    uint16_t asid;      /* ASID tag (ignored when global) */
    uint8_t shift;      /* log2 of the entry size in bytes (12..42) */
    uint8_t level;      /* lookup level of the leaf that produced it (informational) */
    bool global;        /* nG == 0: matches any ASID of its VMID */
    uint8_t perms;      /* opaque to the TLB: the engine's permission bits */
};

struct tlb_stats {
    uint64_t lookups;       /* tlb_lookup() calls on an enabled TLB */
    uint64_t hits;
    uint64_t misses;
    uint64_t inserts;       /* entries written (new or replacing the same key) */
    uint64_t evictions;     /* valid entries displaced by the replacement policy */
    uint64_t invalidated;   /* entries removed by TLBI */
};

struct tlb;

/**
 * tlb_create() - allocate a TLB level.
 * @cfg:  geometry and policy.  cfg->enabled == false gives a TLB that holds
 *        nothing: lookups miss without counting, inserts are dropped.
 * @role: which TLBI ops touch it (see tlbi.h).
 * @seed: seeds the random replacement stream.
 * Return: the TLB, or NULL with @err naming the bad field ("tlb: ways: ...").
 */
struct tlb *tlb_create(const struct tlb_config *cfg, enum tlb_role role, uint64_t seed,
                       struct sim_err *err);

/* Free @t (NULL is fine). */
void tlb_destroy(struct tlb *t);

/**
 * tlb_lookup() - find the entry that translates @va.
 * Hit when an entry of the same @vmid covers @va (va >> shift == entry.va >> shift)
 * and (entry.global or entry.asid == @asid).  TLB_ROLE_S2 lookups pass asid 0.
 * Updates the replacement state and the stats.  Hot path: no allocation.
 * @out: on a hit receives a copy of the entry (may be NULL); untouched on a miss.
 * Return: true on a hit.
 */
bool tlb_lookup(struct tlb *t, uint64_t va, uint16_t vmid, uint16_t asid, struct tlb_entry *out);

/**
 * tlb_insert() - cache the translation @e, which covers @va.
 * If e->shift exceeds the largest size this level holds (cfg->page_sizes, bit k =
 * 2^k bytes) the entry is fractured: shift becomes the largest held size <=
 * e->shift, and va/pa/ipa are re-based to the fragment containing @va.  If no
 * held size is <= e->shift nothing is inserted.  An entry with the same (vmid,
 * asid or global, va fragment, shift) is overwritten in place; otherwise the
 * lowest invalid way of the set is filled, else the policy's victim is evicted.
 * Never fails; no allocation.
 */
void tlb_insert(struct tlb *t, const struct tlb_entry *e, uint64_t va);

/**
 * tlb_set_general_only() - for tests: @on sends every tlb_insert() through the
 * general path (no fast path), so that a test can compare both.  The model's
 * behaviour is the same either way; only host speed differs.
 */
void tlb_set_general_only(struct tlb *t, bool on);

/**
 * tlb_invalidate() - apply one TLB maintenance operation (scopes in tlbi.h).
 * Return: the number of entries removed.
 */
unsigned tlb_invalidate(struct tlb *t, const struct tlbi *op);

/* Counters since creation or the last tlb_reset_stats(). */
const struct tlb_stats *tlb_get_stats(const struct tlb *t);
void tlb_reset_stats(struct tlb *t);

/* Valid entries currently held. */
unsigned tlb_occupancy(const struct tlb *t);

/**
 * tlb_contains() - is an entry with exactly this key held?  (@asid ignored
 * when @global.)  No side effects: for tests and debugging.
 */
bool tlb_contains(const struct tlb *t, uint64_t va, uint16_t vmid, uint16_t asid, bool global,
                  uint8_t shift);

/**
 * tlb_check() - invariant checker for tests: per-size counts match the valid
 * entries, each entry sits in the set its index selects, its size is held by
 * the level, no two valid entries share a key, hits + misses == lookups.
 * Return: 0 when all hold, otherwise the (positive) number of the first
 * violated invariant.
 */
int tlb_check(const struct tlb *t);

/**
 * tlb_config_from_pwc() - the tlb_config of an IPA cache described by a
 * pwc_config (entries, ways, latency, policy) that holds @page_sizes.
 */
void tlb_config_from_pwc(const struct pwc_config *pc, uint64_t page_sizes,
                         struct tlb_config *out);

#endif /* TLB_TLB_H */

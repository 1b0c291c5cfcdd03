/*
 * tlb/tlb.c - a TLB level (contract and model in tlb.h).
 *
 * Layout: a compact 16-byte tag per slot (scanned on every lookup) and a
 * parallel array of full entries (copied out on a hit).  Slot i of set s is
 * index s * ways + i.  A tag holds the VPN (va >> shift) and the identity word
 * id = vmid | asid << 16 with its compare mask (0xFFFFFFFF, or 0x0000FFFF for a
 * global entry, whose tag ASID is 0), so the VMID and ASID test is one
 * ((key ^ id) & mask) == 0 for key = vmid | asid << 16.  The entry's size lives
 * only in the full entry (ents[i].shift): when a level holds a single size, the
 * size of every valid slot is known and the scan compares VPNs alone; only
 * levels holding several sizes read it.  An invalid slot has vpn = UINT64_MAX:
 * no `va >> shift` with shift >= 1 equals it, so a match needs no separate valid
 * test.  ents[i].shift of an invalid slot is SHIFT_INVALID (never used) or the
 * size of the entry it last held (>= TLB_MIN_SHIFT), never 0.
 *
 * Lookup hint (a simulator speed-up, not part of the model): a small table,
 * indexed by the low bits of the 4K page number, remembers the slot of the
 * last hit or fill for that page.  It answers before the search and is always
 * verified against the tag, so a stale hint merely falls through to the normal
 * search; it keeps the 48-entry fully associative scan off the common path.
 * The only visible effect is which entry answers when two entries both match
 * (either is allowed, see tlb.h), and that stays deterministic.  A level
 * holding one size consults it only after its one-set scan found a match,
 * which gives the same answer (see tlb_lookup()) and keeps misses cheap.
 *
 * Miss memo (a speed-up only): a lookup that missed after a full search
 * remembers its (va, key) until the next insert or invalidation.  The insert
 * that follows a miss (the walk's fill) usually covers that va with that key,
 * and then a duplicate would have matched the lookup, so there is none and the
 * duplicate search is skipped.
 *
 * Key filter (also a speed-up only): a fully associative level wider than
 * FILTER_MIN_WAYS keeps a counting filter, 2^filter_bits counters indexed by a
 * hash of (vpn, shift), each the number of valid entries with that hash.  There
 * are about 32 counters per way (FILTER_PER_WAY_SHIFT; at least 2^FILTER_MIN_BITS),
 * so a lookup that misses finds a non-zero counter, and pays for the scan, about
 * 1 time in 32 (48 ways: 2048 counters, 2.3%).  A zero counter proves that no entry of that (vpn, shift) is held, whatever its
 * VMID/ASID, so a lookup whose every present size hashes to a zero counter is a
 * miss without the 48-way scan, and an insert whose key hashes to zero needs
 * no duplicate search (only a free-way search, and none when the level is
 * full).  A non-zero counter runs the original scan, so the entry that answers
 * and the way that is filled are the same as without the filter.
 *
 * Insert fast path (a speed-up only): the engine's fill after a miss, of a size
 * the level holds, into a full set, is done inline by tlb_insert() (victim
 * replaced in place, entry written field by field); anything else goes to
 * insert_general().  Both give the same state: test_tlb_fast_vs_general drives
 * a level with tlb_set_general_only() alongside one without.
 */
#include "tlb/tlb.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tlb/repl.h"

#define TLB_MAX_ENTRIES (UINT32_C(1) << 22)
#define VPN_INVALID     UINT64_MAX
#define SHIFT_INVALID   63
#define HINT_BITS       8
#define HINT_SIZE       (1u << HINT_BITS)
#define FILTER_MIN_BITS 9
#define FILTER_MAX_BITS 20
#define FILTER_PER_WAY_SHIFT 5
#define FILTER_MIN_WAYS 8
#define ID_MASK_ASID    UINT32_C(0xFFFFFFFF)   /* non-global: VMID and ASID compared */
#define ID_MASK_GLOBAL  UINT32_C(0x0000FFFF)   /* global: VMID only */

/* tlb_insert() stores an entry's tags (vmid .. perms) as one 8-byte word. */
_Static_assert(offsetof(struct tlb_entry, perms) + 1 - offsetof(struct tlb_entry, vmid) == 8 &&
                   offsetof(struct tlb_entry, perms) + 1 == sizeof(struct tlb_entry),
               "struct tlb_entry: vmid .. perms must be the last 8 bytes");

struct tlb_tag {
    uint64_t vpn;         /* va >> shift, VPN_INVALID when the slot is empty */
    uint32_t id;          /* vmid | asid << 16, asid 0 when global */
    uint32_t mask;        /* ID_MASK_ASID, or ID_MASK_GLOBAL for global entries */
};

struct tlb_hint {
    uint32_t set, way;
};

struct tlb {
    /* hot: read by every lookup and insert, kept in the first cache lines */
    bool enabled;              /* false: holds nothing, counts nothing */
    /* The slot that answered the last lookup, valid until the next miss, insert or
     * invalidation: a repeat hit on it needs no replacement update (it is already the
     * most recent touch of its set), so it skips the hint and the search. */
    bool mru_valid;
    bool sets_pow2;            /* index with a mask rather than a modulo */
    enum tlb_role role;        /* which TLBI ops apply */
    uint32_t sets, ways;       /* ways = entries when fully associative */
    uint32_t set_mask;         /* sets - 1 when sets is a power of two */
    uint32_t mru_slot;
    /* The last lookup missed after a full search for (miss_va, miss_key), and no
     * entry was inserted or invalidated since: an insert of a key that would have
     * matched that lookup cannot find a duplicate (see tlb_insert). */
    bool miss_valid;
    uint32_t miss_key;
    uint64_t miss_va;
    uint64_t present;          /* bit k set iff count[k] > 0 */
    struct tlb_tag *tags;      /* sets * ways */
    struct tlb_entry *ents;    /* sets * ways, meaningful where the tag is valid */
    uint32_t *filter;          /* 2^filter_bits counters (fully associative levels), or NULL */
    unsigned filter_shift;     /* 64 - filter_bits: the hash's top bits index the counters */
    uint32_t *set_valid;       /* valid entries per set: a full set has no free way */
    struct tlb_hint *hint;     /* HINT_SIZE slots, by (va >> 12) mod HINT_SIZE */
    struct tlb_stats st;       /* counters */
    struct repl repl;          /* replacement state */
    /* bookkeeping of fills, evictions and invalidations */
    uint32_t valid;            /* valid entries */
    uint64_t page_sizes;       /* bit k: entries of 2^k bytes can be held */
    uint32_t count[64];        /* valid entries per shift */
    /* By entry shift: the size an entry is inserted with (the largest held size
     * <= it), 0 when none is or the shift is out of range or the level disabled. */
    uint8_t frac[256];
    /* By entry shift k: k itself when k is held (inserted unfractured), another
     * value otherwise; every value differs from its index when the fast paths are
     * off (tlb_set_general_only()), so one compare admits the insert fast path. */
    uint8_t exact[256];
    /* The last 8 bytes of an entry (vmid .. perms) are stored as
     * (tail & tail_and) | tail_or: the identity for TLB_ROLE_LEAF, asid = 0 and
     * global = true for TLB_ROLE_S2 (see tlb_insert()). */
    uint64_t tail_and, tail_or;
    struct repl_lru_masks lru;   /* the insert fast path's packed LRU replacement */
};

void tlb_config_from_pwc(const struct pwc_config *pc, uint64_t page_sizes,
                         struct tlb_config *out)
{
    memset(out, 0, sizeof(*out));
    out->enabled = pc->enabled;
    out->entries = pc->entries;
    out->ways = pc->ways;
    out->latency_cycles = pc->latency_cycles;
    out->repl = pc->repl;
    out->page_sizes = page_sizes;
}

struct tlb *tlb_create(const struct tlb_config *cfg, enum tlb_role role, uint64_t seed,
                       struct sim_err *err)
{
    if (role != TLB_ROLE_LEAF && role != TLB_ROLE_S2) {
        sim_err_set(err, SIM_EINVAL, "tlb: unknown role %d", (int)role);
        return NULL;
    }
    struct tlb *t = calloc(1, sizeof(*t));
    if (!t) {
        sim_err_set(err, SIM_ENOMEM, "tlb: out of memory");
        return NULL;
    }
    t->role = role;
    t->enabled = cfg->enabled;
    tlb_set_general_only(t, true);   /* nothing is held yet: no insert is fast */
    if (!cfg->enabled)
        return t;

    uint32_t ways = cfg->ways ? cfg->ways : cfg->entries;
    if (cfg->entries == 0 || cfg->entries > TLB_MAX_ENTRIES) {
        sim_err_set(err, SIM_EINVAL, "tlb: entries: must be 1..%" PRIu32 ", got %" PRIu32,
                    TLB_MAX_ENTRIES, cfg->entries);
        goto fail;
    }
    if (ways > cfg->entries || cfg->entries % ways != 0) {
        sim_err_set(err, SIM_EINVAL,
                    "tlb: ways: must divide entries (%" PRIu32 "), got %" PRIu32,
                    cfg->entries, cfg->ways);
        goto fail;
    }
    if (cfg->page_sizes == 0 || (cfg->page_sizes & ~GENMASK64(TLB_MAX_SHIFT, TLB_MIN_SHIFT))) {
        sim_err_set(err, SIM_EINVAL,
                    "tlb: page_sizes: must be a non-empty set of sizes 2^%d..2^%d, got 0x%" PRIx64,
                    TLB_MIN_SHIFT, TLB_MAX_SHIFT, cfg->page_sizes);
        goto fail;
    }
    if (cfg->repl != REPL_LRU && cfg->repl != REPL_PLRU && cfg->repl != REPL_RANDOM) {
        sim_err_set(err, SIM_EINVAL, "tlb: repl: unknown policy %d", (int)cfg->repl);
        goto fail;
    }
    t->ways = ways;
    t->sets = cfg->entries / ways;
    t->sets_pow2 = is_pow2(t->sets);
    t->set_mask = t->sets - 1;
    t->page_sizes = cfg->page_sizes;
    t->tags = malloc((size_t)cfg->entries * sizeof(*t->tags));
    t->ents = calloc(cfg->entries, sizeof(*t->ents));
    t->set_valid = calloc(t->sets, sizeof(*t->set_valid));
    t->hint = calloc(HINT_SIZE, sizeof(*t->hint));
    if (!t->tags || !t->ents || !t->set_valid || !t->hint) {
        sim_err_set(err, SIM_ENOMEM, "tlb: out of memory for %" PRIu32 " entries", cfg->entries);
        goto fail;
    }
    for (unsigned k = TLB_MIN_SHIFT; k <= TLB_MAX_SHIFT; k++) {
        uint64_t held = t->page_sizes & GENMASK64(k, 0);
        t->frac[k] = held ? (uint8_t)log2_u64(held) : 0;
    }
    tlb_set_general_only(t, false);
    t->tail_and = ~UINT64_C(0);
    if (role == TLB_ROLE_S2) {   /* IPA -> PA entries: asid 0, global */
        struct tlb_entry m;
        memset(&m, 0xFF, sizeof(m));
        m.asid = 0;
        m.global = false;
        memcpy(&t->tail_and, &m.vmid, sizeof(t->tail_and));
        memset(&m, 0, sizeof(m));
        m.global = true;
        memcpy(&t->tail_or, &m.vmid, sizeof(t->tail_or));
    }
    for (uint32_t i = 0; i < cfg->entries; i++) {
        t->tags[i] = (struct tlb_tag){ .vpn = VPN_INVALID };
        t->ents[i].shift = SHIFT_INVALID;
    }
    if (repl_init(&t->repl, cfg->repl, t->sets, t->ways, seed, err) < 0)
        goto fail;
    repl_lru_masks_init(&t->repl, &t->lru);
    if (t->sets == 1 && t->ways > FILTER_MIN_WAYS) {
        unsigned bits = FILTER_MIN_BITS;
        while (bits < FILTER_MAX_BITS && (UINT64_C(1) << bits) < (uint64_t)t->ways << FILTER_PER_WAY_SHIFT)
            bits++;
        t->filter_shift = 64 - bits;
        t->filter = calloc(UINT64_C(1) << bits, sizeof(*t->filter));
        if (!t->filter) {
            sim_err_set(err, SIM_ENOMEM, "tlb: out of memory");
            goto fail;
        }
    }
    return t;
fail:
    tlb_destroy(t);
    return NULL;
}

void tlb_destroy(struct tlb *t)
{
    if (!t)
        return;
    repl_fini(&t->repl);
    free(t->filter);
    free(t->set_valid);
    free(t->hint);
    free(t->tags);
    free(t->ents);
    free(t);
}

static inline uint32_t set_of(const struct tlb *t, uint64_t vpn)
{
    return t->sets_pow2 ? (uint32_t)(vpn & t->set_mask) : (uint32_t)(vpn % t->sets);
}

static inline uint32_t id_of(uint16_t vmid, uint16_t asid)
{
    return (uint32_t)vmid | (uint32_t)asid << 16;
}

/* Does slot @i match (va, key) whatever its size?  Invalid slots never do. */
static inline bool slot_match(const struct tlb *t, size_t i, uint64_t va, uint32_t key)
{
    const struct tlb_tag *g = &t->tags[i];
    return (va >> t->ents[i].shift) == g->vpn && ((key ^ g->id) & g->mask) == 0;
}

/* Filter counter of the key (vpn, shift): a multiplicative hash. */
static inline uint32_t filter_of(const struct tlb *t, uint64_t vpn, unsigned shift)
{
    return (uint32_t)(((vpn ^ ((uint64_t)shift << 56)) * UINT64_C(0x9E3779B97F4A7C15)) >>
                      t->filter_shift);
}

/* May an entry covering @va be held?  False only when none is (see the top). */
static inline bool filter_may_hold(const struct tlb *t, uint64_t va)
{
    uint64_t sizes = t->present;
    while (sizes) {
        unsigned s = (unsigned)__builtin_ctzll(sizes);
        sizes &= sizes - 1;
        if (t->filter[filter_of(t, va >> s, s)])
            return true;
    }
    return false;
}

static inline uint32_t hint_of(uint64_t va)
{
    return (uint32_t)(va >> TLB_MIN_SHIFT) & (HINT_SIZE - 1);
}

/* A hit outside the MRU slot: replacement update, hint, MRU, copy-out.  Out of
 * line and reached by tail calls, so that the miss path (the common one of the
 * L2 TLB and the IPA cache under random accesses) needs no saved registers. */
__attribute__((noinline)) static bool hit(struct tlb *t, uint64_t va, uint32_t set, uint32_t way,
                                          struct tlb_entry *out)
{
    uint32_t slot = set * t->ways + way;
    t->st.hits++;
    t->hint[hint_of(va)] = (struct tlb_hint){ set, way };
    repl_touch(&t->repl, set, way);
    t->mru_valid = true;
    t->mru_slot = slot;
    if (out)
        *out = t->ents[slot];
    return true;
}

/* A miss after a full search: remembered for the insert that usually follows. */
static inline bool miss(struct tlb *t, uint64_t va, uint32_t key)
{
    t->st.misses++;
    t->mru_valid = false;
    t->miss_valid = true;
    t->miss_key = key;
    t->miss_va = va;
    return false;
}

/* Does the tag @g of a slot holding the size that @vpn was computed for match? */
static inline bool way_match(const struct tlb_tag *g, uint64_t vpn, uint32_t key)
{
    return g->vpn == vpn && ((key ^ g->id) & g->mask) == 0;
}

/*
 * The first way of the @ways-way set at @g matching (vpn, key) when every valid
 * slot of the level has the size that @vpn was computed for, or UINT32_MAX.
 * The way counts of the presets' set-associative levels are unrolled.
 */
static inline __attribute__((always_inline)) uint32_t
scan_one_size(const struct tlb_tag *g, uint32_t ways, uint64_t vpn, uint32_t key)
{
#define TRY(w) do { if (way_match(&g[w], vpn, key)) return w; } while (0)
    switch (ways) {
    case 4:
        TRY(0); TRY(1); TRY(2); TRY(3);
        return UINT32_MAX;
    case 5:
        TRY(0); TRY(1); TRY(2); TRY(3); TRY(4);
        return UINT32_MAX;
    }
#undef TRY
    for (uint32_t w = 0; w < ways; w++)
        if (way_match(&g[w], vpn, key))
            return w;
    return UINT32_MAX;
}

/* A hit found by the scan of a single-size level: the hinted slot answers
 * first when it matches too (the order of the general search, see tlb_lookup).
 * hit() inlined: this is the IPA cache's hit path. */
__attribute__((noinline)) static bool hit_scanned(struct tlb *t, uint64_t va, uint64_t vpn,
                                                  uint32_t key, uint32_t set, uint32_t way,
                                                  struct tlb_entry *out)
{
    struct tlb_hint *hp = &t->hint[hint_of(va)];
    if (hp->set != set || hp->way != way) {
        if (way_match(&t->tags[hp->set * t->ways + hp->way], vpn, key)) {
            set = hp->set;
            way = hp->way;
        } else {
            *hp = (struct tlb_hint){ set, way };
        }
    }
    uint32_t slot = set * t->ways + way;
    t->st.hits++;
    repl_touch(&t->repl, set, way);
    t->mru_valid = true;
    t->mru_slot = slot;
    if (out)
        *out = t->ents[slot];
    return true;
}

/* The search of a fully associative level with a key filter, one size held,
 * once the filter could not rule a hit out: the hinted slot, then every way. */
__attribute__((noinline)) static bool lookup_fa(struct tlb *t, uint64_t va, uint64_t vpn,
                                                uint32_t key, struct tlb_entry *out)
{
    struct tlb_hint h = t->hint[hint_of(va)];
    if (way_match(&t->tags[h.set * t->ways + h.way], vpn, key))
        return hit(t, va, h.set, h.way, out);
    uint32_t w = scan_one_size(t->tags, t->ways, vpn, key);
    if (w != UINT32_MAX)
        return hit(t, va, 0, w, out);
    return miss(t, va, key);
}

/* The search of a level holding several sizes: the hinted slot, then sizes in
 * increasing order, each set scanned from way 0 and matching entries of any
 * size; the first match answers. */
__attribute__((noinline)) static bool lookup_search(struct tlb *t, uint64_t va, uint32_t key,
                                                    struct tlb_entry *out)
{
    const uint32_t ways = t->ways;
    uint64_t sizes = t->present;
    if (t->filter && !filter_may_hold(t, va))
        return miss(t, va, key);
    struct tlb_hint h = t->hint[hint_of(va)];
    if (slot_match(t, h.set * ways + h.way, va, key))
        return hit(t, va, h.set, h.way, out);
    while (sizes) {
        unsigned s = (unsigned)__builtin_ctzll(sizes);
        sizes &= sizes - 1;
        uint32_t set = set_of(t, va >> s);
        size_t base = (size_t)set * ways;
        for (uint32_t w = 0; w < ways; w++)
            if (slot_match(t, base + w, va, key))
                return hit(t, va, set, w, out);
    }
    return miss(t, va, key);
}

/*
 * The model's search order is: the MRU slot, the hinted slot, then sizes in
 * increasing order, each set from way 0 (the first match answers).  When the
 * level holds a single size every matching entry sits in the one set that size
 * indexes, so a scan of that set finding nothing means the hinted slot cannot
 * match either, and the hint is consulted only once the scan found a match;
 * likewise a zero key-filter counter rules out every slot, hinted or not.
 * Misses, the common case of the L2 TLB and the IPA cache under random
 * accesses, thus cost one set scan.
 */
bool tlb_lookup(struct tlb *t, uint64_t va, uint16_t vmid, uint16_t asid, struct tlb_entry *out)
{
    if (!t->enabled)
        return false;
    t->st.lookups++;
    uint32_t key = id_of(vmid, asid);
    if (t->mru_valid && slot_match(t, t->mru_slot, va, key)) {
        t->st.hits++;
        if (out)
            *out = t->ents[t->mru_slot];
        return true;
    }
    uint64_t sizes = t->present;
    if (sizes & (sizes - 1))
        return lookup_search(t, va, key, out);
    if (!sizes)
        return miss(t, va, key);
    unsigned s = (unsigned)__builtin_ctzll(sizes);
    uint64_t vpn = va >> s;
    if (t->filter) {
        if (!t->filter[filter_of(t, vpn, s)])
            return miss(t, va, key);
        return lookup_fa(t, va, vpn, key, out);
    }
    uint32_t set = set_of(t, vpn);
    uint32_t w = scan_one_size(&t->tags[(size_t)set * t->ways], t->ways, vpn, key);
    if (w == UINT32_MAX)
        return miss(t, va, key);
    return hit_scanned(t, va, vpn, key, set, w, out);
}

/* Empty @slot, which lies in @set (TLBI; an eviction refills in place). */
static void slot_clear(struct tlb *t, uint32_t set, size_t slot)
{
    unsigned s = t->ents[slot].shift;
    if (t->filter)
        t->filter[filter_of(t, t->tags[slot].vpn, s)]--;
    if (--t->count[s] == 0)
        t->present &= ~BIT64(s);
    t->valid--;
    t->set_valid[set]--;
    t->tags[slot].vpn = VPN_INVALID;
}

/* An entry of size 2^@os was replaced by one of size 2^@s: the per-size counts. */
static inline void evicted(struct tlb *t, unsigned os, unsigned s)
{
    if (os != s) {
        if (--t->count[os] == 0)
            t->present &= ~BIT64(os);
        t->count[s]++;
        t->present |= BIT64(s);
    }
    t->st.evictions++;
}

/* The general insert: fracturing, the duplicate and free-way searches, every
 * case of tlb_insert()'s contract. */
__attribute__((noinline)) static void insert_general(struct tlb *t, const struct tlb_entry *e,
                                                     uint64_t va)
{
    unsigned s = t->frac[e->shift];
    if (!s)
        return;
    t->mru_valid = false;
    /* Fracture: keep the 2^s fragment of the 2^e->shift translation holding va
     * (none when the size is held: the offset of the fragment is then 0). */
    uint64_t keep = ~UINT64_C(0) << e->shift;
    uint64_t off = s == e->shift ? 0 : va & ~keep & (~UINT64_C(0) << s);
    uint64_t nva = (e->va & keep) + off;
    bool s2 = t->role == TLB_ROLE_S2;   /* IPA -> PA entries carry no ASID */
    bool global = e->global || s2;
    uint64_t vpn = nva >> s;
    uint32_t id = global ? e->vmid : id_of(e->vmid, e->asid);
    uint32_t mask = global ? ID_MASK_GLOBAL : ID_MASK_ASID;
    uint32_t set = set_of(t, vpn);
    size_t base = (size_t)set * t->ways;
    struct tlb_tag *g = &t->tags[base];
    uint32_t way = UINT32_MAX;
    /* A duplicate would cover miss_va and match miss_key, so the search that
     * just missed proves there is none. */
    bool no_dup = t->miss_valid && (t->miss_va >> s) == vpn && ((t->miss_key ^ id) & mask) == 0;
    t->miss_valid = false;
    /* The duplicate search compares the VPN first: an empty slot (VPN_INVALID)
     * never equals a real VPN, and most slots differ there.  It is skipped when
     * the filter proves there is no duplicate. */
    if (!no_dup && (!t->filter || t->filter[filter_of(t, vpn, s)] != 0)) {
        for (uint32_t w = 0; w < t->ways; w++) {
            if (g[w].vpn == vpn && g[w].id == id && g[w].mask == mask &&
                t->ents[base + w].shift == s) {
                way = w;   /* same key: overwrite in place (keys are unique) */
                break;
            }
        }
    }
    if (way != UINT32_MAX) {
        repl_touch(&t->repl, set, way);
    } else {
        if (t->set_valid[set] < t->ways) {
            /* the lowest free way: the set is not full, so there is one */
            way = 0;
            while (g[way].vpn != VPN_INVALID)
                way++;
            repl_touch(&t->repl, set, way);
            t->valid++;
            t->set_valid[set]++;
            t->count[s]++;
            t->present |= BIT64(s);
        } else {
            /* Evict in place: the per-set and total counts do not change, the
             * per-size counts only when the victim has another size. */
            way = repl_replace_masked(&t->repl, &t->lru, set);
            unsigned os = t->ents[base + way].shift;
            if (t->filter)
                t->filter[filter_of(t, g[way].vpn, os)]--;
            evicted(t, os, s);
        }
        if (t->filter)
            t->filter[filter_of(t, vpn, s)]++;
    }
    g[way] = (struct tlb_tag){ .vpn = vpn, .id = id, .mask = mask };
    /* copy the informational fields whole, then re-base and re-size */
    struct tlb_entry *d = &t->ents[base + way];
    *d = *e;
    d->va = nva;
    d->pa = (e->pa & keep) + off;
    d->ipa = (e->ipa & keep) + off;
    d->shift = (uint8_t)s;
    if (s2) {
        d->asid = 0;
        d->global = true;
    }
    t->hint[hint_of(va)] = (struct tlb_hint){ set, way };
    t->st.inserts++;
}

/*
 * The common insert, inline: an unfractured entry whose key the last lookup
 * proved absent (miss memo) into a full set, so the policy's victim is replaced
 * in place.  Every other case goes to insert_general(), which then sees the
 * same state (nothing is changed before the decision).  The entry is written
 * field by field (bases masked as the general path does, the trailing tags in
 * one 8-byte store) rather than copied whole and patched.
 */
void tlb_insert(struct tlb *t, const struct tlb_entry *e, uint64_t va)
{
    unsigned s = e->shift;
    if (t->exact[s] != s)
        return insert_general(t, e, va);
    uint64_t keep = ~UINT64_C(0) << s;
    uint64_t vpn = e->va >> s;
    bool global = e->global || t->role == TLB_ROLE_S2;
    uint32_t id = global ? e->vmid : id_of(e->vmid, e->asid);
    uint32_t mask = global ? ID_MASK_GLOBAL : ID_MASK_ASID;
    uint32_t set = set_of(t, vpn);
    if (!t->miss_valid || (t->miss_va >> s) != vpn || ((t->miss_key ^ id) & mask) != 0 ||
        t->set_valid[set] != t->ways)
        return insert_general(t, e, va);
    t->miss_valid = false;
    t->mru_valid = false;
    uint32_t way = repl_replace_masked(&t->repl, &t->lru, set);
    size_t slot = (size_t)set * t->ways + way;
    struct tlb_tag *g = &t->tags[slot];
    struct tlb_entry *d = &t->ents[slot];
    unsigned os = d->shift;
    if (t->filter) {
        t->filter[filter_of(t, g->vpn, os)]--;
        t->filter[filter_of(t, vpn, s)]++;
    }
    evicted(t, os, s);
    *g = (struct tlb_tag){ .vpn = vpn, .id = id, .mask = mask };
    uint64_t tail;
    memcpy(&tail, &e->vmid, sizeof(tail));
    tail = (tail & t->tail_and) | t->tail_or;
    d->va = e->va & keep;
    d->pa = e->pa & keep;
    d->ipa = e->ipa & keep;
    memcpy(&d->vmid, &tail, sizeof(tail));
    t->hint[hint_of(va)] = (struct tlb_hint){ set, way };
    t->st.inserts++;
}

void tlb_set_general_only(struct tlb *t, bool on)
{
    for (unsigned k = 0; k < 256; k++)
        t->exact[k] = !on && k >= TLB_MIN_SHIFT && k <= TLB_MAX_SHIFT &&
                              (t->page_sizes & BIT64(k)) ? (uint8_t)k : (uint8_t)(k ^ 1);
}

unsigned tlb_invalidate(struct tlb *t, const struct tlbi *op)
{
    if (!t->enabled || t->valid == 0)
        return 0;
    t->mru_valid = false;
    t->miss_valid = false;
    unsigned n = 0;
    size_t total = (size_t)t->sets * t->ways;
    for (size_t i = 0; i < total; i++) {
        const struct tlb_tag *g = &t->tags[i];
        if (g->vpn == VPN_INVALID)
            continue;
        if (tlbi_match_tlb(op, t->role, (uint16_t)g->id, (uint16_t)(g->id >> 16),
                           g->mask == ID_MASK_GLOBAL, g->vpn, t->ents[i].shift)) {
            slot_clear(t, (uint32_t)(i / t->ways), i);
            n++;
        }
    }
    t->st.invalidated += n;
    return n;
}

const struct tlb_stats *tlb_get_stats(const struct tlb *t)
{
    return &t->st;
}

void tlb_reset_stats(struct tlb *t)
{
    memset(&t->st, 0, sizeof(t->st));
}

unsigned tlb_occupancy(const struct tlb *t)
{
    return t->valid;
}

bool tlb_contains(const struct tlb *t, uint64_t va, uint16_t vmid, uint16_t asid, bool global,
                  uint8_t shift)
{
    if (!t->enabled || shift < TLB_MIN_SHIFT || shift > TLB_MAX_SHIFT)
        return false;
    uint64_t vpn = va >> shift;
    uint32_t id = global ? vmid : id_of(vmid, asid);
    uint32_t mask = global ? ID_MASK_GLOBAL : ID_MASK_ASID;
    size_t base = (size_t)set_of(t, vpn) * t->ways;
    for (uint32_t w = 0; w < t->ways; w++) {
        const struct tlb_tag *g = &t->tags[base + w];
        if (g->vpn == vpn && t->ents[base + w].shift == shift && g->id == id && g->mask == mask)
            return true;
    }
    return false;
}

int tlb_check(const struct tlb *t)
{
    if (t->st.hits + t->st.misses != t->st.lookups)
        return 1;
    if (!t->enabled)
        return t->valid == 0 ? 0 : 2;
    uint32_t count[64] = { 0 };
    uint32_t valid = 0;
    for (uint32_t set = 0; set < t->sets; set++) {
        uint32_t in_set = 0;
        for (uint32_t w = 0; w < t->ways; w++)
            in_set += t->tags[(size_t)set * t->ways + w].vpn != VPN_INVALID;
        if (in_set != t->set_valid[set])
            return 13;                /* per-set count out of step */
        for (uint32_t w = 0; w < t->ways; w++) {
            size_t i = (size_t)set * t->ways + w;
            const struct tlb_tag *g = &t->tags[i];
            const struct tlb_entry *e = &t->ents[i];
            unsigned s = e->shift;
            if (g->vpn == VPN_INVALID) {
                if (s != SHIFT_INVALID && (s < TLB_MIN_SHIFT || s > TLB_MAX_SHIFT))
                    return 3;         /* an empty slot's size must keep it unmatchable */
                continue;
            }
            if (s < TLB_MIN_SHIFT || s > TLB_MAX_SHIFT || !(t->page_sizes & BIT64(s)))
                return 4;             /* a size this level does not hold */
            if (set_of(t, g->vpn) != set)
                return 5;             /* entry in the wrong set */
            bool global = g->mask == ID_MASK_GLOBAL;
            if ((g->mask != ID_MASK_ASID && !global) || e->va >> s != g->vpn ||
                (e->va & GENMASK64(s - 1, 0)) || (e->pa & GENMASK64(s - 1, 0)) ||
                e->global != global ||
                g->id != (global ? e->vmid : id_of(e->vmid, e->asid)))
                return 6;             /* tag and entry disagree, or misaligned bases */
            if (t->role == TLB_ROLE_S2 && !e->global)
                return 7;
            for (uint32_t w2 = w + 1; w2 < t->ways; w2++) {
                const struct tlb_tag *h = &t->tags[(size_t)set * t->ways + w2];
                if (h->vpn == g->vpn && t->ents[(size_t)set * t->ways + w2].shift == s &&
                    h->id == g->id && h->mask == g->mask)
                    return 8;         /* duplicate key */
            }
            count[s]++;
            valid++;
        }
    }
    if (valid != t->valid)
        return 9;
    for (unsigned s = 0; s < 64; s++)
        if (count[s] != t->count[s] || ((t->present >> s) & 1) != (count[s] != 0))
            return 10;
    for (unsigned i = 0; i < HINT_SIZE; i++)
        if (t->hint[i].set >= t->sets || t->hint[i].way >= t->ways)
            return 11;
    if (t->filter) {
        size_t n = (size_t)1 << (64 - t->filter_shift);
        uint32_t *fc = calloc(n, sizeof(*fc));
        if (!fc)
            return 14;                /* (cannot check: out of memory) */
        for (uint32_t w = 0; w < t->ways; w++)
            if (t->tags[w].vpn != VPN_INVALID)
                fc[filter_of(t, t->tags[w].vpn, t->ents[w].shift)]++;
        bool same = memcmp(fc, t->filter, n * sizeof(*fc)) == 0;
        free(fc);
        if (!same)
            return 12;            /* key filter out of step with the entries */
    }
    return 0;
}

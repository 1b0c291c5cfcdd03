/*
 * tlb/pwc.c - the stage-1 walk cache (contract and model in pwc.h).
 *
 * Layout: a compact 16-byte tag per slot (scanned on every lookup and insert)
 * and a parallel array of full entries (copied out on a hit).  Slot i of set s
 * is index s * ways + i.  A tag is the VA prefix and one key word packing the
 * rest of the entry's key, (vmid, asid, level, shift) plus a valid bit, so a
 * match is two 64-bit compares; an empty slot has key 0, which no entry's key
 * (valid bit set) equals.  A per-set count of valid slots lets an insert into a
 * full set skip the free-way search.
 */
#include "tlb/pwc.h"

#include <stdlib.h>
#include <string.h>

#include "tlb/repl.h"

#define PWC_MAX_ENTRIES (UINT32_C(1) << 20)
#define PWC_LEVEL_MASK  UINT32_C(0x7)   /* levels 0..2 hold table descriptors */
#define KEY_VALID       BIT64(48)

struct pwc_tag {
    uint64_t tag;             /* va >> shift */
    uint64_t key;             /* key_of(vmid, asid, level, shift), 0 when the slot is empty */
};

struct pwc {
    uint32_t levels;          /* bit L: level-L table descriptors are cached (0 when disabled) */
    bool enabled;             /* false: stores nothing, counts nothing */
    bool sets_pow2;
    uint32_t sets, ways;      /* ways = entries when fully associative */
    uint32_t set_mask;        /* sets - 1 when sets is a power of two */
    struct pwc_tag *tags;     /* sets * ways */
    struct pwc_entry *ents;   /* sets * ways, meaningful where the tag is valid */
    uint32_t *set_valid;      /* valid entries per set */
    struct tlb_stats st;
    struct repl repl;
    struct repl_lru_masks lru;   /* packed LRU replacement of a full set's fill */
    uint32_t valid;           /* valid entries */
};

struct pwc *pwc_create(const struct pwc_config *cfg, uint64_t seed, struct sim_err *err)
{
    struct pwc *p = calloc(1, sizeof(*p));
    if (!p) {
        sim_err_set(err, SIM_ENOMEM, "pwc: out of memory");
        return NULL;
    }
    p->enabled = cfg->enabled;
    if (!cfg->enabled)
        return p;
    uint32_t ways = cfg->ways ? cfg->ways : cfg->entries;
    if (cfg->entries == 0 || cfg->entries > PWC_MAX_ENTRIES) {
        sim_err_set(err, SIM_EINVAL, "pwc: entries: must be 1..%" PRIu32 ", got %" PRIu32,
                    PWC_MAX_ENTRIES, cfg->entries);
        goto fail;
    }
    if (ways > cfg->entries || cfg->entries % ways != 0) {
        sim_err_set(err, SIM_EINVAL, "pwc: ways: must divide entries (%" PRIu32 "), got %" PRIu32,
                    cfg->entries, cfg->ways);
        goto fail;
    }
    if (cfg->levels & ~PWC_LEVEL_MASK) {
        sim_err_set(err, SIM_EINVAL,
                    "pwc: levels: bitmask of lookup levels 0..2 (0x0..0x7), got 0x%" PRIx32,
                    cfg->levels);
        goto fail;
    }
    if (cfg->repl != REPL_LRU && cfg->repl != REPL_PLRU && cfg->repl != REPL_RANDOM) {
        sim_err_set(err, SIM_EINVAL, "pwc: repl: unknown policy %d", (int)cfg->repl);
        goto fail;
    }
    p->levels = cfg->levels;
    p->ways = ways;
    p->sets = cfg->entries / ways;
    p->sets_pow2 = is_pow2(p->sets);
    p->set_mask = p->sets - 1;
    p->tags = calloc(cfg->entries, sizeof(*p->tags));
    p->ents = calloc(cfg->entries, sizeof(*p->ents));
    p->set_valid = calloc(p->sets, sizeof(*p->set_valid));
    if (!p->tags || !p->ents || !p->set_valid) {
        sim_err_set(err, SIM_ENOMEM, "pwc: out of memory for %" PRIu32 " entries", cfg->entries);
        goto fail;
    }
    if (repl_init(&p->repl, cfg->repl, p->sets, p->ways, seed, err) < 0)
        goto fail;
    repl_lru_masks_init(&p->repl, &p->lru);
    return p;
fail:
    pwc_destroy(p);
    return NULL;
}

void pwc_destroy(struct pwc *p)
{
    if (!p)
        return;
    repl_fini(&p->repl);
    free(p->tags);
    free(p->ents);
    free(p->set_valid);
    free(p);
}

/* p->levels is 0 for a disabled cache; (unsigned) turns a negative level huge. */
bool pwc_caches_level(const struct pwc *p, int8_t level)
{
    return (unsigned)level <= 2 && ((p->levels >> level) & 1);
}

/* Set index from (level, tag): a multiplicative mix so that the same VA prefix
 * at different levels, and neighbouring prefixes, land in different sets. */
static inline uint32_t set_of(const struct pwc *p, int8_t level, uint64_t tag)
{
    uint64_t h = (tag ^ ((uint64_t)(uint8_t)level << 58)) * UINT64_C(0x9E3779B97F4A7C15);
    h ^= h >> 32;
    return p->sets_pow2 ? (uint32_t)(h & p->set_mask) : (uint32_t)(h % p->sets);
}

/* The key word of an entry: everything but the tag, plus the valid bit. */
static inline uint64_t key_of(uint16_t vmid, uint16_t asid, int8_t level, uint8_t shift)
{
    return (uint64_t)vmid | (uint64_t)asid << 16 | (uint64_t)(uint8_t)level << 32 |
           (uint64_t)shift << 40 | KEY_VALID;
}

/* The way of the @ways-way set at @g holding (tag, key), or @ways; 4 ways (every
 * preset's walk cache) unrolled. */
static inline __attribute__((always_inline)) uint32_t find(const struct pwc_tag *g, uint32_t ways,
                                                           uint64_t tag, uint64_t key)
{
#define TRY(w) do { if (g[w].tag == tag && g[w].key == key) return w; } while (0)
    if (ways == 4) {
        TRY(0); TRY(1); TRY(2); TRY(3);
        return 4;
    }
#undef TRY
    uint32_t w = 0;
    while (w < ways && !(g[w].tag == tag && g[w].key == key))
        w++;
    return w;
}

/* A hit of (set, way): out of line and reached by a tail call, so that the
 * miss path of pwc_lookup() saves no registers. */
__attribute__((noinline)) static bool hit(struct pwc *p, uint32_t set, uint32_t way,
                                          struct pwc_entry *out)
{
    p->st.hits++;
    if (out)
        *out = p->ents[(size_t)set * p->ways + way];
    repl_touch(&p->repl, set, way);   /* last: nothing is live across its calls */
    return true;
}

bool pwc_lookup(struct pwc *p, uint16_t vmid, uint16_t asid, int8_t level, uint8_t shift,
                uint64_t va, struct pwc_entry *out)
{
    if (!p->enabled)
        return false;
    p->st.lookups++;
    if (shift < 64 && pwc_caches_level(p, level)) {
        uint64_t tag = va >> shift;
        uint64_t key = key_of(vmid, asid, level, shift);
        uint32_t set = set_of(p, level, tag);
        size_t base = (size_t)set * p->ways;
        uint32_t w = find(&p->tags[base], p->ways, tag, key);
        if (w < p->ways)
            return hit(p, set, w, out);
    }
    p->st.misses++;
    return false;
}

/* One probe of pwc_lookup_deepest(): pwc_lookup() of a cached @level, inlined
 * so that the level's constants fold. */
static inline __attribute__((always_inline)) bool probe(struct pwc *p, uint64_t ids, int level,
                                                        uint8_t shift, uint64_t va,
                                                        struct pwc_entry *out)
{
    p->st.lookups++;
    if (shift < 64) {
        uint64_t tag = va >> shift;
        uint64_t key = ids | (uint64_t)level << 32 | (uint64_t)shift << 40;
        uint32_t set = set_of(p, (int8_t)level, tag);
        uint32_t w = find(&p->tags[(size_t)set * p->ways], p->ways, tag, key);
        if (w < p->ways)
            return hit(p, set, w, out);
    }
    p->st.misses++;
    return false;
}

int pwc_lookup_deepest(struct pwc *p, uint16_t vmid, uint16_t asid, int start_level,
                       const uint8_t *level_shift, uint64_t va, struct pwc_entry *out)
{
    /* the cached levels in [max(start_level, 0), 2] (p->levels is 0 when disabled) */
    uint32_t levels = p->levels;
    if (start_level > 0)
        levels &= ~UINT32_C(0) << (start_level > 2 ? 3 : start_level);
    if (!levels)
        return -1;
    uint64_t ids = key_of(vmid, asid, 0, 0);
    if ((levels & 4) && probe(p, ids, 2, level_shift[2], va, out))
        return 2;
    if ((levels & 2) && probe(p, ids, 1, level_shift[1], va, out))
        return 1;
    if ((levels & 1) && probe(p, ids, 0, level_shift[0], va, out))
        return 0;
    return -1;
}

void pwc_insert(struct pwc *p, const struct pwc_entry *e)
{
    if (!pwc_caches_level(p, e->level) || e->shift >= 64)
        return;
    uint64_t key = key_of(e->vmid, e->asid, e->level, e->shift);
    uint32_t set = set_of(p, e->level, e->tag);
    size_t base = (size_t)set * p->ways;
    struct pwc_tag *g = &p->tags[base];
    uint32_t way = find(g, p->ways, e->tag, key);
    if (way < p->ways) {
        repl_touch(&p->repl, set, way);         /* same key: overwrite in place */
    } else if (p->set_valid[set] < p->ways) {
        /* the lowest free way: the set is not full, so there is one */
        way = 0;
        while (g[way].key != 0)
            way++;
        repl_touch(&p->repl, set, way);
        p->set_valid[set]++;
        p->valid++;
    } else {
        way = repl_replace_masked(&p->repl, &p->lru, set);   /* victim, touched */
        p->st.evictions++;
    }
    g[way] = (struct pwc_tag){ .tag = e->tag, .key = key };
    p->ents[base + way] = *e;
    p->st.inserts++;
}

unsigned pwc_invalidate(struct pwc *p, const struct tlbi *op)
{
    if (!p->enabled || p->valid == 0)
        return 0;
    unsigned n = 0;
    size_t total = (size_t)p->sets * p->ways;
    for (size_t i = 0; i < total; i++) {
        const struct pwc_entry *e = &p->ents[i];
        if (p->tags[i].key && tlbi_match_pwc(op, e->vmid, e->asid, e->tag, e->shift)) {
            p->tags[i].key = 0;
            p->set_valid[i / p->ways]--;
            n++;
        }
    }
    p->valid -= n;
    p->st.invalidated += n;
    return n;
}

const struct tlb_stats *pwc_get_stats(const struct pwc *p)
{
    return &p->st;
}

void pwc_reset_stats(struct pwc *p)
{
    memset(&p->st, 0, sizeof(p->st));
}

unsigned pwc_occupancy(const struct pwc *p)
{
    return p->valid;
}

int pwc_check(const struct pwc *p)
{
    if (p->st.hits + p->st.misses != p->st.lookups)
        return 1;
    if (!p->enabled)
        return p->valid == 0 ? 0 : 2;
    uint32_t valid = 0;
    for (uint32_t set = 0; set < p->sets; set++) {
        uint32_t in_set = 0;
        for (uint32_t w = 0; w < p->ways; w++) {
            size_t i = (size_t)set * p->ways + w;
            const struct pwc_tag *g = &p->tags[i];
            if (!g->key)
                continue;
            const struct pwc_entry *e = &p->ents[i];
            if (!pwc_caches_level(p, e->level))
                return 3;
            if (set_of(p, e->level, e->tag) != set)
                return 4;
            for (uint32_t w2 = w + 1; w2 < p->ways; w2++) {
                const struct pwc_tag *h = &p->tags[(size_t)set * p->ways + w2];
                if (h->key == g->key && h->tag == g->tag)
                    return 5;
            }
            if (g->tag != e->tag || g->key != key_of(e->vmid, e->asid, e->level, e->shift))
                return 7;             /* tag and entry disagree */
            in_set++;
        }
        if (in_set != p->set_valid[set])
            return 8;                 /* per-set count out of step */
        valid += in_set;
    }
    return valid == p->valid ? 0 : 6;
}

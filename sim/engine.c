/*
 * sim/engine.c - replay engine and cycle accounting (see engine.h).
 */
#include "sim/engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "mmu/pgmem.h"
#include "mmu/vmsa.h"
#include "mmu/walk.h"
#include "sim/os.h"
#include "tlb/pwc.h"
#include "tlb/tlb.h"

#define CYC_EXACT   16384          /* walk cycles counted exactly below this */
#define CYC_LOG     40             /* log2 buckets above it */
#define ID_SLOTS    1024           /* per-VMID / per-ASID breakdown slots */
#define MAX_RETRY   8              /* walks per access (demand faults in between) */
#define PF_HINT_BITS 12            /* look-ahead: 4096 last-level tables remembered per stage */
#define PF_WALK_RATIO 8            /* look ahead in a batch when the last one walked on >= 1/8 */

struct id_stats {
    bool used;
    uint16_t id;
    uint64_t accesses, walks, walk_cycles, walk_refs, demand_faults;
};

struct engine {
    const struct sim_config *cfg;
    struct pgmem *mem;
    struct os_model os;
    struct tlb *l1i, *l1d, *l2, *s2c;
    struct pwc *pwc;
    struct cache_hier *caches;
    struct stats_sink sink;
    uint32_t lat_l1i, lat_l1d, lat_l2, lat_pwc, lat_s2c;
    enum walker_port port;
    uint32_t line_shift;

    /* current context cache */
    bool have_ctx;
    uint16_t ctx_vmid, ctx_asid;
    struct os_proc *ctx;
    unsigned split_shift;
    struct id_stats *ctx_vm_stats, *ctx_as_stats;   /* breakdown slots of the context */

    /* Fast paths (exact, see engine_event): the entry that answered the last lookup of
     * each L1 TLB ([0] L1D, [1] L1I) and the line of the last data access at L1D.  Each is
     * valid only while that structure has not been touched by anything else since, so a
     * repeat is a hit whose replacement update would be a no-op.  Hits taken here are
     * added to the structures' counters in the report. */
    struct utlb {
        bool valid;
        uint8_t shift;
        uint64_t vpn, pa;          /* va >> shift, PA base */
    } utlb[2];
    uint64_t utlb_hits[2];
    bool line_valid, line_dirty;   /* last data line still the most recent touch of L1D */
    uint64_t last_line;
    uint64_t line_hits;
    /* Fast-path hits not yet folded into the counters above (fold_fast()), indexed so
     * that fast[kind] counts the window hits: loads, stores to a dirty line, fetches,
     * and [3] first stores to the line (counted by the cache). */
    uint64_t fast[4];
    uint64_t fast_synced;          /* the part of fast[] already counted in seq */
    /* Windows of the fast path, one per access kind: an access of the current
     * context inside [lo, lo + span] takes the hit path the checks in engine_event()
     * established for that range (same L1 TLB entry, same L1D line, and for
     * stores a line already dirty).  Valid while gen == e->gen; every general
     * path bumps e->gen, since it may change any of that state. */
    struct win {
        uint64_t gen, lo, span;    /* the window is [lo, lo + span] */
    } win[3];
    uint64_t gen;
    uint32_t lat_l1c;              /* L1D hit latency */
    uint32_t pwc_levels;           /* bit L: the walk cache holds level-L table descriptors */
    uint32_t lat_fetch;            /* cost of one instruction fetch: an ideal L1 I-cache hit */
    uint64_t fetch_cycles;         /* instruction fetches (no I-cache model: all hit) */
    bool no_fast;                  /* tests: always take the general path */
    bool l1c_wb, l1c_on;

    /* the walk in progress */
    struct walk_record rec;
    uint64_t walk_cycles;          /* cycles of the walk in progress */
    uint32_t fetch_served[2][SERVED_COUNT];  /* this walk's fetches by stage - 1 and level served */
    bool s2c_on;                   /* the IPA cache is looked up (on, and stage 2 is) */

    /* Look-ahead (a host speed-up only, see engine_events()): the last-level table that
     * the latest walks of each region found their leaf in, by stage, so that the
     * descriptors of the coming accesses' walks can be fetched into the host's caches
     * ahead of them.  Nothing here is simulated state: a stale or wrong hint only
     * makes a useless host prefetch. */
    struct pf_hint {
        uint64_t key;              /* pf_key(); 0 = empty */
        uint64_t base;             /* PA of that region's last-level table */
        const uint64_t *words;     /* its words, when it lies in one frame of the page-table
                                      memory (4K granule), else NULL */
    } pf_hint[2][1u << PF_HINT_BITS];
    struct pf_slot {
        uint64_t p1, ipa, p2;      /* predicted leaf descriptor PAs (0: none) and the IPA */
        const uint64_t *w1, *w2;   /* their words in the page-table memory (NULL: none) */
    } pf_ring[4], *pf_cur;         /* by event index mod 4; the event being replayed */
    uint64_t pf_last[2];           /* PA of this walk's latest fetch, by stage - 1 */
    uint8_t pf_last_stage;
    bool pf_off;                   /* tests: no look-ahead */
    uint64_t pf_walks, pf_n;       /* walks before, and size of, the last batch */
    struct cache_prefetch_map pf_map;   /* the last cache level's sets */
    uint64_t pf_checked[2], pf_right[2];   /* tests: walks whose leaf was predicted, and right */

    /* totals */
    uint64_t events[TR_KIND_COUNT];
    uint64_t accesses, seq;
    uint64_t tlb_cycles, walk_cycles_total, data_cycles;
    uint64_t demand_faults, demand_fault_cycles, demand_walk_refs;
    uint64_t walks, walk_refs_total, walk_cycles_max;
    uint64_t refs_hist[WALK_MAX_FETCH + 1];
    uint64_t cyc_exact[CYC_EXACT];
    uint64_t cyc_log[CYC_LOG];
    uint64_t served[3][SERVED_COUNT];
    uint64_t pwc_hits, pwc_misses;
    uint64_t s2c_hits, s2c_misses;
    uint64_t tlbi_removed;
    uint64_t split_accesses;
    struct id_stats vm_stats[ID_SLOTS], as_stats[ID_SLOTS];

    /* report storage */
    struct stat_metric *metrics;
    size_t n_metrics, cap_metrics;
    struct stat_hist_bin *bins;
    size_t n_bins, cap_bins;
    char (*names)[48];             /* backing store of per-id metric names */
    size_t n_names, cap_names;
    struct strbuf json;
};

/* ---- walker hooks: the port to the cache hierarchy and the walk caches ---- */

static void hook_fetch(void *ctx, uint64_t pa, uint8_t stage, int8_t level)
{
    struct engine *e = ctx;
    uint8_t served = SERVED_DRAM;
    e->line_valid = false;
    uint32_t c = cache_hier_access(e->caches, pa, MEM_READ, e->port, &served);
    e->walk_cycles += c;
    e->fetch_served[stage - 1][served]++;
    e->pf_last[stage - 1] = pa;
    e->pf_last_stage = stage;
    struct walk_record *r = &e->rec;
    if (e->sink.ops && r->nfetch < WALK_MAX_FETCH) {   /* the walk log's per-fetch detail */
        r->fetch_stage[r->nfetch] = stage;
        r->fetch_level[r->nfetch] = level;
        r->fetch_served[r->nfetch] = served;
        r->nfetch++;
    }
}

static bool hook_s2_lookup(void *ctx, uint64_t ipa, struct s2_leaf *leaf)
{
    struct engine *e = ctx;
    struct tlb_entry te;
    if (!e->s2c_on)
        return false;
    e->walk_cycles += e->lat_s2c;
    if (!tlb_lookup(e->s2c, ipa, e->ctx_vmid, 0, &te)) {
        e->s2c_misses++;
        return false;
    }
    e->s2c_hits++;
    leaf->ia_base = te.va;
    leaf->oa_base = te.pa;
    leaf->shift = te.shift;
    leaf->cont_shift = te.shift;
    leaf->level = (int8_t)te.level;
    leaf->perms = te.perms;
    leaf->memattr = 0xf;
    return true;
}

static void hook_s2_fill(void *ctx, const struct s2_leaf *leaf)
{
    struct engine *e = ctx;
    if (!e->s2c_on)
        return;
    struct tlb_entry te = {
        .va = leaf->ia_base, .pa = leaf->oa_base, .ipa = leaf->ia_base, .vmid = e->ctx_vmid,
        .asid = 0, .shift = leaf->shift, .level = (uint8_t)leaf->level, .global = true,
        .perms = leaf->perms,
    };
    tlb_insert(e->s2c, &te, leaf->ia_base);
}

static void hook_s1_table(void *ctx, int8_t level, uint8_t shift, uint64_t va, uint64_t next_ipa,
                          uint8_t tattrs)
{
    struct engine *e = ctx;
    if (level < 0 || !((e->pwc_levels >> level) & 1))
        return;
    struct pwc_entry pe = {
        .tag = va >> shift, .ipa = next_ipa, .pa = 0, .vmid = e->ctx_vmid, .asid = e->ctx_asid,
        .level = level, .shift = shift, .attrs = tattrs,
    };
    pwc_insert(e->pwc, &pe);
}

/* The walker with the hooks above built in (mmu/walk_impl.h): walk_translate_impl(),
 * called with ctx = the engine, does what walk_translate() does with these functions as
 * its struct walk_hooks, with the calls direct and inlined.  Each hook checks whether its
 * structure is on (s2c_on; pwc_levels is 0 when the walk cache is off). */
#define WALK_FETCH(ws, pa, stage, level)        hook_fetch((ws)->ctx, (pa), (stage), (level))
#define WALK_S2_LOOKUP(ws, ipa, leaf)           hook_s2_lookup((ws)->ctx, (ipa), (leaf))
#define WALK_S2_FILL(ws, leaf)                  hook_s2_fill((ws)->ctx, (leaf))
#define WALK_S1_TABLE(ws, level, shift, va, next_ipa, tattrs)                              \
    hook_s1_table((ws)->ctx, (level), (shift), (va), (next_ipa), (tattrs))
#include "mmu/walk_impl.h"

/* ---- construction ---- */

int engine_create(struct engine **out, const struct sim_config *cfg,
                  const struct stats_sink *sink, struct sim_err *err)
{
    struct engine *e = calloc(1, sizeof(*e));
    int rc;

    if (!e)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    e->cfg = cfg;
    if (sink)
        e->sink = *sink;
    e->mem = pgmem_create();
    if (!e->mem) {
        free(e);
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    }
    if ((rc = os_init(&e->os, cfg, e->mem, err)) < 0)
        goto fail;
    /* Distinct seeds per structure so that random replacement streams differ */
    uint64_t s = cfg->seed;
    if (!(e->l1i = tlb_create(&cfg->l1i_tlb, TLB_ROLE_LEAF, s ^ 0x11, err)) ||
        !(e->l1d = tlb_create(&cfg->l1d_tlb, TLB_ROLE_LEAF, s ^ 0x12, err)) ||
        !(e->l2 = tlb_create(&cfg->l2_tlb, TLB_ROLE_LEAF, s ^ 0x13, err))) {
        rc = SIM_EINVAL;
        goto fail;
    }
    struct tlb_config s2tc;
    /* the IPA cache holds stage-2 leaves of every size a stage-2 granule can make */
    tlb_config_from_pwc(&cfg->s2_ipa_cache,
                        BIT64(12) | BIT64(14) | BIT64(16) | BIT64(21) | BIT64(25) | BIT64(29) |
                            BIT64(30),
                        &s2tc);
    if (!(e->s2c = tlb_create(&s2tc, TLB_ROLE_S2, s ^ 0x14, err)) ||
        !(e->pwc = pwc_create(&cfg->s1_walk_cache, s ^ 0x15, err)) ||
        !(e->caches = cache_hier_create(&cfg->mem, s ^ 0x16, err))) {
        rc = SIM_EINVAL;
        goto fail;
    }
    e->lat_l1i = cfg->l1i_tlb.enabled ? cfg->l1i_tlb.latency_cycles : 0;
    e->lat_l1d = cfg->l1d_tlb.enabled ? cfg->l1d_tlb.latency_cycles : 0;
    e->lat_l2 = cfg->l2_tlb.enabled ? cfg->l2_tlb.latency_cycles : 0;
    e->lat_pwc = cfg->s1_walk_cache.enabled ? cfg->s1_walk_cache.latency_cycles : 0;
    /* levels 0..2 whose table descriptors the walk cache holds (pwc_caches_level()) */
    for (int8_t level = 0; level <= 2; level++)
        if (pwc_caches_level(e->pwc, level))
            e->pwc_levels |= 1u << level;
    e->lat_s2c = cfg->s2_ipa_cache.enabled && cfg->virtualized ? cfg->s2_ipa_cache.latency_cycles : 0;
    e->s2c_on = cfg->s2_ipa_cache.enabled && cfg->virtualized;
    cache_hier_prefetch_map(e->caches, &e->pf_map);
    e->port = cfg->mem.walker_port;
    e->gen = 1;   /* the zeroed windows (gen 0) are invalid */
    e->l1c_on = cfg->mem.l1d.enabled;
    e->l1c_wb = cfg->mem.l1d.write_back;
    e->lat_l1c = cfg->mem.l1d.latency_cycles;
    /* No instruction cache is modelled: a fetch costs what an L1 hit costs, taken as the
     * first enabled data-cache level's latency (DRAM's when every cache is off). */
    e->lat_fetch = cfg->mem.l1d.enabled ? cfg->mem.l1d.latency_cycles
                   : cfg->mem.l2.enabled ? cfg->mem.l2.latency_cycles
                   : cfg->mem.llc.enabled ? cfg->mem.llc.latency_cycles
                   : cfg->mem.dram_latency_cycles;
    e->line_shift = log2_u64(cfg->mem.l1d.enabled ? cfg->mem.l1d.line_bytes : 64);
    *out = e;
    return SIM_OK;
fail:
    engine_destroy(e);
    return rc;
}

void engine_destroy(struct engine *e)
{
    if (!e)
        return;
    tlb_destroy(e->l1i);
    tlb_destroy(e->l1d);
    tlb_destroy(e->l2);
    tlb_destroy(e->s2c);
    pwc_destroy(e->pwc);
    cache_hier_destroy(e->caches);
    os_fini(&e->os);
    pgmem_destroy(e->mem);
    free(e->metrics);
    free(e->bins);
    free(e->names);
    sb_free(&e->json);
    free(e);
}

const struct cache_hier *engine_caches(const struct engine *e)
{
    return e->caches;
}

void engine_set_fast_path(struct engine *e, bool on)
{
    e->no_fast = !on;
    e->gen++;
}

/* ---- per-id breakdown ---- */

static struct id_stats *id_slot(struct id_stats *tab, uint16_t id)
{
    unsigned i = (id * 2654435761u) & (ID_SLOTS - 1);
    for (unsigned n = 0; n < ID_SLOTS; n++, i = (i + 1) & (ID_SLOTS - 1)) {
        if (tab[i].used && tab[i].id == id)
            return &tab[i];
        if (!tab[i].used) {
            tab[i].used = true;
            tab[i].id = id;
            return &tab[i];
        }
    }
    return NULL;   /* more than ID_SLOTS ids: not broken down */
}

/* Used slots of @tab in id order, into @out (ID_SLOTS entries); returns the count. */
static unsigned id_sorted(const struct id_stats *tab, const struct id_stats **out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ID_SLOTS; i++)
        if (tab[i].used) {
            unsigned j = n++;
            while (j > 0 && out[j - 1]->id > tab[i].id) {
                out[j] = out[j - 1];
                j--;
            }
            out[j] = &tab[i];
        }
    return n;
}

/* ---- the replay ---- */

/* Bring the event sequence number up to date with the fast path's hits (the general
 * path needs it for walk records and messages; the other counters can wait). */
static inline void sync_seq(struct engine *e)
{
    uint64_t n = e->fast[0] + e->fast[1] + e->fast[2] + e->fast[3];
    e->seq += n - e->fast_synced;
    e->fast_synced = n;
}

/* Fold the fast path's hit counts into the counters: before they are read, and before
 * the context changes (the per-id breakdown of the hits is the current context's). */
static void fold_fast(struct engine *e)
{
    sync_seq(e);
    uint64_t ld = e->fast[TR_LOAD], st = e->fast[TR_STORE] + e->fast[3], fe = e->fast[TR_IFETCH];
    uint64_t n = ld + st + fe;
    if (!n)
        return;
    e->fast_synced = 0;
    e->events[TR_LOAD] += ld;
    e->events[TR_STORE] += st;
    e->events[TR_IFETCH] += fe;
    e->accesses += n;
    e->utlb_hits[0] += ld + st;
    e->utlb_hits[1] += fe;
    e->line_hits += ld + e->fast[TR_STORE];
    e->tlb_cycles += (ld + st) * e->lat_l1d + fe * e->lat_l1i;
    e->data_cycles += (ld + st) * e->lat_l1c;
    e->fetch_cycles += fe * e->lat_fetch;
    if (e->ctx_vm_stats)
        e->ctx_vm_stats->accesses += n;
    if (e->ctx_as_stats)
        e->ctx_as_stats->accesses += n;
    memset(e->fast, 0, sizeof(e->fast));
}

static int set_context(struct engine *e, uint16_t vmid, uint16_t asid, struct sim_err *err)
{
    if (e->have_ctx && e->ctx_vmid == vmid && e->ctx_asid == asid)
        return SIM_OK;
    fold_fast(e);
    int rc = os_context(&e->os, vmid, asid, &e->ctx, err);
    if (rc < 0)
        return rc;
    e->have_ctx = true;
    e->ctx_vmid = vmid;
    e->ctx_asid = asid;
    unsigned s1 = e->ctx->rg.s1[0].granule_shift;
    if (e->ctx->rg.s1[1].granule_shift < s1)
        s1 = e->ctx->rg.s1[1].granule_shift;
    unsigned s2 = e->ctx->rg.s2_enabled ? e->ctx->rg.s2.granule_shift : 64;
    e->split_shift = s1 < s2 ? s1 : s2;
    e->utlb[0].valid = e->utlb[1].valid = false;
    e->ctx_vm_stats = id_slot(e->vm_stats, vmid);
    e->ctx_as_stats = id_slot(e->as_stats, asid);
    return SIM_OK;
}

static void record_walk(struct engine *e, uint64_t cycles, unsigned refs)
{
    e->walks++;
    e->walk_refs_total += refs;
    e->walk_cycles_total += cycles;
    e->refs_hist[refs < WALK_MAX_FETCH ? refs : WALK_MAX_FETCH]++;
    if (cycles < CYC_EXACT)
        e->cyc_exact[cycles]++;
    else
        e->cyc_log[log2_u64(cycles)]++;
    if (cycles > e->walk_cycles_max)
        e->walk_cycles_max = cycles;
    for (int s = 1; s <= 2; s++)
        for (int l = 0; l < SERVED_COUNT; l++)
            e->served[s][l] += e->fetch_served[s - 1][l];
    struct id_stats *v = e->ctx_vm_stats, *a = e->ctx_as_stats;
    if (v) {
        v->walks++;
        v->walk_cycles += cycles;
        v->walk_refs += refs;
    }
    if (a) {
        a->walks++;
        a->walk_cycles += cycles;
        a->walk_refs += refs;
    }
}

static void walk_begin(struct engine *e)
{
    e->walk_cycles = 0;
    e->rec.nfetch = 0;
    memset(e->fetch_served, 0, sizeof(e->fetch_served));
}

/* ---- look-ahead: host prefetches for the coming walks (no simulated effect) ---- */

/* The hint key of @ia in context @id (stage 1: VMID and ASID, stage 2: VMID): the
 * region of @ia that one last-level table of @sp maps.  (Its top bits may be lost in
 * the shift: two regions then share a key, and one's hint misleads the other's
 * prefetches, which costs nothing but those prefetches.) */
static inline uint64_t pf_key(uint64_t ia, const struct stage_params *sp, uint32_t id)
{
    return (ia >> sp->level_shift[2]) << 32 | id;
}

/* Its slot: consecutive regions of a context take consecutive slots, so that a context
 * whose footprint spans fewer regions than there are slots never loses a hint. */
static inline unsigned pf_slot(uint64_t key)
{
    uint64_t i = (key >> 32) + (key & UINT32_MAX) * UINT64_C(0x9E3779B1);
    return (unsigned)(i & ((1u << PF_HINT_BITS) - 1));
}

static inline uint32_t pf_id(uint16_t vmid, uint16_t asid, int stage)
{
    return (uint32_t)vmid << 16 | (stage == 1 ? asid : 0);
}

static inline uint64_t pf_index(uint64_t ia, const struct stage_params *sp)
{
    return (ia >> sp->level_shift[3]) & sp->index_mask[3];
}

/* A walk found the level-3 descriptor of @ia at @desc_pa: remember its table. */
static inline void pf_note(struct engine *e, int stage, uint64_t ia, const struct stage_params *sp,
                           uint64_t desc_pa)
{
    uint64_t key = pf_key(ia, sp, pf_id(e->ctx_vmid, e->ctx_asid, stage));
    struct pf_hint *h = &e->pf_hint[stage - 1][pf_slot(key)];
    uint64_t idx = pf_index(ia, sp);
    if (h->key == key && h->base == desc_pa - 8 * idx)
        return;   /* known already */
    h->key = key;
    h->base = desc_pa - 8 * idx;
    h->words = NULL;
    if (sp->index_mask[3] < 512 && !(h->base & 0xfff)) {   /* the table is one 4 KiB frame */
        const uint64_t *w = pgmem_word(e->mem, desc_pa);
        h->words = w ? w - idx : NULL;
    }
}

/* Start the host loads of the descriptor word at @pa (at @w when known), of its slot in
 * the page-table memory's frame cache and of its set in the cache model; the word's
 * address, NULL when its frame does not exist. */
static inline const uint64_t *pf_touch(const struct engine *e, uint64_t pa, const uint64_t *w)
{
    if (!w)
        w = pgmem_word(e->mem, pa);
    else
        pgmem_prefetch(e->mem, pa);   /* the walk's fetch will look the word up there */
    if (w)
        __builtin_prefetch(w);
    cache_prefetch(&e->pf_map, pa);
    return w;
}

/* Prefetch the level-3 descriptor a walk of @ia by @r's context would read, going by
 * the hints: its PA in *@pa (0 if unknown) and its word (NULL if none). */
static inline const uint64_t *pf_find(const struct engine *e, int stage, uint64_t ia,
                                      const struct stage_params *sp, const struct trace_rec *r,
                                      uint64_t *pa)
{
    uint64_t key = pf_key(ia, sp, pf_id(r->vmid, r->asid, stage));
    const struct pf_hint *h = &e->pf_hint[stage - 1][pf_slot(key)];
    *pa = 0;
    if (h->key != key)
        return NULL;
    uint64_t idx = pf_index(ia, sp);
    *pa = h->base + 8 * idx;
    return pf_touch(e, *pa, h->words ? h->words + idx : NULL);
}

/* The leaf descriptor at @w, if it is a valid level-3 page: its output address for @ia. */
static inline bool pf_read_page(const uint64_t *w, const struct stage_params *sp, uint64_t ia,
                                uint64_t *out)
{
    uint64_t d = w ? *w : 0;
    if ((d & VMSA_DESC_TYPE_MASK) != (VMSA_DESC_VALID | VMSA_DESC_TYPE_TABLE))
        return false;
    *out = (d & sp->leaf_oa_mask[3]) | (ia & ((UINT64_C(1) << sp->level_shift[3]) - 1));
    return true;
}

/*
 * Three steps per access, two events apart (engine_events()): an access's stage-1
 * leaf descriptor is prefetched two events before it is replayed; one event later
 * that descriptor, now in the host's caches, gives the IPA whose stage-2 leaf is
 * prefetched; just before the access, that one gives the PA, whose set of the last
 * cache level is prefetched for the data access.  Each also prefetches the
 * descriptor's set in the cache model, which the walk's fetch will visit.  They
 * read the page tables and the hints, and change neither.  An access of another
 * context than the current one is looked up with the current context's table
 * geometry (the same, usually; if not, its hints rarely match).
 */
static void pf_step1(struct engine *e, const struct trace_rec *r, struct pf_slot *s)
{
    s->p1 = s->p2 = 0;
    s->w1 = s->w2 = NULL;
    if (r->kind > TR_IFETCH || !e->ctx->rg.s1_enabled)
        return;
    s->w1 = pf_find(e, 1, r->va, &e->ctx->rg.s1[walk_s1_half(r->va)], r, &s->p1);
}

static void pf_step2(struct engine *e, const struct trace_rec *r, struct pf_slot *s)
{
    const struct regime *rg = &e->ctx->rg;
    if (!pf_read_page(s->w1, &rg->s1[walk_s1_half(r->va)], r->va, &s->ipa))
        return;
    if (!rg->s2_enabled) {
        cache_prefetch(&e->pf_map, s->ipa);   /* native: the IPA is the data's PA */
        return;
    }
    s->w2 = pf_find(e, 2, s->ipa, &rg->s2, r, &s->p2);
}

static void pf_step3(struct engine *e, const struct pf_slot *s)
{
    uint64_t pa;
    if (pf_read_page(s->w2, &e->ctx->rg.s2, s->ipa, &pa))
        cache_prefetch(&e->pf_map, pa);
}

/* After a successful walk of @va: remember where its leaves were, and (tests) check
 * the predictions the look-ahead made for it. */
static void pf_learn(struct engine *e, uint64_t va, const struct walk_result *wr)
{
    const struct regime *rg = &e->ctx->rg;
    const struct pf_slot *s = e->pf_cur;
    if (rg->s1_enabled && wr->s1_level == 3) {
        if (s && s->p1) {
            e->pf_checked[0]++;
            e->pf_right[0] += s->p1 == e->pf_last[0];
        }
        pf_note(e, 1, va, &rg->s1[walk_s1_half(va)], e->pf_last[0]);
    }
    /* the final IPA's own stage-2 walk (not an IPA-cache hit) ends the walk */
    if (rg->s2_enabled && wr->s2_level == 3 && e->pf_last_stage == 2) {
        if (s && s->p2) {
            e->pf_checked[1]++;
            e->pf_right[1] += s->p2 == e->pf_last[1];
        }
        pf_note(e, 2, wr->ipa, &rg->s2, e->pf_last[1]);
    }
}

/* Translate one page-contained piece; *pa_out on success. */
static int translate(struct engine *e, uint64_t va, unsigned kind, uint64_t *pa_out,
                     struct sim_err *err)
{
    struct tlb *l1 = kind == TR_IFETCH ? e->l1i : e->l1d;
    uint16_t vmid = e->ctx_vmid, asid = e->ctx_asid;
    struct tlb_entry te;

    struct utlb *u = &e->utlb[kind == TR_IFETCH];
    e->tlb_cycles += kind == TR_IFETCH ? e->lat_l1i : e->lat_l1d;
    if (tlb_lookup(l1, va, vmid, asid, &te)) {
        *u = (struct utlb){ true, te.shift, va >> te.shift, te.pa };
        goto hit;
    }
    u->valid = false;       /* the miss path touches this L1 TLB (insert) */
    e->tlb_cycles += e->lat_l2;
    if (tlb_lookup(e->l2, va, vmid, asid, &te)) {
        tlb_insert(l1, &te, va);
        goto hit;
    }

    /* Page walk, retried after each demand fault */
    struct os_proc *p = e->ctx;
    int half = walk_s1_half(va);
    int el = half;                               /* TTBR1 = kernel (EL1), TTBR0 = user (EL0) */
    enum access_kind acc = kind == TR_STORE ? ACC_WRITE : kind == TR_IFETCH ? ACC_EXEC : ACC_READ;
    const struct stage_params *sp = &p->rg.s1[half];
    struct walk_result wr;
    bool ok = false;

    for (int attempt = 0; attempt < MAX_RETRY && !ok; attempt++) {
        struct walk_start start, *startp = NULL;
        walk_begin(e);
        if (e->cfg->s1_walk_cache.enabled) {
            struct pwc_entry pe;
            e->walk_cycles += e->lat_pwc;
            int level = pwc_lookup_deepest(e->pwc, vmid, asid, sp->start_level, sp->level_shift,
                                           va, &pe);
            if (level >= 0) {
                start = (struct walk_start){ (int8_t)(level + 1), pe.ipa, pe.attrs };
                startp = &start;
            }
            if (startp)
                e->pwc_hits++;
            else
                e->pwc_misses++;
        }
        ok = walk_translate_impl(e->mem, &p->rg, va, acc, el, NULL, e, startp, &wr);
        if (ok)
            break;
        /* A first touch: the OS model maps, the walk is retried.  The faulting
         * walk is demand-fault cost, not walk cost. */
        e->demand_faults++;
        e->demand_fault_cycles += e->cfg->demand_fault_cycles + e->walk_cycles;
        e->demand_walk_refs += wr.refs;
        struct id_stats *v = e->ctx_vm_stats, *a = e->ctx_as_stats;
        if (v)
            v->demand_faults++;
        if (a)
            a->demand_faults++;
        uint64_t zero0 = e->os.stats.zero_faults;
        os_wlog_reset(&e->os);
        int rc = os_demand_fault(&e->os, p, va, &wr.fault, err);
        if (rc < 0)
            return rc;
        /* the kernel's and hypervisor's descriptor stores go through the data caches
         * (so the retried walk finds the new entries where the stores left them) */
        for (size_t i = 0; i < e->os.nwlog; i++)
            e->demand_fault_cycles += cache_hier_access(e->caches, e->os.wlog[i], MEM_WRITE,
                                                        PORT_L1D, NULL);
        e->line_valid = false;
        /* stage-2 faults the guest took while zeroing the new page(s): demand faults too */
        uint64_t z = e->os.stats.zero_faults - zero0;
        e->demand_faults += z;
        e->demand_fault_cycles += z * e->cfg->demand_fault_cycles;
        if (v)
            v->demand_faults += z;
        if (a)
            a->demand_faults += z;
    }
    if (!ok)
        return sim_err_set(err, SIM_EINVAL, "VA 0x%" PRIx64 ": still faulting after %d demand "
                           "faults (%s, stage %u, level %d)", va, MAX_RETRY,
                           walk_fault_name(wr.fault.type), wr.fault.stage, wr.fault.level);

    record_walk(e, e->walk_cycles, wr.refs);
    pf_learn(e, va, &wr);
    if (e->sink.ops) {
        struct walk_record *r = &e->rec;
        r->seq = e->seq;
        r->va = va;
        r->ipa = wr.ipa;
        r->pa = wr.pa;
        r->vmid = vmid;
        r->asid = asid;
        r->kind = (uint8_t)kind;
        r->s1_shift = wr.s1_shift;
        r->s2_shift = wr.s2_shift;
        r->tlb_shift = wr.size_shift;
        r->refs = wr.refs;
        r->cycles = (uint32_t)(e->walk_cycles > UINT32_MAX ? UINT32_MAX : e->walk_cycles);
        int rc = e->sink.ops->walk(e->sink.ctx, r, err);
        if (rc < 0)
            return rc;
    }
    uint64_t mask = (UINT64_C(1) << wr.size_shift) - 1;
    te = (struct tlb_entry){
        .va = va & ~mask, .pa = wr.pa & ~mask, .ipa = wr.ipa & ~mask, .vmid = vmid, .asid = asid,
        .shift = wr.size_shift, .level = (uint8_t)wr.s1_level, .global = wr.global,
        .perms = wr.perms,
    };
    tlb_insert(e->l2, &te, va);
    tlb_insert(l1, &te, va);
    *pa_out = wr.pa;
    return SIM_OK;
hit:
    *pa_out = te.pa | (va & ((UINT64_C(1) << te.shift) - 1));
    return SIM_OK;
}

static int do_access(struct engine *e, const struct trace_rec *rec, struct sim_err *err)
{
    int rc = set_context(e, rec->vmid, rec->asid, err);
    if (rc < 0)
        return rc;
    uint64_t va = rec->va;
    uint64_t end = va + (rec->size ? rec->size : 1);   /* exclusive */
    if (end < va)
        end = UINT64_MAX;                               /* wraps at the top: clip */
    e->accesses++;
    struct id_stats *v = e->ctx_vm_stats, *a = e->ctx_as_stats;
    if (v)
        v->accesses++;
    if (a)
        a->accesses++;
    uint64_t page = UINT64_C(1) << e->split_shift;
    bool first = true;
    while (va < end) {
        uint64_t piece_end = (va | (page - 1)) + 1;
        if (piece_end == 0 || piece_end > end)
            piece_end = end;
        if (!first)
            e->split_accesses++;
        first = false;
        uint64_t pa = 0;
        if ((rc = translate(e, va, rec->kind, &pa, err)) < 0)
            return rc;
        if (rec->kind == TR_IFETCH) {
            e->fetch_cycles += e->lat_fetch;
        } else {
            enum mem_op op = rec->kind == TR_STORE ? MEM_WRITE : MEM_READ;
            uint64_t last = pa + (piece_end - va) - 1;
            for (uint64_t line = pa >> e->line_shift; line <= last >> e->line_shift; line++) {
                e->data_cycles += cache_hier_access(e->caches, line << e->line_shift, op, PORT_L1D,
                                                    NULL);
                /* reads always leave the line in L1D; writes only when allocated */
                e->line_valid = e->l1c_on && (op == MEM_READ || e->cfg->mem.l1d.write_allocate);
                e->last_line = line;
                e->line_dirty = op == MEM_WRITE;
            }
        }
        va = piece_end;
    }
    return SIM_OK;
}

/* The span of a fetch window: the rest of the page, within the L1 TLB entry @u and
 * the piece size accesses are split at. */
static inline uint64_t fetch_span(const struct engine *e, const struct utlb *u)
{
    return (UINT64_C(1) << (u->shift < e->split_shift ? u->shift : e->split_shift)) - 1;
}

/*
 * After an access on the general path: open the windows its end state already
 * establishes, i.e. where event_checked() would find every condition true and no
 * side effect left to take, so that the next accesses to the same line (data) or
 * page (fetches) need no check at all.  Keyed on the access's last byte, which lies
 * in the line and page it touched last.
 */
static void prime_windows(struct engine *e, const struct trace_rec *rec)
{
    unsigned kind = rec->kind;
    uint64_t va = rec->va + (rec->size ? rec->size - 1 : 0);
    if (e->no_fast || !e->have_ctx || va < rec->va)
        return;
    const struct utlb *u = &e->utlb[kind == TR_IFETCH];
    if (!u->valid || (va >> u->shift) != u->vpn)
        return;
    if (kind == TR_IFETCH) {
        uint64_t pmask = fetch_span(e, u);
        e->win[kind] = (struct win){ e->gen, va & ~pmask, pmask };
        return;
    }
    uint64_t pa = u->pa | (va & ((UINT64_C(1) << u->shift) - 1));
    if (!e->line_valid || (pa >> e->line_shift) != e->last_line)
        return;
    uint64_t lmask = (UINT64_C(1) << e->line_shift) - 1;
    struct win w = { e->gen, va & ~lmask, lmask };
    e->win[TR_LOAD] = w;
    if (e->l1c_wb && e->line_dirty)
        e->win[TR_STORE] = w;
}

static int event_slow(struct engine *e, const struct trace_rec *rec, struct sim_err *err)
{
    int rc = SIM_OK;
    sync_seq(e);
    e->gen++;
    if (rec->kind >= TR_KIND_COUNT)
        return sim_err_set(err, SIM_EINVAL, "event %" PRIu64 ": unknown kind %u", e->seq,
                           rec->kind);
    e->events[rec->kind]++;
    switch (rec->kind) {
    case TR_LOAD:
    case TR_STORE:
    case TR_IFETCH:
        rc = do_access(e, rec, err);
        if (rc == SIM_OK)
            prime_windows(e, rec);
        break;
    case TR_CTX_SWITCH:
    case TR_VM_SWITCH:
        /* tags do the work: entries of other contexts simply do not match */
        break;
    case TR_TLBI: {
        if (rec->tlbi >= TLBI_KIND_COUNT)
            return sim_err_set(err, SIM_EINVAL, "event %" PRIu64 ": unknown TLBI %u", e->seq,
                               rec->tlbi);
        struct tlbi op = { (enum tlbi_kind)rec->tlbi, rec->vmid, rec->asid, rec->va };
        e->utlb[0].valid = e->utlb[1].valid = false;
        e->tlbi_removed += tlb_invalidate(e->l1i, &op) + tlb_invalidate(e->l1d, &op) +
                           tlb_invalidate(e->l2, &op) + tlb_invalidate(e->s2c, &op) +
                           pwc_invalidate(e->pwc, &op);
        break;
    }
    }
    e->seq++;
    return rc;
}

/*
 * The hot path.  An access of the current context whose page answered the last
 * lookup of its L1 TLB is an L1 TLB hit with no replacement change; a load, or a
 * store to a line already dirty in a write-back L1D, of the line touched last at
 * L1D is an L1D hit with no replacement change.  Everything else takes the
 * general path.  Both shortcuts give exactly the general path's numbers.
 */
__attribute__((noinline)) static int event_checked(struct engine *e, const struct trace_rec *rec,
                                                    struct sim_err *err)
{
    unsigned kind = rec->kind;
    if (kind > TR_IFETCH || !e->have_ctx || rec->vmid != e->ctx_vmid ||
        rec->asid != e->ctx_asid || e->no_fast)
        return event_slow(e, rec, err);
    uint64_t va = rec->va;
    uint64_t last = va + (rec->size ? rec->size - 1 : 0);
    struct utlb *u = &e->utlb[kind == TR_IFETCH];
    if (!u->valid || (va >> u->shift) != u->vpn || last < va ||
        (last >> e->split_shift) != (va >> e->split_shift) || (last >> u->shift) != u->vpn)
        return event_slow(e, rec, err);
    if (kind != TR_IFETCH) {
        uint64_t mask = (UINT64_C(1) << u->shift) - 1;
        uint64_t pa = u->pa | (va & mask);
        uint64_t line = pa >> e->line_shift;
        if (!e->line_valid || line != e->last_line || ((pa + (last - va)) >> e->line_shift) != line)
            return event_slow(e, rec, err);
        if (kind == TR_STORE && !(e->l1c_wb && e->line_dirty)) {
            /* a first store to the line: the cache marks it dirty and counts the hit */
            if (!cache_hier_store_mru(e->caches, pa))
                return event_slow(e, rec, err);
            e->line_dirty = true;
            e->fast[3]++;
        } else {
            e->fast[kind]++;
        }
        /* the rest of this line, within this page, takes the same path */
        uint64_t lmask = (UINT64_C(1) << e->line_shift) - 1;
        e->win[kind] = (struct win){ e->gen, va & ~lmask, lmask };
    } else {
        e->fast[TR_IFETCH]++;
        uint64_t pmask = fetch_span(e, u);
        e->win[kind] = (struct win){ e->gen, va & ~pmask, pmask };
    }
    return SIM_OK;
}

static inline int event_one(struct engine *e, const struct trace_rec *rec, struct sim_err *err)
{
    /* the window of the last checked access of this kind: nothing to re-check */
    unsigned kind = rec->kind;
    if (kind <= TR_IFETCH && rec->vmid == e->ctx_vmid && rec->asid == e->ctx_asid) {
        const struct win *w = &e->win[kind];
        /* va and its last byte in [lo, lo + span], without wrapping: two unsigned compares */
        uint64_t off = rec->va - w->lo, extra = rec->size ? rec->size - 1 : 0;
        if (w->gen == e->gen && off <= w->span && extra <= w->span - off) {
            e->fast[kind]++;
            return SIM_OK;
        }
    }
    return event_checked(e, rec, err);
}

int engine_event(struct engine *e, const struct trace_rec *rec, struct sim_err *err)
{
    return event_one(e, rec, err);
}

int engine_events(struct engine *e, const struct trace_rec *recs, unsigned n, struct sim_err *err)
{
    /* Look ahead only while walks are frequent: elsewhere its steps would cost more
     * than the host misses they save. */
    bool ahead = !e->pf_off && e->have_ctx && (e->walks - e->pf_walks) * PF_WALK_RATIO >= e->pf_n;
    e->pf_walks = e->walks;
    e->pf_n = n;
    if (!ahead) {
        for (unsigned i = 0; i < n; i++) {
            int rc = event_one(e, &recs[i], err);
            if (rc < 0)
                return rc;
        }
        return SIM_OK;
    }
    /* event j: step 1 at turn j, step 2 at turn j + 1, step 3 and replay at turn j + 2 */
    for (unsigned t = 0; t < n + 2; t++) {
        if (t < n)
            pf_step1(e, &recs[t], &e->pf_ring[t & 3]);
        if (t >= 1 && t - 1 < n)
            pf_step2(e, &recs[t - 1], &e->pf_ring[(t - 1) & 3]);
        if (t >= 2) {
            e->pf_cur = &e->pf_ring[(t - 2) & 3];
            pf_step3(e, e->pf_cur);
            int rc = event_one(e, &recs[t - 2], err);
            e->pf_cur = NULL;
            if (rc < 0)
                return rc;
        }
    }
    return SIM_OK;
}

void engine_set_lookahead(struct engine *e, bool on)
{
    e->pf_off = !on;
}

void engine_lookahead_stats(const struct engine *e, uint64_t checked[2], uint64_t right[2])
{
    for (int i = 0; i < 2; i++) {
        checked[i] = e->pf_checked[i];
        right[i] = e->pf_right[i];
    }
}

/* TLB counters including the hits taken by the fast path. */
static struct tlb_stats tlb_stats_of(const struct engine *e, int t)
{
    struct tlb *tlbs[3] = { e->l1i, e->l1d, e->l2 };
    struct tlb_stats s = *tlb_get_stats(tlbs[t]);
    uint64_t fast = t == 0 ? e->utlb_hits[1] : t == 1 ? e->utlb_hits[0] : 0;
    s.lookups += fast;
    s.hits += fast;
    return s;
}

static struct cache_level_stats cache_stats_of(const struct engine *e, int level)
{
    struct cache_level_stats s = *cache_hier_stats(e->caches, (enum mem_served)level);
    if (level == 0) {
        s.accesses += e->line_hits;
        s.hits += e->line_hits;
    }
    return s;
}

/* ---- report ---- */

static void add_metric(struct engine *e, const char *name, double v)
{
    if (e->n_metrics == e->cap_metrics) {
        size_t n = e->cap_metrics ? e->cap_metrics * 2 : 128;
        struct stat_metric *m = realloc(e->metrics, n * sizeof(*m));
        if (!m)
            return;             /* reported by the caller through json.oom-like check */
        e->metrics = m;
        e->cap_metrics = n;
    }
    e->metrics[e->n_metrics++] = (struct stat_metric){ name, v };
}

/* A metric whose name is built at run time (per-VMID / per-ASID). */
static void add_metric_fmt(struct engine *e, double v, const char *fmt, unsigned id, const char *what)
{
    if (e->n_names == e->cap_names) {
        size_t n = e->cap_names ? e->cap_names * 2 : 64;
        char (*nn)[48] = realloc(e->names, n * sizeof(*nn));
        if (!nn)
            return;
        /* names already handed out point into the old block: re-point them */
        for (size_t i = 0; i < e->n_metrics; i++) {
            const char *p = e->metrics[i].name;
            if (e->names && p >= e->names[0] && p < e->names[0] + e->cap_names * 48)
                e->metrics[i].name = nn[0] + (p - e->names[0]);
        }
        e->names = nn;
        e->cap_names = n;
    }
    snprintf(e->names[e->n_names], 48, fmt, id, what);
    add_metric(e, e->names[e->n_names++], v);
}

static void add_bin(struct engine *e, const char *hist, int64_t key, uint64_t count)
{
    if (e->n_bins == e->cap_bins) {
        size_t n = e->cap_bins ? e->cap_bins * 2 : 256;
        struct stat_hist_bin *b = realloc(e->bins, n * sizeof(*b));
        if (!b)
            return;
        e->bins = b;
        e->cap_bins = n;
    }
    e->bins[e->n_bins++] = (struct stat_hist_bin){ hist, key, count };
}

/* Walk-cycle value below which a fraction q of the walks fall. */
static uint64_t cyc_quantile(const struct engine *e, double q)
{
    if (!e->walks)
        return 0;
    uint64_t want = (uint64_t)ceil(q * (double)e->walks), seen = 0;
    if (want == 0)
        want = 1;
    for (uint64_t c = 0; c < CYC_EXACT; c++) {
        seen += e->cyc_exact[c];
        if (seen >= want)
            return c;
    }
    for (int b = 0; b < CYC_LOG; b++) {
        seen += e->cyc_log[b];
        if (seen >= want)
            return UINT64_C(1) << b;   /* lower bound of the log bucket */
    }
    return e->walk_cycles_max;
}

/* Histogram bucket width for walk cycles in the report: keeps ~100 buckets. */
static uint64_t cyc_bucket_width(const struct engine *e)
{
    uint64_t w = 1;
    uint64_t top = e->walk_cycles_max < CYC_EXACT ? e->walk_cycles_max : CYC_EXACT - 1;
    while (top / w > 100)
        w *= 2;
    return w;
}

/*
 * Translation's share of the cycles spent on the accesses themselves:
 * translation / (translation + data + fetch).  Demand faults are OS work on
 * first touch and would otherwise dilute the share of short traces (and more
 * so under virtualization, where a first touch faults twice).
 */
static double translation_share(const struct engine *e)
{
    uint64_t translation = e->tlb_cycles + e->walk_cycles_total;
    uint64_t access = translation + e->data_cycles + e->fetch_cycles;
    return access ? (double)translation / (double)access : 0.0;
}

static double per_k(uint64_t n, uint64_t d)
{
    return d ? 1000.0 * (double)n / (double)d : 0.0;
}

static const char *const served_names[SERVED_COUNT] = { "l1", "l2", "llc", "dram" };

int engine_report(struct engine *e, struct run_totals *out, struct sim_err *err)
{
    fold_fast(e);
    static const char *const tlb_names[3] = { "l1i", "l1d", "l2" };
    static const char *const m_tlb[3][4] = {
        { "tlb.l1i.hits", "tlb.l1i.misses", "tlb.l1i.mpka", "tlb.l1i.mpki" },
        { "tlb.l1d.hits", "tlb.l1d.misses", "tlb.l1d.mpka", "tlb.l1d.mpki" },
        { "tlb.l2.hits", "tlb.l2.misses", "tlb.l2.mpka", "tlb.l2.mpki" },
    };
    static const char *const m_fetch[3][SERVED_COUNT] = {
        { 0 },
        { "walk_fetch.s1.l1", "walk_fetch.s1.l2", "walk_fetch.s1.llc", "walk_fetch.s1.dram" },
        { "walk_fetch.s2.l1", "walk_fetch.s2.l2", "walk_fetch.s2.llc", "walk_fetch.s2.dram" },
    };
    static const char *const m_cache[3][2] = {
        { "cache.l1d.hits", "cache.l1d.misses" },
        { "cache.l2.hits", "cache.l2.misses" },
        { "cache.llc.hits", "cache.llc.misses" },
    };
    uint64_t instr = e->events[TR_IFETCH];
    uint64_t translation = e->tlb_cycles + e->walk_cycles_total;
    uint64_t total = translation + e->data_cycles + e->fetch_cycles + e->demand_fault_cycles;
    double refs_mean = e->walks ? (double)e->walk_refs_total / (double)e->walks : 0.0;
    double cyc_mean = e->walks ? (double)e->walk_cycles_total / (double)e->walks : 0.0;
    uint64_t p50 = cyc_quantile(e, 0.50), p99 = cyc_quantile(e, 0.99);
    struct strbuf *j = &e->json;

    e->n_metrics = e->n_bins = e->n_names = 0;
    sb_free(j);

    add_metric(e, "accesses", (double)e->accesses);
    add_metric(e, "accesses.load", (double)e->events[TR_LOAD]);
    add_metric(e, "accesses.store", (double)e->events[TR_STORE]);
    add_metric(e, "accesses.ifetch", (double)e->events[TR_IFETCH]);
    add_metric(e, "instructions", (double)instr);
    for (int t = 0; t < 3; t++) {
        struct tlb_stats tsv = tlb_stats_of(e, t);
        const struct tlb_stats *ts = &tsv;
        add_metric(e, m_tlb[t][0], (double)ts->hits);
        add_metric(e, m_tlb[t][1], (double)ts->misses);
        add_metric(e, m_tlb[t][2], per_k(ts->misses, e->accesses));
        if (instr)
            add_metric(e, m_tlb[t][3], per_k(ts->misses, instr));
    }
    add_metric(e, "pwc.s1.hits", (double)e->pwc_hits);
    add_metric(e, "pwc.s1.misses", (double)e->pwc_misses);
    add_metric(e, "pwc.s2.hits", (double)e->s2c_hits);
    add_metric(e, "pwc.s2.misses", (double)e->s2c_misses);
    add_metric(e, "walks", (double)e->walks);
    add_metric(e, "walk_refs.mean", refs_mean);
    add_metric(e, "walk_cycles.mean", cyc_mean);
    add_metric(e, "walk_cycles.p50", (double)p50);
    add_metric(e, "walk_cycles.p99", (double)p99);
    add_metric(e, "walk_cycles.max", (double)e->walk_cycles_max);
    for (int s = 1; s <= 2; s++)
        for (int l = 0; l < SERVED_COUNT; l++)
            add_metric(e, m_fetch[s][l], (double)e->served[s][l]);
    add_metric(e, "translation_cycles", (double)translation);
    add_metric(e, "data_cycles", (double)e->data_cycles);
    add_metric(e, "fetch_cycles", (double)e->fetch_cycles);
    add_metric(e, "total_cycles", (double)total);
    add_metric(e, "translation_share", translation_share(e));
    add_metric(e, "demand_faults", (double)e->demand_faults);
    add_metric(e, "demand_fault_cycles", (double)e->demand_fault_cycles);
    for (int l = 0; l < 3; l++) {
        struct cache_level_stats csv = cache_stats_of(e, l);
        const struct cache_level_stats *cs = &csv;
        add_metric(e, m_cache[l][0], (double)cs->hits);
        add_metric(e, m_cache[l][1], (double)cs->misses);
    }
    const struct id_stats *sorted[ID_SLOTS];
    for (int pass = 0; pass < 2; pass++) {
        const char *fmt = pass ? "asid.%u.%s" : "vmid.%u.%s";
        unsigned n = id_sorted(pass ? e->as_stats : e->vm_stats, sorted);
        for (unsigned i = 0; i < n; i++) {
            add_metric_fmt(e, (double)sorted[i]->walks, fmt, sorted[i]->id, "walks");
            add_metric_fmt(e, (double)sorted[i]->walk_cycles, fmt, sorted[i]->id, "walk_cycles");
        }
    }
    for (unsigned r = 0; r <= WALK_MAX_FETCH; r++)
        if (e->refs_hist[r])
            add_bin(e, "walk_refs", r, e->refs_hist[r]);
    uint64_t w = cyc_bucket_width(e);
    for (uint64_t c = 0; c < CYC_EXACT; c += w) {
        uint64_t n = 0;
        for (uint64_t k = c; k < c + w && k < CYC_EXACT; k++)
            n += e->cyc_exact[k];
        if (n)
            add_bin(e, "walk_cycles", (int64_t)c, n);
    }
    for (int b = 0; b < CYC_LOG; b++)
        if (e->cyc_log[b])
            add_bin(e, "walk_cycles", (int64_t)(UINT64_C(1) << b), e->cyc_log[b]);

    /* the JSON summary (schema documented in README) */
    sb_printf(j, "{\n  \"schema\": %d,\n  \"program\": \"mmusim %s\",\n", ENGINE_SCHEMA,
              MMUSIM_VERSION);
    sb_printf(j, "  \"config\": {\"preset\": ");
    sb_json_str(j, e->cfg->preset);
    sb_printf(j, ", \"virtualized\": %s, \"s1_granule\": \"%uk\", \"s2_granule\": \"%uk\", "
              "\"va_bits\": %u, \"ipa_bits\": %u, \"seed\": %" PRIu64 "},\n",
              e->cfg->virtualized ? "true" : "false", (1u << e->cfg->proc.s1_granule_shift) >> 10,
              (1u << e->cfg->vm.s2_granule_shift) >> 10, e->cfg->proc.va_bits, e->cfg->vm.ipa_bits,
              e->cfg->seed);
    sb_printf(j, "  \"events\": %" PRIu64 ",\n  \"accesses\": %" PRIu64 ",\n", e->seq, e->accesses);
    sb_printf(j, "  \"accesses_by_kind\": {\"load\": %" PRIu64 ", \"store\": %" PRIu64
              ", \"ifetch\": %" PRIu64 "},\n", e->events[TR_LOAD], e->events[TR_STORE],
              e->events[TR_IFETCH]);
    sb_printf(j, "  \"instructions\": %" PRIu64 ",\n  \"page_splits\": %" PRIu64 ",\n", instr,
              e->split_accesses);
    sb_printf(j, "  \"other_events\": {\"ctx_switch\": %" PRIu64 ", \"vm_switch\": %" PRIu64
              ", \"tlbi\": %" PRIu64 ", \"tlbi_entries_removed\": %" PRIu64 "},\n",
              e->events[TR_CTX_SWITCH], e->events[TR_VM_SWITCH], e->events[TR_TLBI],
              e->tlbi_removed);
    sb_printf(j, "  \"tlb\": {");
    for (int t = 0; t < 3; t++) {
        struct tlb_stats tsv = tlb_stats_of(e, t);
        const struct tlb_stats *ts = &tsv;
        sb_printf(j, "%s\"%s\": {\"hits\": %" PRIu64 ", \"misses\": %" PRIu64 ", \"mpka\": %.4f",
                  t ? ", " : "", tlb_names[t], ts->hits, ts->misses, per_k(ts->misses, e->accesses));
        if (instr)
            sb_printf(j, ", \"mpki\": %.4f", per_k(ts->misses, instr));
        sb_printf(j, "}");
    }
    sb_printf(j, "},\n  \"walk_cache\": {\"s1\": {\"hits\": %" PRIu64 ", \"misses\": %" PRIu64
              "}, \"s2\": {\"hits\": %" PRIu64 ", \"misses\": %" PRIu64 "}},\n",
              e->pwc_hits, e->pwc_misses, e->s2c_hits, e->s2c_misses);
    sb_printf(j, "  \"walks\": %" PRIu64 ",\n  \"walk_refs\": {\"mean\": %.4f, \"hist\": {",
              e->walks, refs_mean);
    bool firstb = true;
    for (size_t i = 0; i < e->n_bins; i++)
        if (strcmp(e->bins[i].hist, "walk_refs") == 0) {
            sb_printf(j, "%s\"%" PRId64 "\": %" PRIu64, firstb ? "" : ", ", e->bins[i].key,
                      e->bins[i].count);
            firstb = false;
        }
    sb_printf(j, "}},\n  \"walk_cycles\": {\"mean\": %.4f, \"p50\": %" PRIu64 ", \"p99\": %" PRIu64
              ", \"max\": %" PRIu64 ", \"bucket\": %" PRIu64 ", \"hist\": {",
              cyc_mean, p50, p99, e->walk_cycles_max, w);
    firstb = true;
    for (size_t i = 0; i < e->n_bins; i++)
        if (strcmp(e->bins[i].hist, "walk_cycles") == 0) {
            sb_printf(j, "%s\"%" PRId64 "\": %" PRIu64, firstb ? "" : ", ", e->bins[i].key,
                      e->bins[i].count);
            firstb = false;
        }
    sb_printf(j, "}},\n  \"walk_fetch_served\": {");
    for (int s = 1; s <= 2; s++) {
        sb_printf(j, "%s\"s%d\": {", s == 1 ? "" : ", ", s);
        for (int l = 0; l < SERVED_COUNT; l++)
            sb_printf(j, "%s\"%s\": %" PRIu64, l ? ", " : "", served_names[l], e->served[s][l]);
        sb_printf(j, "}");
    }
    sb_printf(j, "},\n  \"cache\": {");
    for (int l = 0; l < 3; l++) {
        struct cache_level_stats csv = cache_stats_of(e, l);
        const struct cache_level_stats *cs = &csv;
        sb_printf(j, "%s\"%s\": {\"hits\": %" PRIu64 ", \"misses\": %" PRIu64 "}", l ? ", " : "",
                  l == 0 ? "l1d" : l == 1 ? "l2" : "llc", cs->hits, cs->misses);
    }
    sb_printf(j, "},\n  \"demand_faults\": {\"count\": %" PRIu64 ", \"cycles\": %" PRIu64
              ", \"walk_refs\": %" PRIu64 "},\n", e->demand_faults, e->demand_fault_cycles,
              e->demand_walk_refs);
    sb_printf(j, "  \"page_tables\": {\"s1_pages\": %" PRIu64 ", \"s1_blocks\": %" PRIu64
              ", \"s1_tables\": %" PRIu64 ", \"s2_pages\": %" PRIu64 ", \"s2_blocks\": %" PRIu64
              ", \"s2_tables\": %" PRIu64 "},\n", e->os.stats.s1_pages, e->os.stats.s1_blocks,
              e->os.stats.s1_tables, e->os.stats.s2_pages, e->os.stats.s2_blocks,
              e->os.stats.s2_tables);
    sb_printf(j, "  \"tlb_cycles\": %" PRIu64 ",\n  \"walk_cycles_total\": %" PRIu64
              ",\n  \"data_cycles\": %" PRIu64 ",\n  \"fetch_cycles\": %" PRIu64
              ",\n  \"translation_cycles\": %" PRIu64
              ",\n  \"total_cycles\": %" PRIu64 ",\n  \"translation_share\": %.6f,\n",
              e->tlb_cycles, e->walk_cycles_total, e->data_cycles, e->fetch_cycles, translation, total,
              translation_share(e));
    for (int pass = 0; pass < 2; pass++) {
        unsigned n = id_sorted(pass ? e->as_stats : e->vm_stats, sorted);
        sb_printf(j, "  \"%s\": {", pass ? "per_asid" : "per_vmid");
        for (unsigned i = 0; i < n; i++) {
            const struct id_stats *s = sorted[i];
            sb_printf(j, "%s\"%u\": {\"accesses\": %" PRIu64 ", \"walks\": %" PRIu64
                      ", \"walk_refs\": %" PRIu64 ", \"walk_cycles\": %" PRIu64
                      ", \"demand_faults\": %" PRIu64 "}", i ? ", " : "", s->id, s->accesses,
                      s->walks, s->walk_refs, s->walk_cycles, s->demand_faults);
        }
        sb_printf(j, "}%s\n", pass ? "" : ",");
    }
    sb_printf(j, "}\n");
    if (j->oom)
        return sim_err_set(err, SIM_ENOMEM, "out of memory building the report");
    *out = (struct run_totals){ .metrics = e->metrics, .n_metrics = e->n_metrics, .bins = e->bins,
                                .n_bins = e->n_bins, .summary_json = sb_str(j) };
    return SIM_OK;
}

void engine_print_text(struct engine *e, struct strbuf *sb)
{
    fold_fast(e);
    static const char *const tlb_names[3] = { "L1 I-TLB", "L1 D-TLB", "L2 TLB" };
    uint64_t instr = e->events[TR_IFETCH];
    uint64_t translation = e->tlb_cycles + e->walk_cycles_total;
    uint64_t total = translation + e->data_cycles + e->fetch_cycles + e->demand_fault_cycles;

    sb_printf(sb, "accesses          %" PRIu64 " (load %" PRIu64 ", store %" PRIu64
              ", ifetch %" PRIu64 "), page-crossing pieces %" PRIu64 "\n", e->accesses,
              e->events[TR_LOAD], e->events[TR_STORE], e->events[TR_IFETCH], e->split_accesses);
    sb_printf(sb, "other events      ctx switches %" PRIu64 ", VM switches %" PRIu64 ", TLBI %" PRIu64
              " (%" PRIu64 " entries removed)\n", e->events[TR_CTX_SWITCH],
              e->events[TR_VM_SWITCH], e->events[TR_TLBI], e->tlbi_removed);
    for (int t = 0; t < 3; t++) {
        struct tlb_stats tsv = tlb_stats_of(e, t);
        const struct tlb_stats *ts = &tsv;
        sb_printf(sb, "%-17s hits %" PRIu64 ", misses %" PRIu64 ", %.3f misses/1000 accesses",
                  tlb_names[t], ts->hits, ts->misses, per_k(ts->misses, e->accesses));
        if (instr)
            sb_printf(sb, ", MPKI %.3f", per_k(ts->misses, instr));
        sb_printf(sb, "\n");
    }
    sb_printf(sb, "S1 walk cache     hits %" PRIu64 ", misses %" PRIu64 "\n", e->pwc_hits,
              e->pwc_misses);
    sb_printf(sb, "S2 IPA cache      hits %" PRIu64 ", misses %" PRIu64 "\n", e->s2c_hits,
              e->s2c_misses);
    sb_printf(sb, "walks             %" PRIu64 ", refs/walk %.3f, cycles/walk %.2f (p50 %" PRIu64
              ", p99 %" PRIu64 ", max %" PRIu64 ")\n", e->walks,
              e->walks ? (double)e->walk_refs_total / (double)e->walks : 0.0,
              e->walks ? (double)e->walk_cycles_total / (double)e->walks : 0.0,
              cyc_quantile(e, 0.5), cyc_quantile(e, 0.99), e->walk_cycles_max);
    sb_printf(sb, "refs histogram   ");
    for (unsigned r = 0; r <= WALK_MAX_FETCH; r++)
        if (e->refs_hist[r])
            sb_printf(sb, " %u:%" PRIu64, r, e->refs_hist[r]);
    sb_printf(sb, "\n");
    for (int s = 1; s <= 2; s++) {
        sb_printf(sb, "S%d fetches served ", s);
        for (int l = 0; l < SERVED_COUNT; l++)
            sb_printf(sb, " %s %" PRIu64, served_names[l], e->served[s][l]);
        sb_printf(sb, "\n");
    }
    sb_printf(sb, "demand faults     %" PRIu64 " (%" PRIu64 " cycles, not walk cost)\n",
              e->demand_faults, e->demand_fault_cycles);
    sb_printf(sb, "cycles            translation %" PRIu64 " (TLB %" PRIu64 " + walks %" PRIu64
              "), data %" PRIu64 ", fetch %" PRIu64 ", total %" PRIu64 ", translation share %.2f%%\n",
              translation, e->tlb_cycles, e->walk_cycles_total, e->data_cycles, e->fetch_cycles, total,
              100.0 * translation_share(e));
    const struct id_stats *sorted[ID_SLOTS];
    for (int pass = 0; pass < 2; pass++) {
        unsigned n = id_sorted(pass ? e->as_stats : e->vm_stats, sorted);
        for (unsigned i = 0; i < n; i++)
            sb_printf(sb, "%s %-11u accesses %" PRIu64 ", walks %" PRIu64 ", walk cycles %" PRIu64
                      ", demand faults %" PRIu64 "\n", pass ? "ASID" : "VMID", sorted[i]->id,
                      sorted[i]->accesses, sorted[i]->walks, sorted[i]->walk_cycles,
                      sorted[i]->demand_faults);
    }
}

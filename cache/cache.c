/*
 * cache/cache.c - the data-cache hierarchy (contract and model in cache.h).
 *
 * Each level stores the full line number (pa >> line_shift) per way, with
 * LINE_INVALID for an empty way, plus a dirty byte, plus a 32-bit tag (the tag
 * array, 64-byte aligned): a 16-way set's tags fit one host cache line and are
 * compared four at a time.  The tag is the line number shifted right by tag_shift:
 * by the set bits when the sets are a power of two and what remains of a PA below
 * 2^48 then fits in 31 bits (the LLC of every preset), else by nothing (its low 32
 * bits).  A match is confirmed against the full line number, so a tag collision
 * (an empty way's stale tag, or lines 2^32 lines apart) costs a compare, never a
 * wrong hit; except that for a line below tag_limit the tag is exact (it holds all
 * the bits the set does not imply, and never equals an empty way's 0xFFFFFFFF), and
 * the confirming read, a host cache miss in a big level, is skipped.  Other lines'
 * tags have their top bit set, so they never equal an exact tag.  Levels are kept in an
 * array indexed like enum mem_served (0 = L1D, 1 = L2, 2 = LLC) so that a
 * walker port maps to its first level by subtracting one.
 *
 * Prefix invariant: a level never invalidates a line for good (a victim is
 * emptied only while its write-back drains to the levels below, then refilled
 * at once), and fills take the lowest invalid way, so the valid ways of every
 * set are a prefix [0, n).  Hence a set has a free way iff its last way is
 * invalid, and lookups compare tags only (cache_hier_check() verifies this).
 *
 * LRU levels with packed order words (tlb/repl.h) never look for a free way:
 * the order starts with the ways least recent lowest first and only filled ways
 * are ever touched, so with the prefix invariant the least recent way of a set
 * that is not full is exactly its lowest invalid way.  fill() takes it straight
 * from the order word and moves it to the front there itself
 * (cache_hier_check() verifies this too).
 *
 * Two access paths give identical results.  A plain hierarchy (L1D.. enabled
 * as a prefix, all write-back, write-allocate, packed LRU, power-of-two sets,
 * 2/4/8/16 ways, one line size: every preset that caches) takes the hit path
 * of cache_hier_access() and miss_plain(): no per-level policy tests, every set
 * index computed once, unrolled or SIMD set searches, write-backs in
 * write_back_plain().  Any other hierarchy takes access_general() and
 * access_slow(), which implement the contract of cache.h directly.
 * test_cache_plain_vs_general checks that the two agree.
 */
#include "cache/cache.h"

#include <stdlib.h>
#include <string.h>

#include "tlb/repl.h"

/* SSE2 is baseline on x86-64; elsewhere (or with -DCACHE_NO_SIMD) plain scans. */
#if defined(__SSE2__) && !defined(CACHE_NO_SIMD)
#define CACHE_SIMD 1
#include <emmintrin.h>
#endif

/* for the hot helpers whose inlining the access paths are built on */
#define cache_inline inline __attribute__((always_inline))

#define CACHE_LEVELS   3
#define LINE_INVALID   UINT64_MAX
#define CACHE_MAX_LINES (UINT64_C(1) << 26)

struct cache_lvl {
    /* Hot: what a lookup and a fill read, first and together. */
    uint64_t *lines;           /* sets * ways line numbers, LINE_INVALID when empty */
    uint32_t *tags;            /* sets * ways: tag_of() each line number (see the top) */
    uint8_t tag_shift;         /* tag = line >> tag_shift */
    uint64_t tag_limit;        /* lines below it have exact tags; 0: none */
    uint8_t *dirty;            /* sets * ways */
    uint64_t *order;           /* packed LRU: repl.state, one order word per set; else NULL */
    /* The line touched last at this level and its slot: a repeat access to it is a hit
     * whose replacement update is a no-op (it is already the most recent), so it can skip
     * the set search.  Cleared by every other path that touches the level. */
    uint64_t mru_line;
    size_t mru_idx;
    size_t ways;               /* (size_t: index arithmetic needs no widening) */
    uint64_t set_mask;         /* sets - 1 when sets is a power of two */
    uint8_t line_shift;        /* log2 line_bytes */
    uint8_t lru_shift;         /* packed LRU: 4 * (ways - 1), the least recent rank's nibble */
    bool enabled;
    bool write_back;           /* false: write-through */
    bool write_allocate;       /* false: write-around */
    bool sets_pow2;
    uint32_t latency_cycles;   /* hit latency */
    uint64_t order_keep;       /* packed LRU: the nibbles of ranks 0 .. ways-1 */
    struct cache_level_stats st;
    /* Cold. */
    uint32_t sets;
    struct repl repl;
};

struct cache_hier {
    struct cache_lvl lv[CACHE_LEVELS];   /* L1D, L2, LLC */
    /* n > 0 when the hierarchy is plain: levels 0 .. n-1 enabled, the others not, and
     * every enabled one write-back, write-allocate, packed LRU with power-of-two sets,
     * 2, 4, 8 or 16 ways (find_plain()) and the same line size.  Accesses starting at
     * an enabled level of a plain hierarchy skip every policy test and work on the
     * line number alone (cache_hier_access(), miss_plain()); all others take
     * access_general(). */
    unsigned plain_levels;
    unsigned plain_shift;               /* the line_shift of every level, when plain */
    uint32_t dram_latency_cycles;
    struct cache_level_stats dram;       /* see cache_hier_stats() */
};

static const char *const lvl_names[CACHE_LEVELS] = { "l1d", "l2", "llc" };

static int lvl_init(struct cache_lvl *L, const struct cache_config *c, unsigned k, uint64_t seed,
                    struct sim_err *err)
{
    const char *n = lvl_names[k];
    L->enabled = c->enabled;
    if (!c->enabled)
        return SIM_OK;
    if (!is_pow2(c->line_bytes))
        return sim_err_set(err, SIM_EINVAL, "mem.%s.line_bytes: must be a power of two, got %" PRIu32,
                           n, c->line_bytes);
    if (c->size_bytes == 0 || c->size_bytes % c->line_bytes != 0)
        return sim_err_set(err, SIM_EINVAL,
                           "mem.%s.size_bytes: must be a non-zero multiple of line_bytes (%" PRIu32
                           "), got %" PRIu64, n, c->line_bytes, c->size_bytes);
    uint64_t lines = c->size_bytes / c->line_bytes;
    if (lines > CACHE_MAX_LINES)
        return sim_err_set(err, SIM_EINVAL, "mem.%s.size_bytes: at most %" PRIu64 " lines, got %" PRIu64,
                           n, CACHE_MAX_LINES, lines);
    uint64_t ways = c->ways ? c->ways : lines;
    if (ways > lines || lines % ways != 0)
        return sim_err_set(err, SIM_EINVAL,
                           "mem.%s.ways: size_bytes / (ways * line_bytes) must be an integer >= 1, "
                           "got %" PRIu64 " / (%" PRIu32 " * %" PRIu32 ")",
                           n, c->size_bytes, c->ways, c->line_bytes);
    if (c->repl != REPL_LRU && c->repl != REPL_PLRU && c->repl != REPL_RANDOM)
        return sim_err_set(err, SIM_EINVAL, "mem.%s.repl: unknown policy %d", n, (int)c->repl);
    L->write_back = c->write_back;
    L->write_allocate = c->write_allocate;
    L->ways = (uint32_t)ways;
    L->sets = (uint32_t)(lines / ways);
    L->sets_pow2 = is_pow2(L->sets);
    L->set_mask = L->sets - 1;
    L->line_shift = (uint8_t)log2_u64(c->line_bytes);
    if (L->sets_pow2) {
        /* exact tags below 2^(31 + set bits) lines (see the top) */
        L->tag_shift = (uint8_t)log2_u64(L->sets);
        L->tag_limit = UINT64_C(1) << (31 + L->tag_shift);
    }
    L->latency_cycles = c->latency_cycles;
    L->lines = malloc(lines * sizeof(*L->lines));
    L->dirty = calloc(lines, 1);
    /* 64-byte aligned so that every set of a multiple of 4 ways loads as whole vectors */
    L->tags = aligned_alloc(64, (lines * sizeof(*L->tags) + 63) & ~(size_t)63);
    if (!L->lines || !L->dirty || !L->tags)
        return sim_err_set(err, SIM_ENOMEM, "mem.%s: out of memory for %" PRIu64 " lines", n, lines);
    for (uint64_t i = 0; i < lines; i++) {
        L->lines[i] = LINE_INVALID;
        L->tags[i] = UINT32_MAX;   /* tag_of(LINE_INVALID) */
    }
    L->mru_line = LINE_INVALID;
    /* a distinct random stream per level, all derived from the run's seed */
    int rc = repl_init(&L->repl, c->repl, L->sets, L->ways,
                       seed ^ (UINT64_C(0x9E3779B97F4A7C15) * (k + 1)), err);
    if (rc < 0)
        return rc;
    if (L->repl.packed) {
        /* fill() updates the packed order words itself (format in tlb/repl.h) */
        L->order = L->repl.state;
        L->lru_shift = (uint8_t)(4 * (L->ways - 1));
        L->order_keep = L->ways == 16 ? ~UINT64_C(0) : (UINT64_C(1) << (4 * L->ways)) - 1;
    }
    return SIM_OK;
}

struct cache_hier *cache_hier_create(const struct mem_config *cfg, uint64_t seed,
                                     struct sim_err *err)
{
    if (cfg->walker_port != PORT_L1D && cfg->walker_port != PORT_L2 &&
        cfg->walker_port != PORT_LLC) {
        sim_err_set(err, SIM_EINVAL, "mem.walker_port: must be l1d, l2 or llc (1..3), got %d",
                    (int)cfg->walker_port);
        return NULL;
    }
    struct cache_hier *h = calloc(1, sizeof(*h));
    if (!h) {
        sim_err_set(err, SIM_ENOMEM, "mem: out of memory");
        return NULL;
    }
    const struct cache_config *c[CACHE_LEVELS] = { &cfg->l1d, &cfg->l2, &cfg->llc };
    for (unsigned k = 0; k < CACHE_LEVELS; k++) {
        if (lvl_init(&h->lv[k], c[k], k, seed, err) < 0) {
            cache_hier_destroy(h);
            return NULL;
        }
    }
    h->dram_latency_cycles = cfg->dram_latency_cycles;
    unsigned n = 0;
    while (n < CACHE_LEVELS && h->lv[n].enabled)
        n++;
    bool plain = n > 0;
    for (unsigned k = 0; k < CACHE_LEVELS; k++) {
        const struct cache_lvl *L = &h->lv[k];
        if (k >= n)
            plain &= !L->enabled;
        else
            plain &= L->write_back && L->write_allocate && L->order && L->sets_pow2 &&
                     L->line_shift == h->lv[0].line_shift &&
                     (L->ways == 2 || L->ways == 4 || L->ways == 8 || L->ways == 16);
    }
    h->plain_levels = plain ? n : 0;
    h->plain_shift = h->lv[0].line_shift;
    return h;
}

void cache_hier_destroy(struct cache_hier *h)
{
    if (!h)
        return;
    for (unsigned k = 0; k < CACHE_LEVELS; k++) {
        repl_fini(&h->lv[k].repl);
        free(h->lv[k].lines);
        free(h->lv[k].dirty);
        free(h->lv[k].tags);
    }
    free(h);
}

/* The tag of @line at @L (see the top). */
static inline uint32_t tag_of(const struct cache_lvl *L, uint64_t line)
{
    return line < L->tag_limit ? (uint32_t)(line >> L->tag_shift)
                               : (uint32_t)line | UINT32_C(0x80000000);
}

static inline uint32_t set_of(const struct cache_lvl *L, uint64_t line)
{
    if (__builtin_expect(L->sets_pow2, 1))
        return (uint32_t)line & L->set_mask;
    return (uint32_t)(line % L->sets);
}

/* Way of @line among the @n ways of @row, or -1 (a compare chain once unrolled). */
static cache_inline int scan_n(const uint64_t *row, uint32_t n, uint64_t line)
{
#pragma GCC unroll 16
    for (uint32_t w = 0; w < n; w++)
        if (row[w] == line)
            return (int)w;
    return -1;
}

__attribute__((noinline)) static int scan_any(const uint64_t *row, uint32_t ways, uint64_t line)
{
    for (uint32_t w = 0; w < ways; w++)
        if (row[w] == line)
            return (int)w;
    return -1;
}

/* Way of @line in the set whose ways start at @row, or -1.  The common widths get
 * their own unrolled compare chain: the search is most of a miss's work. */
static inline int find_row(const uint64_t *row, uint32_t ways, uint64_t line)
{
    if (ways == 4)
        return scan_n(row, 4, line);
    if (ways == 8)
        return scan_n(row, 8, line);
    if (ways == 16)
        return scan_n(row, 16, line);
    return scan_any(row, ways, line);
}

/*
 * find_plain() - find_row() for a plain level, without a call so that the hit
 * path needs no stack frame.  With SSE2 a 16-way set (the LLC, where lookups
 * mostly miss) compares its 32-bit tags four at a time and reads only a
 * matching tag's full line number; narrower sets, which mostly hit early, keep
 * the compare chain.
 */
static inline int find_plain(const struct cache_lvl *L, size_t base, uint64_t line)
{
    const uint64_t *row = &L->lines[base];
    size_t ways = L->ways;
    if (ways == 4)
        return scan_n(row, 4, line);
    if (ways == 8)
        return scan_n(row, 8, line);
    if (ways == 2)
        return scan_n(row, 2, line);
#ifdef CACHE_SIMD
    const __m128i *t = (const __m128i *)&L->tags[base];
    __m128i key = _mm_set1_epi32((int)tag_of(L, line));
    bool exact = line < L->tag_limit;
    __m128i a = _mm_packs_epi32(_mm_cmpeq_epi32(_mm_load_si128(t), key),
                                _mm_cmpeq_epi32(_mm_load_si128(t + 1), key));
    __m128i b = _mm_packs_epi32(_mm_cmpeq_epi32(_mm_load_si128(t + 2), key),
                                _mm_cmpeq_epi32(_mm_load_si128(t + 3), key));
    /* bit w: the tag of way w matches */
    for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(a, b)); m; m &= m - 1) {
        unsigned w = (unsigned)__builtin_ctz(m);
        if (exact || row[w] == line)   /* an exact tag needs no confirming read */
            return (int)w;
    }
    return -1;
#else
    return scan_n(row, 16, line);
#endif
}

/* Way of @line in @set, or -1. */
static inline int find(const struct cache_lvl *L, uint64_t line, uint32_t set)
{
    return find_row(&L->lines[(size_t)set * L->ways], L->ways, line);
}

/* The lowest invalid way of the set whose ways start at @row, UINT32_MAX if it
 * is full (prefix invariant: only the last way needs looking at when full). */
static inline uint32_t free_way_of(const struct cache_lvl *L, const uint64_t *row)
{
    if (row[L->ways - 1] != LINE_INVALID)
        return UINT32_MAX;
    uint32_t w = 0;
    while (row[w] != LINE_INVALID)
        w++;
    return w;
}

/* Record a hit on @way of @set at a packed LRU level.  A hit on the most recent
 * way leaves the order as it is: skip the rank search then. */
static inline void touch_lru(struct cache_lvl *L, size_t set, uint32_t way)
{
    uint64_t o = L->order[set];
    if ((o & 0xF) != way)
        L->order[set] = repl_order_touch(o, way);
}

/* Record a hit on @way of @set. */
static inline void touch(struct cache_lvl *L, uint32_t set, uint32_t way)
{
    if (L->order)
        touch_lru(L, set, way);
    else
        repl_touch(&L->repl, set, way);
}

static void absorb_write(struct cache_hier *h, unsigned k, uint64_t pa);

/*
 * write_back_victim() - level @k evicts the dirty line in slot @i: it is gone
 * before its write-back lands in the levels below.
 */
__attribute__((noinline)) static void write_back_victim(struct cache_hier *h, unsigned k, size_t i)
{
    struct cache_lvl *L = &h->lv[k];
    uint64_t victim_pa = L->lines[i] << L->line_shift;
    L->st.writebacks++;
    L->lines[i] = LINE_INVALID;
    L->dirty[i] = 0;
    absorb_write(h, k + 1, victim_pa);
}

/*
 * The way a fill of @set takes at a packed LRU level: the least recent one, which is
 * the lowest free one while the set is not full (see the top).  It becomes the most
 * recent: every other rank moves down one, the unused ranks keep their 0xF
 * (repl_order_touch() of the last rank).
 */
static cache_inline uint32_t lru_take(struct cache_lvl *L, uint32_t set)
{
    uint64_t o = L->order[set];
    uint32_t way = (uint32_t)(o >> L->lru_shift) & 0xF;
    L->order[set] = ((o << 4) & L->order_keep) | ~L->order_keep | way;
    return way;
}

/* Store @line in slot @i (its previous line already dealt with). */
static cache_inline void slot_put(struct cache_lvl *L, size_t i, uint64_t line, bool dirty)
{
    L->lines[i] = line;
    L->tags[i] = tag_of(L, line);
    L->dirty[i] = dirty;
}

/* fill() of a packed LRU level. */
static cache_inline uint32_t fill_lru(struct cache_hier *h, unsigned k, uint64_t line,
                                      bool dirty, uint32_t set)
{
    struct cache_lvl *L = &h->lv[k];
    uint32_t way = lru_take(L, set);
    size_t i = (size_t)set * L->ways + way;
    if (L->dirty[i])
        write_back_victim(h, k, i);
    slot_put(L, i, line, dirty);
    return way;
}

/*
 * fill() - put @line into @set of level @k (it is absent there): into the
 * lowest free way, else the policy's victim, writing back a dirty victim.
 * Return: the way filled.
 */
static inline uint32_t fill(struct cache_hier *h, unsigned k, uint64_t line, bool dirty,
                            uint32_t set)
{
    struct cache_lvl *L = &h->lv[k];
    if (L->order)
        return fill_lru(h, k, line, dirty, set);
    size_t base = (size_t)set * L->ways;
    uint32_t way = free_way_of(L, &L->lines[base]);
    if (way == UINT32_MAX)
        way = repl_victim(&L->repl, set);
    repl_touch(&L->repl, set, way);   /* the write-back below touches only lower levels */
    size_t i = base + way;
    if (L->dirty[i])
        write_back_victim(h, k, i);
    slot_put(L, i, line, dirty);
    return way;
}

/* A write arriving at level @k from above (a write-back or write-through
 * traffic): not on the access's critical path, so uncharged. */
static void absorb_write(struct cache_hier *h, unsigned k, uint64_t pa)
{
    for (; k < CACHE_LEVELS; k++) {
        struct cache_lvl *L = &h->lv[k];
        if (!L->enabled)
            continue;
        L->mru_line = LINE_INVALID;
        uint64_t line = pa >> L->line_shift;
        uint32_t set = set_of(L, line);
        size_t base = (size_t)set * L->ways;
        int w = find_row(&L->lines[base], L->ways, line);
        if (w >= 0) {
            if (L->write_back) {
                L->dirty[base + (uint32_t)w] = 1;
                return;
            }
            continue;          /* write-through: updated here, passed on */
        }
        if (L->write_allocate) {
            fill(h, k, line, L->write_back, set);
            if (L->write_back)
                return;
        }
    }
    h->dram.writebacks++;
}

/* The general access: any level may miss.  When @start_missed, level @start
 * (enabled) has already been searched by the caller: set @start_set does not
 * hold the line. */
__attribute__((noinline)) static uint32_t access_slow(struct cache_hier *h, uint64_t pa,
                                                      enum mem_op op, unsigned start,
                                                      bool start_missed, uint32_t start_set,
                                                      uint8_t *served)
{
    uint32_t cycles = 0;
    unsigned hit_level = CACHE_LEVELS;   /* CACHE_LEVELS == SERVED_DRAM */
    uint32_t hit_way = 0;
    uint32_t set[CACHE_LEVELS] = { 0 };

    for (unsigned k = 0; k < CACHE_LEVELS; k++)
        h->lv[k].mru_line = LINE_INVALID;
    /* The set of every level the lookup may visit, once, with a host-cache prefetch
     * of its ways (no effect on results): their loads then overlap instead of
     * following one another. */
    set[start] = start_set;
    for (unsigned k = start + start_missed; k < CACHE_LEVELS; k++) {
        const struct cache_lvl *L = &h->lv[k];
        if (L->enabled) {
            uint32_t s = set_of(L, pa >> L->line_shift);
            set[k] = s;
            __builtin_prefetch(&L->lines[(size_t)s * L->ways]);
            if (L->order)
                __builtin_prefetch(&L->order[s]);
        }
    }
    for (unsigned k = start; k < CACHE_LEVELS; k++) {
        struct cache_lvl *L = &h->lv[k];
        if (!L->enabled)
            continue;
        cycles += L->latency_cycles;
        L->st.accesses++;
        if (k != start || !start_missed) {
            int w = find(L, pa >> L->line_shift, set[k]);
            if (w >= 0) {
                L->st.hits++;
                touch(L, set[k], (uint32_t)w);
                hit_level = k;
                hit_way = (uint32_t)w;
                break;
            }
        }
        L->st.misses++;
    }
    if (hit_level == CACHE_LEVELS) {
        cycles += h->dram_latency_cycles;
        h->dram.accesses++;
        h->dram.hits++;
    }
    if (served)
        *served = (uint8_t)hit_level;

    /* Fill on the way back, nearest the supplier first; write-around levels skip
     * writes.  A level's set is untouched since its lookup (write-backs only flow
     * down, and the levels below are filled first), so it still lacks the line.
     * The last level filled is the highest one holding the line afterwards (the
     * levels above it missed and were not filled), and nothing touches it after
     * its fill; with no fill, the supplier still holds it where it was found. */
    unsigned hold_level = hit_level;
    uint32_t hold_way = hit_way;
    for (unsigned k = hit_level; k-- > start;) {
        struct cache_lvl *L = &h->lv[k];
        if (L->enabled && (op == MEM_READ || L->write_allocate)) {
            hold_way = fill(h, k, pa >> L->line_shift, false, set[k]);
            hold_level = k;
        }
    }
    if (hold_level == CACHE_LEVELS) {
        if (op == MEM_WRITE)
            h->dram.writebacks++;  /* no level holds it: written straight to DRAM */
        return cycles;
    }
    /* the held line is the last touch of its level (see above): a repeat access there
     * may take the MRU shortcut of cache_hier_access() */
    struct cache_lvl *L = &h->lv[hold_level];
    size_t idx = (size_t)set[hold_level] * L->ways + hold_way;
    L->mru_line = pa >> L->line_shift;
    L->mru_idx = idx;
    if (op == MEM_WRITE) {
        /* The data lands in the highest level holding the line now. */
        if (L->write_back)
            L->dirty[idx] = 1;
        else
            absorb_write(h, hold_level + 1, pa);
    }
    return cycles;
}

bool cache_hier_store_mru(struct cache_hier *h, uint64_t pa)
{
    struct cache_lvl *L = &h->lv[0];
    if (!L->enabled || !L->write_back || (pa >> L->line_shift) != L->mru_line)
        return false;
    /* exactly the MRU shortcut of cache_hier_access() for a store at L1D */
    L->st.accesses++;
    L->st.hits++;
    L->dirty[L->mru_idx] = 1;
    return true;
}

/* Any access, any hierarchy. */
__attribute__((noinline)) static uint32_t access_general(struct cache_hier *h, uint64_t pa,
                                                         enum mem_op op, enum walker_port from,
                                                         uint8_t *served)
{
    unsigned start = (from >= PORT_L1D && from <= PORT_LLC) ? (unsigned)from - 1 : 0;
    /* Fast path: a hit in the first level looked up (the common case for data). */
    struct cache_lvl *L = &h->lv[start];
    if (!L->enabled)
        return access_slow(h, pa, op, start, false, 0, served);
    uint64_t line = pa >> L->line_shift;
    size_t idx;
    if (line == L->mru_line) {
        /* repeat of the last line touched here: same outcome as the search below */
        idx = L->mru_idx;
    } else {
        uint32_t set = set_of(L, line);
        size_t base = (size_t)set * L->ways;
        int w = find_row(&L->lines[base], L->ways, line);
        if (w < 0)
            return access_slow(h, pa, op, start, true, set, served);
        touch(L, set, (uint32_t)w);
        idx = base + (uint32_t)w;
        L->mru_line = line;
        L->mru_idx = idx;
    }
    L->st.accesses++;
    L->st.hits++;
    if (served)
        *served = (uint8_t)start;
    if (op == MEM_WRITE) {
        if (L->write_back) {
            L->dirty[idx] = 1;
        } else {
            absorb_write(h, start + 1, pa);
            L->mru_line = line;   /* absorb_write only touched the levels below */
        }
    }
    return L->latency_cycles;
}

static void write_back_plain(struct cache_hier *h, unsigned k, uint64_t line);

/* fill_lru() for a plain hierarchy: its write-backs take write_back_plain(). */
static cache_inline uint32_t fill_plain(struct cache_hier *h, unsigned k, uint64_t line,
                                        bool dirty, uint32_t set)
{
    struct cache_lvl *L = &h->lv[k];
    uint32_t way = lru_take(L, set);
    size_t i = (size_t)set * L->ways + way;
    if (L->dirty[i])
        write_back_plain(h, k, L->lines[i]);
    slot_put(L, i, line, dirty);
    return way;
}

/* write_back_plain() when the next level @k lacks the line: allocate it dirty. */
__attribute__((noinline)) static void write_back_fill(struct cache_hier *h, unsigned k,
                                                      uint64_t line, uint32_t set)
{
    fill_plain(h, k, line, true, set);
}

/*
 * write_back_plain() - absorb_write() of the dirty victim @line of plain level
 * @k: the next level marks its copy dirty or allocates it dirty; past the last
 * level DRAM takes it.  Level @k's slot is refilled only after this returns,
 * but nothing here looks at level @k, so it need not be emptied first; nor are
 * MRU lines cleared (miss_plain() has done that for every level).  The usual
 * case, a copy to mark, makes no call.
 */
__attribute__((noinline)) static void write_back_plain(struct cache_hier *h, unsigned k,
                                                       uint64_t line)
{
    h->lv[k].st.writebacks++;
    if (++k >= h->plain_levels) {
        h->dram.writebacks++;
        return;
    }
    struct cache_lvl *L = &h->lv[k];
    uint32_t set = (uint32_t)line & (uint32_t)L->set_mask;
    size_t base = (size_t)set * L->ways;
    int w = find_plain(L, base, line);
    if (w >= 0)
        L->dirty[base + (uint32_t)w] = 1;
    else
        write_back_fill(h, k, line, set);
}

/*
 * miss_plain() - cache_hier_access() of a plain hierarchy after level @start
 * missed @line in @set0: the levels below up to the supplier, then the fills.
 * Every level from @start down to the supplier is filled (all write-allocate),
 * @start last, so @start is the highest holder and takes a write's dirty bit at
 * its fill.
 */
static cache_inline uint32_t miss_plain(struct cache_hier *h, uint64_t line, enum mem_op op,
                                        unsigned start, unsigned nlev, uint32_t set0,
                                        uint8_t *served)
{
    uint32_t set[CACHE_LEVELS];
    set[start] = set0;
    for (unsigned k = start + 1; k < nlev; k++)
        set[k] = (uint32_t)line & (uint32_t)h->lv[k].set_mask;
    if (nlev - 1 > start) {
        /* Host-cache prefetch (no effect on results) of what the last level's lookup
         * and fill read, the only arrays too big to stay in the host's caches: their
         * loads then overlap the levels above instead of following them. */
        const struct cache_lvl *L = &h->lv[nlev - 1];
        size_t base = (size_t)set[nlev - 1] * L->ways;
#ifdef CACHE_SIMD
        __builtin_prefetch(L->ways == 16 ? (const void *)&L->tags[base] : &L->lines[base]);
#else
        __builtin_prefetch(&L->lines[base]);
#endif
        __builtin_prefetch(&L->order[set[nlev - 1]]);
        __builtin_prefetch(&L->dirty[base]);
        if (nlev - 2 > start) {
            /* the level above the last one will evict its least recent line on the
             * fill; if that line is dirty, its write-back visits the last level's set
             * of that line: start those loads now as well */
            const struct cache_lvl *U = &h->lv[nlev - 2];
            uint32_t s = set[nlev - 2];
            size_t v = (size_t)s * U->ways + ((U->order[s] >> U->lru_shift) & 0xF);
            if (U->dirty[v] && U->lines[v] != LINE_INVALID) {
                uint32_t vs = (uint32_t)U->lines[v] & (uint32_t)L->set_mask;
                size_t vb = (size_t)vs * L->ways;
#ifdef CACHE_SIMD
                __builtin_prefetch(L->ways == 16 ? (const void *)&L->tags[vb] : &L->lines[vb]);
#else
                __builtin_prefetch(&L->lines[vb]);
#endif
                __builtin_prefetch(&L->order[vs]);
                __builtin_prefetch(&L->dirty[vb]);
            }
        }
    }
    for (unsigned k = 0; k < nlev; k++)
        h->lv[k].mru_line = LINE_INVALID;

    struct cache_lvl *L0 = &h->lv[start];
    uint32_t cycles = L0->latency_cycles;
    L0->st.accesses++;
    L0->st.misses++;
    unsigned hit = CACHE_LEVELS;   /* CACHE_LEVELS == SERVED_DRAM */
#pragma GCC unroll 3
    for (unsigned k = start + 1; k < nlev; k++) {
        struct cache_lvl *L = &h->lv[k];
        cycles += L->latency_cycles;
        L->st.accesses++;
        int w = find_plain(L, (size_t)set[k] * L->ways, line);
        if (w >= 0) {
            L->st.hits++;
            touch_lru(L, set[k], (uint32_t)w);
            hit = k;
            break;
        }
        L->st.misses++;
    }
    if (hit == CACHE_LEVELS) {
        cycles += h->dram_latency_cycles;
        h->dram.accesses++;
        h->dram.hits++;
    }
    if (served)
        *served = (uint8_t)hit;

    /* Fill on the way back, nearest the supplier first (see access_slow()). */
#pragma GCC unroll 3
    for (unsigned k = nlev - 1; k > start; k--)
        if (k < hit)
            fill_plain(h, k, line, false, set[k]);
    uint32_t way = fill_plain(h, start, line, op == MEM_WRITE, set0);
    /* the last touch of @start: a repeat access may take the MRU shortcut */
    L0->mru_line = line;
    L0->mru_idx = (size_t)set0 * L0->ways + way;
    return cycles;
}

__attribute__((noinline)) static uint32_t access_plain_miss(struct cache_hier *h, unsigned start,
                                                            uint64_t line, uint32_t set0,
                                                            enum mem_op op, uint8_t *served)
{
    /* the usual case gets its own straight-line copy */
    if (start == 0 && h->plain_levels == CACHE_LEVELS)
        return miss_plain(h, line, op, 0, CACHE_LEVELS, set0, served);
    return miss_plain(h, line, op, start, h->plain_levels, set0, served);
}

uint32_t cache_hier_access(struct cache_hier *h, uint64_t pa, enum mem_op op,
                           enum walker_port from, uint8_t *served)
{
    /* an out-of-range @from wraps past every level: access_general() maps it to L1D */
    unsigned start = (unsigned)from - 1;
    if (__builtin_expect(start >= h->plain_levels, 0))
        return access_general(h, pa, op, from, served);
    /* A plain hierarchy (see struct cache_hier): the first level hits, usually. */
    struct cache_lvl *L = &h->lv[start];
    uint64_t line = pa >> h->plain_shift;
    if (line == L->mru_line) {
        /* repeat of the last line touched here: same outcome as the search below */
        L->st.accesses++;
        L->st.hits++;
        if (served)
            *served = (uint8_t)start;
        if (op == MEM_WRITE)
            L->dirty[L->mru_idx] = 1;
        return L->latency_cycles;
    }
    size_t set = line & L->set_mask;
    size_t base = set * L->ways;
    int w = find_plain(L, base, line);
    if (w < 0)
        return access_plain_miss(h, start, line, (uint32_t)set, op, served);
    /* The hit; the replacement update last, once nothing else is live. */
    size_t idx = base + (uint32_t)w;
    L->st.accesses++;
    L->st.hits++;
    if (served)
        *served = (uint8_t)start;
    if (op == MEM_WRITE)
        L->dirty[idx] = 1;
    L->mru_line = line;
    L->mru_idx = idx;
    uint32_t cycles = L->latency_cycles;
    touch_lru(L, set, (uint32_t)w);
    return cycles;
}

const struct cache_level_stats *cache_hier_stats(const struct cache_hier *h,
                                                 enum mem_served level)
{
    if ((unsigned)level < CACHE_LEVELS)
        return &h->lv[level].st;
    if (level == SERVED_DRAM)
        return &h->dram;
    return NULL;
}

void cache_hier_force_general(struct cache_hier *h)
{
    h->plain_levels = 0;
}

void cache_hier_reset_stats(struct cache_hier *h)
{
    for (unsigned k = 0; k < CACHE_LEVELS; k++)
        memset(&h->lv[k].st, 0, sizeof(h->lv[k].st));
    memset(&h->dram, 0, sizeof(h->dram));
}

static int probe_way(const struct cache_hier *h, enum mem_served level, uint64_t pa,
                     const struct cache_lvl **Lout, size_t *idx)
{
    if ((unsigned)level >= CACHE_LEVELS || !h->lv[level].enabled)
        return -1;
    const struct cache_lvl *L = &h->lv[level];
    uint64_t line = pa >> L->line_shift;
    uint32_t set = set_of(L, line);
    int w = find(L, line, set);
    *Lout = L;
    *idx = (size_t)set * L->ways + (uint32_t)(w < 0 ? 0 : w);
    return w;
}

bool cache_hier_probe(const struct cache_hier *h, enum mem_served level, uint64_t pa)
{
    const struct cache_lvl *L;
    size_t idx;
    return probe_way(h, level, pa, &L, &idx) >= 0;
}

bool cache_hier_probe_dirty(const struct cache_hier *h, enum mem_served level, uint64_t pa)
{
    const struct cache_lvl *L;
    size_t idx;
    return probe_way(h, level, pa, &L, &idx) >= 0 && L->dirty[idx];
}

int cache_hier_check(const struct cache_hier *h)
{
    for (unsigned k = 0; k < CACHE_LEVELS; k++) {
        const struct cache_lvl *L = &h->lv[k];
        if (L->st.hits + L->st.misses != L->st.accesses)
            return 1;
        if (!L->enabled)
            continue;
        for (uint32_t set = 0; set < L->sets; set++) {
            const uint64_t *row = &L->lines[(size_t)set * L->ways];
            const uint8_t *drow = &L->dirty[(size_t)set * L->ways];
            for (uint32_t w = 0; w < L->ways; w++) {
                if (row[w] == LINE_INVALID) {
                    if (drow[w])
                        return 2;     /* dirty empty way */
                    if (w + 1 < L->ways && row[w + 1] != LINE_INVALID)
                        return 7;     /* valid ways not a prefix (see the top) */
                    continue;
                }
                if (set_of(L, row[w]) != set)
                    return 3;         /* line in the wrong set */
                if (L->tags[(size_t)set * L->ways + w] != tag_of(L, row[w]))
                    return 8;         /* tag not the line's low bits */
                if (drow[w] && !L->write_back)
                    return 4;         /* write-through levels hold no dirty data */
                for (uint32_t w2 = w + 1; w2 < L->ways; w2++)
                    if (row[w2] == row[w])
                        return 5;     /* duplicate line */
            }
            uint32_t n = 0;
            while (n < L->ways && row[n] != LINE_INVALID)
                n++;
            if (L->order && n < L->ways && ((L->order[set] >> L->lru_shift) & 0xF) != n)
                return 9;             /* LRU victim of a set not full is not its free way */
        }
    }
    if (h->dram.hits != h->dram.accesses || h->dram.misses != 0)
        return 6;
    return 0;
}

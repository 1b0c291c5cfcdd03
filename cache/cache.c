/*
 * cache/cache.c - the data-cache hierarchy (contract and model in cache.h).
 *
 * Layout.  Each set of a level is one block (64-byte aligned, a power of two up
 * to 64 bytes, else a multiple of 64), holding everything a lookup and a fill of
 * the set read: a tag per way, then the set's dirty bits (one bit per way, in
 * 64-bit words), then, at a packed LRU level, its order word (format in
 * tlb/repl.h; such levels keep it here, not in a struct repl).  Tags are 32
 * bits wide, except at 16-way levels, whose tags are 24 bits (their low 16 bits
 * in one array, their high 8 bits in another) so that a set of a packed LRU
 * level is 64 bytes: 32 + 16 bytes of tags, the order word, the dirty word.  An
 * 8-way set is 64 bytes too, a 4-way one 32, so a set visit reads one host
 * cache line instead of one per array.  The tags of a set of 4, 8 or 16 ways
 * load as whole vectors and are compared at once.
 *
 * Tags.  With B tag bits (32 or 24), the tag of a line (its number, pa >>
 * line_shift) at a level with power-of-two sets is the line shifted right by the
 * set bits when that is below 2^(B-1), i.e. for every line below tag_limit =
 * 2^(B - 1 + set bits) (every PA below 2^38 at every preset's levels, below
 * 2^44 at neoverse-n1's LLC; the host pools of the defaults are far below).  Such a
 * tag is exact: it holds all the bits the set does not imply, so the line is
 * rebuilt from tag and set, and a match needs no confirmation.  Any other line
 * (or any line at a level whose sets are not a power of two) has the inexact
 * tag: its low B bits with the top one (tag_inexact) set, so it never equals an
 * exact tag; its full number + 1 is kept in far[], which is read and written only
 * through inexact tags (calloc'd, so never-touched pages of it cost no memory).
 * An empty way has the tag tag_empty (all B bits set, inexact) and far 0: the
 * inexact line with the same tag differs in far, so its lookup cannot match an
 * empty way.  A way refilled with an exact line keeps a stale far entry, never
 * read while its tag is exact.
 *
 * Levels are kept in an array indexed like enum mem_served (0 = L1D, 1 = L2,
 * 2 = LLC) so that a walker port maps to its first level by subtracting one.
 *
 * Prefix invariant: a level never invalidates a line for good (a victim is
 * emptied only while its write-back drains to the levels below, then refilled
 * at once), and fills take the lowest invalid way, so the valid ways of every
 * set are a prefix [0, n).  Hence a set has a free way iff its last way is
 * invalid, and lookups compare tags only (cache_hier_check() verifies this).
 *
 * LRU levels with packed order words never look for a free way: the order
 * starts with the ways least recent lowest first and only filled ways are ever
 * touched, so with the prefix invariant the least recent way of a set that is
 * not full is exactly its lowest invalid way.  fill() takes it straight from
 * the order word and moves it to the front there itself (cache_hier_check()
 * verifies this too).
 *
 * Two access paths give identical results on the same layout.  A plain
 * hierarchy (L1D.. enabled as a prefix, all write-back, write-allocate, packed
 * LRU, power-of-two sets, 2/4/8/16 ways, one line size: every preset that
 * caches) takes the hit path of cache_hier_access() and miss_plain(): no
 * per-level policy tests, every set block located once, SIMD set searches with
 * exact tags only, write-backs in write_back_plain().  Any other hierarchy, and
 * any line whose tag is inexact at some plain level (none below PA 2^38), takes
 * access_general() and access_slow(), which implement the contract of cache.h
 * directly.  test_cache_plain_vs_general checks that the two agree, on both
 * kinds of line.
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
#define NARROW_WAYS    16   /* levels this wide keep 24-bit tags (see the top) */

/* 64-byte aligned: each level's hot fields start a host cache line, and at 256 bytes
 * (today's size) the levels are indexed with a shift. */
struct cache_lvl {
    /* Hot: what a lookup and a fill read, first and together. */
    _Alignas(64) uint8_t *blocks;   /* sets blocks of block_bytes (tags, dirty, order word) */
    uint64_t *far;             /* sets * ways: line + 1 of a way with an inexact tag, else 0
                                  or stale (see the top) */
    size_t block_bytes;        /* bytes per set block */
    size_t dirty_off;          /* byte offset of the dirty words in a block */
    size_t order_off;          /* packed LRU: byte offset of the order word */
    uint8_t tag_shift;         /* exact tag = line >> tag_shift */
    bool narrow;               /* 24-bit tags (ways == NARROW_WAYS), else 32-bit */
    uint32_t tag_inexact;      /* the top tag bit: set in every inexact tag */
    uint32_t tag_empty;        /* all tag bits: an empty way's tag */
    uint64_t tag_limit;        /* lines below it have exact tags; 0: none */
    /* The line touched last at this level and its dirty bit: a repeat access to it is
     * a hit whose replacement update is a no-op (it is already the most recent), so it
     * can skip the set search.  Cleared by every other path that touches the level. */
    uint64_t mru_line;
    uint64_t *mru_dirty;       /* the dirty word of mru_line's way */
    uint64_t mru_bit;          /* and its bit there */
    size_t ways;               /* (size_t: index arithmetic needs no widening) */
    uint64_t set_mask;         /* sets - 1 when sets is a power of two */
    uint8_t line_shift;        /* log2 line_bytes */
    uint8_t lru_shift;         /* packed LRU: 4 * (ways - 1), the least recent rank's nibble */
    bool lru_packed;           /* LRU with ways <= REPL_PACKED_WAYS: order words in the blocks */
    bool enabled;
    bool write_back;           /* false: write-through */
    bool write_allocate;       /* false: write-around */
    bool sets_pow2;
    uint32_t latency_cycles;   /* hit latency */
    uint64_t order_keep;       /* packed LRU: the nibbles of ranks 0 .. ways-1 */
    struct cache_level_stats st;
    /* Cold. */
    uint32_t sets;
    struct repl repl;          /* policies other than packed LRU */
};

struct cache_hier {
    /* n > 0 when the hierarchy is plain: levels 0 .. n-1 enabled, the others not, and
     * every enabled one write-back, write-allocate, packed LRU with power-of-two sets,
     * 2, 4, 8 or 16 ways (find_plain()) and the same line size.  Accesses starting at
     * an enabled level of a plain hierarchy skip every policy test and work on the
     * line number alone (cache_hier_access(), miss_plain()); all others take
     * access_general(). */
    unsigned plain_levels;
    unsigned plain_shift;               /* the line_shift of every level, when plain */
    uint64_t plain_line_limit;          /* lines below it have exact tags at every level
                                           (see the top); the others take access_general() */
    uint32_t dram_latency_cycles;
    struct cache_level_stats dram;       /* see cache_hier_stats() */
    struct cache_lvl lv[CACHE_LEVELS];   /* L1D, L2, LLC */
};

/* The block of @set; its tags come first. */
static cache_inline uint8_t *block_at(const struct cache_lvl *L, size_t set)
{
    return L->blocks + set * L->block_bytes;
}

/* Tag of way @w of block @b: 32-bit, or when @narrow 24-bit, the low 16 bits at
 * offset 0 and the high 8 at offset 2 * NARROW_WAYS. */
static cache_inline uint32_t btag_get(const uint8_t *b, size_t w, bool narrow)
{
    if (narrow)
        return ((const uint16_t *)(const void *)b)[w] | (uint32_t)b[2 * NARROW_WAYS + w] << 16;
    return ((const uint32_t *)(const void *)b)[w];
}

static cache_inline void btag_put(uint8_t *b, size_t w, uint32_t tag, bool narrow)
{
    if (narrow) {
        ((uint16_t *)(void *)b)[w] = (uint16_t)tag;
        b[2 * NARROW_WAYS + w] = (uint8_t)(tag >> 16);
    } else {
        ((uint32_t *)(void *)b)[w] = tag;
    }
}

static cache_inline uint32_t tag_get(const struct cache_lvl *L, size_t set, size_t w)
{
    return btag_get(block_at(L, set), w, L->narrow);
}

static cache_inline void tag_put(const struct cache_lvl *L, size_t set, size_t w, uint32_t tag)
{
    btag_put(block_at(L, set), w, tag, L->narrow);
}

/* The dirty words of @set: bit w % 64 of word w / 64 for way w. */
static cache_inline uint64_t *dirty_at(const struct cache_lvl *L, size_t set)
{
    return (uint64_t *)(void *)(L->blocks + set * L->block_bytes + L->dirty_off);
}

/* The packed LRU order word of @set. */
static cache_inline uint64_t *order_at(const struct cache_lvl *L, size_t set)
{
    return (uint64_t *)(void *)(L->blocks + set * L->block_bytes + L->order_off);
}

static inline bool dirty_get(const struct cache_lvl *L, size_t set, size_t way)
{
    return (dirty_at(L, set)[way / 64] >> (way % 64)) & 1;
}

static inline void dirty_put(const struct cache_lvl *L, size_t set, size_t way, bool dirty)
{
    uint64_t *d = &dirty_at(L, set)[way / 64];
    uint64_t bit = UINT64_C(1) << (way % 64);
    *d = dirty ? *d | bit : *d & ~bit;
}

/* The tag of @line at @L (see the top). */
static cache_inline uint32_t tag_of(const struct cache_lvl *L, uint64_t line)
{
    return line < L->tag_limit ? (uint32_t)(line >> L->tag_shift)
                               : ((uint32_t)line | L->tag_inexact) & L->tag_empty;
}

/* The line in @way of @set, LINE_INVALID if empty. */
static cache_inline uint64_t line_at(const struct cache_lvl *L, size_t set, size_t way)
{
    uint32_t tag = tag_get(L, set, way);
    if (!(tag & L->tag_inexact))
        return ((uint64_t)tag << L->tag_shift) | set;
    return L->far[set * L->ways + way] - 1;
}

static inline uint32_t set_of(const struct cache_lvl *L, uint64_t line)
{
    if (__builtin_expect(L->sets_pow2, 1))
        return (uint32_t)line & L->set_mask;
    return (uint32_t)(line % L->sets);
}

static const char *const lvl_names[CACHE_LEVELS] = { "l1d", "l2", "llc" };

/* Block geometry of @L (ways set): tags, dirty words, order word. */
static void lvl_layout(struct cache_lvl *L)
{
    size_t tag_bytes = ((L->narrow ? 3 : 4) * L->ways + 7) & ~(size_t)7;
    L->dirty_off = tag_bytes;
    size_t bytes = tag_bytes + 8 * ((L->ways + 63) / 64);
    L->order_off = bytes;
    if (L->lru_packed)
        bytes += 8;
    size_t b = 16;
    while (b < bytes && b < 64)
        b *= 2;
    /* a block never straddles more host lines than it must */
    L->block_bytes = bytes <= b ? b : (bytes + 63) & ~(size_t)63;
}

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
    L->narrow = L->ways == NARROW_WAYS;
    unsigned tag_bits = L->narrow ? 24 : 32;
    L->tag_inexact = UINT32_C(1) << (tag_bits - 1);
    L->tag_empty = (uint32_t)((UINT64_C(1) << tag_bits) - 1);
    if (L->sets_pow2) {
        /* exact tags below 2^(tag_bits - 1 + set bits) lines (see the top) */
        L->tag_shift = (uint8_t)log2_u64(L->sets);
        L->tag_limit = UINT64_C(1) << (tag_bits - 1 + L->tag_shift);
    }
    L->latency_cycles = c->latency_cycles;
    L->lru_packed = c->repl == REPL_LRU && ways <= REPL_PACKED_WAYS;
    lvl_layout(L);
    size_t bytes = ((size_t)L->sets * L->block_bytes + 63) & ~(size_t)63;
    L->blocks = aligned_alloc(64, bytes);
    L->far = calloc(lines, sizeof(*L->far));
    if (!L->blocks || !L->far)
        return sim_err_set(err, SIM_ENOMEM, "mem.%s: out of memory for %" PRIu64 " lines", n, lines);
    memset(L->blocks, 0, bytes);   /* all clean */
    /* packed LRU: the initial order of repl_reset(), way ways-1 most recent .. way 0
     * least recent, unused ranks 0xF (tlb/repl.h) */
    uint64_t order = ~UINT64_C(0);
    if (L->lru_packed) {
        for (uint32_t rank = 0; rank < ways; rank++) {
            order &= ~(UINT64_C(0xF) << (4 * rank));
            order |= (uint64_t)(ways - 1 - rank) << (4 * rank);
        }
        L->lru_shift = (uint8_t)(4 * (L->ways - 1));
        L->order_keep = L->ways == 16 ? ~UINT64_C(0) : (UINT64_C(1) << (4 * L->ways)) - 1;
    }
    for (size_t s = 0; s < L->sets; s++) {
        for (size_t w = 0; w < L->ways; w++)
            tag_put(L, s, w, L->tag_empty);
        if (L->lru_packed)
            *order_at(L, s) = order;
    }
    L->mru_line = LINE_INVALID;
    if (L->lru_packed)
        return SIM_OK;
    /* a distinct random stream per level, all derived from the run's seed */
    return repl_init(&L->repl, c->repl, L->sets, L->ways,
                     seed ^ (UINT64_C(0x9E3779B97F4A7C15) * (k + 1)), err);
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
    struct cache_hier *h = aligned_alloc(_Alignof(struct cache_hier), sizeof(*h));
    if (!h) {
        sim_err_set(err, SIM_ENOMEM, "mem: out of memory");
        return NULL;
    }
    memset(h, 0, sizeof(*h));
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
            plain &= L->write_back && L->write_allocate && L->lru_packed && L->sets_pow2 &&
                     L->line_shift == h->lv[0].line_shift &&
                     (L->ways == 2 || L->ways == 4 || L->ways == 8 || L->ways == 16);
    }
    h->plain_levels = plain ? n : 0;
    h->plain_shift = h->lv[0].line_shift;
    h->plain_line_limit = UINT64_MAX;
    for (unsigned k = 0; k < h->plain_levels; k++)
        if (h->lv[k].tag_limit < h->plain_line_limit)
            h->plain_line_limit = h->lv[k].tag_limit;
    return h;
}

void cache_hier_destroy(struct cache_hier *h)
{
    if (!h)
        return;
    for (unsigned k = 0; k < CACHE_LEVELS; k++) {
        repl_fini(&h->lv[k].repl);
        free(h->lv[k].blocks);
        free(h->lv[k].far);
    }
    free(h);
}

/* Way of @line in @set, or -1: any level (a scan of the tags). */
static int find(const struct cache_lvl *L, uint64_t line, size_t set)
{
    const uint8_t *b = block_at(L, set);
    uint32_t key = tag_of(L, line);
    bool exact = line < L->tag_limit;
    for (size_t w = 0; w < L->ways; w++)
        if (btag_get(b, w, L->narrow) == key && (exact || L->far[set * L->ways + w] == line + 1))
            return (int)w;
    return -1;
}

/* Bit w set iff tag w of the @ways (2, 4, 8 or 16: then narrow) tags of block @b
 * equals @key.  4 ways are tested first: the L1D of most presets, where most
 * lookups hit (most of the rest know their width at compile time). */
static cache_inline unsigned match_mask(const uint8_t *b, size_t ways, uint32_t key)
{
#ifdef CACHE_SIMD
    const __m128i *v = (const __m128i *)(const void *)b;
    if (ways == 4)
        return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(_mm_load_si128(v),
                                                                          _mm_set1_epi32((int)key))));
    if (ways == NARROW_WAYS) {
        /* the low 16 bits of all 16 tags, then their high 8 bits: both must match */
        __m128i lo = _mm_set1_epi16((short)key);
        __m128i m = _mm_packs_epi16(_mm_cmpeq_epi16(_mm_load_si128(v), lo),
                                    _mm_cmpeq_epi16(_mm_load_si128(v + 1), lo));
        m = _mm_and_si128(m, _mm_cmpeq_epi8(_mm_load_si128(v + 2),
                                            _mm_set1_epi8((char)(key >> 16))));
        return (unsigned)_mm_movemask_epi8(m);
    }
    __m128i k = _mm_set1_epi32((int)key);
    if (ways == 2)
        return (unsigned)(btag_get(b, 0, false) == key) |
               (unsigned)(btag_get(b, 1, false) == key) << 1;
    __m128i a = _mm_packs_epi32(_mm_cmpeq_epi32(_mm_load_si128(v), k),
                                _mm_cmpeq_epi32(_mm_load_si128(v + 1), k));
    return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(a, _mm_setzero_si128()));   /* 8 ways */
#else
    unsigned m = 0;
#pragma GCC unroll 16
    for (size_t w = 0; w < 16; w++)
        if (w < ways && btag_get(b, w, ways == NARROW_WAYS) == key)
            m |= 1u << w;
    return m;
#endif
}

/*
 * Geometry constants of the plain paths: @cw is the number of ways of a level
 * when the caller knows it at compile time (a copy of the code per common
 * geometry, see access_plain_miss()), else 0 to read it from the level.
 */
static cache_inline size_t ways_of(const struct cache_lvl *L, size_t cw)
{
    return cw ? cw : L->ways;
}

/*
 * find_plain() - find() at a plain level (2, 4, 8 or 16 ways) of a line whose tag
 * is exact there, given the set's tags @t: the tags compared at once, and no
 * confirmation needed.  @cw: see ways_of().
 */
static cache_inline int find_plain(const struct cache_lvl *L, const uint8_t *t, uint64_t line,
                                   size_t cw)
{
    unsigned m = match_mask(t, ways_of(L, cw), (uint32_t)(line >> L->tag_shift));
    return m ? __builtin_ctz(m) : -1;   /* an exact tag matches at most one way */
}

/* The dirty word of block @b at a plain level: the order word follows it
 * (lvl_layout() with at most 16 ways, an even number).  @cw: see ways_of(). */
static cache_inline uint64_t *plain_dirty(const struct cache_lvl *L, uint8_t *b, size_t cw)
{
    size_t off = cw ? (cw == NARROW_WAYS ? 3 * NARROW_WAYS : 4 * cw) : L->dirty_off;
    return (uint64_t *)(void *)(b + off);
}

/* Record a hit on @way in the packed LRU order word at @op.  A hit on the most
 * recent way leaves the order as it is: skip the rank search then. */
static cache_inline void order_hit(uint64_t *op, uint32_t way)
{
    uint64_t o = *op;
    if ((o & 0xF) != way)
        *op = repl_order_touch(o, way);
}

/* Record a hit on @way of @set at a packed LRU level. */
static cache_inline void touch_lru(const struct cache_lvl *L, size_t set, uint32_t way)
{
    order_hit(order_at(L, set), way);
}

/* Record a hit on @way of @set. */
static inline void touch(struct cache_lvl *L, uint32_t set, uint32_t way)
{
    if (L->lru_packed)
        touch_lru(L, set, way);
    else
        repl_touch(&L->repl, set, way);
}

/* @way of @set is the most recent touch of @L (for the MRU shortcut). */
static cache_inline void mru_put(struct cache_lvl *L, uint64_t line, size_t set, size_t way)
{
    L->mru_line = line;
    L->mru_dirty = &dirty_at(L, set)[way / 64];
    L->mru_bit = UINT64_C(1) << (way % 64);
}

static void absorb_write(struct cache_hier *h, unsigned k, uint64_t pa);

/*
 * write_back_victim() - level @k evicts the dirty line in @way of @set: it is
 * gone before its write-back lands in the levels below.
 */
__attribute__((noinline)) static void write_back_victim(struct cache_hier *h, unsigned k,
                                                        size_t set, size_t way)
{
    struct cache_lvl *L = &h->lv[k];
    uint64_t victim_pa = line_at(L, set, way) << L->line_shift;
    L->st.writebacks++;
    tag_put(L, set, way, L->tag_empty);
    L->far[set * L->ways + way] = 0;
    dirty_put(L, set, way, false);
    absorb_write(h, k + 1, victim_pa);
}

/*
 * The way a fill of @set takes at a packed LRU level: the least recent one, which is
 * the lowest free one while the set is not full (see the top).  It becomes the most
 * recent: every other rank moves down one, the unused ranks keep their 0xF
 * (repl_order_touch() of the last rank).
 */
static cache_inline uint32_t lru_take(const struct cache_lvl *L, size_t set)
{
    uint64_t *op = order_at(L, set);
    uint64_t o = *op;
    uint32_t way = (uint32_t)(o >> L->lru_shift) & 0xF;
    *op = ((o << 4) & L->order_keep) | ~L->order_keep | way;
    return way;
}

/* Store @line in @way of @set (its previous line already dealt with). */
static cache_inline void slot_put(const struct cache_lvl *L, size_t set, size_t way,
                                  uint64_t line, bool dirty)
{
    tag_put(L, set, way, tag_of(L, line));
    if (__builtin_expect(line >= L->tag_limit, 0))
        L->far[set * L->ways + way] = line + 1;
    dirty_put(L, set, way, dirty);
}

/* The lowest invalid way of @set, UINT32_MAX if it is full (prefix invariant: only
 * the last way needs looking at when full). */
static inline uint32_t free_way_of(const struct cache_lvl *L, size_t set)
{
    if (line_at(L, set, L->ways - 1) != LINE_INVALID)
        return UINT32_MAX;
    uint32_t w = 0;
    while (line_at(L, set, w) != LINE_INVALID)
        w++;
    return w;
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
    uint32_t way;
    if (L->lru_packed) {
        way = lru_take(L, set);
    } else {
        way = free_way_of(L, set);
        if (way == UINT32_MAX)
            way = repl_victim(&L->repl, set);
        repl_touch(&L->repl, set, way);   /* the write-back below touches only lower levels */
    }
    if (dirty_get(L, set, way))
        write_back_victim(h, k, set, way);
    slot_put(L, set, way, line, dirty);
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
        int w = find(L, line, set);
        if (w >= 0) {
            if (L->write_back) {
                dirty_put(L, set, (uint32_t)w, true);
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
     * of its block (no effect on results): their loads then overlap instead of
     * following one another. */
    set[start] = start_set;
    for (unsigned k = start + start_missed; k < CACHE_LEVELS; k++) {
        const struct cache_lvl *L = &h->lv[k];
        if (L->enabled) {
            uint32_t s = set_of(L, pa >> L->line_shift);
            set[k] = s;
            __builtin_prefetch(block_at(L, s));
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
    mru_put(L, pa >> L->line_shift, set[hold_level], hold_way);
    if (op == MEM_WRITE) {
        /* The data lands in the highest level holding the line now. */
        if (L->write_back)
            *L->mru_dirty |= L->mru_bit;
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
    *L->mru_dirty |= L->mru_bit;
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
    if (line != L->mru_line) {
        /* else a repeat of the last line touched here: same outcome as the search */
        uint32_t set = set_of(L, line);
        int w = find(L, line, set);
        if (w < 0)
            return access_slow(h, pa, op, start, true, set, served);
        touch(L, set, (uint32_t)w);
        mru_put(L, line, set, (uint32_t)w);
    }
    L->st.accesses++;
    L->st.hits++;
    if (served)
        *served = (uint8_t)start;
    if (op == MEM_WRITE) {
        if (L->write_back) {
            *L->mru_dirty |= L->mru_bit;
        } else {
            absorb_write(h, start + 1, pa);
            L->mru_line = line;   /* absorb_write only touched the levels below */
        }
    }
    return L->latency_cycles;
}

static void write_back_plain(struct cache_hier *h, unsigned k, uint64_t line);

/* fill() of a plain level, set @set with tags @t: write-backs take write_back_plain().
 * @cw: see ways_of(). */
static cache_inline uint32_t fill_plain(struct cache_hier *h, unsigned k, uint64_t line,
                                        bool dirty, size_t set, uint8_t *t, size_t cw)
{
    const struct cache_lvl *L = &h->lv[k];
    uint64_t *d = plain_dirty(L, t, cw);
    uint64_t o = d[1];
    /* lru_take(), with the level's lru_shift and order_keep folded when @cw is known */
    unsigned lru_shift = cw ? 4 * ((unsigned)cw - 1) : L->lru_shift;
    uint64_t keep = cw ? (cw == 16 ? ~UINT64_C(0) : (UINT64_C(1) << (4 * cw)) - 1) : L->order_keep;
    uint32_t way = (uint32_t)(o >> lru_shift) & 0xF;
    d[1] = ((o << 4) & keep) | ~keep | way;
    uint64_t bit = UINT64_C(1) << way;
    if (*d & bit)
        write_back_plain(h, k, line_at(L, set, way));
    if (__builtin_expect(line >= L->tag_limit, 0))
        L->far[set * L->ways + way] = line + 1;
    btag_put(t, way, tag_of(L, line), cw ? cw == NARROW_WAYS : L->narrow);
    *d = dirty ? *d | bit : *d & ~bit;
    return way;
}

/* write_back_plain() when the next level @k lacks the line: allocate it dirty. */
__attribute__((noinline)) static void write_back_fill(struct cache_hier *h, unsigned k,
                                                      uint64_t line, size_t set, uint8_t *t)
{
    fill_plain(h, k, line, true, set, t, 0);
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
    const struct cache_lvl *L = &h->lv[k];
    size_t set = line & L->set_mask;
    uint8_t *t = block_at(L, set);
    /* the victim may have an inexact tag if access_general() brought it in */
    int w = __builtin_expect(line < L->tag_limit, 1) ? find_plain(L, t, line, 0)
                                                     : find(L, line, set);
    if (w >= 0)
        *plain_dirty(L, t, 0) |= UINT64_C(1) << w;
    else
        write_back_fill(h, k, line, set, t);
}

/* Host-cache prefetch (no effect on results) of set @set's block at @L. */
static cache_inline void prefetch_set(const struct cache_lvl *L, size_t set)
{
    const uint8_t *b = block_at(L, set);
    __builtin_prefetch(b);
    if (L->block_bytes > 64)
        __builtin_prefetch(b + 64);
}

/*
 * miss_plain() - cache_hier_access() of a plain hierarchy after level @start
 * missed @line in @set0: the levels below up to the supplier, then the fills.
 * Every level from @start down to the supplier is filled (all write-allocate),
 * @start last, so @start is the highest holder and takes a write's dirty bit at
 * its fill.
 */
static cache_inline uint32_t miss_plain(struct cache_hier *h, uint64_t line, enum mem_op op,
                                        unsigned start, unsigned nlev, size_t set0,
                                        uint8_t *served, const size_t cw[CACHE_LEVELS])
{
    size_t set[CACHE_LEVELS];
    uint8_t *t[CACHE_LEVELS];   /* their blocks */
#pragma GCC unroll 3
    for (unsigned k = start; k < nlev; k++) {
        set[k] = line & h->lv[k].set_mask;
        t[k] = block_at(&h->lv[k], set[k]);
    }
    if (nlev - 1 > start) {
        /* Prefetch what the last level's lookup and fill read, the only blocks too
         * big to stay in the host's caches: their loads then overlap the levels above
         * instead of following them. */
        const struct cache_lvl *L = &h->lv[nlev - 1];
        prefetch_set(L, set[nlev - 1]);
        if (nlev - 2 > start) {
            /* the level above the last one will evict its least recent line on the
             * fill; if that line is dirty, its write-back visits the last level's set
             * of that line: start those loads now as well */
            const struct cache_lvl *U = &h->lv[nlev - 2];
            size_t s = set[nlev - 2];
            uint64_t *d = plain_dirty(U, t[nlev - 2], cw[nlev - 2]);
            unsigned v = (unsigned)(d[1] >> U->lru_shift) & 0xF;
            if ((*d >> v) & 1)   /* dirty, so valid */
                prefetch_set(L, line_at(U, s, v) & L->set_mask);
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
        int w = find_plain(L, t[k], line, cw[k]);
        if (w >= 0) {
            L->st.hits++;
            order_hit(plain_dirty(L, t[k], cw[k]) + 1, (uint32_t)w);   /* touch_lru() */
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
            fill_plain(h, k, line, false, set[k], t[k], cw[k]);
    uint32_t way = fill_plain(h, start, line, op == MEM_WRITE, set0, t[start], cw[start]);
    /* the last touch of @start: a repeat access may take the MRU shortcut */
    L0->mru_line = line;
    L0->mru_dirty = plain_dirty(L0, t[start], cw[start]);
    L0->mru_bit = UINT64_C(1) << way;
    return cycles;
}

__attribute__((noinline)) static uint32_t access_plain_miss(struct cache_hier *h, unsigned start,
                                                            uint64_t line, size_t set0,
                                                            enum mem_op op, uint8_t *served)
{
    /* The usual cases get their own straight-line copies, with the ways of every
     * level known: the geometries of the presets that cache.  Three levels from
     * L1D: neoverse-n1 (and cortex-a76) 4/8/16, cortex-a55 4/4/16.  Two levels:
     * from L1D, cortex-a53 4/16 and cortex-a72 2/16; from L2 (their walker port),
     * a 16-way L2. */
    static const size_t any[CACHE_LEVELS] = { 0, 0, 0 }, n1[CACHE_LEVELS] = { 4, 8, 16 },
                        a55[CACHE_LEVELS] = { 4, 4, 16 }, a53[CACHE_LEVELS] = { 4, 16, 0 },
                        a72[CACHE_LEVELS] = { 2, 16, 0 }, l2w16[CACHE_LEVELS] = { 0, 16, 0 };
    const struct cache_lvl *lv = h->lv;
    if (h->plain_levels == CACHE_LEVELS && start == 0) {
        if (lv[0].ways == 4 && lv[1].ways == 8 && lv[2].ways == 16)
            return miss_plain(h, line, op, 0, CACHE_LEVELS, set0, served, n1);
        if (lv[0].ways == 4 && lv[1].ways == 4 && lv[2].ways == 16)
            return miss_plain(h, line, op, 0, CACHE_LEVELS, set0, served, a55);
        return miss_plain(h, line, op, 0, CACHE_LEVELS, set0, served, any);
    }
    if (h->plain_levels == 2 && lv[1].ways == 16) {
        if (start == 1)
            return miss_plain(h, line, op, 1, 2, set0, served, l2w16);
        if (lv[0].ways == 4)
            return miss_plain(h, line, op, 0, 2, set0, served, a53);
        if (lv[0].ways == 2)
            return miss_plain(h, line, op, 0, 2, set0, served, a72);
    }
    return miss_plain(h, line, op, start, h->plain_levels, set0, served, any);
}

void cache_hier_prefetch_map(const struct cache_hier *h, struct cache_prefetch_map *m)
{
    *m = (struct cache_prefetch_map){ 0 };
    if (h->plain_levels < 2)
        return;   /* none, or one level: small enough to stay in the host's caches */
    const struct cache_lvl *L = &h->lv[h->plain_levels - 1];
    *m = (struct cache_prefetch_map){ true, h->plain_shift, L->set_mask, L->block_bytes,
                                      L->blocks };
}

uint32_t cache_hier_access(struct cache_hier *h, uint64_t pa, enum mem_op op,
                           enum walker_port from, uint8_t *served)
{
    /* an out-of-range @from wraps past every level: access_general() maps it to L1D */
    unsigned start = (unsigned)from - 1;
    if (__builtin_expect(start >= h->plain_levels, 0))
        return access_general(h, pa, op, from, served);
    uint64_t line = pa >> h->plain_shift;
    if (__builtin_expect(line >= h->plain_line_limit, 0))
        return access_general(h, pa, op, from, served);
    /* A plain hierarchy (see struct cache_hier): the first level hits, usually. */
    struct cache_lvl *L = &h->lv[start];
    uint32_t cycles = L->latency_cycles;
    if (line == L->mru_line) {
        /* repeat of the last line touched here: same outcome as the search below */
        L->st.accesses++;
        L->st.hits++;
        if (op == MEM_WRITE)
            *L->mru_dirty |= L->mru_bit;
        if (served)
            *served = (uint8_t)start;
        return cycles;
    }
    size_t set = line & L->set_mask;
    uint8_t *t = block_at(L, set);
    int w = find_plain(L, t, line, 0);
    if (w < 0)
        return access_plain_miss(h, start, line, set, op, served);
    /* The hit; the replacement update last, once nothing else is live. */
    uint64_t *d = plain_dirty(L, t, 0);
    uint64_t bit = UINT64_C(1) << w;
    L->st.accesses++;
    L->st.hits++;
    L->mru_line = line;
    L->mru_dirty = d;
    L->mru_bit = bit;
    if (op == MEM_WRITE)
        *d |= bit;
    order_hit(&d[1], (uint32_t)w);   /* touch_lru() */
    if (served)
        *served = (uint8_t)start;
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

/* Way of @pa's line at @level with its set, or -1. */
static int probe_way(const struct cache_hier *h, enum mem_served level, uint64_t pa,
                     const struct cache_lvl **Lout, uint32_t *set)
{
    if ((unsigned)level >= CACHE_LEVELS || !h->lv[level].enabled)
        return -1;
    const struct cache_lvl *L = &h->lv[level];
    uint64_t line = pa >> L->line_shift;
    *set = set_of(L, line);
    *Lout = L;
    return find(L, line, *set);
}

bool cache_hier_probe(const struct cache_hier *h, enum mem_served level, uint64_t pa)
{
    const struct cache_lvl *L;
    uint32_t set;
    return probe_way(h, level, pa, &L, &set) >= 0;
}

bool cache_hier_probe_dirty(const struct cache_hier *h, enum mem_served level, uint64_t pa)
{
    const struct cache_lvl *L;
    uint32_t set;
    int w = probe_way(h, level, pa, &L, &set);
    return w >= 0 && dirty_get(L, set, (uint32_t)w);
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

            const uint64_t *d = dirty_at(L, set);
            for (size_t w = (L->ways + 63) / 64 * 64; w-- > L->ways;)
                if ((d[w / 64] >> (w % 64)) & 1)
                    return 10;        /* dirty bit beyond the ways */
            for (uint32_t w = 0; w < L->ways; w++) {
                uint64_t line = line_at(L, set, w);
                if (line == LINE_INVALID) {
                    if (dirty_get(L, set, w))
                        return 2;     /* dirty empty way */
                    if (tag_get(L, set, w) != L->tag_empty)
                        return 8;     /* empty way with a tag */
                    if (w + 1 < L->ways && line_at(L, set, w + 1) != LINE_INVALID)
                        return 7;     /* valid ways not a prefix (see the top) */
                    continue;
                }
                if (set_of(L, line) != set)
                    return 3;         /* line in the wrong set */
                if (tag_get(L, set, w) != tag_of(L, line))
                    return 8;         /* tag not the line's (exact when it can be) */
                if (dirty_get(L, set, w) && !L->write_back)
                    return 4;         /* write-through levels hold no dirty data */
                for (uint32_t w2 = w + 1; w2 < L->ways; w2++)
                    if (line_at(L, set, w2) == line)
                        return 5;     /* duplicate line */
            }
            uint32_t n = 0;
            while (n < L->ways && line_at(L, set, n) != LINE_INVALID)
                n++;
            if (L->lru_packed && n < L->ways && ((*order_at(L, set) >> L->lru_shift) & 0xF) != n)
                return 9;             /* LRU victim of a set not full is not its free way */
        }
    }
    if (h->dram.hits != h->dram.accesses || h->dram.misses != 0)
        return 6;
    return 0;
}

/*
 * mmu/pgmem.c - sparse physical memory (see pgmem.h).
 *
 * An open-addressing hash table maps a frame number to a 4 KiB block of
 * words.  The table doubles when half full.  A 2-way cache of 2 x 2^PGMEM_FCACHE_BITS
 * frames found by earlier reads (struct pgmem_fcache, read inline by
 * pgmem_word() in pgmem.h) spares most reads the call and the hash probe: its
 * 8192 slots hold the ~4100 table frames of the 4 GiB random benchmark's two
 * stages, scattered as they are among the data frames.  It is exact: a frame, once
 * created, keeps its key and its block of words until pgmem_destroy() (growing
 * the table moves the slots, never the blocks), and only frames that exist are
 * cached.
 */
#include "mmu/pgmem.h"

#include <stdlib.h>
#include <string.h>

#define FRAME_SHIFT 12
#define FRAME_WORDS 512
_Static_assert(FRAME_WORDS == 512 && FRAME_SHIFT == 12,
               "pgmem_word() in pgmem.h assumes 4 KiB frames");

struct pgmem {
    /* read cache, first (pgmem_word() reads it inline); mutable from const readers */
    struct pgmem_fcache fcache;
    struct pgmem_fslot *slots;
    uint64_t mask;       /* capacity - 1 (capacity is a power of two) */
    uint64_t used;
};

static inline uint64_t hash_frame(uint64_t key)
{
    key ^= key >> 33;
    key *= UINT64_C(0xff51afd7ed558ccd);
    key ^= key >> 33;
    return key;
}

struct pgmem *pgmem_create(void)
{
    /* the frame cache's sets are 32-byte aligned (one host line holds two) */
    struct pgmem *m = aligned_alloc(64, (sizeof(*m) + 63) & ~(size_t)63);
    if (!m)
        return NULL;
    memset(m, 0, sizeof(*m));
    m->mask = 1023;
    m->slots = calloc(m->mask + 1, sizeof(*m->slots));
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void pgmem_destroy(struct pgmem *m)
{
    if (!m)
        return;
    for (uint64_t i = 0; i <= m->mask; i++)
        free(m->slots[i].words);
    free(m->slots);
    free(m);
}

static uint64_t *find_frame(const struct pgmem *m, uint64_t key)
{
    for (uint64_t i = hash_frame(key) & m->mask;; i = (i + 1) & m->mask) {
        if (m->slots[i].key == key)
            return m->slots[i].words;
        if (m->slots[i].key == 0)
            return NULL;
    }
}

/* pgmem_word() after its cache slot missed: the hash probe, then the slot. */
const uint64_t *pgmem_word_slow(const struct pgmem *m, uint64_t pa)
{
    uint64_t key = (pa >> FRAME_SHIFT) + 1;
    uint64_t *w = find_frame(m, key);
    if (!w)
        return NULL;
    struct pgmem_fslot *c = (struct pgmem_fslot *)pgmem_fset(m, pa);   /* the cache only */
    c[1] = c[0];
    c[0] = (struct pgmem_fslot){ key, w };
    return &w[(pa >> 3) & (FRAME_WORDS - 1)];
}

uint64_t pgmem_read(const struct pgmem *m, uint64_t pa)
{
    const uint64_t *w = pgmem_word(m, pa);
    return w ? *w : 0;
}

static int grow(struct pgmem *m)
{
    uint64_t ncap = (m->mask + 1) * 2;
    struct pgmem_fslot *ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return SIM_ENOMEM;
    for (uint64_t i = 0; i <= m->mask; i++) {
        if (!m->slots[i].key)
            continue;
        uint64_t j = hash_frame(m->slots[i].key) & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->mask = ncap - 1;
    return SIM_OK;
}

int pgmem_write(struct pgmem *m, uint64_t pa, uint64_t val)
{
    uint64_t key = (pa >> FRAME_SHIFT) + 1;
    uint64_t *w = find_frame(m, key);
    if (!w) {
        if (val == 0)
            return SIM_OK;          /* unwritten words already read as zero */
        if ((m->used + 1) * 2 > m->mask + 1 && grow(m) < 0)
            return SIM_ENOMEM;
        w = calloc(FRAME_WORDS, sizeof(*w));
        if (!w)
            return SIM_ENOMEM;
        uint64_t i = hash_frame(key) & m->mask;
        while (m->slots[i].key)
            i = (i + 1) & m->mask;
        m->slots[i].key = key;
        m->slots[i].words = w;
        m->used++;
    }
    w[(pa >> 3) & (FRAME_WORDS - 1)] = val;
    return SIM_OK;
}


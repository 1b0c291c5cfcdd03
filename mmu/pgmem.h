/*
 * mmu/pgmem.h - sparse simulated physical memory holding page tables.
 *
 * Memory is a set of 4 KiB frames of little-endian 64-bit words, created on
 * first write; words never written read as zero.  Only descriptors live here
 * (the data a trace touches is not stored).  Reads never allocate, so the
 * walker's hot path is allocation free.
 */
#ifndef MMU_PGMEM_H
#define MMU_PGMEM_H

#include <stdint.h>

#include "sim/err.h"

struct pgmem;

/* Create an empty memory; NULL on allocation failure. */
struct pgmem *pgmem_create(void);
void pgmem_destroy(struct pgmem *m);

/* Read the 64-bit word at @pa (8-byte aligned; the low 3 bits are ignored). */
uint64_t pgmem_read(const struct pgmem *m, uint64_t pa);

/* The read path's frame cache, the first member of struct pgmem (see pgmem.c):
 * 2-way set associative by frame number + 1 (key 0 = empty; way 0 the most
 * recent), so that pgmem_word() can answer inline from it and call out only when
 * it misses. */
#define PGMEM_FCACHE_BITS 12
struct pgmem_fslot {
    uint64_t key;        /* frame number + 1; 0 = empty */
    uint64_t *words;     /* the frame's 512 words */
};
struct pgmem_fcache {
    _Alignas(32) struct pgmem_fslot set[1u << PGMEM_FCACHE_BITS][2];
};

const uint64_t *pgmem_word_slow(const struct pgmem *m, uint64_t pa);

/* The frame cache's set of @pa (struct pgmem begins with the cache). */
static inline const struct pgmem_fslot *pgmem_fset(const struct pgmem *m, uint64_t pa)
{
    const struct pgmem_fcache *fc = (const struct pgmem_fcache *)(const void *)m;
    return fc->set[((pa >> 12) + 1) & ((1u << PGMEM_FCACHE_BITS) - 1)];
}

/* Start the host's load of what pgmem_word(@m, @pa) reads first (a speed-up only).
 * always_inline: GCC deletes calls to a function that only prefetches. */
static inline __attribute__((always_inline)) void pgmem_prefetch(const struct pgmem *m,
                                                                 uint64_t pa)
{
    __builtin_prefetch(pgmem_fset(m, pa));
}

/*
 * The word at @pa (8-byte aligned), or NULL when its frame was never written
 * (the word reads as zero).  The pointer stays valid until pgmem_destroy():
 * frames never move.  Lets a reader start the host load early and read later.
 */
static inline const uint64_t *pgmem_word(const struct pgmem *m, uint64_t pa)
{
    uint64_t key = (pa >> 12) + 1;
    const struct pgmem_fslot *c = pgmem_fset(m, pa);
    if (c[0].key == key)
        return &c[0].words[(pa >> 3) & 511];
    if (c[1].key == key)
        return &c[1].words[(pa >> 3) & 511];
    return pgmem_word_slow(m, pa);
}

/**
 * pgmem_write() - store @val at @pa (8-byte aligned).
 * Return: SIM_OK, or SIM_ENOMEM (memory unchanged).
 */
int pgmem_write(struct pgmem *m, uint64_t pa, uint64_t val);

#endif /* MMU_PGMEM_H */

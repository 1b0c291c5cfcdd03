/*
 * sim/falloc.h - physical frame allocator of the guest kernel (guest-physical
 * frames) and of the hypervisor (physical frames).
 *
 * The pool [base, base + size) is cut into chunks of the largest block size
 * the policy may ask for.  Chunks are handed out in order (sequential) or in
 * a seeded pseudo-random permutation of the pool (scattered; a keyed Feistel
 * bijection, so no table of the pool is kept).  A chunk is "fragmented" with
 * probability `fragmentation` (seeded hash): it can serve base frames but
 * never a block.  Memory used is constant, whatever the pool size.
 */
#ifndef SIM_FALLOC_H
#define SIM_FALLOC_H

#include "sim/config.h"
#include "sim/err.h"

#define FALLOC_PENDING 64

struct falloc {
    uint64_t base, size;
    uint8_t frame_shift;        /* base frame (granule) */
    uint8_t chunk_shift;        /* chunk = largest block handed out */
    bool scattered;
    double fragmentation;
    uint64_t key;               /* from the seed */
    uint64_t nchunks;
    uint64_t next;              /* chunks taken so far (index into the permutation) */
    uint64_t cur_chunk;         /* chunk base addresses of the base-frame carve */
    uint64_t cur_off;           /* next free offset in cur_chunk; == chunk size when none */
    uint64_t pending[FALLOC_PENDING];  /* fragmented chunks set aside for base frames */
    unsigned npending;
    uint64_t frames_used;       /* frames handed out, blocks counted in frames */
    const char *name;           /* for messages: "alloc.guest", "alloc.hypervisor" */
};

/**
 * falloc_init() - set up an allocator over @cfg's pool.
 * Return: SIM_OK or SIM_EINVAL when the pool cannot hold one chunk.
 */
int falloc_init(struct falloc *fa, const struct alloc_config *cfg, unsigned frame_shift,
                unsigned chunk_shift, uint64_t seed, const char *name, struct sim_err *err);

/**
 * falloc_frame() - an aligned region of 2^shift bytes, frame_shift <= shift <= chunk_shift,
 * carved from the current chunk (a new chunk when it does not fit).
 * Return: SIM_OK, or SIM_ENOMEM with a message naming the pool when exhausted.
 */
int falloc_frame(struct falloc *fa, unsigned shift, uint64_t *addr, struct sim_err *err);

/* One aligned block of 2^chunk_shift bytes; SIM_END (no error) when none can be had. */
int falloc_block(struct falloc *fa, uint64_t *addr);

#endif /* SIM_FALLOC_H */

/*
 * sim/falloc.c - frame allocator (see falloc.h).
 */
#include "sim/falloc.h"

/* A keyed bijection of [0, 2^bits) (4-round Feistel; bits even-split). */
static uint64_t feistel(uint64_t x, unsigned bits, uint64_t key)
{
    unsigned lb = bits / 2, rb = bits - lb;
    uint64_t lmask = (UINT64_C(1) << lb) - 1, rmask = (UINT64_C(1) << rb) - 1;
    uint64_t l = x >> rb, r = x & rmask;
    for (int round = 0; round < 4; round++) {
        /* alternate which half is updated so each half gets mixed twice */
        if (round & 1)
            r = (r ^ sim_hash64(l ^ key ^ (uint64_t)round * UINT64_C(0x9e3779b97f4a7c15))) & rmask;
        else
            l = (l ^ sim_hash64(r ^ key ^ (uint64_t)round * UINT64_C(0x9e3779b97f4a7c15))) & lmask;
    }
    return (l << rb) | r;
}

/* The chunk index taken at position @i (a permutation of [0, nchunks)). */
static uint64_t chunk_at(const struct falloc *fa, uint64_t i)
{
    if (!fa->scattered)
        return i;
    if (fa->nchunks == 1)
        return 0;
    unsigned bits = log2_u64(fa->nchunks - 1) + 1;
    if (bits < 2)
        bits = 2;
    uint64_t x = i;
    do    /* cycle-walk into range: terminates since feistel is a bijection */
        x = feistel(x, bits, fa->key);
    while (x >= fa->nchunks);
    return x;
}

static bool fragmented(const struct falloc *fa, uint64_t chunk_idx)
{
    if (fa->fragmentation <= 0.0)
        return false;
    double u = sim_unit_of(sim_hash64(chunk_idx ^ (fa->key * 3)));
    return u < fa->fragmentation;
}

int falloc_init(struct falloc *fa, const struct alloc_config *cfg, unsigned frame_shift,
                unsigned chunk_shift, uint64_t seed, const char *name, struct sim_err *err)
{
    *fa = (struct falloc){ 0 };
    fa->name = name;
    if (chunk_shift < frame_shift)
        chunk_shift = frame_shift;
    uint64_t chunk = UINT64_C(1) << chunk_shift;
    uint64_t base = (cfg->base + chunk - 1) & ~(chunk - 1);
    uint64_t end = cfg->base + cfg->size_bytes;
    if (end <= base || (end - base) < chunk)
        return sim_err_set(err, SIM_EINVAL, "%s: the pool (base 0x%" PRIx64 ", size %" PRIu64
                           ") holds no aligned %" PRIu64 "-byte chunk", name, cfg->base, cfg->size_bytes,
                           chunk);
    fa->base = base;
    fa->nchunks = (end - base) >> chunk_shift;
    fa->size = fa->nchunks << chunk_shift;
    fa->frame_shift = (uint8_t)frame_shift;
    fa->chunk_shift = (uint8_t)chunk_shift;
    fa->scattered = cfg->kind == ALLOC_SCATTERED;
    fa->fragmentation = cfg->fragmentation;
    fa->key = sim_hash64(seed ^ UINT64_C(0x5eed5eed) ^ sim_hash64(cfg->base));
    fa->cur_off = chunk;   /* no current chunk */
    return SIM_OK;
}

static bool take_chunk(struct falloc *fa, uint64_t *idx)
{
    if (fa->next >= fa->nchunks)
        return false;
    *idx = chunk_at(fa, fa->next++);
    return true;
}

int falloc_frame(struct falloc *fa, unsigned shift, uint64_t *addr, struct sim_err *err)
{
    uint64_t chunk = UINT64_C(1) << fa->chunk_shift;
    uint64_t size = UINT64_C(1) << shift;
    uint64_t off = (fa->cur_off + size - 1) & ~(size - 1);
    if (shift > fa->chunk_shift)
        return sim_err_set(err, SIM_EINVAL, "%s: %" PRIu64 "-byte frame larger than a chunk",
                           fa->name, size);
    if (off + size > chunk) {
        uint64_t idx;
        if (fa->npending)
            fa->cur_chunk = fa->pending[--fa->npending];
        else if (take_chunk(fa, &idx))
            fa->cur_chunk = fa->base + (idx << fa->chunk_shift);
        else
            return sim_err_set(err, SIM_ENOMEM, "%s: pool of %" PRIu64 " bytes exhausted "
                               "(raise %s.size)", fa->name, fa->size, fa->name);
        off = 0;
    }
    *addr = fa->cur_chunk + off;
    fa->cur_off = off + size;
    fa->frames_used += size >> fa->frame_shift;
    return SIM_OK;
}

int falloc_block(struct falloc *fa, uint64_t *addr)
{
    for (int tries = 0; tries < 64; tries++) {
        uint64_t idx;
        if (!take_chunk(fa, &idx))
            return SIM_END;
        uint64_t a = fa->base + (idx << fa->chunk_shift);
        if (!fragmented(fa, idx)) {
            *addr = a;
            fa->frames_used += UINT64_C(1) << (fa->chunk_shift - fa->frame_shift);
            return SIM_OK;
        }
        if (fa->npending == FALLOC_PENDING) {
            fa->next--;          /* put it back: base frames will take it in order */
            return SIM_END;
        }
        fa->pending[fa->npending++] = a;
    }
    return SIM_END;
}

/*
 * mmu/walk.c - stage-1, stage-2 and nested walks (see walk.h).
 *
 * Geometry: a descriptor at `level` maps 2^level_shift bytes, level_shift =
 * g + (3 - level) * stride; the start level indexes with the remaining
 * root_bits (more than stride bits = concatenated stage-2 tables).
 * Nested walk (ARM-VMSA.md s4): every stage-1 descriptor address is an IPA
 * translated by stage 2 before the read, then the output IPA is translated,
 * giving n + (n+1)m reads without caching.
 */
#include "mmu/walk.h"

#include "mmu/vmsa.h"

/* The hooks, through struct walk_hooks (any of it may be NULL). */
#define WALK_FETCH(ws, pa, stage, level)                                                  \
    do {                                                                                   \
        if ((ws)->hooks && (ws)->hooks->fetch)                                             \
            (ws)->hooks->fetch((ws)->ctx, (pa), (stage), (level));                         \
    } while (0)
#define WALK_S2_LOOKUP(ws, ipa, leaf)                                                      \
    ((ws)->hooks && (ws)->hooks->s2_lookup && (ws)->hooks->s2_lookup((ws)->ctx, (ipa), (leaf)))
#define WALK_S2_FILL(ws, leaf)                                                             \
    do {                                                                                   \
        if ((ws)->hooks && (ws)->hooks->s2_fill)                                           \
            (ws)->hooks->s2_fill((ws)->ctx, (leaf));                                       \
    } while (0)
#define WALK_S1_TABLE(ws, level, shift, va, next_ipa, tattrs)                              \
    do {                                                                                   \
        if ((ws)->hooks && (ws)->hooks->s1_table)                                          \
            (ws)->hooks->s1_table((ws)->ctx, (level), (shift), (va), (next_ipa), (tattrs)); \
    } while (0)

#include "mmu/walk_impl.h"

const char *walk_fault_name(unsigned type)
{
    switch (type) {
    case WF_NONE: return "none";
    case WF_TRANSLATION: return "translation";
    case WF_ACCESS_FLAG: return "access_flag";
    case WF_PERMISSION: return "permission";
    case WF_ADDRESS_SIZE: return "address_size";
    }
    return "?";
}

bool walk_translate(const struct pgmem *m, const struct regime *rg, uint64_t va,
                    enum access_kind acc, int el, const struct walk_hooks *hooks,
                    const struct walk_start *start, struct walk_result *out)
{
    return walk_translate_impl(m, rg, va, acc, el, hooks, hooks ? hooks->ctx : NULL, start, out);
}

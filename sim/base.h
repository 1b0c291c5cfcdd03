/*
 * sim/base.h - small helpers shared by every module: bit fields, a seeded
 * deterministic RNG, and the return codes of fallible functions.
 *
 * Nothing here allocates or prints.  The RNG is xorshift64* so that every
 * module that needs randomness (replacement, allocators, generators) owns its
 * own stream and runs are bit-identical for a given seed.
 */
#ifndef SIM_BASE_H
#define SIM_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>

#define BIT64(n)            (UINT64_C(1) << (n))
/* Mask of bits [hi:lo], inclusive; hi < 64. */
#define GENMASK64(hi, lo)   ((~UINT64_C(0) >> (63 - (hi))) & (~UINT64_C(0) << (lo)))
#define ARRAY_SIZE(a)       (sizeof(a) / sizeof((a)[0]))

/* Extract bits [hi:lo] of v, shifted down to bit 0. */
static inline uint64_t bits_get(uint64_t v, unsigned hi, unsigned lo)
{
    return (v & GENMASK64(hi, lo)) >> lo;
}

static inline bool bit_get(uint64_t v, unsigned n)
{
    return (v >> n) & 1;
}

/* Return codes: 0 ok, 1 end of stream, negative on failure. */
enum sim_rc {
    SIM_OK = 0,
    SIM_END = 1,
    SIM_EINVAL = -1,   /* bad argument or configuration */
    SIM_EFORMAT = -2,  /* malformed input file */
    SIM_EIO = -3,      /* read/write failure */
    SIM_ENOMEM = -4,
    SIM_EDB = -5,      /* database failure */
    SIM_EINTR = -6,    /* interrupted by a signal */
};

/* Deterministic PRNG: xorshift64* (Vigna).  Never seeded from a clock. */
struct sim_rng {
    uint64_t s;
};

static inline void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
    /* splitmix64 step so that small seeds give well-mixed states; never 0 */
    uint64_t z = seed + UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    r->s = z ? z : UINT64_C(0x2545F4914F6CDD1D);
}

static inline uint64_t sim_rng_next(struct sim_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* Uniform integer in [0, n), n > 0 (multiply-shift; bias < 2^-32 for n < 2^32). */
static inline uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)sim_rng_next(r) * n) >> 64);
}

/* Uniform double in [0, 1). */
static inline double sim_rng_unit(struct sim_rng *r)
{
    return (double)(sim_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* A 64-bit mixing function (the splitmix64 finaliser): seeded hashes for
 * deterministic choices (allocators, page-size policies). */
static inline uint64_t sim_hash64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/* Uniform double in [0, 1) from a hash value. */
static inline double sim_unit_of(uint64_t h)
{
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static inline unsigned log2_u64(uint64_t v)
{
    return v ? 63u - (unsigned)__builtin_clzll(v) : 0u;
}

static inline bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

#endif /* SIM_BASE_H */

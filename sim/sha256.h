/*
 * sim/sha256.h - SHA-256 (FIPS 180-4), to record which trace a run replayed.
 */
#ifndef SIM_SHA256_H
#define SIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t len;          /* bytes hashed */
    uint8_t buf[64];
    size_t nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Finish and write the digest as 64 lower-case hex digits + NUL into @hex. */
void sha256_hex(struct sha256 *s, char hex[65]);

#endif /* SIM_SHA256_H */

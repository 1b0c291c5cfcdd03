/*
 * sim/util.h - small parsing and file helpers shared by the commands.
 */
#ifndef SIM_UTIL_H
#define SIM_UTIL_H

#include <stddef.h>

#include "sim/err.h"

/* "0x" followed by 1..16 hex digits (either case), nothing else. */
bool util_parse_hex64(const char *s, uint64_t *out);

/* A decimal integer with an optional K/M/G/T suffix (powers of 1024), e.g. "64K", "2M", "4096". */
bool util_parse_size(const char *s, uint64_t *out);

/* A decimal unsigned 64-bit integer, nothing else. */
bool util_parse_u64(const char *s, uint64_t *out);

/**
 * util_read_file() - read a whole file ("-" = standard input) into a
 * NUL-terminated malloc'd buffer.
 * @max_bytes: larger inputs are refused (0 = no limit).
 * Return: SIM_OK; SIM_EINVAL with @err naming the file when it cannot be
 * opened, is larger than @max_bytes or holds a NUL byte (input files are
 * text); SIM_EIO on a read error; SIM_ENOMEM.  Nothing is allocated on error.
 */
int util_read_file(const char *path, size_t max_bytes, char **text, size_t *len,
                   struct sim_err *err);

#endif /* SIM_UTIL_H */

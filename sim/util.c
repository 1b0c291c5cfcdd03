/*
 * sim/util.c - parsing and file helpers (see util.h).
 */
#include "sim/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool util_parse_hex64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int n = 0;

    if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return false;
    for (s += 2; *s; s++, n++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            return false;
        if (v >> 60)
            return false;       /* more than 64 bits of value */
        v = (v << 4) | (uint64_t)d;
    }
    if (n == 0)
        return false;
    *out = v;
    return true;
}

bool util_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool util_parse_size(const char *s, uint64_t *out)
{
    char num[32];
    size_t n = s ? strlen(s) : 0;
    unsigned shift = 0;

    if (n == 0 || n >= sizeof(num))
        return false;
    memcpy(num, s, n + 1);
    switch (num[n - 1]) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    }
    if (shift)
        num[--n] = '\0';
    uint64_t v;
    if (!util_parse_u64(num, &v))
        return false;
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

int util_read_file(const char *path, size_t max_bytes, char **text, size_t *len,
                   struct sim_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    char *buf;
    int rc = SIM_OK;

    if (!f)
        return sim_err_set(err, SIM_EINVAL, "%s: cannot open: %s", path, strerror(errno));
    buf = malloc(cap);
    for (;;) {
        if (!buf) {
            rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
            break;
        }
        n += fread(buf + n, 1, cap - n - 1, f);
        if (max_bytes && n > max_bytes) {
            rc = sim_err_set(err, SIM_EINVAL, "%s: larger than %zu bytes", path, max_bytes);
            break;
        }
        if (n < cap - 1)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (!nb)
            free(buf);
        buf = nb;
    }
    if (rc == SIM_OK && ferror(f))
        rc = sim_err_set(err, SIM_EIO, "%s: read error", path);
    if (rc == SIM_OK && memchr(buf, '\0', n))
        rc = sim_err_set(err, SIM_EINVAL, "%s: NUL byte at byte %zu", path,
                         (size_t)((char *)memchr(buf, '\0', n) - buf));
    if (f != stdin)
        fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return SIM_OK;
}

/*
 * traces/trace_lackey.c - Valgrind lackey --trace-mem=yes output
 * (TRACE-FORMATS.md A.5): "I  addr,size", " L addr,size", " S addr,size",
 * " M addr,size" (a modify: one load then one store of the same bytes).
 * Addresses are hex without 0x, sizes decimal.  Valgrind's own log lines
 * ("==pid== ...", "--pid-- ...") and blank lines are skipped; any other line
 * is an error naming its line number.
 */
#include "traces/trace_int.h"

#include <string.h>

#define LINE_MAX_BYTES 65536u

static bool is_skip_line(const uint8_t *p, size_t n)
{
    if (n == 0 || (n == 1 && p[0] == '\r'))
        return true;
    return n >= 2 && ((p[0] == '=' && p[1] == '=') || (p[0] == '-' && p[1] == '-'));
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Parse one record line (without '\n').  Returns the kind letter
 * ('I','L','S','M') or 0 when the line is not a well-formed record.
 */
static char parse_rec(const uint8_t *p, size_t n, uint64_t *va, uint32_t *size)
{
    if (n > 0 && p[n - 1] == '\r')
        n--;
    if (n < 6)
        return 0;
    char k;
    if (p[0] == 'I' && p[1] == ' ' && p[2] == ' ')
        k = 'I';
    else if (p[0] == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M') && p[2] == ' ')
        k = (char)p[1];
    else
        return 0;
    size_t i = 3;
    uint64_t a = 0;
    unsigned nd = 0;
    for (; i < n && hexval(p[i]) >= 0; i++, nd++) {
        if (nd >= 16)
            return 0;
        a = (a << 4) | (uint64_t)hexval(p[i]);
    }
    if (nd == 0 || i >= n || p[i] != ',')
        return 0;
    i++;
    uint64_t sz = 0;
    unsigned ns = 0;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, ns++) {
        sz = sz * 10 + (uint64_t)(p[i] - '0');
        if (sz > UINT32_MAX)
            return 0;
    }
    if (ns == 0 || i != n)
        return 0;
    *va = a;
    *size = (uint32_t)sz;
    return k;
}

bool trace_lackey_probe(const uint8_t *p, size_t n)
{
    /* Text only, and the first line that is not Valgrind chatter is a record. */
    for (size_t i = 0; i < n; i++)
        if (p[i] == 0 || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t'))
            return false;
    size_t i = 0;
    while (i < n) {
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        if (!nl)
            return false;
        size_t len = (size_t)(nl - (p + i));
        if (!is_skip_line(p + i, len)) {
            uint64_t va;
            uint32_t sz;
            return parse_rec(p + i, len, &va, &sz) != 0;
        }
        i += len + 1;
    }
    return false;
}

static int lackey_next(struct trace_reader *r, struct trace_rec *rec, struct sim_err *err)
{
    struct tsrc *s = &r->src;
    for (;;) {
        const uint8_t *p = s->buf + s->pos;
        size_t n = tsrc_avail(s);
        const uint8_t *nl = n ? memchr(p, '\n', n) : NULL;
        if (!nl) {
            int rc = tsrc_fill(s, n + 4096 < LINE_MAX_BYTES ? n + 4096 : LINE_MAX_BYTES, err);
            if (rc < 0)
                return rc;
            p = s->buf + s->pos;
            n = tsrc_avail(s);
            nl = n ? memchr(p, '\n', n) : NULL;
            if (!nl) {
                if (n == 0)
                    return SIM_END;
                if (!s->eof)
                    return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": line longer than %u bytes",
                                       r->path, r->line + 1, LINE_MAX_BYTES);
                nl = p + n;    /* last line without a newline */
            }
        }
        size_t len = (size_t)(nl - p);
        r->line++;
        s->pos += len + (nl < p + n ? 1 : 0);
        if (is_skip_line(p, len)) {
            r->extra.skipped_lines++;
            continue;
        }
        uint64_t va;
        uint32_t size;
        char k = parse_rec(p, len, &va, &size);
        if (!k) {
            char shown[41];
            size_t m = len > 40 ? 40 : len;
            for (size_t i = 0; i < m; i++)
                shown[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
            shown[m] = '\0';
            return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": malformed lackey line '%s'",
                               r->path, r->line, shown);
        }
        memset(rec, 0, sizeof(*rec));
        rec->vmid = r->opts.vmid;
        rec->va = va;
        rec->size = size;
        rec->kind = k == 'I' ? TR_IFETCH : k == 'S' ? TR_STORE : TR_LOAD;
        if (k == 'M') {
            r->pend[0] = *rec;
            r->pend[0].kind = TR_STORE;
            r->npend = 1;
            r->ipend = 0;
        }
        return SIM_OK;
    }
}

int trace_lackey_init(struct trace_reader *r, struct sim_err *err)
{
    (void)err;
    r->next = lackey_next;
    return SIM_OK;
}

/*
 * traces/trace_champsim.c - ChampSim traces (TRACE-FORMATS.md A.1):
 * `input_instr` (64-byte records) and `cloudsuite_instr` (96 bytes, with
 * asid[2]).  Each record gives an instruction fetch at `ip`, then one load per
 * non-zero source_memory slot, then one store per non-zero destination_memory
 * slot.  The format has no access size: opts.champsim_access_size is used for
 * data, opts.ifetch_size for fetches.  Cloudsuite: the fetch runs under
 * asid[0] and the data accesses under asid[1] (as ChampSim's own reader
 * tags them); input_instr uses ASID 0.
 */
#include "traces/trace_int.h"

#include <string.h>

struct cs_layout {
    unsigned rec;        /* record size */
    unsigned dm, ndm;    /* destination_memory offset and slots (stores) */
    unsigned sm, nsm;    /* source_memory offset and slots (loads) */
    int asid;            /* offset of asid[2], -1 if none */
};

static const struct cs_layout lay_champsim = {64, 16, 2, 32, 4, -1};
static const struct cs_layout lay_cloudsuite = {96, 24, 4, 56, 4, 88};

static bool plausible(const uint8_t *p, size_t n, unsigned rec, bool whole)
{
    if (n < rec)
        return false;
    if (whole && n % rec)
        return false;
    for (size_t o = 0; o + rec <= n; o += rec) {
        uint8_t isb = p[o + 8], tk = p[o + 9];
        if (isb > 1 || tk > isb || tr_le64(p + o) == 0)
            return false;
    }
    return true;
}

enum trace_format trace_champsim_probe(const uint8_t *p, size_t n, bool whole)
{
    bool a = plausible(p, n, 64, whole), b = plausible(p, n, 96, whole);
    if (a && !b)
        return TRACE_FMT_CHAMPSIM;
    if (b && !a)
        return TRACE_FMT_CLOUDSUITE;
    return TRACE_FMT_AUTO;
}

static int champsim_next(struct trace_reader *r, struct trace_rec *rec, struct sim_err *err)
{
    const struct cs_layout *L = r->priv;
    struct tsrc *s = &r->src;
    if (tsrc_avail(s) < L->rec) {
        int rc = tsrc_fill(s, L->rec, err);
        if (rc < 0)
            return rc;
        if (tsrc_avail(s) == 0)
            return SIM_END;
        if (tsrc_avail(s) < L->rec)
            return sim_err_set(err, SIM_EFORMAT,
                               "%s:%" PRIu64 ": truncated %s record (%zu of %u bytes)", r->path,
                               tsrc_off(s), trace_format_name(r->fmt), tsrc_avail(s), L->rec);
    }
    const uint8_t *p = s->buf + s->pos;
    uint16_t iasid = 0, dasid = 0;
    if (L->asid >= 0) {
        iasid = p[L->asid];
        dasid = p[L->asid + 1];
    }
    struct trace_rec *q = r->pend;
    unsigned n = 0;
    struct trace_rec base = {.vmid = r->opts.vmid};
    q[n] = base;
    q[n].kind = TR_IFETCH;
    q[n].asid = iasid;
    q[n].size = r->opts.ifetch_size;
    q[n].va = tr_le64(p);
    n++;
    for (unsigned i = 0; i < L->nsm; i++) {
        uint64_t va = tr_le64(p + L->sm + 8 * i);
        if (va) {
            q[n] = base;
            q[n].kind = TR_LOAD;
            q[n].asid = dasid;
            q[n].size = r->opts.champsim_access_size;
            q[n].va = va;
            n++;
        }
    }
    for (unsigned i = 0; i < L->ndm; i++) {
        uint64_t va = tr_le64(p + L->dm + 8 * i);
        if (va) {
            q[n] = base;
            q[n].kind = TR_STORE;
            q[n].asid = dasid;
            q[n].size = r->opts.champsim_access_size;
            q[n].va = va;
            n++;
        }
    }
    s->pos += L->rec;
    *rec = q[0];
    r->npend = n;
    r->ipend = 1;
    return SIM_OK;
}

int trace_champsim_init(struct trace_reader *r, struct sim_err *err)
{
    (void)err;
    r->priv = (void *)(r->fmt == TRACE_FMT_CLOUDSUITE ? &lay_cloudsuite : &lay_champsim);
    r->next = champsim_next;
    return SIM_OK;
}

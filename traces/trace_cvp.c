/*
 * traces/trace_cvp.c - CVP-1 and CBP-2025 AArch64 value-prediction traces
 * (TRACE-FORMATS.md A.2), gzip'd variable-length records:
 *
 *   u64 pc; u8 class
 *   load/store: u64 ea; u8 size      CBP-2025 adds: u8 base_update, and for
 *                                    stores only u8 has_reg_offset
 *   branch (3,4,5; CBP-2025 also 9,10,11): u8 taken; if taken u64 target
 *   u8 nin; u8 in[nin]; u8 nout; u8 out[nout]
 *   per output register: 8 bytes (0..31, 64; CBP-2025 also 65) or 16 (32..63)
 *
 * Every instruction is a 4-byte fetch at pc; loads and stores then give one
 * access of the recorded total size at ea (pairs and SIMD are not cracked).
 */
#include "traces/trace_int.h"

#include <string.h>

/* Longest record: 8+1+8+1+1+1 + 1+255 + 1+255 + 255*16 < 5000 bytes. */
#define CVP_MAXREC 5000u

enum { CVP_ALU, CVP_LOAD, CVP_STORE, CVP_CONDBR, CVP_DIRBR, CVP_INDBR, CVP_FP, CVP_SLOWALU,
       CVP_UNDEF, CBP_CALLDIR, CBP_CALLIND, CBP_RET };

static int cvp_next(struct trace_reader *r, struct trace_rec *rec, struct sim_err *err)
{
    struct tsrc *s = &r->src;
    bool cbp = r->fmt == TRACE_FMT_CBP2025;
    if (tsrc_avail(s) < CVP_MAXREC) {
        int rc = tsrc_fill(s, CVP_MAXREC, err);
        if (rc < 0)
            return rc;
        if (tsrc_avail(s) == 0)
            return SIM_END;
    }
    const uint8_t *b = s->buf + s->pos, *p = b, *e = s->buf + s->len;
    uint64_t off = tsrc_off(s);
    const char *what = "truncated record";
#define NEED(k) do { if ((size_t)(e - p) < (size_t)(k)) goto bad; } while (0)
    NEED(9);
    uint64_t pc = tr_le64(p);
    uint8_t cls = p[8];
    p += 9;
    uint64_t ea = 0;
    uint32_t size = 0;
    bool mem = cls == CVP_LOAD || cls == CVP_STORE;
    bool br = cls == CVP_CONDBR || cls == CVP_DIRBR || cls == CVP_INDBR ||
              (cbp && (cls == CBP_CALLDIR || cls == CBP_CALLIND || cls == CBP_RET));
    if (cls > (cbp ? CBP_RET : CVP_SLOWALU) || cls == CVP_UNDEF) {
        what = "unknown instruction class";
        goto bad;
    }
    if (mem) {
        NEED(9);
        ea = tr_le64(p);
        size = p[8];
        p += 9;
        if (cbp) {
            NEED(cls == CVP_STORE ? 2 : 1);
            p += cls == CVP_STORE ? 2 : 1;
        }
    }
    if (br) {
        NEED(1);
        uint8_t taken = *p++;
        if (taken > 1) {
            what = "bad branch-taken byte";
            goto bad;
        }
        if (taken) {
            NEED(8);
            p += 8;
        }
    }
    NEED(1);
    unsigned nin = *p++;
    NEED(nin + 1);
    p += nin;
    unsigned nout = *p++;
    NEED(nout);
    const uint8_t *outs = p;
    p += nout;
    for (unsigned i = 0; i < nout; i++) {
        unsigned reg = outs[i];
        unsigned vb;
        if (reg < 32 || reg == 64 || (cbp && reg == 65))
            vb = 8;
        else if (reg < 64)
            vb = 16;
        else {
            what = "bad output register number";
            goto bad;
        }
        NEED(vb);
        p += vb;
    }
#undef NEED
    s->pos += (size_t)(p - b);
    memset(rec, 0, sizeof(*rec));
    rec->vmid = r->opts.vmid;
    rec->kind = TR_IFETCH;
    rec->size = 4;
    rec->va = pc;
    if (mem) {
        struct trace_rec *q = &r->pend[0];
        *q = *rec;
        q->kind = cls == CVP_LOAD ? TR_LOAD : TR_STORE;
        q->size = size;
        q->va = ea;
        r->npend = 1;
        r->ipend = 0;
    }
    return SIM_OK;
bad:
    return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": %s %s", r->path, off,
                       trace_format_name(r->fmt), what);
}

int trace_cvp_init(struct trace_reader *r, struct sim_err *err)
{
    (void)err;
    r->next = cvp_next;
    return SIM_OK;
}

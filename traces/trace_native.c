/*
 * traces/trace_native.c - the project's own binary trace format: reader and
 * streaming writer.  Layout (documented in traces/FORMAT.md):
 *
 *   header: "MMUSIMTR" | u16 version | u16 flags (0) | u32 desc_len | desc
 *   records: one tag byte, then LEB128 varints
 *     tag bits 1:0 = 0 load, 1 store, 2 ifetch:
 *        bit 2  S: a size varint follows (else the last size of this kind)
 *        bit 3  I: bits 7:4 hold zigzag(delta) (0..15); else a zigzag varint
 *                  delta follows (bits 7:4 zero).  The delta is from the last
 *                  address of the stream: data (loads+stores) or ifetch.
 *     tag bits 1:0 = 3: bits 7:2 = op
 *        0 CTX_SWITCH asid | 1 VM_SWITCH vmid asid | 2 TLBI u8-op asid va
 *        3 END count (must be last) | 4 SET_CTX vmid asid (no event)
 */
#include "traces/trace_native.h"
#include "traces/trace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    OP_CTX = 0,
    OP_VM = 1,
    OP_TLBI = 2,
    OP_END = 3,
    OP_SETCTX = 4,
};

#define HDR_FIXED 16u

static inline uint64_t zz_enc(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}


/* ---------------------------------------------------------------- reader */

bool trace_native_probe(const uint8_t *p, size_t n)
{
    return n >= 8 && memcmp(p, TRACE_NATIVE_MAGIC, 8) == 0;
}

/* Decode one varint at *pp (< e); false when truncated or over-long. */
static inline bool get_varint(const uint8_t **pp, const uint8_t *e, uint64_t *v)
{
    const uint8_t *p = *pp;
    if (p < e && *p < 0x80) {      /* fast path: one byte */
        *v = *p;
        *pp = p + 1;
        return true;
    }
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (p >= e)
            return false;
        uint8_t b = *p++;
        if (shift == 63 && b > 1)
            return false;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            *pp = p;
            return true;
        }
    }
    return false;
}

static int native_bad(struct trace_reader *r, uint64_t off, const char *what, struct sim_err *err)
{
    return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": %s", r->path, off, what);
}

static int native_next(struct trace_reader *r, struct trace_rec *rec, struct sim_err *err)
{
    struct tsrc *s = &r->src;
    for (;;) {
        if (tsrc_avail(s) < 32) {
            int rc = tsrc_fill(s, 32, err);
            if (rc < 0)
                return rc;
        }
        const uint8_t *p = s->buf + s->pos;
        const uint8_t *e = s->buf + s->len;
        uint64_t off = tsrc_off(s);
        if (p == e) {
            if (r->ended)
                return SIM_END;
            return native_bad(r, off, "truncated trace: end of file before the end record", err);
        }
        if (r->ended)
            return native_bad(r, off, "data after the end record", err);
        uint8_t tag = *p++;
        unsigned kind = tag & 3;
        uint64_t v;
        if (kind != 3) {
            unsigned stream = kind == TR_IFETCH;
            if (tag & 8) {
                v = tag >> 4;
            } else {
                if (tag >> 4)
                    return native_bad(r, off, "bad access tag", err);
                if (!get_varint(&p, e, &v))
                    return native_bad(r, off, "truncated or over-long address delta", err);
            }
            if (tag & 4) {
                uint64_t sz;
                if (!get_varint(&p, e, &sz) || sz > UINT32_MAX)
                    return native_bad(r, off, "bad access size", err);
                r->last_size[kind] = (uint32_t)sz;
            }
            tr_emit_access(r, rec, kind, r->last_size[kind], r->last_va[stream] + tr_zz_dec(v));
            s->pos = (size_t)(p - s->buf);
            return SIM_OK;
        }
        unsigned op = tag >> 2;
        uint64_t a = 0, b = 0;
        memset(rec, 0, sizeof(*rec));
        switch (op) {
        case OP_CTX:
            if (!get_varint(&p, e, &a) || a > UINT16_MAX)
                return native_bad(r, off, "bad context-switch record", err);
            r->cur_asid = (uint16_t)a;
            rec->kind = TR_CTX_SWITCH;
            break;
        case OP_VM:
        case OP_SETCTX:
            if (!get_varint(&p, e, &a) || a > UINT16_MAX || !get_varint(&p, e, &b) ||
                b > UINT16_MAX)
                return native_bad(r, off, op == OP_VM ? "bad VM-switch record" : "bad context record",
                                  err);
            r->cur_vmid = (uint16_t)a;
            r->cur_asid = (uint16_t)b;
            rec->kind = TR_VM_SWITCH;
            break;
        case OP_TLBI:
            if (p >= e || *p >= TLBI_KIND_COUNT)
                return native_bad(r, off, "bad TLBI operation", err);
            rec->tlbi = *p++;
            if (!get_varint(&p, e, &a) || a > UINT16_MAX || !get_varint(&p, e, &b))
                return native_bad(r, off, "bad TLBI record", err);
            rec->kind = TR_TLBI;
            rec->asid = (uint16_t)a;
            rec->va = b;
            break;
        case OP_END:
            if (!get_varint(&p, e, &a))
                return native_bad(r, off, "bad end record", err);
            if (a != r->nevents) {
                char m[128];
                snprintf(m, sizeof(m), "end record counts %" PRIu64 " events, %" PRIu64 " read", a,
                         r->nevents);
                return native_bad(r, off, m, err);
            }
            r->ended = true;
            s->pos = (size_t)(p - s->buf);
            continue;
        default: {
            char m[64];
            snprintf(m, sizeof(m), "unknown record tag 0x%02x", tag);
            return native_bad(r, off, m, err);
        }
        }
        s->pos = (size_t)(p - s->buf);
        if (op == OP_SETCTX)
            continue;
        rec->vmid = r->cur_vmid;
        if (rec->kind == TR_CTX_SWITCH || rec->kind == TR_VM_SWITCH)
            rec->asid = r->cur_asid;
        return SIM_OK;
    }
}

int trace_native_init(struct trace_reader *r, struct sim_err *err)
{
    struct tsrc *s = &r->src;
    int rc = tsrc_fill(s, HDR_FIXED, err);
    if (rc < 0)
        return rc;
    const uint8_t *p = s->buf + s->pos;
    if (tsrc_avail(s) < HDR_FIXED || memcmp(p, TRACE_NATIVE_MAGIC, 8) != 0)
        return sim_err_set(err, SIM_EFORMAT, "%s:0: not a native mmusim trace (bad magic)", r->path);
    uint16_t ver = tr_le16(p + 8), flags = tr_le16(p + 10);
    uint32_t dlen = tr_le32(p + 12);
    if (ver != TRACE_NATIVE_VERSION)
        return sim_err_set(err, SIM_EFORMAT, "%s:8: unsupported native trace version %u", r->path,
                           ver);
    if (flags != 0)
        return sim_err_set(err, SIM_EFORMAT, "%s:10: unknown header flags 0x%x", r->path, flags);
    if (dlen > TRACE_NATIVE_DESC_MAX)
        return sim_err_set(err, SIM_EFORMAT, "%s:12: description length %u too large", r->path,
                           dlen);
    rc = tsrc_fill(s, HDR_FIXED + dlen, err);
    if (rc < 0)
        return rc;
    if (tsrc_avail(s) < HDR_FIXED + dlen)
        return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": truncated header description",
                           r->path, s->base + s->len);
    p = s->buf + s->pos;
    size_t keep = dlen < sizeof(r->extra.desc) - 1 ? dlen : sizeof(r->extra.desc) - 1;
    memcpy(r->extra.desc, p + HDR_FIXED, keep);
    r->extra.desc[keep] = '\0';
    r->extra.version = ver;
    s->pos += HDR_FIXED + dlen;
    r->next = native_next;
    return SIM_OK;
}

/* ---------------------------------------------------------------- writer */

#define WBUF_CAP (1u << 20)

struct trace_writer {
    int fd;
    bool to_stdout;
    char *path;          /* final name */
    char *tmp;           /* temporary name (NULL for stdout) */
    uint8_t *buf;
    size_t len;
    uint64_t count;
    uint16_t vmid, asid;
    uint64_t last_va[2];
    uint32_t last_size[3];
};

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static int w_flush(struct trace_writer *w, struct sim_err *err)
{
    size_t done = 0;
    while (done < w->len) {
        ssize_t k = write(w->fd, w->buf + done, w->len - done);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return sim_err_set(err, SIM_EIO, "%s: write: %s", w->path, strerror(errno));
        }
        done += (size_t)k;
    }
    w->len = 0;
    return SIM_OK;
}

static void w_free(struct trace_writer *w)
{
    if (w->fd >= 0 && !w->to_stdout)
        close(w->fd);
    free(w->path);
    free(w->tmp);
    free(w->buf);
    free(w);
}

int trace_writer_create(struct trace_writer **out, const char *path, const char *desc,
                        struct sim_err *err)
{
    if (!desc)
        desc = "";
    size_t dlen = strlen(desc);
    if (dlen > TRACE_NATIVE_DESC_MAX)
        return sim_err_set(err, SIM_EINVAL, "%s: description longer than %u bytes", path,
                           TRACE_NATIVE_DESC_MAX);
    struct trace_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    w->fd = -1;
    w->path = strdup(path);
    w->buf = malloc(WBUF_CAP);
    if (!w->path || !w->buf) {
        w_free(w);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    }
    if (strcmp(path, "-") == 0) {
        w->fd = 1;
        w->to_stdout = true;
    } else {
        size_t n = strlen(path) + 16;
        w->tmp = malloc(n);
        if (!w->tmp) {
            w_free(w);
            return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
        }
        snprintf(w->tmp, n, "%s.tmp.XXXXXX", path);
        w->fd = mkstemp(w->tmp);
        if (w->fd < 0) {
            int e = errno;
            free(w->tmp);
            w->tmp = NULL;
            w_free(w);
            return sim_err_set(err, SIM_EIO, "%s: cannot create: %s", path, strerror(e));
        }
        (void)fchmod(w->fd, 0644);
    }
    uint8_t hdr[HDR_FIXED];
    memcpy(hdr, TRACE_NATIVE_MAGIC, 8);
    hdr[8] = TRACE_NATIVE_VERSION & 0xff;
    hdr[9] = TRACE_NATIVE_VERSION >> 8;
    hdr[10] = hdr[11] = 0;
    for (unsigned i = 0; i < 4; i++)
        hdr[12 + i] = (uint8_t)(dlen >> (8 * i));
    memcpy(w->buf, hdr, HDR_FIXED);
    w->len = HDR_FIXED;
    size_t done = 0;
    while (done < dlen) {     /* the description may exceed the buffer */
        size_t k = dlen - done < WBUF_CAP - w->len ? dlen - done : WBUF_CAP - w->len;
        memcpy(w->buf + w->len, desc + done, k);
        w->len += k;
        done += k;
        int rc = w->len == WBUF_CAP ? w_flush(w, err) : SIM_OK;
        if (rc < 0) {
            trace_writer_abort(w);
            return rc;
        }
    }
    *out = w;
    return SIM_OK;
}

int trace_writer_put(struct trace_writer *w, const struct trace_rec *rec, struct sim_err *err)
{
    if (w->len > WBUF_CAP - 64) {
        int rc = w_flush(w, err);
        if (rc < 0)
            return rc;
    }
    uint8_t *p = w->buf + w->len;
    unsigned kind = rec->kind;
    if (kind >= TR_KIND_COUNT)
        return sim_err_set(err, SIM_EINVAL, "%s: event %" PRIu64 ": unknown kind %u", w->path,
                           w->count, kind);
    if (kind == TR_TLBI && rec->tlbi >= TLBI_KIND_COUNT)
        return sim_err_set(err, SIM_EINVAL, "%s: event %" PRIu64 ": unknown TLBI operation %u",
                           w->path, w->count, rec->tlbi);
    /* Context the event runs under, when it differs from the current one. */
    uint16_t want_asid = kind <= TR_IFETCH ? rec->asid : w->asid;
    if (kind != TR_VM_SWITCH && (rec->vmid != w->vmid || want_asid != w->asid)) {
        *p++ = 3 | (OP_SETCTX << 2);
        p = put_varint(p, rec->vmid);
        p = put_varint(p, want_asid);
        w->vmid = rec->vmid;
        w->asid = want_asid;
    }
    if (kind <= TR_IFETCH) {
        unsigned stream = kind == TR_IFETCH;
        uint64_t zz = zz_enc((int64_t)(rec->va - w->last_va[stream]));
        w->last_va[stream] = rec->va;
        uint8_t tag = (uint8_t)kind;
        bool sz = rec->size != w->last_size[kind];
        if (sz)
            tag |= 4;
        if (zz < 16) {
            *p++ = (uint8_t)(tag | 8 | (zz << 4));
        } else {
            *p++ = tag;
            p = put_varint(p, zz);
        }
        if (sz) {
            p = put_varint(p, rec->size);
            w->last_size[kind] = rec->size;
        }
    } else if (kind == TR_CTX_SWITCH) {
        *p++ = 3 | (OP_CTX << 2);
        p = put_varint(p, rec->asid);
        w->asid = rec->asid;
    } else if (kind == TR_VM_SWITCH) {
        *p++ = 3 | (OP_VM << 2);
        p = put_varint(p, rec->vmid);
        p = put_varint(p, rec->asid);
        w->vmid = rec->vmid;
        w->asid = rec->asid;
    } else {
        *p++ = 3 | (OP_TLBI << 2);
        *p++ = rec->tlbi;
        p = put_varint(p, rec->asid);
        p = put_varint(p, rec->va);
    }
    w->len = (size_t)(p - w->buf);
    w->count++;
    return SIM_OK;
}

uint64_t trace_writer_count(const struct trace_writer *w)
{
    return w->count;
}

int trace_writer_close(struct trace_writer *w, struct sim_err *err)
{
    int rc = SIM_OK;
    if (w->len > WBUF_CAP - 16)
        rc = w_flush(w, err);
    if (rc == SIM_OK) {
        uint8_t *p = w->buf + w->len;
        *p++ = 3 | (OP_END << 2);
        p = put_varint(p, w->count);
        w->len = (size_t)(p - w->buf);
        rc = w_flush(w, err);
    }
    if (rc == SIM_OK && !w->to_stdout) {
        if (close(w->fd) < 0)
            rc = sim_err_set(err, SIM_EIO, "%s: close: %s", w->path, strerror(errno));
        w->fd = -1;
        if (rc == SIM_OK && rename(w->tmp, w->path) < 0)
            rc = sim_err_set(err, SIM_EIO, "%s: rename: %s", w->path, strerror(errno));
    }
    if (rc < 0) {
        trace_writer_abort(w);
        return rc;
    }
    w_free(w);
    return SIM_OK;
}

void trace_writer_abort(struct trace_writer *w)
{
    if (!w)
        return;
    if (w->tmp)
        unlink(w->tmp);
    w_free(w);
}

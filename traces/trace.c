/*
 * traces/trace.c - the reader front door: format names, content detection
 * and dispatch to one reader per format (trace_<format>.c).  See trace.h and
 * FORMAT.md.
 */
#include "traces/trace_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const fmt_names[TRACE_FMT_COUNT] = {
    "auto", "native", "champsim", "cloudsuite", "lackey", "drmemtrace", "cvp", "cbp2025",
};

void trace_opts_default(struct trace_opts *o)
{
    o->champsim_access_size = 8;
    o->ifetch_size = 4;
    o->vmid = 0;
}

const char *trace_format_name(enum trace_format f)
{
    return (unsigned)f < TRACE_FMT_COUNT ? fmt_names[f] : "?";
}

int trace_format_parse(const char *name)
{
    for (unsigned i = 0; i < TRACE_FMT_COUNT; i++)
        if (strcmp(name, fmt_names[i]) == 0)
            return (int)i;
    return -1;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Detect the format from the first decoded bytes of r->src. */
static int detect(struct trace_reader *r, struct sim_err *err)
{
    int rc = tsrc_fill(&r->src, TRACE_HEAD, err);
    if (rc < 0)
        return rc;
    const uint8_t *p = r->src.buf + r->src.pos;
    size_t n = tsrc_avail(&r->src);
    if (n == 0)
        return sim_err_set(err, SIM_EFORMAT, "%s:0: empty trace", r->path);
    if (trace_native_probe(p, n)) {
        r->fmt = TRACE_FMT_NATIVE;
        return SIM_OK;
    }
    if (n >= 4 && memcmp(p, "PK\003\004", 4) == 0) {
        r->fmt = TRACE_FMT_DRMEMTRACE;
        return SIM_OK;
    }
    if (trace_lackey_probe(p, n)) {
        r->fmt = TRACE_FMT_LACKEY;
        return SIM_OK;
    }
    enum trace_format f = trace_champsim_probe(p, n, r->src.eof);
    if (f != TRACE_FMT_AUTO) {
        r->fmt = f;
        return SIM_OK;
    }
    return sim_err_set(err, SIM_EFORMAT,
                       "%s:0: cannot tell the trace format from the content; use --format "
                       "(native, champsim, cloudsuite, lackey, drmemtrace, cvp, cbp2025)",
                       r->path);
}

int trace_open(struct trace_reader **out, const char *path, enum trace_format fmt,
               const struct trace_opts *opts, struct sim_err *err)
{
    if ((unsigned)fmt >= TRACE_FMT_COUNT)
        return sim_err_set(err, SIM_EINVAL, "%s: bad trace format %d", path, (int)fmt);
    struct trace_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    r->src.fd = -1;
    r->path = strdup(path);
    if (!r->path) {
        free(r);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    }
    if (opts)
        r->opts = *opts;
    else
        trace_opts_default(&r->opts);
    if (r->opts.champsim_access_size == 0 || r->opts.ifetch_size == 0) {
        trace_close(r);
        return sim_err_set(err, SIM_EINVAL, "%s: access and fetch sizes must be > 0", path);
    }
    r->fmt = fmt;
    int rc;
    if (is_dir(path)) {
        if (fmt != TRACE_FMT_AUTO && fmt != TRACE_FMT_DRMEMTRACE) {
            trace_close(r);
            return sim_err_set(err, SIM_EINVAL, "%s: is a directory (only drmemtrace traces are)",
                               path);
        }
        r->fmt = TRACE_FMT_DRMEMTRACE;
    } else {
        rc = tsrc_open(&r->src, r->path, err);
        if (rc < 0) {
            trace_close(r);
            return rc;
        }
        if (r->fmt == TRACE_FMT_AUTO && (rc = detect(r, err)) < 0) {
            trace_close(r);
            return rc;
        }
    }
    switch (r->fmt) {
    case TRACE_FMT_NATIVE: rc = trace_native_init(r, err); break;
    case TRACE_FMT_CHAMPSIM:
    case TRACE_FMT_CLOUDSUITE: rc = trace_champsim_init(r, err); break;
    case TRACE_FMT_LACKEY: rc = trace_lackey_init(r, err); break;
    case TRACE_FMT_CVP:
    case TRACE_FMT_CBP2025: rc = trace_cvp_init(r, err); break;
    case TRACE_FMT_DRMEMTRACE:
        /* The zip container needs random access: it reads its files itself. */
        tsrc_close(&r->src);
        rc = trace_drmem_init(r, err);
        break;
    default: rc = sim_err_set(err, SIM_EINVAL, "%s: bad trace format", path); break;
    }
    if (rc < 0) {
        trace_close(r);
        return rc;
    }
    *out = r;
    return SIM_OK;
}

/*
 * Up to @max plain native access records (layout in trace_native.c) decoded in a
 * loop with the decoder state in locals (stores to @recs could alias the reader's
 * fields, which would otherwise be reloaded for every record).  Plain: at least 32
 * bytes buffered, an access tag, varints within 8 bytes, a size of at most 5 bytes.
 * Returns how many were decoded; it stops, consuming nothing more, at the first
 * record it does not take (other records, errors, the end of the buffer), which
 * the format's next() then decodes, giving the same events.
 */
static unsigned native_batch(struct trace_reader *r, struct trace_rec *recs, unsigned max)
{
    struct tsrc *s = &r->src;
    if (r->ended)
        return 0;
    const uint8_t *buf = s->buf;
    size_t pos = s->pos, len = s->len;
    uint64_t last_va[2] = { r->last_va[0], r->last_va[1] };
    uint32_t last_size[3] = { r->last_size[0], r->last_size[1], r->last_size[2] };
    const uint16_t vmid = r->cur_vmid, asid = r->cur_asid;
    unsigned n = 0;

    while (n < max && len - pos >= 32) {
        const uint8_t *p = buf + pos;
        unsigned tag = *p++;
        unsigned kind = tag & 3;
        uint64_t w, v;
        unsigned k;
        if (kind == 3)
            break;
        if (tag & 8) {
            v = tag >> 4;
        } else if (tag >> 4) {
            break;
        } else if (!(*p & 0x80)) {
            v = *p++;
        } else {
            memcpy(&w, p, 8);
            v = tr_vdec8(w, &k);
            if (k == 0)
                break;
            p += k;
        }
        uint32_t size = last_size[kind];
        if (tag & 4) {
            memcpy(&w, p, 8);
            uint64_t sz = tr_vdec8(w, &k);
            if (k == 0 || k > 5 || sz > UINT32_MAX)
                break;
            p += k;
            size = (uint32_t)sz;
            last_size[kind] = size;
        }
        uint64_t va = last_va[kind == TR_IFETCH] + tr_zz_dec(v);
        last_va[kind == TR_IFETCH] = va;
        recs[n++] = (struct trace_rec){ .kind = (uint8_t)kind, .vmid = vmid, .asid = asid,
                                        .size = size, .va = va };
        pos = (size_t)(p - buf);
    }
    s->pos = pos;
    r->last_va[0] = last_va[0];
    r->last_va[1] = last_va[1];
    for (unsigned i = 0; i < 3; i++)
        r->last_size[i] = last_size[i];
    return n;
}

int trace_next_batch(struct trace_reader *r, struct trace_rec *recs, unsigned max,
                     struct sim_err *err)
{
    unsigned n = 0;
    while (n < max) {
        if (r->ipend < r->npend) {
            recs[n++] = r->pend[r->ipend++];
            continue;
        }
        if (r->fmt == TRACE_FMT_NATIVE) {
            unsigned k = native_batch(r, &recs[n], max - n);
            n += k;
            if (k > 0)
                continue;
        }
        /* the general decoder may fail or end: only as the batch's first event, so
         * that an error or the end is never returned together with events */
        if (n > 0)
            break;
        int rc = r->next(r, &recs[0], err);
        if (rc == SIM_END)
            return 0;
        if (rc < 0)
            return rc;
        n = 1;
    }
    r->nevents += n;
    return (int)n;
}

/* A batch of one. */
int trace_next(struct trace_reader *r, struct trace_rec *rec, struct sim_err *err)
{
    int n = trace_next_batch(r, rec, 1, err);
    return n > 0 ? SIM_OK : n == 0 ? SIM_END : n;
}

enum trace_format trace_reader_format(const struct trace_reader *r)
{
    return r->fmt;
}

const struct trace_extra *trace_reader_extra(const struct trace_reader *r)
{
    return &r->extra;
}

void trace_progress(const struct trace_reader *r, uint64_t *done, uint64_t *total)
{
    if (r->src.comp == TSRC_RAW)
        *done = r->src.base + r->src.pos;
    else
        *done = r->src.in_total - (r->src.in_len - r->src.in_pos);
    *total = r->src.file_size;
}

void trace_close(struct trace_reader *r)
{
    if (!r)
        return;
    if (r->fini)
        r->fini(r);
    tsrc_close(&r->src);
    free(r->path);
    free(r);
}

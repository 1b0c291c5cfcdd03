/*
 * traces/trace_int.h - structures shared inside traces/: the byte source
 * (file or stdin, transparent gzip/xz), the reader object and the per-format
 * entry points.  See traces/trace.h for the public contract and
 * traces/FORMAT.md for the formats.
 *
 * Offsets in error messages are offsets in the decompressed stream (they equal
 * file offsets for uncompressed input); text formats report line numbers.
 */
#ifndef TRACES_TRACE_INT_H
#define TRACES_TRACE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <lzma.h>
#include <zlib.h>

#include "traces/trace.h"

#define TSRC_CAP    (1u << 20)   /* decompressed buffer, bytes */
#define TSRC_INCAP  (1u << 18)   /* compressed input buffer, bytes */
#define TRACE_HEAD  4096u        /* bytes peeked for format detection */

enum tsrc_comp { TSRC_RAW = 0, TSRC_GZIP, TSRC_XZ };

/* A buffered byte stream over a file or stdin, decompressing gzip/xz. */
struct tsrc {
    const char *path;        /* for messages ("-" for stdin) */
    int fd;                  /* -1 when closed */
    bool own_fd;             /* false for stdin */
    enum tsrc_comp comp;     /* detected from the first bytes */
    uint8_t *in;             /* compressed input (gzip/xz only) */
    size_t in_pos, in_len;
    bool in_eof;             /* read() returned 0 */
    uint64_t in_total;       /* bytes read from fd so far */
    uint64_t file_size;      /* 0 when unknown (pipes) */
    z_stream zs;
    bool zs_live;
    lzma_stream xs;
    bool xs_live;
    uint8_t *buf;            /* decompressed bytes buf[pos..len) */
    size_t pos, len;
    uint64_t base;           /* stream offset of buf[0] */
    bool eof;                /* nothing after buf[len] */
};

/* Open @path ("-" = stdin) and detect compression. */
int tsrc_open(struct tsrc *s, const char *path, struct sim_err *err);
/*
 * tsrc_fill() - make at least @need (<= TSRC_CAP / 2) bytes available at
 * buf + pos, fewer only at the end of the stream.  May move the buffer
 * contents (pointers into buf are invalidated).
 */
int tsrc_fill(struct tsrc *s, size_t need, struct sim_err *err);
void tsrc_close(struct tsrc *s);

static inline size_t tsrc_avail(const struct tsrc *s)
{
    return s->len - s->pos;
}

static inline uint64_t tsrc_off(const struct tsrc *s)
{
    return s->base + s->pos;
}

/* What a reader saw besides events (for `mmusim info`). */
struct trace_extra {
    char desc[256];          /* native: header description (truncated) */
    uint32_t version;        /* native format version / drmemtrace trace version */
    uint64_t prefetches;     /* drmemtrace prefetch records skipped */
    uint64_t markers;        /* drmemtrace markers seen */
    uint64_t page_size;      /* drmemtrace PAGE_SIZE marker value (0: none) */
    uint64_t phys_markers;   /* drmemtrace PHYSICAL_ADDRESS markers */
    uint64_t threads;        /* drmemtrace threads (files) */
    uint64_t pids;           /* drmemtrace distinct PIDs (= ASIDs given) */
    uint64_t skipped_lines;  /* lackey: Valgrind banner lines skipped */
};

#define TRACE_PEND 16        /* events one source record can expand to */

typedef int (*trace_next_fn)(struct trace_reader *r, struct trace_rec *rec, struct sim_err *err);

struct trace_reader {
    enum trace_format fmt;
    struct trace_opts opts;
    char *path;                 /* owned copy, for messages */
    struct tsrc src;            /* unused by drmemtrace */
    trace_next_fn next;
    void (*fini)(struct trace_reader *r);  /* format-private cleanup, may be NULL */
    void *priv;                 /* format-private state */
    struct trace_rec pend[TRACE_PEND];  /* queued events of the current record */
    unsigned npend, ipend;
    uint64_t line;              /* text formats: current line number */
    uint64_t nevents;           /* events returned so far */
    /* native decoder state */
    uint16_t cur_vmid, cur_asid;
    uint64_t last_va[2];        /* [0] data stream, [1] ifetch stream */
    uint32_t last_size[3];      /* per access kind */
    bool ended;                 /* native END record seen */
    struct trace_extra extra;
};

/* Per-format open functions: set r->next (and fini/priv).  The source is open. */
int trace_native_init(struct trace_reader *r, struct sim_err *err);
int trace_champsim_init(struct trace_reader *r, struct sim_err *err);
int trace_lackey_init(struct trace_reader *r, struct sim_err *err);
int trace_cvp_init(struct trace_reader *r, struct sim_err *err);
/* drmemtrace opens its own files (directory or zip) instead of the source. */
int trace_drmem_init(struct trace_reader *r, struct sim_err *err);

/* Content probes on the first bytes of the (decompressed) stream. */
bool trace_native_probe(const uint8_t *p, size_t n);
bool trace_lackey_probe(const uint8_t *p, size_t n);
/* Returns TRACE_FMT_CHAMPSIM/CLOUDSUITE when exactly one fits, else AUTO. */
enum trace_format trace_champsim_probe(const uint8_t *p, size_t n, bool whole);

/* Counters and metadata beyond the events (never NULL for an open reader). */
const struct trace_extra *trace_reader_extra(const struct trace_reader *r);

/* Little-endian loads. */
static inline uint16_t tr_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t tr_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t tr_le64(const uint8_t *p)
{
    return (uint64_t)tr_le32(p) | ((uint64_t)tr_le32(p + 4) << 32);
}

/* Zigzag decoding of a signed delta. */
static inline uint64_t tr_zz_dec(uint64_t u)
{
    return (u >> 1) ^ (0 - (u & 1));
}

/*
 * tr_vdec8() - decode a LEB128 varint of at most 8 bytes held in the
 * little-endian word @w; *len = its length, 0 when it does not end within 8
 * bytes.  The lowest clear continuation bit ends it: stop ^ (stop - 1) masks
 * the bytes up to and including that one, and three merge steps squeeze the
 * 7-bit groups together (bytes -> 14-bit lanes -> 28-bit lanes -> 56 bits).
 */
static inline uint64_t tr_vdec8(uint64_t w, unsigned *len)
{
    uint64_t stop = ~w & UINT64_C(0x8080808080808080);
    if (!stop) {
        *len = 0;
        return 0;
    }
    *len = ((unsigned)__builtin_ctzll(stop) >> 3) + 1;
    uint64_t x = w & (stop ^ (stop - 1)) & UINT64_C(0x7f7f7f7f7f7f7f7f);
    x = (x & UINT64_C(0x007f007f007f007f)) | ((x & UINT64_C(0x7f007f007f007f00)) >> 1);
    x = (x & UINT64_C(0x00003fff00003fff)) | ((x & UINT64_C(0x3fff00003fff0000)) >> 2);
    x = (x & UINT64_C(0x000000000fffffff)) | ((x & UINT64_C(0x0fffffff00000000)) >> 4);
    return x;
}

/* Fill @rec with an access of the current context and make @va its stream's last address. */
static inline void tr_emit_access(struct trace_reader *r, struct trace_rec *rec, unsigned kind,
                                  uint32_t size, uint64_t va)
{
    r->last_va[kind == TR_IFETCH] = va;
    rec->kind = (uint8_t)kind;
    rec->tlbi = 0;
    rec->vmid = r->cur_vmid;
    rec->asid = r->cur_asid;
    rec->_pad = 0;
    rec->size = size;
    rec->va = va;
}

#endif /* TRACES_TRACE_INT_H */

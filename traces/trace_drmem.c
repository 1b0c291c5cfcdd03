/*
 * traces/trace_drmem.c - DynamoRIO drmemtrace, offline final format
 * (TRACE-FORMATS.md A.3): one `.trace.zip` per thread, each holding members
 * `chunk.NNNN` of packed 12-byte trace_entry_t {u16 type; u16 size; u64 addr}.
 *
 * The zip container is parsed here (end-of-central-directory record, central
 * directory, local headers; members stored or deflated, inflated with raw
 * zlib, CRC-32 and length checked).  Threads are interleaved by their own
 * TIMESTAMP markers: each thread is cut into segments that start at a
 * timestamp, and the segment with the smallest timestamp runs next (ties:
 * the thread whose file name sorts first).  The serial schedule file is not
 * used.  PIDs become ASIDs 1, 2, ... in order of first appearance; a
 * TR_CTX_SWITCH is emitted when the interleaving moves to another ASID.
 * Instruction records (plain, branches, calls, returns) are fetches of the
 * instruction's length at its PC; READ/WRITE are loads/stores; prefetches,
 * encodings and non-fetched instructions are skipped (prefetches counted).
 * Markers: PAGE_SIZE and PHYSICAL_ADDRESS/VIRTUAL_ADDRESS are recorded for
 * `info`; addresses stay virtual.
 */
#include "traces/trace_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DR_ENTRY      12u
#define DR_INCAP      (64u * 1024u)
#define DR_OUTCAP     (DR_ENTRY * 5461u)

enum {
    DR_READ = 0, DR_WRITE = 1, DR_INSTR = 10, DR_RETURN = 16, DR_BUNDLE = 17,
    DR_THREAD = 22, DR_THREAD_EXIT = 23, DR_PID = 24, DR_HEADER = 25, DR_FOOTER = 26,
    DR_HW_PREFETCH = 27, DR_MARKER = 28, DR_NO_FETCH = 29, DR_MAYBE_FETCH = 30,
    DR_SYSENTER = 31, DR_ENCODING = 47, DR_TAKEN = 48, DR_UNTAKEN = 49,
};
enum { MK_TIMESTAMP = 2, MK_VERSION = 12, MK_PHYS = 15, MK_VIRT = 17, MK_PAGE_SIZE = 18 };

struct dr_member {
    uint32_t chunk;        /* NNNN of chunk.NNNN */
    uint16_t method;       /* 0 stored, 8 deflate */
    uint32_t crc;
    uint64_t csize, usize;
    uint64_t lho;          /* local header offset */
};

struct dr_thread {
    char *path;
    int fd;
    struct dr_member *mem;
    unsigned nmem, imem;   /* members, current member */
    bool in_member;
    uint64_t data_off, cleft;  /* current member: next compressed byte, compressed left */
    uint64_t uoff;         /* decompressed bytes of the member produced */
    uint32_t crc;          /* running CRC of the member */
    z_stream zs;
    bool zs_live;
    uint8_t *in, *out;
    size_t in_pos, in_len, out_pos, out_len;
    uint64_t ts;           /* timestamp of the next segment */
    bool done, started;    /* stream over; emitted since the segment began */
    bool has_peek;
    uint16_t pk_type, pk_size;
    uint64_t pk_addr;
    uint16_t asid;
    bool have_chunk;       /* out[] holds bytes of member chunk.<out_chunk> */
    uint32_t out_chunk;
    uint64_t e_off;        /* member offset of the entry last returned */
};

struct dr_state {
    struct dr_thread *t;
    unsigned nt;
    int cur;               /* running thread, -1 when a pick is due */
    uint64_t *pids;        /* pids[i] has ASID i + 1 */
    unsigned npids, cappids;
    uint16_t last_asid;    /* ASID of the last emitted access (0: none yet) */
};

/* Error at member offset @off (UINT64_MAX: the current decode position). */
static int dr_err_at(struct dr_thread *t, uint64_t off, const char *what, struct sim_err *err)
{
    if (off == UINT64_MAX)
        off = t->uoff - (t->out_len - t->out_pos);
    if (t->have_chunk)
        return sim_err_set(err, SIM_EFORMAT, "%s:chunk.%04u:%" PRIu64 ": %s", t->path,
                           t->out_chunk, off, what);
    return sim_err_set(err, SIM_EFORMAT, "%s: %s", t->path, what);
}

static int dr_err(struct dr_thread *t, const char *what, struct sim_err *err)
{
    return dr_err_at(t, UINT64_MAX, what, err);
}

static int pread_all(int fd, uint8_t *p, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = pread(fd, p + done, n - done, (off_t)(off + done));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        done += (size_t)k;
    }
    return 0;
}

static int member_cmp(const void *a, const void *b)
{
    const struct dr_member *x = a, *y = b;
    return x->chunk < y->chunk ? -1 : x->chunk > y->chunk;
}

/* Read the central directory of t->path and list its chunk members. */
static int zip_index(struct dr_thread *t, struct sim_err *err)
{
    struct stat st;
    if (fstat(t->fd, &st) < 0)
        return sim_err_set(err, SIM_EIO, "%s: %s", t->path, strerror(errno));
    uint64_t fsize = (uint64_t)st.st_size;
    size_t tail = fsize < 65557 ? (size_t)fsize : 65557;
    if (tail < 22)
        return sim_err_set(err, SIM_EFORMAT, "%s:0: too short for a zip file", t->path);
    uint8_t *b = malloc(tail);
    if (!b)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", t->path);
    if (pread_all(t->fd, b, tail, fsize - tail) < 0) {
        free(b);
        return sim_err_set(err, SIM_EIO, "%s: read error", t->path);
    }
    long eocd = -1;
    for (long i = (long)tail - 22; i >= 0; i--)
        if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 5 && b[i + 3] == 6) {
            eocd = i;
            break;
        }
    if (eocd < 0) {
        free(b);
        return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": no zip end-of-central-directory record",
                           t->path, fsize);
    }
    uint64_t eocd_off = fsize - tail + (uint64_t)eocd;
    unsigned nent = tr_le16(b + eocd + 10);
    uint64_t cdsize = tr_le32(b + eocd + 12), cdoff = tr_le32(b + eocd + 16);
    free(b);
    if (cdoff + cdsize > eocd_off || nent == 0xffff || cdoff == 0xffffffffu)
        return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": bad central directory (zip64 is not supported)",
                           t->path, eocd_off);
    uint8_t *cd = malloc(cdsize ? cdsize : 1);
    t->mem = calloc(nent ? nent : 1, sizeof(*t->mem));
    if (!cd || !t->mem) {
        free(cd);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", t->path);
    }
    if (pread_all(t->fd, cd, cdsize, cdoff) < 0) {
        free(cd);
        return sim_err_set(err, SIM_EIO, "%s: read error", t->path);
    }
    uint64_t o = 0;
    for (unsigned i = 0; i < nent; i++) {
        if (o + 46 > cdsize || tr_le32(cd + o) != 0x02014b50u) {
            free(cd);
            return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": bad central directory entry",
                               t->path, cdoff + o);
        }
        const uint8_t *e = cd + o;
        unsigned nlen = tr_le16(e + 28), xlen = tr_le16(e + 30), clen = tr_le16(e + 32);
        if (o + 46 + nlen > cdsize) {
            free(cd);
            return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": bad central directory entry",
                               t->path, cdoff + o);
        }
        char name[64];
        unsigned long num;
        char *endp;
        if (nlen > 6 && nlen < sizeof(name) && memcmp(e + 46, "chunk.", 6) == 0) {
            memcpy(name, e + 46, nlen);
            name[nlen] = '\0';
            errno = 0;
            num = strtoul(name + 6, &endp, 10);
            if (*endp == '\0' && endp != name + 6 && errno == 0 && num <= UINT32_MAX) {
                struct dr_member *m = &t->mem[t->nmem++];
                m->chunk = (uint32_t)num;
                m->method = tr_le16(e + 10);
                m->crc = tr_le32(e + 16);
                m->csize = tr_le32(e + 20);
                m->usize = tr_le32(e + 24);
                m->lho = tr_le32(e + 42);
                if (m->method != 0 && m->method != 8) {
                    free(cd);
                    return sim_err_set(err, SIM_EFORMAT, "%s: %s: unsupported zip method %u",
                                       t->path, name, m->method);
                }
            }
        }
        o += 46u + nlen + xlen + clen;
    }
    free(cd);
    if (t->nmem == 0)
        return sim_err_set(err, SIM_EFORMAT, "%s: no chunk.NNNN members: not a drmemtrace file",
                           t->path);
    qsort(t->mem, t->nmem, sizeof(*t->mem), member_cmp);
    return SIM_OK;
}

/* Position on member t->imem. */
static int member_begin(struct dr_thread *t, struct sim_err *err)
{
    struct dr_member *m = &t->mem[t->imem];
    uint8_t lh[30];
    if (pread_all(t->fd, lh, 30, m->lho) < 0 || tr_le32(lh) != 0x04034b50u)
        return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": bad zip local header (chunk.%04u)",
                           t->path, m->lho, m->chunk);
    t->data_off = m->lho + 30 + tr_le16(lh + 26) + tr_le16(lh + 28);
    t->cleft = m->csize;
    t->uoff = 0;
    t->crc = (uint32_t)crc32(0, Z_NULL, 0);
    t->in_pos = t->in_len = 0;
    t->in_member = true;
    t->have_chunk = true;
    t->out_chunk = m->chunk;
    if (m->method == 8) {
        if (t->zs_live)
            inflateEnd(&t->zs);
        memset(&t->zs, 0, sizeof(t->zs));
        if (inflateInit2(&t->zs, -15) != Z_OK)
            return sim_err_set(err, SIM_ENOMEM, "%s: cannot initialise zlib", t->path);
        t->zs_live = true;
    }
    return SIM_OK;
}

/* Decode more bytes of the current member into t->out.  Sets *end at the member's end. */
static int member_more(struct dr_thread *t, bool *end, struct sim_err *err)
{
    struct dr_member *m = &t->mem[t->imem];
    *end = false;
    if (t->in_pos == t->in_len && t->cleft > 0) {
        size_t k = t->cleft < DR_INCAP ? (size_t)t->cleft : DR_INCAP;
        if (pread_all(t->fd, t->in, k, t->data_off) < 0)
            return sim_err_set(err, SIM_EFORMAT, "%s: chunk.%04u: zip member truncated", t->path,
                               m->chunk);
        t->data_off += k;
        t->cleft -= k;
        t->in_pos = 0;
        t->in_len = k;
    }
    size_t room = DR_OUTCAP - t->out_len, got;
    bool fin;
    if (m->method == 0) {
        got = t->in_len - t->in_pos < room ? t->in_len - t->in_pos : room;
        memcpy(t->out + t->out_len, t->in + t->in_pos, got);
        t->in_pos += got;
        fin = t->in_pos == t->in_len && t->cleft == 0;
    } else {
        t->zs.next_in = t->in + t->in_pos;
        t->zs.avail_in = (uInt)(t->in_len - t->in_pos);
        t->zs.next_out = t->out + t->out_len;
        t->zs.avail_out = (uInt)room;
        int zr = inflate(&t->zs, Z_NO_FLUSH);
        t->in_pos = t->in_len - t->zs.avail_in;
        got = room - t->zs.avail_out;
        if (zr != Z_OK && zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && got)) {
            if (zr == Z_BUF_ERROR && t->cleft == 0 && t->in_pos == t->in_len)
                return dr_err(t, "deflate data truncated", err);
            return dr_err(t, "corrupt deflate data", err);
        }
        fin = zr == Z_STREAM_END;
        if (!fin && got == 0 && t->cleft == 0 && t->in_pos == t->in_len)
            return dr_err(t, "deflate data truncated", err);
    }
    t->crc = (uint32_t)crc32(t->crc, t->out + t->out_len, (uInt)got);
    t->out_len += got;
    t->uoff += got;
    if (fin) {
        if (t->uoff != m->usize || t->crc != m->crc)
            return dr_err(t, "zip member fails its CRC/length check (corrupt)", err);
        *end = true;
    }
    return SIM_OK;
}

/* Next raw entry of thread t: SIM_OK, SIM_END, or < 0. */
static int entry_get(struct dr_thread *t, uint16_t *type, uint16_t *size, uint64_t *addr,
                     struct sim_err *err)
{
    if (t->has_peek) {
        t->has_peek = false;
        *type = t->pk_type;
        *size = t->pk_size;
        *addr = t->pk_addr;
        return SIM_OK;
    }
    while (t->out_len - t->out_pos < DR_ENTRY) {
        if (t->out_pos > 0) {
            memmove(t->out, t->out + t->out_pos, t->out_len - t->out_pos);
            t->out_len -= t->out_pos;
            t->out_pos = 0;
        }
        if (!t->in_member) {
            if (t->out_len)
                return dr_err(t, "chunk ends in the middle of a record", err);
            if (t->imem >= t->nmem)
                return SIM_END;
            int rc = member_begin(t, err);
            if (rc < 0)
                return rc;
        }
        bool end;
        int rc = member_more(t, &end, err);
        if (rc < 0)
            return rc;
        if (end) {
            if (t->out_len % DR_ENTRY) {
                t->out_pos = t->out_len - t->out_len % DR_ENTRY;
                return dr_err(t, "chunk ends in the middle of a record", err);
            }
            t->in_member = false;
            t->imem++;
        }
    }
    const uint8_t *p = t->out + t->out_pos;
    *type = tr_le16(p);
    *size = tr_le16(p + 2);
    *addr = tr_le64(p + 4);
    t->e_off = t->uoff - (t->out_len - t->out_pos);
    t->out_pos += DR_ENTRY;
    return SIM_OK;
}

static bool is_fetch(unsigned type)
{
    return (type >= DR_INSTR && type <= DR_RETURN) || type == DR_SYSENTER || type == DR_TAKEN ||
           type == DR_UNTAKEN;
}

static bool is_prefetch(unsigned type)
{
    return (type >= 2 && type <= 9) || type == DR_HW_PREFETCH || (type >= 32 && type <= 46);
}

static int pid_asid(struct trace_reader *r, struct dr_state *st, uint64_t pid, uint16_t *asid,
                    struct sim_err *err)
{
    for (unsigned i = 0; i < st->npids; i++)
        if (st->pids[i] == pid) {
            *asid = (uint16_t)(i + 1);
            return SIM_OK;
        }
    if (st->npids >= UINT16_MAX)
        return sim_err_set(err, SIM_EFORMAT, "%s: more than 65535 processes", r->path);
    if (st->npids == st->cappids) {
        unsigned nc = st->cappids ? 2 * st->cappids : 8;
        uint64_t *np = realloc(st->pids, nc * sizeof(*np));
        if (!np)
            return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", r->path);
        st->pids = np;
        st->cappids = nc;
    }
    st->pids[st->npids++] = pid;
    r->extra.pids = st->npids;
    *asid = (uint16_t)st->npids;
    return SIM_OK;
}

/*
 * Handle one entry of thread t.  Returns 1 when *rec holds an event, 0 when
 * the entry was consumed silently, 2 when it is a segment-starting timestamp
 * (value in t->ts, thread must yield), < 0 on error.
 */
static int entry_apply(struct trace_reader *r, struct dr_state *st, struct dr_thread *t,
                       uint16_t type, uint16_t size, uint64_t addr, struct trace_rec *rec,
                       struct sim_err *err)
{
    if (is_fetch(type) || type == DR_READ || type == DR_WRITE) {
        memset(rec, 0, sizeof(*rec));
        rec->kind = type == DR_READ ? TR_LOAD : type == DR_WRITE ? TR_STORE : TR_IFETCH;
        rec->vmid = r->opts.vmid;
        rec->asid = t->asid;
        rec->size = size;
        rec->va = addr;
        return 1;
    }
    if (is_prefetch(type)) {
        r->extra.prefetches++;
        return 0;
    }
    switch (type) {
    case DR_PID: {
        int rc = pid_asid(r, st, addr, &t->asid, err);
        return rc < 0 ? rc : 0;
    }
    case DR_MARKER:
        r->extra.markers++;
        if (size == MK_TIMESTAMP) {
            t->ts = addr;
            return 2;
        }
        if (size == MK_PAGE_SIZE)
            r->extra.page_size = addr;
        else if (size == MK_PHYS || size == MK_VIRT)
            r->extra.phys_markers += size == MK_PHYS;
        else if (size == MK_VERSION)
            r->extra.version = (uint32_t)addr;
        return 0;
    case DR_HEADER:
        if (!r->extra.version)
            r->extra.version = (uint32_t)addr;
        return 0;
    case DR_BUNDLE: case 18: case 19: case 20: case 21: case DR_THREAD: case DR_THREAD_EXIT:
    case DR_FOOTER: case DR_NO_FETCH: case DR_MAYBE_FETCH: case DR_ENCODING:
        return 0;
    default: {
        char m[64];
        snprintf(m, sizeof(m), "unknown record type %u", type);
        return dr_err_at(t, t->e_off, m, err);
    }
    }
}

/* Read thread t up to the timestamp that opens its first segment. */
static int thread_prime(struct trace_reader *r, struct dr_state *st, struct dr_thread *t,
                        struct sim_err *err)
{
    uint16_t type, size;
    uint64_t addr;
    int rc = entry_get(t, &type, &size, &addr, err);
    if (rc == SIM_END || (rc == SIM_OK && type != DR_HEADER))
        return dr_err(t, "does not start with a drmemtrace header record", err);
    if (rc < 0)
        return rc;
    struct trace_rec tmp;
    entry_apply(r, st, t, type, size, addr, &tmp, err);
    for (;;) {
        rc = entry_get(t, &type, &size, &addr, err);
        if (rc == SIM_END) {
            t->done = true;
            return SIM_OK;
        }
        if (rc < 0)
            return rc;
        if (is_fetch(type) || type == DR_READ || type == DR_WRITE) {
            t->has_peek = true;     /* an event before any timestamp: segment at time 0 */
            t->pk_type = type;
            t->pk_size = size;
            t->pk_addr = addr;
            t->ts = 0;
            return SIM_OK;
        }
        rc = entry_apply(r, st, t, type, size, addr, &tmp, err);
        if (rc < 0)
            return rc;
        if (rc == 2)
            return SIM_OK;
    }
}

static int drmem_next(struct trace_reader *r, struct trace_rec *rec, struct sim_err *err)
{
    struct dr_state *st = r->priv;
    for (;;) {
        if (st->cur < 0) {
            int best = -1;
            for (unsigned i = 0; i < st->nt; i++)
                if (!st->t[i].done && (best < 0 || st->t[i].ts < st->t[best].ts))
                    best = (int)i;
            if (best < 0)
                return SIM_END;
            st->cur = best;
            st->t[best].started = false;
        }
        struct dr_thread *t = &st->t[st->cur];
        uint16_t type, size;
        uint64_t addr;
        int rc = entry_get(t, &type, &size, &addr, err);
        if (rc == SIM_END) {
            t->done = true;
            st->cur = -1;
            continue;
        }
        if (rc < 0)
            return rc;
        rc = entry_apply(r, st, t, type, size, addr, rec, err);
        if (rc < 0)
            return rc;
        if (rc == 2) {
            if (t->started)
                st->cur = -1;     /* a new segment: let the earliest one run */
            continue;
        }
        if (rc == 0)
            continue;
        t->started = true;
        uint16_t a = rec->asid;
        if (st->last_asid && a != st->last_asid) {
            r->pend[0] = *rec;     /* the access follows its context switch */
            r->npend = 1;
            r->ipend = 0;
            memset(rec, 0, sizeof(*rec));
            rec->kind = TR_CTX_SWITCH;
            rec->vmid = r->opts.vmid;
            rec->asid = a;
        }
        st->last_asid = a;
        return SIM_OK;
    }
}

static void drmem_fini(struct trace_reader *r)
{
    struct dr_state *st = r->priv;
    if (!st)
        return;
    for (unsigned i = 0; i < st->nt; i++) {
        struct dr_thread *t = &st->t[i];
        if (t->fd >= 0)
            close(t->fd);
        if (t->zs_live)
            inflateEnd(&t->zs);
        free(t->path);
        free(t->mem);
        free(t->in);
        free(t->out);
    }
    free(st->t);
    free(st->pids);
    free(st);
    r->priv = NULL;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* List dir's *.trace.zip files (sorted) into *names. */
static int list_dir(const char *dir, char ***names, unsigned *n, struct sim_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return sim_err_set(err, SIM_EIO, "%s: %s", dir, strerror(errno));
    unsigned cap = 0;
    struct dirent *de;
    int rc = SIM_OK;
    while ((de = readdir(d)) != NULL) {
        if (!ends_with(de->d_name, ".trace.zip"))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nn = realloc(*names, cap * sizeof(*nn));
            if (!nn) {
                rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", dir);
                break;
            }
            *names = nn;
        }
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        char *p = malloc(len);
        if (!p) {
            rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", dir);
            break;
        }
        snprintf(p, len, "%s/%s", dir, de->d_name);
        (*names)[(*n)++] = p;
    }
    closedir(d);
    if (rc == SIM_OK && *n)
        qsort(*names, *n, sizeof(**names), name_cmp);
    return rc;
}

int trace_drmem_init(struct trace_reader *r, struct sim_err *err)
{
    if (strcmp(r->path, "-") == 0)
        return sim_err_set(err, SIM_EINVAL, "-: drmemtrace needs a file or directory, not a pipe");
    struct dr_state *st = calloc(1, sizeof(*st));
    if (!st)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", r->path);
    st->cur = -1;
    r->priv = st;
    r->fini = drmem_fini;
    r->next = drmem_next;
    char **names = NULL;
    unsigned n = 0;
    int rc = SIM_OK;
    struct stat sb;
    if (stat(r->path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        rc = list_dir(r->path, &names, &n, err);
        if (rc == SIM_OK && n == 0) {
            size_t len = strlen(r->path) + 8;
            char *sub = malloc(len);
            if (!sub)
                return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", r->path);
            snprintf(sub, len, "%s/trace", r->path);
            if (stat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
                rc = list_dir(sub, &names, &n, err);
            free(sub);
        }
        if (rc == SIM_OK && n == 0)
            rc = sim_err_set(err, SIM_EFORMAT, "%s: no *.trace.zip files (nor in trace/)",
                             r->path);
    } else {
        names = malloc(sizeof(*names));
        if (names && (names[0] = strdup(r->path)) != NULL)
            n = 1;
        else
            rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", r->path);
    }
    if (rc == SIM_OK) {
        st->t = calloc(n, sizeof(*st->t));
        if (!st->t)
            rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", r->path);
    }
    for (unsigned i = 0; i < n; i++) {
        if (rc < 0 || !st->t) {
            free(names[i]);
            continue;
        }
        struct dr_thread *t = &st->t[i];
        t->path = names[i];
        t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
        st->nt++;
        if (t->fd < 0) {
            rc = sim_err_set(err, SIM_EIO, "%s: %s", t->path, strerror(errno));
            continue;
        }
        t->in = malloc(DR_INCAP);
        t->out = malloc(DR_OUTCAP);
        if (!t->in || !t->out)
            rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", t->path);
        else
            rc = zip_index(t, err);
    }
    free(names);
    r->extra.threads = n;
    for (unsigned i = 0; rc == SIM_OK && i < st->nt; i++)
        rc = thread_prime(r, st, &st->t[i], err);
    return rc;
}

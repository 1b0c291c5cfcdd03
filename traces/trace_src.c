/*
 * traces/trace_src.c - buffered input for trace readers: a file or stdin,
 * gzip (zlib, concatenated members allowed) and xz (liblzma, concatenated
 * streams allowed) decoded transparently.  Compression is detected from the
 * first bytes, never from the name, so pipes work: the peeked bytes stay in
 * the buffer and nothing is ever sought.
 */
#include "traces/trace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t gz_magic[2] = {0x1f, 0x8b};
static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};

/* read() until @n bytes or EOF; returns bytes read or -1. */
static ssize_t read_some(int fd, uint8_t *p, size_t n)
{
    for (;;) {
        ssize_t k = read(fd, p, n);
        if (k >= 0 || errno != EINTR)
            return k;
    }
}

static int read_in(struct tsrc *s, struct sim_err *err)
{
    if (s->in_pos < s->in_len || s->in_eof)
        return SIM_OK;
    ssize_t k = read_some(s->fd, s->in, TSRC_INCAP);
    if (k < 0)
        return sim_err_set(err, SIM_EIO, "%s: read: %s", s->path, strerror(errno));
    s->in_pos = 0;
    s->in_len = (size_t)k;
    s->in_total += (uint64_t)k;
    if (k == 0)
        s->in_eof = true;
    return SIM_OK;
}

int tsrc_open(struct tsrc *s, const char *path, struct sim_err *err)
{
    memset(s, 0, sizeof(*s));
    s->path = path;
    s->fd = -1;
    if (strcmp(path, "-") == 0) {
        s->fd = 0;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0)
            return sim_err_set(err, SIM_EIO, "%s: %s", path, strerror(errno));
        s->own_fd = true;
    }
    struct stat st;
    if (fstat(s->fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            tsrc_close(s);
            return sim_err_set(err, SIM_EINVAL, "%s: is a directory", path);
        }
        if (S_ISREG(st.st_mode))
            s->file_size = (uint64_t)st.st_size;
    }
    s->buf = malloc(TSRC_CAP);
    s->in = malloc(TSRC_INCAP);
    if (!s->buf || !s->in) {
        tsrc_close(s);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    }
    /* Peek: gather at least 6 bytes (or EOF) to recognise the magic numbers. */
    while (s->in_len < sizeof(xz_magic) && !s->in_eof) {
        ssize_t k = read_some(s->fd, s->in + s->in_len, TSRC_INCAP - s->in_len);
        if (k < 0) {
            int e = errno;
            tsrc_close(s);
            return sim_err_set(err, SIM_EIO, "%s: read: %s", path, strerror(e));
        }
        if (k == 0)
            s->in_eof = true;
        s->in_len += (size_t)k;
        s->in_total += (uint64_t)k;
    }
    if (s->in_len >= 2 && memcmp(s->in, gz_magic, 2) == 0) {
        s->comp = TSRC_GZIP;
        if (inflateInit2(&s->zs, 15 + 16) != Z_OK) {
            tsrc_close(s);
            return sim_err_set(err, SIM_ENOMEM, "%s: cannot initialise zlib", path);
        }
        s->zs_live = true;
    } else if (s->in_len >= 6 && memcmp(s->in, xz_magic, 6) == 0) {
        s->comp = TSRC_XZ;
        lzma_stream init = LZMA_STREAM_INIT;
        s->xs = init;
        if (lzma_stream_decoder(&s->xs, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
            tsrc_close(s);
            return sim_err_set(err, SIM_ENOMEM, "%s: cannot initialise liblzma", path);
        }
        s->xs_live = true;
    } else {
        /* Raw: the peeked bytes become the first decoded bytes. */
        s->comp = TSRC_RAW;
        memcpy(s->buf, s->in, s->in_len);
        s->len = s->in_len;
        s->in_pos = s->in_len = 0;
    }
    return SIM_OK;
}

/* Decode more bytes into buf[len..TSRC_CAP). */
static int produce(struct tsrc *s, struct sim_err *err)
{
    size_t room = TSRC_CAP - s->len;
    if (s->comp == TSRC_RAW) {
        ssize_t k = read_some(s->fd, s->buf + s->len, room);
        if (k < 0)
            return sim_err_set(err, SIM_EIO, "%s: read: %s", s->path, strerror(errno));
        if (k == 0)
            s->eof = true;
        s->len += (size_t)k;
        s->in_total += (uint64_t)k;
        return SIM_OK;
    }
    int rc = read_in(s, err);
    if (rc < 0)
        return rc;
    if (s->comp == TSRC_GZIP) {
        if (s->in_pos == s->in_len && s->in_eof)
            return sim_err_set(err, SIM_EFORMAT,
                               "%s:%" PRIu64 ": truncated gzip stream (compressed offset %" PRIu64 ")",
                               s->path, s->base + s->len, s->in_total);
        s->zs.next_in = s->in + s->in_pos;
        s->zs.avail_in = (uInt)(s->in_len - s->in_pos);
        s->zs.next_out = s->buf + s->len;
        s->zs.avail_out = (uInt)room;
        int zr = inflate(&s->zs, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->zs.avail_in;
        s->len = TSRC_CAP - s->zs.avail_out;
        if (zr == Z_STREAM_END) {
            /* Another gzip member may follow (concatenated .gz files). */
            rc = read_in(s, err);
            if (rc < 0)
                return rc;
            if (s->in_pos == s->in_len && s->in_eof)
                s->eof = true;
            else if (inflateReset(&s->zs) != Z_OK)
                return sim_err_set(err, SIM_EFORMAT, "%s: zlib reset failed", s->path);
            return SIM_OK;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            return sim_err_set(err, SIM_EFORMAT,
                               "%s:%" PRIu64 ": corrupt gzip data (compressed offset %" PRIu64 "): %s",
                               s->path, s->base + s->len,
                               s->in_total - (s->in_len - s->in_pos),
                               s->zs.msg ? s->zs.msg : "inflate error");
        return SIM_OK;
    }
    /* xz */
    s->xs.next_in = s->in + s->in_pos;
    s->xs.avail_in = s->in_len - s->in_pos;
    s->xs.next_out = s->buf + s->len;
    s->xs.avail_out = room;
    lzma_ret xr = lzma_code(&s->xs, s->in_eof ? LZMA_FINISH : LZMA_RUN);
    s->in_pos = s->in_len - s->xs.avail_in;
    s->len = TSRC_CAP - s->xs.avail_out;
    if (xr == LZMA_STREAM_END) {
        s->eof = true;
        return SIM_OK;
    }
    if (xr == LZMA_OK)
        return SIM_OK;
    if (xr == LZMA_BUF_ERROR)
        return sim_err_set(err, SIM_EFORMAT,
                           "%s:%" PRIu64 ": truncated xz stream (compressed offset %" PRIu64 ")",
                           s->path, s->base + s->len, s->in_total);
    return sim_err_set(err, SIM_EFORMAT,
                       "%s:%" PRIu64 ": corrupt xz data (compressed offset %" PRIu64 ", lzma error %d)",
                       s->path, s->base + s->len, s->in_total - (s->in_len - s->in_pos), (int)xr);
}

int tsrc_fill(struct tsrc *s, size_t need, struct sim_err *err)
{
    if (s->len - s->pos >= need || s->eof)
        return SIM_OK;
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->base += s->pos;
        s->pos = 0;
    }
    while (s->len < need && !s->eof) {
        size_t before = s->len;
        int rc = produce(s, err);
        if (rc < 0)
            return rc;
        /* A decoder that neither produces nor ends would spin: guard it. */
        if (s->len == before && !s->eof && s->comp != TSRC_RAW && s->in_eof &&
            s->in_pos == s->in_len) {
            return sim_err_set(err, SIM_EFORMAT, "%s:%" PRIu64 ": truncated compressed stream",
                               s->path, s->base + s->len);
        }
    }
    return SIM_OK;
}

void tsrc_close(struct tsrc *s)
{
    if (s->zs_live)
        inflateEnd(&s->zs);
    if (s->xs_live)
        lzma_end(&s->xs);
    s->zs_live = s->xs_live = false;
    if (s->own_fd && s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->buf);
    free(s->in);
    s->buf = s->in = NULL;
}

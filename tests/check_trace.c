/*
 * tests/check_trace.c - the trace readers and the native writer.
 *
 * Every fixture is built byte by byte here; the expected events are written
 * down from the format definitions (TRACE-FORMATS.md), never taken from the
 * program's output.  Damaged variants (truncated, corrupted) must give
 * SIM_EFORMAT with the offset or line of the fault in the message.
 */
#include <check.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sim/cmd_trace.h"
#include "traces/trace.h"
#include "traces/trace_int.h"
#include "traces/trace_native.h"

/* ------------------------------------------------------------ helpers */

static char tmpdir[64];

static void setup(void)
{
    strcpy(tmpdir, "/tmp/check_trace.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *tpath(const char *name)
{
    static char p[4][128];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof(p[i]), "%s/%s", tmpdir, name);
    return p[i];
}

static void put_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static uint8_t *get_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*n + 1);
    ck_assert_uint_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

static void put_gzip(const char *path, const void *data, size_t n)
{
    gzFile g = gzopen(path, "wb");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, data, (unsigned)n), (int)n);
    ck_assert_int_eq(gzclose(g), Z_OK);
}

static void put_xz(const char *path, const void *data, size_t n)
{
    size_t cap = n + n / 2 + 1024, outn = 0;
    uint8_t *out = malloc(cap);
    ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, data, n, out, &outn, cap),
                     LZMA_OK);
    put_file(path, out, outn);
    free(out);
}

static struct trace_rec ev(unsigned kind, unsigned vmid, unsigned asid, uint32_t size, uint64_t va)
{
    struct trace_rec r = {.kind = (uint8_t)kind, .vmid = (uint16_t)vmid, .asid = (uint16_t)asid,
                          .size = size, .va = va};
    return r;
}

#define ck_rec_eq(got, want)                                                                    \
    do {                                                                                        \
        ck_assert_uint_eq((got).kind, (want).kind);                                             \
        ck_assert_uint_eq((got).tlbi, (want).tlbi);                                             \
        ck_assert_uint_eq((got).vmid, (want).vmid);                                             \
        ck_assert_uint_eq((got).asid, (want).asid);                                             \
        ck_assert_uint_eq((got).size, (want).size);                                             \
        ck_assert_uint_eq((got).va, (want).va);                                                 \
    } while (0)

/* Read @path completely and compare with want[0..n). */
static void expect_events(const char *path, enum trace_format fmt, const struct trace_opts *o,
                          const struct trace_rec *want, size_t n)
{
    struct trace_reader *r;
    struct sim_err err;
    sim_err_clear(&err);
    int rc = trace_open(&r, path, fmt, o, &err);
    ck_assert_msg(rc == SIM_OK, "open %s: %s", path, err.msg);
    struct trace_rec got;
    for (size_t i = 0; i < n; i++) {
        rc = trace_next(r, &got, &err);
        ck_assert_msg(rc == SIM_OK, "event %zu: rc %d %s", i, rc, err.msg);
        ck_rec_eq(got, want[i]);
    }
    rc = trace_next(r, &got, &err);
    ck_assert_msg(rc == SIM_END, "expected the end after %zu events, rc %d %s", n, rc, err.msg);
    trace_close(r);
}

/* Read @path until an error; it must be SIM_EFORMAT whose message contains @needle. */
static void expect_error(const char *path, enum trace_format fmt, const char *needle)
{
    struct trace_reader *r;
    struct sim_err err;
    sim_err_clear(&err);
    int rc = trace_open(&r, path, fmt, NULL, &err);
    if (rc == SIM_OK) {
        struct trace_rec got;
        uint64_t n = 0;
        while ((rc = trace_next(r, &got, &err)) == SIM_OK)
            ck_assert_uint_lt(++n, 100000000);  /* no endless loop */
        trace_close(r);
    }
    ck_assert_msg(rc == SIM_EFORMAT, "%s: want SIM_EFORMAT, got %d (%s)", path, rc, err.msg);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "'%s' lacks '%s'", err.msg, needle);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
}

/* ------------------------------------------------------------ native */

/* Every kind, every TLBI operation, context changes without switch events. */
static const struct trace_rec native_events[] = {
    {.kind = TR_LOAD, .size = 8, .va = 0x1000},
    {.kind = TR_STORE, .size = 8, .va = 0x1008},
    {.kind = TR_IFETCH, .size = 4, .va = 0x400000},
    {.kind = TR_IFETCH, .size = 4, .va = 0x400004},
    {.kind = TR_IFETCH, .size = 4, .va = 0x3ffff0},                  /* negative delta */
    {.kind = TR_LOAD, .size = 64, .va = UINT64_C(0xffffffffffffffc0)},/* huge delta */
    {.kind = TR_LOAD, .size = 0, .va = 0},                           /* zero size */
    {.kind = TR_CTX_SWITCH, .asid = 7},
    {.kind = TR_LOAD, .asid = 7, .size = 2, .va = 0x2000},
    {.kind = TR_VM_SWITCH, .vmid = 3, .asid = 9},
    {.kind = TR_STORE, .vmid = 3, .asid = 9, .size = 4096, .va = 0x7fff0000},
    {.kind = TR_LOAD, .vmid = 3, .asid = 65535, .size = 8, .va = 0x10},  /* asid change, no event */
    {.kind = TR_LOAD, .vmid = 65535, .asid = 1, .size = 8, .va = 0x18},
    {.kind = TR_TLBI, .tlbi = TLBI_VMALLE1, .vmid = 65535},
    {.kind = TR_TLBI, .tlbi = TLBI_VAE1, .vmid = 65535, .asid = 4, .va = 0x12345000},
    {.kind = TR_TLBI, .tlbi = TLBI_VALE1, .vmid = 65535, .asid = 4, .va = 0x12345000},
    {.kind = TR_TLBI, .tlbi = TLBI_ASIDE1, .vmid = 2, .asid = 5},     /* other vmid */
    {.kind = TR_TLBI, .tlbi = TLBI_VAAE1, .vmid = 2, .va = UINT64_MAX},
    {.kind = TR_TLBI, .tlbi = TLBI_VAALE1, .vmid = 2, .va = 1},
    {.kind = TR_TLBI, .tlbi = TLBI_IPAS2E1, .vmid = 2, .va = 0x80000000},
    {.kind = TR_TLBI, .tlbi = TLBI_IPAS2LE1, .vmid = 2, .va = 0x80001000},
    {.kind = TR_TLBI, .tlbi = TLBI_VMALLS12E1, .vmid = 2},
    {.kind = TR_TLBI, .tlbi = TLBI_ALLE1, .vmid = 2},
    {.kind = TR_CTX_SWITCH, .vmid = 0, .asid = 3},                    /* vmid differs too */
    {.kind = TR_IFETCH, .vmid = 0, .asid = 3, .size = 2, .va = 0x3ffff2},
};

static void write_native(const char *path, const char *desc, const struct trace_rec *e, size_t n)
{
    struct trace_writer *w;
    struct sim_err err;
    ck_assert_int_eq(trace_writer_create(&w, path, desc, &err), SIM_OK);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(trace_writer_put(w, &e[i], &err), SIM_OK);
    ck_assert_uint_eq(trace_writer_count(w), n);
    ck_assert_int_eq(trace_writer_close(w, &err), SIM_OK);
}

START_TEST(test_native_roundtrip)
{
    const char *p = tpath("a.trc");
    write_native(p, "round trip", native_events, ARRAY_SIZE(native_events));
    expect_events(p, TRACE_FMT_AUTO, NULL, native_events, ARRAY_SIZE(native_events));
    struct trace_reader *r;
    struct sim_err err;
    ck_assert_int_eq(trace_open(&r, p, TRACE_FMT_AUTO, NULL, &err), SIM_OK);
    ck_assert_int_eq(trace_reader_format(r), TRACE_FMT_NATIVE);
    ck_assert_str_eq(trace_reader_extra(r)->desc, "round trip");
    trace_close(r);
    /* No temporary file is left beside the output. */
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "test $(ls '%s' | wc -l) -eq 1", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_native_layout)
{
    /* Hand-encoded: header (16 B + 2-byte description), then
     *  load 8 B at 0x10:   tag 0|S|I, zigzag(0x10)=0x20 does not fit 4 bits ->
     *                      tag 0x04 (S), varint 0x20, varint size 8
     *  ifetch 4 B at 0x4:  tag 2|S|I|zz(4)=8<<4 = 0x8e, size 4
     *  ifetch at 0x8:      tag 2|I|(8<<4) = 0x8a
     *  end count 3:        tag 3|(3<<2) = 0x0f, 0x03 */
    static const uint8_t want[] = {'M', 'M', 'U', 'S', 'I', 'M', 'T', 'R', 1, 0, 0, 0, 2, 0, 0, 0,
                                   'h', 'i', 0x04, 0x20, 0x08, 0x8e, 0x04, 0x8a, 0x0f, 0x03};
    const struct trace_rec e[] = {ev(TR_LOAD, 0, 0, 8, 0x10), ev(TR_IFETCH, 0, 0, 4, 4),
                                  ev(TR_IFETCH, 0, 0, 4, 8)};
    const char *p = tpath("l.trc");
    write_native(p, "hi", e, 3);
    size_t n;
    uint8_t *b = get_file(p, &n);
    ck_assert_uint_eq(n, sizeof(want));
    ck_assert_mem_eq(b, want, n);
    free(b);
}
END_TEST

START_TEST(test_native_damaged)
{
    const char *p = tpath("d.trc");
    write_native(p, "", native_events, ARRAY_SIZE(native_events));
    size_t n;
    uint8_t *b = get_file(p, &n);
    /* Every truncation is an error, never a crash or a clean end. */
    for (size_t cut = 0; cut < n; cut++) {
        put_file(tpath("t.trc"), b, cut);
        expect_error(tpath("t.trc"), TRACE_FMT_NATIVE, tpath("t.trc"));
    }
    /* The first record starts at 16 (empty description): an unknown special op there. */
    uint8_t *c = malloc(n);
    memcpy(c, b, n);
    c[16] = 0xff;
    put_file(tpath("c.trc"), c, n);
    expect_error(tpath("c.trc"), TRACE_FMT_NATIVE, ":16: unknown record tag 0xff");
    /* Bad version at offset 8. */
    memcpy(c, b, n);
    c[8] = 9;
    put_file(tpath("v.trc"), c, n);
    expect_error(tpath("v.trc"), TRACE_FMT_NATIVE, ":8: unsupported native trace version 9");
    /* Trailing garbage after the end record. */
    uint8_t *g = malloc(n + 1);
    memcpy(g, b, n);
    g[n] = 0;
    put_file(tpath("g.trc"), g, n + 1);
    char needle[32];
    snprintf(needle, sizeof(needle), ":%zu: data after the end record", n);
    expect_error(tpath("g.trc"), TRACE_FMT_NATIVE, needle);
    free(g);
    free(c);
    free(b);
}
END_TEST

/*
 * trace_next_batch() gives the events trace_next() gives, whatever the batch size:
 * a long trace mixing inline, one-byte and long deltas, explicit sizes, both
 * address streams, switches and TLBIs (events made here, not read back), and a
 * truncated copy whose error comes after exactly the events before the cut.
 */
START_TEST(test_native_batch)
{
    enum { N = 6000 };
    struct trace_rec *e = calloc(N, sizeof(*e));
    uint64_t va = 0x100000, pc = 0x400000;
    unsigned vmid = 1, asid = 1;
    for (unsigned i = 0; i < N; i++) {
        unsigned r = (i * 2654435761u) >> 24;
        if (i % 997 == 500) {
            asid++;
            e[i] = (struct trace_rec){ .kind = TR_CTX_SWITCH, .vmid = (uint16_t)vmid,
                                       .asid = (uint16_t)asid };
        } else if (i % 1499 == 700) {
            e[i] = (struct trace_rec){ .kind = TR_TLBI, .tlbi = TLBI_VAE1, .vmid = (uint16_t)vmid,
                                       .asid = (uint16_t)asid, .va = va };
        } else if (r % 4 == 0) {
            pc += 4;
            e[i] = ev(TR_IFETCH, vmid, asid, 4, pc);
        } else {
            /* deltas of every encoding: inline (|d| < 8), one byte, several bytes */
            int64_t d = r % 3 == 0 ? 8 : r % 3 == 1 ? 40 : (int64_t)(r * 4099) - 500000;
            va += (uint64_t)d;
            e[i] = ev(r % 5 == 1 ? TR_STORE : TR_LOAD, vmid, asid, r % 7 == 0 ? 16 : 8, va);
        }
    }
    const char *p = tpath("b.trc");
    write_native(p, "batch", e, N);
    static const unsigned maxes[] = { 1, 7, 256 };
    for (unsigned m = 0; m < ARRAY_SIZE(maxes); m++) {
        struct trace_reader *r;
        struct sim_err err;
        ck_assert_int_eq(trace_open(&r, p, TRACE_FMT_AUTO, NULL, &err), SIM_OK);
        struct trace_rec got[256];
        unsigned n = 0;
        int k;
        while ((k = trace_next_batch(r, got, maxes[m], &err)) > 0) {
            ck_assert_int_le(k, (int)maxes[m]);
            for (int j = 0; j < k; j++, n++) {
                ck_assert_uint_lt(n, N);
                ck_rec_eq(got[j], e[n]);
            }
        }
        ck_assert_msg(k == 0, "max %u: rc %d %s", maxes[m], k, err.msg);
        ck_assert_uint_eq(n, N);
        trace_close(r);
    }

    /* Cut in the middle of the records: the same events, then the same error. */
    size_t len;
    uint8_t *b = get_file(p, &len);
    put_file(tpath("bt.trc"), b, len / 2 + 3);
    free(b);
    struct trace_reader *r;
    struct sim_err e1, e2;
    struct trace_rec one, got[256];
    ck_assert_int_eq(trace_open(&r, tpath("bt.trc"), TRACE_FMT_AUTO, NULL, &e1), SIM_OK);
    unsigned n1 = 0;
    int rc;
    for (; (rc = trace_next(r, &one, &e1)) == SIM_OK; n1++)
        ck_rec_eq(one, e[n1]);
    trace_close(r);
    ck_assert_int_eq(rc, SIM_EFORMAT);
    ck_assert_uint_gt(n1, N / 4);
    ck_assert_int_eq(trace_open(&r, tpath("bt.trc"), TRACE_FMT_AUTO, NULL, &e2), SIM_OK);
    unsigned n2 = 0;
    int k;
    while ((k = trace_next_batch(r, got, 256, &e2)) > 0)
        for (int j = 0; j < k; j++, n2++)
            ck_rec_eq(got[j], e[n2]);
    trace_close(r);
    ck_assert_int_eq(k, SIM_EFORMAT);
    ck_assert_uint_eq(n2, n1);
    ck_assert_str_eq(e2.msg, e1.msg);
    free(e);
}
END_TEST

START_TEST(test_native_compressed)
{
    const char *p = tpath("z.trc");
    write_native(p, "z", native_events, ARRAY_SIZE(native_events));
    size_t n;
    uint8_t *b = get_file(p, &n);
    put_gzip(tpath("z.gz.bin"), b, n);        /* names without .gz/.xz: content decides */
    put_xz(tpath("z.xz.bin"), b, n);
    expect_events(tpath("z.gz.bin"), TRACE_FMT_AUTO, NULL, native_events, ARRAY_SIZE(native_events));
    expect_events(tpath("z.xz.bin"), TRACE_FMT_AUTO, NULL, native_events, ARRAY_SIZE(native_events));
    /* A truncated compressed stream is an error. */
    size_t gn;
    uint8_t *gz = get_file(tpath("z.gz.bin"), &gn);
    put_file(tpath("zt.bin"), gz, gn - 12);
    expect_error(tpath("zt.bin"), TRACE_FMT_AUTO, "truncated");
    uint8_t *xz = get_file(tpath("z.xz.bin"), &gn);
    put_file(tpath("xt.bin"), xz, gn / 2);
    expect_error(tpath("xt.bin"), TRACE_FMT_AUTO, "truncated");
    free(gz);
    free(xz);
    free(b);
}
END_TEST

/* ------------------------------------------------------------ lackey */

START_TEST(test_lackey)
{
    static const char txt[] = "==4242== Lackey, an example Valgrind tool\n"
                              "==4242== \n"
                              "I  0400d7d4,8\n"
                              " L 04222cac,8\n"
                              " S 7ff000ff8,4\n"
                              " M 04222cb0,16\n"
                              "\n"
                              "--4242-- some chatter\n"
                              "I  0400d7dc,3";    /* last line without newline */
    const struct trace_rec want[] = {
        ev(TR_IFETCH, 0, 0, 8, 0x0400d7d4), ev(TR_LOAD, 0, 0, 8, 0x04222cac),
        ev(TR_STORE, 0, 0, 4, 0x7ff000ff8), ev(TR_LOAD, 0, 0, 16, 0x04222cb0),
        ev(TR_STORE, 0, 0, 16, 0x04222cb0), ev(TR_IFETCH, 0, 0, 3, 0x0400d7dc),
    };
    put_file(tpath("a.lackey"), txt, strlen(txt));
    expect_events(tpath("a.lackey"), TRACE_FMT_AUTO, NULL, want, ARRAY_SIZE(want));
    put_gzip(tpath("a.bin"), txt, strlen(txt));
    expect_events(tpath("a.bin"), TRACE_FMT_AUTO, NULL, want, ARRAY_SIZE(want));
    /* Malformed records: error names line 4. */
    static const char *bad[] = {
        "==1== x\nI  0400d7d4,8\n L 04222cac,8\n L 0422zcac,8\n",
        "==1== x\nI  0400d7d4,8\n L 04222cac,8\n L 04222cac\n",
        "==1== x\nI  0400d7d4,8\n L 04222cac,8\n X 04222cac,8\n",
        "==1== x\nI  0400d7d4,8\n L 04222cac,8\n L 04222cac,99999999999\n",
        "==1== x\nI  0400d7d4,8\n L 04222cac,8\n L 04222cac,8 junk\n",
        "==1== x\nI  0400d7d4,8\n L 04222cac,8\n\x01\x02\n",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        put_file(tpath("b.lackey"), bad[i], strlen(bad[i]));
        expect_error(tpath("b.lackey"), TRACE_FMT_LACKEY, "b.lackey:4: malformed lackey line");
    }
}
END_TEST

/* ------------------------------------------------------------ ChampSim */

static void le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

START_TEST(test_champsim)
{
    /* Two input_instr records (64 B): ip@0, is_branch@8, taken@9, dm[2]@16, sm[4]@32. */
    uint8_t b[128] = {0};
    le64(b + 0, 0x401000);
    le64(b + 32, 0x7000);          /* sm[0] */
    le64(b + 48, 0x7040);          /* sm[2]; sm[1] = 0 is unused */
    le64(b + 24, 0x8000);          /* dm[1] */
    le64(b + 64, 0x401004);
    b[64 + 8] = 1;                 /* branch, taken */
    b[64 + 9] = 1;
    put_file(tpath("c.champsim"), b, sizeof(b));
    struct trace_opts o;
    trace_opts_default(&o);
    o.champsim_access_size = 4;
    const struct trace_rec want[] = {
        ev(TR_IFETCH, 0, 0, 4, 0x401000), ev(TR_LOAD, 0, 0, 4, 0x7000), ev(TR_LOAD, 0, 0, 4, 0x7040),
        ev(TR_STORE, 0, 0, 4, 0x8000), ev(TR_IFETCH, 0, 0, 4, 0x401004),
    };
    expect_events(tpath("c.champsim"), TRACE_FMT_CHAMPSIM, &o, want, ARRAY_SIZE(want));
    /* 128 bytes are two plausible 64-B records but not a whole number of 96-B ones. */
    expect_events(tpath("c.champsim"), TRACE_FMT_AUTO, &o, want, ARRAY_SIZE(want));
    /* Truncated final record: offset 64 in the message. */
    put_file(tpath("t.champsim"), b, 100);
    expect_error(tpath("t.champsim"), TRACE_FMT_CHAMPSIM, "t.champsim:64: truncated champsim record (36 of 64 bytes)");

    /* cloudsuite_instr (96 B): dm[4]@24, sm[4]@56, asid[2]@88. */
    uint8_t c[96] = {0};
    le64(c, 0x500000);
    le64(c + 56 + 8, 0x9000);      /* sm[1] */
    le64(c + 24 + 24, 0xa000);     /* dm[3] */
    c[88] = 5;
    c[89] = 6;
    put_file(tpath("c.cloud"), c, sizeof(c));
    const struct trace_rec wc[] = {
        ev(TR_IFETCH, 0, 5, 4, 0x500000), ev(TR_LOAD, 0, 6, 8, 0x9000), ev(TR_STORE, 0, 6, 8, 0xa000),
    };
    expect_events(tpath("c.cloud"), TRACE_FMT_CLOUDSUITE, NULL, wc, ARRAY_SIZE(wc));
    put_file(tpath("t.cloud"), c, 95);
    expect_error(tpath("t.cloud"), TRACE_FMT_CLOUDSUITE, "t.cloud:0: truncated cloudsuite record");
}
END_TEST

/* ------------------------------------------------------------ CVP / CBP-2025 */

START_TEST(test_cvp)
{
    uint8_t b[256];
    size_t n = 0;
    /* 1: load pc 0x1000, ea 0x8000 size 8, in {1}, out {2} + 8-byte value */
    le64(b + n, 0x1000); n += 8; b[n++] = 1;
    le64(b + n, 0x8000); n += 8; b[n++] = 8;
    b[n++] = 1; b[n++] = 1; b[n++] = 1; b[n++] = 2; le64(b + n, 42); n += 8;
    /* 2: cond branch taken to 0x2000, no regs */
    le64(b + n, 0x1004); n += 8; b[n++] = 3; b[n++] = 1; le64(b + n, 0x2000); n += 8;
    b[n++] = 0; b[n++] = 0;
    /* 3: store pc 0x2000, ea 0x9000 size 16, out {33}: SIMD 16-byte value */
    le64(b + n, 0x2000); n += 8; b[n++] = 2;
    le64(b + n, 0x9000); n += 8; b[n++] = 16;
    b[n++] = 0; b[n++] = 1; b[n++] = 33; memset(b + n, 0xab, 16); n += 16;
    /* 4: alu, out {64} flags: 8 bytes */
    le64(b + n, 0x2004); n += 8; b[n++] = 0; b[n++] = 0; b[n++] = 1; b[n++] = 64;
    le64(b + n, 1); n += 8;
    const size_t rec4 = n - 20;        /* the alu record: 8+1+1+1+1+8 = 20 bytes */
    put_gzip(tpath("c.cvp.gz"), b, n);
    const struct trace_rec want[] = {
        ev(TR_IFETCH, 0, 0, 4, 0x1000), ev(TR_LOAD, 0, 0, 8, 0x8000), ev(TR_IFETCH, 0, 0, 4, 0x1004),
        ev(TR_IFETCH, 0, 0, 4, 0x2000), ev(TR_STORE, 0, 0, 16, 0x9000), ev(TR_IFETCH, 0, 0, 4, 0x2004),
    };
    expect_events(tpath("c.cvp.gz"), TRACE_FMT_CVP, NULL, want, ARRAY_SIZE(want));
    /* Truncated inside the last record: the error names where it starts. */
    put_gzip(tpath("t.cvp.gz"), b, n - 3);
    char needle[64];
    snprintf(needle, sizeof(needle), "t.cvp.gz:%zu: cvp truncated record", rec4);
    expect_error(tpath("t.cvp.gz"), TRACE_FMT_CVP, needle);
    /* Unknown class 8 in the first record. */
    b[8] = 8;
    put_gzip(tpath("u.cvp.gz"), b, n);
    expect_error(tpath("u.cvp.gz"), TRACE_FMT_CVP, "u.cvp.gz:0: cvp unknown instruction class");

    /* CBP-2025: load adds base_update; store adds base_update + has_reg_offset; call class 9. */
    n = 0;
    le64(b + n, 0x3000); n += 8; b[n++] = 1; le64(b + n, 0xc000); n += 8; b[n++] = 4; b[n++] = 0;
    b[n++] = 0; b[n++] = 1; b[n++] = 65; le64(b + n, 0); n += 8;   /* zero register out */
    le64(b + n, 0x3004); n += 8; b[n++] = 2; le64(b + n, 0xd000); n += 8; b[n++] = 2;
    b[n++] = 1; b[n++] = 0; b[n++] = 0; b[n++] = 0;
    le64(b + n, 0x3008); n += 8; b[n++] = 9; b[n++] = 1; le64(b + n, 0x5000); n += 8;
    b[n++] = 0; b[n++] = 0;
    put_gzip(tpath("c.cbp.gz"), b, n);
    const struct trace_rec wc[] = {
        ev(TR_IFETCH, 0, 0, 4, 0x3000), ev(TR_LOAD, 0, 0, 4, 0xc000), ev(TR_IFETCH, 0, 0, 4, 0x3004),
        ev(TR_STORE, 0, 0, 2, 0xd000), ev(TR_IFETCH, 0, 0, 4, 0x3008),
    };
    expect_events(tpath("c.cbp.gz"), TRACE_FMT_CBP2025, NULL, wc, ARRAY_SIZE(wc));
}
END_TEST

/* ------------------------------------------------------------ drmemtrace */

struct zbuf {
    uint8_t b[8192];
    size_t n;
};

static void z16(struct zbuf *z, unsigned v)
{
    z->b[z->n++] = (uint8_t)v;
    z->b[z->n++] = (uint8_t)(v >> 8);
}

static void z32(struct zbuf *z, uint32_t v)
{
    z16(z, v & 0xffff);
    z16(z, v >> 16);
}

static void dr_ent(uint8_t *p, size_t *n, unsigned type, unsigned size, uint64_t addr)
{
    p[*n] = (uint8_t)type;
    p[*n + 1] = (uint8_t)(type >> 8);
    p[*n + 2] = (uint8_t)size;
    p[*n + 3] = (uint8_t)(size >> 8);
    le64(p + *n + 4, addr);
    *n += 12;
}

/* A zip of stored members (method 0), names chunk.NNNN, written in the order given. */
static void write_zip(const char *path, const char *const *names, uint8_t *const *data,
                      const size_t *len, unsigned n)
{
    struct zbuf *z = calloc(1, sizeof(*z));
    uint32_t off[8];
    for (unsigned i = 0; i < n; i++) {
        off[i] = (uint32_t)z->n;
        z32(z, 0x04034b50); z16(z, 10); z16(z, 0); z16(z, 0); z16(z, 0); z16(z, 0);
        z32(z, (uint32_t)crc32(0, data[i], (uInt)len[i]));
        z32(z, (uint32_t)len[i]); z32(z, (uint32_t)len[i]);
        z16(z, (unsigned)strlen(names[i])); z16(z, 0);
        memcpy(z->b + z->n, names[i], strlen(names[i])); z->n += strlen(names[i]);
        memcpy(z->b + z->n, data[i], len[i]); z->n += len[i];
    }
    uint32_t cd = (uint32_t)z->n;
    for (unsigned i = 0; i < n; i++) {
        z32(z, 0x02014b50); z16(z, 20); z16(z, 10); z16(z, 0); z16(z, 0); z16(z, 0); z16(z, 0);
        z32(z, (uint32_t)crc32(0, data[i], (uInt)len[i]));
        z32(z, (uint32_t)len[i]); z32(z, (uint32_t)len[i]);
        z16(z, (unsigned)strlen(names[i])); z16(z, 0); z16(z, 0); z16(z, 0); z16(z, 0); z32(z, 0);
        z32(z, off[i]);
        memcpy(z->b + z->n, names[i], strlen(names[i])); z->n += strlen(names[i]);
    }
    uint32_t cdlen = (uint32_t)z->n - cd;
    z32(z, 0x06054b50); z16(z, 0); z16(z, 0); z16(z, n); z16(z, n); z32(z, cdlen); z32(z, cd);
    z16(z, 0);
    put_file(path, z->b, z->n);
    free(z);
}

START_TEST(test_drmemtrace)
{
    /* Thread A (pid 100): ts 10: instr + read; chunk.0001 (stored out of order): ts 30: instr.
     * Thread B (pid 200): ts 20: instr + write + prefetch (skipped); ts 40: instr.
     * Merge by segment timestamp: A@10, B@20, A@30, B@40.  PIDs -> ASIDs 1 (100), 2 (200). */
    uint8_t a0[256], a1[64], b0[256];
    size_t na0 = 0, na1 = 0, nb0 = 0;
    dr_ent(a0, &na0, 25, 0, 5);            /* header, version 5 */
    dr_ent(a0, &na0, 22, 4, 1);            /* thread */
    dr_ent(a0, &na0, 24, 4, 100);          /* pid */
    dr_ent(a0, &na0, 28, 18, 4096);        /* marker page size */
    dr_ent(a0, &na0, 28, 2, 10);           /* marker timestamp */
    dr_ent(a0, &na0, 47, 4, 0xd503201f);   /* encoding: skipped */
    dr_ent(a0, &na0, 10, 4, 0x400000);
    dr_ent(a0, &na0, 0, 8, 0x7000);
    dr_ent(a1, &na1, 28, 2, 30);
    dr_ent(a1, &na1, 14, 4, 0x400004);     /* direct call: a fetch */
    dr_ent(b0, &nb0, 25, 0, 5);
    dr_ent(b0, &nb0, 22, 4, 2);
    dr_ent(b0, &nb0, 24, 4, 200);
    dr_ent(b0, &nb0, 28, 2, 20);
    dr_ent(b0, &nb0, 48, 4, 0x500000);     /* taken jump: a fetch */
    dr_ent(b0, &nb0, 1, 16, 0x9000);
    dr_ent(b0, &nb0, 3, 64, 0xa000);       /* prefetch: skipped */
    dr_ent(b0, &nb0, 28, 2, 40);
    dr_ent(b0, &nb0, 29, 4, 0x500004);     /* instr no fetch: skipped */
    dr_ent(b0, &nb0, 16, 4, 0x500008);     /* return: a fetch */
    dr_ent(b0, &nb0, 26, 0, 0);            /* footer */
    mkdir(tpath("dr"), 0755);
    const char *na[] = {"chunk.0001", "chunk.0000"};
    uint8_t *da[] = {a1, a0};
    size_t la[] = {na1, na0};
    write_zip(tpath("dr/t.a.trace.zip"), na, da, la, 2);
    const char *nb[] = {"chunk.0000"};
    uint8_t *db[] = {b0};
    size_t lb[] = {nb0};
    write_zip(tpath("dr/t.b.trace.zip"), nb, db, lb, 1);
    const struct trace_rec want[] = {
        ev(TR_IFETCH, 0, 1, 4, 0x400000), ev(TR_LOAD, 0, 1, 8, 0x7000),
        ev(TR_CTX_SWITCH, 0, 2, 0, 0), ev(TR_IFETCH, 0, 2, 4, 0x500000), ev(TR_STORE, 0, 2, 16, 0x9000),
        ev(TR_CTX_SWITCH, 0, 1, 0, 0), ev(TR_IFETCH, 0, 1, 4, 0x400004),
        ev(TR_CTX_SWITCH, 0, 2, 0, 0), ev(TR_IFETCH, 0, 2, 4, 0x500008),
    };
    expect_events(tpath("dr"), TRACE_FMT_AUTO, NULL, want, ARRAY_SIZE(want));
    /* One file alone, detected from its content. */
    const struct trace_rec wa[] = {ev(TR_IFETCH, 0, 1, 4, 0x400000), ev(TR_LOAD, 0, 1, 8, 0x7000),
                                   ev(TR_IFETCH, 0, 1, 4, 0x400004)};
    expect_events(tpath("dr/t.a.trace.zip"), TRACE_FMT_AUTO, NULL, wa, ARRAY_SIZE(wa));
    struct trace_reader *r;
    struct sim_err err;
    ck_assert_int_eq(trace_open(&r, tpath("dr"), TRACE_FMT_AUTO, NULL, &err), SIM_OK);
    struct trace_rec x;
    while (trace_next(r, &x, &err) == SIM_OK)
        ;
    ck_assert_uint_eq(trace_reader_extra(r)->prefetches, 1);
    ck_assert_uint_eq(trace_reader_extra(r)->page_size, 4096);
    ck_assert_uint_eq(trace_reader_extra(r)->pids, 2);
    trace_close(r);

    /* A chunk with a partial record (13 bytes short of two entries). */
    size_t nbad = 24 + 5;
    uint8_t *dbad[] = {a0};
    size_t lbad[] = {nbad};
    write_zip(tpath("bad1.zip"), nb, dbad, lbad, 1);
    expect_error(tpath("bad1.zip"), TRACE_FMT_DRMEMTRACE, "chunk ends in the middle of a record");
    /* A corrupted member byte fails the CRC check. */
    size_t zn;
    uint8_t *zb = get_file(tpath("dr/t.b.trace.zip"), &zn);
    zb[30 + 10 + 50] ^= 0x40;   /* inside the stored data (local header 30 + name 10) */
    put_file(tpath("bad2.zip"), zb, zn);
    expect_error(tpath("bad2.zip"), TRACE_FMT_DRMEMTRACE, "CRC");
    /* Truncated zip: the end-of-central-directory record is gone. */
    put_file(tpath("bad3.zip"), zb, zn - 30);
    expect_error(tpath("bad3.zip"), TRACE_FMT_DRMEMTRACE, "bad3.zip");
    free(zb);
    /* An unknown record type names the member and offset: type 99 as entry 1 of a0. */
    a0[12] = 99;
    a0[13] = 0;
    uint8_t *dun[] = {a0};
    size_t lun[] = {na0};
    write_zip(tpath("bad4.zip"), nb, dun, lun, 1);
    expect_error(tpath("bad4.zip"), TRACE_FMT_DRMEMTRACE, "bad4.zip:chunk.0000:12: unknown record type 99");
}
END_TEST

START_TEST(test_drmemtrace_sample)
{
    const char *sd = getenv("SHARED_DIR");
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/traces/drmemtrace-threadsig-aarch64/trace", sd ? sd : "../shared");
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "check_trace: SKIP drmemtrace sample test: %s is absent\n", dir);
        return;
    }
    struct trace_reader *r;
    struct sim_err err;
    ck_assert_msg(trace_open(&r, dir, TRACE_FMT_AUTO, NULL, &err) == SIM_OK, "%s", err.msg);
    uint64_t k[TR_KIND_COUNT] = {0};
    struct trace_rec x;
    int rc;
    while ((rc = trace_next(r, &x, &err)) == SIM_OK)
        k[x.kind]++;
    ck_assert_msg(rc == SIM_END, "%s", err.msg);
    /* Totals by record kind, counted independently with Python zipfile+struct over every
     * chunk (types 10-16,48,49 = fetches; 0 = read; 1 = write; 3 = prefetch); they agree
     * with TRACE-FORMATS.md A.9 (12.05M instrs, 210K reads, 2.61M writes). */
    ck_assert_uint_eq(k[TR_IFETCH], 12050661);
    ck_assert_uint_eq(k[TR_LOAD], 210261);
    ck_assert_uint_eq(k[TR_STORE], 2607283);
    ck_assert_uint_eq(k[TR_CTX_SWITCH], 0);     /* one process */
    ck_assert_uint_eq(trace_reader_extra(r)->prefetches, 39);
    ck_assert_uint_eq(trace_reader_extra(r)->threads, 21);
    ck_assert_uint_eq(trace_reader_extra(r)->page_size, 4096);
    trace_close(r);
}
END_TEST


/* ------------------------------------------------------------ convert */

/* Read two traces side by side: same events, same count. */
static void expect_same(const char *a, enum trace_format fa, const char *b)
{
    struct trace_reader *ra, *rb;
    struct sim_err err;
    ck_assert_msg(trace_open(&ra, a, fa, NULL, &err) == SIM_OK, "%s", err.msg);
    ck_assert_msg(trace_open(&rb, b, TRACE_FMT_NATIVE, NULL, &err) == SIM_OK, "%s", err.msg);
    struct trace_rec x, y;
    int ka, kb;
    uint64_t n = 0;
    do {
        ka = trace_next(ra, &x, &err);
        kb = trace_next(rb, &y, &err);
        ck_assert_int_eq(ka, kb);
        if (ka == SIM_OK)
            ck_rec_eq(x, y);
        n++;
    } while (ka == SIM_OK);
    ck_assert_int_eq(ka, SIM_END);
    ck_assert_uint_gt(n, 1);
    trace_close(ra);
    trace_close(rb);
}

START_TEST(test_convert_roundtrip)
{
    static const char txt[] = "==1== x\nI  0400d7d4,8\n L 04222cac,8\n S 7ff000ff8,4\n"
                              " M 04222cb0,16\nI  0400d7dc,3\nI  ffffffff00000000,4\n";
    put_file(tpath("r.lackey"), txt, strlen(txt));
    char *av[] = {"convert", (char *)tpath("r.lackey"), (char *)tpath("r.trc"), NULL};
    ck_assert_int_eq(cmd_convert(3, av), 0);
    expect_same(tpath("r.lackey"), TRACE_FMT_AUTO, tpath("r.trc"));

    uint8_t b[64 * 3] = {0};
    for (int i = 0; i < 3; i++) {
        le64(b + 64 * i, 0x401000 + 4 * (uint64_t)i);
        le64(b + 64 * i + 32 + 8 * i, 0x7000 + 0x1000 * (uint64_t)i);
        le64(b + 64 * i + 16, i == 1 ? 0x8000 : 0);
    }
    put_file(tpath("r.cs"), b, sizeof(b));
    char *av2[] = {"convert", "--format", "champsim", (char *)tpath("r.cs"), (char *)tpath("r2.trc"),
                   NULL};
    ck_assert_int_eq(cmd_convert(5, av2), 0);
    expect_same(tpath("r.cs"), TRACE_FMT_CHAMPSIM, tpath("r2.trc"));

    /* A damaged source fails with exit 2 and leaves no output behind. */
    put_file(tpath("bad.cs"), b, 100);
    char *av3[] = {"convert", "--format", "champsim", (char *)tpath("bad.cs"),
                   (char *)tpath("bad.trc"), NULL};
    ck_assert_int_eq(cmd_convert(5, av3), 2);
    ck_assert_int_ne(access(tpath("bad.trc"), F_OK), 0);
}
END_TEST

/* ------------------------------------------------------------ misc */

START_TEST(test_detect_and_names)
{
    for (int f = 0; f < TRACE_FMT_COUNT; f++)
        ck_assert_int_eq(trace_format_parse(trace_format_name((enum trace_format)f)), f);
    ck_assert_int_eq(trace_format_parse("nope"), -1);
    /* Random-looking binary is refused with a hint to use --format. */
    uint8_t junk[200];
    for (int i = 0; i < 200; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    put_file(tpath("junk"), junk, sizeof(junk));
    struct trace_reader *r;
    struct sim_err err;
    ck_assert_int_eq(trace_open(&r, tpath("junk"), TRACE_FMT_AUTO, NULL, &err), SIM_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "--format"));
    ck_assert_int_eq(trace_open(&r, tpath("missing"), TRACE_FMT_AUTO, NULL, &err), SIM_EIO);
    put_file(tpath("empty"), "", 0);
    ck_assert_int_eq(trace_open(&r, tpath("empty"), TRACE_FMT_AUTO, NULL, &err), SIM_EFORMAT);
}
END_TEST

Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    struct { const char *name; const TTest *t; } cases[] = {
        {"native_roundtrip", test_native_roundtrip}, {"native_layout", test_native_layout},
        {"native_damaged", test_native_damaged}, {"native_compressed", test_native_compressed},
        {"native_batch", test_native_batch},
        {"lackey", test_lackey}, {"champsim", test_champsim}, {"cvp", test_cvp},
        {"drmemtrace", test_drmemtrace}, {"drmemtrace_sample", test_drmemtrace_sample},
        {"detect", test_detect_and_names}, {"convert", test_convert_roundtrip},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, cases[i].t);
        suite_add_tcase(s, tc);
    }
    return s;
}

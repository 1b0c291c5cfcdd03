/*
 * sim/cmd_trace.c - `mmusim info`, `mmusim convert` and `mmusim gen`
 * (contracts in cmd_trace.h; formats in traces/FORMAT.md).
 *
 * info counts events by kind and the distinct pages touched per page size
 * (4K, 16K, 64K, 2M): a page counts when any byte of an access falls in it,
 * so an access that crosses a boundary touches two.  The page sets are hash
 * sets that grow with the footprint, not with the trace length.
 */
#include "sim/cmd_trace.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/base.h"
#include "sim/err.h"
#include "sim/event.h"
#include "traces/trace.h"
#include "traces/trace_int.h"
#include "traces/trace_native.h"

/* ------------------------------------------------------------ helpers */

static int exit_code(int rc)
{
    return rc == SIM_EFORMAT || rc == SIM_EINVAL ? 2 : 1;
}

static int fail(const char *cmd, const struct sim_err *err)
{
    fprintf(stderr, "mmusim %s: %s\n", cmd, err->msg);
    return exit_code(err->rc);
}

static int usage_err(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "mmusim %s: %s%s%s (see mmusim %s --help)\n", cmd, msg, arg ? ": " : "",
            arg ? arg : "", cmd);
    return 2;
}

/* Parse "123", "0x7f", "4K", "2M", "1G" (binary multiples). */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (end == s || errno || s[0] == '-')
        return false;
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1ull << 10;
    else if (*end == 'M' || *end == 'm')
        mul = 1ull << 20;
    else if (*end == 'G' || *end == 'g')
        mul = 1ull << 30;
    else if (*end == 'T' || *end == 't')
        mul = 1ull << 40;
    if (mul != 1)
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || (v && mul > UINT64_MAX / v))
        return false;
    *out = (uint64_t)v * mul;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* Options shared by every trace-reading command. */
struct read_opts {
    enum trace_format fmt;
    struct trace_opts topts;
};

enum { OPT_FORMAT = 1000, OPT_ACCESS_SIZE, OPT_JSON, OPT_HELP, OPT_DESC };

static int read_opt(const char *cmd, int c, struct read_opts *ro)
{
    uint64_t v;
    switch (c) {
    case OPT_FORMAT: {
        int f = trace_format_parse(optarg);
        if (f < 0)
            return usage_err(cmd, "unknown trace format", optarg);
        ro->fmt = (enum trace_format)f;
        return 0;
    }
    case OPT_ACCESS_SIZE:
        if (!parse_size(optarg, &v) || v == 0 || v > UINT32_MAX)
            return usage_err(cmd, "bad --access-size", optarg);
        ro->topts.champsim_access_size = (uint32_t)v;
        return 0;
    default:
        return -1;
    }
}

/* ------------------------------------------------------------ page sets */

struct pset {
    uint64_t *slot;     /* page number + 1; 0 = empty */
    size_t cap, n;      /* cap is a power of two */
    uint64_t last;      /* last page inserted + 1 (cheap repeat filter) */
};

static bool pset_init(struct pset *s)
{
    s->cap = 1024;
    s->n = 0;
    s->last = 0;
    s->slot = calloc(s->cap, sizeof(*s->slot));
    return s->slot != NULL;
}

static inline size_t pset_hash(uint64_t k, size_t mask)
{
    k *= UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(k >> 17) & mask;
}

static bool pset_add(struct pset *s, uint64_t page)
{
    uint64_t k = page + 1;
    if (k == s->last)
        return true;
    s->last = k;
    if (2 * (s->n + 1) > s->cap) {
        size_t nc = 2 * s->cap;
        uint64_t *ns = calloc(nc, sizeof(*ns));
        if (!ns)
            return false;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) {
                size_t j = pset_hash(s->slot[i], nc - 1);
                while (ns[j])
                    j = (j + 1) & (nc - 1);
                ns[j] = s->slot[i];
            }
        free(s->slot);
        s->slot = ns;
        s->cap = nc;
    }
    size_t j = pset_hash(k, s->cap - 1);
    while (s->slot[j]) {
        if (s->slot[j] == k)
            return true;
        j = (j + 1) & (s->cap - 1);
    }
    s->slot[j] = k;
    s->n++;
    return true;
}

/* ------------------------------------------------------------ info */

static const unsigned page_shifts[4] = {12, 14, 16, 21};

struct info {
    uint64_t kinds[TR_KIND_COUNT];
    uint64_t tlbi[TLBI_KIND_COUNT];
    uint64_t bytes[3];
    struct pset data[4], code[4];
    uint64_t va_min, va_max;
    bool any_access;
    uint8_t asid_seen[65536 / 8], vmid_seen[65536 / 8];
};

static bool touch(struct pset *sets, uint64_t va, uint32_t size)
{
    uint64_t lastb = size ? va + (size - 1) : va;
    if (lastb < va)
        lastb = UINT64_MAX;    /* wraps the address space: clamp */
    for (unsigned i = 0; i < 4; i++) {
        for (uint64_t p = va >> page_shifts[i];; p++) {
            if (!pset_add(&sets[i], p))
                return false;
            if (p >= lastb >> page_shifts[i])
                break;
        }
    }
    return true;
}

static void print_set_list(const uint8_t *bits, bool json)
{
    bool first = true;
    unsigned shown = 0;
    for (unsigned i = 0; i < 65536; i++)
        if (bits[i / 8] & (1u << (i % 8))) {
            if (!json && shown == 32) {
                printf(" ...");
                break;
            }
            printf(json ? "%s%u" : "%s%u", first ? "" : json ? "," : " ", i);
            first = false;
            shown++;
        }
}

static void print_info(const char *path, const struct trace_reader *r, const struct info *in,
                       bool json)
{
    const struct trace_extra *x = trace_reader_extra(r);
    const char *fmt = trace_format_name(trace_reader_format(r));
    if (json) {
        printf("{\"trace\":\"");
        for (const char *p = path; *p; p++) {
            if (*p == '"' || *p == '\\')
                printf("\\%c", *p);
            else if ((unsigned char)*p < 0x20)
                printf("\\u%04x", *p);
            else
                putchar(*p);
        }
        printf("\",\"format\":\"%s\",\"events\":%" PRIu64 ",\"loads\":%" PRIu64
               ",\"stores\":%" PRIu64 ",\"ifetches\":%" PRIu64 ",\"ctx_switches\":%" PRIu64
               ",\"vm_switches\":%" PRIu64 ",\"tlbi\":%" PRIu64,
               fmt, in->kinds[0] + in->kinds[1] + in->kinds[2] + in->kinds[3] + in->kinds[4] +
                        in->kinds[5],
               in->kinds[TR_LOAD], in->kinds[TR_STORE], in->kinds[TR_IFETCH],
               in->kinds[TR_CTX_SWITCH], in->kinds[TR_VM_SWITCH], in->kinds[TR_TLBI]);
        printf(",\"tlbi_by_op\":{");
        for (unsigned i = 0; i < TLBI_KIND_COUNT; i++)
            printf("%s\"%s\":%" PRIu64, i ? "," : "", tlbi_kind_name(i), in->tlbi[i]);
        printf("},\"load_bytes\":%" PRIu64 ",\"store_bytes\":%" PRIu64 ",\"ifetch_bytes\":%" PRIu64,
               in->bytes[0], in->bytes[1], in->bytes[2]);
        for (unsigned k = 0; k < 2; k++) {
            printf(",\"%s\":{", k ? "code_pages" : "data_pages");
            for (unsigned i = 0; i < 4; i++)
                printf("%s\"%" PRIu64 "\":%zu", i ? "," : "", UINT64_C(1) << page_shifts[i],
                       (k ? in->code : in->data)[i].n);
            printf("}");
        }
        if (in->any_access)
            printf(",\"va_min\":\"0x%" PRIx64 "\",\"va_max\":\"0x%" PRIx64 "\"", in->va_min,
                   in->va_max);
        else
            printf(",\"va_min\":null,\"va_max\":null");
        printf(",\"asids\":[");
        print_set_list(in->asid_seen, true);
        printf("],\"vmids\":[");
        print_set_list(in->vmid_seen, true);
        printf("],\"prefetches_skipped\":%" PRIu64 ",\"page_size_marker\":%" PRIu64
               ",\"threads\":%" PRIu64 "}\n",
               x->prefetches, x->page_size, x->threads);
        return;
    }
    printf("trace:       %s\nformat:      %s\n", path, fmt);
    if (x->desc[0])
        printf("description: %s\n", x->desc);
    printf("events:      %" PRIu64 " loads, %" PRIu64 " stores, %" PRIu64 " ifetches, %" PRIu64
           " context switches, %" PRIu64 " VM switches, %" PRIu64 " TLBI\n",
           in->kinds[TR_LOAD], in->kinds[TR_STORE], in->kinds[TR_IFETCH], in->kinds[TR_CTX_SWITCH],
           in->kinds[TR_VM_SWITCH], in->kinds[TR_TLBI]);
    if (in->kinds[TR_TLBI]) {
        printf("tlbi:       ");
        for (unsigned i = 0; i < TLBI_KIND_COUNT; i++)
            if (in->tlbi[i])
                printf(" %s=%" PRIu64, tlbi_kind_name(i), in->tlbi[i]);
        printf("\n");
    }
    printf("pages:       %-8s %10s %10s\n", "size", "data", "code");
    for (unsigned i = 0; i < 4; i++)
        printf("             %-8s %10zu %10zu\n",
               page_shifts[i] == 12 ? "4K" : page_shifts[i] == 14 ? "16K" :
               page_shifts[i] == 16 ? "64K" : "2M", in->data[i].n, in->code[i].n);
    if (in->any_access)
        printf("va range:    0x%" PRIx64 " .. 0x%" PRIx64 "\n", in->va_min, in->va_max);
    printf("asids:       ");
    print_set_list(in->asid_seen, false);
    printf("\nvmids:       ");
    print_set_list(in->vmid_seen, false);
    printf("\n");
    if (trace_reader_format(r) == TRACE_FMT_DRMEMTRACE)
        printf("drmemtrace:  %" PRIu64 " threads, %" PRIu64 " processes, %" PRIu64
               " prefetches skipped, page-size marker %" PRIu64 ", %" PRIu64
               " physical-address markers, version %u\n",
               x->threads, x->pids, x->prefetches, x->page_size, x->phys_markers, x->version);
}

static void info_free(struct info *in)
{
    for (unsigned i = 0; i < 4; i++) {
        free(in->data[i].slot);
        free(in->code[i].slot);
    }
    free(in);
}

static void info_help(void)
{
    printf("usage: mmusim info [--json] [--format F] [--access-size N] TRACE\n"
           "  Prints what TRACE holds without simulating: its format, events by kind,\n"
           "  distinct data and code pages touched per page size (4K 16K 64K 2M; an access\n"
           "  crossing a page boundary touches both pages), the address range, ASIDs, VMIDs.\n"
           "  TRACE may be gzip- or xz-compressed (detected from the content), a drmemtrace\n"
           "  directory, or - for standard input.\n"
           "  --json           one JSON object (keys: format, loads, stores, ifetches,\n"
           "                   data_pages, code_pages, ...)\n"
           "  --format F       native, champsim, cloudsuite, lackey, drmemtrace, cvp, cbp2025\n"
           "  --access-size N  bytes per ChampSim data access (default 8)\n");
}

int cmd_info(int argc, char **argv)
{
    static const struct option lo[] = {
        {"format", required_argument, NULL, OPT_FORMAT},
        {"access-size", required_argument, NULL, OPT_ACCESS_SIZE},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct read_opts ro = {.fmt = TRACE_FMT_AUTO};
    trace_opts_default(&ro.topts);
    bool json = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == OPT_JSON) {
            json = true;
        } else if (c == OPT_HELP) {
            info_help();
            return 0;
        } else {
            int rc = read_opt("info", c, &ro);
            if (rc > 0)
                return rc;
            if (rc < 0)
                return usage_err("info", "bad option", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return usage_err("info", "expected one TRACE argument", NULL);
    const char *path = argv[optind];
    struct sim_err err;
    sim_err_clear(&err);
    struct info *in = calloc(1, sizeof(*in));
    bool ok = in != NULL;
    for (unsigned i = 0; ok && i < 4; i++)
        ok = pset_init(&in->data[i]) && pset_init(&in->code[i]);
    if (!ok) {
        if (in)
            info_free(in);
        fprintf(stderr, "mmusim info: out of memory\n");
        return 1;
    }
    struct trace_reader *r;
    int rc = trace_open(&r, path, ro.fmt, &ro.topts, &err);
    if (rc < 0) {
        info_free(in);
        return fail("info", &err);
    }
    struct trace_rec rec;
    in->va_min = UINT64_MAX;
    while ((rc = trace_next(r, &rec, &err)) == SIM_OK) {
        in->kinds[rec.kind]++;
        in->vmid_seen[rec.vmid / 8] |= (uint8_t)(1u << (rec.vmid % 8));
        if (rec.kind == TR_TLBI) {
            in->tlbi[rec.tlbi]++;
            continue;
        }
        if (rec.kind > TR_IFETCH) {
            in->asid_seen[rec.asid / 8] |= (uint8_t)(1u << (rec.asid % 8));
            continue;
        }
        in->asid_seen[rec.asid / 8] |= (uint8_t)(1u << (rec.asid % 8));
        in->bytes[rec.kind] += rec.size;
        in->any_access = true;
        if (rec.va < in->va_min)
            in->va_min = rec.va;
        uint64_t hi = rec.size ? rec.va + (rec.size - 1) : rec.va;
        if (hi < rec.va)
            hi = UINT64_MAX;
        if (hi > in->va_max)
            in->va_max = hi;
        if (!touch(rec.kind == TR_IFETCH ? in->code : in->data, rec.va, rec.size)) {
            sim_err_set(&err, SIM_ENOMEM, "%s: out of memory for the page sets", path);
            rc = SIM_ENOMEM;
            break;
        }
    }
    if (rc < 0) {
        trace_close(r);
        info_free(in);
        return fail("info", &err);
    }
    print_info(path, r, in, json);
    trace_close(r);
    info_free(in);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ convert */

static void convert_help(void)
{
    printf("usage: mmusim convert [--format F] [--access-size N] [--desc TEXT] IN OUT\n"
           "  Reads IN in any supported format (gzip/xz transparent, - = stdin) and writes\n"
           "  the same events to OUT in the native format (- = stdout).  OUT is written\n"
           "  under a temporary name and renamed at the end: a failure leaves no OUT.\n"
           "  --format F       input format when detection from the content is not enough\n"
           "  --access-size N  bytes per ChampSim data access (default 8)\n"
           "  --desc TEXT      description stored in the header (default: the source)\n");
}

int cmd_convert(int argc, char **argv)
{
    static const struct option lo[] = {
        {"format", required_argument, NULL, OPT_FORMAT},
        {"access-size", required_argument, NULL, OPT_ACCESS_SIZE},
        {"desc", required_argument, NULL, OPT_DESC},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct read_opts ro = {.fmt = TRACE_FMT_AUTO};
    trace_opts_default(&ro.topts);
    const char *desc = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == OPT_HELP) {
            convert_help();
            return 0;
        } else if (c == OPT_DESC) {
            desc = optarg;
        } else {
            int rc = read_opt("convert", c, &ro);
            if (rc > 0)
                return rc;
            if (rc < 0)
                return usage_err("convert", "bad option", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return usage_err("convert", "expected IN and OUT", NULL);
    const char *in = argv[optind], *out = argv[optind + 1];
    struct sim_err err;
    sim_err_clear(&err);
    struct trace_reader *r;
    int rc = trace_open(&r, in, ro.fmt, &ro.topts, &err);
    if (rc < 0)
        return fail("convert", &err);
    char dbuf[512];
    if (!desc) {
        const char *base = strrchr(in, '/');
        snprintf(dbuf, sizeof(dbuf), "converted from %s trace %s",
                 trace_format_name(trace_reader_format(r)), base ? base + 1 : in);
        desc = dbuf;
    }
    struct trace_writer *w;
    rc = trace_writer_create(&w, out, desc, &err);
    if (rc < 0) {
        trace_close(r);
        return fail("convert", &err);
    }
    struct trace_rec rec;
    while ((rc = trace_next(r, &rec, &err)) == SIM_OK)
        if ((rc = trace_writer_put(w, &rec, &err)) < 0)
            break;
    trace_close(r);
    if (rc < 0) {
        trace_writer_abort(w);
        return fail("convert", &err);
    }
    if ((rc = trace_writer_close(w, &err)) < 0)
        return fail("convert", &err);
    return 0;
}

/* ------------------------------------------------------------ gen */

enum gen_pat { PAT_SEQ, PAT_STRIDE, PAT_RANDOM, PAT_HOTCOLD, PAT_CHASE, PAT_IFETCH, PAT_MIX };
static const char *const pat_names[] = {"seq", "stride", "random", "hotcold", "chase", "ifetch",
                                        "mix"};

struct gen_cfg {
    enum gen_pat pat;
    uint64_t accesses, footprint, stride, seed, base, code_base, code_footprint;
    uint32_t size;
    double store_ratio, hot_fraction, hot_prob, zipf, branch_prob, mem_ratio;
    unsigned procs, vms;
    uint64_t switch_every, tlbi_every;
};

struct gen_proc {
    uint64_t pos;        /* seq/stride offset, chase node */
    uint64_t pc;         /* ifetch stream */
    uint64_t last_data;  /* last data VA (TLBI operand) */
};

struct gen {
    const struct gen_cfg *c;
    struct sim_rng rng;
    struct gen_proc *proc;
    unsigned nctx, cur;
    uint64_t nodes, lcg_a, lcg_c;   /* chase: full-period LCG over 2^k nodes */
    double *zcdf;                   /* zipf: CDF over pages */
    uint64_t zn;
};

static void gen_help(void)
{
    printf("usage: mmusim gen PATTERN -o OUT [options]\n"
           "  Writes a native trace from a named, seeded pattern (same seed = same bytes).\n"
           "  patterns:\n"
           "    seq      sequential data accesses, step = --size, wrapping in the footprint\n"
           "    stride   data accesses every --stride bytes, wrapping in the footprint\n"
           "    random   uniform random (GUPS-like) aligned accesses over the footprint\n"
           "    hotcold  a hot set: --hot-fraction of the footprint gets --hot-prob of the\n"
           "             accesses; or, with --zipf S, pages ranked by a Zipf(S) law\n"
           "    chase    pointer chase: visits --stride-byte nodes along a seeded random cycle\n"
           "             (full-period LCG over the largest power-of-two node count)\n"
           "    ifetch   instruction fetches (4 B) with taken branches (--branch-prob)\n"
           "    mix      several processes (--procs) in several VMs (--vms), each an ifetch\n"
           "             stream plus hot/cold data, with context/VM switches and TLBIs\n"
           "  options (sizes take K/M/G suffixes):\n"
           "    -o, --output OUT     output file (- = stdout)\n"
           "    --accesses N         loads+stores+ifetches to write (default 1M)\n"
           "    --footprint SIZE     data footprint per process (default 64M)\n"
           "    --stride SIZE        stride / chase node size (default 4K / 64)\n"
           "    --size N             bytes per data access (default 8)\n"
           "    --store-ratio F      fraction of data accesses that are stores (default 0.3)\n"
           "    --hot-fraction F     hotcold: hot part of the footprint (default 0.1)\n"
           "    --hot-prob F         hotcold: probability of a hot access (default 0.9)\n"
           "    --zipf S             hotcold: Zipf exponent over pages instead (S > 0)\n"
           "    --branch-prob F      ifetch/mix: taken-branch probability (default 0.1)\n"
           "    --code-footprint SIZE  ifetch/mix: code size (default 256K)\n"
           "    --mem-ratio F        mix: data accesses per instruction (default 0.4)\n"
           "    --base ADDR          data base VA (default 0x100000000; code at 0x400000)\n"
           "    --seed S             seed (default 1)\n"
           "    --procs N            processes per VM (default 1; mix: 4)\n"
           "    --vms N              VMs (default 1; mix: 2)\n"
           "    --switch-every N     accesses between context switches (default 10000)\n"
           "    --tlbi-every N       accesses between TLB maintenance events\n"
           "                         (default 0 = none; mix: 50000)\n"
           "  ASIDs are 1..procs in each VM and VMIDs 1..vms when there is more than one\n"
           "  process or VM (0 otherwise).\n");
}

static uint64_t gen_data_offset(struct gen *g, struct gen_proc *p)
{
    const struct gen_cfg *c = g->c;
    uint64_t fp = c->footprint, sz = c->size;
    uint64_t slots = fp / sz ? fp / sz : 1;
    switch (c->pat) {
    case PAT_SEQ: {
        uint64_t o = p->pos;
        p->pos = (p->pos + sz) % (slots * sz);
        return o;
    }
    case PAT_STRIDE: {
        uint64_t o = p->pos;
        p->pos = (p->pos + c->stride) % fp;
        return o;
    }
    case PAT_RANDOM:
        return sim_rng_below(&g->rng, slots) * sz;
    case PAT_CHASE: {
        uint64_t o = p->pos * c->stride;
        p->pos = (g->lcg_a * p->pos + g->lcg_c) & (g->nodes - 1);
        return o;
    }
    case PAT_HOTCOLD:
    case PAT_MIX:
    default: {
        if (g->zcdf) {
            double u = sim_rng_unit(&g->rng);
            uint64_t lo = 0, hi = g->zn - 1;
            while (lo < hi) {
                uint64_t mid = (lo + hi) / 2;
                if (g->zcdf[mid] < u)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            /* scatter ranks over the pages (bijective: the multiplier is odd and prime) */
            uint64_t page = (uint64_t)(((unsigned __int128)lo * 2654435761u) % g->zn);
            uint64_t in_page = 4096 / sz ? sim_rng_below(&g->rng, 4096 / sz) * sz : 0;
            return (page * 4096 + in_page) % (slots * sz);
        }
        uint64_t hot = (uint64_t)((double)slots * c->hot_fraction);
        if (hot == 0)
            hot = 1;
        if (hot > slots)
            hot = slots;
        if (hot == slots || sim_rng_unit(&g->rng) < c->hot_prob)
            return sim_rng_below(&g->rng, hot) * sz;
        return (hot + sim_rng_below(&g->rng, slots - hot)) * sz;
    }
    }
}

static uint64_t gen_pc(struct gen *g, struct gen_proc *p)
{
    const struct gen_cfg *c = g->c;
    uint64_t pc = p->pc;
    uint64_t n = c->code_footprint / 4 ? c->code_footprint / 4 : 1;
    if (sim_rng_unit(&g->rng) < c->branch_prob)
        p->pc = sim_rng_below(&g->rng, n) * 4;
    else
        p->pc = (p->pc + 4) % (n * 4);
    return c->code_base + pc;
}

static void ctx_ids(const struct gen *g, unsigned ctx, uint16_t *vmid, uint16_t *asid)
{
    const struct gen_cfg *c = g->c;
    bool multi = g->nctx > 1;
    *vmid = (uint16_t)(multi && c->vms > 1 ? ctx / c->procs + 1 : 0);
    *asid = (uint16_t)(multi ? ctx % c->procs + 1 : 0);
}

static int gen_run(struct gen *g, struct trace_writer *w, struct sim_err *err)
{
    const struct gen_cfg *c = g->c;
    uint64_t done = 0, since_switch = 0, since_tlbi = 0;
    struct trace_rec rec;
    uint16_t vmid, asid;
    int rc;
    ctx_ids(g, 0, &vmid, &asid);
    if (g->nctx > 1) {
        memset(&rec, 0, sizeof(rec));
        rec.kind = c->vms > 1 ? TR_VM_SWITCH : TR_CTX_SWITCH;
        rec.vmid = vmid;
        rec.asid = asid;
        if ((rc = trace_writer_put(w, &rec, err)) < 0)
            return rc;
    }
    while (done < c->accesses) {
        struct gen_proc *p = &g->proc[g->cur];
        memset(&rec, 0, sizeof(rec));
        rec.vmid = vmid;
        rec.asid = asid;
        if (c->pat == PAT_IFETCH || c->pat == PAT_MIX) {
            rec.kind = TR_IFETCH;
            rec.size = 4;
            rec.va = gen_pc(g, p);
            if ((rc = trace_writer_put(w, &rec, err)) < 0)
                return rc;
            done++;
            since_switch++;
            since_tlbi++;
        }
        if (done < c->accesses &&
            (c->pat != PAT_IFETCH && (c->pat != PAT_MIX || sim_rng_unit(&g->rng) < c->mem_ratio))) {
            rec.kind = sim_rng_unit(&g->rng) < c->store_ratio ? TR_STORE : TR_LOAD;
            rec.size = c->size;
            rec.va = c->base + gen_data_offset(g, p);
            p->last_data = rec.va;
            if ((rc = trace_writer_put(w, &rec, err)) < 0)
                return rc;
            done++;
            since_switch++;
            since_tlbi++;
        }
        if (c->tlbi_every && since_tlbi >= c->tlbi_every && done < c->accesses) {
            since_tlbi = 0;
            memset(&rec, 0, sizeof(rec));
            rec.kind = TR_TLBI;
            rec.vmid = vmid;
            double u = sim_rng_unit(&g->rng);
            /* Mostly single-page invalidations (unmap/munmap), some ASID and VM-wide ones. */
            if (u < 0.5) {
                rec.tlbi = TLBI_VAE1;
                rec.asid = asid;
                rec.va = p->last_data & ~UINT64_C(0xfff);
            } else if (u < 0.7) {
                rec.tlbi = TLBI_VALE1;
                rec.asid = asid;
                rec.va = p->last_data & ~UINT64_C(0xfff);
            } else if (u < 0.85) {
                rec.tlbi = TLBI_ASIDE1;
                rec.asid = asid;
            } else if (u < 0.95) {
                rec.tlbi = TLBI_VAAE1;
                rec.va = p->last_data & ~UINT64_C(0xfff);
            } else {
                rec.tlbi = c->vms > 1 ? TLBI_VMALLS12E1 : TLBI_VMALLE1;
            }
            if ((rc = trace_writer_put(w, &rec, err)) < 0)
                return rc;
        }
        if (g->nctx > 1 && since_switch >= c->switch_every && done < c->accesses) {
            since_switch = 0;
            uint16_t ovmid = vmid;
            g->cur = (g->cur + 1) % g->nctx;
            ctx_ids(g, g->cur, &vmid, &asid);
            memset(&rec, 0, sizeof(rec));
            rec.kind = vmid != ovmid ? TR_VM_SWITCH : TR_CTX_SWITCH;
            rec.vmid = vmid;
            rec.asid = asid;
            if ((rc = trace_writer_put(w, &rec, err)) < 0)
                return rc;
        }
    }
    return SIM_OK;
}

int cmd_gen(int argc, char **argv)
{
    enum { O_ACC = 2000, O_FP, O_STRIDE, O_SIZE, O_SR, O_HF, O_HP, O_ZIPF, O_BP, O_CFP, O_MR,
           O_BASE, O_SEED, O_PROCS, O_VMS, O_SW, O_TLBI };
    static const struct option lo[] = {
        {"output", required_argument, NULL, 'o'},
        {"accesses", required_argument, NULL, O_ACC},
        {"footprint", required_argument, NULL, O_FP},
        {"stride", required_argument, NULL, O_STRIDE},
        {"size", required_argument, NULL, O_SIZE},
        {"store-ratio", required_argument, NULL, O_SR},
        {"hot-fraction", required_argument, NULL, O_HF},
        {"hot-prob", required_argument, NULL, O_HP},
        {"zipf", required_argument, NULL, O_ZIPF},
        {"branch-prob", required_argument, NULL, O_BP},
        {"code-footprint", required_argument, NULL, O_CFP},
        {"mem-ratio", required_argument, NULL, O_MR},
        {"base", required_argument, NULL, O_BASE},
        {"seed", required_argument, NULL, O_SEED},
        {"procs", required_argument, NULL, O_PROCS},
        {"vms", required_argument, NULL, O_VMS},
        {"switch-every", required_argument, NULL, O_SW},
        {"tlbi-every", required_argument, NULL, O_TLBI},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"access-size", required_argument, NULL, OPT_ACCESS_SIZE},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct gen_cfg c = {
        .accesses = 1u << 20, .footprint = 64u << 20, .stride = 0, .seed = 1,
        .base = UINT64_C(0x100000000), .code_base = 0x400000, .code_footprint = 256u << 10,
        .size = 8, .store_ratio = 0.3, .hot_fraction = 0.1, .hot_prob = 0.9, .zipf = 0,
        .branch_prob = 0.1, .mem_ratio = 0.4, .procs = 0, .vms = 0, .switch_every = 10000,
        .tlbi_every = UINT64_MAX,
    };
    const char *out = NULL;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
        uint64_t v = 0;
        double d = 0;
        const char *a = optarg;
        bool okv = true;
        switch (ch) {
        case 'o': out = a; break;
        case OPT_HELP: gen_help(); return 0;
        case OPT_FORMAT:
            if (trace_format_parse(a) != TRACE_FMT_NATIVE)
                return usage_err("gen", "gen writes only the native format", a);
            break;
        case OPT_ACCESS_SIZE: okv = parse_size(a, &v) && v > 0 && v <= UINT32_MAX;
            c.size = (uint32_t)v; break;
        case O_ACC: okv = parse_size(a, &c.accesses); break;
        case O_FP: okv = parse_size(a, &c.footprint) && c.footprint > 0; break;
        case O_STRIDE: okv = parse_size(a, &c.stride) && c.stride > 0; break;
        case O_SIZE: okv = parse_size(a, &v) && v > 0 && v <= (1u << 20); c.size = (uint32_t)v; break;
        case O_SR: okv = parse_double(a, &c.store_ratio) && c.store_ratio >= 0 && c.store_ratio <= 1; break;
        case O_HF: okv = parse_double(a, &c.hot_fraction) && c.hot_fraction > 0 && c.hot_fraction <= 1; break;
        case O_HP: okv = parse_double(a, &c.hot_prob) && c.hot_prob >= 0 && c.hot_prob <= 1; break;
        case O_ZIPF: okv = parse_double(a, &c.zipf) && c.zipf > 0 && c.zipf < 10; break;
        case O_BP: okv = parse_double(a, &c.branch_prob) && c.branch_prob >= 0 && c.branch_prob <= 1; break;
        case O_CFP: okv = parse_size(a, &c.code_footprint) && c.code_footprint >= 4; break;
        case O_MR: okv = parse_double(a, &c.mem_ratio) && c.mem_ratio >= 0 && c.mem_ratio <= 1; break;
        case O_BASE: okv = parse_size(a, &c.base); break;
        case O_SEED: okv = parse_size(a, &c.seed); break;
        case O_PROCS: okv = parse_size(a, &v) && v >= 1 && v <= 1024; c.procs = (unsigned)v; break;
        case O_VMS: okv = parse_size(a, &v) && v >= 1 && v <= 256; c.vms = (unsigned)v; break;
        case O_SW: okv = parse_size(a, &c.switch_every) && c.switch_every > 0; break;
        case O_TLBI: okv = parse_size(a, &c.tlbi_every); break;
        default: return usage_err("gen", "bad option", argv[optind - 1]);
        }
        (void)d;
        if (!okv)
            return usage_err("gen", "bad option value", a);
    }
    if (argc - optind != 1)
        return usage_err("gen", "expected one PATTERN", NULL);
    const char *pname = argv[optind];
    int pat = -1;
    for (unsigned i = 0; i < ARRAY_SIZE(pat_names); i++)
        if (strcmp(pname, pat_names[i]) == 0)
            pat = (int)i;
    if (pat < 0)
        return usage_err("gen", "unknown pattern", pname);
    if (!out)
        return usage_err("gen", "missing -o OUT", NULL);
    c.pat = (enum gen_pat)pat;
    bool mix = c.pat == PAT_MIX;
    if (!c.procs)
        c.procs = mix ? 4 : 1;
    if (!c.vms)
        c.vms = mix ? 2 : 1;
    if (c.tlbi_every == UINT64_MAX)
        c.tlbi_every = mix ? 50000 : 0;
    if (!c.stride)
        c.stride = c.pat == PAT_CHASE ? 64 : 4096;
    if (c.footprint < c.size)
        return usage_err("gen", "footprint smaller than one access", NULL);
    if (c.base + c.footprint < c.base)
        return usage_err("gen", "base + footprint overflows", NULL);

    struct gen g = {.c = &c, .nctx = c.procs * c.vms};
    sim_rng_seed(&g.rng, c.seed);
    g.proc = calloc(g.nctx, sizeof(*g.proc));
    if (!g.proc) {
        fprintf(stderr, "mmusim gen: out of memory\n");
        return 1;
    }
    if (c.pat == PAT_CHASE) {
        uint64_t n = c.footprint / c.stride;
        if (n < 2) {
            free(g.proc);
            return usage_err("gen", "chase needs a footprint of at least two --stride nodes", NULL);
        }
        g.nodes = UINT64_C(1) << log2_u64(n);
        /* Hull-Dobell: c odd and a = 1 mod 4 give one cycle through all 2^k nodes. */
        g.lcg_a = (sim_rng_next(&g.rng) & ~UINT64_C(3)) | 1;
        g.lcg_a = g.lcg_a * 4 + 1;
        g.lcg_c = sim_rng_next(&g.rng) | 1;
        for (unsigned i = 0; i < g.nctx; i++)
            g.proc[i].pos = sim_rng_below(&g.rng, g.nodes);
    }
    if ((c.pat == PAT_HOTCOLD || c.pat == PAT_MIX) && c.zipf > 0) {
        g.zn = c.footprint / 4096 ? c.footprint / 4096 : 1;
        if (g.zn > (UINT64_C(1) << 26)) {
            free(g.proc);
            return usage_err("gen", "--zipf supports footprints up to 256G", NULL);
        }
        g.zcdf = malloc(g.zn * sizeof(double));
        if (!g.zcdf) {
            free(g.proc);
            fprintf(stderr, "mmusim gen: out of memory\n");
            return 1;
        }
        double sum = 0;
        for (uint64_t i = 0; i < g.zn; i++)
            sum += pow((double)(i + 1), -c.zipf);
        double acc = 0;
        for (uint64_t i = 0; i < g.zn; i++) {
            acc += pow((double)(i + 1), -c.zipf) / sum;
            g.zcdf[i] = acc;
        }
        g.zcdf[g.zn - 1] = 1.0;
    }
    char desc[512];
    snprintf(desc, sizeof(desc),
             "mmusim gen %s seed=%" PRIu64 " accesses=%" PRIu64 " footprint=%" PRIu64
             " stride=%" PRIu64 " size=%u procs=%u vms=%u switch_every=%" PRIu64
             " tlbi_every=%" PRIu64,
             pname, c.seed, c.accesses, c.footprint, c.stride, c.size, c.procs, c.vms,
             c.switch_every, c.tlbi_every);
    struct sim_err err;
    sim_err_clear(&err);
    struct trace_writer *w;
    int rc = trace_writer_create(&w, out, desc, &err);
    if (rc == SIM_OK) {
        rc = gen_run(&g, w, &err);
        if (rc < 0)
            trace_writer_abort(w);
        else
            rc = trace_writer_close(w, &err);
    }
    free(g.proc);
    free(g.zcdf);
    return rc < 0 ? fail("gen", &err) : 0;
}

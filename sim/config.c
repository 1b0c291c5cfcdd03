/*
 * sim/config.c - the JSON configuration: load, override, validate, print.
 *
 * One table of nodes (below) describes the JSON layout of struct sim_config:
 * each node names a key, the kind of value it holds and where the value
 * lives (offsetof).  The loader, config_set(), config_validate() and
 * config_to_json() all walk this one table, so a key can never be loadable
 * but not printable, or printable but not validated.
 *
 * Two kinds of checks:
 *   - per field, while parsing (type, range, enum names) and again in
 *     config_validate() on the stored values (for structs built by hand);
 *   - across fields, only in config_validate() (ways vs entries, cache
 *     geometry, block size vs granule, stage-2 start level vs IPA size,
 *     allocator pools), because a file and then --set may change either side.
 * Messages read "<file>: <json.path>: <what>, got <value>"; config_validate()
 * names the file "config" (it sees only the struct) and config_set() "--set".
 *
 * cJSON is used here and nowhere else (house rule).
 */
#include "sim/config.h"
#include "sim/util.h"
#include "sim/presets.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------ */
/* The layout table                                                          */

enum node_kind {
    K_OBJ,          /* nested object: children in .sub, based at .off */
    K_BOOL,         /* bool */
    K_UINT,         /* unsigned integer of .width bytes in [lo, hi] */
    K_LINE,         /* as K_UINT, and a power of two */
    K_WAYS,         /* uint32: 0 or "full" = fully associative, else <= hi */
    K_SIZE,         /* uint64 bytes: number or "64K"/"2M"/"1G"; in [lo, hi] */
    K_ADDR,         /* uint64 address: number, "0x..." or a size string */
    K_FRAC,         /* double in [0, 1] */
    K_SEED,         /* uint64: number < 2^53 or decimal string */
    K_REPL,         /* enum repl_policy */
    K_PAGESIZES,    /* uint64 bitmask of 2^k page sizes */
    K_LEVELS,       /* uint32 bitmask of walk-cache levels 0..2 */
    K_GRANULE,      /* uint8 shift 12/14/16 from "4k"/"16k"/"64k" */
    K_STARTLVL,     /* int8: "auto" = -1, or 0..3 */
    K_POLICY,       /* enum page_policy */
    K_BLOCK,        /* uint8 shift of a block size 2M/32M/512M/1G */
    K_ALLOCKIND,    /* enum alloc_kind */
    K_PORT,         /* enum walker_port */
    K_PRESET,       /* char preset[32]; applied before every other key */
    K_VMS,          /* vms[] / n_vms */
    K_PROCS,        /* procs[] / n_procs */
};

struct node {
    const char *key;
    enum node_kind kind;
    size_t off;             /* offset of the field (or sub-object) from the parent's base */
    size_t width;           /* size of the field in bytes */
    uint64_t lo, hi;        /* inclusive range of K_UINT / K_LINE / K_WAYS / K_SIZE */
    const struct node *sub; /* K_OBJ: children, ended by a NULL key */
};

#define FIELD_WIDTH(T, f) sizeof(((T *)0)->f)
#define NODE(k, kind, T, f) { k, kind, offsetof(T, f), FIELD_WIDTH(T, f), 0, 0, NULL }
#define NODE_R(k, kind, T, f, l, h) { k, kind, offsetof(T, f), FIELD_WIDTH(T, f), l, h, NULL }
#define NODE_OBJ(k, offset, children) { k, K_OBJ, offset, 0, 0, 0, children }
#define NODE_END { NULL, K_OBJ, 0, 0, 0, 0, NULL }

#define MAX_LATENCY     10000u
#define MAX_ENTRIES     (1u << 24)
#define MAX_CACHE_BYTES (UINT64_C(1) << 32)
#define PA_BITS         48u     /* physical address space of the modelled cores (N1: 48) */
#define TWO_POW_53      (UINT64_C(1) << 53)

/* Page sizes a TLB level may hold: 4K 16K 64K 2M 32M 512M 1G (DS=0). */
#define PAGE_SIZES_LEGAL (BIT64(12) | BIT64(14) | BIT64(16) | BIT64(21) | BIT64(25) | \
                          BIT64(29) | BIT64(30))

static const struct node tlb_nodes[] = {
    NODE("enabled", K_BOOL, struct tlb_config, enabled),
    NODE_R("entries", K_UINT, struct tlb_config, entries, 1, MAX_ENTRIES),
    NODE_R("ways", K_WAYS, struct tlb_config, ways, 0, MAX_ENTRIES),
    NODE_R("latency", K_UINT, struct tlb_config, latency_cycles, 0, MAX_LATENCY),
    NODE("replacement", K_REPL, struct tlb_config, repl),
    NODE("page_sizes", K_PAGESIZES, struct tlb_config, page_sizes),
    NODE_END,
};

#define PWC_COMMON \
    NODE("enabled", K_BOOL, struct pwc_config, enabled), \
    NODE_R("entries", K_UINT, struct pwc_config, entries, 1, MAX_ENTRIES), \
    NODE_R("ways", K_WAYS, struct pwc_config, ways, 0, MAX_ENTRIES), \
    NODE_R("latency", K_UINT, struct pwc_config, latency_cycles, 0, MAX_LATENCY), \
    NODE("replacement", K_REPL, struct pwc_config, repl)

static const struct node pwc_s1_nodes[] = {
    PWC_COMMON,
    NODE("levels", K_LEVELS, struct pwc_config, levels),
    NODE_END,
};

static const struct node pwc_s2_nodes[] = {
    PWC_COMMON,
    NODE_END,
};

static const struct node cache_nodes[] = {
    NODE("enabled", K_BOOL, struct cache_config, enabled),
    NODE_R("size", K_SIZE, struct cache_config, size_bytes, 16, MAX_CACHE_BYTES),
    NODE_R("ways", K_WAYS, struct cache_config, ways, 0, 1u << 20),
    NODE_R("line", K_LINE, struct cache_config, line_bytes, 16, 4096),
    NODE_R("latency", K_UINT, struct cache_config, latency_cycles, 0, MAX_LATENCY),
    NODE("replacement", K_REPL, struct cache_config, repl),
    NODE("write_back", K_BOOL, struct cache_config, write_back),
    NODE("write_allocate", K_BOOL, struct cache_config, write_allocate),
    NODE_END,
};

static const struct node mem_nodes[] = {
    NODE_OBJ("l1d", offsetof(struct mem_config, l1d), cache_nodes),
    NODE_OBJ("l2", offsetof(struct mem_config, l2), cache_nodes),
    NODE_OBJ("llc", offsetof(struct mem_config, llc), cache_nodes),
    NODE_R("dram_latency", K_UINT, struct mem_config, dram_latency_cycles, 0, MAX_LATENCY),
    NODE("walker_port", K_PORT, struct mem_config, walker_port),
    NODE_END,
};

#define VM_FIELDS \
    NODE("s2_granule", K_GRANULE, struct vm_config, s2_granule_shift), \
    NODE_R("ipa_bits", K_UINT, struct vm_config, ipa_bits, 32, 48), \
    NODE("s2_start_level", K_STARTLVL, struct vm_config, s2_start_level), \
    NODE("backing", K_POLICY, struct vm_config, backing), \
    NODE("block_size", K_BLOCK, struct vm_config, block_shift), \
    NODE("block_fraction", K_FRAC, struct vm_config, block_fraction)

#define PROC_FIELDS \
    NODE("s1_granule", K_GRANULE, struct proc_config, s1_granule_shift), \
    NODE_R("va_bits", K_UINT, struct proc_config, va_bits, 25, 48), \
    NODE("pages", K_POLICY, struct proc_config, pages), \
    NODE("block_size", K_BLOCK, struct proc_config, block_shift), \
    NODE("block_fraction", K_FRAC, struct proc_config, block_fraction)

static const struct node vm_nodes[] = { VM_FIELDS, NODE_END };
static const struct node proc_nodes[] = { PROC_FIELDS, NODE_END };
static const struct node vm_item_nodes[] = {
    NODE_R("vmid", K_UINT, struct vm_config, vmid, 0, 65535), VM_FIELDS, NODE_END,
};
static const struct node proc_item_nodes[] = {
    NODE_R("asid", K_UINT, struct proc_config, asid, 0, 65535), PROC_FIELDS, NODE_END,
};

static const struct node alloc_nodes[] = {
    NODE("kind", K_ALLOCKIND, struct alloc_config, kind),
    NODE("fragmentation", K_FRAC, struct alloc_config, fragmentation),
    NODE("base", K_ADDR, struct alloc_config, base),
    NODE_R("size", K_SIZE, struct alloc_config, size_bytes, 1, BIT64(PA_BITS)),
    NODE_END,
};

static const struct node machine_nodes[] = {
    NODE("virtualized", K_BOOL, struct sim_config, virtualized),
    NODE_END,
};

static const struct node tlbs_nodes[] = {
    NODE_OBJ("l1i", offsetof(struct sim_config, l1i_tlb), tlb_nodes),
    NODE_OBJ("l1d", offsetof(struct sim_config, l1d_tlb), tlb_nodes),
    NODE_OBJ("l2", offsetof(struct sim_config, l2_tlb), tlb_nodes),
    NODE_END,
};

static const struct node walk_cache_nodes[] = {
    NODE_OBJ("s1", offsetof(struct sim_config, s1_walk_cache), pwc_s1_nodes),
    NODE_OBJ("s2", offsetof(struct sim_config, s2_ipa_cache), pwc_s2_nodes),
    NODE_END,
};

static const struct node allocs_nodes[] = {
    NODE_OBJ("guest", offsetof(struct sim_config, guest_alloc), alloc_nodes),
    NODE_OBJ("hypervisor", offsetof(struct sim_config, hyp_alloc), alloc_nodes),
    NODE_END,
};

static const struct node os_nodes[] = {
    NODE_R("demand_fault_cycles", K_UINT, struct sim_config, demand_fault_cycles, 0,
           1000000000u),
    NODE_END,
};

/* The root, in the canonical key order of config_to_json(). */
static const struct node root_nodes[] = {
    NODE("preset", K_PRESET, struct sim_config, preset),
    NODE("seed", K_SEED, struct sim_config, seed),
    NODE_OBJ("machine", 0, machine_nodes),
    NODE_OBJ("tlb", 0, tlbs_nodes),
    NODE_OBJ("walk_cache", 0, walk_cache_nodes),
    NODE_OBJ("cache", offsetof(struct sim_config, mem), mem_nodes),
    NODE_OBJ("vm", offsetof(struct sim_config, vm), vm_nodes),
    NODE_OBJ("process", offsetof(struct sim_config, proc), proc_nodes),
    NODE("vms", K_VMS, struct sim_config, vms),
    NODE("processes", K_PROCS, struct sim_config, procs),
    NODE_OBJ("alloc", 0, allocs_nodes),
    NODE_OBJ("os", 0, os_nodes),
    NODE_END,
};

/* Keys are applied in phases so that a file's order does not matter:
 * "preset" resets everything first; "vms"/"processes" start from the final
 * "vm"/"process" templates. */
static int node_phase(const struct node *n)
{
    if (n->kind == K_PRESET)
        return 0;
    if (n->kind == K_VMS || n->kind == K_PROCS)
        return 2;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Enum names                                                                */

struct name_val {
    const char *name;
    int val;
};

static const struct name_val repl_names[] = {
    { "lru", REPL_LRU }, { "plru", REPL_PLRU }, { "random", REPL_RANDOM },
    { "tree-plru", REPL_PLRU }, /* accepted alias, never printed */
    { NULL, 0 },
};
static const struct name_val policy_names[] = {
    { "base", PAGES_BASE }, { "blocks", PAGES_BLOCKS }, { "fraction", PAGES_FRACTION },
    { NULL, 0 },
};
static const struct name_val alloc_names[] = {
    { "sequential", ALLOC_SEQUENTIAL }, { "scattered", ALLOC_SCATTERED }, { NULL, 0 },
};
static const struct name_val port_names[] = {
    { "l1d", PORT_L1D }, { "l2", PORT_L2 }, { "llc", PORT_LLC }, { NULL, 0 },
};
static const struct name_val granule_names[] = {
    { "4k", 12 }, { "16k", 14 }, { "64k", 16 }, { NULL, 0 },
};

static const struct name_val *enum_table(enum node_kind k)
{
    switch (k) {
    case K_REPL: return repl_names;
    case K_POLICY: return policy_names;
    case K_ALLOCKIND: return alloc_names;
    case K_PORT: return port_names;
    case K_GRANULE: return granule_names;
    default: return NULL;
    }
}

static const char *enum_name(const struct name_val *t, int v)
{
    for (; t->name; t++)
        if (t->val == v)
            return t->name;
    return NULL;
}

/* "a", "b" or "c" */
static void enum_list(const struct name_val *t, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (const struct name_val *p = t; p->name && len < n; p++) {
        const char *sep = p == t ? "" : (p[1].name ? ", " : " or ");
        len += (size_t)snprintf(buf + len, n - len, "%s\"%s\"", sep, p->name);
    }
}

/* ------------------------------------------------------------------------ */
/* Field storage                                                             */

static uint64_t load_uint(const char *p, size_t width)
{
    switch (width) {
    case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void store_uint(char *p, size_t width, uint64_t v)
{
    switch (width) {
    case 1: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

_Static_assert(sizeof(enum repl_policy) == sizeof(int) && sizeof(enum page_policy) == sizeof(int) &&
               sizeof(enum alloc_kind) == sizeof(int) && sizeof(enum walker_port) == sizeof(int),
               "enum fields are stored as int");

static int load_enum(const char *p)
{
    int v;
    memcpy(&v, p, sizeof(v));  /* every enum here has int size (C11 6.7.2.2) */
    return v;
}

static void store_enum(char *p, int v)
{
    memcpy(p, &v, sizeof(v));
}

/* Canonical size text: the largest of G/M/K that divides exactly ("1280K"). */
static void size_text(uint64_t v, char *buf, size_t n)
{
    static const char sfx[] = "TGMK";
    for (int i = 0; i < 4; i++) {
        uint64_t unit = UINT64_C(1) << (10 * (4 - i));
        if (v && v % unit == 0) {
            snprintf(buf, n, "%" PRIu64 "%c", v / unit, sfx[i]);
            return;
        }
    }
    snprintf(buf, n, "%" PRIu64, v);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

struct ctx {
    struct sim_config *cfg;
    const char *file;       /* names the source in messages */
    struct sim_err *err;
};

/* The JSON text of @it for a message, shortened. */
static void item_text(const cJSON *it, char *buf, size_t n)
{
    if (!it) {
        snprintf(buf, n, "nothing");
    } else if (cJSON_IsString(it)) {
        snprintf(buf, n, "\"%.60s%s\"", it->valuestring,
                 strlen(it->valuestring) > 60 ? "..." : "");
    } else {
        char *s = cJSON_PrintUnformatted(it);
        snprintf(buf, n, "%.60s%s", s ? s : "?", s && strlen(s) > 60 ? "..." : "");
        cJSON_free(s);
    }
}

/* "<file>: <path>: <what>, got <got>" */
static int fail(const struct ctx *c, const char *path, const char *got, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(const struct ctx *c, const char *path, const char *got, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (got)
        return sim_err_set(c->err, SIM_EINVAL, "%s: %s: %s, got %s", c->file, path, what, got);
    return sim_err_set(c->err, SIM_EINVAL, "%s: %s: %s", c->file, path, what);
}

#define FAIL_ITEM(c, path, it, ...) \
    do { char got_[96]; item_text(it, got_, sizeof(got_)); \
         return fail(c, path, got_, __VA_ARGS__); } while (0)

static void path_join(char *out, size_t n, const char *path, const char *key)
{
    if (path[0])
        snprintf(out, n, "%s.%s", path, key);
    else
        snprintf(out, n, "%s", key);
}

/* ------------------------------------------------------------------------ */
/* Value parsers: cJSON item -> host value, or an error naming @path         */

/* Integral JSON number in [lo, hi]. */
static int parse_uint(const struct ctx *c, const char *path, const cJSON *it, uint64_t lo,
                      uint64_t hi, uint64_t *out)
{
    if (!cJSON_IsNumber(it))
        FAIL_ITEM(c, path, it, "expected an integer");
    double d = it->valuedouble;
    if (!isfinite(d) || d != floor(d) || d < (double)lo || d > (double)hi)
        FAIL_ITEM(c, path, it, "expected an integer in %" PRIu64 "..%" PRIu64, lo, hi);
    *out = (uint64_t)d;
    return SIM_OK;
}

/*
 * Size text: decimal digits with an optional K/M/G/T suffix (powers of 1024,
 * either case), or 0x-prefixed hex.  Returns false on any other text or on
 * overflow.
 */
static bool size_from_text(const char *s, uint64_t *out)
{
    const char *p = s;
    uint64_t v = 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        if (!*p)
            return false;
        for (; *p; p++) {
            int d;
            if (*p >= '0' && *p <= '9') d = *p - '0';
            else if (*p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
            else if (*p >= 'A' && *p <= 'F') d = *p - 'A' + 10;
            else return false;
            if (v > (UINT64_MAX >> 4))
                return false;
            v = v << 4 | (uint64_t)d;
        }
        *out = v;
        return true;
    }
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    unsigned shift = 0;
    switch (*p) {
    case '\0': break;
    case 'k': case 'K': shift = 10; p++; break;
    case 'm': case 'M': shift = 20; p++; break;
    case 'g': case 'G': shift = 30; p++; break;
    case 't': case 'T': shift = 40; p++; break;
    default: return false;
    }
    if (*p != '\0')
        return false;
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* A size or address: JSON number (integral, >= 0) or size text. */
static int parse_size(const struct ctx *c, const char *path, const cJSON *it, uint64_t *out)
{
    if (cJSON_IsNumber(it))
        return parse_uint(c, path, it, 0, TWO_POW_53, out);
    if (cJSON_IsString(it) && size_from_text(it->valuestring, out))
        return SIM_OK;
    FAIL_ITEM(c, path, it, "expected a size (bytes, or a number with suffix K, M, G or T)");
}

static int parse_enum(const struct ctx *c, const char *path, const cJSON *it,
                      const struct name_val *t, bool any_case, int *out)
{
    if (cJSON_IsString(it)) {
        for (const struct name_val *p = t; p->name; p++) {
            if ((any_case ? strcasecmp : strcmp)(it->valuestring, p->name) == 0) {
                *out = p->val;
                return SIM_OK;
            }
        }
    }
    char list[128];
    enum_list(t, list, sizeof(list));
    FAIL_ITEM(c, path, it, "expected %s", list);
}

/*
 * A list: a JSON array, one string of comma-separated items, or one number
 * (the last two for --set).
 * Calls @one for every item; the item path is "path[i]".
 */
typedef int (*list_item_fn)(const struct ctx *c, const char *path, const cJSON *it,
                            uint64_t *mask);

static int parse_list(const struct ctx *c, const char *path, const cJSON *it, list_item_fn one,
                      uint64_t *mask)
{
    char ipath[300];
    *mask = 0;
    if (cJSON_IsArray(it)) {
        int i = 0;
        for (const cJSON *e = it->child; e; e = e->next, i++) {
            snprintf(ipath, sizeof(ipath), "%s[%d]", path, i);
            int rc = one(c, ipath, e, mask);
            if (rc < 0)
                return rc;
        }
        return SIM_OK;
    }
    if (cJSON_IsString(it)) {
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", it->valuestring);
        int i = 0;
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save), i++) {
            while (*tok == ' ')
                tok++;
            /* a number stays a number ("0,1,2" for levels) */
            cJSON *e = (*tok >= '0' && *tok <= '9' && !strpbrk(tok, "kKmMgGtTxX"))
                           ? cJSON_CreateNumber(strtod(tok, NULL)) : cJSON_CreateString(tok);
            if (!e)
                return sim_err_set(c->err, SIM_ENOMEM, "%s: %s: out of memory", c->file, path);
            snprintf(ipath, sizeof(ipath), "%s[%d]", path, i);
            int rc = one(c, ipath, e, mask);
            cJSON_Delete(e);
            if (rc < 0)
                return rc;
        }
        return SIM_OK;
    }
    if (cJSON_IsNumber(it))     /* one item on its own: "levels=2" */
        return one(c, path, it, mask);
    FAIL_ITEM(c, path, it, "expected a list");
}

static int page_size_item(const struct ctx *c, const char *path, const cJSON *it, uint64_t *mask)
{
    uint64_t v;
    if (parse_size(c, path, it, &v) < 0 || !is_pow2(v) || !(PAGE_SIZES_LEGAL & v))
        FAIL_ITEM(c, path, it, "expected a page size: 4K, 16K, 64K, 2M, 32M, 512M or 1G");
    *mask |= v;     /* v is 2^k: bit k */
    return SIM_OK;
}

static int level_item(const struct ctx *c, const char *path, const cJSON *it, uint64_t *mask)
{
    uint64_t v;
    int rc = parse_uint(c, path, it, 0, 2, &v);
    if (rc < 0)
        return rc;
    *mask |= BIT64(v);
    return SIM_OK;
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                   */

static int apply_object(const struct ctx *c, const struct node *nodes, char *base,
                        const cJSON *obj, const char *path);

static const struct node *find_node(const struct node *nodes, const char *key)
{
    for (const struct node *n = nodes; n->key; n++)
        if (strcmp(n->key, key) == 0)
            return n;
    return NULL;
}

static int apply_preset(const struct ctx *c, const char *path, const cJSON *it)
{
    if (!cJSON_IsString(it))
        FAIL_ITEM(c, path, it, "expected a preset name");
    if (it->valuestring[0] == '\0') {   /* "": started from no preset; keep the values */
        c->cfg->preset[0] = '\0';
        return SIM_OK;
    }
    if (preset_json(it->valuestring) == NULL) {
        char list[160] = "";
        size_t len = 0;
        for (const char *const *p = config_preset_names(); *p && len < sizeof(list); p++)
            len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                                    p == config_preset_names() ? "" : ", ", *p);
        FAIL_ITEM(c, path, it, "unknown preset (known: %s)", list);
    }
    return config_preset(c->cfg, it->valuestring, c->err);
}

/* vms[] or processes[]: replaces the list; every item starts from the template. */
static int apply_list(const struct ctx *c, const struct node *n, const cJSON *arr,
                      const char *path)
{
    struct sim_config *cfg = c->cfg;
    bool is_vm = n->kind == K_VMS;
    const char *id_key = is_vm ? "vmid" : "asid";
    unsigned max = is_vm ? CONFIG_MAX_VMS : CONFIG_MAX_PROCS;
    char ipath[300], kpath[320];

    if (!cJSON_IsArray(arr))
        FAIL_ITEM(c, path, arr, "expected a list of objects");
    int count = cJSON_GetArraySize(arr);
    if (count < 0 || (unsigned)count > max) {
        char got[32];
        snprintf(got, sizeof(got), "%d", count);
        return fail(c, path, got, "at most %u entries", max);
    }
    if (is_vm)
        cfg->n_vms = 0;
    else
        cfg->n_procs = 0;
    unsigned i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        snprintf(ipath, sizeof(ipath), "%s[%u]", path, i);
        if (!cJSON_IsObject(it))
            FAIL_ITEM(c, ipath, it, "expected an object");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, id_key);
        snprintf(kpath, sizeof(kpath), "%s.%s", ipath, id_key);
        if (!id)
            return fail(c, kpath, NULL, "missing (every entry names its %s)",
                        is_vm ? "VMID" : "ASID");
        uint64_t idv;
        int rc = parse_uint(c, kpath, id, 0, 65535, &idv);
        if (rc < 0)
            return rc;
        for (unsigned j = 0; j < i; j++) {
            uint16_t other = is_vm ? cfg->vms[j].vmid : cfg->procs[j].asid;
            if (other == idv)
                FAIL_ITEM(c, kpath, id, "duplicate %s (also %s[%u])", is_vm ? "VMID" : "ASID",
                          path, j);
        }
        char *base;
        if (is_vm) {
            cfg->vms[i] = cfg->vm;
            base = (char *)&cfg->vms[i];
        } else {
            cfg->procs[i] = cfg->proc;
            base = (char *)&cfg->procs[i];
        }
        rc = apply_object(c, is_vm ? vm_item_nodes : proc_item_nodes, base, it, ipath);
        if (rc < 0)
            return rc;
        if (is_vm)
            cfg->n_vms = i + 1;
        else
            cfg->n_procs = i + 1;
    }
    return SIM_OK;
}

/* Parse @it as the value of node @n and store it at @base + n->off. */
static int apply_value(const struct ctx *c, const struct node *n, char *base, const cJSON *it,
                       const char *path)
{
    char *p = base + n->off;
    uint64_t v;
    int e, rc = SIM_OK;

    switch (n->kind) {
    case K_OBJ:
        return apply_object(c, n->sub, p, it, path);
    case K_PRESET:
        return apply_preset(c, path, it);
    case K_VMS:
    case K_PROCS:
        return apply_list(c, n, it, path);
    case K_BOOL:
        if (!cJSON_IsBool(it))
            FAIL_ITEM(c, path, it, "expected true or false");
        *(bool *)p = cJSON_IsTrue(it);
        return SIM_OK;
    case K_UINT:
    case K_LINE:
        rc = parse_uint(c, path, it, n->lo, n->hi, &v);
        if (rc < 0)
            return rc;
        if (n->kind == K_LINE && !is_pow2(v))
            FAIL_ITEM(c, path, it, "expected a power of two in %" PRIu64 "..%" PRIu64,
                      n->lo, n->hi);
        store_uint(p, n->width, v);
        return SIM_OK;
    case K_WAYS:
        if (cJSON_IsString(it) && strcmp(it->valuestring, "full") == 0) {
            store_uint(p, n->width, 0);
            return SIM_OK;
        }
        if (!cJSON_IsNumber(it))
            FAIL_ITEM(c, path, it, "expected a number of ways, or 0 or \"full\" for fully "
                      "associative");
        rc = parse_uint(c, path, it, 0, n->hi, &v);
        if (rc < 0)
            return rc;
        store_uint(p, n->width, v);
        return SIM_OK;
    case K_SIZE:
        rc = parse_size(c, path, it, &v);
        if (rc < 0)
            return rc;
        if (v < n->lo || v > n->hi) {
            char lo[32], hi[32];
            size_text(n->lo, lo, sizeof(lo));
            size_text(n->hi, hi, sizeof(hi));
            FAIL_ITEM(c, path, it, "expected a size in %s..%s", lo, hi);
        }
        store_uint(p, n->width, v);
        return SIM_OK;
    case K_ADDR:
        rc = parse_size(c, path, it, &v);
        if (rc < 0)
            return rc;
        store_uint(p, n->width, v);
        return SIM_OK;
    case K_FRAC:
        if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0.0 && it->valuedouble <= 1.0))
            FAIL_ITEM(c, path, it, "expected a fraction in 0..1");
        *(double *)p = it->valuedouble;
        return SIM_OK;
    case K_SEED:
        if (cJSON_IsString(it)) {
            const char *s = it->valuestring;
            char *end;
            errno = 0;
            unsigned long long u = strtoull(s, &end, 10);
            if (s[0] < '0' || s[0] > '9' || *end || errno == ERANGE)
                FAIL_ITEM(c, path, it, "expected an unsigned 64-bit integer");
            v = u;
        } else {
            rc = parse_uint(c, path, it, 0, TWO_POW_53, &v);
            if (rc < 0)
                return rc;
        }
        store_uint(p, n->width, v);
        return SIM_OK;
    case K_REPL:
    case K_POLICY:
    case K_ALLOCKIND:
    case K_PORT:
        rc = parse_enum(c, path, it, enum_table(n->kind), false, &e);
        if (rc < 0)
            return rc;
        store_enum(p, e);
        return SIM_OK;
    case K_GRANULE:
        rc = parse_enum(c, path, it, granule_names, true, &e);
        if (rc < 0)
            return rc;
        store_uint(p, n->width, (uint64_t)e);
        return SIM_OK;
    case K_STARTLVL:
        if (cJSON_IsString(it) && strcmp(it->valuestring, "auto") == 0) {
            *(int8_t *)p = -1;
            return SIM_OK;
        }
        if (!cJSON_IsNumber(it))
            FAIL_ITEM(c, path, it, "expected \"auto\" or a level 0..3");
        rc = parse_uint(c, path, it, 0, 3, &v);
        if (rc < 0)
            return rc;
        *(int8_t *)p = (int8_t)v;
        return SIM_OK;
    case K_BLOCK:
        rc = parse_size(c, path, it, &v);
        if (rc < 0 || !(v == BIT64(21) || v == BIT64(25) || v == BIT64(29) || v == BIT64(30)))
            FAIL_ITEM(c, path, it, "expected a block size: 2M, 32M, 512M or 1G");
        store_uint(p, n->width, log2_u64(v));
        return SIM_OK;
    case K_PAGESIZES:
        rc = parse_list(c, path, it, page_size_item, &v);
        if (rc < 0)
            return rc;
        store_uint(p, n->width, v);
        return SIM_OK;
    case K_LEVELS:
        rc = parse_list(c, path, it, level_item, &v);
        if (rc < 0)
            return rc;
        store_uint(p, n->width, v);
        return SIM_OK;
    }
    return sim_err_set(c->err, SIM_EINVAL, "%s: %s: internal: bad node kind", c->file, path);
}

static int apply_object(const struct ctx *c, const struct node *nodes, char *base,
                        const cJSON *obj, const char *path)
{
    char cpath[300];
    if (!cJSON_IsObject(obj))
        FAIL_ITEM(c, path[0] ? path : "(top level)", obj, "expected an object");

    /* every key known, none twice (cJSON keeps duplicates; JSON leaves them undefined) */
    for (const cJSON *it = obj->child; it; it = it->next) {
        path_join(cpath, sizeof(cpath), path, it->string);
        for (const cJSON *prev = obj->child; prev != it; prev = prev->next)
            if (strcmp(prev->string, it->string) == 0)
                return fail(c, cpath, NULL, "duplicate key");
        if (!find_node(nodes, it->string)) {
            char known[256] = "";
            size_t len = 0;
            for (const struct node *n = nodes; n->key && len < sizeof(known); n++)
                len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s",
                                        n == nodes ? "" : ", ", n->key);
            return fail(c, cpath, NULL, "unknown key (known: %s)", known);
        }
    }
    for (int phase = 0; phase <= 2; phase++) {
        for (const cJSON *it = obj->child; it; it = it->next) {
            const struct node *n = find_node(nodes, it->string);
            if (node_phase(n) != phase)
                continue;
            path_join(cpath, sizeof(cpath), path, it->string);
            int rc = apply_value(c, n, base, it, cpath);
            if (rc < 0)
                return rc;
        }
    }
    return SIM_OK;
}

int config_load_string(struct sim_config *cfg, const char *json, const char *name,
                       struct sim_err *err)
{
    struct ctx c = { cfg, name, err };
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, true);
    if (!root) {
        /* position of the error: 1-based line and column, 0-based byte offset */
        size_t off = end && end >= json ? (size_t)(end - json) : 0;
        unsigned line = 1, col = 1;
        for (size_t i = 0; i < off && json[i]; i++) {
            if (json[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        /* context: up to 16 bytes of the line before the position and 8 after */
        size_t from = off, to = off;
        while (from > 0 && off - from < 16 && json[from - 1] != '\n')
            from--;
        while (json[to] && json[to] != '\n' && to - off < 8)
            to++;
        cJSON_Delete(root);
        if (from == to)
            return sim_err_set(err, SIM_EINVAL, "%s:%u:%u: malformed JSON at byte %zu "
                               "(unexpected end)", name, line, col, off);
        return sim_err_set(err, SIM_EINVAL, "%s:%u:%u: malformed JSON at byte %zu near '%.*s'",
                           name, line, col, off, (int)(to - from), json + from);
    }
    int rc = apply_object(&c, root_nodes, (char *)cfg, root, "");
    cJSON_Delete(root);
    return rc;
}

#define CONFIG_MAX_FILE (16u << 20)

int config_load(struct sim_config *cfg, const char *path, struct sim_err *err)
{
    char *buf;
    size_t len;
    int rc = util_read_file(path, CONFIG_MAX_FILE, &buf, &len, err);
    if (rc < 0)
        return rc;
    rc = config_load_string(cfg, buf, path, err);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Presets                                                                   */

int config_preset(struct sim_config *cfg, const char *name, struct sim_err *err)
{
    const char *json = name ? preset_json(name) : NULL;
    if (!json) {
        char list[160] = "";
        size_t len = 0;
        for (const char *const *p = config_preset_names(); *p && len < sizeof(list); p++)
            len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
                                    p == config_preset_names() ? "" : ", ", *p);
        return sim_err_set(err, SIM_EINVAL, "--preset: unknown preset \"%s\" (known: %s)",
                           name ? name : "(null)", list);
    }
    memset(cfg, 0, sizeof(*cfg));
    int rc = config_load_string(cfg, preset_base_json(), "preset base", err);
    if (rc == SIM_OK)
        rc = config_load_string(cfg, json, name, err);
    if (rc == SIM_OK)
        snprintf(cfg->preset, sizeof(cfg->preset), "%s", name);
    return rc;
}

void config_defaults(struct sim_config *cfg)
{
    int rc = config_preset(cfg, config_preset_names()[0], NULL);
    /* the embedded presets are tested (check_config.c): no input reaches this */
    assert(rc == SIM_OK);
    (void)rc;
}

/* ------------------------------------------------------------------------ */
/* Overrides                                                                 */

int config_set(struct sim_config *cfg, const char *assignment, struct sim_err *err)
{
    struct ctx c = { cfg, "--set", err };
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return sim_err_set(err, SIM_EINVAL, "--set: expected PATH=VALUE, got \"%.200s\"",
                           assignment);
    char path[256];
    size_t plen = (size_t)(eq - assignment);
    if (plen >= sizeof(path))
        return sim_err_set(err, SIM_EINVAL, "--set: path too long");
    memcpy(path, assignment, plen);
    path[plen] = '\0';
    const char *value = eq + 1;

    /* resolve the dotted path, keeping the node and its parent's base */
    const struct node *nodes = root_nodes, *n = NULL, *top = NULL;
    char *base = (char *)cfg, *parent = NULL;
    char seg[256];
    const char *s = path;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        memcpy(seg, s, len);
        seg[len] = '\0';
        n = nodes ? find_node(nodes, seg) : NULL;
        if (!n)
            return fail(&c, path, NULL, "unknown configuration path");
        if (!top)
            top = n;
        parent = base;
        if (!dot)
            break;
        if (n->kind != K_OBJ)
            return fail(&c, path, NULL, "unknown configuration path");
        base += n->off;
        nodes = n->sub;
        s = dot + 1;
    }
    if (n->kind == K_PRESET)
        return fail(&c, path, NULL, "not settable with --set (use --preset)");
    if (n->kind == K_VMS || n->kind == K_PROCS)
        return fail(&c, path, NULL, "not settable with --set (use a config file)");

    /* The value is JSON if it parses as JSON ("2048", "true", "[0,1]"),
     * otherwise a string ("4k", "lru", "64K", "0x40000000").  A seed made of
     * digits stays text, so that values above 2^53 keep every bit. */
    cJSON *it = NULL;
    bool digits = value[0] != '\0' && strspn(value, "0123456789") == strlen(value);
    if (!(n->kind == K_SEED && digits)) {
        const char *end = NULL;
        it = cJSON_ParseWithOpts(value, &end, true);
    }
    if (!it)
        it = cJSON_CreateString(value);
    if (!it)
        return sim_err_set(err, SIM_ENOMEM, "--set: out of memory");

    int rc = apply_value(&c, n, parent, it, path);
    /* The short flags and --set change "vm"/"process" for every VM/process:
     * the command line overrides the file, per-VMID/ASID entries included. */
    if (rc == SIM_OK && n != top &&
        (strcmp(top->key, "vm") == 0 || strcmp(top->key, "process") == 0)) {
        bool is_vm = strcmp(top->key, "vm") == 0;
        unsigned count = is_vm ? cfg->n_vms : cfg->n_procs;
        size_t rel = (size_t)(parent - (char *)cfg) - top->off;
        for (unsigned i = 0; i < count && rc == SIM_OK; i++) {
            char *b = is_vm ? (char *)&cfg->vms[i] : (char *)&cfg->procs[i];
            rc = apply_value(&c, n, b + rel, it, path);
        }
    }
    cJSON_Delete(it);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Validation                                                                */

/* Range check of one stored field (the struct may have been built by hand). */
static int check_field(const struct ctx *c, const struct node *n, const char *base,
                       const char *path)
{
    const char *p = base + n->off;
    char got[64];
    uint64_t v;
    int e;

    switch (n->kind) {
    case K_UINT:
    case K_LINE:
    case K_WAYS:
        v = load_uint(p, n->width);
        snprintf(got, sizeof(got), "%" PRIu64, v);
        if ((n->kind != K_WAYS && v < n->lo) || v > n->hi)
            return fail(c, path, got, "expected %s in %" PRIu64 "..%" PRIu64,
                        n->kind == K_WAYS ? "ways" : "an integer", n->lo, n->hi);
        if (n->kind == K_LINE && !is_pow2(v))
            return fail(c, path, got, "expected a power of two");
        return SIM_OK;
    case K_SIZE:
        v = load_uint(p, n->width);
        size_text(v, got, sizeof(got));
        if (v < n->lo || v > n->hi)
            return fail(c, path, got, "size out of range");
        return SIM_OK;
    case K_FRAC: {
        double d;
        memcpy(&d, p, sizeof(d));
        snprintf(got, sizeof(got), "%g", d);
        if (!(d >= 0.0 && d <= 1.0))
            return fail(c, path, got, "expected a fraction in 0..1");
        return SIM_OK;
    }
    case K_REPL:
    case K_POLICY:
    case K_ALLOCKIND:
    case K_PORT:
        e = load_enum(p);
        snprintf(got, sizeof(got), "%d", e);
        if (!enum_name(enum_table(n->kind), e))
            return fail(c, path, got, "invalid value");
        return SIM_OK;
    case K_GRANULE:
        v = load_uint(p, n->width);
        snprintf(got, sizeof(got), "shift %" PRIu64, v);
        if (v != 12 && v != 14 && v != 16)
            return fail(c, path, got, "expected \"4k\", \"16k\" or \"64k\"");
        return SIM_OK;
    case K_STARTLVL: {
        int8_t l;
        memcpy(&l, p, 1);
        snprintf(got, sizeof(got), "%d", l);
        if (l < -1 || l > 3)
            return fail(c, path, got, "expected \"auto\" or a level 0..3");
        return SIM_OK;
    }
    case K_BLOCK:
        v = load_uint(p, n->width);
        snprintf(got, sizeof(got), "shift %" PRIu64, v);
        if (v != 21 && v != 25 && v != 29 && v != 30)
            return fail(c, path, got, "expected a block size: 2M, 32M, 512M or 1G");
        return SIM_OK;
    case K_PAGESIZES:
        v = load_uint(p, n->width);
        snprintf(got, sizeof(got), "mask 0x%" PRIx64, v);
        if (v & ~PAGE_SIZES_LEGAL)
            return fail(c, path, got, "page sizes other than 4K, 16K, 64K, 2M, 32M, 512M, 1G");
        return SIM_OK;
    case K_LEVELS:
        v = load_uint(p, n->width);
        snprintf(got, sizeof(got), "mask 0x%" PRIx64, v);
        if (v & ~UINT64_C(7))
            return fail(c, path, got, "walk-cache levels must be within 0..2");
        return SIM_OK;
    case K_PRESET:
        if (!memchr(p, '\0', n->width))
            return fail(c, path, NULL, "not NUL-terminated");
        if (p[0] && !preset_json(p))
            return fail(c, path, p, "unknown preset");
        return SIM_OK;
    case K_BOOL:
    case K_ADDR:
    case K_SEED:
    case K_OBJ:
    case K_VMS:
    case K_PROCS:
        return SIM_OK;
    }
    return SIM_OK;
}

static int check_object(const struct ctx *c, const struct node *nodes, const char *base,
                        const char *path)
{
    char cpath[300];
    for (const struct node *n = nodes; n->key; n++) {
        path_join(cpath, sizeof(cpath), path, n->key);
        int rc = n->kind == K_OBJ ? check_object(c, n->sub, base + n->off, cpath)
                                  : check_field(c, n, base, cpath);
        if (rc < 0)
            return rc;
    }
    return SIM_OK;
}

static int check_ways(const struct ctx *c, const char *path, uint32_t entries, uint32_t ways)
{
    char p[300], got[32];
    if (ways && entries % ways) {
        snprintf(p, sizeof(p), "%s.ways", path);
        snprintf(got, sizeof(got), "%u", ways);
        return fail(c, p, got, "must be 0 (fully associative) or divide entries (%u)", entries);
    }
    return SIM_OK;
}

static int check_tlb(const struct ctx *c, const char *path, const struct tlb_config *t,
                     unsigned min_granule_shift)
{
    int rc = check_ways(c, path, t->entries, t->ways);
    if (rc < 0 || !t->enabled)
        return rc;
    /* a base page must fracture to something the level holds (ARM-VMSA.md §8 "Entry sizes") */
    if (!(t->page_sizes & GENMASK64(min_granule_shift, 0))) {
        char p[300], got[32];
        snprintf(p, sizeof(p), "%s.page_sizes", path);
        snprintf(got, sizeof(got), "mask 0x%" PRIx64, t->page_sizes);
        return fail(c, p, got, "must hold a size <= the smallest granule in use (%uK)",
                    1u << (min_granule_shift - 10));
    }
    return SIM_OK;
}

static int check_cache(const struct ctx *c, const char *path, const struct cache_config *k)
{
    uint64_t set_bytes = (uint64_t)(k->ways ? k->ways : 1) * k->line_bytes;
    if (k->size_bytes % set_bytes || k->size_bytes < set_bytes) {
        char p[300], got[32];
        snprintf(p, sizeof(p), "%s.size", path);
        size_text(k->size_bytes, got, sizeof(got));
        if (k->ways)
            return fail(c, p, got, "must be sets x ways x line = sets x %u x %u with a whole "
                        "number of sets >= 1", k->ways, k->line_bytes);
        return fail(c, p, got, "must be a whole number of %u-byte lines", k->line_bytes);
    }
    return SIM_OK;
}

/* Legal DS=0 block shift of a granule: 4K: 2M (21), 1G (30); 16K: 32M (25); 64K: 512M (29). */
static bool block_legal(unsigned granule_shift, unsigned block_shift)
{
    switch (granule_shift) {
    case 12: return block_shift == 21 || block_shift == 30;
    case 14: return block_shift == 25;
    case 16: return block_shift == 29;
    default: return false;
    }
}

static int check_block(const struct ctx *c, const char *path, enum page_policy pol,
                       unsigned granule_shift, unsigned block_shift)
{
    if (pol == PAGES_BASE || block_legal(granule_shift, block_shift))
        return SIM_OK;
    char p[300], got[32];
    snprintf(p, sizeof(p), "%s.block_size", path);
    size_text(BIT64(block_shift), got, sizeof(got));
    return fail(c, p, got, "not a block size of the %uk granule (%s)",
                1u << (granule_shift - 10),
                granule_shift == 12 ? "2M or 1G" : granule_shift == 14 ? "32M" : "512M");
}

static int check_vm(const struct ctx *c, const char *path, const struct vm_config *vm)
{
    int rc = check_block(c, path, vm->backing, vm->s2_granule_shift, vm->block_shift);
    if (rc < 0 || vm->s2_start_level < 0)
        return rc;
    /* ARM-VMSA.md §3: an IPA size is valid for a start level when
     * min = (3 - start) * stride + granule + 1 <= ipa <= min + stride - 1 + 4
     * (up to 16 concatenated root tables).  16K at L0 needs DS=1. */
    unsigned g = vm->s2_granule_shift, stride = g - 3, sl = (unsigned)vm->s2_start_level;
    unsigned lo = (3 - sl) * stride + g + 1, hi = lo + stride - 1 + 4;
    if (g == 14 && sl == 0)
        lo = hi = 0;   /* DS=1 only: never valid here */
    if (vm->ipa_bits < lo || vm->ipa_bits > hi) {
        char p[300], got[32];
        snprintf(p, sizeof(p), "%s.s2_start_level", path);
        snprintf(got, sizeof(got), "%d", vm->s2_start_level);
        if (lo == 0 || lo > 48)
            return fail(c, p, got, "level %u cannot start a %uk stage 2 with ipa_bits %u "
                        "(no valid IPA size up to 48 bits)", sl, 1u << (g - 10), vm->ipa_bits);
        return fail(c, p, got, "level %u with the %uk granule needs ipa_bits %u..%u, and "
                    "ipa_bits is %u", sl, 1u << (g - 10), lo, hi < 48 ? hi : 48, vm->ipa_bits);
    }
    return SIM_OK;
}

static int check_alloc(const struct ctx *c, const char *path, const struct alloc_config *a,
                       unsigned granule_shift, unsigned space_bits, const char *space)
{
    char p[300], got[64];
    if (a->base & (BIT64(16) - 1)) {
        snprintf(p, sizeof(p), "%s.base", path);
        snprintf(got, sizeof(got), "0x%" PRIx64, a->base);
        return fail(c, p, got, "must be 64K-aligned");
    }
    snprintf(p, sizeof(p), "%s.size", path);
    size_text(a->size_bytes, got, sizeof(got));
    if (a->size_bytes < BIT64(granule_shift))
        return fail(c, p, got, "must be at least one %uk granule", 1u << (granule_shift - 10));
    if (a->base >= BIT64(space_bits) || a->size_bytes > BIT64(space_bits) - a->base)
        return fail(c, p, got, "pool at 0x%" PRIx64 " ends beyond the %u-bit %s", a->base,
                    space_bits, space);
    return SIM_OK;
}

int config_validate(const struct sim_config *cfg, struct sim_err *err)
{
    struct ctx c = { (struct sim_config *)cfg, "config", err };
    char path[64], got[32];
    int rc = check_object(&c, root_nodes, (const char *)cfg, "");
    if (rc < 0)
        return rc;

    /* per-VMID / per-ASID entries: count, ranges, unique IDs */
    if (cfg->n_vms > CONFIG_MAX_VMS || cfg->n_procs > CONFIG_MAX_PROCS) {
        bool vms = cfg->n_vms > CONFIG_MAX_VMS;
        snprintf(got, sizeof(got), "%u", vms ? cfg->n_vms : cfg->n_procs);
        return fail(&c, vms ? "vms" : "processes", got, "at most %u entries",
                    vms ? CONFIG_MAX_VMS : CONFIG_MAX_PROCS);
    }
    for (unsigned i = 0; i < cfg->n_vms; i++) {
        snprintf(path, sizeof(path), "vms[%u]", i);
        if ((rc = check_object(&c, vm_item_nodes, (const char *)&cfg->vms[i], path)) < 0)
            return rc;
        for (unsigned j = 0; j < i; j++) {
            if (cfg->vms[j].vmid == cfg->vms[i].vmid) {
                snprintf(path, sizeof(path), "vms[%u].vmid", i);
                snprintf(got, sizeof(got), "%u", cfg->vms[i].vmid);
                return fail(&c, path, got, "duplicate VMID (also vms[%u])", j);
            }
        }
    }
    for (unsigned i = 0; i < cfg->n_procs; i++) {
        snprintf(path, sizeof(path), "processes[%u]", i);
        if ((rc = check_object(&c, proc_item_nodes, (const char *)&cfg->procs[i], path)) < 0)
            return rc;
        for (unsigned j = 0; j < i; j++) {
            if (cfg->procs[j].asid == cfg->procs[i].asid) {
                snprintf(path, sizeof(path), "processes[%u].asid", i);
                snprintf(got, sizeof(got), "%u", cfg->procs[i].asid);
                return fail(&c, path, got, "duplicate ASID (also processes[%u])", j);
            }
        }
    }

    /* granules in use: stage 1 always, stage 2 when virtualized */
    unsigned s1_min = cfg->proc.s1_granule_shift, s1_max = s1_min;
    for (unsigned i = 0; i < cfg->n_procs; i++) {
        unsigned g = cfg->procs[i].s1_granule_shift;
        s1_min = g < s1_min ? g : s1_min;
        s1_max = g > s1_max ? g : s1_max;
    }
    unsigned s2_min = cfg->vm.s2_granule_shift, s2_max = s2_min, ipa_min = cfg->vm.ipa_bits;
    for (unsigned i = 0; i < cfg->n_vms; i++) {
        unsigned g = cfg->vms[i].s2_granule_shift;
        s2_min = g < s2_min ? g : s2_min;
        s2_max = g > s2_max ? g : s2_max;
        ipa_min = cfg->vms[i].ipa_bits < ipa_min ? cfg->vms[i].ipa_bits : ipa_min;
    }
    unsigned min_granule = cfg->virtualized && s2_min < s1_min ? s2_min : s1_min;

    if ((rc = check_tlb(&c, "tlb.l1i", &cfg->l1i_tlb, min_granule)) < 0 ||
        (rc = check_tlb(&c, "tlb.l1d", &cfg->l1d_tlb, min_granule)) < 0 ||
        (rc = check_tlb(&c, "tlb.l2", &cfg->l2_tlb, min_granule)) < 0 ||
        (rc = check_ways(&c, "walk_cache.s1", cfg->s1_walk_cache.entries,
                         cfg->s1_walk_cache.ways)) < 0 ||
        (rc = check_ways(&c, "walk_cache.s2", cfg->s2_ipa_cache.entries,
                         cfg->s2_ipa_cache.ways)) < 0 ||
        (rc = check_cache(&c, "cache.l1d", &cfg->mem.l1d)) < 0 ||
        (rc = check_cache(&c, "cache.l2", &cfg->mem.l2)) < 0 ||
        (rc = check_cache(&c, "cache.llc", &cfg->mem.llc)) < 0 ||
        (rc = check_vm(&c, "vm", &cfg->vm)) < 0 ||
        (rc = check_block(&c, "process", cfg->proc.pages, cfg->proc.s1_granule_shift,
                          cfg->proc.block_shift)) < 0)
        return rc;
    for (unsigned i = 0; i < cfg->n_vms; i++) {
        snprintf(path, sizeof(path), "vms[%u]", i);
        if ((rc = check_vm(&c, path, &cfg->vms[i])) < 0)
            return rc;
    }
    for (unsigned i = 0; i < cfg->n_procs; i++) {
        snprintf(path, sizeof(path), "processes[%u]", i);
        if ((rc = check_block(&c, path, cfg->procs[i].pages, cfg->procs[i].s1_granule_shift,
                              cfg->procs[i].block_shift)) < 0)
            return rc;
    }
    /* the guest allocates guest-physical memory (the IPA space when virtualized) in
     * stage-1 granules; the hypervisor allocates physical memory in stage-2 granules */
    if ((rc = check_alloc(&c, "alloc.guest", &cfg->guest_alloc, s1_max,
                          cfg->virtualized ? ipa_min : PA_BITS,
                          cfg->virtualized ? "IPA space" : "physical address space")) < 0 ||
        (rc = check_alloc(&c, "alloc.hypervisor", &cfg->hyp_alloc, s2_max, PA_BITS,
                          "physical address space")) < 0)
        return rc;
    return SIM_OK;
}

/* ------------------------------------------------------------------------ */
/* Canonical JSON                                                            */

static cJSON *emit_object(const struct node *nodes, const char *base, const struct sim_config *cfg);

static cJSON *emit_size(uint64_t v)
{
    char buf[32];
    size_text(v, buf, sizeof(buf));
    return cJSON_CreateString(buf);
}

static cJSON *emit_value(const struct node *n, const char *base, const struct sim_config *cfg)
{
    const char *p = base + n->off;
    char buf[40];
    uint64_t v;
    cJSON *a;

    switch (n->kind) {
    case K_OBJ:
        return emit_object(n->sub, p, cfg);
    case K_BOOL:
        return cJSON_CreateBool(*(const bool *)p);
    case K_UINT:
    case K_LINE:
    case K_WAYS:
        return cJSON_CreateNumber((double)load_uint(p, n->width));
    case K_SIZE:
    case K_BLOCK:
        v = load_uint(p, n->width);
        return emit_size(n->kind == K_BLOCK ? BIT64(v & 63) : v);
    case K_ADDR:
        snprintf(buf, sizeof(buf), "0x%" PRIx64, load_uint(p, n->width));
        return cJSON_CreateString(buf);
    case K_FRAC: {
        double d;
        memcpy(&d, p, sizeof(d));
        return cJSON_CreateNumber(d);
    }
    case K_SEED:
        v = load_uint(p, n->width);
        if (v <= TWO_POW_53)
            return cJSON_CreateNumber((double)v);
        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return cJSON_CreateString(buf);
    case K_REPL:
    case K_POLICY:
    case K_ALLOCKIND:
    case K_PORT: {
        const char *name = enum_name(enum_table(n->kind), load_enum(p));
        return cJSON_CreateString(name ? name : "invalid");
    }
    case K_GRANULE: {
        const char *name = enum_name(granule_names, (int)load_uint(p, n->width));
        return cJSON_CreateString(name ? name : "invalid");
    }
    case K_STARTLVL: {
        int8_t l;
        memcpy(&l, p, 1);
        return l < 0 ? cJSON_CreateString("auto") : cJSON_CreateNumber(l);
    }
    case K_PAGESIZES:
    case K_LEVELS:
        v = load_uint(p, n->width);
        if (!(a = cJSON_CreateArray()))
            return NULL;
        for (unsigned k = 0; k < 64; k++) {
            if (!(v & BIT64(k)))
                continue;
            cJSON *e = n->kind == K_LEVELS ? cJSON_CreateNumber(k) : emit_size(BIT64(k));
            if (!e || !cJSON_AddItemToArray(a, e)) {
                cJSON_Delete(e);
                cJSON_Delete(a);
                return NULL;
            }
        }
        return a;
    case K_PRESET:
        snprintf(buf, sizeof(buf), "%.*s", (int)n->width, p);
        return cJSON_CreateString(buf);
    case K_VMS:
    case K_PROCS: {
        bool vms = n->kind == K_VMS;
        unsigned count = vms ? cfg->n_vms : cfg->n_procs;
        unsigned max = vms ? CONFIG_MAX_VMS : CONFIG_MAX_PROCS;
        if (!(a = cJSON_CreateArray()))
            return NULL;
        for (unsigned i = 0; i < count && i < max; i++) {
            const char *b = vms ? (const char *)&cfg->vms[i] : (const char *)&cfg->procs[i];
            cJSON *e = emit_object(vms ? vm_item_nodes : proc_item_nodes, b, cfg);
            if (!e || !cJSON_AddItemToArray(a, e)) {
                cJSON_Delete(e);
                cJSON_Delete(a);
                return NULL;
            }
        }
        return a;
    }
    }
    return NULL;
}

static cJSON *emit_object(const struct node *nodes, const char *base, const struct sim_config *cfg)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    for (const struct node *n = nodes; n->key; n++) {
        cJSON *v = emit_value(n, base, cfg);
        if (!v || !cJSON_AddItemToObject(o, n->key, v)) {
            cJSON_Delete(v);
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

char *config_to_json(const struct sim_config *cfg)
{
    cJSON *root = emit_object(root_nodes, (const char *)cfg, cfg);
    if (!root)
        return NULL;
    char *s = cJSON_Print(root);   /* cJSON's default allocator is malloc: free() it */
    cJSON_Delete(root);
    return s;
}

/* ------------------------------------------------------------------------ */
/* Lookup                                                                    */

const struct vm_config *config_vm(const struct sim_config *cfg, uint16_t vmid)
{
    for (unsigned i = 0; i < cfg->n_vms && i < CONFIG_MAX_VMS; i++)
        if (cfg->vms[i].vmid == vmid)
            return &cfg->vms[i];
    return &cfg->vm;
}

const struct proc_config *config_proc(const struct sim_config *cfg, uint16_t asid)
{
    for (unsigned i = 0; i < cfg->n_procs && i < CONFIG_MAX_PROCS; i++)
        if (cfg->procs[i].asid == asid)
            return &cfg->procs[i];
    return &cfg->proc;
}

/*
 * sim/cmd_translate.c - `mmusim translate`: read a scenario (registers,
 * memory words, optional mappings, probes), translate each probe with the
 * functional walker and print the architecture's answer as JSON.
 *
 * Input is validated strictly: an unknown key, a missing or mistyped field, a
 * number that is not a 64-bit hex string, or a reserved register encoding is
 * an error naming the field, and nothing is printed.  Keys starting with "_"
 * are comments and are ignored.
 */
#include "sim/cmd_translate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/ptb.h"
#include "mmu/vmsa.h"
#include "mmu/walk.h"
#include "sim/util.h"

struct scenario {
    const char *name;
    struct vmsa_regs regs;
    struct regime rg;
    struct pgmem *mem;
    uint64_t alloc_next[3];    /* [1] stage-1 tables (IPA), [2] stage-2 tables (PA) */
    bool alloc_set[3];
    char path[96];             /* field path for messages of the allocator callbacks */
};

/* Parse a "0x..." string of 1..16 hex digits. */
static bool parse_hex(const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsString(item) || !item->valuestring)
        return false;
    return util_parse_hex64(item->valuestring, out);
}

static int get_hex(const struct scenario *sc, const cJSON *obj, const char *key, const char *path,
                   bool required, uint64_t *out, struct sim_err *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it) {
        if (required)
            return sim_err_set(err, SIM_EINVAL, "%s: %s.%s: missing", sc->name, path, key);
        return SIM_OK;
    }
    if (!parse_hex(it, out))
        return sim_err_set(err, SIM_EINVAL, "%s: %s.%s: expected a 64-bit hex string \"0x...\"",
                           sc->name, path, key);
    return SIM_OK;
}

/* Reject keys of @obj not in @allowed (NULL-terminated); "_..." keys are comments. */
static int check_keys(const struct scenario *sc, const cJSON *obj, const char *path,
                      const char *const *allowed, struct sim_err *err)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        bool ok = it->string && it->string[0] == '_';
        for (const char *const *a = allowed; !ok && *a; a++)
            ok = strcmp(it->string, *a) == 0;
        if (!ok)
            return sim_err_set(err, SIM_EINVAL, "%s: %s%s%s: unknown key", sc->name, path,
                               *path ? "." : "", it->string ? it->string : "?");
    }
    return SIM_OK;
}

static int get_bool(const struct scenario *sc, const cJSON *obj, const char *key, const char *path,
                    bool dflt, bool *out, struct sim_err *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = dflt;
    if (!it)
        return SIM_OK;
    if (!cJSON_IsBool(it))
        return sim_err_set(err, SIM_EINVAL, "%s: %s.%s: expected true or false", sc->name, path, key);
    *out = cJSON_IsTrue(it);
    return SIM_OK;
}

static int get_small(const struct scenario *sc, const cJSON *obj, const char *key, const char *path,
                     int lo, int hi, int dflt, int *out, struct sim_err *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = dflt;
    if (!it)
        return SIM_OK;
    if (!cJSON_IsNumber(it) || it->valuedouble != (double)(int)it->valuedouble ||
        it->valuedouble < lo || it->valuedouble > hi)
        return sim_err_set(err, SIM_EINVAL, "%s: %s.%s: expected an integer %d..%d", sc->name, path,
                           key, lo, hi);
    *out = (int)it->valuedouble;
    return SIM_OK;
}

static int parse_registers(struct scenario *sc, const cJSON *regs, struct sim_err *err)
{
    static const char *const names[] = { "SCTLR_EL1", "TCR_EL1", "TTBR0_EL1", "TTBR1_EL1",
                                         "MAIR_EL1", "HCR_EL2", "VTCR_EL2", "VTTBR_EL2", NULL };
    uint64_t *dst[] = { &sc->regs.sctlr_el1, &sc->regs.tcr_el1, &sc->regs.ttbr0_el1,
                        &sc->regs.ttbr1_el1, &sc->regs.mair_el1, &sc->regs.hcr_el2,
                        &sc->regs.vtcr_el2, &sc->regs.vttbr_el2 };
    int rc;

    if (!regs)
        return SIM_OK;
    if (!cJSON_IsObject(regs))
        return sim_err_set(err, SIM_EINVAL, "%s: registers: expected an object", sc->name);
    if ((rc = check_keys(sc, regs, "registers", names, err)) < 0)
        return rc;
    for (int i = 0; names[i]; i++)
        if ((rc = get_hex(sc, regs, names[i], "registers", false, dst[i], err)) < 0)
            return rc;
    return SIM_OK;
}

static int parse_memory(struct scenario *sc, const cJSON *mem, struct sim_err *err)
{
    static const char *const keys[] = { "pa", "value", NULL };
    char path[48];
    int rc, i = 0;

    if (!mem)
        return SIM_OK;
    if (!cJSON_IsArray(mem))
        return sim_err_set(err, SIM_EINVAL, "%s: memory: expected an array", sc->name);
    for (const cJSON *w = mem->child; w; w = w->next, i++) {
        uint64_t pa = 0, val = 0;
        snprintf(path, sizeof(path), "memory[%d]", i);
        if (!cJSON_IsObject(w))
            return sim_err_set(err, SIM_EINVAL, "%s: %s: expected an object", sc->name, path);
        if ((rc = check_keys(sc, w, path, keys, err)) < 0 ||
            (rc = get_hex(sc, w, "pa", path, true, &pa, err)) < 0 ||
            (rc = get_hex(sc, w, "value", path, true, &val, err)) < 0)
            return rc;
        if (pa & 7)
            return sim_err_set(err, SIM_EINVAL, "%s: %s.pa: 0x%" PRIx64 " is not 8-byte aligned",
                               sc->name, path, pa);
        /* duplicates: a word already written with a different or equal value */
        for (const cJSON *p = mem->child; p != w; p = p->next) {
            uint64_t ppa;
            if (parse_hex(cJSON_GetObjectItemCaseSensitive(p, "pa"), &ppa) && ppa == pa)
                return sim_err_set(err, SIM_EINVAL, "%s: %s.pa: 0x%" PRIx64 " is listed twice",
                                   sc->name, path, pa);
        }
        if (pgmem_write(sc->mem, pa, val) < 0)
            return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", sc->name);
    }
    return SIM_OK;
}

/* ---- mappings ---- */

static int alloc_table(void *ctx, unsigned g, uint64_t *addr, struct sim_err *err, int stage)
{
    struct scenario *sc = ctx;
    if (!sc->alloc_set[stage])
        return sim_err_set(err, SIM_EINVAL, "%s: %s: a new stage-%d table is needed but "
                           "table_alloc.s%d is not given", sc->name, sc->path, stage, stage);
    *addr = sc->alloc_next[stage];
    sc->alloc_next[stage] += UINT64_C(1) << g;
    return SIM_OK;
}

static int s2_to_pa(struct scenario *sc, uint64_t ipa, uint64_t *pa, struct sim_err *err)
{
    struct regime r2 = sc->rg;
    struct walk_result wr;
    r2.s1_enabled = false;
    if (!r2.s2_enabled) {
        *pa = ipa;
        return SIM_OK;
    }
    if (!walk_translate(sc->mem, &r2, ipa, ACC_READ, 1, NULL, NULL, &wr))
        return sim_err_set(err, SIM_EINVAL, "%s: %s: stage-1 table IPA 0x%" PRIx64
                           " is not mapped by stage 2 (%s fault)", sc->name, sc->path, ipa,
                           walk_fault_name(wr.fault.type));
    *pa = wr.pa;
    return SIM_OK;
}

static int zero_table(struct scenario *sc, uint64_t addr, unsigned g, int stage, struct sim_err *err)
{
    for (uint64_t off = 0; off < (UINT64_C(1) << g); off += 8) {
        uint64_t pa = addr + off;
        int rc;
        if (stage == 1 && (rc = s2_to_pa(sc, addr + off, &pa, err)) < 0)
            return rc;
        if (pgmem_read(sc->mem, pa) && pgmem_write(sc->mem, pa, 0) < 0)
            return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", sc->name);
    }
    return SIM_OK;
}

static int alloc_s1(void *ctx, unsigned granule_shift, uint64_t *addr, struct sim_err *err)
{
    struct scenario *sc = ctx;
    int rc = alloc_table(ctx, granule_shift, addr, err, 1);
    return rc < 0 ? rc : zero_table(sc, *addr, granule_shift, 1, err);
}

static int alloc_s2(void *ctx, unsigned granule_shift, uint64_t *addr, struct sim_err *err)
{
    struct scenario *sc = ctx;
    int rc = alloc_table(ctx, granule_shift, addr, err, 2);
    return rc < 0 ? rc : zero_table(sc, *addr, granule_shift, 2, err);
}

static int s1_tbl_pa(void *ctx, uint64_t ipa, uint64_t *pa, struct sim_err *err)
{
    return s2_to_pa(ctx, ipa, pa, err);
}

static int parse_size(const cJSON *it, uint64_t *out)
{
    if (!cJSON_IsString(it) || !it->valuestring)
        return -1;
    if (util_parse_hex64(it->valuestring, out))
        return 0;
    return util_parse_size(it->valuestring, out) ? 0 : -1;
}

/*
 * The leaf attribute bits of a mapping's "attrs" (absent: the defaults).  The
 * Contiguous bit is returned in *bits too; the builder sets it per leaf.
 */
static int parse_attrs(const struct scenario *sc, const cJSON *attrs, const char *apath, int stage,
                       uint64_t *bits, struct sim_err *err)
{
    static const char *const s1keys[] = { "ap", "uxn", "pxn", "af", "ng", "attr_idx",
                                          "contiguous", "dbm", NULL };
    static const char *const s2keys[] = { "s2ap", "xn", "af", "memattr", "contiguous", "dbm", NULL };
    cJSON *empty = NULL;
    const cJSON *a = attrs;
    bool af = true, cont = false, dbm = false, x1 = false, x2 = false, ng = false;
    int ap = 0, idx = 0;
    int rc;

    if (!a)
        a = empty = cJSON_CreateObject();
    if (!a)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", sc->name);
    if ((rc = check_keys(sc, a, apath, stage == 1 ? s1keys : s2keys, err)) < 0 ||
        (rc = get_bool(sc, a, "af", apath, true, &af, err)) < 0 ||
        (rc = get_bool(sc, a, "contiguous", apath, false, &cont, err)) < 0 ||
        (rc = get_bool(sc, a, "dbm", apath, false, &dbm, err)) < 0)
        goto out;
    if (stage == 1) {
        if ((rc = get_small(sc, a, "ap", apath, 0, 3, 0, &ap, err)) < 0 ||
            (rc = get_small(sc, a, "attr_idx", apath, 0, 7, 0, &idx, err)) < 0 ||
            (rc = get_bool(sc, a, "uxn", apath, false, &x1, err)) < 0 ||
            (rc = get_bool(sc, a, "pxn", apath, false, &x2, err)) < 0 ||
            (rc = get_bool(sc, a, "ng", apath, false, &ng, err)) < 0)
            goto out;
        *bits = ((uint64_t)ap << 6) | ((uint64_t)idx << VMSA_S1_ATTRINDX_SHIFT) |
                (x1 ? VMSA_S1_UXN : 0) | (x2 ? VMSA_S1_PXN : 0) | (ng ? VMSA_S1_NG : 0);
    } else {
        if ((rc = get_small(sc, a, "s2ap", apath, 0, 3, 3, &ap, err)) < 0 ||
            (rc = get_small(sc, a, "memattr", apath, 0, 15, 15, &idx, err)) < 0 ||
            (rc = get_bool(sc, a, "xn", apath, false, &x1, err)) < 0)
            goto out;
        *bits = ((uint64_t)ap << 6) | ((uint64_t)idx << VMSA_S2_MEMATTR_SHIFT) |
                (x1 ? VMSA_S2_XN : 0);
    }
    *bits |= (af ? VMSA_DESC_AF : 0) | (dbm ? VMSA_DESC_DBM : 0) | (cont ? VMSA_DESC_CONT : 0);
out:
    cJSON_Delete(empty);
    return rc;
}

static int apply_mapping(struct scenario *sc, const cJSON *m, int idx, int want_stage,
                         struct sim_err *err)
{
    static const char *const keys[] = { "stage", "ia", "oa", "size", "attrs", NULL };
    char path[64], apath[80];
    int rc, stage;
    uint64_t ia = 0, oa = 0, size = 0;

    snprintf(path, sizeof(path), "mappings[%d]", idx);
    snprintf(sc->path, sizeof(sc->path), "%s", path);
    if (!cJSON_IsObject(m))
        return sim_err_set(err, SIM_EINVAL, "%s: %s: expected an object", sc->name, path);
    if ((rc = check_keys(sc, m, path, keys, err)) < 0 ||
        (rc = get_small(sc, m, "stage", path, 1, 2, 0, &stage, err)) < 0)
        return rc;
    if (stage == 0)
        return sim_err_set(err, SIM_EINVAL, "%s: %s.stage: missing", sc->name, path);
    if (stage != want_stage)
        return SIM_OK;
    if ((rc = get_hex(sc, m, "ia", path, true, &ia, err)) < 0 ||
        (rc = get_hex(sc, m, "oa", path, true, &oa, err)) < 0)
        return rc;
    const cJSON *sz = cJSON_GetObjectItemCaseSensitive(m, "size");
    if (!sz || parse_size(sz, &size) < 0 || !is_pow2(size))
        return sim_err_set(err, SIM_EINVAL, "%s: %s.size: expected a power-of-two size "
                           "(\"0x1000\", \"4K\", \"2M\")", sc->name, path);

    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(m, "attrs");
    snprintf(apath, sizeof(apath), "%s.attrs", path);
    if (attrs && !cJSON_IsObject(attrs))
        return sim_err_set(err, SIM_EINVAL, "%s: %s: expected an object", sc->name, apath);
    uint64_t bits = 0;
    if ((rc = parse_attrs(sc, attrs, apath, stage, &bits, err)) < 0)
        return rc;

    struct ptb b = { .mem = sc->mem, .stage = (uint8_t)stage, .ctx = sc };
    const struct stage_params *sp;
    if (stage == 2) {
        if (!sc->rg.s2_enabled)
            return sim_err_set(err, SIM_EINVAL, "%s: %s.stage: stage 2 is disabled (HCR_EL2.VM=0)",
                               sc->name, path);
        sp = &sc->rg.s2;
        b.alloc = alloc_s2;
    } else {
        if (!sc->rg.s1_enabled)
            return sim_err_set(err, SIM_EINVAL, "%s: %s.stage: stage 1 is disabled (SCTLR_EL1.M=0)",
                               sc->name, path);
        sp = &sc->rg.s1[walk_s1_half(ia)];
        b.alloc = alloc_s1;
        b.to_pa = s1_tbl_pa;
    }
    if (!sp->usable)
        return sim_err_set(err, SIM_EINVAL, "%s: %s: stage %d's registers make every walk fault",
                           sc->name, path, stage);
    b.granule_shift = sp->granule_shift;
    b.start_level = sp->start_level;
    b.root_bits = sp->root_bits;
    b.root = sp->root & ~VMSA_TTBR_CNP;
    /* only the low in_bits of a TTBR1 address index the tables */
    uint64_t ia_idx = ia & ((UINT64_C(1) << sp->in_bits) - 1);
    bool cont = (bits & VMSA_DESC_CONT) != 0;
    if ((rc = ptb_map(&b, ia_idx, oa, log2_u64(size), bits & ~VMSA_DESC_CONT, cont, err)) < 0) {
        if (strncmp(err->msg, sc->name, strlen(sc->name)) != 0) {
            char tmp[sizeof(err->msg)];
            snprintf(tmp, sizeof(tmp), "%s", err->msg);
            sim_err_set(err, rc, "%s: %s: %s", sc->name, path, tmp);
        }
        return rc;
    }
    return SIM_OK;
}

static int parse_mappings(struct scenario *sc, const cJSON *root, struct sim_err *err)
{
    const cJSON *maps = cJSON_GetObjectItemCaseSensitive(root, "mappings");
    const cJSON *ta = cJSON_GetObjectItemCaseSensitive(root, "table_alloc");
    static const char *const tkeys[] = { "s1", "s2", NULL };
    int rc;

    if (ta) {
        if (!cJSON_IsObject(ta))
            return sim_err_set(err, SIM_EINVAL, "%s: table_alloc: expected an object", sc->name);
        if ((rc = check_keys(sc, ta, "table_alloc", tkeys, err)) < 0)
            return rc;
        for (int s = 1; s <= 2; s++) {
            const char *k = s == 1 ? "s1" : "s2";
            if (!cJSON_GetObjectItemCaseSensitive(ta, k))
                continue;
            if ((rc = get_hex(sc, ta, k, "table_alloc", true, &sc->alloc_next[s], err)) < 0)
                return rc;
            sc->alloc_set[s] = true;
        }
    }
    if (!maps)
        return SIM_OK;
    if (!cJSON_IsArray(maps))
        return sim_err_set(err, SIM_EINVAL, "%s: mappings: expected an array", sc->name);
    for (int stage = 2; stage >= 1; stage--) {
        int i = 0;
        for (const cJSON *m = maps->child; m; m = m->next, i++)
            if ((rc = apply_mapping(sc, m, i, stage, err)) < 0)
                return rc;
    }
    return SIM_OK;
}

/* ---- probes and output ---- */

static void emit_walk(struct strbuf *sb, const struct strbuf *walk, unsigned refs)
{
    sb_printf(sb, ", \"refs\": %u, \"walk\": [%s]", refs, sb_str(walk));
}

struct fetch_log {
    struct strbuf *sb;
    unsigned n;
};

static void log_fetch(void *ctx, uint64_t pa, uint8_t stage, int8_t level)
{
    struct fetch_log *fl = ctx;
    sb_printf(fl->sb, "%s{\"stage\": %u, \"level\": %d, \"pa\": \"0x%" PRIx64 "\"}",
              fl->n++ ? ", " : "", stage, level, pa);
}

static const char *const access_names[] = { "read", "write", "exec" };

static int run_probes(struct scenario *sc, const cJSON *probes, struct strbuf *out,
                      struct sim_err *err)
{
    static const char *const keys[] = { "va", "access", "el", NULL };
    char path[48];
    int rc, i = 0;

    if (!probes)
        return sim_err_set(err, SIM_EINVAL, "%s: probes: missing", sc->name);
    if (!cJSON_IsArray(probes))
        return sim_err_set(err, SIM_EINVAL, "%s: probes: expected an array", sc->name);

    /* Validate every probe before translating any, so errors leave no output */
    for (const cJSON *p = probes->child; p; p = p->next, i++) {
        uint64_t va;
        int el;
        snprintf(path, sizeof(path), "probes[%d]", i);
        if (!cJSON_IsObject(p))
            return sim_err_set(err, SIM_EINVAL, "%s: %s: expected an object", sc->name, path);
        if ((rc = check_keys(sc, p, path, keys, err)) < 0 ||
            (rc = get_hex(sc, p, "va", path, true, &va, err)) < 0 ||
            (rc = get_small(sc, p, "el", path, 0, 1, 1, &el, err)) < 0)
            return rc;
        const cJSON *acc = cJSON_GetObjectItemCaseSensitive(p, "access");
        if (!acc)
            return sim_err_set(err, SIM_EINVAL, "%s: %s.access: missing", sc->name, path);
        if (!cJSON_IsString(acc) || (strcmp(acc->valuestring, "read") &&
                                     strcmp(acc->valuestring, "write") &&
                                     strcmp(acc->valuestring, "exec")))
            return sim_err_set(err, SIM_EINVAL, "%s: %s.access: expected \"read\", \"write\" or "
                               "\"exec\"", sc->name, path);
    }

    sb_printf(out, "{\"results\": [");
    i = 0;
    for (const cJSON *p = probes->child; p; p = p->next, i++) {
        uint64_t va = 0;
        int el = 1;
        get_hex(sc, p, "va", "", true, &va, err);
        get_small(sc, p, "el", "", 0, 1, 1, &el, err);
        const char *an = cJSON_GetObjectItemCaseSensitive(p, "access")->valuestring;
        enum access_kind acc = strcmp(an, "read") == 0 ? ACC_READ
                               : strcmp(an, "write") == 0 ? ACC_WRITE : ACC_EXEC;
        struct strbuf walk = { 0 };
        struct fetch_log fl = { &walk, 0 };
        struct walk_hooks hooks = { .ctx = &fl, .fetch = log_fetch };
        struct walk_result r;
        bool ok = walk_translate(sc->mem, &sc->rg, va, acc, el, &hooks, NULL, &r);

        sb_printf(out, "%s\n  {\"va\": \"0x%" PRIx64 "\", \"access\": \"%s\", \"el\": %d, \"ok\": %s",
                  i ? "," : "", va, access_names[acc], el, ok ? "true" : "false");
        if (ok) {
            sb_printf(out, ", \"ipa\": \"0x%" PRIx64 "\", \"pa\": \"0x%" PRIx64 "\"", r.ipa, r.pa);
            if (r.s1_level == WALK_LEVEL_NONE)
                sb_printf(out, ", \"s1_level\": null");
            else
                sb_printf(out, ", \"s1_level\": %d", r.s1_level);
            if (r.s2_level == WALK_LEVEL_NONE)
                sb_printf(out, ", \"s2_level\": null");
            else
                sb_printf(out, ", \"s2_level\": %d", r.s2_level);
            sb_printf(out, ", \"size\": %" PRIu64, UINT64_C(1) << r.size_shift);
            if (r.s1_level == WALK_LEVEL_NONE)
                sb_printf(out, ", \"attr\": null");
            else
                sb_printf(out, ", \"attr\": \"0x%x\"", r.attr);
            sb_printf(out, ", \"global\": %s", r.global ? "true" : "false");
        } else {
            sb_printf(out, ", \"fault\": \"%s\", \"stage\": %u, \"level\": %d, \"s1ptw\": %s",
                      walk_fault_name(r.fault.type), r.fault.stage, r.fault.level,
                      r.fault.s1ptw ? "true" : "false");
            if (r.fault.stage == 2)
                sb_printf(out, ", \"ipa\": \"0x%" PRIx64 "\"", r.fault.ipa);
        }
        emit_walk(out, &walk, r.refs);
        sb_printf(out, "}");
        bool oom = walk.oom;
        sb_free(&walk);
        if (oom)
            out->oom = true;
    }
    sb_printf(out, "\n]}\n");
    if (out->oom)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", sc->name);
    return SIM_OK;
}

int translate_scenario(const char *json, const char *name, struct strbuf *out, struct sim_err *err)
{
    static const char *const top[] = { "registers", "memory", "probes", "mappings", "table_alloc",
                                       NULL };
    struct scenario sc = { .name = name };
    struct strbuf tmp = { 0 };
    int rc;

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
    if (!root) {
        size_t off = end ? (size_t)(end - json) : 0;
        return sim_err_set(err, SIM_EINVAL, "%s: malformed JSON at byte %zu", name, off);
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return sim_err_set(err, SIM_EINVAL, "%s: expected a JSON object at the top", name);
    }
    sc.mem = pgmem_create();
    if (!sc.mem) {
        cJSON_Delete(root);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", name);
    }
    if ((rc = check_keys(&sc, root, "", top, err)) < 0 ||
        (rc = parse_registers(&sc, cJSON_GetObjectItemCaseSensitive(root, "registers"), err)) < 0)
        goto out;
    if ((rc = regime_decode(&sc.regs, &sc.rg, err)) < 0) {
        char tmpmsg[sizeof(err->msg)];
        snprintf(tmpmsg, sizeof(tmpmsg), "%s", err->msg);
        sim_err_set(err, rc, "%s: %s", name, tmpmsg);
        goto out;
    }
    if ((rc = parse_memory(&sc, cJSON_GetObjectItemCaseSensitive(root, "memory"), err)) < 0 ||
        (rc = parse_mappings(&sc, root, err)) < 0 ||
        (rc = run_probes(&sc, cJSON_GetObjectItemCaseSensitive(root, "probes"), &tmp, err)) < 0)
        goto out;
    sb_printf(out, "%s", sb_str(&tmp));
    if (out->oom)
        rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory", name);
out:
    sb_free(&tmp);
    pgmem_destroy(sc.mem);
    cJSON_Delete(root);
    return rc;
}

int cmd_translate(int argc, char **argv)
{
    struct sim_err err;
    struct strbuf out = { 0 };
    char *text = NULL;
    size_t len = 0;

    if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: mmusim translate SCENARIO.json   (- reads standard input)\n");
        return argc == 2 ? 0 : 2;
    }
    sim_err_clear(&err);
    if (util_read_file(argv[1], (size_t)64 << 20, &text, &len, &err) < 0) {
        fprintf(stderr, "mmusim translate: %s\n", err.msg);
        return 2;
    }
    int rc = translate_scenario(text, argv[1], &out, &err);
    free(text);
    if (rc < 0) {
        sb_free(&out);
        fprintf(stderr, "mmusim translate: %s\n", err.msg);
        return rc == SIM_ENOMEM ? 1 : 2;
    }
    fputs(sb_str(&out), stdout);
    sb_free(&out);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "mmusim translate: writing standard output: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

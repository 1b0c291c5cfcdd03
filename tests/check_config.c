/*
 * tests/check_config.c - the configuration: defaults, presets, file overlay,
 * bad input (each error names its JSON path), --set overrides, the canonical
 * JSON round trip, and per-VMID / per-ASID overrides.
 *
 * Fixtures live in tests/fixtures/config/ (the tests run from the repository
 * root, as `make unit` does).  Expected values come from the fixture text and
 * from ../shared/ARM-VMSA.md section 7, never from the program's output.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/config.h"
#include "sim/presets.h"

#define FIX "tests/fixtures/config/"

/* ---- defaults and presets ---------------------------------------------- */

START_TEST(test_defaults_validate)
{
    struct sim_config c;
    struct sim_err e;
    sim_err_clear(&e);
    config_defaults(&c);
    ck_assert_int_eq(config_validate(&c, &e), SIM_OK);
    ck_assert_str_eq(c.preset, "neoverse-n1");
    /* N1 = A76 TLBs (ARM-VMSA.md §7): L2 1280 x 5-way, L1 D 48 FA with 4K/16K/64K/2M/512M */
    ck_assert_uint_eq(c.l2_tlb.entries, 1280);
    ck_assert_uint_eq(c.l2_tlb.ways, 5);
    ck_assert_uint_eq(c.l1d_tlb.entries, 48);
    ck_assert_uint_eq(c.l1d_tlb.ways, 0);
    ck_assert_uint_eq(c.l1d_tlb.page_sizes, (1u << 12) | (1u << 14) | (1u << 16) |
                                            (1u << 21) | (1u << 29));
    ck_assert_int_eq(c.mem.walker_port, PORT_L1D);   /* N1 TRM §6.5.1 */
    /* base: virtualized, 4K/4K, 48-bit VA, 40-bit IPA, KVM start level */
    ck_assert(c.virtualized);
    ck_assert_uint_eq(c.proc.s1_granule_shift, 12);
    ck_assert_uint_eq(c.vm.s2_granule_shift, 12);
    ck_assert_uint_eq(c.proc.va_bits, 48);
    ck_assert_uint_eq(c.vm.ipa_bits, 40);
    ck_assert_int_eq(c.vm.s2_start_level, -1);
    ck_assert_uint_eq(c.n_vms, 0);
    ck_assert_uint_eq(c.n_procs, 0);
}
END_TEST

START_TEST(test_each_preset)
{
    const char *const *names = config_preset_names();
    const char *name = names[_i];
    ck_assert_ptr_nonnull(name);
    struct sim_config c;
    struct sim_err e;
    sim_err_clear(&e);
    memset(&c, 0x5a, sizeof(c));
    ck_assert_msg(config_preset(&c, name, &e) == SIM_OK, "%s: %s", name, e.msg);
    ck_assert_msg(config_validate(&c, &e) == SIM_OK, "%s: %s", name, e.msg);
    ck_assert_str_eq(c.preset, name);
}
END_TEST

/* Every preset names all five cores the issue asks for, plus no-caching. */
START_TEST(test_preset_names)
{
    static const char *want[] = { "cortex-a53", "cortex-a55", "cortex-a72", "cortex-a76",
                                  "neoverse-n1", "no-caching" };
    const char *const *names = config_preset_names();
    size_t n = 0;
    while (names[n])
        n++;
    ck_assert_uint_eq(n, 6);
    for (size_t i = 0; i < 6; i++) {
        bool found = false;
        for (size_t j = 0; j < n; j++)
            found |= strcmp(names[j], want[i]) == 0;
        ck_assert_msg(found, "missing preset %s", want[i]);
    }
    struct sim_config c;
    struct sim_err e;
    ck_assert_int_eq(config_preset(&c, "cortex-a99", &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "cortex-a99"));
    ck_assert_ptr_nonnull(strstr(e.msg, "neoverse-n1"));
}
END_TEST

/* Numbers from ARM-VMSA.md §7 for the smaller cores. */
START_TEST(test_preset_values)
{
    struct sim_config c;
    struct sim_err e;
    ck_assert_int_eq(config_preset(&c, "cortex-a53", &e), SIM_OK);
    ck_assert_uint_eq(c.l1d_tlb.entries, 10);       /* 10-entry micro-TLB */
    ck_assert_uint_eq(c.l2_tlb.entries, 512);       /* 512, 4-way */
    ck_assert_uint_eq(c.l2_tlb.ways, 4);
    /* all sizes but 1G (split to 512M), 4K/64K granules only: 4K 64K 2M 512M */
    ck_assert_uint_eq(c.l2_tlb.page_sizes, (1u << 12) | (1u << 16) | (1u << 21) | (1u << 29));
    ck_assert_uint_eq(c.s1_walk_cache.entries, 64);
    ck_assert_uint_eq(c.s2_ipa_cache.ways, 4);
    ck_assert_uint_eq(c.mem.l1d.size_bytes, 32 * 1024);

    ck_assert_int_eq(config_preset(&c, "cortex-a55", &e), SIM_OK);
    ck_assert_uint_eq(c.l1i_tlb.entries, 15);
    ck_assert_uint_eq(c.l1d_tlb.entries, 16);
    ck_assert_uint_eq(c.l1d_tlb.page_sizes, 1u << 12);     /* 4 KB only */
    ck_assert_uint_eq(c.l2_tlb.entries, 1024);

    ck_assert_int_eq(config_preset(&c, "cortex-a72", &e), SIM_OK);
    ck_assert_uint_eq(c.l1i_tlb.entries, 48);
    ck_assert_uint_eq(c.l1d_tlb.entries, 32);
    ck_assert_uint_eq(c.l2_tlb.entries, 1024);
    ck_assert(!c.mem.llc.enabled);

    ck_assert_int_eq(config_preset(&c, "cortex-a76", &e), SIM_OK);
    ck_assert_uint_eq(c.l1i_tlb.page_sizes, (1u << 12) | (1u << 14) | (1u << 16) |
                                            (1u << 21) | (1u << 25));
    ck_assert_uint_eq(c.l2_tlb.entries, 1280);
    ck_assert_uint_eq(c.l2_tlb.latency_cycles, 3);

    ck_assert_int_eq(config_preset(&c, "no-caching", &e), SIM_OK);
    ck_assert(!c.l1i_tlb.enabled && !c.l1d_tlb.enabled && !c.l2_tlb.enabled);
    ck_assert(!c.s1_walk_cache.enabled && !c.s2_ipa_cache.enabled);
    ck_assert(!c.mem.l1d.enabled && !c.mem.l2.enabled && !c.mem.llc.enabled);
}
END_TEST

/* Does @want's key tree appear in @a or @b (a preset must set every key)? */
static void keys_covered(const cJSON *want, const cJSON *a, const cJSON *b, const char *path)
{
    for (const cJSON *k = want->child; k; k = k->next) {
        const cJSON *ia = a ? cJSON_GetObjectItemCaseSensitive(a, k->string) : NULL;
        const cJSON *ib = b ? cJSON_GetObjectItemCaseSensitive(b, k->string) : NULL;
        if (strcmp(path, "") == 0 && strcmp(k->string, "preset") == 0)
            continue;   /* set by config_preset() itself */
        ck_assert_msg(ia || ib, "preset does not set %s.%s", path, k->string);
        if (cJSON_IsObject(k)) {
            char sub[256];
            snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", k->string);
            keys_covered(k, cJSON_IsObject(ia) ? ia : NULL, cJSON_IsObject(ib) ? ib : NULL,
                         sub);
        }
    }
}

/* Each preset sets every key itself, so nothing leaks from a previous state. */
START_TEST(test_preset_sets_every_key)
{
    const char *name = config_preset_names()[_i];
    struct sim_config c;
    struct sim_err e;
    ck_assert_int_eq(config_preset(&c, name, &e), SIM_OK);
    char *s = config_to_json(&c);
    cJSON *want = cJSON_Parse(s);
    cJSON *base = cJSON_Parse(preset_base_json());
    cJSON *core = cJSON_Parse(preset_json(name));
    ck_assert(want && base && core);
    keys_covered(want, base, core, "");
    cJSON_Delete(want);
    cJSON_Delete(base);
    cJSON_Delete(core);
    free(s);
}
END_TEST

/* ---- loading files ----------------------------------------------------- */

START_TEST(test_overlay_changes_only_named)
{
    struct sim_config a, b;
    struct sim_err e;
    config_defaults(&a);
    config_defaults(&b);
    ck_assert_int_eq(config_load(&b, FIX "overlay.json", &e), SIM_OK);
    /* the three values overlay.json names */
    ck_assert_uint_eq(b.seed, 42);
    ck_assert_uint_eq(b.l2_tlb.entries, 2048);
    ck_assert_uint_eq(b.l2_tlb.ways, 8);
    a.seed = 42;
    a.l2_tlb.entries = 2048;
    a.l2_tlb.ways = 8;
    ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
    ck_assert_int_eq(config_validate(&b, &e), SIM_OK);
}
END_TEST

/* full.json: preset first, then templates, then vms/processes, whatever the key order. */
START_TEST(test_overrides_vs_template)
{
    struct sim_config c;
    struct sim_err e;
    sim_err_clear(&e);
    config_defaults(&c);
    ck_assert_msg(config_load(&c, FIX "full.json", &e) == SIM_OK, "%s", e.msg);
    ck_assert_msg(config_validate(&c, &e) == SIM_OK, "%s", e.msg);
    ck_assert_str_eq(c.preset, "cortex-a53");
    ck_assert_uint_eq(c.l2_tlb.entries, 512);               /* from the preset */
    ck_assert_uint_eq(c.seed, UINT64_MAX);                  /* decimal string, 2^64 - 1 */
    ck_assert_int_eq(c.hyp_alloc.kind, ALLOC_SCATTERED);
    ck_assert(c.hyp_alloc.fragmentation == 0.3);
    ck_assert_uint_eq(c.hyp_alloc.size_bytes, UINT64_C(16) << 30);

    /* template "process" (va_bits 39), listed after "processes" in the file */
    ck_assert_uint_eq(c.proc.va_bits, 39);
    ck_assert_uint_eq(c.n_procs, 1);
    const struct proc_config *p5 = config_proc(&c, 5), *p6 = config_proc(&c, 6);
    ck_assert_ptr_eq(p6, &c.proc);                          /* no override: template */
    ck_assert_ptr_ne(p5, &c.proc);
    ck_assert_uint_eq(p5->asid, 5);
    ck_assert_uint_eq(p5->s1_granule_shift, 16);            /* "64K" */
    ck_assert_uint_eq(p5->va_bits, 42);
    ck_assert_int_eq(p5->pages, PAGES_BASE);                /* unnamed: from the template */

    ck_assert_uint_eq(c.n_vms, 2);
    const struct vm_config *v1 = config_vm(&c, 1), *v2 = config_vm(&c, 2), *v3 = config_vm(&c, 3);
    ck_assert_ptr_eq(v3, &c.vm);
    ck_assert_uint_eq(v1->vmid, 1);
    ck_assert_uint_eq(v1->s2_granule_shift, 14);
    ck_assert_int_eq(v1->backing, PAGES_BLOCKS);
    ck_assert_uint_eq(v1->block_shift, 25);                 /* 32M = 2^25 */
    ck_assert_uint_eq(v1->ipa_bits, 44);                    /* template's, set later in the file */
    ck_assert_uint_eq(v2->vmid, 2);
    ck_assert_uint_eq(v2->s2_granule_shift, 12);
    ck_assert_uint_eq(v2->ipa_bits, 44);
}
END_TEST

struct bad_case {
    const char *file;
    bool at_validate;       /* loads, then config_validate() rejects it */
    const char *want;       /* exact text the message must contain */
};

static const struct bad_case bad_cases[] = {
    { "bad_unknown_deep.json", false, FIX "bad_unknown_deep.json: cache.l2.latncy: unknown key" },
    { "bad_unknown_item.json", false, ": vms[0].s2_granul: unknown key" },
    { "bad_type_bool.json", false, ": machine.virtualized: expected true or false, got \"yes\"" },
    { "bad_type_number.json", false, ": tlb.l1d.entries: expected an integer, got \"48\"" },
    { "bad_range_latency.json", false, ": tlb.l2.latency: expected an integer in 0..10000, "
                                       "got 10001" },
    { "bad_range_va_bits.json", false, ": process.va_bits: expected an integer in 25..48, got 49" },
    { "bad_granule.json", false, ": process.s1_granule: expected \"4k\", \"16k\" or \"64k\", "
                                 "got \"8k\"" },
    { "bad_size_suffix.json", false, ": cache.l1d.size: expected a size" },
    { "bad_cache_line.json", false, ": cache.l1d.line: expected a power of two" },
    { "bad_page_size.json", false, ": tlb.l1i.page_sizes[1]: expected a page size" },
    { "bad_level.json", false, ": walk_cache.s1.levels[1]: expected an integer in 0..2, got 3" },
    { "bad_dup_vmid.json", false, ": vms[1].vmid: duplicate VMID (also vms[0]), got 1" },
    { "bad_missing_asid.json", false, ": processes[0].asid: missing" },
    { "bad_preset.json", false, ": preset: unknown preset" },
    { "bad_duplicate_key.json", false, ": seed: duplicate key" },
    { "bad_top_level.json", false, ": (top level): expected an object, got [1,2]" },
    { "bad_enum.json", false, ": tlb.l2.replacement: expected \"lru\", \"plru\", \"random\" or "
                              "\"tree-plru\", got \"fifo\"" },
    /* line 1 "{\n" (2 bytes), line 2 "  \"seed\": 1,\n" (13 bytes), then 8 bytes
     * "  \"os\": " before '@': byte 2 + 13 + 8 = 23, line 3, column 9 */
    { "bad_malformed.json", false, FIX "bad_malformed.json:3:9: malformed JSON at byte 23" },
    { "no_such_file.json", false, FIX "no_such_file.json: cannot open" },
    /* cross-field: only config_validate() sees both sides */
    { "bad_ways.json", true, "config: tlb.l2.ways: must be 0 (fully associative) or divide "
                             "entries (1280), got 3" },
    { "bad_cache_geometry.json", true, "config: cache.l2.size: must be sets x ways x line" },
    { "bad_block_granule.json", true, "config: process.block_size: not a block size of the 16k "
                                      "granule (32M), got 2M" },
    /* 64K at L0: min IPA = 3*13 + 16 + 1 = 56 bits > 48 (ARM-VMSA.md §3) */
    { "bad_start_level.json", true, "config: vm.s2_start_level: level 0 cannot start a 64k "
                                    "stage 2" },
    { "bad_alloc_base.json", true, "config: alloc.hypervisor.base: must be 64K-aligned, "
                                   "got 0x80001000" },
};

START_TEST(test_bad_input)
{
    const struct bad_case *bc = &bad_cases[_i];
    struct sim_config c;
    struct sim_err e;
    char path[256];
    sim_err_clear(&e);
    config_defaults(&c);
    snprintf(path, sizeof(path), FIX "%s", bc->file);
    int rc = config_load(&c, path, &e);
    if (bc->at_validate) {
        ck_assert_msg(rc == SIM_OK, "%s: %s", bc->file, e.msg);
        rc = config_validate(&c, &e);
    }
    ck_assert_msg(rc == SIM_EINVAL, "%s: rc %d", bc->file, rc);
    ck_assert_int_eq(e.rc, SIM_EINVAL);
    ck_assert_msg(strstr(e.msg, bc->want), "%s: message '%s' lacks '%s'", bc->file, e.msg,
                  bc->want);
    ck_assert_ptr_null(strchr(e.msg, '\n'));
}
END_TEST

START_TEST(test_load_string_errors)
{
    struct sim_config c;
    struct sim_err e;
    config_defaults(&c);
    /* empty text: the error is at byte 0 */
    ck_assert_int_eq(config_load_string(&c, "", "empty", &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "empty:1:1: malformed JSON at byte 0"));
    /* wrong type one level down: an object where a number is expected */
    ck_assert_int_eq(config_load_string(&c, "{\"os\": {\"demand_fault_cycles\": {}}}", "s", &e),
                     SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "s: os.demand_fault_cycles: expected an integer"));
    /* a fraction where an integer is expected */
    ck_assert_int_eq(config_load_string(&c, "{\"tlb\": {\"l2\": {\"entries\": 1.5}}}", "s", &e),
                     SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "s: tlb.l2.entries: expected an integer in"));
    /* seed: a number above 2^53 loses bits, so only a string may carry it */
    ck_assert_int_eq(config_load_string(&c, "{\"seed\": 1e17}", "s", &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "s: seed: "));
    ck_assert_int_eq(config_load_string(&c, "{\"seed\": \"18446744073709551616\"}", "s", &e),
                     SIM_EINVAL);   /* 2^64 */
    /* sizes: 5G is above the 4G cache limit; "0x" alone is no number */
    ck_assert_int_eq(config_load_string(&c, "{\"cache\": {\"llc\": {\"size\": \"5G\"}}}", "s",
                                        &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "s: cache.llc.size: expected a size in"));
    ck_assert_int_eq(config_load_string(&c, "{\"alloc\": {\"guest\": {\"base\": \"0x\"}}}", "s",
                                        &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "s: alloc.guest.base: "));
    /* fractions are 0..1 */
    ck_assert_int_eq(config_load_string(&c, "{\"vm\": {\"block_fraction\": 1.5}}", "s", &e),
                     SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "s: vm.block_fraction: expected a fraction in 0..1"));
    /* too many VMs */
    char big[2048] = "{\"vms\": [";
    for (int i = 0; i <= CONFIG_MAX_VMS; i++)
        snprintf(big + strlen(big), sizeof(big) - strlen(big), "%s{\"vmid\": %d}",
                 i ? ", " : "", i);
    strcat(big, "]}");
    ck_assert_int_eq(config_load_string(&c, big, "s", &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "s: vms: at most 16 entries, got 17"));
}
END_TEST

/* Accepted spellings: "4K" granules, "full" ways, hex sizes, "tree-plru". */
START_TEST(test_load_spellings)
{
    struct sim_config c;
    struct sim_err e;
    sim_err_clear(&e);
    config_defaults(&c);
    /* naming "vm" twice is an error, not a silent overwrite */
    ck_assert_int_eq(config_load_string(&c,
        "{\"vm\": {\"s2_granule\": \"64k\"}, \"vm\": {\"s2_start_level\": 2}}", "s", &e),
        SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "s: vm: duplicate key"));
    sim_err_clear(&e);
    config_defaults(&c);
    ck_assert_msg(config_load_string(&c,
        "{\"process\": {\"s1_granule\": \"16K\"}, \"vm\": {\"s2_granule\": \"64k\","
        " \"s2_start_level\": 2},"
        " \"tlb\": {\"l2\": {\"ways\": \"full\", \"replacement\": \"tree-plru\"}},"
        " \"cache\": {\"l2\": {\"size\": \"0x80000\"}, \"llc\": {\"size\": 4194304}}}",
        "s", &e) == SIM_OK, "%s", e.msg);
    ck_assert_uint_eq(c.proc.s1_granule_shift, 14);
    ck_assert_uint_eq(c.vm.s2_granule_shift, 16);
    ck_assert_int_eq(c.vm.s2_start_level, 2);
    ck_assert_uint_eq(c.l2_tlb.ways, 0);
    ck_assert_int_eq(c.l2_tlb.repl, REPL_PLRU);
    ck_assert_uint_eq(c.mem.l2.size_bytes, 512 * 1024);     /* 0x80000 */
    ck_assert_uint_eq(c.mem.llc.size_bytes, 4u << 20);
    /* s2_start_level is the lookup level (2 = L2, not the SL0 encoding); a 64K stage 2
     * starting at L2 takes 30..46-bit IPAs (ARM-VMSA.md §3): the default 40 is fine */
    ck_assert_msg(config_validate(&c, &e) == SIM_OK, "%s", e.msg);
}
END_TEST

/* ---- config_set -------------------------------------------------------- */

START_TEST(test_set_values)
{
    struct sim_config c;
    struct sim_err e;
    sim_err_clear(&e);
    config_defaults(&c);
#define SET_OK(s) ck_assert_msg(config_set(&c, s, &e) == SIM_OK, "%s: %s", s, e.msg)
    SET_OK("tlb.l2.entries=2048");
    ck_assert_uint_eq(c.l2_tlb.entries, 2048);
    SET_OK("tlb.l2.ways=8");
    SET_OK("cache.l2.size=2M");
    ck_assert_uint_eq(c.mem.l2.size_bytes, 2u << 20);
    SET_OK("cache.llc.size=1048576");
    ck_assert_uint_eq(c.mem.llc.size_bytes, 1u << 20);
    SET_OK("alloc.guest.base=0x10000");
    ck_assert_uint_eq(c.guest_alloc.base, 0x10000);
    SET_OK("tlb.l1d.replacement=random");
    ck_assert_int_eq(c.l1d_tlb.repl, REPL_RANDOM);
    SET_OK("cache.walker_port=llc");
    ck_assert_int_eq(c.mem.walker_port, PORT_LLC);
    SET_OK("vm.backing=fraction");
    ck_assert_int_eq(c.vm.backing, PAGES_FRACTION);
    SET_OK("vm.block_fraction=0.25");
    ck_assert(c.vm.block_fraction == 0.25);
    SET_OK("vm.s2_start_level=1");
    ck_assert_int_eq(c.vm.s2_start_level, 1);
    SET_OK("vm.s2_start_level=auto");
    ck_assert_int_eq(c.vm.s2_start_level, -1);
    SET_OK("tlb.l1i.enabled=false");
    ck_assert(!c.l1i_tlb.enabled);
    SET_OK("cache.l1d.write_back=false");
    ck_assert(!c.mem.l1d.write_back);
    SET_OK("tlb.l2.page_sizes=4K,2M");
    ck_assert_uint_eq(c.l2_tlb.page_sizes, (1u << 12) | (1u << 21));
    SET_OK("tlb.l2.page_sizes=[\"64K\",\"1G\"]");
    ck_assert_uint_eq(c.l2_tlb.page_sizes, (1u << 16) | (1u << 30));
    SET_OK("walk_cache.s1.levels=1,2");
    ck_assert_uint_eq(c.s1_walk_cache.levels, 6);
    SET_OK("walk_cache.s1.levels=[0]");
    ck_assert_uint_eq(c.s1_walk_cache.levels, 1);
    SET_OK("seed=18446744073709551615");
    ck_assert_uint_eq(c.seed, UINT64_MAX);
    SET_OK("seed=7");
    ck_assert_uint_eq(c.seed, 7);
    SET_OK("tlb.l1d={\"entries\": 64, \"ways\": 4}");
    ck_assert_uint_eq(c.l1d_tlb.entries, 64);
    ck_assert_uint_eq(c.l1d_tlb.ways, 4);
    /* the short flags of `mmusim run` */
    SET_OK("process.s1_granule=64k");
    ck_assert_uint_eq(c.proc.s1_granule_shift, 16);
    SET_OK("vm.s2_granule=16K");
    ck_assert_uint_eq(c.vm.s2_granule_shift, 14);
    SET_OK("vm.block_size=32M");        /* backing=fraction: 16K needs 32M blocks */
    ck_assert_uint_eq(c.vm.block_shift, 25);
    SET_OK("process.va_bits=39");
    ck_assert_uint_eq(c.proc.va_bits, 39);
    SET_OK("vm.ipa_bits=36");
    ck_assert_uint_eq(c.vm.ipa_bits, 36);
    SET_OK("machine.virtualized=false");
    ck_assert(!c.virtualized);
#undef SET_OK
    ck_assert_msg(config_validate(&c, &e) == SIM_OK, "%s", e.msg);
}
END_TEST

struct set_bad {
    const char *assign;
    const char *want;
};

static const struct set_bad set_bad_cases[] = {
    { "tlb.l2.entries", "--set: expected PATH=VALUE" },
    { "=5", "--set: expected PATH=VALUE" },
    { "tlb.l2.entires=5", "--set: tlb.l2.entires: unknown configuration path" },
    { "tlb.l2.entries.x=5", "--set: tlb.l2.entries.x: unknown configuration path" },
    { "nosuch=1", "--set: nosuch: unknown configuration path" },
    { "tlb.l2.entries=0", "--set: tlb.l2.entries: expected an integer in 1..16777216, got 0" },
    { "tlb.l2.entries=lots", "--set: tlb.l2.entries: expected an integer, got \"lots\"" },
    { "tlb.l2.latency=-1", "--set: tlb.l2.latency: expected an integer in 0..10000, got -1" },
    { "machine.virtualized=yes", "--set: machine.virtualized: expected true or false" },
    { "process.s1_granule=8k", "--set: process.s1_granule: expected \"4k\"" },
    { "cache.l1d.size=64Q", "--set: cache.l1d.size: expected a size" },
    { "cache.l1d.size=", "--set: cache.l1d.size: expected a size" },
    { "tlb.l2.page_sizes=4K,3K", "--set: tlb.l2.page_sizes[1]: expected a page size" },
    { "vm.s2_start_level=4", "--set: vm.s2_start_level: expected an integer in 0..3, got 4" },
    { "vm.block_size=4M", "--set: vm.block_size: expected a block size" },
    { "seed=-3", "--set: seed: " },
    { "tlb.l2=5", "--set: tlb.l2: expected an object, got 5" },
    { "preset=cortex-a53", "--set: preset: not settable with --set" },
    { "vms=[]", "--set: vms: not settable with --set" },
};

START_TEST(test_set_errors)
{
    const struct set_bad *sb = &set_bad_cases[_i];
    struct sim_config c, before;
    struct sim_err e;
    config_defaults(&c);
    before = c;
    ck_assert_int_eq(config_set(&c, sb->assign, &e), SIM_EINVAL);
    ck_assert_msg(strstr(e.msg, sb->want), "%s: message '%s' lacks '%s'", sb->assign, e.msg,
                  sb->want);
    /* a failed scalar override leaves the configuration as it was */
    ck_assert(memcmp(&c, &before, sizeof(c)) == 0);
}
END_TEST

/* --set vm.X / process.X reach the per-VMID / per-ASID entries too. */
START_TEST(test_set_reaches_overrides)
{
    struct sim_config c;
    struct sim_err e;
    sim_err_clear(&e);
    config_defaults(&c);
    ck_assert_int_eq(config_load(&c, FIX "full.json", &e), SIM_OK);
    ck_assert_int_eq(config_set(&c, "vm.ipa_bits=48", &e), SIM_OK);
    ck_assert_uint_eq(c.vm.ipa_bits, 48);
    ck_assert_uint_eq(config_vm(&c, 1)->ipa_bits, 48);
    ck_assert_uint_eq(config_vm(&c, 2)->ipa_bits, 48);
    ck_assert_uint_eq(config_vm(&c, 1)->vmid, 1);            /* identity kept */
    ck_assert_int_eq(config_set(&c, "process.s1_granule=4k", &e), SIM_OK);
    ck_assert_uint_eq(config_proc(&c, 5)->s1_granule_shift, 12);
    ck_assert_uint_eq(config_proc(&c, 5)->asid, 5);
    ck_assert_uint_eq(config_proc(&c, 5)->va_bits, 42);      /* untouched field */
}
END_TEST

/* Cross-field rules follow later overrides: the granule decides the legal block. */
START_TEST(test_validate_after_set)
{
    struct sim_config c;
    struct sim_err e;
    config_defaults(&c);
    ck_assert_int_eq(config_set(&c, "process.pages=blocks", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_OK);          /* 4K + 2M */
    ck_assert_int_eq(config_set(&c, "process.s1_granule=64k", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_EINVAL);      /* 64K + 2M */
    ck_assert_ptr_nonnull(strstr(e.msg, "config: process.block_size: not a block size of the "
                                        "64k granule (512M), got 2M"));
    ck_assert_int_eq(config_set(&c, "process.block_size=512M", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_OK);

    /* 4K stage 2 at L1 holds 31..43-bit IPAs (ARM-VMSA.md §3 table) */
    config_defaults(&c);
    ck_assert_int_eq(config_set(&c, "vm.s2_start_level=1", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_OK);          /* 40 bits */
    ck_assert_int_eq(config_set(&c, "vm.ipa_bits=44", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "config: vm.s2_start_level: level 1 with the 4k "
                                        "granule needs ipa_bits 31..43"));
    /* the guest pool (1G + 3G) must fit the IPA space: 32 bits = 4G fits exactly */
    config_defaults(&c);
    ck_assert_int_eq(config_set(&c, "vm.ipa_bits=32", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_OK);
    ck_assert_int_eq(config_set(&c, "alloc.guest.size=4G", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "config: alloc.guest.size: "));
    ck_assert_int_eq(config_set(&c, "machine.virtualized=false", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_OK);          /* native: 48-bit PA */
    /* an enabled TLB must hold a size <= the smallest granule in use */
    config_defaults(&c);
    ck_assert_int_eq(config_set(&c, "tlb.l1d.page_sizes=64K", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "config: tlb.l1d.page_sizes: "));
    ck_assert_int_eq(config_set(&c, "process.s1_granule=64k", &e), SIM_OK);
    ck_assert_int_eq(config_set(&c, "vm.s2_granule=64k", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_OK);
    /* 1280 entries x 5 ways: 256 sets, legal; a cache with 3 ways and 192 sets too */
    ck_assert_int_eq(config_set(&c, "cache.l1d.size=36K", &e), SIM_OK);
    ck_assert_int_eq(config_set(&c, "cache.l1d.ways=3", &e), SIM_OK);
    ck_assert_int_eq(config_validate(&c, &e), SIM_OK);          /* 36K / (3 * 64) = 192 */
}
END_TEST

/* A struct built by hand is range-checked too. */
START_TEST(test_validate_hand_built)
{
    struct sim_config c;
    struct sim_err e;
    config_defaults(&c);
    c.l1i_tlb.repl = (enum repl_policy)7;
    ck_assert_int_eq(config_validate(&c, &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "config: tlb.l1i.replacement: invalid value, got 7"));
    config_defaults(&c);
    c.mem.l2.line_bytes = 96;
    ck_assert_int_eq(config_validate(&c, &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "config: cache.l2.line: expected a power of two"));
    config_defaults(&c);
    c.n_procs = 2;
    c.procs[0] = c.proc;
    c.procs[1] = c.proc;
    c.procs[0].asid = c.procs[1].asid = 9;
    ck_assert_int_eq(config_validate(&c, &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "config: processes[1].asid: duplicate ASID"));
    config_defaults(&c);
    c.vm.s2_granule_shift = 13;   /* "8k" is reserved */
    ck_assert_int_eq(config_validate(&c, &e), SIM_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "config: vm.s2_granule: "));
}
END_TEST

/* ---- canonical JSON ---------------------------------------------------- */

START_TEST(test_round_trip_presets)
{
    const char *name = config_preset_names()[_i];
    struct sim_config a, b;
    struct sim_err e;
    sim_err_clear(&e);
    ck_assert_int_eq(config_preset(&a, name, &e), SIM_OK);
    char *s = config_to_json(&a);
    ck_assert_ptr_nonnull(s);
    /* load onto a different starting point: the text must carry everything */
    ck_assert_int_eq(config_preset(&b, strcmp(name, "no-caching") ? "no-caching" : "cortex-a53",
                                   &e), SIM_OK);
    ck_assert_msg(config_load_string(&b, s, "round-trip", &e) == SIM_OK, "%s", e.msg);
    ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
    char *s2 = config_to_json(&b);
    ck_assert_str_eq(s, s2);
    free(s);
    free(s2);
}
END_TEST

/* Every field away from its default, overrides included. */
START_TEST(test_round_trip_everything)
{
    static const char *sets[] = {
        "seed=18446744073709551557", "machine.virtualized=false",
        "tlb.l1i.ways=8", "tlb.l1i.replacement=plru", "tlb.l2.page_sizes=4K,16K,1G",
        "walk_cache.s1.levels=2", "walk_cache.s2.enabled=false", "walk_cache.s2.latency=7",
        "cache.l2.size=1536K", "cache.l2.ways=12", "cache.l2.line=128",
        "cache.llc.write_allocate=false", "cache.dram_latency=321", "cache.walker_port=l2",
        "vm.backing=fraction", "vm.block_fraction=0.3", "vm.block_size=1G",
        "vm.s2_start_level=0", "vm.ipa_bits=44",
        "process.pages=blocks", "process.va_bits=47", "process.block_fraction=0.125",
        "alloc.guest.kind=scattered", "alloc.guest.fragmentation=0.7",
        "alloc.hypervisor.base=0x1230000", "alloc.hypervisor.size=12345678K",
        "os.demand_fault_cycles=4321",
    };
    struct sim_config a, b;
    struct sim_err e;
    sim_err_clear(&e);
    config_defaults(&a);
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
        ck_assert_msg(config_set(&a, sets[i], &e) == SIM_OK, "%s: %s", sets[i], e.msg);
    /* after the sets: --set vm.X reaches listed VMs, so list them last */
    ck_assert_int_eq(config_load_string(&a,
        "{\"vms\": [{\"vmid\": 7, \"s2_granule\": \"64k\", \"s2_start_level\": \"auto\","
        " \"backing\": \"blocks\","
        " \"block_size\": \"512M\"}, {\"vmid\": 65535}],"
        " \"processes\": [{\"asid\": 3, \"s1_granule\": \"16k\", \"block_size\": \"32M\"}]}",
        "s", &e), SIM_OK);
    ck_assert_msg(config_validate(&a, &e) == SIM_OK, "%s", e.msg);
    char *s = config_to_json(&a);
    ck_assert_ptr_nonnull(s);
    config_defaults(&b);
    ck_assert_msg(config_load_string(&b, s, "round-trip", &e) == SIM_OK, "%s", e.msg);
    ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
    ck_assert_uint_eq(b.seed, UINT64_C(18446744073709551557));
    ck_assert_uint_eq(b.hyp_alloc.size_bytes, UINT64_C(12345678) * 1024);
    ck_assert_uint_eq(b.n_vms, 2);
    ck_assert_uint_eq(b.vms[1].vmid, 65535);
    free(s);
}
END_TEST

/* Other tools read these paths of the canonical JSON. */
START_TEST(test_json_paths)
{
    struct sim_config c;
    config_defaults(&c);
    char *s = config_to_json(&c);
    cJSON *j = cJSON_Parse(s);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "preset")->valuestring, "neoverse-n1");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "machine");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "virtualized")));
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "process");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(p, "s1_granule")->valuestring, "4k");
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(p, "va_bits")->valueint, 48);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "vm");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(v, "s2_granule")->valuestring, "4k");
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(v, "ipa_bits")->valueint, 40);
    /* key order: preset, seed, machine, tlb, walk_cache, cache, vm, process, vms,
     * processes, alloc, os */
    static const char *order[] = { "preset", "seed", "machine", "tlb", "walk_cache", "cache",
                                   "vm", "process", "vms", "processes", "alloc", "os" };
    size_t i = 0;
    for (const cJSON *k = j->child; k; k = k->next, i++) {
        ck_assert_uint_lt(i, 12);
        ck_assert_str_eq(k->string, order[i]);
    }
    ck_assert_uint_eq(i, 12);
    cJSON_Delete(j);
    free(s);
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    size_t npresets = 0;
    while (config_preset_names()[npresets])
        npresets++;

    TCase *tc = tcase_create("presets");
    tcase_add_test(tc, test_defaults_validate);
    tcase_add_loop_test(tc, test_each_preset, 0, (int)npresets);
    tcase_add_test(tc, test_preset_names);
    tcase_add_test(tc, test_preset_values);
    tcase_add_loop_test(tc, test_preset_sets_every_key, 0, (int)npresets);
    suite_add_tcase(s, tc);

    tc = tcase_create("load");
    tcase_add_test(tc, test_overlay_changes_only_named);
    tcase_add_test(tc, test_overrides_vs_template);
    tcase_add_loop_test(tc, test_bad_input, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(tc, test_load_string_errors);
    tcase_add_test(tc, test_load_spellings);
    suite_add_tcase(s, tc);

    tc = tcase_create("set");
    tcase_add_test(tc, test_set_values);
    tcase_add_loop_test(tc, test_set_errors, 0,
                        (int)(sizeof(set_bad_cases) / sizeof(set_bad_cases[0])));
    tcase_add_test(tc, test_set_reaches_overrides);
    suite_add_tcase(s, tc);

    tc = tcase_create("validate");
    tcase_add_test(tc, test_validate_after_set);
    tcase_add_test(tc, test_validate_hand_built);
    suite_add_tcase(s, tc);

    tc = tcase_create("json");
    tcase_add_loop_test(tc, test_round_trip_presets, 0, (int)npresets);
    tcase_add_test(tc, test_round_trip_everything);
    tcase_add_test(tc, test_json_paths);
    suite_add_tcase(s, tc);
    return s;
}

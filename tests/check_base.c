/*
 * tests/check_base.c - bit helpers and the deterministic RNG of sim/base.h.
 */
#include <check.h>

#include "sim/base.h"
#include "sim/err.h"

START_TEST(test_bits)
{
    ck_assert_uint_eq(GENMASK64(63, 0), UINT64_MAX);
    ck_assert_uint_eq(GENMASK64(47, 12), UINT64_C(0x0000FFFFFFFFF000));
    ck_assert_uint_eq(bits_get(UINT64_C(0xC000), 15, 14), 3);
    ck_assert_uint_eq(log2_u64(4096), 12);
    ck_assert(is_pow2(65536) && !is_pow2(1280));
}
END_TEST

START_TEST(test_rng_deterministic)
{
    struct sim_rng a, b;
    sim_rng_seed(&a, 42);
    sim_rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(sim_rng_next(&a), sim_rng_next(&b));
    sim_rng_seed(&b, 43);
    ck_assert_uint_ne(sim_rng_next(&a), sim_rng_next(&b));
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_lt(sim_rng_below(&a, 7), 7);
}
END_TEST

START_TEST(test_err_one_line)
{
    struct sim_err e;
    sim_err_clear(&e);
    ck_assert_int_eq(sim_err_set(&e, SIM_EFORMAT, "f.json: %s", "a\nb"), SIM_EFORMAT);
    ck_assert_str_eq(e.msg, "f.json: a b");
    ck_assert_int_eq(e.rc, SIM_EFORMAT);
}
END_TEST

Suite *base_suite(void)
{
    Suite *s = suite_create("base");
    TCase *tc = tcase_create("base");
    tcase_add_test(tc, test_bits);
    tcase_add_test(tc, test_rng_deterministic);
    tcase_add_test(tc, test_err_one_line);
    suite_add_tcase(s, tc);
    return s;
}

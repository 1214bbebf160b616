/* Denomination counting (issue 12): the float and the Z's counted cash as pieces of each
 * note and coin, added up exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/denomination.h"

static void test_eur_set(void **state)
{
    (void)state;
    struct denom_set eur;
    char err[200];
    denom_eur(&eur);
    assert_int_equal(denom_check(&eur, err, sizeof err), 0);
    assert_int_equal(eur.n, 15);
    assert_int_equal(eur.value[0], 50000);
    assert_int_equal(eur.value[eur.coins_from - 1], 500); /* the smallest note */
    assert_int_equal(eur.value[eur.coins_from], 200);     /* the largest coin */
    assert_int_equal(eur.value[eur.n - 1], 1);
}

/* A float counted by hand: 2x20 + 3x10 + 4x5 = 90,00; 10x2 + 15x1 = 35,00;
 * 8x0,50 + 10x0,20 + 20x0,10 + 10x0,05 + 25x0,02 + 30x0,01 = 4+2+2+0,50+0,50+0,30 = 9,30.
 * Together 134,30. */
static void test_float_adds_up(void **state)
{
    (void)state;
    struct denom_set eur;
    char err[200];
    denom_eur(&eur);
    const int64_t counted[15] = { 0, 0, 0, 0, 2, 3, 4, 10, 15, 8, 10, 20, 10, 25, 30 };
    int64_t total = -1;
    assert_int_equal(denom_total(&eur, counted, &total, err, sizeof err), 0);
    assert_int_equal(total, 13430);
    const int64_t none[15] = { 0 };
    assert_int_equal(denom_total(&eur, none, &total, err, sizeof err), 0);
    assert_int_equal(total, 0);
    /* one 500 note and one cent: both ends of the set count */
    const int64_t ends[15] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    assert_int_equal(denom_total(&eur, ends, &total, err, sizeof err), 0);
    assert_int_equal(total, 50001);
}

static void test_bad_counts_refused(void **state)
{
    (void)state;
    struct denom_set eur;
    char err[200];
    denom_eur(&eur);
    int64_t counted[15] = { 0 }, total = 77;
    counted[3] = -1;
    assert_int_equal(denom_total(&eur, counted, &total, err, sizeof err), -1);
    assert_non_null(strstr(err, "-1 pieces of 5000"));
    assert_int_equal(total, 77); /* untouched on failure */
    counted[3] = DENOM_COUNT_MAX + 1;
    assert_int_equal(denom_total(&eur, counted, &total, err, sizeof err), -1);
    counted[3] = DENOM_COUNT_MAX;
    assert_int_equal(denom_total(&eur, counted, &total, err, sizeof err), 0);
    assert_int_equal(total, 5000LL * DENOM_COUNT_MAX);
    /* a set whose values overflow when added is refused, not wrapped */
    struct denom_set huge = { .n = 2, .value = { INT64_MAX / 2, INT64_MAX / 4 }, .coins_from = 2 };
    assert_int_equal(denom_check(&huge, err, sizeof err), 0);
    const int64_t many[2] = { 3, 0 };
    assert_int_equal(denom_total(&huge, many, &total, err, sizeof err), -1);
    assert_non_null(strstr(err, "too large"));
}

static void test_bad_sets_refused(void **state)
{
    (void)state;
    char err[200];
    struct denom_set s = { .n = 3, .value = { 100, 50, 50 }, .coins_from = 1 };
    assert_int_equal(denom_check(&s, err, sizeof err), -1); /* a value twice */
    s.value[2] = 200;
    assert_int_equal(denom_check(&s, err, sizeof err), -1); /* not largest first */
    s.value[2] = 0;
    assert_int_equal(denom_check(&s, err, sizeof err), -1);
    s.value[2] = 20;
    s.coins_from = 4;
    assert_int_equal(denom_check(&s, err, sizeof err), -1);
    s.coins_from = 3;
    assert_int_equal(denom_check(&s, err, sizeof err), 0); /* notes only */
    s.n = 0;
    assert_int_equal(denom_check(&s, err, sizeof err), -1);
    s.n = DENOM_MAX + 1;
    assert_int_equal(denom_check(&s, err, sizeof err), -1);
}

/* A count typed denomination by denomination, as the cash screen asks for it. */
static void test_count_step_by_step(void **state)
{
    (void)state;
    struct denom_set eur;
    assert_int_equal(denom_for_currency("EUR", &eur), 0);
    assert_int_equal(denom_for_currency("CHF", &eur), -1);
    denom_eur(&eur);
    struct denom_count c;
    denom_count_start(&c, &eur);
    int64_t total = -1;
    char err[160];
    assert_int_equal(denom_count_enter(&c, "", &total, err, sizeof err), 0);    /* no 500 */
    assert_int_equal(denom_count_enter(&c, "1", &total, err, sizeof err), 0);   /* one 200 */
    assert_int_equal(denom_count_so_far(&c), 20000);
    assert_int_equal(denom_count_enter(&c, "x2", &total, err, sizeof err), -1);
    assert_non_null(strstr(err, "'x2' is not a number of pieces"));
    assert_int_equal(denom_count_enter(&c, "999999", &total, err, sizeof err), -1);
    assert_int_equal(c.at, 2);                                                   /* 100 asked again */
    assert_int_equal(denom_count_so_far(&c), 20000);
    for (int i = 2; i < eur.n - 1; i++)
        assert_int_equal(denom_count_enter(&c, "", &total, err, sizeof err), 0);
    assert_int_equal(denom_count_enter(&c, "3", &total, err, sizeof err), 1);   /* three 1 ct */
    assert_int_equal(total, 20003);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eur_set),
        cmocka_unit_test(test_float_adds_up),
        cmocka_unit_test(test_bad_counts_refused),
        cmocka_unit_test(test_bad_sets_refused),
        cmocka_unit_test(test_count_step_by_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

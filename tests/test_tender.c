/* Tender arithmetic: split tenders, partial approvals, change from cash only, rounding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/tender.h"

static struct payment card(int64_t amount)
{
    struct payment p;
    memset(&p, 0, sizeof p);
    p.amount = amount;
    strcpy(p.masked_pan, "************4771");
    return p;
}

static void test_half_cash_half_card(void **state)
{
    struct tender_state t;
    tender_init(&t, 2000, 1);
    int64_t change = -1;
    assert_int_equal(tender_add_cash(&t, 1000, &change), 0);   /* partial cash */
    assert_int_equal(change, 0);
    assert_int_equal(tender_balance(&t), 1000);
    assert_false(tender_is_settled(&t));
    struct payment c = card(1000);
    assert_int_equal(tender_add_card(&t, &c), 0);
    assert_true(tender_is_settled(&t));
    assert_int_equal(tender_paid(&t), 2000);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.payments[1].tender, TENDER_CARD);
    assert_string_equal(t.payments[1].masked_pan, "************4771");
}

static void test_change_only_from_cash(void **state)
{
    struct tender_state t;
    tender_init(&t, 1250, 1);
    struct payment c = card(1300);
    assert_int_equal(tender_add_card(&t, &c), TENDER_EOVER);
    assert_int_equal(tender_add_voucher(&t, 1500, "V1"), TENDER_EOVER);
    assert_int_equal(tender_add_voucher(&t, 1000, "V1"), 0);
    int64_t change;
    assert_int_equal(tender_add_cash(&t, 500, &change), 0);
    assert_int_equal(change, 250);
    assert_int_equal(tender_change(&t), 250);
    assert_int_equal(tender_paid(&t), 1250);
    assert_int_equal(tender_add_cash(&t, 100, &change), TENDER_ESETTLED);
}

static void test_partial_card_approval(void **state)
{
    struct tender_state t;
    tender_init(&t, 5000, 1);
    struct payment c = card(3000);            /* terminal approved only 30.00 of 50.00 */
    assert_int_equal(tender_add_card(&t, &c), 0);
    assert_int_equal(tender_balance(&t), 2000);
    c = card(2000);
    assert_int_equal(tender_add_card(&t, &c), 0);
    assert_true(tender_is_settled(&t));
}

static void test_reversal_restores_balance(void **state)
{
    struct tender_state t;
    tender_init(&t, 5000, 1);
    struct payment c = card(5000);
    tender_add_card(&t, &c);
    assert_true(tender_is_settled(&t));
    assert_int_equal(tender_remove(&t, 0), 0);
    assert_int_equal(tender_balance(&t), 5000);
    assert_int_equal(tender_remove(&t, 0), TENDER_EINVAL);
}

/* CHF: cash is rounded to 0.05; card pays the exact amount. */
static void test_cash_rounding(void **state)
{
    struct tender_state t;
    tender_init(&t, 1233, 5);
    assert_int_equal(tender_cash_due(&t), 1235);
    int64_t change;
    assert_int_equal(tender_add_cash(&t, 2000, &change), 0);
    assert_int_equal(change, 765);             /* 20.00 - 12.35 */
    assert_int_equal(t.payments[0].amount, 1233);
    assert_true(tender_is_settled(&t));
    /* 12.32 rounds down: 12.30 in cash settles it */
    tender_init(&t, 1232, 5);
    assert_int_equal(tender_add_cash(&t, 1230, &change), 0);
    assert_int_equal(change, 0);
    assert_true(tender_is_settled(&t));
    /* a remaining balance of 0.02 after card rounds to 0.00 in cash: settled */
    tender_init(&t, 1002, 5);
    struct payment c = card(1000);
    tender_add_card(&t, &c);
    assert_true(tender_is_settled(&t));
}

static void test_invalid_amounts(void **state)
{
    struct tender_state t;
    tender_init(&t, 100, 1);
    int64_t change;
    assert_int_equal(tender_add_cash(&t, 0, &change), TENDER_EINVAL);
    assert_int_equal(tender_add_cash(&t, -5, &change), TENDER_EINVAL);
    struct payment c = card(0);
    assert_int_equal(tender_add_card(&t, &c), TENDER_EINVAL);
    assert_int_equal(tender_add_voucher(&t, -1, ""), TENDER_EINVAL);
    assert_int_equal(t.n, 0);
}

static void test_too_many_payments(void **state)
{
    struct tender_state t;
    tender_init(&t, 1000, 1);
    int rc = 0, i;
    for (i = 0; i < SALE_MAX_PAYMENTS && rc == 0; i++)
        rc = tender_add_voucher(&t, 1, "v");
    assert_int_equal(rc, 0);
    assert_int_equal(tender_add_voucher(&t, 1, "v"), TENDER_EFULL);
    assert_int_equal(tender_balance(&t), 1000 - SALE_MAX_PAYMENTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_cash_half_card),
        cmocka_unit_test(test_change_only_from_cash),
        cmocka_unit_test(test_partial_card_approval),
        cmocka_unit_test(test_reversal_restores_balance),
        cmocka_unit_test(test_cash_rounding),
        cmocka_unit_test(test_invalid_amounts),
        cmocka_unit_test(test_too_many_payments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

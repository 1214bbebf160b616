/* Card numbers in text from terminals are masked to the last four digits (core/pan.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/pan.h"

static void masks(const char *in, const char *want, int count)
{
    char b[128];
    snprintf(b, sizeof b, "%s", in);
    assert_int_equal(pan_mask_text(b), count);
    assert_string_equal(b, want);
}

static void test_runs(void **state)
{
    masks("4111111111111111", "************1111", 1);
    masks("PAN 5500000000000004 ok", "PAN ************0004 ok", 1);
    masks("378282246310005", "***********0005", 1);                  /* 15 digits (Amex) */
    masks("6759649826438453", "************8453", 1);
    masks("4111111111111112", "4111111111111112", 0);                 /* not Luhn-valid */
    masks("411111111111", "411111111111", 0);                         /* 12 digits: too short */
}

static void test_separated_groups(void **state)
{
    masks("Nr: 4111 1111 1111 1111", "Nr: **** **** **** 1111", 1);
    masks("4111-1111-1111-1111", "****-****-****-1111", 1);
    masks("Karte 4111 1111 1111 1111 01 25", "Karte **** **** **** 1111 01 25", 1);
    masks("12 4111111111111111", "12 ************1111", 1);
    /* receipt figures: separated by several spaces, dots or colons, they are not one run */
    masks("0000013    0004      000001", "0000013    0004      000001", 0);
    masks("19.10.2021 13:30:04", "19.10.2021 13:30:04", 0);
    masks("Nr:  **** **** **** 4821", "Nr:  **** **** **** 4821", 0);
    /* amount, trace, approval code, last four: figures side by side, not a card number */
    masks("100 000001 007919 4444", "100 000001 007919 4444", 0);
    masks("861-1 199 000001 007919", "861-1 199 000001 007919", 0);
    masks("3782 822463 10005", "**** ****** *0005", 1);          /* Amex layout 4-6-5 */
}

static void test_track2(void **state)
{
    masks(";4111111111111111=25121011234567?", ";************1111?", 1);
    masks("T2 4111111111111111D2512101123", "T2 ************1111", 1);
    /* not track 2 without the digits after the separator */
    masks("4111111111111111D", "************1111D", 1);
}

static void test_luhn(void **state)
{
    assert_true(pan_luhn_ok("79927398713", 11));
    assert_false(pan_luhn_ok("79927398710", 11));
    assert_false(pan_luhn_ok("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_separated_groups),
        cmocka_unit_test(test_track2),
        cmocka_unit_test(test_luhn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

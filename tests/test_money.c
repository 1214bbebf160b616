/* Money: parsing, formatting, checked arithmetic and the rounding rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/money.h"

static struct money_format eur, usd, jpy;

static int setup(void **state)
{
    money_format_init(&eur, "EUR", "eu");
    money_format_init(&usd, "USD", "us");
    money_format_init(&jpy, "JPY", "us");
    return 0;
}

static void test_format_styles(void **state)
{
    char b[64];
    money_format(123450, &eur, 1, b, sizeof b);
    assert_string_equal(b, "1.234,50 €");
    money_format(123450, &usd, 1, b, sizeof b);
    assert_string_equal(b, "$1,234.50");
    money_format(-5, &usd, 1, b, sizeof b);
    assert_string_equal(b, "-$0.05");
    money_format(0, &eur, 0, b, sizeof b);
    assert_string_equal(b, "0,00");
    money_format(123456789, &usd, 0, b, sizeof b);
    assert_string_equal(b, "1,234,567.89");
    money_format(1500, &jpy, 1, b, sizeof b);
    assert_string_equal(b, "¥1,500");
}

static void test_format_extremes_and_small_buffer(void **state)
{
    char b[64];
    assert_true(money_format(INT64_MIN, &usd, 0, b, sizeof b) > 0);
    assert_string_equal(b, "-92,233,720,368,547,758.08");
    assert_true(money_format(INT64_MAX, &usd, 0, b, sizeof b) > 0);
    assert_string_equal(b, "92,233,720,368,547,758.07");
    char tiny[4];
    assert_int_equal(money_format(123450, &eur, 1, tiny, sizeof tiny), MONEY_ERANGE);
    assert_string_equal(tiny, "");
}

static void test_parse(void **state)
{
    int64_t v;
    assert_int_equal(money_parse("12", &eur, &v), 0);
    assert_int_equal(v, 1200);
    assert_int_equal(money_parse("12,5", &eur, &v), 0);
    assert_int_equal(v, 1250);
    assert_int_equal(money_parse("12.50", &eur, &v), 0);
    assert_int_equal(v, 1250);
    assert_int_equal(money_parse("1.234,50", &eur, &v), 0);
    assert_int_equal(v, 123450);
    assert_int_equal(money_parse("1.234", &eur, &v), 0); /* EU grouping */
    assert_int_equal(v, 123400);
    assert_int_equal(money_parse("1,234.50", &usd, &v), 0);
    assert_int_equal(v, 123450);
    assert_int_equal(money_parse("-3", &usd, &v), 0);
    assert_int_equal(v, -300);
    assert_int_equal(money_parse(" 7.05 ", &usd, &v), 0);
    assert_int_equal(v, 705);
}

static void test_parse_rejects(void **state)
{
    int64_t v = 42;
    assert_int_equal(money_parse("", &eur, &v), MONEY_EPARSE);
    assert_int_equal(money_parse("abc", &eur, &v), MONEY_EPARSE);
    assert_int_equal(money_parse("1.2.3,4,5", &eur, &v), MONEY_EPARSE);
    assert_int_equal(money_parse("1.234", &usd, &v), MONEY_EPARSE); /* 3 decimals for USD */
    assert_int_equal(money_parse("12,345", &jpy, &v), 0);           /* grouping, no decimals */
    assert_int_equal(v, 12345);
    assert_int_equal(money_parse("1.5", &jpy, &v), MONEY_EPARSE);
    assert_int_equal(money_parse("99999999999999999999", &usd, &v), MONEY_EOVERFLOW);
    assert_int_equal(money_parse("92233720368547758.08", &usd, &v), MONEY_EOVERFLOW);
    assert_int_equal(money_parse("-", &usd, &v), MONEY_EPARSE);
}

static void test_overflow_detected(void **state)
{
    int64_t v;
    assert_int_equal(money_add(INT64_MAX, 1, &v), MONEY_EOVERFLOW);
    assert_int_equal(money_sub(INT64_MIN, 1, &v), MONEY_EOVERFLOW);
    assert_int_equal(money_mul_qty(INT64_MAX / 2, 3 * QTY_ONE, &v), MONEY_EOVERFLOW);
    assert_int_equal(money_mul_qty(INT64_MAX, QTY_ONE, &v), 0);
    assert_int_equal(v, INT64_MAX);
}

/* Half away from zero: 0.5 of a minor unit rounds up in magnitude. */
static void test_rounding_half_away_from_zero(void **state)
{
    int64_t v;
    money_muldiv(1, 1, 2, &v);      /* 0.5 */
    assert_int_equal(v, 1);
    money_muldiv(-1, 1, 2, &v);     /* -0.5 */
    assert_int_equal(v, -1);
    money_muldiv(1, 49, 100, &v);   /* 0.49 */
    assert_int_equal(v, 0);
    money_mul_qty(299, 1500, &v);   /* 2.99 x 1.5 = 4.485 -> 4.49 */
    assert_int_equal(v, 449);
    money_mul_qty(299, 1250, &v);   /* 3.7375 -> 3.74 */
    assert_int_equal(v, 374);
    money_mul_qty(1, 500, &v);      /* 0.5 cent -> 1 cent */
    assert_int_equal(v, 1);
    assert_int_equal(money_muldiv(1, 1, 0, &v), MONEY_ERANGE);
}

static void test_cash_rounding(void **state)
{
    int64_t v;
    money_round_to(1233, 5, &v);
    assert_int_equal(v, 1235);
    money_round_to(1232, 5, &v);
    assert_int_equal(v, 1230);
    money_round_to(-1233, 5, &v);
    assert_int_equal(v, -1235);
    assert_int_equal(money_round_to(5, 0, &v), MONEY_ERANGE);
}

static void test_qty(void **state)
{
    int64_t q;
    char b[32];
    assert_int_equal(qty_parse("3", &q), 0);
    assert_int_equal(q, 3000);
    assert_int_equal(qty_parse("0,75", &q), 0);
    assert_int_equal(q, 750);
    assert_int_equal(qty_parse("1.2345", &q), MONEY_EPARSE);
    qty_format(3000, b, sizeof b);
    assert_string_equal(b, "3");
    qty_format(1250, b, sizeof b);
    assert_string_equal(b, "1.250");
}

/* Quantities and rates follow the store's style: the eu style never shows "1.250 kg". */
static void test_qty_and_rate_follow_the_style(void **state)
{
    char b[32];
    assert_int_equal(money_format_qty(1250, 1, &eur, b, sizeof b), 5);
    assert_string_equal(b, "1,250");
    money_format_qty(1250, 1, &usd, b, sizeof b);
    assert_string_equal(b, "1.250");
    money_format_qty(2000, 1, &eur, b, sizeof b);
    assert_string_equal(b, "2,000");           /* a weight always shows its grams */
    money_format_qty(3000, 0, &eur, b, sizeof b);
    assert_string_equal(b, "3");
    money_format_qty(1500, 0, &eur, b, sizeof b);
    assert_string_equal(b, "1,5");
    money_format_qty(12345000, 0, &eur, b, sizeof b);
    assert_string_equal(b, "12345");          /* no grouping: "12.345" would read as a weight */
    money_format_qty(-250, 1, &eur, b, sizeof b);
    assert_string_equal(b, "-0,250");
    assert_int_equal(money_format_qty(1250, 1, &eur, b, 5), MONEY_ERANGE);
    assert_string_equal(b, "");

    assert_int_equal(money_format_rate(190000, &eur, b, sizeof b), 3);
    assert_string_equal(b, "19%");
    money_format_rate(70000, &eur, b, sizeof b);
    assert_string_equal(b, "7%");
    money_format_rate(88750, &eur, b, sizeof b);
    assert_string_equal(b, "8,875%");          /* all four decimals kept, not cut to 8.8 */
    money_format_rate(88750, &usd, b, sizeof b);
    assert_string_equal(b, "8.875%");
    money_format_rate(55000, &eur, b, sizeof b);
    assert_string_equal(b, "5,5%");
    money_format_rate(0, &eur, b, sizeof b);
    assert_string_equal(b, "0%");
    money_format_rate(1, &usd, b, sizeof b);
    assert_string_equal(b, "0.0001%");
    assert_int_equal(money_format_rate(190000, &eur, b, 3), MONEY_ERANGE);
    assert_int_equal(money_format_rate(190000, &eur, b, 4), 3);
}

static void test_currency_lookup(void **state)
{
    struct currency c;
    assert_int_equal(currency_lookup("KWD", &c), 0);
    assert_int_equal(c.exponent, 3);
    assert_int_equal(currency_lookup("XXX", &c), MONEY_ERANGE);
    struct money_format f;
    assert_int_equal(money_format_init(&f, "EUR", "fr"), MONEY_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_styles),
        cmocka_unit_test(test_format_extremes_and_small_buffer),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_overflow_detected),
        cmocka_unit_test(test_rounding_half_away_from_zero),
        cmocka_unit_test(test_cash_rounding),
        cmocka_unit_test(test_qty),
        cmocka_unit_test(test_qty_and_rate_follow_the_style),
        cmocka_unit_test(test_currency_lookup),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

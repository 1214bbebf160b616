/* Cart and tax: lines, quantities, voids, inclusive vs exclusive tax, rounding rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/cart.h"
#include "core/money.h"
#include "core/receipt.h"
#include "core/sale.h"
#include "offline/order.h"

static struct product make(const char *sku, int64_t price, enum unit u, const char *tax, int64_t rate)
{
    struct product p;
    memset(&p, 0, sizeof p);
    strncpy(p.sku, sku, sizeof p.sku - 1);
    strncpy(p.name, sku, sizeof p.name - 1);
    p.price = price;
    p.unit = u;
    strncpy(p.tax_class, tax, sizeof p.tax_class - 1);
    p.tax_rate_ppm = rate;
    p.active = 1;
    return p;
}

static const struct tax_config incl_total = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
static const struct tax_config incl_line = { TAX_INCLUSIVE, TAX_ROUND_PER_LINE };
static const struct tax_config excl_total = { TAX_EXCLUSIVE, TAX_ROUND_PER_TOTAL };
static const struct tax_config excl_line = { TAX_EXCLUSIVE, TAX_ROUND_PER_LINE };

static void test_add_multiplier_void(void **state)
{
    struct cart c;
    cart_init(&c, &incl_total);
    struct product milk = make("milk", 119, UNIT_EACH, "std", 190000);
    struct product bread = make("bread", 349, UNIT_EACH, "red", 70000);
    assert_int_equal(cart_add_item(&c, &milk, "4010433218190", QTY_ONE), 0);
    assert_int_equal(cart_add_item(&c, &bread, "4028710122696", 3 * QTY_ONE), 0);
    assert_int_equal(c.nlines, 2);
    assert_int_equal(c.lines[1].line_total, 1047);
    assert_int_equal(c.totals.total, 1166);
    assert_int_equal(cart_void_line(&c, 0), 0);
    assert_int_equal(c.nlines, 2); /* voided lines stay */
    assert_true(c.lines[0].voided);
    assert_int_equal(c.totals.total, 1047);
    assert_int_equal(cart_active_lines(&c), 1);
    assert_int_equal(cart_void_line(&c, 0), CART_EVOIDED);
    assert_int_equal(cart_set_qty(&c, 0, 2 * QTY_ONE), CART_EVOIDED);
    assert_int_equal(cart_set_qty(&c, 1, 2 * QTY_ONE), 0);
    assert_int_equal(c.totals.total, 698);
    cart_free(&c);
}

/* Label data goes through the cart: long texts are cut, a bad line index is refused, and
 * the totals do not move. */
static void test_line_label(void **state)
{
    struct cart c;
    cart_init(&c, &incl_total);
    struct product milk = make("milk", 119, UNIT_EACH, "std", 190000);
    assert_int_equal(cart_add_item(&c, &milk, "4010433218190", QTY_ONE), 0);
    assert_int_equal(cart_set_line_label(&c, 0, "LOT-42", "0123456789012345678901234567890", 20240131, 1), 0);
    assert_string_equal(c.lines[0].batch, "LOT-42");
    assert_int_equal(strlen(c.lines[0].serial), sizeof c.lines[0].serial - 1);
    assert_int_equal(c.lines[0].expiry, 20240131);
    assert_true(c.lines[0].expired);
    assert_int_equal(c.totals.total, 119);
    assert_int_equal(cart_set_line_label(&c, 1, "x", "y", 0, 0), CART_EINVAL);
    assert_int_equal(cart_set_line_label(&c, -1, "x", "y", 0, 0), CART_EINVAL);
    assert_int_equal(cart_set_line_label(&c, 0, NULL, NULL, 0, 0), 0);
    assert_string_equal(c.lines[0].batch, "");
    assert_false(c.lines[0].expired);
    cart_free(&c);
}

static void test_zero_negative_fractional_qty_refused(void **state)
{
    struct cart c;
    cart_init(&c, &incl_total);
    struct product milk = make("milk", 119, UNIT_EACH, "std", 190000);
    struct product apples = make("apples", 299, UNIT_KG, "red", 70000);
    assert_int_equal(cart_add_item(&c, &milk, "", 0), CART_EINVAL);
    assert_int_equal(cart_add_item(&c, &milk, "", -QTY_ONE), CART_EINVAL);
    assert_int_equal(cart_add_item(&c, &milk, "", 1500), CART_EPIECES); /* 1.5 bottles */
    assert_int_equal(cart_add_item(&c, &milk, "", CART_MAX_QTY + QTY_ONE), CART_EQTYMAX);
    assert_int_equal(cart_add_item(&c, &apples, "", CART_MAX_QTY + 1), CART_EQTYMAX);
    assert_int_equal(cart_add_item(&c, &apples, "", 1500), 0);          /* 1.5 kg */
    assert_int_equal(c.lines[0].line_total, 449);                       /* 4.485 -> 4.49 */
    assert_int_equal(cart_set_qty(&c, 0, 0), CART_EINVAL);
    assert_int_equal(cart_set_qty(&c, 0, CART_MAX_QTY + 1), CART_EQTYMAX);
    assert_int_equal(cart_set_qty(&c, 5, QTY_ONE), CART_EINVAL);
    assert_int_equal(c.nlines, 1);
    assert_int_equal(c.lines[0].qty, 1500);
    /* each refusal says its own reason */
    assert_string_equal(cart_strerror(CART_EINVAL), "the quantity must be above zero");
    assert_non_null(strstr(cart_strerror(CART_EQTYMAX), "at most 100000 pieces or kg"));
    assert_non_null(strstr(cart_strerror(CART_EPIECES), "whole pieces"));
    milk.active = 0;
    assert_int_equal(cart_add_item(&c, &milk, "", QTY_ONE), CART_EINACTIVE);
    cart_free(&c);
}

static void test_overflow_leaves_cart_unchanged(void **state)
{
    struct cart c;
    cart_init(&c, &excl_total);
    struct product big = make("big", INT64_MAX / 4, UNIT_EACH, "std", 190000);
    assert_int_equal(cart_add_item(&c, &big, "", QTY_ONE), 0);
    int64_t before = c.totals.total;
    /* 3 more of them would overflow the total (with tax) */
    assert_int_equal(cart_add_item(&c, &big, "", 3 * QTY_ONE), CART_EOVERFLOW);
    assert_int_equal(c.nlines, 1);
    assert_int_equal(c.totals.total, before);
    assert_int_equal(cart_set_qty(&c, 0, 100 * QTY_ONE), CART_EOVERFLOW);
    assert_int_equal(c.lines[0].qty, QTY_ONE);
    cart_free(&c);
}

/* EU: prices include VAT; tax is the part of the gross: 1.19 at 19% holds 0.19. */
static void test_inclusive_totals(void **state)
{
    struct cart c;
    cart_init(&c, &incl_total);
    struct product a = make("a", 119, UNIT_EACH, "std", 190000);
    struct product b = make("b", 107, UNIT_EACH, "red", 70000);
    cart_add_item(&c, &a, "", QTY_ONE);
    cart_add_item(&c, &b, "", QTY_ONE);
    assert_int_equal(c.totals.total, 226);
    assert_int_equal(c.totals.tax, 26);
    assert_int_equal(c.totals.nclasses, 2);
    assert_int_equal(c.totals.classes[0].net, 100);
    assert_int_equal(c.totals.classes[0].tax, 19);
    assert_int_equal(c.totals.classes[1].tax, 7);
    cart_free(&c);
}

/* US: tax is added: $10.00 at 8.875% = 0.8875 -> 0.89. */
static void test_exclusive_totals(void **state)
{
    struct cart c;
    cart_init(&c, &excl_total);
    struct product a = make("a", 1000, UNIT_EACH, "ny", 88750);
    cart_add_item(&c, &a, "", QTY_ONE);
    assert_int_equal(c.totals.subtotal, 1000);
    assert_int_equal(c.totals.tax, 89);
    assert_int_equal(c.totals.total, 1089);
    cart_free(&c);
}

/* The documented difference between the two rounding rules. */
static void test_rounding_per_line_vs_per_total(void **state)
{
    struct product dime = make("dime", 10, UNIT_EACH, "std", 190000);
    struct cart c;
    /* inclusive: 3 x 0.10 at 19%: per line 0.016 -> 0.02 each = 0.06; per total 0.048 -> 0.05 */
    cart_init(&c, &incl_line);
    for (int i = 0; i < 3; i++)
        cart_add_item(&c, &dime, "", QTY_ONE);
    assert_int_equal(c.totals.tax, 6);
    assert_int_equal(c.totals.total, 30);
    cart_free(&c);
    cart_init(&c, &incl_total);
    for (int i = 0; i < 3; i++)
        cart_add_item(&c, &dime, "", QTY_ONE);
    assert_int_equal(c.totals.tax, 5);
    assert_int_equal(c.totals.total, 30);
    cart_free(&c);

    /* exclusive: 3 x 0.05 at 10%: per line 0.005 -> 0.01 each = 0.03; per total 0.015 -> 0.02 */
    struct product nickel = make("nickel", 5, UNIT_EACH, "t", 100000);
    cart_init(&c, &excl_line);
    for (int i = 0; i < 3; i++)
        cart_add_item(&c, &nickel, "", QTY_ONE);
    assert_int_equal(c.totals.tax, 3);
    assert_int_equal(c.totals.total, 18);
    cart_free(&c);
    cart_init(&c, &excl_total);
    for (int i = 0; i < 3; i++)
        cart_add_item(&c, &nickel, "", QTY_ONE);
    assert_int_equal(c.totals.tax, 2);
    assert_int_equal(c.totals.total, 17);
    cart_free(&c);
}

static void test_half_cent_tax(void **state)
{
    int64_t t;
    /* exclusive 0.50 at 1% = 0.005 -> 0.01 (half away from zero) */
    assert_int_equal(tax_of_amount(TAX_EXCLUSIVE, 50, 10000, &t), 0);
    assert_int_equal(t, 1);
    /* a refund line rounds the same way, mirrored */
    assert_int_equal(tax_of_amount(TAX_EXCLUSIVE, -50, 10000, &t), 0);
    assert_int_equal(t, -1);
    assert_int_equal(tax_of_amount(TAX_EXCLUSIVE, 49, 10000, &t), 0);
    assert_int_equal(t, 0);
}

static void test_priced_label_line(void **state)
{
    struct cart c;
    cart_init(&c, &incl_total);
    struct product beef = make("beef", 1299, UNIT_KG, "red", 70000);
    assert_int_equal(cart_add_priced_item(&c, &beef, "2110070012345", 0, 1234), 0);
    assert_int_equal(c.lines[0].line_total, 1234);
    assert_int_equal(cart_set_qty(&c, 0, 2000), CART_ELABEL); /* the label fixes the price */
    cart_free(&c);
}

/* A weight from a scale label is the scale's, not the cashier's: F2 cannot change it. */
static void test_label_weight_is_fixed(void **state)
{
    struct cart c;
    cart_init(&c, &incl_total);
    struct product beef = make("beef", 1299, UNIT_KG, "red", 70000);
    assert_int_equal(cart_add_label_item(&c, &beef, "2110070012345", 1250), 0);
    assert_int_equal(c.lines[0].line_total, 1624);                     /* 16.2375 -> 16.24 */
    assert_int_equal(cart_set_qty(&c, 0, 2000), CART_ELABEL);
    assert_int_equal(cart_check_qty(&c, 0, 2000), CART_ELABEL);
    assert_int_equal(c.lines[0].qty, 1250);
    assert_int_equal(cart_add_item(&c, &beef, "", 1250), 0);           /* weighed by hand */
    assert_int_equal(cart_check_qty(&c, 1, 2000), 0);
    assert_int_equal(cart_check_qty(&c, 1, 0), CART_EINVAL);
    assert_int_equal(cart_check_qty(&c, 1, CART_MAX_QTY + 1), CART_EQTYMAX);
    assert_int_equal(c.lines[1].qty, 1250);   /* checking changes nothing */
    assert_int_equal(cart_set_qty(&c, 1, 2000), 0);
    cart_free(&c);
}

/* "Items N" counts pieces: 3 bottles are 3 items, a weighed line 1, a void nothing. */
static void test_item_count_counts_pieces(void **state)
{
    struct cart c;
    cart_init(&c, &incl_total);
    assert_int_equal(cart_item_count(&c), 0);
    struct product water = make("water", 49, UNIT_EACH, "std", 190000);
    struct product apples = make("apples", 299, UNIT_KG, "red", 70000);
    struct product beef = make("beef", 1299, UNIT_KG, "red", 70000);
    assert_int_equal(cart_add_item(&c, &water, "", 3 * QTY_ONE), 0);
    assert_int_equal(cart_add_item(&c, &apples, "", 1250), 0);
    assert_int_equal(cart_add_priced_item(&c, &beef, "2110070012345", 0, 1234), 0);
    assert_int_equal(cart_add_item(&c, &water, "", QTY_ONE), 0);
    assert_int_equal(cart_item_count(&c), 3 + 1 + 1 + 1);
    assert_int_equal(cart_active_lines(&c), 4);
    assert_int_equal(cart_void_line(&c, 0), 0);
    assert_int_equal(cart_item_count(&c), 3);
    assert_int_equal(cart_set_qty(&c, 3, 5 * QTY_ONE), 0);
    assert_int_equal(cart_item_count(&c), 7);
    cart_free(&c);
}

static void test_receipt_and_json(void **state)
{
    struct cart c;
    cart_init(&c, &incl_total);
    struct product a = make("milk", 119, UNIT_EACH, "std", 190000);
    cart_add_item(&c, &a, "4010433218190", 2 * QTY_ONE);
    struct sale s;
    memset(&s, 0, sizeof s);
    strcpy(s.uuid, "u-1");
    strcpy(s.terminal_id, "T9");
    strcpy(s.store_name, "Shop");
    money_format_init(&s.fmt, "EUR", "eu");
    s.tax = incl_total;
    s.cart = &c;
    s.npayments = 1;
    s.payments[0] = (struct payment){ .tender = TENDER_CASH, .amount = 238, .tendered = 500, .change = 262 };
    s.change_given = 262;
    char *text = NULL, *json = NULL;
    assert_int_equal(receipt_render(&s, 42, "2026-11-25 10:00", &text), 0);
    assert_non_null(strstr(text, "TOTAL"));
    assert_non_null(strstr(text, "2,38 €"));
    assert_non_null(strstr(text, "Change"));
    assert_int_equal(order_to_json(&s, &json), 0);
    assert_non_null(strstr(json, "\"idempotency_key\":\"T9:u-1\""));
    assert_non_null(strstr(json, "\"total\":238"));
    assert_int_equal(sale_paid(&s), 238);
    free(text);
    free(json);
    cart_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_multiplier_void),
        cmocka_unit_test(test_zero_negative_fractional_qty_refused),
        cmocka_unit_test(test_overflow_leaves_cart_unchanged),
        cmocka_unit_test(test_inclusive_totals),
        cmocka_unit_test(test_exclusive_totals),
        cmocka_unit_test(test_rounding_per_line_vs_per_total),
        cmocka_unit_test(test_half_cent_tax),
        cmocka_unit_test(test_line_label),
        cmocka_unit_test(test_priced_label_line),
        cmocka_unit_test(test_label_weight_is_fixed),
        cmocka_unit_test(test_item_count_counts_pieces),
        cmocka_unit_test(test_receipt_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The pricing engine (core/pricing.c) and the cart priced by it: every promotion kind with
 * totals worked out by hand, the order they combine in, the cashier's discounts, customer
 * prices, tax on discounted lines, refunds of discounted lines, and properties over random
 * carts and promotion sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/cart.h"
#include "core/money.h"
#include "core/pricing.h"
#include "core/tender.h"

static struct pricing_line item(const char *sku, const char *group, int64_t price, int64_t pieces)
{
    return (struct pricing_line){ .sku = sku, .group = group, .unit_price = price,
                                  .qty = pieces * QTY_ONE, .gross = price * pieces, .pieces = 1 };
}

static struct promo promo(int64_t id, const char *name, enum promo_kind kind)
{
    struct promo p;
    memset(&p, 0, sizeof p);
    p.id = id;
    p.kind = kind;
    snprintf(p.name, sizeof p.name, "%s", name);
    return p;
}

static int64_t total_of(const struct pricing_line *l, int n)
{
    int64_t t = 0;
    for (int i = 0; i < n; i++)
        t += l[i].gross - l[i].discount;
    return t;
}

static struct pricing_context ctx0;

static void test_three_for_two(void **state)
{
    struct promo p = promo(1, "3 for 2", PROMO_MULTIBUY_FREE);
    snprintf(p.sku, sizeof p.sku, "A");
    p.n = 3;
    p.m = 2;
    struct pricing_line l[] = { item("A", "", 100, 4) };
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 1, NULL), 0);
    /* four at 1,00: one group of three, the fourth at full price */
    assert_int_equal(l[0].discount, 100);
    assert_int_equal(total_of(l, 1), 300);
    assert_string_equal(l[0].label, "3 for 2");
}

static void test_two_for_price(void **state)
{
    struct promo p = promo(2, "2 for 5,00", PROMO_MULTIBUY_PRICE);
    snprintf(p.sku, sizeof p.sku, "B");
    p.n = 2;
    p.price = 500;
    struct pricing_line l[] = { item("B", "", 300, 3) };
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 1, NULL), 0);
    assert_int_equal(l[0].discount, 100);      /* 6,00 -> 5,00, the third at 3,00 */
    assert_int_equal(total_of(l, 1), 800);
    /* a "multi-buy" dearer than the items alone is no offer: nothing changes */
    p.price = 700;
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 1, NULL), 0);
    assert_int_equal(l[0].discount, 0);
}

static void test_mix_and_match_shares_by_value(void **state)
{
    struct promo p = promo(3, "Any 3 for 2", PROMO_MULTIBUY_FREE);
    snprintf(p.group, sizeof p.group, "G");
    p.n = 3;
    p.m = 2;
    struct pricing_line l[] = { item("X", "G", 200, 1), item("Y", "G", 150, 1), item("Z", "G", 100, 1),
                                item("W", "", 999, 1) };
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 4, NULL), 0);
    /* the cheapest (1,00) is free, shared 200:150:100 -> 44,33,22 and the odd cent to the
     * largest remainder (X) */
    assert_int_equal(l[0].discount, 45);
    assert_int_equal(l[1].discount, 33);
    assert_int_equal(l[2].discount, 22);
    assert_int_equal(l[3].discount, 0);        /* not in the group */
    assert_int_equal(total_of(l, 4), 450 - 100 + 999);
}

static void test_mix_and_match_groups_dearest_first(void **state)
{
    struct promo p = promo(3, "Any 3 for 2", PROMO_MULTIBUY_FREE);
    snprintf(p.group, sizeof p.group, "G");
    p.n = 3;
    p.m = 2;
    /* 5,00 x3 and 1,00 x3: (5,5,5) and (1,1,1) save 5 + 1, the best grouping */
    struct pricing_line l[] = { item("S", "G", 100, 3), item("E", "G", 500, 3) };
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 2, NULL), 0);
    assert_int_equal(l[0].discount, 100);
    assert_int_equal(l[1].discount, 500);
}

static void test_bundle(void **state)
{
    struct promo p = promo(4, "Menu", PROMO_BUNDLE);
    snprintf(p.bundle[0], sizeof p.bundle[0], "A");
    snprintf(p.bundle[1], sizeof p.bundle[1], "B");
    p.nbundle = 2;
    p.price = 350;
    struct pricing_line l[] = { item("A", "", 100, 2), item("B", "", 300, 1) };
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 2, NULL), 0);
    /* one bundle: 4,00 -> 3,50; 0,50 shared 100:300 = 12,5 : 37,5 -> 12 + 37, the odd cent
     * to the tie's earlier line */
    assert_int_equal(l[0].discount, 13);
    assert_int_equal(l[1].discount, 37);
    assert_int_equal(total_of(l, 2), 200 + 300 - 50);
    /* a bundle never saves more than its cheapest unit */
    p.price = 0;
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 2, NULL), 0);
    assert_int_equal(l[0].discount + l[1].discount, 100);
}

static void test_percent_rounds_half_away(void **state)
{
    struct promo p = promo(5, "10% fruit", PROMO_PERCENT);
    snprintf(p.group, sizeof p.group, "fruit");
    p.percent_bp = 1000;
    struct pricing_line l[] = { item("APL", "fruit", 199, 1), item("PEAR", "fruit", 105, 1),
                                { .sku = "BAN", .group = "fruit", .unit_price = 249, .qty = 750,
                                  .gross = 187, .pieces = 0 } };
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 3, NULL), 0);
    assert_int_equal(l[0].discount, 20);   /* 19,9 cents */
    assert_int_equal(l[1].discount, 11);   /* 10,5 cents: half away from zero */
    assert_int_equal(l[2].discount, 19);   /* weighed: 10 % of 1,87 = 18,7 */
}

static void test_spend_threshold_is_monotone(void **state)
{
    struct promo p = promo(6, "5 off 50", PROMO_SPEND);
    p.threshold = 5000;
    p.amount_off = 500;
    struct pricing_line l[] = { item("A", "", 4400, 1) };
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 1, NULL), 0);
    assert_int_equal(l[0].discount, 0);               /* below 45,00: nothing */
    l[0] = item("A", "", 4800, 1);
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 1, NULL), 0);
    assert_int_equal(total_of(l, 1), 4500);           /* held at 45,00 */
    l[0] = item("A", "", 5000, 1);
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, l, 1, NULL), 0);
    assert_int_equal(total_of(l, 1), 4500);           /* the full 5,00 at 50,00 */
    struct pricing_line two[] = { item("A", "", 4000, 1), item("B", "", 2000, 1) };
    assert_int_equal(pricing_apply(&p, 1, NULL, 0, &ctx0, two, 2, NULL), 0);
    /* 5,00 shared 40:20 */
    assert_int_equal(two[0].discount, 333);
    assert_int_equal(two[1].discount, 167);
}

static void test_windows_coupons_and_segments(void **state)
{
    struct promo p = promo(7, "Happy hour", PROMO_PERCENT);
    p.percent_bp = 2000;
    p.day_from = 17 * 60;
    p.day_to = 19 * 60;
    p.valid_from = 1000;
    p.valid_to = 2000;
    struct pricing_context c = { .now = 1500, .minute_of_day = 16 * 60 + 40 };
    assert_false(promo_active(&p, &c));
    c.minute_of_day = 17 * 60 + 10;
    assert_true(promo_active(&p, &c));
    c.now = 2000;                                   /* valid_to is exclusive */
    assert_false(promo_active(&p, &c));
    c.now = 1500;
    p.day_from = 22 * 60;                           /* over midnight */
    p.day_to = 2 * 60;
    c.minute_of_day = 60;
    assert_true(promo_active(&p, &c));
    c.minute_of_day = 12 * 60;
    assert_false(promo_active(&p, &c));

    struct promo cp = promo(8, "Coupon", PROMO_PERCENT);
    cp.percent_bp = 1000;
    snprintf(cp.coupon, sizeof cp.coupon, "SAVE10");
    struct pricing_context cc = { 0 };
    assert_false(promo_active(&cp, &cc));
    snprintf(cc.coupons[0], sizeof cc.coupons[0], "SAVE10");
    cc.ncoupons = 1;
    assert_true(promo_active(&cp, &cc));

    struct segment_price sp = { "staff", "A", 80 };
    struct pricing_line l[] = { item("A", "", 100, 2) };
    struct pricing_context none = { 0 }, staff = { .segment = "staff" };
    assert_int_equal(pricing_apply(NULL, 0, &sp, 1, &none, l, 1, NULL), 0);
    assert_int_equal(l[0].discount, 0);
    assert_int_equal(pricing_apply(NULL, 0, &sp, 1, &staff, l, 1, NULL), 0);
    assert_int_equal(l[0].discount, 40);
    assert_string_equal(l[0].label, "Customer price");
}

/* The documented order: the best exclusive, combinable on top, the cashier's line discount,
 * then the sale discount. */
static void test_combination_order(void **state)
{
    struct promo ps[3];
    ps[0] = promo(1, "3 for 2", PROMO_MULTIBUY_FREE);
    snprintf(ps[0].sku, sizeof ps[0].sku, "A");
    ps[0].n = 3;
    ps[0].m = 2;
    ps[1] = promo(2, "Half price", PROMO_PERCENT);
    snprintf(ps[1].sku, sizeof ps[1].sku, "A");
    ps[1].percent_bp = 5000;
    ps[2] = promo(3, "Member 10%", PROMO_PERCENT);
    ps[2].percent_bp = 1000;
    ps[2].combinable = 1;
    struct pricing_line l[] = { item("A", "", 100, 3) };
    l[0].manual = (struct discount_spec){ DISCOUNT_PERCENT, 1000, "damaged" };
    struct pricing_context c = { .sale_discount = { DISCOUNT_AMOUNT, 21, "gift" } };
    struct pricing_result r;
    assert_int_equal(pricing_apply(ps, 3, NULL, 0, &c, l, 1, &r), 0);
    /* half price (saves 1,50) beats 3 for 2 (1,00): 1,50; member 10 %: 1,35; damaged
     * 10 % of 1,35 = 13,5 -> 14 cents: 1,21; sale discount 0,21: 1,00 */
    assert_int_equal(total_of(l, 1), 100);
    assert_int_equal(r.discount, 200);
    assert_int_equal(r.napplied, 4);
    assert_string_equal(r.applied[0].name, "Half price");
    assert_int_equal(r.applied[0].amount, 150);
    assert_string_equal(r.applied[1].name, "Member 10%");
    assert_int_equal(r.applied[1].amount, 15);
    assert_string_equal(r.applied[2].name, "Discount damaged");
    assert_int_equal(r.applied[2].amount, 14);
    assert_int_equal(r.applied[3].amount, 21);
    assert_string_equal(l[0].label, "Half price, Member 10%, Discount damaged, Sale discount gift");
}

static void test_one_exclusive_promotion_per_item(void **state)
{
    struct promo ps[2];
    ps[0] = promo(1, "3 for 2", PROMO_MULTIBUY_FREE);
    snprintf(ps[0].sku, sizeof ps[0].sku, "A");
    ps[0].n = 3;
    ps[0].m = 2;
    ps[1] = promo(2, "20% A", PROMO_PERCENT);
    snprintf(ps[1].sku, sizeof ps[1].sku, "A");
    ps[1].percent_bp = 2000;
    /* 3 for 2 (a third off) beats 20 %: A belongs to it, and the fourth unit, not in a
     * group, pays full price (it does not get the 20 % either) */
    struct pricing_line l[] = { item("A", "", 100, 4), item("B", "", 100, 1) };
    assert_int_equal(pricing_apply(ps, 2, NULL, 0, &ctx0, l, 2, NULL), 0);
    assert_int_equal(l[0].discount, 100);
    assert_int_equal(l[1].discount, 0);
    ps[1].percent_bp = 4000;        /* now 40 % is the better offer for A */
    assert_int_equal(pricing_apply(ps, 2, NULL, 0, &ctx0, l, 2, NULL), 0);
    assert_int_equal(l[0].discount, 160);
}

static void test_manual_discount_limits(void **state)
{
    int64_t d;
    struct discount_spec pct = { DISCOUNT_PERCENT, 10001, "" }, amt = { DISCOUNT_AMOUNT, 500, "" };
    assert_int_not_equal(discount_of(&pct, 100, &d), 0);
    assert_int_equal(discount_of(&amt, 300, &d), 0);
    assert_int_equal(d, 300);                         /* never more than the line */
    struct promo bad = promo(1, "4 for 2", PROMO_MULTIBUY_FREE);
    bad.n = 4;
    bad.m = 2;
    char why[128];
    assert_int_not_equal(promo_check(&bad, why, sizeof why), 0);
    bad.m = 3;
    assert_int_equal(promo_check(&bad, why, sizeof why), 0);
}

static void test_refund_share_sums_to_paid(void **state)
{
    int64_t a, b, c;
    /* three sold for 10,00 after discounts: 3,33 + 3,34 + 3,33 */
    assert_int_equal(pricing_refund_share(1000, 3000, 0, 1000, &a), 0);
    assert_int_equal(pricing_refund_share(1000, 3000, 1000, 1000, &b), 0);
    assert_int_equal(pricing_refund_share(1000, 3000, 2000, 1000, &c), 0);
    assert_int_equal(a, 333);
    assert_int_equal(b, 334);
    assert_int_equal(c, 333);
    assert_int_equal(a + b + c, 1000);
    assert_int_not_equal(pricing_refund_share(1000, 3000, 2000, 2000, &a), 0);  /* more than left */
}

static struct product prod(const char *sku, const char *group, int64_t price)
{
    struct product p;
    memset(&p, 0, sizeof p);
    snprintf(p.sku, sizeof p.sku, "%s", sku);
    snprintf(p.name, sizeof p.name, "%s", sku);
    snprintf(p.group, sizeof p.group, "%s", group);
    snprintf(p.tax_class, sizeof p.tax_class, "std");
    p.tax_rate_ppm = 190000;
    p.price = price;
    p.active = 1;
    return p;
}

/* Tax is on what the line costs after its discount. */
static void test_cart_tax_on_discounted_lines(void **state)
{
    struct tax_config tc = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart c;
    cart_init(&c, &tc);
    struct product p = prod("A", "", 1000);
    assert_int_equal(cart_add_item(&c, &p, "", QTY_ONE), 0);
    struct discount_spec d = { DISCOUNT_PERCENT, 1000, "damaged" };
    assert_int_equal(cart_set_line_discount(&c, 0, &d), 0);
    assert_int_equal(c.lines[0].line_total, 900);
    assert_int_equal(c.totals.total, 900);
    assert_int_equal(c.totals.tax, 144);                /* 9,00 x 19/119 = 1,437 */
    assert_string_equal(c.lines[0].discount_label, "Discount damaged");
    /* exclusive tax: 19 % of the discounted 9,00 */
    struct tax_config ex = { TAX_EXCLUSIVE, TAX_ROUND_PER_LINE };
    struct cart e;
    cart_init(&e, &ex);
    assert_int_equal(cart_add_item(&e, &p, "", QTY_ONE), 0);
    assert_int_equal(cart_set_sale_discount(&e, &d), 0);
    assert_int_equal(e.totals.tax, 171);
    assert_int_equal(e.totals.total, 1071);
    cart_free(&c);
    cart_free(&e);
}

/* A return is a negative line at what was paid; an exchange nets out; promotions and
 * discounts leave returned lines alone. */
static void test_cart_returns_and_exchange(void **state)
{
    struct tax_config tc = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart c;
    cart_init(&c, &tc);
    struct product a = prod("A", "", 300), b = prod("B", "", 500);
    assert_int_equal(cart_add_return(&c, &a, "", QTY_ONE, 300, 250, "T1:x", 1, 1, "faulty"), 0);
    assert_int_equal(c.lines[0].qty, -QTY_ONE);
    assert_int_equal(c.lines[0].gross, -300);
    assert_int_equal(c.lines[0].discount, -50);
    assert_int_equal(c.lines[0].line_total, -250);
    assert_int_equal(c.totals.total, -250);
    assert_int_equal(c.totals.tax, -40);                /* 2,50 x 19/119 = 0,399 */
    assert_int_equal(cart_set_qty(&c, 0, 2 * QTY_ONE), CART_ERETURN);
    struct discount_spec d = { DISCOUNT_PERCENT, 5000, "x" };
    assert_int_equal(cart_set_line_discount(&c, 0, &d), CART_ERETURN);
    assert_int_equal(cart_set_sale_discount(&c, &d), 0);
    assert_int_equal(c.lines[0].line_total, -250);      /* a sale discount does not touch it */
    d.kind = DISCOUNT_NONE;
    assert_int_equal(cart_set_sale_discount(&c, &d), 0);
    assert_int_equal(cart_add_item(&c, &b, "", QTY_ONE), 0);
    assert_int_equal(c.totals.total, 250);              /* exchange: 2,50 still to pay */
    assert_true(cart_has_returns(&c));

    struct tender_state t;
    tender_init(&t, -250, 5);
    assert_int_equal(tender_add_cash(&t, 100, NULL), TENDER_EREFUND);
    assert_int_equal(tender_refund_due(&t), 250);
    struct payment cash = { .tender = TENDER_CASH };
    int64_t out;
    assert_int_equal(tender_add_refund(&t, &cash, 300, &out), TENDER_EOVER);
    struct payment card = { .tender = TENDER_CARD };
    assert_int_equal(tender_add_refund(&t, &card, 100, &out), 0);
    assert_int_equal(t.payments[0].amount, -100);
    assert_false(tender_is_settled(&t));
    assert_int_equal(tender_add_refund(&t, &cash, 150, &out), 0);
    assert_int_equal(out, 150);
    assert_true(tender_is_settled(&t));
    assert_int_equal(tender_paid(&t), -250);
    cart_free(&c);
}

/* --- properties over random carts and promotion sets --- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

static const char *const skus[] = { "A", "B", "C", "D", "E" };
static const char *const groups[] = { "G", "H", "" };

static struct promo random_promo(int64_t id)
{
    struct promo p = promo(id, "", (enum promo_kind)rnd(5));
    snprintf(p.name, sizeof p.name, "P%lld", (long long)id);
    if (rnd(2))
        snprintf(p.sku, sizeof p.sku, "%s", skus[rnd(5)]);
    else
        snprintf(p.group, sizeof p.group, "%s", groups[rnd(2)]);
    p.n = 2 + (int64_t)rnd(3);
    p.m = p.n - 1;
    p.price = (int64_t)rnd(2000);
    p.percent_bp = 1 + (int64_t)rnd(10000);
    p.combinable = (int)rnd(2);
    p.amount_off = 1 + (int64_t)rnd(1000);
    p.threshold = p.amount_off + (int64_t)rnd(3000);
    p.nbundle = 2;
    snprintf(p.bundle[0], sizeof p.bundle[0], "%s", skus[rnd(2)]);
    snprintf(p.bundle[1], sizeof p.bundle[1], "%s", skus[2 + rnd(3)]);
    return p;
}

static struct pricing_line random_line(void)
{
    int s = (int)rnd(5);
    /* a sku always has the same price and group, as in a catalog */
    static const int64_t price[] = { 100, 250, 999, 35, 1200 };
    struct pricing_line l = item(skus[s], groups[s % 3], price[s], 1 + (int64_t)rnd(4));
    if (rnd(6) == 0) {
        l.pieces = 0;
        l.qty = 1 + (int64_t)rnd(3000);
        l.gross = (price[s] * l.qty + 500) / 1000;
    }
    return l;
}

static void test_properties_random(void **state)
{
    for (int iter = 0; iter < 20000; iter++) {
        struct promo ps[6];
        int np = (int)rnd(7);
        char why[128];
        for (int i = 0; i < np; i++) {
            ps[i] = random_promo(i + 1);
            if (promo_check(&ps[i], why, sizeof why))
                ps[i].kind = PROMO_PERCENT, ps[i].percent_bp = 500;
        }
        struct pricing_line l[10];
        int n = 1 + (int)rnd(8);
        for (int i = 0; i < n; i++)
            l[i] = random_line();
        int64_t gross = 0;
        for (int i = 0; i < n; i++)
            gross += l[i].gross;
        assert_int_equal(pricing_apply(ps, np, NULL, 0, &ctx0, l, n, NULL), 0);
        int64_t before = total_of(l, n);
        for (int i = 0; i < n; i++) {
            assert_true(l[i].discount >= 0);
            assert_true(l[i].discount <= l[i].gross);
        }
        assert_true(before >= 0);
        assert_true(before <= gross);
        /* one more item never lowers what the customer pays */
        l[n] = random_line();
        assert_int_equal(pricing_apply(ps, np, NULL, 0, &ctx0, l, n + 1, NULL), 0);
        int64_t after = total_of(l, n + 1);
        if (after < before) {
            fprintf(stderr, "iteration %d: %lld -> %lld\n", iter, (long long)before, (long long)after);
            for (int i = 0; i < np; i++)
                fprintf(stderr, " promo %lld kind %d sku %s group %s n %lld price %lld bp %lld comb %d thr %lld off %lld bundle %s %s\n",
                        (long long)ps[i].id, ps[i].kind, ps[i].sku, ps[i].group, (long long)ps[i].n,
                        (long long)ps[i].price, (long long)ps[i].percent_bp, ps[i].combinable,
                        (long long)ps[i].threshold, (long long)ps[i].amount_off, ps[i].bundle[0], ps[i].bundle[1]);
            for (int i = 0; i <= n; i++)
                fprintf(stderr, " line %s %s unit %lld qty %lld gross %lld pieces %d disc %lld %s\n", l[i].sku,
                        l[i].group, (long long)l[i].unit_price, (long long)l[i].qty, (long long)l[i].gross,
                        l[i].pieces, (long long)l[i].discount, l[i].label);
            fail();
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_for_two),
        cmocka_unit_test(test_two_for_price),
        cmocka_unit_test(test_mix_and_match_shares_by_value),
        cmocka_unit_test(test_mix_and_match_groups_dearest_first),
        cmocka_unit_test(test_bundle),
        cmocka_unit_test(test_percent_rounds_half_away),
        cmocka_unit_test(test_spend_threshold_is_monotone),
        cmocka_unit_test(test_windows_coupons_and_segments),
        cmocka_unit_test(test_combination_order),
        cmocka_unit_test(test_one_exclusive_promotion_per_item),
        cmocka_unit_test(test_manual_discount_limits),
        cmocka_unit_test(test_refund_share_sums_to_paid),
        cmocka_unit_test(test_cart_tax_on_discounted_lines),
        cmocka_unit_test(test_cart_returns_and_exchange),
        cmocka_unit_test(test_properties_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

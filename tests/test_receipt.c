/* Receipt layout: the printed amounts add up, every tender has its own line, and numbers
 * follow the store's money style. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cart.h"
#include "core/money.h"
#include "core/receipt.h"
#include "core/sale.h"

static const struct tax_config incl = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };

static struct product make(const char *name, int64_t price, enum unit u, const char *tax, int64_t rate)
{
    struct product p;
    memset(&p, 0, sizeof p);
    snprintf(p.sku, sizeof p.sku, "%s", name);
    snprintf(p.name, sizeof p.name, "%s", name);
    p.price = price;
    p.unit = u;
    snprintf(p.tax_class, sizeof p.tax_class, "%s", tax);
    p.tax_rate_ppm = rate;
    p.active = 1;
    return p;
}

static void sale_for(struct sale *s, const struct cart *c, const char *style)
{
    memset(s, 0, sizeof *s);
    snprintf(s->store_name, sizeof s->store_name, "Shop");
    snprintf(s->terminal_id, sizeof s->terminal_id, "T1");
    money_format_init(&s->fmt, style[0] == 'u' ? "USD" : "EUR", style);
    s->tax = incl;
    s->cart = c;
}

/* Sums the amounts of the item section (between the first two rules): every item line
 * ends "AMOUNT TAXCODE". Returns the number of amounts found. */
static int sum_item_amounts(const char *text, const struct money_format *fmt, int64_t *sum)
{
    const char *start = strstr(text, "\n---");
    assert_non_null(start);
    start = strchr(start + 1, '\n') + 1;
    const char *end = strstr(start, "---");
    assert_non_null(end);
    int n = 0;
    *sum = 0;
    for (const char *l = start; l < end;) {
        const char *e = strchr(l, '\n');
        char line[200];
        snprintf(line, sizeof line, "%.*s", (int)(e - l), l);
        l = e + 1;
        char *code = strrchr(line, ' ');
        if (!code || (strcmp(code + 1, "std") && strcmp(code + 1, "red")))
            continue;
        *code = 0;
        char *amt = strrchr(line, ' ');
        int64_t v;
        assert_non_null(amt);
        if (money_parse(amt + 1, fmt, &v))
            fail_msg("not an amount: '%s'", amt + 1);
        *sum += v;
        n++;
    }
    return n;
}

/* A voided line prints its original amount and the void under it: the lines add up. */
static void test_void_shows_amount_and_its_reversal(void **state)
{
    struct cart c;
    cart_init(&c, &incl);
    struct product milk = make("Milk", 119, UNIT_EACH, "std", 190000);
    struct product bread = make("Bread", 349, UNIT_EACH, "red", 70000);
    assert_int_equal(cart_add_item(&c, &milk, "", QTY_ONE), 0);
    assert_int_equal(cart_add_item(&c, &bread, "", 2 * QTY_ONE), 0);
    assert_int_equal(cart_add_item(&c, &milk, "", 3 * QTY_ONE), 0);
    assert_int_equal(cart_void_line(&c, 2), 0);
    struct sale s;
    sale_for(&s, &c, "eu");
    char *text = NULL;
    assert_int_equal(receipt_render(&s, 42, "2026-11-25 10:00", &text), 0);
    int64_t sum;
    assert_int_equal(sum_item_amounts(text, &s.fmt, &sum), 4);
    assert_int_equal(sum, c.totals.total);
    assert_int_equal(sum, 119 + 698);
    assert_non_null(strstr(text, "  VOID Milk"));
    assert_non_null(strstr(text, "-3,57 std"));
    assert_non_null(strstr(text, " 3,57 std"));
    free(text);
    cart_free(&c);
}

/* Two cash payments are two lines, each with what was handed over. */
static void test_each_tender_has_its_line(void **state)
{
    struct cart c;
    cart_init(&c, &incl);
    struct product wine = make("Wine", 3975, UNIT_EACH, "std", 190000);
    assert_int_equal(cart_add_item(&c, &wine, "", QTY_ONE), 0);
    struct sale s;
    sale_for(&s, &c, "eu");
    s.npayments = 3;
    s.payments[0] = (struct payment){ .tender = TENDER_CASH, .amount = 1000, .tendered = 1000 };
    s.payments[1] = (struct payment){ .tender = TENDER_CASH, .amount = 2000, .tendered = 2000 };
    s.payments[2] = (struct payment){ .tender = TENDER_CASH, .amount = 975, .tendered = 1000, .change = 25 };
    s.change_given = 25;
    char *text = NULL;
    assert_int_equal(receipt_render(&s, 42, "2026-11-25 10:00", &text), 0);
    int cash_lines = 0;
    for (const char *p = text; (p = strstr(p, "\nCash ")); p++)
        cash_lines++;
    assert_int_equal(cash_lines, 3);
    const char *first = strstr(text, "\nCash ");
    assert_non_null(strstr(first, "10,00\n"));
    assert_non_null(strstr(first, "20,00\n"));
    assert_non_null(strstr(text, "Change"));
    free(text);
    cart_free(&c);
}

/* The eu style writes quantities and rates with a comma, the us style with a dot. */
static void test_numbers_follow_the_style(void **state)
{
    struct cart c;
    cart_init(&c, &incl);
    struct product apples = make("Apples", 299, UNIT_KG, "red", 70000);
    struct product cola = make("Cola", 149, UNIT_EACH, "std", 88750);
    assert_int_equal(cart_add_item(&c, &apples, "", 1250), 0);
    assert_int_equal(cart_add_item(&c, &cola, "", 2 * QTY_ONE), 0);
    struct sale s;
    sale_for(&s, &c, "eu");
    char *text = NULL;
    assert_int_equal(receipt_render(&s, 42, "2026-11-25 10:00", &text), 0);
    assert_non_null(strstr(text, "1,250 kg x 2,99"));
    assert_non_null(strstr(text, "2 x 1,49"));
    assert_non_null(strstr(text, "red 7% net"));
    assert_non_null(strstr(text, "std 8,875% net"));
    assert_null(strstr(text, "1.250"));
    free(text);
    sale_for(&s, &c, "us");
    assert_int_equal(receipt_render(&s, 42, "2026-11-25 10:00", &text), 0);
    assert_non_null(strstr(text, "1.250 kg x 2.99"));
    assert_non_null(strstr(text, "std 8.875% net"));
    free(text);
    cart_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_void_shows_amount_and_its_reversal),
        cmocka_unit_test(test_each_tender_has_its_line),
        cmocka_unit_test(test_numbers_follow_the_style),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

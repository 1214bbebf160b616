/* When Till asks before going on (app/app_confirm.c) and how it says why a number is
 * refused (app_number_problem): the limits from the settings, on a bare app with an open
 * sale and no terminals, store or screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app.h"
#include "src/config.h"
#include "src/settings.h"

struct fixture {
    struct config *cfg;
    struct app app;
};

static struct product product(const char *name, int64_t price, enum unit unit)
{
    struct product p;
    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.sku, sizeof p.sku, "SKU1");
    p.price = price;
    p.unit = unit;
    p.active = 1;
    p.tax_rate_ppm = 190000;
    snprintf(p.tax_class, sizeof p.tax_class, "std");
    return p;
}

/* A demo-store app (EUR, eu style, default limits) with extra settings. */
static struct fixture *open_app(const char *assignments[], size_t n)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    f->cfg = config_new();
    assert_int_equal(config_parse(f->cfg, config_demo_defaults, "demo", err, sizeof err), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(config_set_assignment(f->cfg, assignments[i], err, sizeof err), 0);
    assert_int_equal(settings_from_config(f->cfg, &f->app.s, err, sizeof err), 0);
    f->app.sale = calloc(1, sizeof *f->app.sale);   /* app_init's part, on the heap */
    sale_session_init(f->app.sale, &f->app.s.tax, 1);
    sale_session_begin(f->app.sale, 0);
    f->app.mode = MODE_SALE;
    return f;
}

static void close_app(struct fixture *f)
{
    sale_session_free(f->app.sale);
    free(f->app.sale);
    config_free(f->cfg);
    free(f);
}

static void test_line_limits(void **state)
{
    struct fixture *f = open_app(NULL, 0);
    struct app *app = &f->app;
    struct product whisky = product("Whisky", 3499, UNIT_EACH);
    struct product tv = product("TV", 150000, UNIT_EACH);
    struct product cheese = product("Cheese", 2990, UNIT_KG);

    /* 99999 bottles: more than 100 at once, asked with the amount */
    assert_int_equal(app_confirm_line(app, &whisky, "4072343098057", 99999 * QTY_ONE, -1, MODE_SALE), 1);
    assert_int_equal(app->mode, MODE_CONFIRM_LARGE);
    assert_int_equal(app->confirm.kind, CONFIRM_ADD_LINE);
    assert_string_equal(app->confirm.question, "Add 99999 x Whisky = 3.498.965,01 €?");
    assert_non_null(strstr(app->confirm.reason, "more than 100 at once"));
    app_confirm_no(app);
    assert_int_equal(app->mode, MODE_SALE);
    assert_int_equal(app->confirm.kind, CONFIRM_NONE);
    assert_int_equal(app->sale->cart.nlines, 0);

    /* exactly at the limit is not above it (119,00 € is below the line limit too) */
    struct product milk = product("Milk", 119, UNIT_EACH);
    assert_int_equal(app_confirm_line(app, &milk, "", 100 * QTY_ONE, -1, MODE_SALE), 0);
    /* 100 bottles of whisky: a line above 1.000,00 */
    assert_int_equal(app_confirm_line(app, &whisky, "", 100 * QTY_ONE, -1, MODE_SALE), 1);
    app_confirm_no(app);
    assert_int_equal(app->mode, MODE_SALE);
    /* one piece at its shelf price is no slip, however dear */
    assert_int_equal(app_confirm_line(app, &tv, "", QTY_ONE, -1, MODE_SALE), 0);
    /* two of them make a line above 1.000,00 */
    assert_int_equal(app_confirm_line(app, &tv, "", 2 * QTY_ONE, -1, MODE_SALE), 1);
    assert_non_null(strstr(app->confirm.reason, "above 1.000,00 €"));
    app_confirm_no(app);

    /* a weight: kilograms in the question, "no" goes back to the weight prompt */
    assert_int_equal(app_confirm_line(app, &cheese, "", 150500, -1, MODE_WEIGHT), 1);
    assert_string_equal(app->confirm.question, "Add 150,500 x Cheese = 4.499,95 €?");
    assert_non_null(strstr(app->confirm.reason, "more than 100 kg"));
    app_confirm_no(app);
    assert_int_equal(app->mode, MODE_WEIGHT);
    assert_string_equal(app->message, "Not added: type the weight again");

    /* a changed quantity says so, and "no" goes back to the quantity dialog */
    assert_int_equal(app_confirm_line(app, &whisky, "", 150 * QTY_ONE, 0, MODE_QTY), 1);
    assert_int_equal(app->confirm.kind, CONFIRM_SET_QTY);
    assert_string_equal(app->confirm.question, "Change to 150 x Whisky = 5.248,50 €?");
    app_confirm_no(app);
    assert_int_equal(app->mode, MODE_QTY);
    close_app(f);
}

static void test_line_limits_off(void **state)
{
    const char *off[] = { "sale.confirm_qty_above=0", "sale.confirm_line_total_above=0" };
    struct fixture *f = open_app(off, 2);
    struct product whisky = product("Whisky", 3499, UNIT_EACH);
    assert_int_equal(app_confirm_line(&f->app, &whisky, "", 99999 * QTY_ONE, -1, MODE_SALE), 0);
    assert_int_equal(f->app.mode, MODE_SALE);
    close_app(f);
}

static void test_cash_limits(void **state)
{
    struct fixture *f = open_app(NULL, 0);
    struct app *app = &f->app;
    app->sale->tender.total = 3975;
    app->mode = MODE_PAY;
    /* 1.234,50 on 39,75: above 10 times and above 100,00 */
    assert_int_equal(app_confirm_cash(app, 123450), 1);
    assert_int_equal(app->mode, MODE_CONFIRM_LARGE);
    assert_string_equal(app->confirm.question, "Cash 1.234,50 € for 39,75 € due: change 1.194,75 €?");
    app_confirm_no(app);
    assert_int_equal(app->mode, MODE_PAY);
    assert_string_equal(app->message, "Cash not taken: type the amount again");
    /* a 100 note is normal on any sale; 50 on 2,00 too */
    assert_int_equal(app_confirm_cash(app, 10000), 0);
    app->sale->tender.total = 200;
    assert_int_equal(app_confirm_cash(app, 5000), 0);
    /* 200 on 10,00: 20 times and above 100 */
    app->sale->tender.total = 1000;
    assert_int_equal(app_confirm_cash(app, 20000), 1);
    app_confirm_no(app);
    /* up to 10 times is never asked */
    assert_int_equal(app_confirm_cash(app, 10000), 0);
    close_app(f);

    const char *never[] = { "payment.cash_confirm_multiple=0" };
    f = open_app(never, 1);
    f->app.sale->tender.total = 3975;
    assert_int_equal(app_confirm_cash(&f->app, 123450), 0);
    close_app(f);
}

static void test_number_problems(void **state)
{
    char why[128];
    app_number_problem("2,5555", MONEY_EPARSE, 3, why, sizeof why);
    assert_string_equal(why, "'2,5555' has more than 3 decimals");
    app_number_problem("1,234", MONEY_EPARSE, 2, why, sizeof why);
    assert_string_equal(why, "'1,234' has more than 2 decimals");
    app_number_problem("abc", MONEY_EPARSE, 3, why, sizeof why);
    assert_string_equal(why, "'abc' is not a number");
    app_number_problem("  ", MONEY_EPARSE, 3, why, sizeof why);
    assert_string_equal(why, "nothing typed");
    app_number_problem("99999999999999999999", MONEY_EOVERFLOW, 3, why, sizeof why);
    assert_string_equal(why, "'99999999999999999999' is far too large");
    app_number_problem("1,2,3", MONEY_EPARSE, 2, why, sizeof why);
    assert_non_null(strstr(why, "is not a number as written"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_limits),
        cmocka_unit_test(test_line_limits_off),
        cmocka_unit_test(test_cash_limits),
        cmocka_unit_test(test_number_problems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

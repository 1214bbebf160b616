/* A parked sale and the open sale come back line for line exactly as they went in: every
 * field of a cart line (deposit link, a label's fixed quantity, age check, expiry, manual
 * discount, returned-line reference) and the sale's proven age, on a real SQLite file
 * (src/parked.c, src/open_cart.c, their shared row in src/cart_rows.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cart.h"
#include "core/tender.h"
#include "src/open_cart.h"
#include "src/parked.h"
#include "src/store.h"

struct fx {
    char dir[64];
    char path[128];
    struct store *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-parked-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/till.db", f->dir);
    char err[256];
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static struct cart_line line(const char *sku, int64_t qty, int64_t price)
{
    struct cart_line l;
    memset(&l, 0, sizeof l);
    l.product.id = 7;
    snprintf(l.product.sku, sizeof l.product.sku, "%s", sku);
    snprintf(l.product.name, sizeof l.product.name, "Item %s", sku);
    snprintf(l.product.tax_class, sizeof l.product.tax_class, "std");
    l.product.tax_rate_ppm = 190000;
    l.product.unit = UNIT_EACH;
    l.product.price = price;
    l.product.active = 1;
    snprintf(l.barcode, sizeof l.barcode, "4000000000013");
    l.qty = qty;
    l.unit_price = price;
    l.gross = qty / 1000 * price;
    l.restock = 1;
    return l;
}

/* Four lines that between them set every stored field to something other than its default. */
static void fill(struct cart *cart)
{
    struct cart_line beer = line("BEER", 2000, 129);
    beer.product.age_restricted = 18;
    snprintf(beer.product.group, sizeof beer.product.group, "drinks");
    snprintf(beer.product.deposit_sku, sizeof beer.product.deposit_sku, "DEP025");
    snprintf(beer.age_check, sizeof beer.age_check, "ID card shown");
    beer.manual = (struct discount_spec){ DISCOUNT_PERCENT, 1000, "damaged" };
    assert_int_equal(cart_restore_line(cart, &beer), 0);

    struct cart_line deposit = line("DEP025", 2000, 25);
    assert_int_equal(cart_restore_line(cart, &deposit), 0);

    struct cart_line cheese = line("CHEESE", 437, 1990);
    cheese.product.unit = UNIT_KG;
    cheese.gross = 870;
    cheese.price_from_barcode = 1;
    cheese.qty_from_label = 1;
    cheese.expiry = 20261205;
    cheese.expired = 1;
    snprintf(cheese.barcode, sizeof cheese.barcode, "0109501101530003310200043717261205");
    assert_int_equal(cart_restore_line(cart, &cheese), 0);

    struct cart_line back = line("MILK", -1000, 119);
    back.gross = -119;
    back.discount = -12;
    snprintf(back.return_of, sizeof back.return_of, "T1:0b6c2d1e-order");
    back.return_line = 3;
    back.restock = 0;
    snprintf(back.reason, sizeof back.reason, "damaged");
    back.voided = 0;
    assert_int_equal(cart_restore_line(cart, &back), 0);

    struct cart_line gone = line("RICE", 1000, 249);
    gone.voided = 1;
    assert_int_equal(cart_restore_line(cart, &gone), 0);
}

static void assert_lines_equal(const struct cart *a, const struct cart *b)
{
    assert_int_equal(a->nlines, b->nlines);
    for (int i = 0; i < a->nlines; i++) {
        const struct cart_line *x = &a->lines[i], *y = &b->lines[i];
        assert_int_equal(x->product.id, y->product.id);
        assert_string_equal(x->product.sku, y->product.sku);
        assert_string_equal(x->product.name, y->product.name);
        assert_int_equal(x->product.unit, y->product.unit);
        assert_string_equal(x->product.tax_class, y->product.tax_class);
        assert_int_equal(x->product.tax_rate_ppm, y->product.tax_rate_ppm);
        assert_int_equal(x->product.age_restricted, y->product.age_restricted);
        assert_string_equal(x->product.group, y->product.group);
        assert_string_equal(x->product.deposit_sku, y->product.deposit_sku);
        assert_string_equal(x->barcode, y->barcode);
        assert_int_equal(x->qty, y->qty);
        assert_int_equal(x->unit_price, y->unit_price);
        assert_int_equal(x->gross, y->gross);
        assert_int_equal(x->line_total, y->line_total);
        assert_int_equal(x->price_from_barcode, y->price_from_barcode);
        assert_int_equal(x->qty_from_label, y->qty_from_label);
        assert_int_equal(x->voided, y->voided);
        assert_int_equal(x->manual.kind, y->manual.kind);
        assert_int_equal(x->manual.value, y->manual.value);
        assert_string_equal(x->manual.reason, y->manual.reason);
        assert_string_equal(x->return_of, y->return_of);
        assert_int_equal(x->return_line, y->return_line);
        assert_int_equal(x->restock, y->restock);
        assert_string_equal(x->reason, y->reason);
        assert_string_equal(x->age_check, y->age_check);
        assert_int_equal(x->expiry, y->expiry);
        assert_int_equal(x->expired, y->expired);
    }
    assert_int_equal(a->totals.total, b->totals.total);
}

static void test_parked_round_trip(void **state)
{
    struct fx *f = *state;
    struct tax_config tax = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart cart, back;
    cart_init(&cart, &tax);
    cart_init(&back, &tax);
    fill(&cart);
    struct parked_extra x = { "uuid-parked", 1700000000, 18, "ID card shown" }, bx;
    int64_t id;
    assert_int_equal(parked_save(f->st, &cart, &x, "Mrs Jones", 1700000100, &id), STORE_OK);
    struct parked_info list[4];
    assert_int_equal(parked_list(f->st, list, 4), 1);
    assert_string_equal(list[0].label, "Mrs Jones");
    assert_int_equal(list[0].total, cart.totals.total);
    assert_int_equal(parked_take(f->st, id, &back, &bx), STORE_OK);
    assert_string_equal(bx.uuid, "uuid-parked");
    assert_int_equal(bx.started_at, 1700000000);
    assert_int_equal(bx.age_proven, 18);
    assert_string_equal(bx.age_proven_how, "ID card shown");
    assert_lines_equal(&cart, &back);
    /* taken: it is no longer parked */
    assert_int_equal(parked_list(f->st, list, 4), 0);
    struct cart none;
    cart_init(&none, &tax);
    assert_int_equal(parked_take(f->st, id, &none, &bx), STORE_NOTFOUND);
    cart_free(&none);
    cart_free(&cart);
    cart_free(&back);
}

/* The open sale keeps the same fields: a crash and a park lose nothing either way. */
static void test_open_sale_round_trip(void **state)
{
    struct fx *f = *state;
    struct tax_config tax = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart cart, back;
    cart_init(&cart, &tax);
    cart_init(&back, &tax);
    fill(&cart);
    struct tender_state t, bt;
    tender_init(&t, 0, 1);
    tender_init(&bt, 0, 1);
    static struct open_cart_state saved, loaded;
    struct open_cart_extra x = { "uuid-open", 1700000000, 18, "ID card shown" }, bx;
    assert_int_equal(open_cart_sync(f->st, &saved, &cart, &t, &x), 0);
    assert_int_equal(open_cart_load(f->st, &loaded, &back, &bt, &bx), STORE_OK);
    assert_lines_equal(&cart, &back);
    cart_free(&cart);
    cart_free(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parked_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_sale_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

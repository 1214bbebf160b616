/* Promotions, customers and the open sale on a real SQLite file: the feeds' pages checked
 * and applied (offline/feeds.c), what a scan finds (src/promotions.c), the promo_set a sale
 * gathers, customers by card and name (src/customers.c), the catalog's group, deposit and
 * minimum age, and the open sale written change by change and read back (src/open_cart.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/cart.h"
#include "offline/feeds.h"
#include "src/catalog.h"
#include "src/customers.h"
#include "src/open_cart.h"
#include "src/promotions.h"
#include "src/store.h"

extern const char *const demo_catalog_csv[];

struct fx {
    char dir[64];
    char path[128];
    struct store *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/till-promo-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/till.db", f->dir);
    char err[256];
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    struct tax_class std = { "std", "Standard", 190000 }, red = { "red", "Reduced", 70000 },
                     zero = { "zero", "Zero", 0 };
    catalog_upsert_tax_class(f->st, &std);
    catalog_upsert_tax_class(f->st, &red);
    catalog_upsert_tax_class(f->st, &zero);
    assert_int_equal(catalog_import_csv(f->st, demo_catalog_csv[0], err, sizeof err), 0);
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

static int64_t query(struct fx *f, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* Checks and applies one page's "changes" in a transaction, as the sync does. */
static int apply_promotions(struct fx *f, const char *json, char *note, size_t len)
{
    cJSON *j = cJSON_Parse(json);
    assert_non_null(j);
    char why[200] = "";
    int n = -1;
    if (feeds_check_promotions(j, why, sizeof why) == 0) {
        assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), 0);
        n = feeds_apply_promotions(f->st, j, note, len);
        assert_int_equal(store_commit(f->st), 0);
    }
    cJSON_Delete(j);
    return n;
}

static void test_catalog_group_deposit_age(void **state)
{
    struct fx *f = *state;
    struct product p;
    assert_int_equal(catalog_find_by_barcode(f->st, "4006513338728", &p), STORE_OK);
    assert_string_equal(p.name, "Lager Beer 0.5L");
    assert_int_equal(p.age_restricted, 16);
    assert_string_equal(p.deposit_sku, "SKU10293");
    assert_int_equal(catalog_find_by_sku(f->st, "SKU10043", &p), STORE_OK);
    assert_string_equal(p.group, "icecream");
    assert_string_equal(p.deposit_sku, "");
    /* seven fields still import; an age that is not one is refused with the field named */
    char err[256];
    assert_int_equal(catalog_import_csv(f->st, "SKU1,,Old Row,100,each,std,1\n", err, sizeof err), 0);
    assert_int_equal(catalog_find_by_sku(f->st, "SKU1", &p), STORE_OK);
    assert_int_equal(p.age_restricted, 1);
    assert_string_equal(p.group, "");
    assert_int_not_equal(catalog_import_csv(f->st, "SKU2,,Bad,100,each,std,abc,,\n", err, sizeof err), 0);
    assert_non_null(strstr(err, "field age_restricted"));
    assert_int_not_equal(catalog_import_csv(f->st, "SKU3,,Self,100,each,std,0,,SKU3\n", err, sizeof err), 0);
    assert_non_null(strstr(err, "its own deposit"));
}

static void test_feed_promotions(void **state)
{
    struct fx *f = *state;
    char note[300];
    const char *page =
        "[{\"seq\":1,\"id\":1,\"kind\":\"multibuy_free\",\"name\":\"Milk 3 for 2\",\"sku\":\"SKU10001\",\"n\":3,\"m\":2},"
        " {\"seq\":2,\"id\":2,\"kind\":\"percent\",\"name\":\"Ice cream 10%\",\"group\":\"icecream\",\"percent_bp\":1000},"
        " {\"seq\":3,\"id\":3,\"kind\":\"spend\",\"name\":\"Spend 20 save 2\",\"threshold\":2000,\"amount_off\":200},"
        " {\"seq\":4,\"id\":4,\"kind\":\"bundle\",\"name\":\"Breakfast\",\"bundle\":[\"SKU10001\",\"SKU10007\"],\"price\":399},"
        " {\"seq\":5,\"id\":5,\"kind\":\"segment_price\",\"segment\":\"gold\",\"sku\":\"SKU10001\",\"price\":99},"
        " {\"seq\":6,\"id\":6,\"kind\":\"percent\",\"name\":\"Coupon 50%\",\"sku\":\"SKU10002\",\"percent_bp\":5000,\"coupon\":\"CPN50\"},"
        " {\"seq\":7,\"id\":7,\"kind\":\"multibuy_free\",\"name\":\"4 for 2\",\"sku\":\"SKU10002\",\"n\":4,\"m\":2}]";
    assert_int_equal(apply_promotions(f, page, note, sizeof note), 7);
    /* the one the engine refuses is not stored, and the note says why */
    assert_non_null(strstr(note, "promotion 7 refused"));
    assert_int_equal(query(f, "select count(*) from promotions"), 6);

    struct promo got[16];
    struct segment_price prices[8];
    int n = 0, np = 0;
    assert_int_equal(promotions_for_item(f->st, "SKU10001", "", got, 16, &n, prices, 8, &np), STORE_OK);
    assert_int_equal(n, 2);               /* the multi-buy and the bundle */
    assert_int_equal(got[0].id, 1);
    assert_int_equal(got[1].kind, PROMO_BUNDLE);
    assert_int_equal(got[1].nbundle, 2);
    assert_string_equal(got[1].bundle[1], "SKU10007");
    assert_int_equal(np, 1);
    assert_string_equal(prices[0].segment, "gold");
    assert_int_equal(prices[0].price, 99);
    assert_int_equal(promotions_for_item(f->st, "SKU10043", "icecream", got, 16, &n, prices, 8, &np), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].percent_bp, 1000);
    assert_int_equal(promotions_for_all(f->st, got, 16, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].kind, PROMO_SPEND);
    assert_int_equal(promotions_for_coupon(f->st, "CPN50", got, 16, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(promotions_for_coupon(f->st, "NOPE", got, 16, &n), STORE_OK);
    assert_int_equal(n, 0);

    /* a tombstone and a change: the bundle goes, the multi-buy becomes "2 for 2,00" */
    const char *next =
        "[{\"seq\":8,\"id\":4,\"deleted\":true},"
        " {\"seq\":9,\"id\":1,\"kind\":\"multibuy_price\",\"name\":\"Milk 2 for 2\",\"sku\":\"SKU10001\",\"n\":2,\"price\":200}]";
    assert_int_equal(apply_promotions(f, next, note, sizeof note), 2);
    assert_string_equal(note, "");
    assert_int_equal(promotions_for_item(f->st, "SKU10001", "", got, 16, &n, prices, 8, &np), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].kind, PROMO_MULTIBUY_PRICE);
    assert_int_equal(query(f, "select count(*) from promotion_targets where promo_id = 4"), 0);
}

static void test_feed_malformed(void **state)
{
    struct fx *f = *state;
    char note[100];
    static const char *const bad[] = {
        "[{\"id\":1,\"kind\":\"percent\",\"name\":\"x\",\"percent_bp\":10}]",          /* no seq */
        "[{\"seq\":1,\"kind\":\"percent\",\"name\":\"x\",\"percent_bp\":10}]",          /* no id */
        "[{\"seq\":1,\"id\":1,\"kind\":\"cheap\",\"name\":\"x\"}]",                     /* kind */
        "[{\"seq\":1,\"id\":1,\"kind\":\"percent\",\"name\":7,\"percent_bp\":10}]",     /* name */
        "[{\"seq\":1,\"id\":1,\"kind\":\"percent\",\"name\":\"x\",\"percent_bp\":1.5}]",
        "[{\"seq\":1,\"id\":1,\"kind\":\"bundle\",\"name\":\"x\",\"bundle\":\"SKU1\"}]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(apply_promotions(f, bad[i], note, sizeof note), -1);
    assert_int_equal(query(f, "select count(*) from promotions"), 0);
}

static void test_promo_set(void **state)
{
    struct fx *f = *state;
    char note[100];
    assert_int_equal(apply_promotions(f,
        "[{\"seq\":1,\"id\":1,\"kind\":\"multibuy_free\",\"name\":\"Milk 3 for 2\",\"sku\":\"SKU10001\",\"n\":3,\"m\":2},"
        " {\"seq\":2,\"id\":2,\"kind\":\"spend\",\"name\":\"Spend\",\"threshold\":2000,\"amount_off\":200},"
        " {\"seq\":3,\"id\":3,\"kind\":\"segment_price\",\"segment\":\"gold\",\"sku\":\"SKU10001\",\"price\":99}]",
        note, sizeof note), 3);
    static struct promo_set set;
    assert_int_equal(promo_set_begin(f->st, &set), STORE_OK);
    assert_int_equal(set.n, 1);
    assert_int_equal(promo_set_add_item(f->st, &set, "SKU10001", ""), 1);
    assert_int_equal(set.n, 2);
    assert_int_equal(set.nprices, 1);
    /* the same item again adds nothing: the cart need not be told */
    assert_int_equal(promo_set_add_item(f->st, &set, "SKU10001", ""), 0);
    assert_int_equal(promo_set_add_item(f->st, &set, "SKU10002", ""), 0);

    /* a cart priced with the set: three milk, one free; the gold customer's price under it */
    struct tax_config tax = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart cart;
    cart_init(&cart, &tax);
    assert_int_equal(cart_set_promotions(&cart, set.promos, set.n, set.prices, set.nprices), 0);
    struct product milk;
    assert_int_equal(catalog_find_by_sku(f->st, "SKU10001", &milk), STORE_OK);
    assert_int_equal(cart_add_item(&cart, &milk, "4010433218190", 3000), 0);
    assert_int_equal(cart.totals.total, 238);
    assert_int_equal(cart_set_customer(&cart, "C1", "gold"), 0);
    assert_int_equal(cart.totals.total, 198);
    cart_free(&cart);
}

static void test_customers(void **state)
{
    struct fx *f = *state;
    cJSON *j = cJSON_Parse("[{\"seq\":1,\"id\":\"C1\",\"name\":\"Anna Gold\",\"segment\":\"gold\",\"card\":\"9990001\"},"
                           " {\"seq\":2,\"id\":\"C2\",\"name\":\"Bert Plain\"},"
                           " {\"seq\":3,\"id\":\"C3\",\"name\":\"Carla\",\"card\":\"9990001\"}]");
    char why[100];
    assert_int_equal(feeds_check_customers(j, why, sizeof why), 0);
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), 0);
    assert_int_equal(feeds_apply_customers(f->st, j), 3);
    assert_int_equal(store_commit(f->st), 0);
    cJSON_Delete(j);
    struct customer c, found[4];
    /* the card moved to Carla: Anna keeps her account without it */
    assert_int_equal(customers_find_by_card(f->st, "9990001", &c), STORE_OK);
    assert_string_equal(c.id, "C3");
    assert_int_equal(customers_find_by_id(f->st, "C1", &c), STORE_OK);
    assert_string_equal(c.card, "");
    assert_string_equal(c.segment, "gold");
    assert_int_equal(customers_search(f->st, "ann", found, 4), 1);
    assert_string_equal(found[0].name, "Anna Gold");
    assert_int_equal(customers_search(f->st, "C2", found, 4), 1);
    j = cJSON_Parse("[{\"seq\":4,\"id\":\"C2\",\"deleted\":true}]");
    assert_int_equal(feeds_check_customers(j, why, sizeof why), 0);
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), 0);
    assert_int_equal(feeds_apply_customers(f->st, j), 1);
    assert_int_equal(store_commit(f->st), 0);
    cJSON_Delete(j);
    assert_int_equal(customers_find_by_id(f->st, "C2", &c), STORE_NOTFOUND);
    j = cJSON_Parse("[{\"seq\":5,\"id\":\"C9\"}]");            /* no name */
    assert_int_equal(feeds_check_customers(j, why, sizeof why), -1);
    cJSON_Delete(j);
}

static void test_open_cart(void **state)
{
    struct fx *f = *state;
    struct tax_config tax = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart cart;
    cart_init(&cart, &tax);
    struct tender_state t;
    tender_init(&t, 0, 1);
    static struct open_cart_state saved, loaded;
    struct open_cart_extra x = { "uuid-1", 1700000000, 18, "looks over 18" };
    struct product milk, rice;
    assert_int_equal(catalog_find_by_sku(f->st, "SKU10001", &milk), STORE_OK);
    assert_int_equal(catalog_find_by_sku(f->st, "SKU10012", &rice), STORE_OK);
    /* an empty sale writes nothing */
    assert_int_equal(open_cart_sync(f->st, &saved, &cart, &t, &x), 0);
    assert_int_equal(query(f, "select count(*) from open_sale"), 0);
    assert_int_equal(cart_add_item(&cart, &milk, "4010433218190", 1000), 0);
    assert_int_equal(cart_add_item(&cart, &rice, "4028710122696", 2000), 0);
    assert_int_equal(open_cart_sync(f->st, &saved, &cart, &t, &x), 0);
    assert_int_equal(query(f, "select count(*) from open_lines"), 2);
    struct discount_spec d = { DISCOUNT_PERCENT, 1000, "damaged" };
    assert_int_equal(cart_set_line_discount(&cart, 1, &d), 0);
    assert_int_equal(cart_set_line_age_check(&cart, 0, "looks over 18"), 0);
    int64_t cash_change;
    t.total = cart.totals.total;
    assert_int_equal(tender_add_cash(&t, 200, &cash_change), 0);
    assert_int_equal(open_cart_sync(f->st, &saved, &cart, &t, &x), 0);
    assert_int_equal(query(f, "select sum(amount) from open_payments"), 200);
    assert_int_equal(query(f, "select manual_value from open_lines where line_no = 2"), 1000);
    /* a removed line goes from the table too */
    assert_int_equal(cart_add_item(&cart, &milk, "4010433218190", 1000), 0);
    assert_int_equal(open_cart_sync(f->st, &saved, &cart, &t, &x), 0);
    assert_int_equal(cart_remove_line(&cart, 2), 0);
    assert_int_equal(open_cart_sync(f->st, &saved, &cart, &t, &x), 0);
    assert_int_equal(query(f, "select count(*) from open_lines"), 2);

    /* read back as after a restart: the same lines, discount, check, payment and total */
    struct cart back;
    cart_init(&back, &tax);
    struct tender_state bt;
    tender_init(&bt, 0, 1);
    struct open_cart_extra bx;
    assert_int_equal(open_cart_load(f->st, &loaded, &back, &bt, &bx), STORE_OK);
    assert_string_equal(bx.uuid, "uuid-1");
    assert_int_equal(bx.age_proven, 18);
    assert_int_equal(back.nlines, 2);
    assert_int_equal(back.totals.total, cart.totals.total);
    assert_string_equal(back.lines[0].age_check, "looks over 18");
    assert_int_equal(bt.n, 1);
    assert_int_equal(bt.payments[0].amount, 200);
    assert_int_equal(tender_balance(&bt), tender_balance(&t));
    /* nothing changed since the load: nothing to write */
    assert_int_equal(loaded.nlines, 2);
    assert_int_equal(loaded.lines[1], saved.lines[1]);

    /* emptied (the sale completed or was cancelled): the tables are empty */
    cart_clear(&cart);
    tender_init(&t, 0, 1);
    assert_int_equal(open_cart_sync(f->st, &saved, &cart, &t, &x), 0);
    assert_int_equal(query(f, "select (select count(*) from open_sale) + (select count(*) from open_lines)"
                              " + (select count(*) from open_payments)"), 0);
    assert_int_equal(open_cart_load(f->st, &loaded, &back, &bt, &bx), STORE_NOTFOUND);
    cart_free(&cart);
    cart_free(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_catalog_group_deposit_age, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_promotions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_promo_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_customers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_cart, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

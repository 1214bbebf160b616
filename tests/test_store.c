/* Storage on real SQLite files: migrations, catalog, and the all-or-nothing sale commit. */
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

#include "core/cart.h"
#include "core/sale.h"
#include "offline/order.h"
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
    strcpy(f->dir, "/tmp/till-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/till.db", f->dir);
    char err[256];
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    struct tax_class std = { "std", "Standard", 190000 }, red = { "red", "Reduced", 70000 },
                     zero = { "zero", "Zero", 0 };
    store_upsert_tax_class(f->st, &std);
    store_upsert_tax_class(f->st, &red);
    store_upsert_tax_class(f->st, &zero);
    assert_int_equal(store_import_catalog_csv(f->st, demo_catalog_csv[0], err, sizeof err), 0);
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

static int64_t count(struct store *st, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

static void test_migration_from_empty(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_schema_version(f->st), store_latest_version());
    assert_true(store_latest_version() >= 1);
    /* reopening does not migrate again or lose data */
    int64_t n;
    store_product_count(f->st, &n);
    store_close(f->st);
    char err[256];
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    int64_t m;
    store_product_count(f->st, &m);
    assert_int_equal(n, m);
    assert_true(n > 200);
    /* WAL mode */
    sqlite3_stmt *s;
    sqlite3_prepare_v2(store_db(f->st), "PRAGMA journal_mode", -1, &s, NULL);
    sqlite3_step(s);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
}

static void test_newer_schema_refused(void **state)
{
    struct fx *f = *state;
    sqlite3_exec(store_db(f->st), "PRAGMA user_version = 999", NULL, NULL, NULL);
    store_close(f->st);
    char err[256] = "";
    f->st = NULL;
    assert_int_not_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    assert_non_null(strstr(err, "newer"));
    /* put it back so teardown can close a handle */
    sqlite3 *db;
    sqlite3_open(f->path, &db);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", store_latest_version());
    sqlite3_exec(db, pragma, NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
}

static void test_lookup_and_search(void **state)
{
    struct fx *f = *state;
    struct product p;
    assert_int_equal(store_find_by_barcode(f->st, "4010433218190", &p), STORE_OK);
    assert_string_equal(p.name, "Whole Milk 1L");
    assert_int_equal(p.price, 119);
    assert_int_equal(p.tax_rate_ppm, 70000);
    assert_int_equal(store_find_by_barcode(f->st, "0000000000000", &p), STORE_NOTFOUND);
    struct product res[10];
    int n = store_search_products(f->st, "mil", res, 10);
    assert_true(n >= 2);
    n = store_search_products(f->st, "whole mil", res, 10);
    assert_int_equal(n, 1);
    /* quotes and FTS operators in the input are plain text, not syntax errors */
    assert_true(store_search_products(f->st, "\"milk OR *", res, 10) >= 0);
    assert_int_equal(store_search_products(f->st, "   ", res, 10), 0);
    /* a one-letter word waits for the next letter: "whole m" searches "whole" */
    assert_int_equal(store_search_products(f->st, "m", res, 10), 0);
    n = store_search_products(f->st, "whole m", res, 10);
    int found = 0;
    for (int i = 0; i < n; i++)
        found |= strcmp(res[i].name, "Whole Milk 1L") == 0;
    assert_true(found);
}

static void test_bad_catalog_rolls_back(void **state)
{
    struct fx *f = *state;
    int64_t before;
    store_product_count(f->st, &before);
    char err[256];
    const char *csv = "sku,barcode,name,price,unit,tax_class,age_restricted\n"
                      "NEW1,4000000000013,New thing,100,each,std,0\n"
                      "NEW2,4000000000990,Broken,abc,each,std,0\n";
    assert_int_not_equal(store_import_catalog_csv(f->st, csv, err, sizeof err), 0);
    assert_non_null(strstr(err, "line 3"));
    int64_t after;
    store_product_count(f->st, &after);
    assert_int_equal(before, after);
}

static void make_sale(struct store *st, struct cart *c, struct sale *s, const char *uuid)
{
    static const struct tax_config tc = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    cart_init(c, &tc);
    struct product p;
    assert_int_equal(store_find_by_barcode(st, "4010433218190", &p), 0);
    cart_add_item(c, &p, "4010433218190", 2 * QTY_ONE);
    assert_int_equal(store_find_by_barcode(st, "4060013389086", &p), 0);
    cart_add_item(c, &p, "4060013389086", QTY_ONE);
    memset(s, 0, sizeof *s);
    snprintf(s->uuid, sizeof s->uuid, "%s", uuid);
    strcpy(s->terminal_id, "T1");
    strcpy(s->cashier, "test");
    money_format_init(&s->fmt, "EUR", "eu");
    s->tax = tc;
    s->cart = c;
    s->npayments = 1;
    s->payments[0] = (struct payment){ .tender = TENDER_CASH, .amount = c->totals.total,
                                       .tendered = 1000, .change = 1000 - c->totals.total };
    s->change_given = 1000 - c->totals.total;
    s->completed_at = 1795583883;
}

static void test_commit_sale_writes_everything(void **state)
{
    struct fx *f = *state;
    struct cart c;
    struct sale s;
    make_sale(f->st, &c, &s, "uuid-ok");
    char err[256];
    assert_int_equal(store_commit_sale(f->st, &s, order_encode, err, sizeof err), 0);
    assert_int_equal(s.receipt_no, 1);
    assert_int_equal(count(f->st, "sales"), 1);
    assert_int_equal(count(f->st, "sale_lines"), 2);
    assert_int_equal(count(f->st, "payments"), 1);
    assert_int_equal(count(f->st, "outbox"), 1);
    assert_int_equal(count(f->st, "sale_taxes"), 1);
    /* the same sale twice is refused by the UNIQUE uuid: never a duplicate */
    assert_int_not_equal(store_commit_sale(f->st, &s, order_encode, err, sizeof err), 0);
    assert_int_equal(count(f->st, "sales"), 1);
    assert_int_equal(count(f->st, "outbox"), 1);
    cart_free(&c);
    make_sale(f->st, &c, &s, "uuid-2");
    assert_int_equal(store_commit_sale(f->st, &s, order_encode, err, sizeof err), 0);
    assert_int_equal(s.receipt_no, 2);
    cart_free(&c);
}

/* A failure at any step of the commit leaves no trace of the sale. */
static void test_commit_atomic_at_every_step(void **state)
{
    struct fx *f = *state;
    struct cart c;
    struct sale s;
    make_sale(f->st, &c, &s, "uuid-fail");
    /* steps: sale, 2 lines, 1 tax row, 1 payment, outbox, card intents = 7 */
    for (int step = 1; step <= 7; step++) {
        store_fail_commit_step(f->st, step);
        char err[256] = "";
        assert_int_not_equal(store_commit_sale(f->st, &s, order_encode, err, sizeof err), 0);
        assert_true(strlen(err) > 0);
        assert_int_equal(count(f->st, "sales"), 0);
        assert_int_equal(count(f->st, "sale_lines"), 0);
        assert_int_equal(count(f->st, "payments"), 0);
        assert_int_equal(count(f->st, "sale_taxes"), 0);
        assert_int_equal(count(f->st, "outbox"), 0);
    }
    store_fail_commit_step(f->st, 0);
    char err[256];
    assert_int_equal(store_commit_sale(f->st, &s, order_encode, err, sizeof err), 0);
    assert_int_equal(count(f->st, "sales"), 1);
    cart_free(&c);
}

/* A full disk (simulated by capping the database size) is a clear error; nothing half-written. */
static void test_disk_full(void **state)
{
    struct fx *f = *state;
    sqlite3_stmt *s;
    sqlite3_prepare_v2(store_db(f->st), "PRAGMA page_count", -1, &s, NULL);
    sqlite3_step(s);
    int pages = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA max_page_count = %d", pages);
    sqlite3_exec(store_db(f->st), pragma, NULL, NULL, NULL);
    struct cart c;
    struct sale sale;
    int rc = 0;
    char err[256] = "";
    /* fill until the database cannot grow */
    for (int i = 0; i < 2000 && rc == 0; i++) {
        char uuid[40];
        snprintf(uuid, sizeof uuid, "full-%d", i);
        make_sale(f->st, &c, &sale, uuid);
        rc = store_commit_sale(f->st, &sale, order_encode, err, sizeof err);
        cart_free(&c);
    }
    assert_int_equal(rc, STORE_EFULL);
    assert_non_null(strstr(err, "disk full"));
    assert_int_equal(count(f->st, "sales"), count(f->st, "outbox"));
    assert_int_equal(count(f->st, "sales"), count(f->st, "payments"));
}

static void test_meta_and_audit(void **state)
{
    struct fx *f = *state;
    char buf[32];
    assert_int_equal(store_meta_get(f->st, "cursor", buf, sizeof buf), STORE_NOTFOUND);
    assert_int_equal(store_meta_set(f->st, "cursor", "42"), 0);
    assert_int_equal(store_meta_get(f->st, "cursor", buf, sizeof buf), 0);
    assert_string_equal(buf, "42");
    assert_int_equal(store_audit(f->st, 1, "T1", "x", "line_void", "d"), 0);
    assert_int_equal(count(f->st, "audit_log"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migration_from_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_and_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_catalog_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_sale_writes_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_atomic_at_every_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta_and_audit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

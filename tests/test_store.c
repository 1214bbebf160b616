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
#include <sys/stat.h>
#include <unistd.h>

#include "core/cart.h"
#include "core/sale.h"
#include "offline/order.h"
#include "offline/outbox.h"
#include "src/catalog.h"
#include "src/payment_journal.h"
#include "src/sales.h"
#include "src/store.h"
#include "src/store_salvage.h"
#include "src/sync_rejects.h"
#include "core/receipt.h"

extern const char *const demo_catalog_csv[];
extern const char *const store_migrations[];
extern const char *const store_catalog_schema[];

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

/* The test looks at the file through its own connection, as any reader would. */
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

static int64_t count(struct fx *f, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return query(f, sql);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%.80s: %s", sql, msg ? msg : "?");
}

/* Migration 013 moves a till's catalog into the catalog file.  Both files are in WAL mode,
 * where one transaction over both is not atomic across them, so it commits the copy first
 * and drops the originals after: a crash between the two (here: the copy committed, the
 * rest not) copies again on the next start, and every product arrives exactly once. */
static void test_catalog_moves_to_its_file_once(void **state)
{
    (void)state;
    for (int crash = 0; crash < 2; crash++) {
        char dir[64] = "/tmp/till-mig-XXXXXX", path[128], cat[140];
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/till.db", dir);
        snprintf(cat, sizeof cat, "%s.catalog", path);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        exec_ok(db, "PRAGMA journal_mode = WAL");
        for (int v = 0; v < 12; v++)
            exec_ok(db, store_migrations[v]);
        exec_ok(db, "PRAGMA user_version = 12;"
                    " INSERT INTO products (id, sku, name, price, unit, tax_class, age_restricted, active, updated_at)"
                    " VALUES (7, 'A-1', 'Apple juice', 129, 'each', 'std', 0, 1, 1),"
                    " (9, 'B-2', 'Bread', 249, 'each', 'red', 0, 1, 1);"
                    " INSERT INTO barcodes (code, product_id) VALUES ('4000000000013', 7), ('4000000000020', 9);"
                    " INSERT INTO meta (key, value) VALUES ('sync.catalog_cursor', '4242');");
        if (crash) {
            /* the copy and its commit, then the power went */
            const char *m = store_migrations[12];
            const char *cut = strstr(m, "COMMIT;");
            assert_non_null(cut);
            char *copy = strndup(m, (size_t)(cut - m));
            char attach[200];
            snprintf(attach, sizeof attach, "ATTACH DATABASE '%s' AS catalog", cat);
            exec_ok(db, attach);
            exec_ok(db, "PRAGMA catalog.journal_mode = WAL");
            exec_ok(db, store_catalog_schema[0]);
            exec_ok(db, "PRAGMA catalog.user_version = 2");
            exec_ok(db, "BEGIN IMMEDIATE");
            exec_ok(db, copy);
            exec_ok(db, "COMMIT");
            free(copy);
        }
        sqlite3_close(db);

        struct store *st;
        char err[256];
        assert_int_equal(store_open(path, &st, err, sizeof err), 0);
        assert_int_equal(store_schema_version(st), store_latest_version());
        struct product p;
        assert_int_equal(catalog_find_by_barcode(st, "4000000000020", &p), 0);
        assert_string_equal(p.sku, "B-2");
        assert_int_equal(p.id, 9);
        int64_t n = 0, cursor = 0;
        assert_int_equal(catalog_product_count(st, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(catalog_cursor(st, &cursor), 0);
        assert_int_equal(cursor, 4242);
        assert_int_equal(catalog_search(st, "apple", &p, 1), 1); /* the name index, once */
        store_close(st);
        struct fx f;
        snprintf(f.path, sizeof f.path, "%s", path);
        assert_int_equal(query(&f, "SELECT count(*) FROM sqlite_master WHERE name IN ('products', 'barcodes')"), 0);
        assert_int_equal(query(&f, "SELECT count(*) FROM meta WHERE key = 'sync.catalog_cursor'"), 0);
        char cmd[100];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
    }
}

static void test_migration_from_empty(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_schema_version(f->st), store_latest_version());
    assert_true(store_latest_version() >= 1);
    /* reopening does not migrate again or lose data */
    int64_t n;
    catalog_product_count(f->st, &n);
    store_close(f->st);
    char err[256];
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    int64_t m;
    catalog_product_count(f->st, &m);
    assert_int_equal(n, m);
    assert_true(n > 200);
    /* WAL mode (a property of the file) */
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL);
    sqlite3_step(s);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void test_newer_schema_refused(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    sqlite3 *db;
    sqlite3_open(f->path, &db);
    sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
    sqlite3_close(db);
    char err[256] = "";
    f->st = NULL;
    assert_int_not_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    assert_non_null(strstr(err, "newer"));
    /* put it back so teardown can close a handle */
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
    assert_int_equal(catalog_find_by_barcode(f->st, "4010433218190", &p), STORE_OK);
    assert_string_equal(p.name, "Whole Milk 1L");
    assert_int_equal(p.price, 119);
    assert_int_equal(p.tax_rate_ppm, 70000);
    assert_int_equal(catalog_find_by_barcode(f->st, "0000000000000", &p), STORE_NOTFOUND);
    struct product res[10];
    int n = catalog_search(f->st, "mil", res, 10);
    assert_true(n >= 2);
    n = catalog_search(f->st, "whole mil", res, 10);
    assert_int_equal(n, 1);
    /* quotes and FTS operators in the input are plain text, not syntax errors */
    assert_true(catalog_search(f->st, "\"milk OR *", res, 10) >= 0);
    assert_int_equal(catalog_search(f->st, "   ", res, 10), 0);
    /* a one-letter word waits for the next letter: "whole m" searches "whole" */
    assert_int_equal(catalog_search(f->st, "m", res, 10), 0);
    n = catalog_search(f->st, "whole m", res, 10);
    int found = 0;
    for (int i = 0; i < n; i++)
        found |= strcmp(res[i].name, "Whole Milk 1L") == 0;
    assert_true(found);
}

/* A catalog file says how many products it holds (snapshots do). */
static int store_swap_fixture_products(const char *path)
{
    sqlite3 *db;
    int rc = sqlite3_open(path, &db) == SQLITE_OK &&
                     sqlite3_exec(db, "INSERT INTO catalog_meta VALUES ('products', '0');"
                                      " PRAGMA journal_mode = DELETE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    sqlite3_close(db);
    return rc;
}

/* What cashiers type: an article number finds its product first, exact before prefix,
 * in any case; a barcode's beginning finds it too. */
static void test_search_by_code(void **state)
{
    struct fx *f = *state;
    struct product res[10];
    int n = catalog_search(f->st, "SKU10001", res, 10);
    assert_true(n >= 1);
    assert_string_equal(res[0].sku, "SKU10001");
    n = catalog_search(f->st, "sku10001", res, 10);
    assert_true(n >= 1);
    assert_string_equal(res[0].sku, "SKU10001");
    n = catalog_search(f->st, "SKU1000", res, 10);
    assert_true(n >= 2);
    assert_int_equal(strncmp(res[0].sku, "SKU1000", 7), 0);
    n = catalog_search(f->st, "40104332181", res, 10);
    assert_true(n >= 1);
    assert_string_equal(res[0].name, "Whole Milk 1L");
}

/* While the name index is being built, names find nothing (the screen says so) but
 * codes still do. */
static void test_search_name_index_not_ready(void **state)
{
    struct fx *f = *state;
    struct product res[10];
    assert_true(catalog_name_index_ready(f->st));
    assert_int_equal(catalog_set_name_index_ready(f->st, 0), STORE_OK);
    assert_false(catalog_name_index_ready(f->st));
    assert_int_equal(catalog_search(f->st, "whole mil", res, 10), 0);
    assert_int_equal(catalog_search(f->st, "SKU10001", res, 10) >= 1, 1);
    assert_int_equal(catalog_set_name_index_ready(f->st, 1), STORE_OK);
    assert_int_equal(catalog_search(f->st, "whole mil", res, 10), 1);
}

/* The catalog is a file of its own; a new one replaces it whole, atomically, and a
 * file that is not a catalog of the right cursor is refused before. */
static void test_catalog_swap(void **state)
{
    struct fx *f = *state;
    char next[600], err[256];
    snprintf(next, sizeof next, "%s.next", f->path);
    struct store *other;
    assert_int_equal(store_open(next, &other, err, sizeof err), 0);
    assert_int_equal(store_begin(other, STORE_TX_PLAIN), 0);
    assert_int_equal(catalog_set_cursor(other, 42), 0);
    assert_int_equal(store_commit(other), 0);
    store_close(other);
    char next_catalog[700];
    snprintf(next_catalog, sizeof next_catalog, "%s.catalog", next);
    assert_int_not_equal(catalog_file_check(next_catalog, store_catalog_schema_version(), 41, 0, err, sizeof err), 0);
    assert_int_equal(store_swap_fixture_products(next_catalog), 0);
    assert_int_equal(catalog_file_check(next_catalog, store_catalog_schema_version(), 42, 0, err, sizeof err), 0);
    struct product p;
    assert_int_equal(catalog_find_by_barcode(f->st, "4010433218190", &p), STORE_OK);
    assert_int_equal(store_catalog_swap(f->st, next_catalog), STORE_OK);
    assert_int_equal(catalog_find_by_barcode(f->st, "4010433218190", &p), STORE_NOTFOUND);
    int64_t cursor;
    assert_int_equal(catalog_cursor(f->st, &cursor), 0);
    assert_int_equal(cursor, 42);
    /* a missing file: the old catalog stays attached and usable */
    assert_int_not_equal(store_catalog_swap(f->st, next_catalog), STORE_OK);
    assert_int_equal(catalog_cursor(f->st, &cursor), 0);
    assert_int_equal(cursor, 42);
}

static void test_bad_catalog_rolls_back(void **state)
{
    struct fx *f = *state;
    int64_t before;
    catalog_product_count(f->st, &before);
    char err[256];
    const char *csv = "sku,barcode,name,price,unit,tax_class,age_restricted\n"
                      "NEW1,4000000000013,New thing,100,each,std,0\n"
                      "NEW2,4000000000990,Broken,abc,each,std,0\n";
    assert_int_not_equal(catalog_import_csv(f->st, csv, err, sizeof err), 0);
    assert_non_null(strstr(err, "line 3"));
    int64_t after;
    catalog_product_count(f->st, &after);
    assert_int_equal(before, after);
}

/* A bad row names its line, its field and the reason; nothing of the file is imported. */
static void test_import_names_row_field_reason(void **state)
{
    struct fx *f = *state;
    static const struct { const char *row, *want[3]; } cases[] = {
        { "NEW2,4000000000991,Wrong Check,100,each,std,0", { "line 3", "field barcode", "wrong check digit" } },
        { "NEW2,4000000000990|96385075,Second Code Bad,100,each,std,0", { "line 3", "96385075", "check digit" } },
        { "NEW2,4000000000990,Unknown Tax,100,each,xx,0", { "field tax_class", "unknown tax class \"xx\"", "red, std, zero" } },
        { "NEW2,4000000000990,Broken,abc,each,std,0", { "line 3 (sku NEW2)", "field price", "not a whole number" } },
        { "NEW2,4000000000990,Minus,-5,each,std,0", { "field price", "negative", "line 3" } },
        { "NEW2,4000000000990,Litre,100,l,std,0", { "field unit", "neither each nor kg", "line 3" } },
        { "NEW2,4000000000990,,100,each,std,0", { "field name", "empty", "line 3" } },
        { "NEW2,4000000000990,Age,100,each,std,yes", { "field age_restricted", "line 3", "yes" } },
        { "NEW2,4000000000990,Short,100,each,std", { "line 3", "expected 7 fields", "found 6" } },
    };
    int64_t before;
    catalog_product_count(f->st, &before);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char csv[512], err[256] = "";
        snprintf(csv, sizeof csv, "sku,barcode,name,price,unit,tax_class,age_restricted\n"
                                  "NEW1,4000000000013,New thing,100,each,std,0\n%s\n", cases[i].row);
        assert_int_not_equal(catalog_import_csv(f->st, csv, err, sizeof err), 0);
        for (int k = 0; k < 3; k++) {
            if (!strstr(err, cases[i].want[k]))
                fail_msg("row %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want[k]);
        }
        int64_t after;
        catalog_product_count(f->st, &after);
        assert_int_equal(before, after);
    }
    /* right check digits of every GTIN length, a PLU and an internal code pass */
    char err[256] = "";
    const char *good = "sku,barcode,name,price,unit,tax_class,age_restricted\n"
                       "NEW3,96385074|042100005264|4000000000990|14000000000997|4011|INT-77,Many Codes,100,each,std,1\n";
    assert_int_equal(catalog_import_csv(f->st, good, err, sizeof err), 0);
    struct product p;
    assert_int_equal(catalog_find_by_barcode(f->st, "14000000000997", &p), STORE_OK);
    assert_string_equal(p.sku, "NEW3");
    assert_int_equal(p.age_restricted, 1);
    assert_int_equal(catalog_find_by_barcode(f->st, "INT-77", &p), STORE_OK);
}

/* A row is the product's truth: importing it again with other barcodes replaces them. */
static void test_import_replaces_barcodes(void **state)
{
    struct fx *f = *state;
    char err[256];
    const char *csv = "SKU10001,4000000000990|96385074,Whole Milk 1L,129,each,red,0\n";
    assert_int_equal(catalog_import_csv(f->st, csv, err, sizeof err), 0);
    struct product p;
    assert_int_equal(catalog_find_by_barcode(f->st, "4010433218190", &p), STORE_NOTFOUND);
    assert_int_equal(catalog_find_by_barcode(f->st, "96385074", &p), STORE_OK);
    assert_string_equal(p.sku, "SKU10001");
    assert_int_equal(p.price, 129);
}

/* Read-only commands: a missing database is not created, an existing one is not written. */
static void test_open_readonly(void **state)
{
    struct fx *f = *state;
    char missing[160], err[256] = "";
    snprintf(missing, sizeof missing, "%s/none.db", f->dir);
    struct store *ro = NULL;
    assert_int_equal(store_open_readonly(missing, &ro, err, sizeof err), STORE_NOTFOUND);
    assert_null(ro);
    assert_non_null(strstr(err, "no database at"));
    assert_int_equal(access(missing, F_OK), -1);
    assert_int_equal(store_open_readonly(f->path, &ro, err, sizeof err), 0);
    int64_t n = 0;
    assert_int_equal(catalog_product_count(ro, &n), 0);
    assert_true(n > 200);
    assert_int_not_equal(store_meta_set(ro, "x", "1"), 0);
    store_close(ro);
    assert_int_equal(count(f, "meta"), 0);
}

static void make_sale(struct store *st, struct cart *c, struct sale *s, const char *uuid)
{
    static const struct tax_config tc = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    cart_init(c, &tc);
    struct product p;
    assert_int_equal(catalog_find_by_barcode(st, "4010433218190", &p), 0);
    cart_add_item(c, &p, "4010433218190", 2 * QTY_ONE);
    assert_int_equal(catalog_find_by_barcode(st, "4060013389086", &p), 0);
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
    assert_int_equal(sales_commit(f->st, &s, order_enqueue, NULL, err, sizeof err), 0);
    assert_int_equal(s.receipt_no, 1);
    assert_int_equal(count(f, "sales"), 1);
    assert_int_equal(count(f, "sale_lines"), 2);
    assert_int_equal(count(f, "payments"), 1);
    assert_int_equal(count(f, "outbox"), 1);
    assert_int_equal(count(f, "sale_taxes"), 1);
    /* the same sale twice (a retry after a commit reported failed) is saved once, under
     * its first receipt number */
    s.receipt_no = 0;
    assert_int_equal(sales_commit(f->st, &s, order_enqueue, NULL, err, sizeof err), 0);
    assert_int_equal(s.receipt_no, 1);
    assert_int_equal(count(f, "sales"), 1);
    assert_int_equal(count(f, "outbox"), 1);
    cart_free(&c);
    make_sale(f->st, &c, &s, "uuid-2");
    assert_int_equal(sales_commit(f->st, &s, order_enqueue, NULL, err, sizeof err), 0);
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
    /* a card payment approved for this sale is completed with it, or not at all */
    assert_int_equal(journal_begin(f->st, "uuid-fail/1", "uuid-fail", "purchase", "sim", 100, 1), 0);
    assert_int_equal(journal_update(f->st, "uuid-fail/1", "approved", NULL, 2), 0);
    struct payment_intent in;
    /* steps: already saved?, numbering, sale, 2 lines, 1 tax row, 1 payment, outbox, card
     * intents = 9 */
    for (int step = 1; step <= 9; step++) {
        store_fail_commit_step(f->st, step);
        char err[256] = "";
        assert_int_not_equal(sales_commit(f->st, &s, order_enqueue, NULL, err, sizeof err), 0);
        assert_true(strlen(err) > 0);
        assert_int_equal(count(f, "sales"), 0);
        assert_int_equal(count(f, "sale_lines"), 0);
        assert_int_equal(count(f, "payments"), 0);
        assert_int_equal(count(f, "sale_taxes"), 0);
        assert_int_equal(count(f, "outbox"), 0);
        assert_int_equal(journal_get(f->st, "uuid-fail/1", &in), 0);
        assert_string_equal(in.state, "approved");
        assert_int_equal(s.receipt_no, 0);
    }
    store_fail_commit_step(f->st, 0);
    char err[256];
    assert_int_equal(sales_commit(f->st, &s, order_enqueue, NULL, err, sizeof err), 0);
    assert_int_equal(count(f, "sales"), 1);
    assert_int_equal(journal_get(f->st, "uuid-fail/1", &in), 0);
    assert_string_equal(in.state, "completed");
    /* the order row is the outbox's, pending, under the order's idempotency key */
    struct outbox_entry e;
    assert_int_equal(outbox_get(f->st, "T1:uuid-fail", &e), 0);
    assert_int_equal(e.state, OUTBOX_PENDING);
    assert_int_equal(e.kind, OUTBOX_ORDER);
    int64_t sales = 0;
    assert_int_equal(sales_count(f->st, &sales), 0);
    assert_int_equal(sales, 1);
    cart_free(&c);
}

/* A full disk (simulated by capping the database size) is a clear error; nothing half-written. */
static void test_disk_full(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_simulate_disk_full(f->st), 0);
    struct cart c;
    struct sale sale;
    int rc = 0;
    char err[256] = "";
    /* fill until the database cannot grow */
    for (int i = 0; i < 2000 && rc == 0; i++) {
        char uuid[40];
        snprintf(uuid, sizeof uuid, "full-%d", i);
        make_sale(f->st, &c, &sale, uuid);
        rc = sales_commit(f->st, &sale, order_enqueue, NULL, err, sizeof err);
        cart_free(&c);
    }
    assert_int_equal(rc, STORE_EFULL);
    assert_non_null(strstr(err, "disk full"));
    assert_int_equal(count(f, "sales"), count(f, "outbox"));
    assert_int_equal(count(f, "sales"), count(f, "payments"));
}

/* A committed sale is marked as waiting for its receipt file; loaded back, it renders the
 * same receipt as the sale that was committed. */
static void test_unspooled_sale_loads_back(void **state)
{
    struct fx *f = *state;
    struct cart c;
    struct sale s;
    make_sale(f->st, &c, &s, "uuid-spool");
    strcpy(s.store_name, "Shop");
    char err[256], *want = NULL, *got = NULL;
    assert_int_equal(sales_commit(f->st, &s, order_enqueue, NULL, err, sizeof err), 0);
    assert_int_equal(receipt_render(&s, 42, "2026-11-30 12:00", &want), 0);

    struct sale back;
    struct cart bc;
    int64_t id = 0;
    memset(&back, 0, sizeof back);
    strcpy(back.store_name, "Shop");
    back.fmt = s.fmt;
    back.tax = s.tax;
    cart_init(&bc, &s.tax);
    assert_int_equal(sales_next_unspooled(f->st, 0, &back, &bc, &id), STORE_OK);
    assert_string_equal(back.uuid, "uuid-spool");
    assert_int_equal(back.receipt_no, s.receipt_no);
    assert_int_equal(bc.nlines, 2);
    assert_int_equal(back.npayments, 1);
    assert_int_equal(receipt_render(&back, 42, "2026-11-30 12:00", &got), 0);
    assert_string_equal(got, want);
    cart_free(&bc);

    assert_int_equal(sales_mark_spooled(f->st, "uuid-spool"), STORE_OK);
    cart_init(&bc, &s.tax);
    assert_int_equal(sales_next_unspooled(f->st, 0, &back, &bc, &id), STORE_NOTFOUND);
    cart_free(&bc);
    cart_free(&c);
    free(want);
    free(got);
}

/* Overwrites page number pageno of the file with bytes that are no b-tree page. */
static void damage_page(const char *path, int64_t pageno)
{
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 131 + 7);
    assert_int_equal(fseek(fp, (long)((pageno - 1) * 4096), SEEK_SET), 0);
    assert_int_equal(fwrite(junk, 1, sizeof junk, fp), sizeof junk);
    fclose(fp);
}

/* Commits n sales, PREFIX-000 on, each queued for the server. */
static void commit_sales(struct fx *f, const char *prefix, int n)
{
    char err[512];
    for (int i = 0; i < n; i++) {
        struct cart c;
        struct sale s;
        char uuid[40];
        snprintf(uuid, sizeof uuid, "%s-%03d", prefix, i);
        make_sale(f->st, &c, &s, uuid);
        assert_int_equal(sales_commit(f->st, &s, order_enqueue, NULL, err, sizeof err), 0);
        cart_free(&c);
    }
}

/* A damaged outbox page is found by the start-up check, and salvage copies every other row
 * (sales whole, the outbox but for the rows of that page) into a fresh, sound database. */
static void test_damaged_outbox_found_and_salvaged(void **state)
{
    struct fx *f = *state;
    char err[512];
    commit_sales(f, "uuid", 60);
    int complete = 0;
    assert_int_equal(store_quick_check(f->st, 5000, &complete, err, sizeof err), STORE_OK);
    assert_int_equal(complete, 1);
    store_close(f->st);
    f->st = NULL;
    /* everything into the main file, so that the page is damaged where SQLite reads it */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    int64_t page = query(f, "SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf'"
                            " ORDER BY pageno LIMIT 1 OFFSET 3");
    int64_t cells = query(f, "SELECT ncell FROM dbstat WHERE name = 'outbox' AND pageno = (SELECT pageno FROM"
                             " dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3)");
    assert_true(cells > 0);
    damage_page(f->path, page);

    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), STORE_OK);
    assert_int_equal(store_quick_check(f->st, 5000, &complete, err, sizeof err), STORE_ECORRUPT);
    assert_non_null(strstr(err, "outbox"));
    assert_true(store_damaged(f->st));
    /* while it is open, salvage refuses */
    struct salvage_report rep;
    assert_int_equal(store_salvage(f->path, &rep, err, sizeof err), -1);
    assert_non_null(strstr(err, "in use"));
    store_close(f->st);
    f->st = NULL;

    assert_int_equal(store_salvage(f->path, &rep, err, sizeof err), 0);
    assert_int_equal(access(rep.kept_as, F_OK), 0);
    assert_int_equal(count(f, "sales"), 60);
    assert_int_equal(count(f, "sale_lines"), 120);
    assert_int_equal(count(f, "outbox"), 60 - cells);
    assert_int_equal(query(f, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 60 - cells);
    int64_t outbox_unreadable = -1;
    for (int i = 0; i < rep.ntables; i++)
        if (strcmp(rep.tables[i].name, "outbox") == 0)
            outbox_unreadable = rep.tables[i].damaged ? rep.tables[i].unreadable : -1;
    assert_int_equal(outbox_unreadable, cells);
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), STORE_OK);
    assert_int_equal(store_quick_check(f->st, 5000, &complete, err, sizeof err), STORE_OK);
    /* the catalog survived whole here, and its search index was rebuilt with it */
    struct product p;
    assert_int_equal(catalog_find_by_barcode(f->st, "4010433218190", &p), 0);
    assert_true(catalog_search(f->st, "milk", &p, 1) >= 1);
}

/* Parked (refused) rows are the manager's to deal with: salvage copies them, open and
 * dismissed alike, with their reasons. */
static void test_salvage_keeps_sync_rejects(void **state)
{
    struct fx *f = *state;
    char err[512];
    assert_int_equal(store_begin(f->st, STORE_TX_PLAIN), STORE_OK);
    assert_int_equal(sync_rejects_park(f->st, "catalog", 7, "SKU1", "wrong check digit", "{\"sku\":\"SKU1\"}", 100), 1);
    assert_int_equal(sync_rejects_park(f->st, "staff", 3, "42", "unknown role", "{}", 101), 1);
    assert_int_equal(store_commit(f->st), STORE_OK);
    store_close(f->st);
    f->st = NULL;
    struct salvage_report rep;
    assert_int_equal(store_salvage(f->path, &rep, err, sizeof err), 0);
    assert_int_equal(count(f, "sync_rejects"), 2);
    assert_int_equal(query(f, "SELECT count(*) FROM sync_rejects WHERE item_key = 'SKU1' AND reason ="
                              " 'wrong check digit' AND superseded_at IS NULL"), 1);
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), STORE_OK);
    int64_t open = 0;
    assert_int_equal(sync_rejects_count_open(f->st, NULL, &open), STORE_OK);
    assert_int_equal(open, 2);
}

static int copy_file(const char *from, const char *to)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    return system(cmd);
}

/* Salvage after a crash that left committed sales in the write-ahead log: the damaged
 * database keeps its log under the kept name (hard links, then the old names removed, the
 * directory synced after each step), no old log or shared memory stays beside the fresh
 * database, and every sale of the log is salvaged. */
static void test_salvage_keeps_database_and_log_together(void **state)
{
    struct fx *f = *state;
    char err[512], path[200], wal[300];
    commit_sales(f, "wal", 5);
    /* the files as a kill -9 leaves them: the sales in the log, not yet in the database */
    snprintf(path, sizeof path, "%s/crash.db", f->dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    char live_wal[200];
    snprintf(live_wal, sizeof live_wal, "%s-wal", f->path);
    assert_int_equal(copy_file(f->path, path), 0);
    assert_int_equal(copy_file(live_wal, wal), 0);
    struct stat wal_before;
    assert_int_equal(stat(wal, &wal_before), 0);
    assert_true(wal_before.st_size > 0);

    struct salvage_report rep;
    assert_int_equal(store_salvage(path, &rep, err, sizeof err), 0);
    struct stat sb;
    assert_int_equal(stat(rep.kept_as, &sb), 0);
    assert_int_equal(sb.st_nlink, 1); /* the old name is gone, not a second link */
    /* the salvage's own check for a running till opened it, which may have folded the log
     * into the file; either way the log did not stay behind at the old name */
    assert_int_equal(access(wal, F_OK), -1);
    char shm[310];
    snprintf(shm, sizeof shm, "%s-shm", path);
    assert_int_equal(access(shm, F_OK), -1);
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sales WHERE uuid LIKE 'wal-%'", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 5);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* the kept pair still holds every sale */
    assert_int_equal(sqlite3_open_v2(rep.kept_as, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sales WHERE uuid LIKE 'wal-%'", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 5);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The start-up check reaches past the sales too: a damaged page of the audit log (no server
 * can give it back) is found and named. */
static void test_damaged_audit_log_found(void **state)
{
    struct fx *f = *state;
    char err[512], detail[200];
    memset(detail, 'x', sizeof detail - 1);
    detail[sizeof detail - 1] = 0;
    for (int i = 0; i < 200; i++)
        assert_int_equal(store_audit(f->st, 1700000000 + i, "T1", "demo", "no_sale", detail), STORE_OK);
    int complete = 0;
    assert_int_equal(store_quick_check(f->st, 5000, &complete, err, sizeof err), STORE_OK);
    store_close(f->st);
    f->st = NULL;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    damage_page(f->path, query(f, "SELECT pageno FROM dbstat WHERE name = 'audit_log' AND pagetype = 'leaf'"
                                  " ORDER BY pageno LIMIT 1 OFFSET 2"));
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), STORE_OK);
    assert_int_equal(store_quick_check(f->st, 5000, &complete, err, sizeof err), STORE_ECORRUPT);
    assert_non_null(strstr(err, "audit_log"));
    assert_true(store_damaged(f->st));
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
    assert_int_equal(count(f, "audit_log"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migration_from_empty, setup, teardown),
        cmocka_unit_test(test_catalog_moves_to_its_file_once),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_and_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_by_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_name_index_not_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_catalog_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_names_row_field_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_replaces_barcodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_sale_writes_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_atomic_at_every_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta_and_audit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unspooled_sale_loads_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_outbox_found_and_salvaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_salvage_keeps_database_and_log_together, setup, teardown),
        cmocka_unit_test_setup_teardown(test_salvage_keeps_sync_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_audit_log_found, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

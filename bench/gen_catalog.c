/* Generates a large catalog database for benchmarks: gen_catalog DB N [CSV]
 * Products get valid EAN-13 barcodes (4000000000000 + i, with check digit), names built
 * from a word list (so name search has realistic prefixes), prices and tax classes.
 * With CSV it also writes the same rows as a catalog CSV. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_catalog.h"
#include "src/store.h"

static const char *const adj[] = { "Organic", "Fresh", "Classic", "Premium", "Light", "Spicy",
    "Sweet", "Crunchy", "Smoked", "Wild", "Golden", "Creamy", "Dark", "Mild", "Extra", "Baby" };
static const char *const noun[] = { "Apple", "Bread", "Cheese", "Coffee", "Tea", "Juice", "Milk",
    "Pasta", "Rice", "Soap", "Shampoo", "Chocolate", "Cookies", "Yoghurt", "Butter", "Honey",
    "Salmon", "Chicken", "Beans", "Soup", "Water", "Beer", "Wine", "Crisps", "Nuts", "Cereal",
    "Jam", "Sauce", "Candle", "Battery", "Tissue", "Sponge" };
static const char *const size[] = { "100g", "250g", "500g", "1kg", "330ml", "500ml", "1L", "2L" };

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_catalog DB N [CSV]\n");
        return 2;
    }
    long long n = atoll(argv[2]);
    char err[256];
    struct store *st;
    remove(argv[1]);
    if (store_open(argv[1], &st, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    FILE *csv = argc > 3 ? fopen(argv[3], "w") : NULL;
    if (csv)
        fprintf(csv, "sku,barcode,name,price,unit,tax_class,age_restricted\n");
    sqlite3 *db = store_db(st);
    struct tax_class std = { "std", "Standard", 190000 }, red = { "red", "Reduced", 70000 };
    store_upsert_tax_class(st, &std);
    store_upsert_tax_class(st, &red);
    sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *p, *b;
    sqlite3_prepare_v2(db, "INSERT INTO products (id, sku, name, price, unit, tax_class) VALUES (?1, ?2, ?3, ?4, 'each', ?5)", -1, &p, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO barcodes (code, product_id) VALUES (?1, ?2)", -1, &b, NULL);
    unsigned rnd = 12345;
    for (long long i = 1; i <= n; i++) {
        char sku[32], name[128], code[14];
        rnd = rnd * 1103515245u + 12345u;
        snprintf(sku, sizeof sku, "B%08lld", i);
        snprintf(name, sizeof name, "%s %s %s %lld", adj[rnd % 16], noun[(rnd >> 8) % 32],
                 size[(rnd >> 16) % 8], i);
        bench_ean13(i, code);
        long long price = 49 + (rnd >> 4) % 5000;
        const char *tax = (rnd >> 20) % 3 ? "red" : "std";
        sqlite3_bind_int64(p, 1, i);
        sqlite3_bind_text(p, 2, sku, -1, SQLITE_STATIC);
        sqlite3_bind_text(p, 3, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(p, 4, price);
        sqlite3_bind_text(p, 5, tax, -1, SQLITE_STATIC);
        sqlite3_step(p);
        sqlite3_reset(p);
        sqlite3_bind_text(b, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(b, 2, i);
        sqlite3_step(b);
        sqlite3_reset(b);
        if (csv)
            fprintf(csv, "%s,%s,%s,%lld,each,%s,0\n", sku, code, name, price, tax);
    }
    sqlite3_finalize(p);
    sqlite3_finalize(b);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "commit: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    if (csv)
        fclose(csv);
    store_close(st);
    return 0;
}

/* Generates a large catalog database for benchmarks: gen_catalog DB N [CSV]
 * Products get valid EAN-13 barcodes (4000000000000 + i, with check digit), names built
 * from a word list (so name search has realistic prefixes), prices and tax classes.
 * With CSV it also writes the same rows as a catalog CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_catalog.h"
#include "src/catalog.h"
#include "src/store.h"

static const char *const adj[] = { "Organic", "Fresh", "Classic", "Premium", "Light", "Spicy",
    "Sweet", "Crunchy", "Smoked", "Wild", "Golden", "Creamy", "Dark", "Mild", "Extra", "Baby" };
static const char *const noun[] = { "Apple", "Bread", "Cheese", "Coffee", "Tea", "Juice", "Milk",
    "Pasta", "Rice", "Soap", "Shampoo", "Chocolate", "Cookies", "Yoghurt", "Butter", "Honey",
    "Salmon", "Chicken", "Beans", "Soup", "Water", "Beer", "Wine", "Crisps", "Nuts", "Cereal",
    "Jam", "Sauce", "Candle", "Battery", "Tissue", "Sponge" };
static const char *const size[] = { "100g", "250g", "500g", "1kg", "330ml", "500ml", "1L", "2L" };

/* Staged and applied like a sync's catalog pages: one transaction, a page at a time. */
#define PAGE 5000

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_catalog DB N [CSV]\n");
        return 2;
    }
    long long n = strtoll(argv[2], NULL, 10);
    char err[256];
    struct store *st;
    char catalog[4096];
    snprintf(catalog, sizeof catalog, "%s.catalog", argv[1]);
    remove(argv[1]);
    remove(catalog);
    if (store_open(argv[1], &st, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    FILE *csv = argc > 3 ? fopen(argv[3], "w") : NULL;
    if (csv)
        fprintf(csv, "sku,barcode,name,price,unit,tax_class,age_restricted\n");
    struct tax_class std = { "std", "Standard", 190000 }, red = { "red", "Reduced", 70000 };
    catalog_upsert_tax_class(st, &std);
    catalog_upsert_tax_class(st, &red);
    store_durability(st, 0);
    int rc = catalog_writer_open(st) || store_begin(st, STORE_TX_PLAIN) || catalog_stage_begin(st);
    unsigned rnd = 12345;
    for (long long i = 1; i <= n && rc == 0; i++) {
        char sku[32], name[128], code[14];
        rnd = rnd * 1103515245u + 12345u;
        snprintf(sku, sizeof sku, "B%08lld", i);
        snprintf(name, sizeof name, "%s %s %s %lld", adj[rnd % 16], noun[(rnd >> 8) % 32],
                 size[(rnd >> 16) % 8], i);
        bench_ean13(i, code);
        long long price = 49 + (rnd >> 4) % 5000;
        const char *tax = (rnd >> 20) % 3 ? "red" : "std";
        struct catalog_change c = { .sku = sku, .name = name, .price = price, .unit = UNIT_EACH,
                                    .tax_class = tax, .active = 1 };
        rc = catalog_stage_product(st, &c) || catalog_stage_barcode(st, sku, code);
        if (rc == 0 && (i % PAGE == 0 || i == n))
            rc = catalog_stage_apply(st, 0) || catalog_stage_begin(st);
        if (csv)
            fprintf(csv, "%s,%s,%s,%lld,each,%s,0\n", sku, code, name, price, tax);
    }
    if (rc || store_commit(st)) {
        fprintf(stderr, "gen_catalog: %s\n", store_errmsg(st));
        return 1;
    }
    if (csv)
        fclose(csv);
    store_close(st);
    return 0;
}

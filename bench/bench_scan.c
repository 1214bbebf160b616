/* Scan-to-cart latency without rendering: barcode_parse + catalog lookup + cart add, as
 * lookup_scan and the sale screen do it, beside the bare indexed SQLite lookup of the same
 * barcodes in the same run; then the same with 10,000 active promotions (each scan asks
 * for its item's promotions and the cart prices with them, as app/promotions.c does), also
 * with the open sale saved after every scan (src/open_cart.c, as app_take_dirty does);
 * then product-name search per keystroke (FTS5 prefix).
 *   bench_scan CATALOG_DB N [SCANS]
 * The catalog comes from gen_catalog (barcodes 40 + 10-digit id + check digit). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_catalog.h"
#include "core/cart.h"
#include "src/lookup.h"
#include "core/money.h"
#include "src/catalog.h"
#include "src/open_cart.h"
#include "src/promotions.h"
#include "src/store.h"

#define BENCH_PROMOS 10000

/* 10,000 promotions of every kind on the first products, 20 store-wide; one transaction. */
static int add_promotions(struct store *st, long long n)
{
    if (store_begin(st, STORE_TX_PLAIN))
        return -1;
    for (int i = 1; i <= BENCH_PROMOS + 20; i++) {
        struct promotion_row r;
        memset(&r, 0, sizeof r);
        struct promo *p = &r.promo;
        p->id = 900000 + i;
        snprintf(p->name, sizeof p->name, "Bench promotion %d", i);
        long long target = (long long)(i - 1) % n + 1;
        snprintf(p->sku, sizeof p->sku, "B%08lld", target);
        switch (i % 4) {
        case 0: p->kind = PROMO_MULTIBUY_FREE; p->n = 3; p->m = 2; break;
        case 1: p->kind = PROMO_MULTIBUY_PRICE; p->n = 2; p->price = 199; break;
        case 2: p->kind = PROMO_PERCENT; p->percent_bp = 1000; p->combinable = i % 8 == 2; break;
        default:
            r.is_segment_price = 1;
            snprintf(r.price.segment, sizeof r.price.segment, "gold");
            snprintf(r.price.sku, sizeof r.price.sku, "%s", p->sku);
            r.price.price = 99;
        }
        if (i > BENCH_PROMOS) { /* store-wide: spend 50,00 get 5,00 off */
            memset(&r, 0, sizeof r);
            p->id = 900000 + i;
            snprintf(p->name, sizeof p->name, "Bench spend %d", i);
            p->kind = PROMO_SPEND;
            p->threshold = 5000 + i;
            p->amount_off = 500;
        }
        if (promotions_put(st, &r)) {
            store_rollback(st);
            return -1;
        }
    }
    return store_commit(st);
}

static int remove_promotions(struct store *st)
{
    if (store_begin(st, STORE_TX_PLAIN))
        return -1;
    for (int i = 1; i <= BENCH_PROMOS + 20; i++)
        if (promotions_delete(st, 900000 + i)) {
            store_rollback(st);
            return -1;
        }
    return store_commit(st);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *lat, int n)
{
    qsort(lat, (size_t)n, sizeof *lat, cmp_double);
    printf("%-44s median %7.1f us, p99 %7.1f us, max %8.1f us (%d)\n", what, lat[n / 2],
           lat[(long)n * 99 / 100], lat[n - 1], n);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_scan CATALOG_DB N [SCANS]\n");
        return 2;
    }
    long long n = strtoll(argv[2], NULL, 10);
    int scans = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 100000;
    if (n < 1 || scans < 100) {
        fprintf(stderr, "bench_scan: N >= 1 and SCANS >= 100\n");
        return 2;
    }
    char err[256];
    struct store *st;
    if (store_open(argv[1], &st, err, sizeof err)) {
        fprintf(stderr, "bench_scan: %s\n", err);
        return 1;
    }
    struct barcode_rules rules;
    barcode_rules_default(&rules, 2);
    struct tax_config tax = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct cart cart;
    cart_init(&cart, &tax);

    char (*codes)[14] = malloc((size_t)scans * sizeof *codes);
    double *lat = malloc((size_t)scans * sizeof *lat);
    unsigned long long rnd = 88172645463325252ULL;
    for (int i = 0; i < scans; i++) {
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        bench_ean13((long long)(rnd % (unsigned long long)n) + 1, codes[i]);
    }

    /* the same barcodes through the bare indexed query first and last, so neither side
     * profits alone from a warm page cache */
    /* the bare lookup has its own read-only connection: the floor, not a till module */
    /* (the catalog is the file beside the database: the bare query reads it directly) */
    sqlite3 *db;
    sqlite3_stmt *bare;
    char catalog[600];
    snprintf(catalog, sizeof catalog, "%s.catalog", argv[1]);
    if (sqlite3_open_v2(catalog, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT p.id, p.name, p.price FROM barcodes b JOIN products p"
                           " ON p.id = b.product_id WHERE b.code = ?1", -1, &bare, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_scan: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < scans; i++) {
            double t0 = now_us();
            sqlite3_bind_text(bare, 1, codes[i], 13, SQLITE_STATIC);
            int rc = sqlite3_step(bare);
            sqlite3_reset(bare);
            lat[i] = now_us() - t0;
            if (rc != SQLITE_ROW) {
                fprintf(stderr, "bench_scan: %s not in the catalog\n", codes[i]);
                return 1;
            }
        }
        if (pass == 1)
            report("bare indexed SQLite lookup:", lat, scans);

        for (int i = 0; i < scans; i++) {
            if (cart.nlines >= 100) /* a big basket; the cart recomputes per add */
                cart_clear(&cart);
            struct scan_result r;
            char msg[256];
            double t0 = now_us();
            int rc = lookup_scan(st, &rules, codes[i], 20250615, &r, msg, sizeof msg);
            if (rc == LOOKUP_OK)
                rc = cart_add_item(&cart, &r.product, r.line_code, QTY_ONE);
            lat[i] = now_us() - t0;
            if (rc) {
                fprintf(stderr, "bench_scan: %s: %s\n", codes[i], msg);
                return 1;
            }
        }
        if (pass == 0) {
            char what[80];
            snprintf(what, sizeof what, "scan-to-cart (parse+lookup+cart, %lld SKUs):", n);
            report(what, lat, scans);
        }
    }
    sqlite3_finalize(bare);
    sqlite3_close(db);

    /* the same scans with 10,000 promotions in force: half of the scanned items have one */
    if (remove_promotions(st) || add_promotions(st, n)) {
        fprintf(stderr, "bench_scan: cannot store the promotions: %s\n", store_errmsg(st));
        return 1;
    }
    for (int i = 0; i < scans; i += 2)
        bench_ean13((long long)(i / 2 % BENCH_PROMOS) % n + 1, codes[i]);
    static struct promo_set set;
    static struct open_cart_state saved;
    struct tender_state tender;
    tender_init(&tender, 0, 1);
    struct open_cart_extra extra = { "bench-sale", 0, 0, "" };
    for (int pass = 0; pass < 2; pass++) {
        int nsales = 0;
        for (int i = 0; i < scans; i++) {
            if (i == 0 || cart.nlines >= 100) { /* a new sale: the store-wide promotions */
                cart_clear(&cart);
                cart_set_customer(&cart, nsales % 2 ? "C1" : "", nsales % 2 ? "gold" : "");
                nsales++;
                if (promo_set_begin(st, &set) ||
                    cart_set_promotions(&cart, set.promos, set.n, set.prices, set.nprices) ||
                    (pass && open_cart_sync(st, &saved, &cart, &tender, &extra))) {
                    fprintf(stderr, "bench_scan: new sale: %s\n", store_errmsg(st));
                    return 1;
                }
            }
            struct scan_result r;
            char msg[256];
            double t0 = now_us();
            int rc = lookup_scan(st, &rules, codes[i], 20250615, &r, msg, sizeof msg);
            if (rc == LOOKUP_OK) {
                int changed = promo_set_add_item(st, &set, r.product.sku, r.product.group);
                if (changed > 0) /* as app/promotions.c: the add below prices the cart */
                    cart_use_promotions(&cart, set.promos, set.n, set.prices, set.nprices);
                rc = changed < 0 ? changed : 0;
            }
            if (rc == 0)
                rc = cart_add_item(&cart, &r.product, r.line_code, QTY_ONE);
            if (rc == 0 && pass)
                rc = open_cart_sync(st, &saved, &cart, &tender, &extra);
            lat[i] = now_us() - t0;
            if (rc) {
                fprintf(stderr, "bench_scan: %s: %s (%d)\n", codes[i], msg, rc);
                return 1;
            }
        }
        char what[96];
        snprintf(what, sizeof what, "scan-to-cart, %d promotions%s:", BENCH_PROMOS,
                 pass ? ", open sale saved" : "");
        report(what, lat, scans);
    }
    cart_clear(&cart);
    if (open_cart_sync(st, &saved, &cart, &tender, &extra) || remove_promotions(st)) {
        fprintf(stderr, "bench_scan: clean-up: %s\n", store_errmsg(st));
        return 1;
    }

    /* search as the cashier types: every prefix of "<adjective> <noun>" */
    static const char *const words[] = { "organic cheese", "fresh bread", "premium coffee",
        "smoked salmon", "dark chocolate", "wild honey", "creamy yoghurt", "spicy sauce",
        "golden crisps", "baby shampoo", "mild cheese", "extra juice", "sweet cookies",
        "light beer", "classic pasta", "crunchy cereal" };
    int nq = 0, cap = 2000;
    double *slat = malloc((size_t)cap * sizeof *slat);
    struct product res[12];
    for (int rep = 0; rep < 5; rep++)
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
            char typed[64];
            for (size_t k = 1; k <= strlen(words[w]) && nq < cap; k++) {
                snprintf(typed, sizeof typed, "%.*s", (int)k, words[w]);
                double t0 = now_us();
                int got = catalog_search(st, typed, res, 12);
                slat[nq++] = now_us() - t0;
                if (got < 0) {
                    fprintf(stderr, "bench_scan: search '%s' failed\n", typed);
                    return 1;
                }
            }
        }
    char what[80];
    snprintf(what, sizeof what, "name search per keystroke (%lld SKUs):", n);
    report(what, slat, nq);
    free(slat);
    free(codes);
    free(lat);
    cart_free(&cart);
    store_close(st);
    return 0;
}

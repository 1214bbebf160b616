/* Fills a till database with N completed sales waiting in the outbox, through the same
 * commit path the till uses: gen_sales DB N [SKU_A SKU_B]
 * Each sale has 1-3 pieces of SKU_A and one of SKU_B (default: the demo's milk and rice).
 * Each receipt counts as written when it was sold, as the till marks it after the sale:
 * a sale left unspooled is a crash's leftover, and the till would lay out, spool and print
 * every one of them at start-up (10,000 took ~15 s of a 'drain' benchmark).  The sale keys
 * are the run's own (time and pid), so two generated databases never share one.
 * TILL_GEN_SEED (hex) fixes the keys' run part; TILL_GEN_TERMINAL names the terminal (default T1); TILL_GEN_AUDIT=1 also writes one
 * chained audit row per sale, as a till's log would hold (tests/e2e_chain.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cart.h"
#include "core/sale.h"
#include "offline/order.h"
#include "src/catalog.h"
#include "src/sales.h"
#include "src/store.h"

extern const char *const demo_catalog_csv[];

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: gen_sales DB N [SKU_A SKU_B]\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    if (n < 0 || n > 100000000L)
        n = 0;
    struct store *st;
    char err[256];
    if (store_open(argv[1], &st, err, sizeof err)) {
        fprintf(stderr, "gen_sales: %s\n", err);
        return 1;
    }
    struct tax_class red = { "red", "Reduced", 70000 }, std = { "std", "Standard", 190000 },
                     zero = { "zero", "Zero", 0 };
    catalog_upsert_tax_class(st, &red);
    catalog_upsert_tax_class(st, &std);
    catalog_upsert_tax_class(st, &zero);
    int empty = 0;
    catalog_is_empty(st, &empty);
    if (empty && catalog_import_csv(st, demo_catalog_csv[0], err, sizeof err)) {
        fprintf(stderr, "gen_sales: %s\n", err);
        return 1;
    }
    static const struct tax_config tc = { TAX_INCLUSIVE, TAX_ROUND_PER_TOTAL };
    struct product milk, rice;
    if (argc == 5 ? catalog_find_by_sku(st, argv[3], &milk) || catalog_find_by_sku(st, argv[4], &rice)
                  : catalog_find_by_sku(st, "SKU10001", &milk) || catalog_find_by_barcode(st, "4028710122696", &rice)) {
        fprintf(stderr, "gen_sales: products missing\n");
        return 1;
    }
    /* keys of their own: two benched tills (or two generated databases) never share one,
     * unless TILL_GEN_SEED names the run (tests/e2e_load.sh: three tills racing the same keys) */
    const char *seed = getenv("TILL_GEN_SEED");
    unsigned run = seed && *seed ? (unsigned)strtoul(seed, NULL, 16)
                                 : (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
    const char *terminal = getenv("TILL_GEN_TERMINAL");
    const char *audit = getenv("TILL_GEN_AUDIT");
    for (long i = 0; i < n; i++) {
        struct cart c;
        cart_init(&c, &tc);
        cart_add_item(&c, &milk, argc == 5 ? NULL : "4010433218190", (i % 3 + 1) * QTY_ONE);
        cart_add_item(&c, &rice, argc == 5 ? NULL : "4028710122696", QTY_ONE);
        struct sale s;
        memset(&s, 0, sizeof s);
        snprintf(s.uuid, sizeof s.uuid, "%08x-0000-4000-8000-%012ld", run, i % 1000000000L);
        snprintf(s.terminal_id, sizeof s.terminal_id, "%s", terminal && *terminal ? terminal : "T1");
        snprintf(s.cashier, sizeof s.cashier, "bench");
        money_format_init(&s.fmt, "EUR", "eu");
        s.tax = tc;
        s.cart = &c;
        s.npayments = 1;
        s.payments[0] = (struct payment){ .tender = TENDER_CASH, .amount = c.totals.total,
                                          .tendered = c.totals.total };
        s.completed_at = 1795583883 + i;
        if (sales_commit(st, &s, order_enqueue, NULL, err, sizeof err)) {
            fprintf(stderr, "gen_sales: %s\n", err);
            return 1;
        }
        if (sales_mark_spooled(st, s.uuid) != STORE_OK) {
            fprintf(stderr, "gen_sales: %s\n", store_errmsg(st));
            return 1;
        }
        if (audit && strcmp(audit, "1") == 0 &&
            store_audit(st, s.completed_at, s.terminal_id, "bench", "sale", s.uuid) != STORE_OK) {
            fprintf(stderr, "gen_sales: %s\n", store_errmsg(st));
            return 1;
        }
        cart_free(&c);
    }
    store_close(st);
    return 0;
}

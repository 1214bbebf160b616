/* The catalog: products, their barcodes, tax classes and the name index (products_fts).
 * Lookups for the sale screen (src/lookup.c), name search, and the one way the catalog is
 * written: changes are staged, then applied set-wise.  CSV import and the sync's catalog
 * pages both write through it. */
#ifndef TILL_CATALOG_H
#define TILL_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/product.h"

struct store;

/* STORE_OK, STORE_NOTFOUND or < 0. */
int catalog_find_by_barcode(struct store *st, const char *code, struct product *out);
int catalog_find_by_sku(struct store *st, const char *sku, struct product *out);
int catalog_find_by_id(struct store *st, int64_t id, struct product *out);
/* Search as the cashier types: one word may be a code, so an exact SKU / article number
 * or barcode comes first, then SKUs and barcodes that begin with it; then names (FTS5
 * word prefixes), unless the name index is still being built.  Fills up to max active
 * products, returns the count or < 0. */
int catalog_search(struct store *st, const char *query, struct product *out, int max);
/* 0 while the name index is being built (search then finds codes only). */
int catalog_name_index_ready(struct store *st);
int catalog_set_name_index_ready(struct store *st, int ready);
/* The server's catalog sequence this catalog is complete up to; kept in the catalog file
 * itself, so a snapshot brings its own.  catalog_set_cursor inside the caller's
 * transaction. */
int catalog_cursor(struct store *st, int64_t *out);
int catalog_set_cursor(struct store *st, int64_t cursor);
/* How many words of query the search uses (one-letter words wait for their next letter). */
int catalog_search_terms(const char *query);
int catalog_product_count(struct store *st, int64_t *out);
/* Calls each with the SKU of every active product, in SKU order (a backend without a
 * deletion feed compares them with its full list); a non-zero return stops with an error. */
typedef int (*catalog_sku_fn)(void *ctx, const char *sku);
int catalog_each_active_sku(struct store *st, catalog_sku_fn each, void *ctx);
/* Cheap on any catalog size (no count over a million rows at start-up). */
int catalog_is_empty(struct store *st, int *out);
int catalog_upsert_tax_class(struct store *st, const struct tax_class *tc);

/* Imports a CSV catalog (sku,barcode,name,price,unit,tax_class,age_restricted and optionally
 * group,deposit_sku; see assets/demo-catalog.csv; age_restricted is 0, 1 or a minimum age) in one transaction: all rows or none.  A row's barcodes
 * (separated by '|') replace the ones the product had.  A bad row is refused with its
 * line, field and reason in err: a GTIN with a wrong check digit, a tax class the
 * database does not know, a price that is not a whole number of minor units, ... */
int catalog_import_csv(struct store *st, const char *csv, char *err, size_t errlen);

/* Checks a catalog database file before it replaces the catalog (a snapshot): its
 * schema version, and the cursor and product count it says it holds.  0 or -1 with why. */
int catalog_file_check(const char *path, int schema, int64_t cursor, int64_t products, char *why, size_t len);

/* --- The catalog writer.  Inside the caller's transaction: catalog_stage_begin, then
 * the changes (each product followed by its barcodes), then catalog_stage_apply, which
 * writes them with one statement per table (the FTS5 name index flushes once per
 * statement, so row-by-row upserts would cost ten times more). */
struct catalog_change {
    const char *sku;
    int deleted;               /* a tombstone: the product becomes inactive, loses its barcodes */
    const char *name;
    int64_t price;
    enum unit unit;
    const char *tax_class;
    int age_restricted;        /* minimum age: 0 none, 1 the store's default, else the age */
    int active;
    const char *group;         /* promotion group, NULL or "" for none */
    const char *deposit_sku;   /* deposit item added with it, NULL or "" for none */
};

/* Sets up the staging tables; once per handle, outside a transaction. */
int catalog_writer_open(struct store *st);
/* Empties the stage. */
int catalog_stage_begin(struct store *st);
int catalog_stage_product(struct store *st, const struct catalog_change *c);
/* A barcode of the product last staged with that sku; the staged list replaces the
 * product's barcodes. */
int catalog_stage_barcode(struct store *st, const char *sku, const char *code);
/* Applies what was staged (updated_at = now). */
int catalog_stage_apply(struct store *st, int64_t now);
/* What the writer's statements cost on this handle so far (sqlite3_stmt_status): virtual
 * machine steps, steps of full scans, sorts (measurements). */
struct catalog_writer_cost {
    int64_t vm_steps, fullscan_steps, sorts;
};
void catalog_writer_cost(struct store *st, struct catalog_writer_cost *out);

#endif

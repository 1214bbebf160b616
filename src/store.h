/* Local storage: one SQLite database (WAL) holding catalog, sales, payments, outbox and
 * audit log.  Every business event is one transaction.  Prepared statements live as long
 * as the handle; parameters are always bound. */
#ifndef TILL_STORE_H
#define TILL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/product.h"

struct store;
struct sale;
struct sqlite3;

enum {
    STORE_OK = 0,
    STORE_NOTFOUND = 1,
    STORE_ERROR = -1,
    STORE_EBUSY = -2,
    STORE_EFULL = -3,  /* disk full: nothing was written */
};

#define STORE_ERRLEN 256

/* Opens (creating if needed) and migrates to the latest schema version. */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);
/* The raw handle, for modules that keep their own prepared statements (offline/, drivers). */
struct sqlite3 *store_db(struct store *st);
int store_schema_version(struct store *st);
int store_latest_version(void);

/* Catalog */
int store_product_count(struct store *st, int64_t *out);
/* Cheap on any catalog size (no count over a million rows at start-up). */
int store_catalog_empty(struct store *st, int *out);
int store_find_by_barcode(struct store *st, const char *code, struct product *out);
int store_find_by_sku(struct store *st, const char *sku, struct product *out);
int store_find_by_id(struct store *st, int64_t id, struct product *out);
/* Name search (FTS5 prefix); fills up to max results, returns the count or < 0. */
int store_search_products(struct store *st, const char *query, struct product *out, int max);
/* How many words of query the search uses (one-letter words wait for their next letter). */
int store_search_terms(const char *query);
/* Imports a CSV catalog (see assets/demo-catalog.csv) in one transaction. */
int store_import_catalog_csv(struct store *st, const char *csv, char *err, size_t errlen);
int store_upsert_tax_class(struct store *st, const struct tax_class *tc);

/* Encodes a numbered sale as its outbox row (key and payload, malloc'd); 0 or -1.  Storage
 * does not know the wire format: the caller hands the encoder in (offline/order.h). */
typedef int (*store_order_encoder)(const struct sale *sale, char **payload, char *key, size_t keylen);

/* Commits a completed sale: numbers it (sale->receipt_no), then writes sale, lines, taxes,
 * payments and its outbox row (from encode) in one transaction: all or nothing. */
int store_commit_sale(struct store *st, struct sale *sale, store_order_encoder encode,
                      char *err, size_t errlen);
int store_sale_count(struct store *st, int64_t *out);
int store_outbox_pending(struct store *st, int64_t *out);

int store_audit(struct store *st, int64_t at, const char *terminal, const char *cashier,
                const char *event, const char *detail);

/* meta table: small key/value settings (cursors, counters). */
int store_meta_get(struct store *st, const char *key, char *buf, size_t len);
int store_meta_set(struct store *st, const char *key, const char *value);

/* Fault injection for tests: the Nth statement step inside store_commit_sale fails. */
void store_fail_commit_step(struct store *st, int n);

#endif

/*
 * The store's database: catalog with its change sequence, stock movements and levels,
 * orders, terminal tokens. One `struct sdb` is one SQLite connection with its prepared
 * statements; use one per thread (see sdb_pool in http.c).
 */
#ifndef TILL_SERVER_DB_H
#define TILL_SERVER_DB_H

#include <stddef.h>
#include <stdint.h>

#include "server/strbuf.h"

enum { SDB_OK = 0, SDB_NOT_FOUND = 1, SDB_DUPLICATE = 2, SDB_ERROR = -1 };

#define SDB_DEFAULT_LOCATION "store-1"

struct sdb;

struct sdb_product {
    const char *sku;
    const char *name;
    int64_t price;
    const char *unit;      /* "each" or "kg" */
    const char *tax_class; /* "std", "red", "zero" */
    int age_restricted;
    int active;
};

struct sdb_order_line {
    int64_t line_no;
    const char *sku;
    const char *barcode; /* may be NULL */
    const char *name;    /* may be NULL */
    int64_t qty;
    int64_t unit_price;
    int64_t line_total;
    int voided;
};

struct sdb_order {
    const char *idempotency_key;
    const char *terminal_id; /* may be NULL */
    const char *sale_uuid;   /* may be NULL */
    const char *currency;
    const char *location;
    const char *payload; /* the order as received, kept for audit */
    int64_t total;
    int64_t completed_at;
    const struct sdb_order_line *lines;
    size_t nlines;
};

struct sdb_adjustment {
    const char *idempotency_key;
    const char *sku;
    const char *location;
    const char *kind; /* "count" or a delta kind */
    int64_t quantity;
    int64_t occurred_at;
    const char *reason; /* may be NULL */
};

/* Opens (creating if needed) and migrates the database. err gets a message on failure. */
int sdb_open(const char *path, struct sdb **out, char *err, size_t errlen);
void sdb_close(struct sdb *db);
const char *sdb_errmsg(struct sdb *db);

/* Write transactions (BEGIN IMMEDIATE) for callers that group several changes. */
/* A large page cache for one big import transaction (keeps it off the disk until commit). */
void sdb_bulk_mode(struct sdb *db);
int sdb_begin(struct sdb *db);
int sdb_commit(struct sdb *db);
void sdb_rollback(struct sdb *db);

int sdb_catalog_seq(struct sdb *db, int64_t *seq);

/*
 * Inserts or updates a product inside the caller's transaction. Its barcodes are added
 * (replace_barcodes = 0) or become exactly the given set (1). A product whose state
 * changed gets the next catalog seq; an identical re-import changes nothing.
 */
int sdb_product_put(struct sdb *db, const struct sdb_product *p, const char *const *barcodes,
                    size_t nbarcodes, int replace_barcodes);
/* Single changes, each its own transaction; SDB_NOT_FOUND for an unknown or deleted sku. */
int sdb_product_set_price(struct sdb *db, const char *sku, int64_t price);
int sdb_product_rename(struct sdb *db, const char *sku, const char *name);
int sdb_product_delete(struct sdb *db, const char *sku);
/* Current price of a live product; SDB_NOT_FOUND when unknown or deleted. */
int sdb_product_price(struct sdb *db, const char *sku, int64_t *price);

/* Appends the JSON answer of GET /v1/catalog to out. */
int sdb_catalog_page(struct sdb *db, int64_t since, int limit, struct strbuf *out);
/* Appends the JSON answer of GET /v1/stock to out. */
int sdb_stock_page(struct sdb *db, const char *location, int64_t since, int limit,
                   struct strbuf *out);

/* Creates (or replaces) the terminal's token; token_hex gets 64 hex digits + NUL. */
int sdb_token_create(struct sdb *db, const char *terminal_id, char *token_hex, size_t len);
/* SDB_OK when the token belongs to a terminal (its id copied out), else SDB_NOT_FOUND. */
int sdb_token_lookup(struct sdb *db, const char *token, char *terminal_id, size_t len);

/*
 * Stores an order, its lines and one sale movement per non-voided line in one
 * transaction. SDB_DUPLICATE (order_id = the first order's id) when the key exists.
 */
int sdb_order_store(struct sdb *db, const struct sdb_order *o, int64_t *order_id);
/* Stores a stock adjustment in its own transaction; SDB_DUPLICATE when the key exists.
 * A NULL idempotency_key is allowed (admin counts). */
int sdb_adjustment_store(struct sdb *db, const struct sdb_adjustment *a);
/* The stored on-hand of (sku, location); SDB_NOT_FOUND when never stocked. */
int sdb_stock_on_hand(struct sdb *db, const char *sku, const char *location, int64_t *on_hand);

#endif

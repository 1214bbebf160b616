/*
 * The store's database: catalog with its change sequence, stock movements and levels,
 * orders, terminal tokens. One `struct sdb` is one connection (SQLite or PostgreSQL, see
 * server/sql.h) with its prepared statements; use one per thread (the pool in http.c).
 */
#ifndef TILL_SERVER_DB_H
#define TILL_SERVER_DB_H

#include <stddef.h>
#include <stdint.h>

#include "server/sql.h"
#include "server/strbuf.h"

/* SDB_CONFLICT: the key is stored with another payload. SDB_RANGE: a stock level would leave
 * what tills accept (sdb_detail says which). */
enum { SDB_OK = 0, SDB_NOT_FOUND = 1, SDB_DUPLICATE = 2, SDB_CONFLICT = 3, SDB_RANGE = 4,
       SDB_ERROR = -1 };

#define SDB_DEFAULT_LOCATION "store-1"
/* Tills refuse a stock level beyond +/-2^50 (offline/sync.c), so one is never published. */
#define SDB_STOCK_MAX (INT64_C(1) << 50)
/* What a till accepts in a catalog page (offline/sync.c check_catalog_page). */
#define SDB_PRICE_MAX (INT64_C(1) << 50)
#define SDB_SKU_MAX 64
#define SDB_NAME_MAX 200
#define SDB_BARCODE_MAX 48
/* Hex SHA-256 and its NUL. */
#define SDB_HASH_HEX 65

struct sdb;

struct sdb_product {
    const char *sku;
    const char *name;
    int64_t price;
    const char *unit;      /* "each" or "kg" */
    const char *tax_class; /* "std", "red", "zero" */
    int age_restricted;    /* 0, 1 (the till's default age) or the minimum age */
    int active;
    const char *group;     /* promotion group, may be NULL */
    const char *deposit_sku; /* deposit item sold with it, may be NULL */
};

struct sdb_order_line {
    int64_t line_no;
    const char *sku;
    const char *barcode; /* may be NULL */
    const char *name;    /* may be NULL */
    int64_t qty;
    int64_t unit_price;
    int64_t line_total;
    int64_t discount;    /* line_total = unit_price x qty / 1000 rounded - discount */
    int64_t return_line; /* a returned line: the original's line_no (0: none) */
    int restock;         /* a returned line goes back into stock */
    int voided;
};

struct sdb_order {
    const char *idempotency_key;
    const char *terminal_id; /* may be NULL */
    const char *sale_uuid;   /* may be NULL */
    const char *currency;
    const char *location;
    const char *return_of; /* the original order's key for a return, else NULL */
    int64_t receipt_no;    /* the till's receipt number, 0 when not given */
    const char *payload; /* the order as received, kept for audit */
    const char *payload_sha256; /* sdb_payload_hash(payload) */
    int64_t total;
    int64_t completed_at;
    int64_t stock_at; /* when its sale movements happened: completed_at unless in the future */
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

/* Opens (creating if needed) and migrates the database: a SQLite file's path or a
 * postgresql:// URL. err gets a message on failure. */
int sdb_open(const char *target, struct sdb **out, char *err, size_t errlen);
void sdb_close(struct sdb *db);
/* The connection, for modules with their own tables (server/staff.c, server/feeds.c). */
struct sql_conn *sdb_conn(struct sdb *db);
/* "sqlite" or "postgresql". */
const char *sdb_backend(struct sdb *db);
/* 0 when the connection broke (the database restarted): close it, open another. */
int sdb_usable(struct sdb *db);
const char *sdb_errmsg(struct sdb *db);
/* Why the last call returned SDB_RANGE. */
const char *sdb_detail(struct sdb *db);
/* "journal_mode=wal synchronous=full", as the connection reports them. */
void sdb_durability(struct sdb *db, char *out, size_t len);
/* A whole decimal integer (no trailing text, no overflow); 0 on success. */
int parse_int64(const char *s, int64_t *out);

/* Write transactions for callers that group several changes: writers take turns, across
 * every server process (see sql.h). */
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

/* Hex SHA-256 of an order's payload: what a repeated idempotency key is compared by. */
void sdb_payload_hash(const char *payload, char hex[SDB_HASH_HEX]);
/* SDB_NOT_FOUND, or the stored order's id with SDB_DUPLICATE (same payload hash) or
 * SDB_CONFLICT (another payload under the same key). */
int sdb_order_find(struct sdb *db, const char *key, const char *payload_sha256, int64_t *order_id);
/*
 * Stores an order, its lines and one sale movement per non-voided line in one
 * transaction (a savepoint when the caller holds one, see sdb_begin). When the key exists: SDB_DUPLICATE or SDB_CONFLICT as sdb_order_find, with
 * order_id the first order's id. SDB_RANGE (nothing stored) when a stock level would leave
 * +/-SDB_STOCK_MAX.
 */
int sdb_order_store(struct sdb *db, const struct sdb_order *o, int64_t *order_id);
/* The key of the order terminal_id numbered receipt_no (its receipt's code). */
int sdb_order_key_by_receipt(struct sdb *db, const char *terminal_id, int64_t receipt_no, char *key,
                             size_t len);
/* What line line_no of the order stored under key sold (its sku, qty, voided). */
int sdb_order_line_sold(struct sdb *db, const char *key, int64_t line_no, char *sku, size_t sku_len,
                        int64_t *qty, int *voided);
/* How much of that line the stored returns (return_of = key) brought back. */
int sdb_order_line_returned(struct sdb *db, const char *key, int64_t line_no, int64_t *qty);
/* Appends the answer of GET /v1/orders/{key}: {"order_id", "order" (as the till sent it),
 * "returned": [{"line_no", "qty"}]}; SDB_NOT_FOUND for an unknown key. */
int sdb_order_get(struct sdb *db, const char *key, struct strbuf *out);
/* Stores a stock adjustment in its own transaction; SDB_DUPLICATE when the key exists,
 * SDB_RANGE as for orders. A NULL idempotency_key is allowed (admin counts). */
int sdb_adjustment_store(struct sdb *db, const struct sdb_adjustment *a);
/* The stored on-hand of (sku, location); SDB_NOT_FOUND when never stocked. */
int sdb_stock_on_hand(struct sdb *db, const char *sku, const char *location, int64_t *on_hand);

#endif

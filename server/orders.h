/*
 * Validation of uploaded orders and stock adjustments, and their per-item results.
 *
 * An order is checked against what a till can honestly send (core/cart.c, core/money.c,
 * core/tax.c, offline/order.c): bounded quantities and amounts, line totals recomputed,
 * totals and payments adding up. A rejected item never touches the database.
 */
#ifndef TILL_SERVER_ORDERS_H
#define TILL_SERVER_ORDERS_H

#include <cjson/cJSON.h>

#include "server/server_db.h"

#define ORDERS_MAX_LINES 1000                 /* CART_MAX_LINES */
#define ORDERS_MAX_PAYMENTS 16                /* SALE_MAX_PAYMENTS */
#define ORDERS_MAX_QTY INT64_C(100000000)     /* CART_MAX_QTY: 100,000 pieces or kg */
#define ORDERS_MAX_AMOUNT (INT64_C(1) << 50)  /* tills refuse prices beyond it */
#define ORDERS_MAX_TAX_CLASSES 8              /* TAX_MAX_CLASSES */
#define ORDERS_MAX_KEY 127                    /* what the till matches results by */
#define ORDERS_MAX_SKU 64                     /* what the till accepts in a stock page */
#define ORDERS_MAX_LOCATION 63
/* How far ahead of the server's clock a till's may run before a count or delta is refused. */
#define ORDERS_CLOCK_SKEW 300

/* What an item is checked against. */
struct orders_rules {
    const char *currency;    /* the store's */
    const char *terminal_id; /* the token's terminal; NULL skips the check */
    int64_t now;             /* the server's clock, Unix seconds */
};

/*
 * 0 when every item of a batch (orders or adjustments) belongs to the terminal: its
 * idempotency_key starts with "TERMINAL:" and its terminal_id, when given, is TERMINAL.
 * Else -1 and why in reason (the request is refused as a whole: 403).
 */
int orders_terminal_check(const cJSON *items, const char *terminal, char *reason, size_t rlen);

/*
 * Checks one order without the database and fills o (its strings point into order) and
 * *lines (malloc'd, the caller frees it even on failure). -1 with why in reason.
 */
int orders_validate(const cJSON *order, const struct orders_rules *rules, struct sdb_order *o,
                    struct sdb_order_line **lines, char *reason, size_t rlen);

/*
 * Checks one order, stores it when valid and new, and appends its result to results.
 * SDB_CONFLICT when its key is stored with another payload (its result is a rejection
 * with code "conflict"), SDB_ERROR only for a storage failure, else SDB_OK.
 */
int orders_handle(struct sdb *db, const cJSON *order, const struct orders_rules *rules,
                  cJSON *results);
/* The same for one stock adjustment. */
int adjustments_handle(struct sdb *db, const cJSON *adj, const struct orders_rules *rules,
                       cJSON *results);

#endif

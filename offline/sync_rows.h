/* One row of a page the store server sent (catalog, staff, stock, promotions, customers),
 * checked on its own: the sync applies every row that passes and parks the others with
 * the reason given here (src/sync_rejects.c), so one bad record never stops a page.  A
 * page's envelope (its array, has_more, next_cursor) is offline/sync.c's to check. */
#ifndef TILL_SYNC_ROWS_H
#define TILL_SYNC_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum sync_row_feed { SYNC_ROW_CATALOG, SYNC_ROW_STAFF, SYNC_ROW_STOCK, SYNC_ROW_PROMOTIONS, SYNC_ROW_CUSTOMERS };

/* The feed's name as the parked list shows it: "catalog", "staff", ... */
const char *sync_row_feed_name(enum sync_row_feed feed);

#define SYNC_ROW_SEQ_MAX (INT64_C(1) << 52)
#define SYNC_ROW_PRICE_MAX (INT64_C(1) << 50)   /* the server's bound too (SDB_PRICE_MAX) */
#define SYNC_ROW_STOCK_MAX (INT64_C(1) << 50)   /* |on_hand| in thousandths */

/* 0 when row can be applied, else -1 with why (one line, no control characters).  Either
 * way *seq is the row's seq (0 when it has no valid one) and key what names the record:
 * the sku, the staff or customer id, the promotion id ("" when it has none; an overlong
 * one is cut, with "..."). */
int sync_row_check(enum sync_row_feed feed, const cJSON *row, int64_t *seq, char *key, size_t keylen,
                   char *why, size_t len);

#endif

/* The store server's promotions and customers feeds (GET /v1/promotions, GET /v1/customers,
 * assets/store-api.yaml): a page's wire format, checked whole, then written through the
 * tables' own modules (src/promotions.c, src/customers.c).  offline/sync.c pulls the pages
 * by cursor like the catalog's and applies them record by record, in slices. */
#ifndef TILL_FEEDS_H
#define TILL_FEEDS_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct store;

/* 0 when every change of the page has a seq, an id and well-typed fields; else -1 with why.
 * A promotion the pricing engine would refuse (promo_check) is not a malformed page: it is
 * applied as a removal and named in the apply's note, so one bad promotion cannot stop the
 * sync. */
int feeds_check_promotions(const cJSON *changes, char *why, size_t len);
/* One change of a page (offline/sync_rows.c checks rows one by one and parks the bad ones). */
int feeds_check_promotion(const cJSON *change, char *why, size_t len);
int feeds_check_customer(const cJSON *change, char *why, size_t len);
int feeds_check_customers(const cJSON *changes, char *why, size_t len);
/* Inside the caller's transaction, one checked change: 0 or -1.  note ("" when none) names a
 * promotion that was refused, for the log.  The sync applies a page in slices, record by
 * record (offline/sync.c); tests and the fuzz target apply whole pages. */
int feeds_apply_promotion(struct store *st, const cJSON *change, char *note, size_t notelen);
int feeds_apply_customer(struct store *st, const cJSON *change);
/* A whole page: the changes applied (count), or -1; note names every refused promotion. */
int feeds_apply_promotions(struct store *st, const cJSON *changes, char *note, size_t notelen);
int feeds_apply_customers(struct store *st, const cJSON *changes);

#endif

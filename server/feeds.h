/*
 * The promotions and customers feeds of the store server (the feed_items table and all its
 * SQL): each item is a JSON object kept as checked, with a per-feed change sequence;
 * deleting one leaves a tombstone, so tills that paged past it learn of the deletion.
 * GET /v1/promotions and GET /v1/customers page them like the catalog.
 */
#ifndef TILL_SERVER_FEEDS_H
#define TILL_SERVER_FEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "server/server_db.h"
#include "server/strbuf.h"

#define FEED_PROMOTIONS "promotions"
#define FEED_CUSTOMERS "customers"

/* Checks a promotion (a JSON object as in assets/store-api.yaml) and stores it; without an
 * "id" it gets the next free one.  *id gets the id; SDB_RANGE with why for a bad promotion. */
int feeds_promotion_put(struct sdb *db, const char *json, int64_t *id, char *why, size_t len);
int feeds_customer_put(struct sdb *db, const char *id, const char *name, const char *segment,
                       const char *card, char *why, size_t len);
/* A tombstone; SDB_NOT_FOUND when there is no such live item. */
int feeds_delete(struct sdb *db, const char *feed, const char *id);
/* Appends the answer of GET /v1/{feed}: {"changes":[...],"next_cursor","has_more"}. */
int feeds_page(struct sdb *db, const char *feed, int64_t since, int limit, struct strbuf *out);
/* Checks a promotion object: 0, or -1 with why (also what server fuzzing exercises). */
int feeds_promotion_check(const char *json, char *why, size_t len);

#endif

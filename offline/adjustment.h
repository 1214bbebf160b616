/* A stock adjustment as the store API carries it (assets/store-api.yaml, Adjustment): its
 * wire format and idempotency key, built in one place, like offline/order.c for sales. */
#ifndef TILL_OFFLINE_ADJUSTMENT_H
#define TILL_OFFLINE_ADJUSTMENT_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct stock_adjustment {
    const char *terminal_id;
    const char *document;   /* what it belongs to (a count's id): with the sku, the key */
    const char *sku;
    const char *location;
    const char *kind;       /* "count", "received", ... */
    int64_t quantity;       /* a count: on hand as of occurred_at; else a signed delta */
    int64_t occurred_at;
    const char *reason;     /* may be NULL */
};

/* "terminal id:document:sku": the same document's item always has the same key, so a
 * count queued or sent twice is applied once. */
void adjustment_idempotency_key(const struct stock_adjustment *a, char *out, size_t len);
/* Adjustment JSON (malloc'd, the caller frees); 0 or -1. */
int adjustment_to_json(const struct stock_adjustment *a, char **out);
/* Queues it in the outbox, inside the caller's transaction: STORE_OK or an error. */
int adjustment_enqueue(struct store *st, const struct stock_adjustment *a, int64_t now);

#endif

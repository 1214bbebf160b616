/* A completed sale as an order of the store API: its wire format and its idempotency key,
 * built in one place.  The key is what the server deduplicates by. */
#ifndef TILL_OFFLINE_ORDER_H
#define TILL_OFFLINE_ORDER_H

#include <stddef.h>

#include "core/sale.h"

struct store;

#define ORDER_KEY_MAX 80

/* "terminal id:sale uuid" */
void order_idempotency_key(const struct sale *sale, char *out, size_t len);
/* Order JSON (malloc'd, the caller frees); 0 or -1 when out of memory. */
int order_to_json(const struct sale *sale, char **out);
/* Queues the numbered sale as an order in the outbox.  A sales_in_tx_fn (src/sales.h):
 * the app hands it to sales_commit, so the order lands in the sale's own transaction. */
int order_enqueue(struct store *st, const struct sale *sale, void *ctx);

#endif

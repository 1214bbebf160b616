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
/* After till --salvage: queues again, as new pending orders, every stored sale whose order
 * the outbox no longer holds (its row was in the damaged part).  Re-sending is safe: the
 * server de-duplicates by key, and a rebuilt payload that differs from the one it holds
 * (a line priced from its label) is answered 409 and parked, visible in till --outbox.
 * A row still there (pending, sent or parked) is left as it is.  as gives the store name,
 * money format and tax settings; *queued and *kept count the two.  STORE_OK or an error
 * (then nothing was queued). */
int order_requeue_unsent(struct store *st, const struct sale *as, int64_t *queued, int64_t *kept);

#endif

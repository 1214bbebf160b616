/* A completed sale as an order of the store API: its wire format and its idempotency key,
 * built in one place.  The key is what the server deduplicates by. */
#ifndef TILL_OFFLINE_ORDER_H
#define TILL_OFFLINE_ORDER_H

#include <stddef.h>

#include "core/sale.h"

#define ORDER_KEY_MAX 80

/* "terminal id:sale uuid" */
void order_idempotency_key(const struct sale *sale, char *out, size_t len);
/* Order JSON (malloc'd, the caller frees); 0 or -1 when out of memory. */
int order_to_json(const struct sale *sale, char **out);
/* Both at once, as store_commit_sale wants them (a store_order_encoder). */
int order_encode(const struct sale *sale, char **payload, char *key, size_t keylen);

#endif

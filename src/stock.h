/* Stock levels per SKU and location, as the store server last reported them (written by
 * the sync's stock pages). */
#ifndef TILL_STOCK_H
#define TILL_STOCK_H

#include <stdint.h>

struct store;

/* Sets the level of sku at location to on_hand (thousandths) as of the server's seq. */
int stock_level_set(struct store *st, const char *sku, const char *location, int64_t on_hand, int64_t seq);
/* STORE_OK with *on_hand, STORE_NOTFOUND when the server never reported one, or < 0. */
int stock_level_get(struct store *st, const char *sku, const char *location, int64_t *on_hand);

/* Calls each for every level at location above zero, by sku; 0 or the first non-zero
 * return of each (a stock count lists what was expected and not counted). */
typedef int (*stock_level_fn)(void *ctx, const char *sku, int64_t on_hand);
int stock_levels_each_positive(struct store *st, const char *location, stock_level_fn each, void *ctx);

#endif

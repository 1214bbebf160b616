/* Promotions and customer-segment prices as synced from the store server (the promotions
 * and promotion_targets tables and all their SQL).  The pricing engine (core/pricing.h)
 * prices a sale with the few promotions its items can meet: a scan asks for those of its
 * sku and group, through an index, so the number of promotions in force does not slow it. */
#ifndef TILL_PROMOTIONS_H
#define TILL_PROMOTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/pricing.h"

struct store;

/* A row of the promotions feed: a promotion, or a segment's price for a sku. */
struct promotion_row {
    int is_segment_price;
    struct promo promo;            /* is_segment_price 0 */
    struct segment_price price;    /* is_segment_price 1 (promo.id is still its id) */
};

/* The feed's kind names ("multibuy_price", "multibuy_free", "bundle", "percent", "spend",
 * "segment_price"); -1 for an unknown one. */
int promotion_kind_parse(const char *name, int *is_segment_price, enum promo_kind *kind);
const char *promotion_kind_name(enum promo_kind kind);

/* Inside the caller's transaction: stores (or replaces) a row, or removes id. */
int promotions_put(struct store *st, const struct promotion_row *row);
int promotions_delete(struct store *st, int64_t id);

/* What one item can meet: the promotions aimed at its sku, its group or every item, and
 * its segment prices.  Fills at most max of each; returns STORE_OK or < 0 and the counts. */
int promotions_for_item(struct store *st, const char *sku, const char *group, struct promo *promos,
                        int max, int *npromos, struct segment_price *prices, int maxprices,
                        int *nprices);
/* Promotions for every item (target '*'): spend-X-get-Y and store-wide percentages. */
int promotions_for_all(struct store *st, struct promo *promos, int max, int *npromos);
/* The promotions a coupon code unlocks (count in *n; 0 when the code is no coupon). */
int promotions_for_coupon(struct store *st, const char *code, struct promo *promos, int max, int *n);
int promotions_count(struct store *st, int64_t *out);

/* The promotions and segment prices one sale can meet, gathered scan by scan (the cart
 * points at its arrays).  At most PRICING_MAX_PROMOS promotions: more are left out and
 * counted in dropped. */
#define PROMO_SET_PRICES 64
struct promo_set {
    struct promo promos[PRICING_MAX_PROMOS];
    int n;
    struct segment_price prices[PROMO_SET_PRICES];
    int nprices;
    int dropped;
};

/* Empties the set and takes the store-wide promotions. */
int promo_set_begin(struct store *st, struct promo_set *set);
/* Adds what an item can meet: 1 when the set changed (tell the cart), 0 when not, < 0 error. */
int promo_set_add_item(struct store *st, struct promo_set *set, const char *sku, const char *group);
/* Adds what a coupon unlocks: 1 changed, 0 when the code unlocks nothing new (*found says
 * whether it is a coupon at all), < 0 error. */
int promo_set_add_coupon(struct store *st, struct promo_set *set, const char *code, int *found);

#endif

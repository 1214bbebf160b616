/* The pricing engine: what each line of a sale costs after customer prices, promotions and
 * the cashier's discounts.  Pure: no I/O, no clock (the time is passed in).  Money is int64
 * minor units; every product and sum is checked.
 *
 * Application order (README, "Discounts and promotions"), the same on every till:
 *   1. Customer price: with a customer segment, a lower price from that segment's list.
 *   2. Exclusive item promotions (multi-buy, mix-and-match, bundle, percentage off): each
 *      item belongs to at most one, the best for the customer by its nominal rate (percent
 *      off; 1/n for n-for-(n-1); (n x price - P) / (n x price) for n for P, at most 1/n; 1/k
 *      for a bundle of k); ties: the lowest id.  The choice depends on the item alone, not
 *      on the rest of the cart, so adding an item never lowers the total.
 *   3. Combinable percentage promotions, on what the lines cost after step 2, except units
 *      in a multi-buy or bundle (a deal is not discounted again).
 *   4. The cashier's line discounts (percentage of, or amount off, the line after step 3).
 *   5. Sale-level: spend-X-get-Y promotions, then the cashier's sale discount, each shared
 *      over the lines in proportion to what they cost at that point.
 * Tax is then computed on the discounted line totals (core/tax.c, unchanged).
 *
 * Rounding: a percentage is rounded per line, half away from zero.  A sale-level amount is
 * shared in whole minor units: each line gets its proportional share rounded down, and the
 * minor units left over go one each to the lines with the largest remainders (ties: the
 * earlier line).  A group promotion's saving is shared over its lines the same way.
 *
 * Guarantees (tests/test_pricing.c checks them on random carts): a line's discount is
 * between 0 and what the line costs, so totals never go negative and never exceed the
 * undiscounted total; a multi-buy or bundle never saves more than its cheapest unit and a
 * spend promotion holds the total at X-Y between X-Y and X, so adding an item never lowers
 * the total. */
#ifndef TILL_PRICING_H
#define TILL_PRICING_H

#include <stddef.h>
#include <stdint.h>

#define PRICING_CODE_MAX 32
#define PRICING_NAME_MAX 48
#define PRICING_LABEL_MAX 64
#define PROMO_BUNDLE_MAX 4
#define PROMO_GROUP_MAX 50          /* N of a multi-buy */
#define PRICING_MAX_PROMOS 64       /* promotions considered for one sale */
#define PRICING_MAX_COUPONS 8

enum {
    PRICING_OK = 0,
    PRICING_EINVAL = -1,
    PRICING_EOVERFLOW = -2,
};

/* A discount the cashier gives: percent in basis points (10 % = 1000) or an amount. */
enum discount_kind { DISCOUNT_NONE, DISCOUNT_PERCENT, DISCOUNT_AMOUNT };

struct discount_spec {
    enum discount_kind kind;
    int64_t value;                  /* basis points, or minor units */
    char reason[24];                /* reason code: "damaged", "staff", "price_match" */
};

enum promo_kind {
    PROMO_MULTIBUY_PRICE,  /* n units of the target for price ("2 for 5,00") */
    PROMO_MULTIBUY_FREE,   /* n units for the price of m ("3 for 2") */
    PROMO_BUNDLE,          /* one of each bundle sku for price */
    PROMO_PERCENT,         /* percent_bp off the target */
    PROMO_SPEND,           /* a sale of threshold or more gets amount_off off */
};

/* A promotion as synced from the store server.  The target is a sku, a product group
 * (mix-and-match) or, with both empty, every item. */
struct promo {
    int64_t id;
    char name[PRICING_NAME_MAX];
    enum promo_kind kind;
    char sku[PRICING_CODE_MAX];
    char group[PRICING_CODE_MAX];
    char bundle[PROMO_BUNDLE_MAX][PRICING_CODE_MAX];
    int nbundle;
    int64_t n, m;                   /* multi-buy */
    int64_t price;                  /* multi-buy price, bundle price */
    int64_t percent_bp;             /* percent */
    int64_t threshold, amount_off;  /* spend */
    int64_t valid_from, valid_to;   /* Unix seconds; 0 = open */
    int day_from, day_to;           /* minutes of the local day [from, to); both 0 = all day */
    char coupon[PRICING_CODE_MAX];  /* not empty: only with this coupon scanned */
    char segment[16];               /* not empty: only for customers of this segment */
    int combinable;                 /* PERCENT only: applies on top of the exclusive ones */
};

/* A customer segment's price for a sku. */
struct segment_price {
    char segment[16];
    char sku[PRICING_CODE_MAX];
    int64_t price;
};

/* What the engine prices: everything that is not per line. */
struct pricing_context {
    int64_t now;                    /* Unix seconds: validity windows */
    int minute_of_day;              /* local time, 0..1439: time-of-day windows */
    const char *segment;            /* the customer's segment, NULL or "" without one */
    char coupons[PRICING_MAX_COUPONS][PRICING_CODE_MAX];
    int ncoupons;
    struct discount_spec sale_discount;
};

/* One line as the engine sees it; discount and label are its output. */
struct pricing_line {
    const char *sku, *group;
    int64_t unit_price;
    int64_t qty;                    /* thousandths */
    int64_t gross;                  /* unit_price x qty, rounded (what it costs undiscounted) */
    int pieces;                     /* sold each: multi-buys and bundles count its units */
    int fixed;                      /* a return or a label price: the engine leaves it alone */
    struct discount_spec manual;
    /* out */
    int64_t discount;               /* 0 <= discount <= gross */
    char label[PRICING_LABEL_MAX];  /* "3 for 2, Staff 10%" */
};

/* One promotion or discount that took effect, for the receipt. */
struct pricing_applied {
    char name[PRICING_NAME_MAX];
    int64_t amount;
};

struct pricing_result {
    int64_t discount;               /* the sum over all lines */
    struct pricing_applied applied[PRICING_MAX_PROMOS + 2];
    int napplied;
};

/* Prices lines[0..n): sets each line's discount and label.  promos and prices may be NULL.
 * Promotions outside their validity or day window, or needing another segment or a coupon
 * not scanned, are skipped.  result may be NULL. */
int pricing_apply(const struct promo *promos, int npromos, const struct segment_price *prices,
                  int nprices, const struct pricing_context *ctx, struct pricing_line *lines,
                  int n, struct pricing_result *result);

/* Whether p takes effect at ctx (dates, day window, segment, coupon). */
int promo_active(const struct promo *p, const struct pricing_context *ctx);
/* 0 when p is well formed (what the sync checks before storing one), else why in reason. */
int promo_check(const struct promo *p, char *reason, size_t len);
/* What a discount of spec takes off amount (>= 0), never more than amount. */
int discount_of(const struct discount_spec *spec, int64_t amount, int64_t *out);

/* The refund for returning qty of a line sold as sold_qty for paid (what the line cost after
 * every discount), when returned_before was already returned: what was actually paid for
 * those units.  Cumulative rounding, so that returning a line piece by piece refunds exactly
 * what it cost in the end.  -1 when qty is more than is left. */
int pricing_refund_share(int64_t paid, int64_t sold_qty, int64_t returned_before, int64_t qty,
                         int64_t *refund);

#endif

/* The cart: lines scanned so far, with quantities, voids and totals.  Pure: no I/O.
 * An item keeps the price it was scanned at, whatever the catalog does afterwards. */
#ifndef TILL_CART_H
#define TILL_CART_H

#include <stddef.h>
#include <stdint.h>

#include "core/pricing.h"
#include "core/product.h"
#include "core/tax.h"

enum {
    CART_OK = 0,
    CART_EINVAL = -1,    /* zero/negative quantity, bad line index */
    CART_EOVERFLOW = -2, /* a total would not fit in int64 */
    CART_ENOMEM = -3,
    CART_EFULL = -4,     /* too many lines */
    CART_EVOIDED = -5,   /* the line is voided */
    CART_EINACTIVE = -6, /* product not for sale */
    CART_EQTYMAX = -7,   /* more than CART_MAX_QTY on one line */
    CART_EPIECES = -8,   /* a fraction of an item sold each */
    CART_ELABEL = -9,    /* the line's weight or price comes from its label */
    CART_EPRICE = -10,   /* a negative price */
    CART_ERETURN = -11,  /* a returned line: its quantity and price come from the original */
};

#define CART_MAX_LINES 1000
#define CART_MAX_PIECES 100000   /* the most one line holds: pieces, or kg */
#define CART_MAX_QTY ((int64_t)CART_MAX_PIECES * QTY_ONE)

struct cart_line {
    struct product product;  /* copy: the price at scan time */
    char barcode[64];
    int64_t qty;             /* thousandths: pieces * 1000, or grams */
    int64_t unit_price;
    int64_t gross;           /* unit_price * qty, rounded; or the price from the barcode */
    int64_t discount;        /* what customer prices, promotions and discounts take off */
    int64_t line_total;      /* gross - discount: what the line costs (negative: refunded) */
    char discount_label[PRICING_LABEL_MAX];   /* "3 for 2, Discount damaged" */
    struct discount_spec manual;              /* the cashier's discount on this line */
    int price_from_barcode;  /* variable-measure label: line_total is fixed */
    int qty_from_label;      /* the label gave the weight (or count): fixed too */
    int voided;
    /* A returned line: qty, gross and line_total are negative; line_total is what was paid
     * for those units on the original sale (core/pricing.h pricing_refund_share). */
    char return_of[80];      /* the original order's idempotency key; "" for a sale line */
    int return_line;         /* its line number there; 0 for a return without receipt */
    int restock;             /* the returned goods go back on the shelf */
    char reason[24];         /* why it came back */
    /* From GS1 data on the label, when present. */
    char batch[24];
    char serial[24];
    int32_t expiry;          /* YYYYMMDD, 0 if none */
    int expired;
    char age_check[40];      /* an age-restricted item: how the age was checked ("looks over 18") */
};

/* What prices the cart besides its lines (core/pricing.h); the owner keeps promos and
 * prices alive while the cart points at them. */
struct cart_pricing {
    const struct promo *promos;
    int npromos;
    const struct segment_price *prices;
    int nprices;
    struct pricing_context ctx;     /* time, customer segment, coupons, sale discount */
    struct pricing_result applied;  /* what took effect, for the receipt */
};

struct cart {
    struct tax_config tax;
    struct cart_line *lines;
    int nlines, cap;
    struct tax_totals totals;
    struct cart_pricing pricing;
    char customer_id[40];           /* the customer's id, "" for none */
    char customer_segment[16];      /* pricing.ctx.segment points here */
};

void cart_init(struct cart *cart, const struct tax_config *tax);
void cart_free(struct cart *cart);
void cart_clear(struct cart *cart);

/* Adds qty of product; a piece item with the same barcode already last in the cart is
 * not merged: every scan is a line, as on the receipt. */
int cart_add_item(struct cart *cart, const struct product *p, const char *barcode, int64_t qty);
/* Adds qty of product as a scale label states it: the quantity cannot change afterwards
 * (cart_set_qty refuses with CART_ELABEL). */
int cart_add_label_item(struct cart *cart, const struct product *p, const char *barcode, int64_t qty);
/* Adds a line whose total comes from a price-embedded label (qty may be 0 = unknown). */
int cart_add_priced_item(struct cart *cart, const struct product *p, const char *barcode,
                         int64_t qty, int64_t line_total);
/* A returned line (see struct cart_line): qty > 0 of p sold at unit_price, refunding refund
 * (>= 0).  return_of "" and return_line 0 for a return without receipt. */
int cart_add_return(struct cart *cart, const struct product *p, const char *barcode, int64_t qty,
                    int64_t unit_price, int64_t refund, const char *return_of, int return_line,
                    int restock, const char *reason);
/* A new quantity for line; a line whose quantity or price a label gave, or a returned
 * line, is refused. */
int cart_set_qty(struct cart *cart, int line, int64_t qty);
/* What cart_set_qty would refuse it for (CART_OK: only an overflow could still fail). */
int cart_check_qty(const struct cart *cart, int line, int64_t qty);
/* Appends a line as it was saved (a parked sale coming back): its product, quantity,
 * prices, the cashier's discount, return details and void; promotions price it again. */
int cart_restore_line(struct cart *cart, const struct cart_line *line);
int cart_void_line(struct cart *cart, int line);
/* Takes a line out as if never scanned (an age check refused): the lines after it move up. */
int cart_remove_line(struct cart *cart, int line);
/* A price override: line's unit price becomes price (>= 0); a label-priced or returned line
 * is refused (CART_ELABEL, CART_ERETURN). */
int cart_set_unit_price(struct cart *cart, int line, int64_t price);
/* How the customer's age was checked for line (recorded with the sale). */
int cart_set_line_age_check(struct cart *cart, int line, const char *how);
/* GS1 data read from the label of line (batch, serial, use-by date YYYYMMDD or 0, and
 * whether that date has passed); longer texts are cut to the line's fields. */
int cart_set_line_label(struct cart *cart, int line, const char *batch, const char *serial,
                        int32_t expiry, int expired);
/* Pricing: each reprices every line and recomputes the totals; on failure nothing changes. */
int cart_set_line_discount(struct cart *cart, int line, const struct discount_spec *d);
int cart_set_sale_discount(struct cart *cart, const struct discount_spec *d);
/* Promotions and customer prices (kept by the caller).  The clock is passed in; it takes
 * effect at the next change or cart_reprice. */
int cart_set_promotions(struct cart *cart, const struct promo *promos, int npromos,
                        const struct segment_price *prices, int nprices);
int cart_set_clock(struct cart *cart, int64_t now, int minute_of_day);
/* The same without pricing now: for a line about to be added, whose add prices the cart
 * (one pricing per scan instead of two). */
void cart_use_promotions(struct cart *cart, const struct promo *promos, int npromos,
                         const struct segment_price *prices, int nprices);
/* The customer (id and segment, "" for none): segment prices and promotions follow. */
int cart_set_customer(struct cart *cart, const char *id, const char *segment);
int cart_add_coupon(struct cart *cart, const char *code);
/* Prices again (e.g. after the promotions changed). */
int cart_reprice(struct cart *cart);
/* Sum of the lines before discounts, and of what the sale's lines are discounted. */
int64_t cart_gross(const struct cart *cart);
int64_t cart_discount(const struct cart *cart);
int cart_has_returns(const struct cart *cart);
/* Lines that count (not voided). */
int cart_active_lines(const struct cart *cart);
int cart_is_empty(const struct cart *cart);
/* Pieces in the cart, as "Items N" should say: 3 bottles count 3, a weighed line (or a
 * price label) counts 1, voided lines nothing. */
int64_t cart_item_count(const struct cart *cart);
const char *cart_strerror(int rc);

#endif

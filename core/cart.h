/* The cart: lines scanned so far, with quantities, voids and totals.  Pure: no I/O.
 * An item keeps the price it was scanned at, whatever the catalog does afterwards. */
#ifndef TILL_CART_H
#define TILL_CART_H

#include <stddef.h>
#include <stdint.h>

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
};

#define CART_MAX_LINES 1000
#define CART_MAX_PIECES 100000   /* the most one line holds: pieces, or kg */
#define CART_MAX_QTY ((int64_t)CART_MAX_PIECES * QTY_ONE)

struct cart_line {
    struct product product;  /* copy: the price at scan time */
    char barcode[64];
    int64_t qty;             /* thousandths: pieces * 1000, or grams */
    int64_t unit_price;
    int64_t line_total;      /* unit_price * qty, rounded; or the price from the barcode */
    int price_from_barcode;  /* variable-measure label: line_total is fixed */
    int qty_from_label;      /* the label gave the weight (or count): fixed too */
    int voided;
    /* From GS1 data on the label, when present. */
    char batch[24];
    char serial[24];
    int32_t expiry;          /* YYYYMMDD, 0 if none */
    int expired;
};

struct cart {
    struct tax_config tax;
    struct cart_line *lines;
    int nlines, cap;
    struct tax_totals totals;
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
/* A new quantity for line; a line whose quantity or price a label gave is refused. */
int cart_set_qty(struct cart *cart, int line, int64_t qty);
/* What cart_set_qty would refuse it for (CART_OK: only an overflow could still fail). */
int cart_check_qty(const struct cart *cart, int line, int64_t qty);
int cart_void_line(struct cart *cart, int line);
/* GS1 data read from the label of line (batch, serial, use-by date YYYYMMDD or 0, and
 * whether that date has passed); longer texts are cut to the line's fields. */
int cart_set_line_label(struct cart *cart, int line, const char *batch, const char *serial,
                        int32_t expiry, int expired);
/* Lines that count (not voided). */
int cart_active_lines(const struct cart *cart);
int cart_is_empty(const struct cart *cart);
/* Pieces in the cart, as "Items N" should say: 3 bottles count 3, a weighed line (or a
 * price label) counts 1, voided lines nothing. */
int64_t cart_item_count(const struct cart *cart);
const char *cart_strerror(int rc);

#endif

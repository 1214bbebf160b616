/* A return against a receipt: the original sale as it was paid, what of each line can
 * still come back, and what that refunds.  Pure: no I/O.  The original is read from the
 * local database (src/sales.c) or from the store server (offline/order_lookup.c). */
#ifndef TILL_RETURNS_H
#define TILL_RETURNS_H

#include <stddef.h>
#include <stdint.h>

#include "core/product.h"
#include "core/sale.h"

#define RETURNS_MAX_LINES 200

struct original_line {
    int line_no;
    struct product product;      /* sku, name, unit, tax class and rate as sold */
    char barcode[64];
    int64_t qty;                 /* sold, thousandths */
    int64_t unit_price;
    int64_t paid;                /* the line total: what was paid after every discount */
    int64_t returned;            /* already returned (here, and on the server when online) */
    int voided;
};

struct original_sale {
    char key[80];                /* the order's idempotency key, "TERMINAL:UUID" */
    char uuid[40];
    char terminal_id[32];
    int64_t receipt_no;
    int64_t completed_at;
    int64_t total;
    struct original_line lines[RETURNS_MAX_LINES];
    int nlines;
    int64_t paid_by[3];          /* per enum tender_kind: what the sale was paid with */
    int from_server;             /* looked up on the store server */
};

/* What of line can still be returned (0 for a voided or returned line). */
int64_t returns_available(const struct original_line *l);
/* The refund for qty more of line (core/pricing.h pricing_refund_share); -1 when qty is
 * above what is available or not a valid quantity for the item. */
int returns_refund(const struct original_line *l, int64_t qty, int64_t *refund);
/* The index of line_no in o, or -1. */
int returns_find_line(const struct original_sale *o, int line_no);
/* The tender a refund goes back to by default: the original's card, else cash, else
 * voucher. */
enum tender_kind returns_original_tender(const struct original_sale *o);

#endif

/* The one way a scan becomes a product: the sale screen, returns and stock counts all call
 * lookup_scan, so a code that sells also returns and counts. */
#ifndef TILL_LOOKUP_H
#define TILL_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "core/barcode.h"
#include "core/product.h"

struct store;

enum {
    LOOKUP_OK = 0,
    LOOKUP_NOTFOUND = 1,   /* a valid code that is not in the catalog */
    LOOKUP_EINVALID = 2,   /* not a usable barcode (check digit, garbage, bad GS1 data) */
    LOOKUP_EMISMATCH = 3,  /* the label carries a weight but the item is sold each */
    LOOKUP_ERROR = -1,     /* the catalog could not be read */
};

struct scan_result {
    struct product product;
    struct barcode code;    /* everything the barcode said (keys, GS1 data, label values) */
    char line_code[BARCODE_KEY_LEN]; /* what a cart line records: the label's digits or GTIN */
    int has_qty;
    int64_t qty;            /* thousandths of a kg from the label (weight) */
    int has_price;
    int64_t price;          /* line total from the label, minor units */
};

/* Parses scan, tries its keys in order (plain codes also as a SKU) and fills out.
 * On failure msg holds a sentence for the cashier. */
int lookup_scan(struct store *store, const struct barcode_rules *rules, const char *scan,
                int today_yyyymmdd, struct scan_result *out, char *msg, size_t msglen);

#endif

#include "src/lookup.h"

#include <stdio.h>
#include <string.h>

#include "src/catalog.h"
#include "src/store.h"

/* A code no item has that is an item number with letters in it ("40104332l8190", "4O1O..."):
 * the length of a GTIN (8, 12, 13 or 14) and mostly digits.  An internal code such as
 * "SKU10001" is letters first and never this. */
static int garbled_number(const char *code)
{
    size_t n = strlen(code), digits = 0, letters = 0;
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)code[i];
        digits += ch >= '0' && ch <= '9';
        letters += (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    }
    return letters > 0 && letters <= 3 && digits + letters == n && code[0] >= '0' && code[0] <= '9';
}

int lookup_scan(struct store *store, const struct barcode_rules *rules, const char *scan,
                int today, struct scan_result *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    if (msglen)
        msg[0] = 0;
    size_t len = strlen(scan);
    enum barcode_status st = barcode_parse(scan, len, rules, today, &out->code);
    if (st) {
        /* GS separators and the like would garble the message line */
        char shown[44];
        size_t n = 0;
        for (size_t i = 0; scan[i] && n + 1 < sizeof shown; i++)
            shown[n++] = (unsigned char)scan[i] < 0x20 ? '~' : scan[i];
        shown[n] = 0;
        char why[160];
        barcode_message(st, &out->code, why, sizeof why);
        if (st == BARCODE_EEMPTY)
            snprintf(msg, msglen, "Nothing scanned: scan or type a barcode");
        else
            snprintf(msg, msglen, "Barcode %s%s: %s", shown, len > n ? "..." : "", why);
        return LOOKUP_EINVALID;
    }
    const struct barcode *b = &out->code;
    int rc = STORE_NOTFOUND;
    for (int i = 0; i < b->nkeys && rc == STORE_NOTFOUND; i++)
        rc = catalog_find_by_barcode(store, b->keys[i], &out->product);
    /* an internal code may be the SKU itself (returns, stock counts by shelf label); only
     * a plain code: a scan the reader called EAN/UPC or GS1 never reaches this (the
     * barcode parser refuses one that does not fit its symbology) */
    if (rc == STORE_NOTFOUND && b->kind == BARCODE_PLAIN)
        rc = catalog_find_by_sku(store, b->keys[0], &out->product);
    if (rc == STORE_NOTFOUND && garbled_number(b->code)) {
        snprintf(msg, msglen, "Barcode %s is garbled: letters among the digits of an item number"
                 " (scan again, or type its digits)", b->code);
        return LOOKUP_EINVALID;
    }
    if (rc == STORE_NOTFOUND) {
        snprintf(msg, msglen, "Unknown barcode %s: item not in the catalog", b->code);
        return LOOKUP_NOTFOUND;
    }
    if (rc) {
        snprintf(msg, msglen, "Catalog lookup failed for %s: try again", b->code);
        return LOOKUP_ERROR;
    }
    snprintf(out->line_code, sizeof out->line_code, "%s", b->code);
    if (b->has_weight) {
        if (out->product.unit != UNIT_KG) {
            snprintf(msg, msglen, "%s is sold each but its label carries a weight: check the catalog",
                     out->product.name);
            return LOOKUP_EMISMATCH;
        }
        out->has_qty = 1;
        out->qty = b->weight;
    }
    if (b->has_price) {
        out->has_price = 1;
        out->price = b->price;
    }
    return LOOKUP_OK;
}

/* A stock count's arithmetic: the entries a manager makes (scans, keyed quantities, an
 * undo) folded into one counted quantity per item, and the variance report against the
 * expected stock.  Pure: entries and expected figures come in, no storage, no clock.
 *
 * Quantities are thousandths (1 piece = 1000, 1 kg = 1000), money minor units; every sum
 * and product is checked, an overflow is an error, never a wrapped number. */
#ifndef TILL_CORE_STOCK_COUNT_H
#define TILL_CORE_STOCK_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "core/barcode.h"
#include "core/money.h"
#include "core/product.h"

enum {
    COUNT_OK = 0,
    COUNT_ENOMEM = -1,
    COUNT_EOVERFLOW = -2,
    COUNT_ERANGE = -3,     /* a quantity outside 0..COUNT_MAX_QTY, or part of a piece */
};

/* More than any shelf holds, far less than the server's 2^50. */
#define COUNT_MAX_QTY (1000000000LL * QTY_ONE)

enum count_op { COUNT_ADD, COUNT_SET };

/* One thing the manager did, as stored: add qty of an item (a scan, "12*" then a scan) or
 * set its count (F2).  sku "" is an unknown barcode, kept for review under its code. */
struct count_entry {
    int64_t seq;
    enum count_op op;
    char sku[32];
    char barcode[BARCODE_KEY_LEN];
    char name[96];
    enum unit unit;
    int64_t price;          /* per piece or per kg: what a difference is worth */
    int64_t qty;
    int64_t at;             /* Unix seconds */
};

/* One line of the count: an item counted (or expected and not counted). */
struct count_item {
    char sku[32];           /* "" for an unknown barcode */
    char barcode[BARCODE_KEY_LEN];
    char name[96];
    enum unit unit;
    int64_t price;
    int64_t counted;
    int64_t counted_at;     /* when its count last changed: the moment it stands as of */
    int counted_ever;       /* 0: expected but not counted */
    int has_expected;       /* the store server reported a level for it */
    int64_t expected;
};

struct count_tally {
    struct count_item *items;   /* in the order first counted; uncounted ones after */
    int n, cap;
    int64_t entries;            /* entries applied */
    int64_t last_seq;
    int last_item;              /* the item the last entry changed, -1 none */
};

void count_tally_init(struct count_tally *t);
void count_tally_free(struct count_tally *t);
/* Folds one entry in.  An add to an unknown code adds to that code's line; a set replaces
 * the count.  COUNT_ERANGE when the result leaves 0..COUNT_MAX_QTY or a piece count is not
 * whole; the tally is unchanged then. */
int count_tally_apply(struct count_tally *t, const struct count_entry *e);
/* Whether applying e would be accepted (the same checks, nothing changed). */
int count_tally_check(const struct count_tally *t, const struct count_entry *e);
/* The item for sku (or for an unknown code when sku is ""), -1 when not in the tally. */
int count_tally_find(const struct count_tally *t, const char *sku, const char *barcode);
/* An item the server expects that was not counted: added (counted_ever 0) if absent. */
int count_tally_add_expected(struct count_tally *t, const char *sku, const char *name, enum unit unit,
                             int64_t price, int64_t expected);
void count_item_set_expected(struct count_item *it, int has, int64_t expected);

const char *count_strerror(int rc);

/* The variance report: one figure set per item and the totals. */
struct count_variance {
    int64_t expected, counted, difference;      /* quantities */
    int64_t value_expected, value_counted, value_difference;   /* at price */
};

struct count_report_totals {
    int items_counted, items_uncounted, unknown_codes;
    struct count_variance sum;   /* quantities summed are not meaningful across units: money only */
};

/* Figures for one item: expected 0 when none was reported; an uncounted item counts as
 * zero only if uncounted_as_zero (else counted = expected, no difference). */
int count_item_variance(const struct count_item *it, int uncounted_as_zero, struct count_variance *out);
/* Totals over the tally (unknown codes are listed, never valued). */
int count_report_totals(const struct count_tally *t, int uncounted_as_zero, struct count_report_totals *out);

/* What the report is about, for its header lines. */
struct count_header {
    const char *count_id, *zone, *terminal, *counted_by, *started, *finished;
    int blind, uncounted_as_zero;
    const struct money_format *fmt;
    int receiving;          /* goods in: what was received and its value, no expected */
};

/* The report as CSV (RFC 4180: fields with a comma, quote or newline are quoted): a header
 * row, one row per item (status counted / not_counted / unknown_code), a totals row.
 * Quantities as the data form "1.250", money in minor units.  malloc'd into *out. */
int count_report_csv(const struct count_tally *t, const struct count_header *h, char **out);
/* The report as plain text, width columns (for the printer and the spool). */
int count_report_text(const struct count_tally *t, const struct count_header *h, int width, char **out);

#endif

/* Tax per tax class, inclusive (EU: shelf prices include VAT) or exclusive (US: tax is
 * added at the till).  Pure: no I/O.
 *
 * Rounding (documented in README):
 *  - per_total (default): tax is computed once per tax class on the sum of that class's
 *    line totals, rounded half away from zero.
 *  - per_line: tax is computed and rounded on each line, then summed per class.
 * Line totals themselves are always rounded per line (unit price x quantity). */
#ifndef TILL_TAX_H
#define TILL_TAX_H

#include <stdint.h>

enum tax_mode { TAX_INCLUSIVE, TAX_EXCLUSIVE };
enum tax_rounding { TAX_ROUND_PER_TOTAL, TAX_ROUND_PER_LINE };

struct tax_config {
    enum tax_mode mode;
    enum tax_rounding rounding;
};

#define TAX_MAX_CLASSES 8

struct tax_line {
    char code[16];
    int64_t rate_ppm;
    int64_t net, tax, gross;
};

struct tax_totals {
    int64_t subtotal;   /* sum of line totals as shown on the lines */
    int64_t tax;        /* sum of tax over classes */
    int64_t total;      /* what the customer pays */
    struct tax_line classes[TAX_MAX_CLASSES];
    int nclasses;
};

/* One line as the tax computation sees it. */
struct tax_item {
    const char *code;
    int64_t rate_ppm;
    int64_t amount;     /* line total */
};

/* Returns 0, or a negative value on overflow / too many classes. */
int tax_compute(const struct tax_config *cfg, const struct tax_item *items, int n,
                struct tax_totals *out);
/* Tax contained in / added to one amount at rate_ppm, rounded half away from zero. */
int tax_of_amount(enum tax_mode mode, int64_t amount, int64_t rate_ppm, int64_t *tax);
int tax_mode_parse(const char *s, enum tax_mode *out);
int tax_rounding_parse(const char *s, enum tax_rounding *out);

#endif

/* Money: int64_t amounts in minor units of an ISO 4217 currency.  Never a float.
 * Every operation is checked: overflow is reported, never wrapped.
 *
 * Rounding rule (used everywhere a fraction of a minor unit appears): half away from
 * zero, i.e. 0.5 cent rounds to 1 cent and -0.5 cent to -1 cent. */
#ifndef TILL_MONEY_H
#define TILL_MONEY_H

#include <stddef.h>
#include <stdint.h>

enum {
    MONEY_OK = 0,
    MONEY_EOVERFLOW = -1,
    MONEY_EPARSE = -2,
    MONEY_ERANGE = -3,
};

/* Quantities are in thousandths: 1 piece = 1000, 1 kg = 1000 (grams). */
#define QTY_ONE 1000

struct currency {
    char code[4];      /* "EUR" */
    int exponent;      /* minor-unit digits: 2 for EUR, 0 for JPY, 3 for KWD */
    char symbol[8];    /* "€", "$" */
};

/* How amounts are written: "1.234,50 €" (eu) or "$1,234.50" (us). */
struct money_format {
    struct currency cur;
    char decimal_sep;
    char group_sep;       /* 0 for none */
    int symbol_before;    /* "$1.00" vs "1,00 €" */
    int symbol_space;     /* a space between symbol and number */
};

/* Looks up an ISO 4217 code; returns MONEY_ERANGE for an unknown code. */
int currency_lookup(const char *code, struct currency *out);
/* style: "eu" or "us"; fills decimal/group separators and symbol position. */
int money_format_init(struct money_format *fmt, const char *currency_code, const char *style);

int money_add(int64_t a, int64_t b, int64_t *out);
int money_sub(int64_t a, int64_t b, int64_t *out);
/* a * num / den, rounded half away from zero; den > 0. */
int money_muldiv(int64_t a, int64_t num, int64_t den, int64_t *out);
/* unit_price * qty / QTY_ONE, rounded half away from zero. */
int money_mul_qty(int64_t unit_price, int64_t qty, int64_t *out);
/* Rounds to a multiple of increment (cash rounding, e.g. 5 for CHF), half away from zero. */
int money_round_to(int64_t amount, int64_t increment, int64_t *out);

/* Writes the amount with separators and symbol; with_symbol=0 for bare numbers.
 * Returns the length written, or MONEY_ERANGE if buf is too small. */
int money_format(int64_t amount, const struct money_format *fmt, int with_symbol,
                 char *buf, size_t len);
/* Parses what a cashier types: "12", "12.5", "12,50", "1.234,50", "-3". Either '.' or ','
 * is accepted as the decimal point; more fraction digits than the currency has is an error. */
int money_parse(const char *s, const struct money_format *fmt, int64_t *out);

/* Quantity "3", "1.250", "0,5" into thousandths. */
int qty_parse(const char *s, int64_t *out);
/* "3" for whole pieces, "1.250" for fractional (always a '.': for data, not for people). */
int qty_format(int64_t qty, char *buf, size_t len);

/* A quantity as the store writes numbers (fmt's decimal separator, no grouping, so
 * "1.250" can never be read as a thousand and a quarter): weighed = 1 always shows grams
 * ("1,250", "2,000" in eu style); pieces show "3", or "1,5" for a fraction.
 * Returns the length written, or MONEY_ERANGE if buf is too small. */
int money_format_qty(int64_t qty, int weighed, const struct money_format *fmt, char *buf, size_t len);
/* A tax rate in ppm (190000 = 19 %) as "19%", "8,875%" (eu) or "8.875%" (us): trailing
 * zeros dropped.  Returns the length written, or MONEY_ERANGE. */
int money_format_rate(int64_t rate_ppm, const struct money_format *fmt, char *buf, size_t len);

#endif

/* Catalog records as the core sees them: plain structs, no storage. */
#ifndef TILL_PRODUCT_H
#define TILL_PRODUCT_H

#include <stdint.h>

enum unit { UNIT_EACH, UNIT_KG };

struct tax_class {
    char code[16];
    char name[32];
    int64_t rate_ppm;      /* 19% = 190000 */
};

struct product {
    int64_t id;
    char sku[32];
    char name[96];
    int64_t price;         /* minor units per piece or per kg */
    enum unit unit;
    char tax_class[16];
    int64_t tax_rate_ppm;  /* filled in from the tax class on lookup */
    int age_restricted;    /* minimum age: 0 none, 1 the store's default, else the age (16, 18) */
    int active;
    char group[32];        /* promotion group (mix-and-match), "" for none */
    char deposit_sku[32];  /* a deposit item added with it (bottle deposit), "" for none */
};

const char *unit_name(enum unit u);           /* "each" / "kg" */
int unit_parse(const char *s, enum unit *out);

#endif

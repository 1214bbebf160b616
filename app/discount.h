/* The cashier's discounts (app/discount.c): a percentage ("10%") or an amount ("2,50") off
 * the selected line or the whole sale, with a reason code; above discount.limit_percent or
 * discount.limit_amount a supervisor allows it (app/override.h). */
#ifndef TILL_APP_DISCOUNT_H
#define TILL_APP_DISCOUNT_H

#include <stdint.h>

#include "core/pricing.h"

struct app;

#define DISCOUNT_MAX_REASONS 8

struct app_discount {
    char reasons[DISCOUNT_MAX_REASONS][24];
    int nreasons;
    int reason;                  /* index into reasons */
    int64_t limit_bp;            /* above this percentage: an override */
    int64_t limit_amount;        /* above this amount: an override */
};

int app_discount_configure(struct app *app, char *err, size_t errlen);
/* Ctrl-D on the sale screen (MODE_DISCOUNT). */
void app_discount_open(struct app *app);
void app_discount_next_reason(struct app *app);
/* "10%" or "2,50" off the selected line (whole_sale = 0) or the sale; "0" removes it. */
int app_discount_apply(struct app *app, const char *text, int whole_sale);
/* Applies spec without asking (after the override). */
int app_discount_set(struct app *app, const struct discount_spec *spec, int line, int whole_sale);

#endif

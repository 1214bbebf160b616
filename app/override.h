/* Overrides: what a supervisor must allow (a return without a receipt, a discount above
 * the limit, cash back for a card sale).  Until staff logins exist (issue 12) the
 * supervisor is whoever knows returns.supervisor_pin; app_returns_authorize() is the one
 * place that decides.  With staff (issue 12) app_override_request asks app_authorize()
 * instead: the refund and discount_over_limit permissions, and an approver's own id and
 * PIN (app/authorize.h). */
#ifndef TILL_APP_OVERRIDE_H
#define TILL_APP_OVERRIDE_H

#include <stdint.h>

#include "core/pricing.h"

struct app;

enum override_action {
    OVERRIDE_NONE,
    OVERRIDE_NO_RECEIPT,     /* take items back without a receipt */
    OVERRIDE_LINE_DISCOUNT,  /* a line discount above the limit */
    OVERRIDE_SALE_DISCOUNT,  /* a sale discount above the limit */
    OVERRIDE_CASH_REFUND,    /* cash back for what was paid another way */
    OVERRIDE_PRICE,          /* a line's unit price changed by hand (app/price_override.c) */
};

/* The action waiting for a supervisor (MODE_OVERRIDE). */
struct app_override {
    enum override_action action;
    struct discount_spec spec;   /* the discount asked for (OVERRIDE_PRICE: value is the price) */
    int line;                    /* the line it is for */
    char arg[64];                /* the amount typed, for a refund */
    char what[96];               /* shown to the supervisor */
    int back;                    /* the app mode to return to (enum app_mode) */
};

/* 0 when the supervisor's pin allows action (audited either way), else -1 with a message. */
int app_returns_authorize(struct app *app, enum override_action action, const char *pin);
/* Asks for a supervisor (MODE_OVERRIDE); the action runs once the pin is given. */
void app_override_request(struct app *app, enum override_action action, const char *what);
int app_override_submit(struct app *app, const char *pin);
void app_override_cancel(struct app *app);

#endif

/* A price override on the selected line (Ctrl-O): a new unit price, allowed through
 * app_override_request (the one place that decides who may: the price_override permission
 * with staff, the supervisor's PIN without). */
#ifndef TILL_APP_PRICE_OVERRIDE_H
#define TILL_APP_PRICE_OVERRIDE_H

#include <stdint.h>

struct app;

void app_price_open(struct app *app);
/* MODE_PRICE: the new unit price as typed; asks for the supervisor (MODE_OVERRIDE). */
int app_price_submit(struct app *app, const char *text);
/* What the override runs once allowed: line's unit price becomes price (audited). */
int app_price_set(struct app *app, int line, int64_t price);

#endif

/* The checkout scale (scale.driver = dialog06 | ncr | sim; none by default): an item sold
 * by weight is weighed on it, not typed.  The scale gets the unit price (and the product's
 * name); "Weighing…" shows while it settles; only a stable weight is taken; below minimum,
 * under zero, overload, no answer and unplugged are refused with the scale's reason and
 * the sale goes on.  Without a scale the weight is typed, as before. */
#ifndef TILL_APP_SCALE_H
#define TILL_APP_SCALE_H

#include <stddef.h>

struct app;

int app_open_scale(struct app *app, char *err, size_t errlen);
void app_close_scale(struct app *app);
/* 1 when a scale is configured (typed weights are refused then). */
int app_scale_configured(const struct app *app);
/* Weighs app->sale->weighed (MODE_WEIGHT is set by the caller); a weighing in progress is
 * given up first. */
void app_scale_weigh(struct app *app);

#endif

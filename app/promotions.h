/* The promotions the open sale can meet (src/promotions.c's promo_set), kept in step with
 * the cart: store-wide ones when a sale begins, an item's own before its line is added, a
 * coupon's when it is scanned. */
#ifndef TILL_APP_PROMOTIONS_H
#define TILL_APP_PROMOTIONS_H

struct app;
struct product;

void app_promotions_begin(struct app *app);
/* Before p's line is added: the promotions and segment prices it can meet. */
void app_promotions_for_product(struct app *app, const struct product *p);
/* After lines came back (a resumed or restored sale): gathered again for every line. */
void app_promotions_for_cart(struct app *app);
/* A scanned code that is a coupon: 1 (taken, or refused with a message), 0 when it is none. */
int app_coupon_scan(struct app *app, const char *code);

#endif

/* The open sale's promotions (see promotions.h). */
#include "app/promotions.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "src/promotions.h"

static void tell_cart(struct app *app)
{
    struct promo_set *set = app->promos;
    cart_set_promotions(&app->sale->cart, set->promos, set->n, set->prices, set->nprices);
    if (set->dropped)
        app_log(app, "promotions: this sale meets more than %d; %d left out", PRICING_MAX_PROMOS,
                set->dropped);
}

void app_promotions_begin(struct app *app)
{
    if (promo_set_begin(app->store, app->promos))
        app_log(app, "promotions: cannot read the store-wide ones: %s", store_errmsg(app->store));
    tell_cart(app);
}

void app_promotions_for_product(struct app *app, const struct product *p)
{
    struct promo_set *set = app->promos;
    int rc = promo_set_add_item(app->store, set, p->sku, p->group);
    if (rc < 0)
        app_log(app, "promotions: cannot read those of %s: %s", p->sku, store_errmsg(app->store));
    else if (rc > 0) /* the line's add prices the cart with them */
        cart_use_promotions(&app->sale->cart, set->promos, set->n, set->prices, set->nprices);
}

void app_promotions_for_cart(struct app *app)
{
    struct cart *cart = &app->sale->cart;
    promo_set_begin(app->store, app->promos);
    for (int i = 0; i < cart->nlines; i++)
        promo_set_add_item(app->store, app->promos, cart->lines[i].product.sku, cart->lines[i].product.group);
    for (int i = 0; i < cart->pricing.ctx.ncoupons; i++) {
        int found;
        promo_set_add_coupon(app->store, app->promos, cart->pricing.ctx.coupons[i], &found);
    }
    tell_cart(app);
}

int app_coupon_scan(struct app *app, const char *code)
{
    int found = 0;
    int rc = promo_set_add_coupon(app->store, app->promos, code, &found);
    if (rc < 0 || !found)
        return 0;
    if (sale_session_locked(app->sale)) {
        app_set_message(app, 1, "Coupon %.32s not taken: payments are already taken", code);
        return 1;
    }
    if (rc > 0)
        tell_cart(app);
    if (cart_add_coupon(&app->sale->cart, code)) {
        app_set_message(app, 1, "Coupon %.32s not taken: too many coupons on this sale", code);
        return 1;
    }
    app_set_message(app, 0, "Coupon %.32s taken", code);
    return 1;
}

/* Deposits (see deposit.h). */
#include "app/deposit.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "core/money.h"
#include "src/catalog.h"

int app_deposit_add(struct app *app, const struct product *p, int line, int64_t qty)
{
    if (!p->deposit_sku[0] || p->unit != UNIT_EACH)
        return 0;
    struct product dep;
    if (catalog_find_by_sku(app->store, p->deposit_sku, &dep) != STORE_OK || !dep.active) {
        app_set_message(app, 1, "%s: its deposit item %s is not in the catalog: add it by hand",
                        p->name, p->deposit_sku);
        return -1;
    }
    if (dep.tax_rate_ppm < 0) {
        app_set_message(app, 1, "%s: deposit tax class '%s' is not configured", dep.name, dep.tax_class);
        return -1;
    }
    int rc = cart_add_item(&app->sale->cart, &dep, "", qty);
    if (rc) {
        app_set_message(app, 1, "%s: deposit not added: %s", p->name, cart_strerror(rc));
        return -1;
    }
    (void)line;
    return 0;
}

int app_deposit_is_return(const struct product *p)
{
    return strcmp(p->group, DEPOSIT_RETURN_GROUP) == 0;
}

int app_deposit_return(struct app *app, const struct product *p, const char *code, int64_t qty)
{
    int64_t refund;
    if (p->unit != UNIT_EACH || money_mul_qty(p->price, qty, &refund)) {
        app_set_message(app, 1, "%s: not a deposit that can be taken back", p->name);
        return -1;
    }
    int rc = cart_add_return(&app->sale->cart, p, code, qty, p->price, refund, "", 0, 0, "deposit");
    if (rc) {
        app_set_message(app, 1, "%s: %s", p->name, cart_strerror(rc));
        return -1;
    }
    app->sale->selected = app->sale->cart.nlines - 1;
    char amount[48];
    money_format(-refund, &app->s.fmt, 1, amount, sizeof amount);
    app_set_message(app, 0, "Deposit back: %s  %s", p->name, amount);
    return 0;
}

int app_deposit_line_of(const struct app *app, int line)
{
    const struct cart *cart = &app->sale->cart;
    if (line < 0 || line + 1 >= cart->nlines)
        return -1;
    const struct cart_line *l = &cart->lines[line], *next = &cart->lines[line + 1];
    if (!l->product.deposit_sku[0] || strcmp(next->product.sku, l->product.deposit_sku) != 0 ||
        next->qty != l->qty || next->voided != l->voided)
        return -1;
    return line + 1;
}

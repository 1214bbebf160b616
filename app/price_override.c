/* Price overrides (see price_override.h). */
#include "app/price_override.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"

void app_price_open(struct app *app)
{
    struct sale_session *s = app->sale;
    if (sale_session_locked(s)) {
        app_set_message(app, 1, "Payments are already taken: the prices are fixed");
        return;
    }
    if (s->selected < 0 || s->selected >= s->cart.nlines) {
        app_set_message(app, 1, "Select a line first (Up/Down)");
        return;
    }
    const struct cart_line *l = &s->cart.lines[s->selected];
    if (l->voided || l->qty < 0 || l->price_from_barcode || l->qty_from_label) {
        app_set_message(app, 1, "The price of this line cannot change (voided, returned or from its label)");
        return;
    }
    app->mode = MODE_PRICE;
    app_set_message(app, 0, "New unit price for %s (a supervisor allows it)", l->product.name);
}

int app_price_submit(struct app *app, const char *text)
{
    int64_t price;
    int rc = money_parse(text, &app->s.fmt, &price);
    if (rc || price < 0) {
        char why[128];
        if (rc)
            app_number_problem(text, rc, app->s.fmt.cur.exponent, why, sizeof why);
        else
            snprintf(why, sizeof why, "a price cannot be negative");
        app_set_message(app, 1, "Price not changed: %s", why);
        return -1;
    }
    int line = app->sale->selected;
    const struct cart_line *l = &app->sale->cart.lines[line];
    char was[48], now[48], what[96];
    money_format(l->unit_price, &app->s.fmt, 1, was, sizeof was);
    money_format(price, &app->s.fmt, 1, now, sizeof now);
    snprintf(what, sizeof what, "Price of %.28s from %.24s to %.24s", l->product.name, was, now);
    app->mode = MODE_SALE;
    app->override.line = line;
    app->override.spec.value = price;
    app_override_request(app, OVERRIDE_PRICE, what);
    return 0;
}

int app_price_set(struct app *app, int line, int64_t price)
{
    struct cart *cart = &app->sale->cart;
    if (line < 0 || line >= cart->nlines)
        return -1;
    int64_t before = cart->lines[line].unit_price;
    int rc = cart_set_unit_price(cart, line, price);
    if (rc) {
        app_set_message(app, 1, "Price not changed: %s", cart_strerror(rc));
        return -1;
    }
    /* the signed-on person asked; an approver allowed it (app_command_approver) */
    char detail[240];
    const char *approver = app_command_approver(app);
    snprintf(detail, sizeof detail, "%s line %d %s %lld -> %lld%s%s", app->sale->uuid, line + 1,
             cart->lines[line].product.sku, (long long)before, (long long)price, approver[0] ? " approved by " : "",
             approver);
    app_audit(app, "price_override", detail);
    char now[48];
    money_format(price, &app->s.fmt, 1, now, sizeof now);
    app_set_message(app, 0, "Price of %s is now %s", cart->lines[line].product.name, now);
    return 0;
}

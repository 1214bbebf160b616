/* The sale's customer (see customer.h). */
#include "app/customer.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"

static int refuse_when_paid(struct app *app)
{
    if (!sale_session_locked(app->sale))
        return 0;
    app_set_message(app, 1, "The customer cannot change: payments are already taken");
    return 1;
}

void app_customer_open(struct app *app)
{
    if (refuse_when_paid(app))
        return;
    app->customer.n = app->customer.sel = 0;
    app->mode = MODE_CUSTOMER;
    app_set_message(app, 0, "Customer: type a name, card or customer number; Enter chooses");
}

void app_customer_search(struct app *app, const char *text)
{
    struct app_customer *c = &app->customer;
    c->sel = 0;
    c->n = 0;
    if (strlen(text) >= 2) {
        int n = customers_search(app->store, text, c->results, APP_CUSTOMERS_MAX);
        c->n = n > 0 ? n : 0;
    }
    app->dirty = 1;
}

void app_customer_select(struct app *app, int delta)
{
    struct app_customer *c = &app->customer;
    int s = c->sel + delta;
    c->sel = s < 0 ? 0 : s >= c->n ? (c->n ? c->n - 1 : 0) : s;
    app->dirty = 1;
}

int app_customer_choose(struct app *app)
{
    struct app_customer *c = &app->customer;
    if (c->sel < 0 || c->sel >= c->n) {
        app_set_message(app, 1, "No customer chosen: type part of a name (2 letters or more)");
        return -1;
    }
    struct customer chosen = c->results[c->sel];
    app->mode = MODE_SALE;
    return app_customer_set(app, &chosen);
}

int app_customer_set(struct app *app, const struct customer *c)
{
    if (refuse_when_paid(app))
        return -1;
    struct cart *cart = &app->sale->cart;
    int rc = cart_set_customer(cart, c ? c->id : "", c ? c->segment : "");
    if (rc) {
        app_set_message(app, 1, "Customer not set: %s", cart_strerror(rc));
        return -1;
    }
    snprintf(app->customer.name, sizeof app->customer.name, "%s", c ? c->name : "");
    char detail[160];
    snprintf(detail, sizeof detail, "%s %s", app->sale->uuid, c ? c->id : "none");
    app_audit(app, "sale_customer", detail);
    if (!c)
        app_set_message(app, 0, "No customer on this sale");
    else if (c->segment[0])
        app_set_message(app, 0, "Customer %s: %s prices", c->name, c->segment);
    else
        app_set_message(app, 0, "Customer %s", c->name);
    return 0;
}

int app_customer_scan(struct app *app, const char *code)
{
    struct customer c;
    if (customers_find_by_card(app->store, code, &c) != STORE_OK)
        return 0;
    app_customer_set(app, &c);
    return 1;
}

void app_customer_restore(struct app *app)
{
    struct customer c;
    const char *id = app->sale->cart.customer_id;
    app->customer.name[0] = 0;
    if (id[0])
        snprintf(app->customer.name, sizeof app->customer.name, "%s",
                 customers_find_by_id(app->store, id, &c) == STORE_OK ? c.name : id);
}

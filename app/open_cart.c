/* The open sale across a crash (see open_cart.h). */
#include "app/open_cart.h"

#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/kiosk.h"
#include "src/payment_journal.h"
#include "src/sales.h"

static void extra_of(const struct app *app, struct open_cart_extra *x)
{
    memset(x, 0, sizeof *x);
    snprintf(x->uuid, sizeof x->uuid, "%s", app->sale->uuid);
    x->started_at = app->sale->started_at;
    x->age_proven = app->age.proven;
    snprintf(x->age_proven_how, sizeof x->age_proven_how, "%s", app->age.proven_how);
}

void app_open_cart_save(struct app *app)
{
    /* a sale paid but not saved yet is the unsaved sale's business; the count has its own;
     * a saved sale (a receipt on screen, the cashier's or the kiosk's) is not open */
    if (!app->store || app->unsaved.active || app->mode == MODE_RECEIPT || store_damaged(app->store) ||
        (app->kiosk && kiosk_sale_saved(app)))
        return;
    struct open_cart_extra x;
    extra_of(app, &x);
    int rc = open_cart_sync(app->store, &app->open_cart.state, &app->sale->cart, &app->sale->tender, &x);
    if (rc && !app->open_cart.failed)
        app_log(app, "open sale not saved (a crash now would lose it): %s", store_errmsg(app->store));
    app->open_cart.failed = rc != 0;
}

int app_open_cart_owns(void *ctx, const char *reference)
{
    const struct app *app = ctx;
    const struct tender_state *t = &app->sale->tender;
    for (int i = 0; i < t->n; i++)
        if (t->payments[i].tender == TENDER_CARD && strcmp(t->payments[i].reference, reference) == 0)
            return 1;
    return 0;
}

/* The card controller numbers the sale's requests: go on after the last one it journaled. */
static void continue_card_numbering(struct app *app)
{
    struct payment_intent in;
    int seq = 0;
    for (int k = 1; k < 1000; k++) {
        char ref[64];
        snprintf(ref, sizeof ref, "%.36s-%d", app->sale->uuid, k);
        if (journal_get(app->store, ref, &in) == 0)
            seq = k;
    }
    app->card->seq = seq;
}

int app_open_cart_restore(struct app *app)
{
    struct sale_session *ss = app->sale;
    struct open_cart_extra x;
    int rc = open_cart_load(app->store, &app->open_cart.state, &ss->cart, &ss->tender, &x);
    if (rc == STORE_NOTFOUND)
        return 0;
    struct original_sale done;
    if (rc || sales_find_original(app->store, x.uuid, &done) == STORE_OK) {
        /* unreadable, or already completed (the crash came after its commit): forget it */
        if (rc)
            app_log(app, "the open sale saved before the restart cannot be read: %s", store_errmsg(app->store));
        cart_clear(&ss->cart);
        tender_init(&ss->tender, 0, ss->tender.cash_increment);
        store_begin(app->store, STORE_TX_PLAIN);
        open_cart_clear(app->store);
        store_commit(app->store);
        memset(&app->open_cart.state, 0, sizeof app->open_cart.state);
        return 0;
    }
    snprintf(ss->uuid, sizeof ss->uuid, "%s", x.uuid);
    ss->started_at = x.started_at;
    card_payment_new_sale(app->card, ss->uuid);
    continue_card_numbering(app);
    app->age.proven = x.age_proven;
    snprintf(app->age.proven_how, sizeof app->age.proven_how, "%s", x.age_proven_how);
    app_promotions_for_cart(app);
    app_customer_restore(app);
    ss->tender.total = ss->cart.totals.total;
    ss->subtotaled = ss->tender.n > 0;   /* money was taken: the payment dialog was open */
    ss->selected = ss->cart.nlines - 1;
    int64_t cash = 0, card = 0;
    for (int i = 0; i < ss->tender.n; i++) {
        if (ss->tender.payments[i].tender == TENDER_CASH)
            cash += ss->tender.payments[i].amount;
        else if (ss->tender.payments[i].tender == TENDER_CARD)
            card += ss->tender.payments[i].amount;
    }
    char detail[160], c1[48], c2[48];
    snprintf(detail, sizeof detail, "%s lines %d payments %d", ss->uuid, ss->cart.nlines, ss->tender.n);
    app_audit(app, "sale_restored", detail);
    money_format(cash, &app->s.fmt, 1, c1, sizeof c1);
    money_format(card, &app->s.fmt, 1, c2, sizeof c2);
    if (ss->tender.n)
        app_set_message(app, 0, "Open sale restored after a restart: %d lines; already taken: %s cash, %s card",
                        ss->cart.nlines, c1, c2);
    else
        app_set_message(app, 0, "Open sale restored after a restart: %d lines", ss->cart.nlines);
    return 1;
}

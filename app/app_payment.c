/* The app's side of card payments: the controller (app/card_payment.c) runs the terminals
 * and the journal; here its events meet the open sale's tender and the screen's modes. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/kiosk.h"

static void money(const struct app *app, int64_t v, char *buf, size_t len)
{
    money_format(v, &app->s.fmt, 1, buf, len);
}

/* An approved card payment joins the tender; a settled tender completes the sale. */
static int on_card_approved(void *ctx, const struct payment *p, int64_t asked)
{
    struct app *app = ctx;
    struct tender_state *t = &app->sale->tender;
    int rc = tender_add_card(t, p);
    if (rc) {
        /* cannot happen for amounts we asked for; the journal keeps it approved, so the
         * next start reverses it rather than forgetting it */
        app_set_message(app, 1, "Card approved but not applied (%s): cancel the sale to reverse it",
                        tender_strerror(rc));
        return -1;
    }
    if (tender_is_settled(t)) {
        app_complete_sale(app);
        return 0;
    }
    char a[48], d[48];
    money(app, p->amount, a, sizeof a);
    money(app, tender_balance(t), d, sizeof d);
    app_set_message(app, 0, "Card approved: %s%s. Still due: %s", a,
                    p->amount < asked ? " (partial approval)" : "", d);
    return 0;
}

/* An approved card refund pays out part of a negative total. */
static int on_card_refunded(void *ctx, const struct payment *p)
{
    struct app *app = ctx;
    struct tender_state *t = &app->sale->tender;
    int rc = tender_add_refund(t, p, p->amount, NULL);
    if (rc) {
        app_set_message(app, 1, "Card refund approved but not applied (%s): cancel the sale to reverse it",
                        tender_strerror(rc));
        return -1;
    }
    if (tender_is_settled(t)) {
        app_complete_sale(app);
        return 0;
    }
    char a[48], d[48];
    money(app, p->amount, a, sizeof a);
    money(app, tender_refund_due(t), d, sizeof d);
    app_set_message(app, 0, "Refunded to the card: %s. Still to pay out: %s", a, d);
    return 0;
}

/* Each reversal is confirmed as it happens; the cancel's last message sums them up. */
static void on_card_reversed(void *ctx, const char *reference)
{
    struct app *app = ctx;
    struct tender_state *t = &app->sale->tender;
    for (int i = t->n - 1; i >= 0; i--)
        if (strcmp(t->payments[i].reference, reference) == 0) {
            char a[48];
            money(app, t->payments[i].amount, a, sizeof a);
            app->cancel.reversed++;
            if (app->cancel.cards > 1)
                app_set_message(app, 0, "Card payment of %s reversed (%d of %d).", a, app->cancel.reversed,
                                app->cancel.cards);
            else
                app_set_message(app, 0, "Card payment of %s reversed.", a);
            tender_remove(t, i);
        }
}

static void on_card_cancel_now(void *ctx)
{
    app_cancel_sale_now(ctx);
    kiosk_sync(ctx);
}

static void on_card_recovered(void *ctx)
{
    struct app *app = ctx;
    if (app->mode == MODE_RECOVER)
        app->mode = app_home_mode(app);
    app->dirty = 1;
    kiosk_sync(app);
}

static void on_card_message(void *ctx, int is_error, const char *text)
{
    app_set_message(ctx, is_error, "%s", text);
}

static void on_card_changed(void *ctx)
{
    struct app *app = ctx;
    app->dirty = 1;
    kiosk_sync(app);
}

int app_open_terminals(struct app *app, char *err, size_t errlen)
{
    const struct card_payment_config c = {
        .loop = app->loop, .store = app->store, .cfg = app->cfg, .fmt = app->s.fmt,
        .till_id = app->s.terminal_id, .cashier = app->s.cashier,
    };
    const struct card_payment_events ev = {
        .approved = on_card_approved, .refunded = on_card_refunded, .reversed = on_card_reversed, .cancel_now = on_card_cancel_now,
        .recovered = on_card_recovered, .message = on_card_message, .changed = on_card_changed,
        .owns = app_open_cart_owns,
        .ctx = app,
    };
    if (card_payment_open(app->card, &c, &ev, err, errlen))
        return -1;
    card_payment_new_sale(app->card, app->sale->uuid);
    return 0;
}

void app_close_terminals(struct app *app)
{
    card_payment_close(app->card);
}

int app_pay_card(struct app *app, const char *text)
{
    struct tender_state *t = &app->sale->tender;
    if (app->sale->cart.totals.total < 0)
        return app_refund_card(app, text);
    if (app->card->state != CARD_IDLE) {
        app_set_message(app, 1, "A card payment is already in progress");
        return -1;
    }
    t->total = app->sale->cart.totals.total;
    int64_t amount = tender_balance(t);
    int rc = text[0] ? money_parse(text, &app->s.fmt, &amount) : 0;
    if (rc) {
        char why[128];
        app_number_problem(text, rc, app->s.fmt.cur.exponent, why, sizeof why);
        app_set_message(app, 1, "Card not started: %s", why);
        return -1;
    }
    if (amount <= 0) {
        app_set_message(app, 1, "Card not started: the amount must be above zero");
        return -1;
    }
    if (amount > tender_balance(t)) {
        char a[48], d[48];
        money(app, amount, a, sizeof a);
        money(app, tender_balance(t), d, sizeof d);
        app_set_message(app, 1, "Card not started: %s is more than the %s due (change only from cash)", a, d);
        return -1;
    }
    return card_payment_start(app->card, amount);
}

int app_abort_card(struct app *app)
{
    return card_payment_abort(app->card);
}

int app_card_failover(struct app *app)
{
    return card_payment_failover(app->card);
}

int app_card_failover_dismiss(struct app *app)
{
    return card_payment_failover_dismiss(app->card);
}

int app_card_enquire(struct app *app)
{
    return card_payment_enquire(app->card);
}

int app_card_resolve(struct app *app, int approved_on_receipt)
{
    return card_payment_resolve(app->card, approved_on_receipt);
}

void app_recover_start(struct app *app)
{
    app->mode = MODE_RECOVER;
    if (card_payment_recover_start(app->card) == 0 && app->mode == MODE_RECOVER)
        app->mode = app_home_mode(app);
    app->dirty = 1;
}

int app_recover_resolve(struct app *app, int approved_on_receipt)
{
    if (app->mode != MODE_RECOVER)
        return -1;
    return card_payment_recover_resolve(app->card, approved_on_receipt);
}

/* Card payments for the open sale: terminals in priority order, the payment journal, a
 * failover only when a request provably never reached a terminal, outcomes that are not
 * known resolved by asking the terminal again or the cashier, reversal of approved cards
 * when a sale is cancelled, and the resolution of interrupted payments at start-up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

static void on_terminal_status(void *ctx, const char *text)
{
    struct app_terminal *t = ctx;
    snprintf(t->app->pay_status, sizeof t->app->pay_status, "%s: %s", t->name, text);
    t->app->dirty = 1;
}

static void on_terminal_done(void *ctx, const struct pt_outcome *o);

int app_open_terminals(struct app *app, char *err, size_t errlen)
{
    const char *list = config_get(app->cfg, "payment.terminals", "");
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *p = buf, *next; p && *p; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = 0;
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        while (n && p[n - 1] == ' ')
            p[--n] = 0;
        if (!*p)
            continue;
        if (app->nterminals == APP_MAX_TERMINALS) {
            snprintf(err, errlen, "at most %d payment terminals", APP_MAX_TERMINALS);
            return -1;
        }
        /* "name:kind" (config in [payment.name]) or just "kind" */
        char *colon = strchr(p, ':');
        const char *name = p, *kind = p;
        if (colon) {
            *colon = 0;
            kind = colon + 1;
        }
        struct app_terminal *t = &app->terminals[app->nterminals];
        if (strlen(name) >= sizeof t->name) {
            snprintf(err, errlen, "payment.terminals: the name '%.40s...' is longer than %zu characters",
                     name, sizeof t->name - 1);
            return -1;
        }
        snprintf(t->name, sizeof t->name, "%.31s", name);
        t->app = app;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "payment.%.31s", name);
        struct pt_events ev = { on_terminal_status, on_terminal_done, t };
        if (payment_terminal_open(kind, app->loop, app->cfg, prefix, &ev, &t->pt, err, errlen))
            return -1;
        app->nterminals++;
    }
    return 0;
}

void app_close_terminals(struct app *app)
{
    for (int i = 0; i < app->nterminals; i++)
        payment_terminal_close(app->terminals[i].pt);
    app->nterminals = 0;
}

static struct app_terminal *terminal_named(struct app *app, const char *name)
{
    for (int i = 0; i < app->nterminals; i++)
        if (strcmp(app->terminals[i].name, name) == 0)
            return &app->terminals[i];
    return NULL;
}

static void money(const struct app *app, int64_t v, char *buf, size_t len)
{
    money_format(v, &app->s.fmt, 1, buf, len);
}

static int start_card(struct app *app, int idx, int64_t amount)
{
    struct app_terminal *t = &app->terminals[idx];
    snprintf(app->pay_reference, sizeof app->pay_reference, "%.36s-%d", app->sale_uuid, ++app->pay_seq % 1000);
    /* the intent is durable before any byte goes to the terminal */
    if (journal_begin(app->store, app->pay_reference, app->sale_uuid, "purchase", t->name, amount,
                      loop_wall_time())) {
        app_set_message(app, 1, "Could not record the card payment (database): nothing was sent");
        return -1;
    }
    app->pay_state = PAY_WAITING;
    app->pay_terminal = idx;
    app->pay_amount = amount;
    snprintf(app->pay_status, sizeof app->pay_status, "%s: contacting the terminal", t->name);
    if (t->pt->ops->purchase(t->pt->priv, amount, app->pay_reference)) {
        journal_update(app->store, app->pay_reference, "failed", NULL, loop_wall_time());
        app->pay_state = PAY_IDLE;
        app_set_message(app, 1, "Terminal %s is busy: try again", t->name);
        return -1;
    }
    app->dirty = 1;
    return 0;
}

int app_pay_card(struct app *app)
{
    if (app->pay_state != PAY_IDLE) {
        app_set_message(app, 1, "A card payment is already in progress");
        return -1;
    }
    if (app->nterminals == 0) {
        app_set_message(app, 1, "No payment terminal configured (payment.terminals)");
        return -1;
    }
    app->tender.total = app->cart.totals.total;
    int64_t amount = tender_balance(&app->tender);
    if (app->input[0] && money_parse(app->input, &app->s.fmt, &amount)) {
        app_set_message(app, 1, "'%s' is not an amount", app->input);
        app->input[0] = 0;
        return -1;
    }
    app->input[0] = 0;
    if (amount <= 0 || amount > tender_balance(&app->tender)) {
        app_set_message(app, 1, "Card amount must be above zero and at most what is due");
        return -1;
    }
    return start_card(app, 0, amount);
}

int app_abort_card(struct app *app)
{
    if (app->pay_state != PAY_WAITING)
        return -1;
    struct app_terminal *t = &app->terminals[app->pay_terminal];
    if (t->pt->ops->abort(t->pt->priv)) {
        app_set_message(app, 1, "The terminal cannot abort now: wait for its answer");
        return -1;
    }
    return 0;
}

int app_card_failover(struct app *app)
{
    if (app->pay_state != PAY_FAILOVER)
        return -1;
    app->pay_state = PAY_IDLE;
    return start_card(app, app->pay_terminal + 1, app->pay_amount);
}

int app_card_enquire(struct app *app)
{
    if (app->pay_state != PAY_UNKNOWN)
        return -1;
    struct app_terminal *t = &app->terminals[app->pay_terminal];
    if (t->pt->ops->status_enquiry(t->pt->priv, app->pay_reference, app->pay_amount)) {
        app_set_message(app, 1, "Terminal %s is busy: try again", t->name);
        return -1;
    }
    snprintf(app->pay_status, sizeof app->pay_status, "%s: asking about the last payment", t->name);
    app->dirty = 1;
    return 0;
}

/* An approved card payment joins the tender; a settled tender completes the sale. */
static void card_approved(struct app *app, const struct pt_outcome *o, const char *terminal)
{
    struct payment p;
    memset(&p, 0, sizeof p);
    p.tender = TENDER_CARD;
    p.amount = o->amount > 0 ? o->amount : app->pay_amount;
    snprintf(p.reference, sizeof p.reference, "%s", o->reference);
    snprintf(p.card_scheme, sizeof p.card_scheme, "%s", o->card_scheme);
    snprintf(p.masked_pan, sizeof p.masked_pan, "%s", o->masked_pan);
    snprintf(p.auth_code, sizeof p.auth_code, "%s", o->auth_code);
    snprintf(p.terminal_id, sizeof p.terminal_id, "%s", o->terminal_id[0] ? o->terminal_id : terminal);
    snprintf(p.terminal_receipt, sizeof p.terminal_receipt, "%s", o->receipt);
    app->pay_state = PAY_IDLE;
    app->pay_status[0] = 0;
    int rc = tender_add_card(&app->tender, &p);
    if (rc) {
        /* cannot happen for amounts we asked for; the journal keeps it approved, so the
         * next start reverses it rather than forgetting it */
        app_set_message(app, 1, "Card approved but not applied (%s): cancel the sale to reverse it",
                        tender_strerror(rc));
        return;
    }
    char a[48], d[48];
    money(app, p.amount, a, sizeof a);
    if (tender_is_settled(&app->tender)) {
        app_complete_sale(app);
        return;
    }
    money(app, tender_balance(&app->tender), d, sizeof d);
    app_set_message(app, 0, "Card approved: %s%s. Still due: %s", a,
                    p.amount < app->pay_amount ? " (partial approval)" : "", d);
}

static void reverse_next_card(struct app *app);

static void purchase_done(struct app *app, struct app_terminal *t, const struct pt_outcome *o)
{
    journal_update(app->store, o->reference, journal_state_for(o->result), o, loop_wall_time());
    snprintf(app->pay_status, sizeof app->pay_status, "%.31s: %.90s", t->name, o->message);
    char a[48];
    money(app, app->pay_amount, a, sizeof a);
    switch (o->result) {
    case PT_APPROVED:
        card_approved(app, o, t->name);
        return;
    case PT_DECLINED:
    case PT_ABORTED:
    case PT_NOT_FOUND:
        app->pay_state = PAY_IDLE;
        app_set_message(app, 1, "Card payment of %s not approved: %s", a, o->message);
        return;
    case PT_ERROR:
        /* nothing was charged: another terminal may take it */
        if (app->pay_terminal + 1 < app->nterminals) {
            app->pay_state = PAY_FAILOVER;
            app_set_message(app, 1, "%s. Nothing was charged. Enter: use terminal %s, Esc: other tender",
                            o->message, app->terminals[app->pay_terminal + 1].name);
        } else {
            app->pay_state = PAY_IDLE;
            app_set_message(app, 1, "%s. Nothing was charged.", o->message);
        }
        return;
    case PT_UNKNOWN:
        /* it may have been charged: never sent elsewhere until this is known */
        app->pay_state = PAY_UNKNOWN;
        app_set_message(app, 1, "%s", o->message);
        return;
    }
}

static void enquiry_done(struct app *app, struct app_terminal *t, const struct pt_outcome *o)
{
    if (o->result == PT_APPROVED) {
        struct pt_outcome a = *o;
        a.op = PT_PURCHASE;
        journal_update(app->store, app->pay_reference, "approved", &a, loop_wall_time());
        card_approved(app, &a, t->name);
    } else if (o->result == PT_NOT_FOUND || o->result == PT_ABORTED) {
        journal_update(app->store, app->pay_reference, "not_charged", NULL, loop_wall_time());
        app->pay_state = PAY_IDLE;
        app_set_message(app, 0, "The terminal has no such payment: nothing was charged");
    } else {
        app->pay_state = PAY_UNKNOWN;
        app_set_message(app, 1, "%s", o->message);
    }
}

int app_card_resolve(struct app *app, int approved_on_receipt)
{
    if (app->pay_state != PAY_UNKNOWN)
        return -1;
    char detail[120];
    snprintf(detail, sizeof detail, "%s cashier says %s", app->pay_reference,
             approved_on_receipt ? "approved" : "not approved");
    store_audit(app->store, loop_wall_time(), app->s.terminal_id, app->s.cashier, "card_resolved", detail);
    if (approved_on_receipt) {
        struct pt_outcome o;
        memset(&o, 0, sizeof o);
        o.op = PT_PURCHASE;
        o.result = PT_APPROVED;
        o.amount = app->pay_amount;
        snprintf(o.reference, sizeof o.reference, "%s", app->pay_reference);
        snprintf(o.masked_pan, sizeof o.masked_pan, "****");
        snprintf(o.message, sizeof o.message, "approved per terminal receipt");
        journal_update(app->store, app->pay_reference, "approved", &o, loop_wall_time());
        card_approved(app, &o, app->terminals[app->pay_terminal].name);
    } else {
        journal_update(app->store, app->pay_reference, "not_charged", NULL, loop_wall_time());
        app->pay_state = PAY_IDLE;
        app_set_message(app, 0, "Recorded as not charged. Choose another tender.");
    }
    return 0;
}

/* --- cancelling a sale with approved cards: reverse each, then cancel --- */

static void reverse_next_card(struct app *app)
{
    for (int i = 0; i < app->tender.n; i++) {
        struct payment *p = &app->tender.payments[i];
        if (p->tender != TENDER_CARD)
            continue;
        struct payment_intent in;
        struct app_terminal *t = NULL;
        if (journal_get(app->store, p->reference, &in) == 0)
            t = terminal_named(app, in.terminal);
        if (!t || t->pt->ops->reversal(t->pt->priv, &in.outcome)) {
            app->pay_state = PAY_IDLE;
            app->cancel_when_reversed = 0;
            app_set_message(app, 1, "Could not start the reversal of card payment %s: the sale stays open",
                            p->reference);
            return;
        }
        snprintf(app->pay_reference, sizeof app->pay_reference, "%s", p->reference);
        snprintf(app->pay_status, sizeof app->pay_status, "%s: reversing the card payment", t->name);
        app->pay_state = PAY_REVERSING;
        app->dirty = 1;
        return;
    }
    /* no card payments left */
    app->pay_state = PAY_IDLE;
    if (app->cancel_when_reversed) {
        app->cancel_when_reversed = 0;
        app_cancel_sale(app);
    }
}

int app_reverse_cards_then_cancel(struct app *app)
{
    if (app->pay_state != PAY_IDLE)
        return -1;
    app->cancel_when_reversed = 1;
    app->mode = MODE_PAY;
    reverse_next_card(app);
    return 0;
}

static void reversal_done(struct app *app, const struct pt_outcome *o)
{
    if (o->result != PT_APPROVED) {
        app->pay_state = PAY_IDLE;
        app->cancel_when_reversed = 0;
        app_set_message(app, 1, "Reversal failed (%s): the card payment stands; complete or retry", o->message);
        return;
    }
    journal_update(app->store, app->pay_reference, "reversed", NULL, loop_wall_time());
    for (int i = 0; i < app->tender.n; i++)
        if (strcmp(app->tender.payments[i].reference, app->pay_reference) == 0)
            tender_remove(&app->tender, i);
    app_set_message(app, 0, "Card payment reversed.");
    reverse_next_card(app);
}

/* --- start-up: resolving payments a crash interrupted --- */

static void recover_next(struct app *app);

static void recover_finish_one(struct app *app, const char *state, const char *what)
{
    struct payment_intent *in = &app->recover[app->recover_idx];
    journal_update(app->store, in->reference, state, NULL, loop_wall_time());
    char a[48];
    money(app, in->amount, a, sizeof a);
    app_set_message(app, 0, "Interrupted card payment of %s: %s", a, what);
    app->recover_idx++;
    recover_next(app);
}

static void recover_next(struct app *app)
{
    app->pay_state = PAY_IDLE;
    if (app->recover_idx >= app->nrecover) {
        app->mode = MODE_SALE;
        app->nrecover = 0;
        app->dirty = 1;
        return;
    }
    struct payment_intent *in = &app->recover[app->recover_idx];
    struct app_terminal *t = terminal_named(app, in->terminal);
    snprintf(app->pay_reference, sizeof app->pay_reference, "%s", in->reference);
    app->pay_amount = in->amount;
    if (!t) {
        app->pay_state = PAY_UNKNOWN;
        app_set_message(app, 1, "Terminal %s is no longer configured: check its receipts", in->terminal);
        return;
    }
    app->pay_terminal = (int)(t - app->terminals);
    int rc;
    if (strcmp(in->state, "approved") == 0) {
        /* approved for a sale that was never saved: give the money back */
        app->pay_state = PAY_REVERSING;
        rc = t->pt->ops->reversal(t->pt->priv, &in->outcome);
    } else {
        app->pay_state = PAY_WAITING;
        rc = t->pt->ops->status_enquiry(t->pt->priv, in->reference, in->amount);
    }
    snprintf(app->pay_status, sizeof app->pay_status, "%s: %s", t->name,
             app->pay_state == PAY_REVERSING ? "reversing" : "asking what happened");
    if (rc) {
        app->pay_state = PAY_UNKNOWN;
        app_set_message(app, 1, "Terminal %s cannot be asked now: check its last receipt", t->name);
    }
    app->dirty = 1;
}

void app_recover_start(struct app *app)
{
    int n = journal_open_intents(app->store, app->recover, APP_MAX_RECOVER);
    if (n <= 0)
        return;
    app->nrecover = n;
    app->recover_idx = 0;
    app->mode = MODE_RECOVER;
    recover_next(app);
}

int app_recover_resolve(struct app *app, int approved_on_receipt)
{
    if (app->mode != MODE_RECOVER || app->pay_state != PAY_UNKNOWN)
        return -1;
    struct payment_intent *in = &app->recover[app->recover_idx];
    if (!approved_on_receipt) {
        recover_finish_one(app, "not_charged", "not charged (cashier checked the receipt)");
        return 0;
    }
    struct app_terminal *t = terminal_named(app, in->terminal);
    if (t && t->pt->ops->reversal(t->pt->priv, &in->outcome) == 0) {
        app->pay_state = PAY_REVERSING;
        return 0;
    }
    recover_finish_one(app, "unknown", "approved per receipt, but could not be reversed: refund by hand");
    return 0;
}

static void recover_done(struct app *app, const struct pt_outcome *o)
{
    struct payment_intent *in = &app->recover[app->recover_idx];
    if (o->op == PT_REVERSAL) {
        if (o->result == PT_APPROVED)
            recover_finish_one(app, "reversed", "it had been charged; now reversed");
        else {
            app->pay_state = PAY_UNKNOWN;
            app_set_message(app, 1, "Reversal failed: %s. A: try again as approved, N: not charged", o->message);
        }
        return;
    }
    switch (o->result) {
    case PT_APPROVED: {
        /* charged, but its sale was never saved: reverse it */
        struct app_terminal *t = &app->terminals[app->pay_terminal];
        struct pt_outcome orig = *o;
        orig.op = PT_PURCHASE;
        journal_update(app->store, in->reference, "approved", &orig, loop_wall_time());
        snprintf(orig.reference, sizeof orig.reference, "%s", in->reference);
        if (t->pt->ops->reversal(t->pt->priv, &orig) == 0) {
            app->pay_state = PAY_REVERSING;
            return;
        }
        app->pay_state = PAY_UNKNOWN;
        app_set_message(app, 1, "Charged but cannot reverse now: A to retry, N to mark not charged");
        return;
    }
    case PT_NOT_FOUND:
        recover_finish_one(app, "not_charged", "the terminal never charged it");
        return;
    case PT_ABORTED:
        recover_finish_one(app, "reversed", "already reversed on the terminal");
        return;
    default:
        app->pay_state = PAY_UNKNOWN;
        app_set_message(app, 1, "%s", o->message);
        return;
    }
}

static void on_terminal_done(void *ctx, const struct pt_outcome *o)
{
    struct app_terminal *t = ctx;
    struct app *app = t->app;
    app->dirty = 1;
    if (app->mode == MODE_RECOVER) {
        recover_done(app, o);
        return;
    }
    switch (o->op) {
    case PT_PURCHASE: purchase_done(app, t, o); break;
    case PT_STATUS: enquiry_done(app, t, o); break;
    case PT_REVERSAL: reversal_done(app, o); break;
    default:
        app_set_message(app, o->result == PT_APPROVED ? 0 : 1, "%.31s: %.90s", t->name, o->message);
        break;
    }
}

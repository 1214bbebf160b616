/* The card-payment controller (see card_payment.h).  Every request is an intent in the
 * journal before a byte goes to a terminal; every outcome updates it. */
#include "app/card_payment.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "src/config.h"
#include "src/i18n.h"
#include "src/loop.h"
#include "src/store.h"

static void say(struct card_payment *cp, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct card_payment *cp, int is_error, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (cp->ev.message)
        cp->ev.message(cp->ev.ctx, is_error, text);
}

static void changed(struct card_payment *cp)
{
    if (cp->ev.changed)
        cp->ev.changed(cp->ev.ctx);
}

static void money(const struct card_payment *cp, int64_t v, char *buf, size_t len)
{
    money_format(v, &cp->fmt, 1, buf, len);
}

static void journal(struct card_payment *cp, const char *reference, const char *state,
                    const struct pt_outcome *o)
{
    journal_update(cp->store, reference, state, o, loop_wall_time());
}

static void on_terminal_status(void *ctx, const char *text)
{
    struct card_terminal *t = ctx;
    snprintf(t->owner->status, sizeof t->owner->status, "%s: %s", t->name, text);
    changed(t->owner);
}

static void on_terminal_done(void *ctx, const struct pt_outcome *o);

/* One entry of payment.terminals: "name:kind" (config in [payment.name]) or just "kind". */
static int open_terminal(struct card_payment *cp, const struct config *cfg, char *entry,
                         char *err, size_t errlen)
{
    if (cp->nterminals == CARD_MAX_TERMINALS) {
        snprintf(err, errlen, "at most %d payment terminals", CARD_MAX_TERMINALS);
        return -1;
    }
    char *colon = strchr(entry, ':');
    const char *name = entry, *kind = entry;
    if (colon) {
        *colon = 0;
        kind = colon + 1;
    }
    struct card_terminal *t = &cp->terminals[cp->nterminals];
    if (strlen(name) >= sizeof t->name) {
        snprintf(err, errlen, "payment.terminals: the name '%.40s...' is longer than %zu characters",
                 name, sizeof t->name - 1);
        return -1;
    }
    snprintf(t->name, sizeof t->name, "%.31s", name);
    t->owner = cp;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "payment.%.31s", name);
    struct pt_events ev = { on_terminal_status, on_terminal_done, t };
    if (payment_terminal_open(kind, cp->loop, cfg, prefix, &ev, &t->pt, err, errlen))
        return -1;
    cp->nterminals++;
    return 0;
}

int card_payment_open(struct card_payment *cp, const struct card_payment_config *c,
                      const struct card_payment_events *ev, char *err, size_t errlen)
{
    memset(cp, 0, sizeof *cp);
    cp->loop = c->loop;
    cp->store = c->store;
    cp->fmt = c->fmt;
    snprintf(cp->till_id, sizeof cp->till_id, "%s", c->till_id ? c->till_id : "");
    snprintf(cp->cashier, sizeof cp->cashier, "%s", c->cashier ? c->cashier : "");
    cp->ev = *ev;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", config_get(c->cfg, "payment.terminals", ""));
    for (char *p = buf, *next; p && *p; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = 0;
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        while (n && p[n - 1] == ' ')
            p[--n] = 0;
        if (*p && open_terminal(cp, c->cfg, p, err, errlen)) {
            card_payment_close(cp);
            return -1;
        }
    }
    return 0;
}

void card_payment_close(struct card_payment *cp)
{
    for (int i = 0; i < cp->nterminals; i++)
        payment_terminal_close(cp->terminals[i].pt);
    cp->nterminals = 0;
}

void card_payment_new_sale(struct card_payment *cp, const char *sale_uuid)
{
    cp->op = PT_PURCHASE;
    snprintf(cp->sale_uuid, sizeof cp->sale_uuid, "%s", sale_uuid);
    cp->seq = 0;
    cp->state = CARD_IDLE;
    cp->status[0] = 0;
    cp->nto_reverse = 0;
    cp->cancel_when_reversed = 0;
}

int card_payment_has_next_terminal(const struct card_payment *cp)
{
    return cp->terminal + 1 < cp->nterminals;
}

static struct card_terminal *terminal_named(struct card_payment *cp, const char *name)
{
    for (int i = 0; i < cp->nterminals; i++)
        if (strcmp(cp->terminals[i].name, name) == 0)
            return &cp->terminals[i];
    return NULL;
}

static int start_on(struct card_payment *cp, int idx, int64_t amount)
{
    struct card_terminal *t = &cp->terminals[idx];
    int refund = cp->op == PT_REFUND;
    snprintf(cp->reference, sizeof cp->reference, "%.36s-%d", cp->sale_uuid, ++cp->seq % 1000);
    /* the intent is durable before any byte goes to the terminal */
    if (journal_begin(cp->store, cp->reference, cp->sale_uuid, refund ? "refund" : "purchase",
                      t->name, amount, loop_wall_time())) {
        say(cp, 1, "Could not record the card payment (database): nothing was sent");
        return -1;
    }
    cp->state = CARD_WAITING;
    cp->terminal = idx;
    cp->amount = amount;
    snprintf(cp->status, sizeof cp->status, "%s: %s", t->name, N_("contacting the terminal"));
    if (refund ? payment_terminal_refund(t->pt, amount, cp->reference)
               : payment_terminal_purchase(t->pt, amount, cp->reference)) {
        journal(cp, cp->reference, "failed", NULL);
        cp->state = CARD_IDLE;
        say(cp, 1, "Terminal %s is busy: try again", t->name);
        return -1;
    }
    changed(cp);
    return 0;
}

static int start(struct card_payment *cp, int64_t amount, enum pt_op op)
{
    if (cp->state != CARD_IDLE || cp->recovering) {
        say(cp, 1, "A card payment is already in progress");
        return -1;
    }
    if (cp->nterminals == 0) {
        say(cp, 1, "No payment terminal configured (payment.terminals)");
        return -1;
    }
    if (op == PT_REFUND && !cp->ev.refunded) {
        say(cp, 1, "Card refunds are not available here");
        return -1;
    }
    cp->op = op;
    return start_on(cp, 0, amount);
}

int card_payment_start(struct card_payment *cp, int64_t amount)
{
    return start(cp, amount, PT_PURCHASE);
}

int card_payment_refund_start(struct card_payment *cp, int64_t amount)
{
    return start(cp, amount, PT_REFUND);
}

int card_payment_abort(struct card_payment *cp)
{
    if (cp->state != CARD_WAITING || cp->recovering)
        return -1;
    if (payment_terminal_abort(cp->terminals[cp->terminal].pt)) {
        say(cp, 1, "The terminal cannot abort now: wait for its answer");
        return -1;
    }
    return 0;
}

int card_payment_failover(struct card_payment *cp)
{
    if (cp->state != CARD_FAILOVER || !card_payment_has_next_terminal(cp))
        return -1;
    cp->state = CARD_IDLE;
    return start_on(cp, cp->terminal + 1, cp->amount);
}

int card_payment_failover_dismiss(struct card_payment *cp)
{
    if (cp->state != CARD_FAILOVER)
        return -1;
    cp->state = CARD_IDLE;
    say(cp, 0, "Nothing was charged. Choose another tender.");
    changed(cp);
    return 0;
}

int card_payment_enquire(struct card_payment *cp)
{
    if (cp->state != CARD_UNKNOWN || cp->recovering)
        return -1;
    struct card_terminal *t = &cp->terminals[cp->terminal];
    if (payment_terminal_status_enquiry(t->pt, cp->reference, cp->amount)) {
        say(cp, 1, "Terminal %s is busy: try again", t->name);
        return -1;
    }
    snprintf(cp->status, sizeof cp->status, "%s: %s", t->name, N_("asking about the last payment"));
    changed(cp);
    return 0;
}

/* An approved card payment goes to the owner's tender. */
static void card_approved(struct card_payment *cp, const struct pt_outcome *o, const char *terminal)
{
    struct payment p;
    memset(&p, 0, sizeof p);
    p.tender = TENDER_CARD;
    p.amount = o->amount > 0 ? o->amount : cp->amount;
    snprintf(p.reference, sizeof p.reference, "%s", o->reference);
    snprintf(p.card_scheme, sizeof p.card_scheme, "%s", o->card_scheme);
    snprintf(p.masked_pan, sizeof p.masked_pan, "%s", o->masked_pan);
    snprintf(p.auth_code, sizeof p.auth_code, "%s", o->auth_code);
    snprintf(p.terminal_id, sizeof p.terminal_id, "%s", o->terminal_id[0] ? o->terminal_id : terminal);
    snprintf(p.terminal_receipt, sizeof p.terminal_receipt, "%s", o->receipt);
    cp->state = CARD_IDLE;
    cp->status[0] = 0;
    if (cp->op == PT_REFUND)
        cp->ev.refunded(cp->ev.ctx, &p);
    else
        cp->ev.approved(cp->ev.ctx, &p, cp->amount);
}

static void purchase_done(struct card_payment *cp, struct card_terminal *t, const struct pt_outcome *o)
{
    journal(cp, o->reference, journal_state_for(o->result), o);
    snprintf(cp->status, sizeof cp->status, "%.31s: %.90s", t->name, o->message);
    char a[48];
    money(cp, cp->amount, a, sizeof a);
    switch (o->result) {
    case PT_APPROVED:
        card_approved(cp, o, t->name);
        return;
    case PT_DECLINED:
    case PT_ABORTED:
    case PT_NOT_FOUND:
        cp->state = CARD_IDLE;
        say(cp, 1, "Card %s of %s not approved: %s", cp->op == PT_REFUND ? "refund" : "payment", a,
            o->message);
        return;
    case PT_ERROR:
        /* nothing was charged; only a request that provably never reached the terminal
         * may go to another one (one refused after it arrived is the cashier's call) */
        if (o->never_reached && card_payment_has_next_terminal(cp)) {
            cp->state = CARD_FAILOVER;
            say(cp, 1, "%s. Nothing was charged. Enter: use terminal %s, Esc: other tender",
                o->message, cp->terminals[cp->terminal + 1].name);
        } else {
            cp->state = CARD_IDLE;
            say(cp, 1, "%s. Nothing was charged.", o->message);
        }
        return;
    case PT_UNKNOWN:
        /* it may have been charged: never sent elsewhere until this is known */
        cp->state = CARD_UNKNOWN;
        say(cp, 1, "%s", o->message);
        return;
    }
}

static void enquiry_done(struct card_payment *cp, struct card_terminal *t, const struct pt_outcome *o)
{
    if (o->result == PT_APPROVED) {
        struct pt_outcome a = *o;
        a.op = cp->op;
        snprintf(a.reference, sizeof a.reference, "%s", cp->reference);
        journal(cp, cp->reference, "approved", &a);
        card_approved(cp, &a, t->name);
    } else if (o->result == PT_NOT_FOUND || o->result == PT_ABORTED) {
        journal(cp, cp->reference, "not_charged", NULL);
        cp->state = CARD_IDLE;
        say(cp, 0, "The terminal has no such payment: nothing was charged");
    } else {
        cp->state = CARD_UNKNOWN;
        say(cp, 1, "%s", o->message);
    }
}

static void audit_cashier_word(struct card_payment *cp, const char *reference, int approved)
{
    char detail[120];
    snprintf(detail, sizeof detail, "%s cashier says %s", reference, approved ? "approved" : "not approved");
    store_audit(cp->store, loop_wall_time(), cp->till_id, cp->cashier, "card_resolved", detail);
}

int card_payment_resolve(struct card_payment *cp, int approved_on_receipt)
{
    if (cp->state != CARD_UNKNOWN || cp->recovering)
        return -1;
    audit_cashier_word(cp, cp->reference, approved_on_receipt);
    if (!approved_on_receipt) {
        journal(cp, cp->reference, "not_charged", NULL);
        cp->state = CARD_IDLE;
        say(cp, 0, "Recorded as not charged. Choose another tender.");
        return 0;
    }
    struct pt_outcome o;
    memset(&o, 0, sizeof o);
    o.op = cp->op;
    o.result = PT_APPROVED;
    o.amount = cp->amount;
    snprintf(o.reference, sizeof o.reference, "%s", cp->reference);
    snprintf(o.masked_pan, sizeof o.masked_pan, "****");
    snprintf(o.message, sizeof o.message, "approved per terminal receipt");
    journal(cp, cp->reference, "approved", &o);
    card_approved(cp, &o, cp->terminals[cp->terminal].name);
    return 0;
}

/* --- cancelling a sale with approved cards: reverse each, then cancel --- */

static void reverse_next(struct card_payment *cp)
{
    if (cp->nto_reverse == 0) {
        cp->state = CARD_IDLE;
        changed(cp);
        if (cp->cancel_when_reversed) {
            cp->cancel_when_reversed = 0;
            cp->ev.cancel_now(cp->ev.ctx);
        }
        return;
    }
    const char *ref = cp->to_reverse[0];
    struct payment_intent in;
    struct card_terminal *t = NULL;
    if (journal_get(cp->store, ref, &in) == 0)
        t = terminal_named(cp, in.terminal);
    if (!t || payment_terminal_reversal(t->pt, &in.outcome)) {
        cp->state = CARD_IDLE;
        cp->cancel_when_reversed = 0;
        cp->nto_reverse = 0;
        say(cp, 1, "Could not start the reversal of card payment %s: the sale stays open", ref);
        return;
    }
    snprintf(cp->reference, sizeof cp->reference, "%s", ref);
    snprintf(cp->status, sizeof cp->status, "%s: %s", t->name, N_("reversing the card payment"));
    cp->state = CARD_REVERSING;
    changed(cp);
}

int card_payment_reverse_all_then_cancel(struct card_payment *cp, const struct tender_state *t)
{
    if (cp->state != CARD_IDLE || cp->recovering)
        return -1;
    cp->nto_reverse = 0;
    for (int i = 0; i < t->n && cp->nto_reverse < SALE_MAX_PAYMENTS; i++)
        if (t->payments[i].tender == TENDER_CARD)
            snprintf(cp->to_reverse[cp->nto_reverse++], sizeof cp->to_reverse[0], "%s",
                     t->payments[i].reference);
    cp->cancel_when_reversed = 1;
    reverse_next(cp);
    return 0;
}

static void reversal_done(struct card_payment *cp, const struct pt_outcome *o)
{
    if (o->result != PT_APPROVED) {
        cp->state = CARD_IDLE;
        cp->cancel_when_reversed = 0;
        cp->nto_reverse = 0;
        say(cp, 1, "Reversal failed (%s): the card payment stands; complete or retry", o->message);
        return;
    }
    journal(cp, cp->reference, "reversed", NULL);
    if (cp->nto_reverse > 0) {
        cp->nto_reverse--;
        memmove(cp->to_reverse[0], cp->to_reverse[1], sizeof cp->to_reverse[0] * (size_t)cp->nto_reverse);
    }
    /* the owner says it after us, with the amount it knows */
    say(cp, 0, "Card payment reversed.");
    cp->ev.reversed(cp->ev.ctx, cp->reference);
    reverse_next(cp);
}

/* --- start-up: resolving payments a crash interrupted --- */

static void recover_next(struct card_payment *cp);

static void recover_finish_one(struct card_payment *cp, const char *state, const char *what)
{
    struct payment_intent *in = &cp->recover[cp->recover_idx];
    journal(cp, in->reference, state, NULL);
    char a[48];
    money(cp, in->amount, a, sizeof a);
    say(cp, 0, "Interrupted card payment of %s: %s", a, what);
    cp->recover_idx++;
    recover_next(cp);
}

static void recover_next(struct card_payment *cp)
{
    cp->state = CARD_IDLE;
    if (cp->recover_idx >= cp->nrecover) {
        cp->recovering = 0;
        cp->nrecover = 0;
        changed(cp);
        if (cp->ev.recovered)
            cp->ev.recovered(cp->ev.ctx);
        return;
    }
    struct payment_intent *in = &cp->recover[cp->recover_idx];
    struct card_terminal *t = terminal_named(cp, in->terminal);
    snprintf(cp->reference, sizeof cp->reference, "%s", in->reference);
    cp->amount = in->amount;
    if (!t) {
        cp->state = CARD_UNKNOWN;
        say(cp, 1, "Terminal %s is no longer configured: check its receipts", in->terminal);
        return;
    }
    cp->terminal = (int)(t - cp->terminals);
    int rc;
    if (strcmp(in->state, "approved") == 0) {
        /* approved for a sale that was never saved: give the money back */
        cp->state = CARD_REVERSING;
        rc = payment_terminal_reversal(t->pt, &in->outcome);
    } else {
        cp->state = CARD_WAITING;
        rc = payment_terminal_status_enquiry(t->pt, in->reference, in->amount);
    }
    snprintf(cp->status, sizeof cp->status, "%s: %s", t->name,
             cp->state == CARD_REVERSING ? N_("reversing") : N_("asking what happened"));
    if (rc) {
        cp->state = CARD_UNKNOWN;
        say(cp, 1, "Terminal %s cannot be asked now: check its last receipt", t->name);
    }
    changed(cp);
}

int card_payment_recover_start(struct card_payment *cp)
{
    int n = journal_open_intents(cp->store, cp->recover, CARD_MAX_RECOVER);
    /* approved payments of the restored open sale stay with it */
    int kept = 0;
    for (int i = 0; i < n; i++) {
        const struct payment_intent *in = &cp->recover[i];
        if (strcmp(in->state, "approved") == 0 && cp->ev.owns && cp->ev.owns(cp->ev.ctx, in->reference))
            continue;
        cp->recover[kept++] = cp->recover[i];
    }
    n = n > 0 ? kept : n;
    if (n <= 0)
        return 0;
    cp->nrecover = n;
    cp->recover_idx = 0;
    cp->recovering = 1;
    recover_next(cp);
    return n;
}

const struct payment_intent *card_payment_recovering(const struct card_payment *cp)
{
    if (!cp->recovering || cp->recover_idx >= cp->nrecover)
        return NULL;
    return &cp->recover[cp->recover_idx];
}

int card_payment_recover_resolve(struct card_payment *cp, int approved_on_receipt)
{
    if (!cp->recovering || cp->state != CARD_UNKNOWN)
        return -1;
    struct payment_intent *in = &cp->recover[cp->recover_idx];
    audit_cashier_word(cp, in->reference, approved_on_receipt);
    if (!approved_on_receipt) {
        recover_finish_one(cp, "not_charged", "not charged (cashier checked the receipt)");
        return 0;
    }
    struct card_terminal *t = terminal_named(cp, in->terminal);
    if (t && payment_terminal_reversal(t->pt, &in->outcome) == 0) {
        cp->state = CARD_REVERSING;
        changed(cp);
        return 0;
    }
    recover_finish_one(cp, "unknown", "approved per receipt, but could not be reversed: refund by hand");
    return 0;
}

static void recover_done(struct card_payment *cp, const struct pt_outcome *o)
{
    struct payment_intent *in = &cp->recover[cp->recover_idx];
    if (o->op == PT_REVERSAL) {
        if (o->result == PT_APPROVED) {
            recover_finish_one(cp, "reversed", "it had been charged; now reversed");
        } else {
            cp->state = CARD_UNKNOWN;
            say(cp, 1, "Reversal failed: %s. A: try again as approved, N: not charged", o->message);
        }
        return;
    }
    switch (o->result) {
    case PT_APPROVED: {
        /* charged, but its sale was never saved: reverse it */
        struct card_terminal *t = &cp->terminals[cp->terminal];
        struct pt_outcome orig = *o;
        orig.op = PT_PURCHASE;
        snprintf(orig.reference, sizeof orig.reference, "%s", in->reference);
        journal(cp, in->reference, "approved", &orig);
        if (payment_terminal_reversal(t->pt, &orig) == 0) {
            cp->state = CARD_REVERSING;
            return;
        }
        cp->state = CARD_UNKNOWN;
        say(cp, 1, "Charged but cannot reverse now: A to retry, N to mark not charged");
        return;
    }
    case PT_NOT_FOUND:
        recover_finish_one(cp, "not_charged", "the terminal never charged it");
        return;
    case PT_ABORTED:
        recover_finish_one(cp, "reversed", "already reversed on the terminal");
        return;
    default:
        cp->state = CARD_UNKNOWN;
        say(cp, 1, "%s", o->message);
        return;
    }
}

static void on_terminal_done(void *ctx, const struct pt_outcome *o)
{
    struct card_terminal *t = ctx;
    struct card_payment *cp = t->owner;
    if (cp->recovering) {
        recover_done(cp, o);
    } else {
        switch (o->op) {
        case PT_PURCHASE:
        case PT_REFUND: purchase_done(cp, t, o); break;
        case PT_STATUS: enquiry_done(cp, t, o); break;
        case PT_REVERSAL: reversal_done(cp, o); break;
        default:
            say(cp, o->result == PT_APPROVED ? 0 : 1, "%.31s: %.90s", t->name, o->message);
            break;
        }
    }
    changed(cp);
}

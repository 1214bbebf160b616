/* The card-payment controller: payment terminals in priority order, the payment journal,
 * a failover only when a request provably never reached a terminal, outcomes that are not
 * known resolved by asking the terminal again or the cashier, reversal of a sale's approved
 * card payments before it is cancelled, and the resolution at start-up of payments a crash
 * interrupted.  It knows nothing of the screen or the tender: it tells its owner what
 * happened through the events, so it runs (and is tested) on its own. */
#ifndef TILL_APP_CARD_PAYMENT_H
#define TILL_APP_CARD_PAYMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/money.h"
#include "core/sale.h"
#include "core/tender.h"
#include "drivers/payment_terminal.h"
#include "src/payment_journal.h"

struct config;
struct loop;
struct store;

enum card_state {
    CARD_IDLE,
    CARD_WAITING,     /* a request is with a terminal */
    CARD_UNKNOWN,     /* it may have been charged: ask the terminal again, or the cashier */
    CARD_FAILOVER,    /* the terminal was provably not reached: the next one is offered */
    CARD_REVERSING,   /* reversing approved card payments (cancel, recovery) */
};

#define CARD_MAX_TERMINALS 4
#define CARD_MAX_RECOVER 16

struct card_payment;

struct card_terminal {
    char name[32];
    struct payment_terminal *pt;
    struct card_payment *owner;
};

struct card_payment_events {
    /* An approved card payment (amount may be below asked: a partial approval).  The owner
     * adds it to its tender; non-zero when it could not (the journal keeps it approved, so
     * the next start reverses it). */
    int (*approved)(void *ctx, const struct payment *p, int64_t asked);
    /* An approved card refund (a return): the owner pays it out of its tender (amount is
     * what went back to the card, > 0). */
    int (*refunded)(void *ctx, const struct payment *p);
    /* One of the sale's card payments was reversed: the owner takes it off its tender. */
    void (*reversed)(void *ctx, const char *reference);
    /* Every card payment of the sale is reversed: cancel the sale now. */
    void (*cancel_now)(void *ctx);
    /* The interrupted payments found at start-up are all resolved. */
    void (*recovered)(void *ctx);
    /* May be NULL.  1 when the open sale (restored after a crash) holds this approved
     * payment: start-up recovery leaves it to that sale instead of reversing it. */
    int (*owns)(void *ctx, const char *reference);
    /* A sentence for the cashier. */
    void (*message)(void *ctx, int is_error, const char *text);
    /* The state or the terminal's status text changed: redraw. */
    void (*changed)(void *ctx);
    void *ctx;
};

/* What the controller needs from its owner; strings are copied. */
struct card_payment_config {
    struct loop *loop;
    struct store *store;                /* the payment journal and the audit log */
    const struct config *cfg;           /* payment.terminals and each terminal's section */
    struct money_format fmt;            /* amounts in messages */
    const char *till_id, *cashier;      /* who decided, in the audit log */
};

struct card_payment {
    struct loop *loop;
    struct store *store;
    struct money_format fmt;
    char till_id[32], cashier[64];
    struct card_payment_events ev;

    struct card_terminal terminals[CARD_MAX_TERMINALS];
    int nterminals;

    enum card_state state;
    int terminal;               /* index of the terminal in use */
    int64_t amount;             /* asked for */
    enum pt_op op;              /* PT_PURCHASE, or PT_REFUND for a return */
    int seq;                    /* requests in this sale: part of the reference */
    char sale_uuid[40];
    char reference[48];         /* the request in progress */
    char status[128];           /* "front: Insert or tap card" */

    /* Cancelling: the sale's card payments still to reverse, then cancel_now. */
    char to_reverse[SALE_MAX_PAYMENTS][48];
    int nto_reverse;
    int cancel_when_reversed;

    /* Start-up: intents a crash left open. */
    struct payment_intent recover[CARD_MAX_RECOVER];
    int nrecover, recover_idx;
    int recovering;
};

/* Opens the terminals listed in payment.terminals ("name:kind, ..." or just "kind"; each
 * configured in [payment.name]).  On failure nothing stays open. */
int card_payment_open(struct card_payment *cp, const struct card_payment_config *c,
                      const struct card_payment_events *ev, char *err, size_t errlen);
void card_payment_close(struct card_payment *cp);

/* A new sale: references restart, the controller is idle. */
void card_payment_new_sale(struct card_payment *cp, const char *sale_uuid);
/* Charges amount on the first terminal; -1 (with a message) when nothing was sent. */
int card_payment_start(struct card_payment *cp, int64_t amount);
/* Refunds amount to the customer's card on the first terminal (a return): the same
 * journal, failover and unknown-outcome rules as a purchase; refunded() when approved. */
int card_payment_refund_start(struct card_payment *cp, int64_t amount);
/* CARD_WAITING: asks the terminal to abort. */
int card_payment_abort(struct card_payment *cp);
/* CARD_FAILOVER: the same amount on the next terminal, or (dismiss) none. */
int card_payment_failover(struct card_payment *cp);
int card_payment_failover_dismiss(struct card_payment *cp);
/* CARD_UNKNOWN: asks the terminal again, or takes the cashier's word from its receipt. */
int card_payment_enquire(struct card_payment *cp);
int card_payment_resolve(struct card_payment *cp, int approved_on_receipt);
/* Reverses each card payment in t, then calls cancel_now (at once when there is none). */
int card_payment_reverse_all_then_cancel(struct card_payment *cp, const struct tender_state *t);

/* Start-up: loads the journal's open intents and resolves them one by one (each asked of
 * its terminal; approved ones reversed); returns how many, recovered() fires when done. */
int card_payment_recover_start(struct card_payment *cp);
/* The intent being recovered (NULL when none). */
const struct payment_intent *card_payment_recovering(const struct card_payment *cp);
/* CARD_UNKNOWN during recovery: the cashier read the terminal's receipt. */
int card_payment_recover_resolve(struct card_payment *cp, int approved_on_receipt);

int card_payment_has_next_terminal(const struct card_payment *cp);

#endif

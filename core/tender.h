/* Tenders on one sale: any mix of cash, card and voucher until the balance is zero.
 * Pure: no I/O.
 *
 * Rules (README, "Payments"):
 *  - change is given only from cash: card and voucher amounts never exceed the balance;
 *  - a voucher worth more than the balance is refused (the cashier decides; no change and
 *    no silent forfeit);
 *  - a partial card approval reduces the balance by the approved amount and the cashier
 *    carries on with another tender;
 *  - an approved card payment can be reversed before the sale completes: the balance
 *    comes back;
 *  - cash rounding (e.g. 5 for CHF) applies to what is still due in cash, half away from
 *    zero; the rounding difference is part of the change;
 *  - a negative total (a return, an exchange that gives money back) is paid out: refunds
 *    are payments with negative amounts, in any tender, until they add up to the total;
 *    cash paid out is rounded like cash taken. */
#ifndef TILL_TENDER_H
#define TILL_TENDER_H

#include <stdint.h>

#include "core/sale.h"

enum {
    TENDER_OK = 0,
    TENDER_EINVAL = -1,     /* zero/negative amount, bad index */
    TENDER_EOVER = -2,      /* card/voucher above the balance */
    TENDER_ESHORT = -3,     /* cash below what is due in cash */
    TENDER_EFULL = -4,      /* too many payments */
    TENDER_ESETTLED = -5,   /* nothing left to pay */
    TENDER_EOVERFLOW = -6,
    TENDER_EREFUND = -7,    /* the sale pays out: refund instead */
    TENDER_ENOREFUND = -8,  /* the sale does not pay out */
};

struct tender_state {
    int64_t total;
    int64_t cash_increment;   /* 1 = no cash rounding */
    struct payment payments[SALE_MAX_PAYMENTS];
    int n;
};

void tender_init(struct tender_state *t, int64_t total, int64_t cash_increment);
int64_t tender_paid(const struct tender_state *t);
/* What is still to pay (0 when settled). */
int64_t tender_balance(const struct tender_state *t);
/* The balance as it is paid in cash (rounded to the cash increment). */
int64_t tender_cash_due(const struct tender_state *t);
int tender_is_settled(const struct tender_state *t);
/* Cash handed over: takes what is due (or all of it, if less: a partial cash payment),
 * the rest is change.  *change_out receives the change to hand back. */
int tender_add_cash(struct tender_state *t, int64_t tendered, int64_t *change_out);
/* An approved card payment (details copied from card; amount = approved amount). */
int tender_add_card(struct tender_state *t, const struct payment *card);
int tender_add_voucher(struct tender_state *t, int64_t value, const char *code);
/* Removes payment i (a reversed card payment); the balance comes back. */
int tender_remove(struct tender_state *t, int i);
int64_t tender_change(const struct tender_state *t);
/* What is still to pay out on a negative total (0 otherwise, or when done). */
int64_t tender_refund_due(const struct tender_state *t);
/* The refund still due as cash is handed out (rounded to the cash increment). */
int64_t tender_cash_refund_due(const struct tender_state *t);
/* Pays out amount (> 0, at most what is due) in p->tender: stored as a payment of -amount
 * with p's details (a card refund's reference, a voucher's code).  Cash pays out what is
 * due rounded: *handed_out (may be NULL) receives the cash to hand over. */
int tender_add_refund(struct tender_state *t, const struct payment *p, int64_t amount,
                      int64_t *handed_out);
const char *tender_strerror(int rc);

#endif

/* A completed (or completing) sale: the cart's lines, totals and the payments that
 * settled it.  This is what is stored, printed and synced.  Pure: no I/O. */
#ifndef TILL_SALE_H
#define TILL_SALE_H

#include <stddef.h>
#include <stdint.h>

#include "core/cart.h"
#include "core/fiscal.h"
#include "core/money.h"
#include "core/payment_outcome.h"

enum tender_kind { TENDER_CASH, TENDER_CARD, TENDER_VOUCHER };

struct payment {
    enum tender_kind tender;
    int64_t amount;        /* applied to the sale */
    int64_t tendered;      /* handed over; > amount only for cash */
    int64_t change;
    char reference[48];    /* card: Till's reference with the terminal */
    char card_scheme[24];
    char masked_pan[24];   /* "************1234": last four digits only */
    char auth_code[16];
    char terminal_id[24];
    char terminal_receipt[PT_RECEIPT_MAX]; /* the terminal's cardholder copy, '\n'-separated */
};

#define SALE_MAX_PAYMENTS 16

struct sale {
    char uuid[40];
    char terminal_id[32];
    char cashier[32];
    char staff_id[32];                  /* who sold it; "" on a till without staff */
    int64_t shift_id;                   /* the shift it belongs to; 0: none */
    char store_name[64];
    int64_t receipt_no;
    int64_t started_at, completed_at;   /* Unix seconds */
    struct money_format fmt;
    struct tax_config tax;
    const struct cart *cart;
    struct payment payments[SALE_MAX_PAYMENTS];
    int npayments;
    int64_t change_given;
    /* lines printed under the receipt's header, '\n'-separated: the customer's name, the
     * receipts the returns came from; "" for none */
    char notes[256];
    /* Germany (app/fiscal.h): the TSE's fields, '\n'-separated, and the V0 QR code's text;
     * "" when the till has no [fiscal] */
    char fiscal_text[1024];
    char fiscal_qr[FISCAL_QR_MAX];
};

const char *tender_name(enum tender_kind t);   /* "cash", "card", "voucher" */
/* Sum of payment amounts. */
int64_t sale_paid(const struct sale *sale);

#endif

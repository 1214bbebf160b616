/* What a payment terminal said about one request, as the driver, the payment journal and
 * the sale all see it.  It lives in the core because every layer above needs it.  Pure
 * data: no I/O.  A card number never appears here: drivers keep the last four digits. */
#ifndef TILL_CORE_PAYMENT_OUTCOME_H
#define TILL_CORE_PAYMENT_OUTCOME_H

#include <stdint.h>

/* One copy of a terminal's receipt, UTF-8: real terminals send 500-1,300 bytes per copy
 * (text blocks) or 40-70 print lines; this holds several times that. */
#define PT_RECEIPT_MAX 8192

enum pt_op { PT_PURCHASE, PT_REVERSAL, PT_REFUND, PT_STATUS, PT_END_OF_DAY, PT_ABORT };

enum pt_result {
    PT_APPROVED,
    PT_DECLINED,
    PT_ABORTED,   /* cancelled by cashier or customer; nothing charged */
    PT_ERROR,     /* failed; nothing charged */
    PT_UNKNOWN,   /* the request may have reached the terminal; outcome not known */
    PT_NOT_FOUND, /* status enquiry: the terminal has no such transaction */
};

struct pt_outcome {
    enum pt_op op;
    enum pt_result result;
    int never_reached;        /* the request provably never reached the terminal */
    int64_t amount;           /* approved amount (may be less than asked: partial) */
    char reference[48];       /* Till's reference for the transaction */
    char masked_pan[24];      /* "************1234" */
    char card_scheme[24];
    char auth_code[16];
    char terminal_id[24];
    char trace[16];
    char receipt_no[16];
    char message[128];        /* for the cashier */
    /* The terminal's receipt, '\n'-separated lines, card numbers masked: the cardholder's
     * copy (printed on the customer's receipt) and the merchant's copy (kept, not given
     * to the customer). */
    char receipt[PT_RECEIPT_MAX];
    char merchant_receipt[PT_RECEIPT_MAX];
};

/* A terminal's end-of-day (ZVT 06 50): the totals of its batch since the last one, as the
 * terminal counted them, per card type where it says (ZVT BMP 60), for the Z report's
 * reconciliation against the till's own card total. */
#define PT_EOD_MAX_LINES 8

struct pt_eod_line {
    char card[24];            /* "Visa", "girocard", "other cards" */
    int64_t count;
    int64_t amount;
};

struct pt_eod_totals {
    enum pt_result result;    /* PT_APPROVED: the batch is closed and the figures below hold */
    int has_total;
    int64_t total;            /* the terminal's total of the batch, minor units */
    int64_t count;            /* transactions, -1 when the terminal did not say */
    int nlines;
    struct pt_eod_line lines[PT_EOD_MAX_LINES];
    char message[128];
};

#endif

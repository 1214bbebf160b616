/* Returns and refunds (app/returns.c): against a receipt found on this till or on the
 * store server, or without a receipt after an override; returned lines join the open
 * sale as negative lines (so an exchange is one sale), and a negative total is paid out
 * to the original tender: the card through the terminal's refund, cash from the drawer,
 * or a voucher. */
#ifndef TILL_APP_RETURNS_H
#define TILL_APP_RETURNS_H

#include <stdint.h>

#include "core/returns.h"

struct app;

#define RETURNS_MAX_REASONS 8

struct app_returns {
    struct original_sale orig;   /* the receipt returned against in this sale */
    int have;                    /* orig is loaded */
    int sel;                     /* the selected line of orig */
    int restock;                 /* the next returned line goes back on the shelf */
    int reason;                  /* index into reasons */
    char reasons[RETURNS_MAX_REASONS][24];
    int nreasons;
    int no_receipt;              /* a supervisor allowed items back without a receipt */
    int asking;                  /* the store server is being asked for the receipt */
    int cash_allowed;            /* a supervisor allowed cash back for this sale */
    char pin[32];                /* returns.supervisor_pin ("" = overrides refused) */
};

/* Reads returns.* (reasons, supervisor pin) at start-up. */
int app_returns_configure(struct app *app, char *err, size_t errlen);
/* A new sale forgets the receipt. */
void app_returns_reset(struct app *app);

/* Ctrl-R on the sale screen: asks for the receipt (MODE_RETURN_FIND). */
void app_return_open(struct app *app);
/* The receipt's number (this till) or its code (TERMINAL:UUID, any till when online). */
int app_return_lookup(struct app *app, const char *ref);
void app_return_select(struct app *app, int delta);
void app_return_toggle_restock(struct app *app);
void app_return_next_reason(struct app *app);
/* Enter in the return dialog: qty (empty = all that is left) of the selected line. */
int app_return_add(struct app *app, const char *qty_text);
/* Without a receipt (after the override): "BARCODE" at the current price, or
 * "BARCODE@PRICE" at a keyed price. */
int app_return_no_receipt(struct app *app, const char *text);
/* The override for returns without a receipt was given. */
void app_return_no_receipt_allowed(struct app *app);

/* Paying out a negative total (the payment dialog's keys when the sale gives money back). */
int app_refund_cash(struct app *app, const char *text);
int app_refund_card(struct app *app, const char *text);
int app_refund_voucher(struct app *app, const char *text);
/* What is still to pay out. */
int64_t app_refund_due(const struct app *app);

#endif

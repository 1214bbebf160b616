/* The open sale: its cart, identity, tender and what the cashier has set up for the next
 * scan.  The app's actions (app/app.c) work on it; label data reaches the cart's lines only
 * through the cart's own functions. */
#ifndef TILL_APP_SALE_SESSION_H
#define TILL_APP_SALE_SESSION_H

#include <stdint.h>

#include "core/cart.h"
#include "core/product.h"
#include "core/tax.h"
#include "core/tender.h"

struct sale_session {
    struct cart cart;
    char uuid[40];
    int64_t started_at;          /* Unix seconds */
    struct tender_state tender;
    int selected;                /* selected cart line, -1 none */
    int64_t pending_qty;         /* from "3*": applies to the next scan */
    struct product weighed;      /* waiting for a weight (MODE_WEIGHT) */
    char weighed_barcode[64];
    int subtotaled;              /* the payment dialog was opened: voids need permission */
};

void sale_session_init(struct sale_session *s, const struct tax_config *tax, int64_t cash_increment);
/* Starts a new, empty sale with a fresh UUID at time now. */
void sale_session_begin(struct sale_session *s, int64_t now);
void sale_session_free(struct sale_session *s);
/* Once money is taken the cart is fixed: the total must not move under the payments. */
int sale_session_locked(const struct sale_session *s);
int sale_session_has_card_payments(const struct sale_session *s);
/* A fresh random (version 4) UUID: sales, shifts, cash movements. */
void app_new_uuid(char out[40]);

#endif

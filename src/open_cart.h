/* The open sale kept in the database as it changes (the open_sale, open_lines and
 * open_payments tables and all their SQL), so a crash or power cut brings it back on
 * restart.  open_cart_sync compares the sale with what it saved last (a hash per line and
 * per payment) and writes only what changed, in one transaction: a scan writes one line.
 * Lines and the sale's header are written with synchronous=NORMAL (a process crash loses
 * nothing; a power cut at most the last changes); a transaction that writes a payment
 * keeps FULL, like the payment journal. */
#ifndef TILL_OPEN_CART_H
#define TILL_OPEN_CART_H

#include <stddef.h>
#include <stdint.h>

#include "core/cart.h"
#include "core/tender.h"

struct store;

/* What open_cart_sync saved last. */
struct open_cart_state {
    uint64_t header;
    uint64_t lines[CART_MAX_LINES];
    int nlines;
    uint64_t payments[SALE_MAX_PAYMENTS];
    int npayments;
    int saved;                   /* something is in the tables */
};

/* The parts of an open sale that are not in the cart. */
struct open_cart_extra {
    char uuid[40];
    int64_t started_at;
    int age_proven;
    char age_proven_how[40];
};

/* Writes what changed since state was last written; an empty sale with no payments empties
 * the tables.  state is updated only when the write commits. */
int open_cart_sync(struct store *st, struct open_cart_state *state, const struct cart *cart,
                   const struct tender_state *tender, const struct open_cart_extra *extra);
/* Forgets the saved sale (inside the caller's transaction, e.g. the sale's commit). */
int open_cart_clear(struct store *st);
/* The saved sale into cart (empty, priced by the caller's promotions afterwards), tender
 * and extra; state as if just written.  STORE_NOTFOUND when there is none. */
int open_cart_load(struct store *st, struct open_cart_state *state, struct cart *cart,
                   struct tender_state *tender, struct open_cart_extra *extra);

#endif

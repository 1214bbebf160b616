/* Customers as synced from the store server (the customers table and all its SQL): the few
 * fields a till needs to price a sale for one and send its id with the order. */
#ifndef TILL_CUSTOMERS_H
#define TILL_CUSTOMERS_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct customer {
    char id[40];
    char name[64];
    char segment[16];              /* price list and promotions: "staff", "gold", "" */
    char card[48];                 /* loyalty card number, "" for none */
};

/* Inside the caller's transaction. */
int customers_put(struct store *st, const struct customer *c);
int customers_delete(struct store *st, const char *id);
/* STORE_OK, STORE_NOTFOUND or < 0. */
int customers_find_by_card(struct store *st, const char *card, struct customer *out);
int customers_find_by_id(struct store *st, const char *id, struct customer *out);
/* Customers whose name contains text (any case) or whose card or id is text; the count or < 0. */
int customers_search(struct store *st, const char *text, struct customer *out, int max);

#endif

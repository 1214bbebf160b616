/* The sale's customer: a loyalty card scanned, or one found by name (Ctrl-K).  The cart
 * then prices with the customer's segment (segment prices, segment promotions) and the
 * order carries the customer's id to the store server. */
#ifndef TILL_APP_CUSTOMER_H
#define TILL_APP_CUSTOMER_H

#include "src/customers.h"

struct app;

#define APP_CUSTOMERS_MAX 12

struct app_customer {
    char name[64];                 /* the sale's customer, "" for none */
    struct customer results[APP_CUSTOMERS_MAX];   /* MODE_CUSTOMER: the search */
    int n, sel;
};

void app_customer_open(struct app *app);
void app_customer_search(struct app *app, const char *text);
void app_customer_select(struct app *app, int delta);
int app_customer_choose(struct app *app);
/* c NULL: the sale has no customer any more. */
int app_customer_set(struct app *app, const struct customer *c);
/* A scanned code that is a loyalty card: 1 (taken, or refused with a message), else 0. */
int app_customer_scan(struct app *app, const char *code);
/* The name again for a sale that came back with its customer's id (resumed, restored). */
void app_customer_restore(struct app *app);

#endif

/* Deposits: a product that names a deposit item (deposit_sku in the catalog, e.g. a bottle
 * deposit) brings that item along, same quantity, on the next line; voiding the product or
 * changing its quantity does the same to its deposit.  An item of the group
 * "deposit_return" (empties brought back) is a negative line that needs no receipt. */
#ifndef TILL_APP_DEPOSIT_H
#define TILL_APP_DEPOSIT_H

#include <stdint.h>

struct app;
struct product;

#define DEPOSIT_RETURN_GROUP "deposit_return"

/* After p's line (at line) was added with qty: its deposit follows.  0, or -1 with a message
 * when the deposit item cannot be found (the product stays). */
int app_deposit_add(struct app *app, const struct product *p, int line, int64_t qty);
/* 1 when p is a deposit return. */
int app_deposit_is_return(const struct product *p);
/* Takes qty of empties back: a negative line at p's price, without receipt. */
int app_deposit_return(struct app *app, const struct product *p, const char *code, int64_t qty);
/* The deposit line that belongs to line (the next line, same quantity, the deposit's sku),
 * or -1. */
int app_deposit_line_of(const struct app *app, int line);

#endif

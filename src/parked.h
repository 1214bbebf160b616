/* Parked (suspended) sales: the cashier sets an open sale aside, with a label, serves the
 * next customer and resumes it later on this till; parked sales survive a restart.  This
 * module owns the parked_sales and parked_lines tables. */
#ifndef TILL_PARKED_H
#define TILL_PARKED_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct cart;

struct parked_info {
    int64_t id;                 /* the number the cashier picks it by */
    char label[48];
    int64_t parked_at;          /* Unix seconds */
    int64_t items;
    int64_t total;
};

/* What a parked sale keeps besides its cart. */
struct parked_extra {
    char uuid[40];              /* the sale keeps its identity */
    int64_t started_at;
    int age_proven;             /* the age the customer has shown (0: none yet) */
    char age_proven_how[40];
};

/* Saves the cart (its lines, discounts, customer and coupons) and x in one transaction;
 * *id is its number. */
int parked_save(struct store *st, const struct cart *cart, const struct parked_extra *x, const char *label,
                int64_t now, int64_t *id);
/* The parked sales, oldest first; returns how many (at most max), or a negative error. */
int parked_list(struct store *st, struct parked_info *out, int max);
/* Loads parked sale id into the (empty) cart and removes it, in one transaction: it is
 * never both parked and open.  STORE_NOTFOUND when there is no such sale. */
int parked_take(struct store *st, int64_t id, struct cart *cart, struct parked_extra *x);
/* How many were parked before the given time (flagged at the end of the day). */
int parked_count_before(struct store *st, int64_t before, int64_t *n);

#endif

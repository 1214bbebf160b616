/* Counting cash by denomination (issue 12): the float at the start of a shift and the
 * Z's counted cash as so many notes and coins of each value.  Pure arithmetic; which
 * denominations a currency has comes from config, with the EUR set built in. */
#ifndef TILL_CORE_DENOMINATION_H
#define TILL_CORE_DENOMINATION_H

#include <stddef.h>
#include <stdint.h>

#define DENOM_MAX 24
/* More of one note or coin than any drawer or safe bag holds: a typo, refused. */
#define DENOM_COUNT_MAX 100000

struct denom_set {
    int n;
    int64_t value[DENOM_MAX]; /* minor units, largest first */
    int coins_from;           /* value[coins_from..] are coins, the rest notes */
};

/* EUR: notes 500, 200, 100, 50, 20, 10, 5; coins 2, 1, 0.50, 0.20, 0.10, 0.05, 0.02, 0.01. */
void denom_eur(struct denom_set *out);
/* The built-in set of an ISO 4217 currency: 0, or -1 when there is none (type the total). */
int denom_for_currency(const char *code, struct denom_set *out);

/* Checks a set: 1..DENOM_MAX values, each positive and smaller than the one before,
 * coins_from within 0..n.  0, or -1 with why in err. */
int denom_check(const struct denom_set *set, char *err, size_t errlen);

/* The amount counted[i] pieces of each value[i] make, with checked arithmetic.  0, or -1
 * with why in err (a negative or implausible count, an overflow). */
int denom_total(const struct denom_set *set, const int64_t counted[], int64_t *total, char *err, size_t errlen);

/* A count in progress, one denomination after the other, largest first. */
struct denom_count {
    struct denom_set set;
    int at;                     /* the denomination asked now */
    int64_t counted[DENOM_MAX];
};

void denom_count_start(struct denom_count *c, const struct denom_set *set);
/* The pieces typed for the denomination asked now ("" is none): 1 when that was the last
 * (*total the amount counted), 0 when the next is asked, -1 with why in err (a count
 * that is not a number or cannot be right; this denomination is asked again). */
int denom_count_enter(struct denom_count *c, const char *pieces, int64_t *total, char *err, size_t errlen);
/* The amount of the pieces counted so far. */
int64_t denom_count_so_far(const struct denom_count *c);

#endif

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

/* Checks a set: 1..DENOM_MAX values, each positive and smaller than the one before,
 * coins_from within 0..n.  0, or -1 with why in err. */
int denom_check(const struct denom_set *set, char *err, size_t errlen);

/* The amount counted[i] pieces of each value[i] make, with checked arithmetic.  0, or -1
 * with why in err (a negative or implausible count, an overflow). */
int denom_total(const struct denom_set *set, const int64_t counted[], int64_t *total, char *err, size_t errlen);

#endif

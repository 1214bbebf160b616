#include "core/denomination.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"

void denom_eur(struct denom_set *out)
{
    static const int64_t eur[] = { 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1 };
    out->n = (int)(sizeof eur / sizeof eur[0]);
    for (int i = 0; i < out->n; i++)
        out->value[i] = eur[i];
    out->coins_from = 7; /* 2 € is the largest coin */
}

int denom_check(const struct denom_set *set, char *err, size_t errlen)
{
    if (set->n < 1 || set->n > DENOM_MAX) {
        snprintf(err, errlen, "between 1 and %d denominations, not %d", DENOM_MAX, set->n);
        return -1;
    }
    if (set->coins_from < 0 || set->coins_from > set->n) {
        snprintf(err, errlen, "the first coin (%d) is not one of the %d denominations", set->coins_from, set->n);
        return -1;
    }
    for (int i = 0; i < set->n; i++) {
        if (set->value[i] <= 0) {
            snprintf(err, errlen, "denomination %d is not positive", i + 1);
            return -1;
        }
        /* largest first, no value twice: each count then belongs to exactly one value */
        if (i > 0 && set->value[i] >= set->value[i - 1]) {
            snprintf(err, errlen, "denominations must go from the largest down, each once (%lld after %lld)",
                     (long long)set->value[i], (long long)set->value[i - 1]);
            return -1;
        }
    }
    return 0;
}

int denom_total(const struct denom_set *set, const int64_t counted[], int64_t *total, char *err, size_t errlen)
{
    int64_t sum = 0, part;
    for (int i = 0; i < set->n; i++) {
        if (counted[i] < 0 || counted[i] > DENOM_COUNT_MAX) {
            snprintf(err, errlen, "%lld pieces of %lld cannot be right (0 to %d)", (long long)counted[i],
                     (long long)set->value[i], DENOM_COUNT_MAX);
            return -1;
        }
        if (money_muldiv(set->value[i], counted[i], 1, &part) || money_add(sum, part, &sum)) {
            snprintf(err, errlen, "the count is too large to add up");
            return -1;
        }
    }
    *total = sum;
    return 0;
}

int denom_for_currency(const char *code, struct denom_set *out)
{
    if (strcmp(code, "EUR") != 0)
        return -1;
    denom_eur(out);
    return 0;
}

void denom_count_start(struct denom_count *c, const struct denom_set *set)
{
    memset(c, 0, sizeof *c);
    c->set = *set;
}

int denom_count_enter(struct denom_count *c, const char *pieces, int64_t *total, char *err, size_t errlen)
{
    const char *p = *pieces ? pieces : "0";
    if (strspn(p, "0123456789") != strlen(p) || strlen(p) > 6) {
        snprintf(err, errlen, "'%s' is not a number of pieces", pieces);
        return -1;
    }
    int64_t n = 0;
    for (; *p; p++)
        n = n * 10 + (*p - '0');
    c->counted[c->at] = n;
    if (denom_total(&c->set, c->counted, total, err, errlen)) {
        c->counted[c->at] = 0;
        return -1;
    }
    return ++c->at < c->set.n ? 0 : 1;
}

int64_t denom_count_so_far(const struct denom_count *c)
{
    int64_t sum = 0;
    char err[8];
    return denom_total(&c->set, c->counted, &sum, err, sizeof err) ? 0 : sum;
}

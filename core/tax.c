#include "core/tax.h"

#include <string.h>

#include "core/money.h"

#define PPM 1000000

int tax_of_amount(enum tax_mode mode, int64_t amount, int64_t rate_ppm, int64_t *tax)
{
    if (rate_ppm < 0)
        return MONEY_ERANGE;
    if (mode == TAX_EXCLUSIVE)
        return money_muldiv(amount, rate_ppm, PPM, tax);
    /* gross includes tax: tax = gross * r / (1 + r) */
    return money_muldiv(amount, rate_ppm, PPM + rate_ppm, tax);
}

static struct tax_line *class_slot(struct tax_totals *t, const char *code, int64_t rate)
{
    for (int i = 0; i < t->nclasses; i++)
        if (strcmp(t->classes[i].code, code) == 0 && t->classes[i].rate_ppm == rate)
            return &t->classes[i];
    if (t->nclasses == TAX_MAX_CLASSES)
        return NULL;
    struct tax_line *l = &t->classes[t->nclasses++];
    memset(l, 0, sizeof *l);
    size_t n = strlen(code);
    if (n >= sizeof l->code)
        n = sizeof l->code - 1;
    memcpy(l->code, code, n);
    l->rate_ppm = rate;
    return l;
}

int tax_compute(const struct tax_config *cfg, const struct tax_item *items, int n,
                struct tax_totals *out)
{
    memset(out, 0, sizeof *out);
    /* Sum line amounts per class (into net for exclusive, gross for inclusive);
     * per-line rounding also sums each line's rounded tax. */
    for (int i = 0; i < n; i++) {
        struct tax_line *l = class_slot(out, items[i].code, items[i].rate_ppm);
        if (!l)
            return MONEY_ERANGE;
        int64_t *base = cfg->mode == TAX_EXCLUSIVE ? &l->net : &l->gross;
        if (money_add(*base, items[i].amount, base))
            return MONEY_EOVERFLOW;
        if (money_add(out->subtotal, items[i].amount, &out->subtotal))
            return MONEY_EOVERFLOW;
        if (cfg->rounding == TAX_ROUND_PER_LINE) {
            int64_t t;
            if (tax_of_amount(cfg->mode, items[i].amount, items[i].rate_ppm, &t) ||
                money_add(l->tax, t, &l->tax))
                return MONEY_EOVERFLOW;
        }
    }
    for (int i = 0; i < out->nclasses; i++) {
        struct tax_line *l = &out->classes[i];
        int64_t base = cfg->mode == TAX_EXCLUSIVE ? l->net : l->gross;
        if (cfg->rounding == TAX_ROUND_PER_TOTAL &&
            tax_of_amount(cfg->mode, base, l->rate_ppm, &l->tax))
            return MONEY_EOVERFLOW;
        if (cfg->mode == TAX_EXCLUSIVE) {
            if (money_add(l->net, l->tax, &l->gross))
                return MONEY_EOVERFLOW;
        } else if (money_sub(l->gross, l->tax, &l->net)) {
            return MONEY_EOVERFLOW;
        }
        if (money_add(out->tax, l->tax, &out->tax) ||
            money_add(out->total, l->gross, &out->total))
            return MONEY_EOVERFLOW;
    }
    return 0;
}

int tax_mode_parse(const char *s, enum tax_mode *out)
{
    if (strcmp(s, "inclusive") == 0)
        *out = TAX_INCLUSIVE;
    else if (strcmp(s, "exclusive") == 0)
        *out = TAX_EXCLUSIVE;
    else
        return -1;
    return 0;
}

int tax_rounding_parse(const char *s, enum tax_rounding *out)
{
    if (strcmp(s, "per_total") == 0)
        *out = TAX_ROUND_PER_TOTAL;
    else if (strcmp(s, "per_line") == 0)
        *out = TAX_ROUND_PER_LINE;
    else
        return -1;
    return 0;
}

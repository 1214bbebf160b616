#include "core/returns.h"

#include "core/money.h"
#include "core/pricing.h"

int64_t returns_available(const struct original_line *l)
{
    if (l->voided || l->qty <= 0 || l->returned >= l->qty)
        return 0;
    return l->qty - (l->returned > 0 ? l->returned : 0);
}

int returns_refund(const struct original_line *l, int64_t qty, int64_t *refund)
{
    if (qty <= 0 || qty > returns_available(l))
        return -1;
    /* pieces come back whole: half a bottle was never sold */
    if (l->product.unit == UNIT_EACH && qty % QTY_ONE != 0)
        return -1;
    int64_t before = l->returned > 0 ? l->returned : 0;
    return pricing_refund_share(l->paid, l->qty, before, qty, refund) == PRICING_OK ? 0 : -1;
}

int returns_find_line(const struct original_sale *o, int line_no)
{
    for (int i = 0; i < o->nlines; i++)
        if (o->lines[i].line_no == line_no)
            return i;
    return -1;
}

enum tender_kind returns_original_tender(const struct original_sale *o)
{
    if (o->paid_by[TENDER_CARD] > 0)
        return TENDER_CARD;
    if (o->paid_by[TENDER_CASH] > 0)
        return TENDER_CASH;
    return o->paid_by[TENDER_VOUCHER] > 0 ? TENDER_VOUCHER : TENDER_CASH;
}

#include "core/sale.h"

#include <stdlib.h>

const char *tender_name(enum tender_kind t)
{
    switch (t) {
    case TENDER_CASH: return "cash";
    case TENDER_CARD: return "card";
    case TENDER_VOUCHER: return "voucher";
    }
    return "?";
}

int64_t sale_paid(const struct sale *sale)
{
    int64_t sum = 0;
    for (int i = 0; i < sale->npayments; i++)
        if (money_add(sum, sale->payments[i].amount, &sum))
            return INT64_MAX;
    return sum;
}

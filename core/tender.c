#include "core/tender.h"

#include <string.h>

#include "core/money.h"

void tender_init(struct tender_state *t, int64_t total, int64_t cash_increment)
{
    memset(t, 0, sizeof *t);
    t->total = total;
    t->cash_increment = cash_increment > 0 ? cash_increment : 1;
}

int64_t tender_paid(const struct tender_state *t)
{
    int64_t sum = 0;
    for (int i = 0; i < t->n; i++)
        sum += t->payments[i].amount; /* bounded by total: every add is checked */
    return sum;
}

int64_t tender_balance(const struct tender_state *t)
{
    int64_t b = t->total - tender_paid(t);
    return b > 0 ? b : 0;
}

int64_t tender_cash_due(const struct tender_state *t)
{
    int64_t due;
    if (money_round_to(tender_balance(t), t->cash_increment, &due))
        return tender_balance(t);
    return due;
}

int64_t tender_refund_due(const struct tender_state *t)
{
    if (t->total >= 0)
        return 0;
    int64_t due = tender_paid(t) - t->total;   /* both negative, within the total */
    return due > 0 ? due : 0;
}

int64_t tender_cash_refund_due(const struct tender_state *t)
{
    int64_t due;
    if (money_round_to(tender_refund_due(t), t->cash_increment, &due))
        return tender_refund_due(t);
    return due;
}

int tender_is_settled(const struct tender_state *t)
{
    if (t->total < 0)
        return tender_refund_due(t) == 0 || tender_cash_refund_due(t) == 0;
    return tender_balance(t) == 0 || tender_cash_due(t) == 0;
}

static struct payment *next_slot(struct tender_state *t)
{
    if (t->n >= SALE_MAX_PAYMENTS)
        return NULL;
    struct payment *p = &t->payments[t->n];
    memset(p, 0, sizeof *p);
    return p;
}

int tender_add_cash(struct tender_state *t, int64_t tendered, int64_t *change_out)
{
    if (tendered <= 0)
        return TENDER_EINVAL;
    if (t->total < 0)
        return TENDER_EREFUND;
    if (tender_is_settled(t))
        return TENDER_ESETTLED;
    struct payment *p = next_slot(t);
    if (!p)
        return TENDER_EFULL;
    int64_t due = tender_cash_due(t);
    int64_t balance = tender_balance(t);
    p->tender = TENDER_CASH;
    p->tendered = tendered;
    if (tendered >= due) {
        /* settles the sale: the whole balance is paid, the rest (and any rounding) is change */
        p->amount = balance;
        p->change = tendered - due;
    } else {
        /* partial cash: applied in full, no change */
        p->amount = tendered < balance ? tendered : balance;
        p->change = 0;
    }
    t->n++;
    if (change_out)
        *change_out = p->change;
    return TENDER_OK;
}

int tender_add_card(struct tender_state *t, const struct payment *card)
{
    if (card->amount <= 0)
        return TENDER_EINVAL;
    if (t->total < 0)
        return TENDER_EREFUND;
    if (tender_is_settled(t))
        return TENDER_ESETTLED;
    if (card->amount > tender_balance(t))
        return TENDER_EOVER;
    struct payment *p = next_slot(t);
    if (!p)
        return TENDER_EFULL;
    *p = *card;
    p->tender = TENDER_CARD;
    p->tendered = card->amount;
    p->change = 0;
    t->n++;
    return TENDER_OK;
}

int tender_add_voucher(struct tender_state *t, int64_t value, const char *code)
{
    if (value <= 0)
        return TENDER_EINVAL;
    if (t->total < 0)
        return TENDER_EREFUND;
    if (tender_is_settled(t))
        return TENDER_ESETTLED;
    if (value > tender_balance(t))
        return TENDER_EOVER;
    struct payment *p = next_slot(t);
    if (!p)
        return TENDER_EFULL;
    p->tender = TENDER_VOUCHER;
    p->amount = value;
    p->tendered = value;
    size_t n = code ? strlen(code) : 0;
    if (n >= sizeof p->reference)
        n = sizeof p->reference - 1;
    if (n)
        memcpy(p->reference, code, n);
    p->reference[n] = 0;
    t->n++;
    return TENDER_OK;
}

int tender_add_refund(struct tender_state *t, const struct payment *src, int64_t amount,
                      int64_t *handed_out)
{
    if (amount <= 0)
        return TENDER_EINVAL;
    if (t->total >= 0)
        return TENDER_ENOREFUND;
    if (tender_is_settled(t))
        return TENDER_ESETTLED;
    int64_t due = tender_refund_due(t);
    if (amount > due)
        return TENDER_EOVER;
    struct payment *p = next_slot(t);
    if (!p)
        return TENDER_EFULL;
    *p = *src;
    p->amount = -amount;
    p->tendered = -amount;
    p->change = 0;
    if (src->tender == TENDER_CASH) {
        /* the last cash out settles what is due, rounded to coins that exist */
        int64_t cash_due = tender_cash_refund_due(t);
        if (amount >= cash_due) {
            p->amount = -due;
            p->tendered = -cash_due;
        }
    }
    t->n++;
    if (handed_out)
        *handed_out = -p->tendered;
    return TENDER_OK;
}

int tender_remove(struct tender_state *t, int i)
{
    if (i < 0 || i >= t->n)
        return TENDER_EINVAL;
    memmove(&t->payments[i], &t->payments[i + 1], (size_t)(t->n - i - 1) * sizeof t->payments[0]);
    t->n--;
    return TENDER_OK;
}

int64_t tender_change(const struct tender_state *t)
{
    int64_t c = 0;
    for (int i = 0; i < t->n; i++)
        c += t->payments[i].change;
    return c;
}

const char *tender_strerror(int rc)
{
    switch (rc) {
    case TENDER_OK: return "ok";
    case TENDER_EINVAL: return "the amount must be above zero";
    case TENDER_EOVER: return "more than is due: change is given only from cash";
    case TENDER_ESHORT: return "not enough cash";
    case TENDER_EFULL: return "too many payments on one sale";
    case TENDER_ESETTLED: return "nothing left to pay";
    case TENDER_EOVERFLOW: return "amount too large";
    case TENDER_EREFUND: return "this sale pays money back: refund it (cash, card or voucher)";
    case TENDER_ENOREFUND: return "nothing to pay back on this sale";
    }
    return "tender error";
}

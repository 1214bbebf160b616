#include "core/staff_policy.h"

#include <stdio.h>
#include <string.h>

static const char *const role_names[ROLE_COUNT] = { "cashier", "supervisor", "manager" };

static const struct {
    const char *name, *label;
} perms[PERM_COUNT] = {
    [PERM_VOID_AFTER_SUBTOTAL] = { "void_after_subtotal", "void a line after subtotal" },
    [PERM_CANCEL_SALE] = { "cancel_sale", "cancel a sale" },
    [PERM_PRICE_OVERRIDE] = { "price_override", "override a price" },
    [PERM_DISCOUNT_OVER_LIMIT] = { "discount_over_limit", "give a discount over the limit" },
    [PERM_REFUND] = { "refund", "refund" },
    [PERM_NO_SALE] = { "no_sale", "open the drawer (no sale)" },
    [PERM_PAID_IN_OUT] = { "paid_in_out", "pay in, pay out or drop cash" },
    [PERM_X_REPORT] = { "x_report", "print an X report" },
    [PERM_Z_REPORT] = { "z_report", "close the shift (Z report)" },
    [PERM_STOCK_COUNT] = { "stock_count", "count stock" },
    [PERM_PARKED_SALES] = { "parked_sales", "see parked sales" },
    [PERM_KIOSK_ATTENDANT] = { "kiosk_attendant", "attend a self-checkout kiosk" },
};

const char *staff_role_name(enum staff_role r)
{
    return (unsigned)r < ROLE_COUNT ? role_names[r] : NULL;
}

int staff_role_parse(const char *s, enum staff_role *out)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (s && strcmp(s, role_names[i]) == 0) {
            *out = (enum staff_role)i;
            return 0;
        }
    return -1;
}

const char *perm_name(enum perm p)
{
    return (unsigned)p < PERM_COUNT ? perms[p].name : NULL;
}

const char *perm_label(enum perm p)
{
    return (unsigned)p < PERM_COUNT ? perms[p].label : NULL;
}

int perm_parse(const char *s, enum perm *out)
{
    for (int i = 0; i < PERM_COUNT; i++)
        if (s && strcmp(s, perms[i].name) == 0) {
            *out = (enum perm)i;
            return 0;
        }
    return -1;
}

void perm_table_defaults(struct perm_table *t)
{
    const unsigned all = ROLE_BIT(ROLE_CASHIER) | ROLE_BIT(ROLE_SUPERVISOR) | ROLE_BIT(ROLE_MANAGER);
    const unsigned sup = ROLE_BIT(ROLE_SUPERVISOR) | ROLE_BIT(ROLE_MANAGER);
    const unsigned mgr = ROLE_BIT(ROLE_MANAGER);
    for (int i = 0; i < PERM_COUNT; i++)
        t->roles[i] = sup;
    t->roles[PERM_X_REPORT] = all;
    t->roles[PERM_DISCOUNT_OVER_LIMIT] = mgr;
    t->roles[PERM_Z_REPORT] = mgr;
}

int perm_parse_roles(const char *s, unsigned *mask, char *err, size_t errlen)
{
    unsigned m = 0;
    int words = 0, nobody = 0;
    const char *p = s;
    while (*p) {
        p += strspn(p, " ,\t");
        size_t n = strcspn(p, " ,\t");
        if (!n)
            break;
        char word[24];
        if (n >= sizeof word) {
            snprintf(err, errlen, "'%.*s' is not a role (cashier, supervisor, manager or nobody)", (int)(n > 40 ? 40 : n), p);
            return -1;
        }
        memcpy(word, p, n);
        word[n] = 0;
        enum staff_role r;
        if (strcmp(word, "nobody") == 0) {
            nobody = 1;
        } else if (staff_role_parse(word, &r) == 0) {
            m |= ROLE_BIT(r);
        } else {
            snprintf(err, errlen, "'%s' is not a role (cashier, supervisor, manager or nobody)", word);
            return -1;
        }
        words++;
        p += n;
    }
    if (!words || (nobody && m)) {
        snprintf(err, errlen, "give the roles that may, e.g. \"supervisor, manager\", or \"nobody\"");
        return -1;
    }
    *mask = m;
    return 0;
}

int perm_allows(const struct perm_table *t, enum perm p, enum staff_role r)
{
    if ((unsigned)p >= PERM_COUNT || (unsigned)r >= ROLE_COUNT)
        return 0;
    return (t->roles[p] & ROLE_BIT(r)) != 0;
}

int perm_can_approve(const struct perm_table *t, enum perm p, enum staff_role approver_role,
                     int approver_active, const char *approver_id, const char *requester_id)
{
    if (!approver_active || !approver_id || !approver_id[0])
        return 0;
    if (requester_id && strcmp(approver_id, requester_id) == 0)
        return 0;
    return perm_allows(t, p, approver_role);
}

int64_t staff_lockout_seconds(int failures)
{
    if (failures < STAFF_LOCK_AFTER)
        return 0;
    int64_t s = STAFF_LOCK_BASE_S;
    for (int i = STAFF_LOCK_AFTER; i < failures && s < STAFF_LOCK_MAX_S; i++)
        s *= 2;
    return s > STAFF_LOCK_MAX_S ? STAFF_LOCK_MAX_S : s;
}

int64_t staff_lock_remaining(int64_t locked_until, int64_t now)
{
    return locked_until > now ? locked_until - now : 0;
}

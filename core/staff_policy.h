/* Who may do what: the three roles, the permissions an action can need, the table that
 * maps each permission to the roles holding it, and the lockout after wrong PINs.
 * Pure: no I/O, no clock (time is passed in).  The app asks through app/authorize.h. */
#ifndef TILL_STAFF_POLICY_H
#define TILL_STAFF_POLICY_H

#include <stddef.h>
#include <stdint.h>

enum staff_role { ROLE_CASHIER, ROLE_SUPERVISOR, ROLE_MANAGER, ROLE_COUNT };

/* Every action that may need more than a cashier.  Add one: a name in staff_policy.c,
 * a default there, its config key (permissions.NAME) in src/config_keys.c. */
enum perm {
    PERM_VOID_AFTER_SUBTOTAL, /* void a line once the sale was totalled (F5 opened) */
    PERM_CANCEL_SALE,
    PERM_PRICE_OVERRIDE,
    PERM_DISCOUNT_OVER_LIMIT,
    PERM_REFUND,
    PERM_NO_SALE,             /* open the drawer without a sale */
    PERM_PAID_IN_OUT,         /* paid in, paid out, cash drop to the safe */
    PERM_X_REPORT,
    PERM_Z_REPORT,            /* closes the shift */
    PERM_STOCK_COUNT,
    PERM_PARKED_SALES,
    PERM_KIOSK_ATTENDANT,     /* the kiosk's attendant menu: approvals, voids, leaving kiosk mode */
    PERM_COUNT
};

/* For each permission, the roles that hold it (bit 1 << role). */
struct perm_table {
    unsigned roles[PERM_COUNT];
};

#define ROLE_BIT(r) (1u << (r))

/* "cashier", "supervisor", "manager"; NULL when out of range. */
const char *staff_role_name(enum staff_role r);
/* 0 and *out, or -1 for an unknown name. */
int staff_role_parse(const char *s, enum staff_role *out);
/* "void_after_subtotal", ... (the config key's last part); NULL when out of range. */
const char *perm_name(enum perm p);
/* People's words for it: "void a line after subtotal". */
const char *perm_label(enum perm p);
/* 0 and *out, or -1 for an unknown name. */
int perm_parse(const char *s, enum perm *out);

/* The defaults: cashiers sell and read an X report; supervisors also void after
 * subtotal, cancel, override prices, refund, open the drawer, pay in and out, count stock,
 * see parked sales and attend a self-checkout kiosk; discounts over the limit and the Z
 * report are the manager's. */
void perm_table_defaults(struct perm_table *t);
/* A role list as configured: "supervisor, manager" (comma or space separated; "nobody"
 * for none) into a role mask; 0, or -1 with why in err. */
int perm_parse_roles(const char *s, unsigned *mask, char *err, size_t errlen);
int perm_allows(const struct perm_table *t, enum perm p, enum staff_role r);

/* An override: someone else's PIN approves an action the signed-on role lacks.  The
 * approver must be active, another person than the requester, and hold the permission. */
int perm_can_approve(const struct perm_table *t, enum perm p, enum staff_role approver_role,
                     int approver_active, const char *approver_id, const char *requester_id);

/* Wrong PINs: the 5th in a row locks the staff member for 30 s, each further one doubles
 * it, up to an hour.  A right PIN clears the count. */
#define STAFF_LOCK_AFTER 5
#define STAFF_LOCK_BASE_S 30
#define STAFF_LOCK_MAX_S 3600

/* The lock that follows the failures-th wrong PIN in a row: 0 (none) below
 * STAFF_LOCK_AFTER. */
int64_t staff_lockout_seconds(int failures);
/* Seconds left of a lock ending at locked_until (Unix seconds) at now; 0: not locked. */
int64_t staff_lock_remaining(int64_t locked_until, int64_t now);

#endif

/* The staff table: who may sign on at this till, their role and PIN hash, and the count
 * of wrong PINs that locks them out for a while.  Staff records come down from the store
 * server (offline/sync.c applies each page with staff_apply) or are added on the till
 * (till --add-staff, or the demo's staff).  PINs are checked here, offline, against the
 * argon2id hash (src/pin.h); the lockout rule is core/staff_policy.h's. */
#ifndef TILL_STAFF_H
#define TILL_STAFF_H

#include <stddef.h>
#include <stdint.h>

#include "core/staff_policy.h"
#include "src/pin.h"

struct store;

#define STAFF_ID_MAX 32
#define STAFF_NAME_MAX 64

struct staff_member {
    char id[STAFF_ID_MAX];
    char name[STAFF_NAME_MAX];
    enum staff_role role;
    int active;
    int local;                 /* added on this till, not by the store server */
    int failed_pins;           /* wrong PINs in a row */
    int64_t locked_until;      /* Unix seconds; 0 when not locked */
};

/* Staff who can sign on (active).  With none, Till runs without sign-on, as a till with
 * one configured cashier. */
int staff_count_active(struct store *st, int64_t *out);
/* STORE_OK, STORE_NOTFOUND or < 0. */
int staff_get(struct store *st, const char *id, struct staff_member *out);

/* Adds a staff member on this till with the PIN hashed at the database's parameters:
 * STORE_OK, or an error with err saying why (an id already taken, a PIN that is not 4 to
 * 12 digits). */
int staff_add_local(struct store *st, const char *id, const char *name, enum staff_role role,
                    const char *pin, char *err, size_t errlen);
/* The lowest whole number not yet an id ("1", "2", ...). */
int staff_next_id(struct store *st, char *buf, size_t len);

/* One record of the server's staff feed, inside the caller's transaction: an upsert
 * (the till's own count of wrong PINs stays) or, deleted, a tombstone that removes it. */
struct staff_change {
    const char *id;
    int deleted;
    const char *name;
    enum staff_role role;
    const char *pin_hash;
    int active;
};
int staff_apply(struct store *st, const struct staff_change *c);

enum staff_pin_result {
    STAFF_PIN_OK,
    STAFF_PIN_WRONG,           /* counted; *locked_for > 0 when this one locked them */
    STAFF_PIN_LOCKED,          /* not even checked: *locked_for seconds left */
    STAFF_PIN_UNKNOWN,         /* no such staff id */
    STAFF_PIN_INACTIVE,
    STAFF_PIN_ERROR,
};
/* Checks id's PIN at time now (Unix seconds) and records the outcome: a wrong PIN counts
 * towards the lockout, a right one clears it (and re-hashes a local PIN made with older
 * parameters).  out gets the record on STAFF_PIN_OK. */
enum staff_pin_result staff_check_pin(struct store *st, const char *id, const char *pin, int64_t now,
                                      struct staff_member *out, int64_t *locked_for);

/* The parameters new hashes are made with (meta: staff.pin_opslimit, staff.pin_memlimit;
 * PIN_DEFAULT_* until set).  Raising them makes later hashes stronger; old ones still
 * verify and are replaced at their next right PIN. */
int staff_pin_params(struct store *st, struct pin_params *out);
int staff_set_pin_params(struct store *st, const struct pin_params *p);

#endif

/* The staff table (migration 010) and all its SQL. */
#include "src/staff.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/store.h"

static const char SQL_COUNT_ACTIVE[] = "SELECT count(*) FROM staff WHERE active = 1";
static const char SQL_GET[] =
    "SELECT id, name, role, active, origin, failed_pins, locked_until FROM staff WHERE id = ?1";
static const char SQL_GET_HASH[] = "SELECT pin_hash FROM staff WHERE id = ?1";
static const char SQL_INSERT_LOCAL[] =
    "INSERT INTO staff (id, name, role, pin_hash, active, origin) VALUES (?1, ?2, ?3, ?4, 1, 'local')";
static const char SQL_IDS[] = "SELECT id FROM staff";
static const char SQL_UPSERT[] =
    "INSERT INTO staff (id, name, role, pin_hash, active, origin) VALUES (?1, ?2, ?3, ?4, ?5, 'server')"
    " ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role,"
    " active = excluded.active, origin = 'server',"
    /* a new PIN from the server starts a clean count */
    " failed_pins = CASE WHEN pin_hash = excluded.pin_hash THEN failed_pins ELSE 0 END,"
    " locked_until = CASE WHEN pin_hash = excluded.pin_hash THEN locked_until ELSE 0 END,"
    " pin_hash = excluded.pin_hash";
static const char SQL_DELETE[] = "DELETE FROM staff WHERE id = ?1";
static const char SQL_SET_FAILED[] = "UPDATE staff SET failed_pins = ?2, locked_until = ?3 WHERE id = ?1";
static const char SQL_SET_HASH[] = "UPDATE staff SET pin_hash = ?2 WHERE id = ?1";

int staff_count_active(struct store *st, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_COUNT_ACTIVE);
    if (!s)
        return STORE_ERROR;
    return store_row_int64(st, s, out);
}

int staff_get(struct store *st, const char *id, struct staff_member *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_GET);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    memset(out, 0, sizeof *out);
    store_col_text(s, 0, out->id, sizeof out->id);
    store_col_text(s, 1, out->name, sizeof out->name);
    char role[16];
    store_col_text(s, 2, role, sizeof role);
    if (staff_role_parse(role, &out->role))
        out->role = ROLE_CASHIER;
    out->active = sqlite3_column_int(s, 3);
    char origin[16];
    store_col_text(s, 4, origin, sizeof origin);
    out->local = strcmp(origin, "local") == 0;
    out->failed_pins = sqlite3_column_int(s, 5);
    out->locked_until = sqlite3_column_int64(s, 6);
    sqlite3_reset(s);
    return STORE_OK;
}

static int get_hash(struct store *st, const char *id, char out[PIN_HASH_MAX])
{
    sqlite3_stmt *s = store_stmt(st, SQL_GET_HASH);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    store_col_text(s, 0, out, PIN_HASH_MAX);
    sqlite3_reset(s);
    return STORE_OK;
}

int staff_pin_params(struct store *st, struct pin_params *out)
{
    char buf[32];
    out->opslimit = PIN_DEFAULT_OPSLIMIT;
    out->memlimit = PIN_DEFAULT_MEMLIMIT;
    if (store_meta_get(st, "staff.pin_opslimit", buf, sizeof buf) == STORE_OK)
        out->opslimit = strtoull(buf, NULL, 10);
    if (store_meta_get(st, "staff.pin_memlimit", buf, sizeof buf) == STORE_OK)
        out->memlimit = (size_t)strtoull(buf, NULL, 10);
    if (out->opslimit < 1 || out->opslimit > 16 || out->memlimit < (8u << 10) || out->memlimit > (256u << 20)) {
        out->opslimit = PIN_DEFAULT_OPSLIMIT;
        out->memlimit = PIN_DEFAULT_MEMLIMIT;
    }
    return STORE_OK;
}

int staff_set_pin_params(struct store *st, const struct pin_params *p)
{
    char ops[32], mem[32];
    snprintf(ops, sizeof ops, "%llu", p->opslimit);
    snprintf(mem, sizeof mem, "%zu", p->memlimit);
    int rc = store_meta_set(st, "staff.pin_opslimit", ops);
    return rc ? rc : store_meta_set(st, "staff.pin_memlimit", mem);
}

int staff_next_id(struct store *st, char *buf, size_t len)
{
    sqlite3_stmt *s = store_stmt(st, SQL_IDS);
    if (!s)
        return STORE_ERROR;
    /* small tables: find the lowest free number by marking the taken ones */
    unsigned char taken[1024] = { 0 };
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        if (id && id[0] && strspn(id, "0123456789") == strlen(id) && strlen(id) < 5) {
            long n = strtol(id, NULL, 10);
            if (n > 0 && n < (long)sizeof taken)
                taken[n] = 1;
        }
    }
    if (rc != STORE_OK)
        return rc;
    for (size_t n = 1; n < sizeof taken; n++)
        if (!taken[n]) {
            snprintf(buf, len, "%zu", n);
            return STORE_OK;
        }
    return STORE_ERROR;
}

int staff_add_local(struct store *st, const char *id, const char *name, enum staff_role role,
                    const char *pin, char *err, size_t errlen)
{
    struct staff_member existing;
    if (!id[0] || strlen(id) >= STAFF_ID_MAX || !name[0] || strlen(name) >= STAFF_NAME_MAX) {
        snprintf(err, errlen, "a staff id is 1 to %d characters and a name 1 to %d", STAFF_ID_MAX - 1,
                 STAFF_NAME_MAX - 1);
        return STORE_ERROR;
    }
    if (pin_check_format(pin, err, errlen))
        return STORE_ERROR;
    if (staff_get(st, id, &existing) == STORE_OK) {
        snprintf(err, errlen, "staff id %s is taken (%s)", id, existing.name);
        return STORE_ERROR;
    }
    struct pin_params p;
    char hash[PIN_HASH_MAX];
    staff_pin_params(st, &p);
    if (pin_hash(pin, &p, hash)) {
        snprintf(err, errlen, "cannot hash the PIN (out of memory?)");
        return STORE_ERROR;
    }
    sqlite3_stmt *s = store_stmt(st, SQL_INSERT_LOCAL);
    if (!s) {
        snprintf(err, errlen, "%s", store_errmsg(st));
        return STORE_ERROR;
    }
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, staff_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, hash, -1, SQLITE_TRANSIENT);
    int rc = store_step(st, s);
    if (rc)
        snprintf(err, errlen, "cannot store the staff member: %s", store_errmsg(st));
    return rc;
}

int staff_apply(struct store *st, const struct staff_change *c)
{
    sqlite3_stmt *s = store_stmt(st, c->deleted ? SQL_DELETE : SQL_UPSERT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
    if (!c->deleted) {
        sqlite3_bind_text(s, 2, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, staff_role_name(c->role), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, c->pin_hash, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 5, c->active ? 1 : 0);
    }
    return store_step(st, s);
}

static int set_failed(struct store *st, const char *id, int failed, int64_t locked_until)
{
    sqlite3_stmt *s = store_stmt(st, SQL_SET_FAILED);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, failed);
    sqlite3_bind_int64(s, 3, locked_until);
    return store_step(st, s);
}

/* A right PIN on a local hash made with older parameters: hashed again at today's. */
static void rehash_if_old(struct store *st, const struct staff_member *m, const char *hash, const char *pin)
{
    struct pin_params p;
    char fresh[PIN_HASH_MAX];
    staff_pin_params(st, &p);
    if (!m->local || !pin_needs_rehash(hash, &p) || pin_hash(pin, &p, fresh))
        return;
    sqlite3_stmt *s = store_stmt(st, SQL_SET_HASH);
    if (!s)
        return;
    sqlite3_bind_text(s, 1, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, fresh, -1, SQLITE_STATIC);
    store_step(st, s);
}

enum staff_pin_result staff_check_pin(struct store *st, const char *id, const char *pin, int64_t now,
                                      struct staff_member *out, int64_t *locked_for)
{
    struct staff_member m;
    char hash[PIN_HASH_MAX];
    *locked_for = 0;
    int rc = staff_get(st, id, &m);
    if (rc == STORE_NOTFOUND)
        return STAFF_PIN_UNKNOWN;
    if (rc || get_hash(st, id, hash))
        return STAFF_PIN_ERROR;
    if (!m.active)
        return STAFF_PIN_INACTIVE;
    *locked_for = staff_lock_remaining(m.locked_until, now);
    if (*locked_for > 0)
        return STAFF_PIN_LOCKED;
    int v = pin_verify(hash, pin);
    if (v < 0)
        return STAFF_PIN_ERROR;
    if (v > 0) {
        int failed = m.failed_pins + 1;
        int64_t lock = staff_lockout_seconds(failed);
        if (set_failed(st, id, failed, lock ? now + lock : 0))
            return STAFF_PIN_ERROR;
        *locked_for = lock;
        return STAFF_PIN_WRONG;
    }
    if ((m.failed_pins || m.locked_until) && set_failed(st, id, 0, 0))
        return STAFF_PIN_ERROR;
    rehash_if_old(st, &m, hash, pin);
    m.failed_pins = 0;
    m.locked_until = 0;
    *out = m;
    return STAFF_PIN_OK;
}

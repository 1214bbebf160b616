/* Staff records and the shift documents of tills (migration 4 of server/server_db.c). */
#include "server/staff.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/page.h"
#include "server/results.h"

/* The tills' defaults (src/pin.h): verification ~45 ms on a 2-core box. */
#define PIN_OPSLIMIT 2ULL
#define PIN_MEMLIMIT ((size_t)19 << 20)

/* Statements here run rarely (admin commands, a staff page, a shift a day): prepared on
 * each call rather than kept with the connection. */
static struct sql_stmt *prep(struct sdb *db, const char *sql)
{
    return sql_prepare(sdb_conn(db), sql);
}

static int exec_done(struct sql_stmt *s)
{
    if (!s)
        return SDB_ERROR;
    int rc = sql_step(s);
    sql_finalize(s);
    return rc == SQL_DONE ? SDB_OK : SDB_ERROR;
}

static int valid_role(const char *role)
{
    return role && (strcmp(role, "cashier") == 0 || strcmp(role, "supervisor") == 0 ||
                    strcmp(role, "manager") == 0);
}

static int hash_pin(const char *pin, char out[crypto_pwhash_STRBYTES], char *why, size_t whylen)
{
    size_t n = strlen(pin);
    if (n < 4 || n > 12 || strspn(pin, "0123456789") != n) {
        snprintf(why, whylen, "a PIN is 4 to 12 digits");
        return SDB_RANGE;
    }
    if (crypto_pwhash_str_alg(out, pin, n, PIN_OPSLIMIT, PIN_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        snprintf(why, whylen, "cannot hash the PIN (out of memory)");
        return SDB_ERROR;
    }
    return SDB_OK;
}

/* The next staff seq, inside the caller's transaction. */
static int next_seq(struct sdb *db, int64_t *seq)
{
    struct sql_stmt *s = prep(db, "SELECT COALESCE(MAX(seq), 0) + 1 FROM staff");
    if (!s)
        return SDB_ERROR;
    int rc = sql_step(s);
    if (rc == SQL_ROW)
        *seq = sql_int(s, 0);
    sql_finalize(s);
    return rc == SQL_ROW ? SDB_OK : SDB_ERROR;
}

/* One change to a staff row with a new seq, in its own transaction.  sql binds ?1 id,
 * ?2 seq and ?3 a value; SDB_NOT_FOUND when no live row changed. */
static int change(struct sdb *db, const char *sql, const char *id, const char *value)
{
    int64_t seq;
    if (sdb_begin(db) != SDB_OK)
        return SDB_ERROR;
    struct sql_stmt *s = next_seq(db, &seq) == SDB_OK ? prep(db, sql) : NULL;
    if (!s) {
        sdb_rollback(db);
        return SDB_ERROR;
    }
    sql_bind_text(s, 1, id);
    sql_bind_int(s, 2, seq);
    sql_bind_text(s, 3, value);
    int rc = exec_done(s);
    if (rc == SDB_OK && sql_changes(sdb_conn(db)) == 0)
        rc = SDB_NOT_FOUND;
    if (rc != SDB_OK) {
        sdb_rollback(db);
        return rc;
    }
    return sdb_commit(db);
}

int server_staff_add(struct sdb *db, const char *id, const char *name, const char *role, const char *pin,
                     char *why, size_t whylen)
{
    char hash[crypto_pwhash_STRBYTES];
    if (!id[0] || strlen(id) > STAFF_ID_MAX || strchr(id, ' ') || !name[0] || strlen(name) > STAFF_NAME_MAX) {
        snprintf(why, whylen, "an id is 1 to %d characters without spaces, a name 1 to %d", STAFF_ID_MAX,
                 STAFF_NAME_MAX);
        return SDB_RANGE;
    }
    if (!valid_role(role)) {
        snprintf(why, whylen, "a role is cashier, supervisor or manager");
        return SDB_RANGE;
    }
    int rc = hash_pin(pin, hash, why, whylen);
    if (rc != SDB_OK)
        return rc;
    int64_t seq;
    if (sdb_begin(db) != SDB_OK)
        return SDB_ERROR;
    /* a deleted id may be given again: it is a new person to the tills */
    struct sql_stmt *s = next_seq(db, &seq) == SDB_OK
        ? prep(db, "INSERT INTO staff(id, name, role, pin_hash, active, seq, deleted) VALUES(?1, ?2, ?3, ?4, 1, ?5, 0)"
                   " ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role,"
                   " pin_hash = excluded.pin_hash, active = 1, seq = excluded.seq, deleted = 0"
                   " WHERE staff.deleted = 1")
        : NULL;
    if (!s) {
        sdb_rollback(db);
        return SDB_ERROR;
    }
    sql_bind_text(s, 1, id);
    sql_bind_text(s, 2, name);
    sql_bind_text(s, 3, role);
    sql_bind_text(s, 4, hash);
    sql_bind_int(s, 5, seq);
    rc = exec_done(s);
    if (rc == SDB_OK && sql_changes(sdb_conn(db)) == 0) {
        snprintf(why, whylen, "staff id %s is taken", id);
        rc = SDB_DUPLICATE;
    }
    if (rc != SDB_OK) {
        sdb_rollback(db);
        return rc;
    }
    sodium_memzero(hash, sizeof hash);
    return sdb_commit(db);
}

int server_staff_set_pin(struct sdb *db, const char *id, const char *pin, char *why, size_t whylen)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = hash_pin(pin, hash, why, whylen);
    if (rc != SDB_OK)
        return rc;
    return change(db, "UPDATE staff SET pin_hash = ?3, seq = ?2 WHERE id = ?1 AND deleted = 0", id, hash);
}

int server_staff_set_role(struct sdb *db, const char *id, const char *role, char *why, size_t whylen)
{
    if (!valid_role(role)) {
        snprintf(why, whylen, "a role is cashier, supervisor or manager");
        return SDB_RANGE;
    }
    return change(db, "UPDATE staff SET role = ?3, seq = ?2 WHERE id = ?1 AND deleted = 0", id, role);
}

int server_staff_set_active(struct sdb *db, const char *id, int active)
{
    return change(db, "UPDATE staff SET active = CAST(?3 AS INTEGER), seq = ?2 WHERE id = ?1 AND deleted = 0", id,
                  active ? "1" : "0");
}

int server_staff_delete(struct sdb *db, const char *id)
{
    return change(db, "UPDATE staff SET deleted = 1, active = 0, seq = ?2 WHERE id = ?1 AND deleted = 0"
                      " AND CAST(?3 AS TEXT) IS NULL", id, NULL);
}

/* Reads limit+1 rows so has_more needs no second query (server/page.h). */
int server_staff_page(struct sdb *db, int64_t since, int limit, struct strbuf *out)
{
    struct sql_stmt *s = prep(db, "SELECT seq, id, deleted, name, role, pin_hash, active FROM staff"
                               " WHERE seq > ?1 ORDER BY seq LIMIT ?2");
    if (!s)
        return SDB_ERROR;
    sql_bind_int(s, 1, since);
    sql_bind_int(s, 2, limit + 1);
    struct page pg;
    int rc;
    page_begin(&pg, out, "staff", since, limit);
    while ((rc = sql_step(s)) == SQL_ROW) {
        if (!page_row(&pg, sql_int(s, 0)))
            break;
        strbuf_puts(out, ",\"id\":");
        strbuf_json_string(out, sql_text(s, 1));
        if (sql_int(s, 2)) {
            strbuf_puts(out, ",\"deleted\":true}");
            continue;
        }
        strbuf_puts(out, ",\"name\":");
        strbuf_json_string(out, sql_text(s, 3));
        strbuf_puts(out, ",\"role\":");
        strbuf_json_string(out, sql_text(s, 4));
        strbuf_puts(out, ",\"pin_hash\":");
        strbuf_json_string(out, sql_text(s, 5));
        strbuf_puts(out, sql_int(s, 6) ? ",\"active\":true}" : ",\"active\":false}");
    }
    sql_finalize(s);
    if (rc != SQL_ROW && rc != SQL_DONE)
        return SDB_ERROR;
    return page_end(&pg) == 0 ? SDB_OK : SDB_ERROR;
}

/* ------------------------------------------------------- documents from tills --- */

static const char *str_field(const cJSON *o, const char *name, size_t maxlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > maxlen)
        return NULL;
    return v->valuestring;
}

static int int_field(const cJSON *o, const char *name, int64_t min, int64_t max)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v))
        return 0;
    double d = v->valuedouble;
    return d >= (double)min && d <= (double)max && d == (double)(int64_t)d;
}

/* Stores payload once under key: "accepted", "duplicate" (same payload) or a conflict. */
static int store_doc(struct sdb *db, const char *kind, const char *key, const char *terminal,
                     const cJSON *item, const struct orders_rules *rules, cJSON *results)
{
    char *payload = cJSON_PrintUnformatted(item);
    if (!payload)
        return SDB_ERROR;
    char hash[SDB_HASH_HEX];
    sdb_payload_hash(payload, hash);
    struct sql_stmt *s = prep(db, "SELECT payload_sha256 FROM shift_docs WHERE idempotency_key = ?1");
    if (!s) {
        cJSON_free(payload);
        return SDB_ERROR;
    }
    sql_bind_text(s, 1, key);
    int rc = sql_step(s);
    if (rc == SQL_ROW) {
        int same = strcmp(sql_text(s, 0), hash) == 0;
        sql_finalize(s);
        cJSON_free(payload);
        if (same)
            return results_add(results, key, "duplicate") ? SDB_OK : SDB_ERROR;
        return results_reject(results, key, "conflict", "this idempotency_key is stored with another payload") == SDB_OK
                   ? SDB_CONFLICT : SDB_ERROR;
    }
    sql_finalize(s);
    if (rc != SQL_DONE) {
        cJSON_free(payload);
        return SDB_ERROR;
    }
    s = prep(db, "INSERT INTO shift_docs(kind, idempotency_key, payload_sha256, terminal_id, payload, received_at)"
                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    if (s) {
        sql_bind_text(s, 1, kind);
        sql_bind_text(s, 2, key);
        sql_bind_text(s, 3, hash);
        sql_bind_text(s, 4, terminal);
        sql_bind_text(s, 5, payload);
        sql_bind_int(s, 6, rules->now);
    }
    cJSON_free(payload);
    if (exec_done(s) != SDB_OK)
        return SDB_ERROR;
    return results_add(results, key, "accepted") ? SDB_OK : SDB_ERROR;
}

static int key_belongs(const char *key, const char *terminal)
{
    size_t n = strlen(terminal);
    return strncmp(key, terminal, n) == 0 && key[n] == ':';
}

/* The checks common to both documents; NULL (and a rejection appended) when one fails. */
static const char *doc_key(const cJSON *item, const struct orders_rules *rules, cJSON *results, int *rc)
{
    *rc = SDB_OK;
    if (!cJSON_IsObject(item)) {
        *rc = results_reject(results, NULL, "invalid", "a document must be an object");
        return NULL;
    }
    const char *key = str_field(item, "idempotency_key", ORDERS_MAX_KEY);
    if (!key) {
        *rc = results_reject(results, NULL, "invalid", "missing idempotency_key");
        return NULL;
    }
    if (rules->terminal_id && rules->terminal_id[0] && !key_belongs(key, rules->terminal_id)) {
        *rc = results_reject(results, key, "invalid", "idempotency_key is not the token's terminal's");
        return NULL;
    }
    return key;
}

#define AMOUNT_MAX (INT64_C(1) << 50)

int shift_docs_handle_movement(struct sdb *db, const cJSON *item, const struct orders_rules *rules,
                               cJSON *results)
{
    int rc;
    const char *key = doc_key(item, rules, results, &rc);
    if (!key)
        return rc;
    const char *kind = str_field(item, "kind", 16);
    if (!kind || (strcmp(kind, "paid_in") && strcmp(kind, "paid_out") && strcmp(kind, "drop") &&
                  strcmp(kind, "no_sale")))
        return results_reject(results, key, "invalid", "kind must be paid_in, paid_out, drop or no_sale");
    if (!int_field(item, "amount", 0, AMOUNT_MAX) || !int_field(item, "at", 0, INT64_C(1) << 40) ||
        !str_field(item, "shift_uuid", 40) || !str_field(item, "staff_id", STAFF_ID_MAX))
        return results_reject(results, key, "invalid", "amount, at, shift_uuid and staff_id are required");
    return store_doc(db, "cash_movement", key, rules->terminal_id, item, rules, results);
}

int shift_docs_handle_shift(struct sdb *db, const cJSON *item, const struct orders_rules *rules,
                            cJSON *results)
{
    int rc;
    const char *key = doc_key(item, rules, results, &rc);
    if (!key)
        return rc;
    static const char *const amounts[] = { "opening_float", "sales_total", "expected_cash", "counted_cash" };
    for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++)
        if (!int_field(item, amounts[i], -AMOUNT_MAX, AMOUNT_MAX))
            return results_reject(results, key, "invalid", "a shift needs opening_float, sales_total, expected_cash and counted_cash");
    if (!int_field(item, "z_number", 1, INT64_C(1) << 40) || !str_field(item, "shift_uuid", 40) ||
        !int_field(item, "closed_at", 0, INT64_C(1) << 40) || !int_field(item, "over_short", -AMOUNT_MAX, AMOUNT_MAX))
        return results_reject(results, key, "invalid", "a shift needs z_number, shift_uuid, closed_at and over_short");
    return store_doc(db, "shift", key, rules->terminal_id, item, rules, results);
}

int shift_docs_count(struct sdb *db, const char *kind, int64_t *out)
{
    struct sql_stmt *s = prep(db, "SELECT count(*) FROM shift_docs WHERE kind = ?1");
    if (!s)
        return SDB_ERROR;
    sql_bind_text(s, 1, kind);
    int rc = sql_step(s);
    if (rc == SQL_ROW)
        *out = sql_int(s, 0);
    sql_finalize(s);
    return rc == SQL_ROW ? SDB_OK : SDB_ERROR;
}

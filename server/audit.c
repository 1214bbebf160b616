/* The tills' audit rows and the check of their chains (see audit.h). */
#include "server/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "server/results.h"

#define AUDIT_TEXT_MAX 4000

static struct sql_stmt *prep(struct sdb *db, const char *sql)
{
    return sql_prepare(sdb_conn(db), sql);
}

static void hash_field(crypto_hash_sha256_state *h, const char *v)
{
    if (!v) {
        crypto_hash_sha256_update(h, (const unsigned char *)"-", 1);
        return;
    }
    char len[24];
    size_t n = strlen(v);
    int m = snprintf(len, sizeof len, "%zu:", n);
    crypto_hash_sha256_update(h, (const unsigned char *)len, (unsigned long long)m);
    crypto_hash_sha256_update(h, (const unsigned char *)v, n);
}

void server_audit_hash(long long at, const char *terminal, const char *cashier, const char *event,
                       const char *detail, const char *prev_hash, char out[AUDIT_HASH_HEX])
{
    crypto_hash_sha256_state h;
    unsigned char digest[crypto_hash_sha256_BYTES];
    char at_text[24];
    snprintf(at_text, sizeof at_text, "%lld", at);
    crypto_hash_sha256_init(&h);
    hash_field(&h, "till-audit-v1");
    hash_field(&h, at_text);
    hash_field(&h, terminal);
    hash_field(&h, cashier);
    hash_field(&h, event);
    hash_field(&h, detail && *detail ? detail : NULL);
    hash_field(&h, prev_hash && *prev_hash ? prev_hash : NULL);
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, AUDIT_HASH_HEX, digest, sizeof digest);
}

/* A string field, or NULL when it is absent, not a string or too long; *ok says whether
 * that is allowed (nullable fields may be JSON null). */
static const char *text(const cJSON *o, const char *name, int nullable, int *ok)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (nullable && (!v || cJSON_IsNull(v)))
        return NULL;
    if (!cJSON_IsString(v) || strlen(v->valuestring) > AUDIT_TEXT_MAX) {
        *ok = 0;
        return NULL;
    }
    return v->valuestring;
}

static int integer(const cJSON *o, const char *name, long long min, long long max, long long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v))
        return 0;
    double d = v->valuedouble;
    if (d < (double)min || d > (double)max || d != (double)(long long)d)
        return 0;
    *out = (long long)d;
    return 1;
}

/* Records a break: a row in audit_breaks and a line in the log. */
static int flag(struct sdb *db, const char *terminal, long long seq, const char *reason, long long now)
{
    fprintf(stderr, "till-server: AUDIT CHAIN BREAK: terminal %s row %lld: %s\n", terminal, seq, reason);
    struct sql_stmt *s = prep(db, "INSERT INTO audit_breaks(terminal_id, seq, reason, found_at) VALUES(?1, ?2, ?3, ?4)");
    if (!s)
        return SDB_ERROR;
    sql_bind_text(s, 1, terminal);
    sql_bind_int(s, 2, seq);
    sql_bind_text(s, 3, reason);
    sql_bind_int(s, 4, now);
    int rc = sql_step(s);
    sql_finalize(s);
    return rc == SQL_DONE ? SDB_OK : SDB_ERROR;
}

/* The hash of the row held for terminal next to seq: before it (dir < 0) or after it
 * (dir > 0, with that row's prev_hash instead).  1 found, 0 none, < 0 error. */
static int neighbour(struct sdb *db, const char *terminal, long long seq, int dir, long long *nseq,
                     char *hash, size_t len)
{
    struct sql_stmt *s = prep(db, dir < 0 ? "SELECT seq, hash FROM audit_rows WHERE terminal_id = ?1 AND seq < ?2"
                                         " ORDER BY seq DESC LIMIT 1"
                                       : "SELECT seq, COALESCE(prev_hash, '') FROM audit_rows WHERE terminal_id = ?1"
                                         " AND seq > ?2 ORDER BY seq LIMIT 1");
    if (!s)
        return SDB_ERROR;
    sql_bind_text(s, 1, terminal);
    sql_bind_int(s, 2, seq);
    int rc = sql_step(s), found = 0;
    if (rc == SQL_ROW) {
        *nseq = sql_int(s, 0);
        snprintf(hash, len, "%s", sql_text(s, 1));
        found = 1;
    }
    sql_finalize(s);
    return rc == SQL_ROW || rc == SQL_DONE ? found : SDB_ERROR;
}

/* The chain around a new row: its own hash, the row before it, the row after it. */
static int check_row(struct sdb *db, const char *terminal, long long seq, long long at, const char *cashier,
                     const char *event, const char *detail, const char *prev, const char *hash, long long now)
{
    char expect[AUDIT_HASH_HEX], why[200], other[AUDIT_HASH_HEX + 8];
    long long oseq;
    int rc = SDB_OK;
    server_audit_hash(at, terminal, cashier, event, detail, prev, expect);
    if (strcmp(expect, hash) != 0)
        rc = flag(db, terminal, seq, "its hash does not match its content (changed after it was written)", now);
    int f = neighbour(db, terminal, seq, -1, &oseq, other, sizeof other);
    if (f < 0)
        return SDB_ERROR;
    if (rc == SDB_OK && f && strcmp(other, prev ? prev : "") != 0) {
        snprintf(why, sizeof why, "it does not follow row %lld (its previous hash is not that row's hash:"
                                  " a row between was deleted or changed)", oseq);
        rc = flag(db, terminal, seq, why, now);
    }
    f = neighbour(db, terminal, seq, 1, &oseq, other, sizeof other);
    if (f < 0)
        return SDB_ERROR;
    if (rc == SDB_OK && f && strcmp(other, hash) != 0) {
        snprintf(why, sizeof why, "row %lld, held already, does not follow it", oseq);
        rc = flag(db, terminal, oseq, why, now);
    }
    return rc;
}

int server_audit_handle_row(struct sdb *db, const cJSON *item, const struct orders_rules *rules,
                            cJSON *results)
{
    int ok = 1;
    const char *key = cJSON_IsObject(item) ? text(item, "idempotency_key", 0, &ok) : NULL;
    if (!key || strlen(key) > ORDERS_MAX_KEY)
        return results_reject(results, NULL, "invalid", "an audit row needs its idempotency_key");
    const char *terminal = text(item, "terminal_id", 0, &ok), *cashier = text(item, "cashier", 0, &ok),
               *event = text(item, "event", 0, &ok), *detail = text(item, "detail", 1, &ok),
               *prev = text(item, "prev_hash", 1, &ok), *hash = text(item, "hash", 0, &ok);
    long long seq, at;
    if (!ok || !integer(item, "seq", 1, (1LL << 53), &seq) || !integer(item, "at", 0, (1LL << 40), &at) ||
        !terminal[0] || !event[0] || strlen(hash) != AUDIT_HASH_HEX - 1)
        return results_reject(results, key, "invalid", "an audit row needs terminal_id, seq, at, cashier, event and a SHA-256 hash");
    /* a token speaks for its own terminal only */
    if (rules->terminal_id && rules->terminal_id[0] && strcmp(terminal, rules->terminal_id) != 0)
        return results_reject(results, key, "invalid", "terminal_id is not the token's terminal's");
    struct sql_stmt *s = prep(db, "SELECT hash FROM audit_rows WHERE terminal_id = ?1 AND seq = ?2");
    if (!s)
        return SDB_ERROR;
    sql_bind_text(s, 1, terminal);
    sql_bind_int(s, 2, seq);
    int rc = sql_step(s);
    if (rc == SQL_ROW) {
        int same = strcmp(sql_text(s, 0), hash) == 0;
        sql_finalize(s);
        if (!same && flag(db, terminal, seq, "sent again with other content than the row held", rules->now))
            return SDB_ERROR;
        return results_add(results, key, "duplicate") ? SDB_OK : SDB_ERROR;
    }
    sql_finalize(s);
    if (rc != SQL_DONE)
        return SDB_ERROR;
    if (check_row(db, terminal, seq, at, cashier, event, detail, prev, hash, rules->now) != SDB_OK)
        return SDB_ERROR;
    s = prep(db, "INSERT INTO audit_rows(terminal_id, seq, at, cashier, event, detail, prev_hash, hash, received_at)"
                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!s)
        return SDB_ERROR;
    sql_bind_text(s, 1, terminal);
    sql_bind_int(s, 2, seq);
    sql_bind_int(s, 3, at);
    sql_bind_text(s, 4, cashier);
    sql_bind_text(s, 5, event);
    sql_bind_text(s, 6, detail);
    sql_bind_text(s, 7, prev);
    sql_bind_text(s, 8, hash);
    sql_bind_int(s, 9, rules->now);
    rc = sql_step(s);
    sql_finalize(s);
    if (rc != SQL_DONE)
        return SDB_ERROR;
    return results_add(results, key, "accepted") ? SDB_OK : SDB_ERROR;
}

int server_audit_breaks(struct sdb *db, long long *out)
{
    struct sql_stmt *s = prep(db, "SELECT count(*) FROM audit_breaks");
    if (!s)
        return SDB_ERROR;
    int rc = sql_step(s);
    if (rc == SQL_ROW)
        *out = sql_int(s, 0);
    sql_finalize(s);
    return rc == SQL_ROW ? SDB_OK : SDB_ERROR;
}

int server_audit_report(struct sdb *db, FILE *out)
{
    struct sql_stmt *s = prep(db, "SELECT terminal_id, count(*), max(seq), (SELECT count(*) FROM audit_breaks b"
                               " WHERE b.terminal_id = r.terminal_id) FROM audit_rows r GROUP BY terminal_id"
                               " ORDER BY terminal_id");
    if (!s)
        return SDB_ERROR;
    int rc;
    while ((rc = sql_step(s)) == SQL_ROW) {
        long long breaks = sql_int(s, 3);
        fprintf(out, "terminal %s: %lld rows, last %lld, %s\n", sql_text(s, 0),
                (long long)sql_int(s, 1), (long long)sql_int(s, 2),
                breaks ? "CHAIN BROKEN" : "chain intact");
    }
    sql_finalize(s);
    if (rc != SQL_DONE)
        return SDB_ERROR;
    s = prep(db, "SELECT terminal_id, seq, reason, found_at FROM audit_breaks ORDER BY id");
    if (!s)
        return SDB_ERROR;
    while ((rc = sql_step(s)) == SQL_ROW)
        fprintf(out, "BREAK terminal %s row %lld: %s (found at %lld)\n", sql_text(s, 0),
                (long long)sql_int(s, 1), sql_text(s, 2),
                (long long)sql_int(s, 3));
    sql_finalize(s);
    return rc == SQL_DONE ? SDB_OK : SDB_ERROR;
}

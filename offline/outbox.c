/* The outbox table and all its SQL; its states and kinds are spelled here only. */
#include "offline/outbox.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "src/store.h"

static const char *const kind_names[] = { [OUTBOX_ORDER] = "order", [OUTBOX_STOCK_ADJUSTMENT] = "stock_adjustment",
                                          [OUTBOX_CASH_MOVEMENT] = "cash_movement", [OUTBOX_SHIFT] = "shift",
                                          [OUTBOX_AUDIT] = "audit" };
static const char *const state_names[] = { [OUTBOX_PENDING] = "pending", [OUTBOX_SENT] = "sent",
                                           [OUTBOX_PARKED] = "parked" };

static const char SQL_ENQUEUE[] =
    "INSERT INTO outbox (kind, idempotency_key, payload, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_NEXT_BATCH[] =
    "SELECT id, idempotency_key, payload FROM outbox"
    " WHERE state = 'pending' AND kind = ?1 ORDER BY id LIMIT ?2";
static const char SQL_MARK_SENT[] =
    "UPDATE outbox SET state = 'sent', sent_at = ?2, server_ref = ?3, attempts = attempts + 1,"
    " last_error = NULL WHERE id = ?1 AND state = 'pending'";
static const char SQL_PARK[] =
    "UPDATE outbox SET state = 'parked', last_error = ?2, server_ref = ?3, attempts = attempts + 1"
    " WHERE id = ?1 AND state = 'pending'";
static const char SQL_RETRY[] =
    "UPDATE outbox SET state = 'pending', attempts = 0 WHERE idempotency_key = ?1 AND state = 'parked'";
/* Audit rows are the log's copy going up, not documents anyone waits for: "Queued sales"
 * and the like count the rest. */
static const char SQL_COUNT[] = "SELECT count(*) FROM outbox WHERE state = ?1 AND kind <> 'audit'";
static const char SQL_COUNT_KIND[] = "SELECT count(*) FROM outbox WHERE state = ?1 AND kind = ?2";
#define ENTRY_COLS "id, kind, state, idempotency_key, created_at, coalesce(sent_at, 0), attempts," \
    " coalesce(server_ref, ''), coalesce(last_error, '')"
static const char SQL_GET[] = "SELECT " ENTRY_COLS " FROM outbox WHERE idempotency_key = ?1";
static const char SQL_UNSENT[] = "SELECT " ENTRY_COLS " FROM outbox WHERE state != 'sent' ORDER BY id";

const char *outbox_kind_name(enum outbox_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "?";
}

const char *outbox_state_name(enum outbox_state state)
{
    return (unsigned)state < sizeof state_names / sizeof state_names[0] ? state_names[state] : "?";
}

static int name_index(const char *const *names, int n, const unsigned char *text)
{
    for (int i = 0; text && i < n; i++)
        if (strcmp(names[i], (const char *)text) == 0)
            return i;
    return 0;
}

int outbox_enqueue(struct store *st, enum outbox_kind kind, const char *key, const char *payload,
                   int64_t created_at)
{
    sqlite3_stmt *s = store_stmt(st, SQL_ENQUEUE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, outbox_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, payload, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, created_at);
    return store_step(st, s);
}

int outbox_next_batch(struct store *st, enum outbox_kind kind, int max, outbox_row_fn each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, SQL_NEXT_BATCH);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, outbox_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, max);
    int n = 0, rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        const char *key = (const char *)sqlite3_column_text(s, 1);
        const char *payload = (const char *)sqlite3_column_text(s, 2);
        size_t len = (size_t)sqlite3_column_bytes(s, 2);
        if (each(ctx, sqlite3_column_int64(s, 0), key ? key : "", payload ? payload : "", len))
            break;
        n++;
    }
    sqlite3_reset(s);
    return rc < 0 ? -1 : n;
}

int outbox_mark_sent(struct store *st, int64_t id, int64_t at, const char *server_ref)
{
    sqlite3_stmt *s = store_stmt(st, SQL_MARK_SENT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at);
    sqlite3_bind_text(s, 3, server_ref, -1, SQLITE_STATIC);
    return store_step(st, s);
}

int outbox_park(struct store *st, int64_t id, const char *reason, const char *server_ref)
{
    sqlite3_stmt *s = store_stmt(st, SQL_PARK);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, server_ref, -1, SQLITE_STATIC);
    return store_step(st, s);
}

int outbox_retry_parked(struct store *st, const char *key)
{
    sqlite3_stmt *s = store_stmt(st, SQL_RETRY);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (store_step(st, s) != STORE_OK)
        return -1;
    return store_changes(st) ? 0 : 1;
}

int outbox_count(struct store *st, enum outbox_state state, int64_t *out)
{
    return outbox_count_kind(st, state, OUTBOX_KIND_COUNT, out);
}

int outbox_count_kind(struct store *st, enum outbox_state state, enum outbox_kind kind, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, kind == OUTBOX_KIND_COUNT ? SQL_COUNT : SQL_COUNT_KIND);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, outbox_state_name(state), -1, SQLITE_STATIC);
    if (kind != OUTBOX_KIND_COUNT)
        sqlite3_bind_text(s, 2, outbox_kind_name(kind), -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_ERROR : rc;
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

static void col_text(sqlite3_stmt *s, int col, char *dst, size_t len)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    snprintf(dst, len, "%s", t ? t : "");
}

static void read_entry(sqlite3_stmt *s, struct outbox_entry *e)
{
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(s, 0);
    e->kind = (enum outbox_kind)name_index(kind_names, OUTBOX_KIND_COUNT, sqlite3_column_text(s, 1));
    e->state = (enum outbox_state)name_index(state_names, 3, sqlite3_column_text(s, 2));
    col_text(s, 3, e->key, sizeof e->key);
    e->created_at = sqlite3_column_int64(s, 4);
    e->sent_at = sqlite3_column_int64(s, 5);
    e->attempts = sqlite3_column_int(s, 6);
    col_text(s, 7, e->server_ref, sizeof e->server_ref);
    col_text(s, 8, e->last_error, sizeof e->last_error);
}

int outbox_get(struct store *st, const char *key, struct outbox_entry *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_GET);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    read_entry(s, out);
    sqlite3_reset(s);
    return STORE_OK;
}

int outbox_print(struct store *st, FILE *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_UNSENT);
    if (!s)
        return -1;
    int n = 0, rc;
    struct outbox_entry e;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        read_entry(s, &e);
        char when[32];
        time_t t = (time_t)e.created_at;
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
        fprintf(out, "%-8s %s  %s  attempts %d  %s\n", outbox_state_name(e.state), when, e.key, e.attempts,
                e.last_error);
        n++;
    }
    sqlite3_reset(s);
    if (rc < 0)
        return -1;
    fprintf(out, "%d not yet accepted by the store server (pending are sent automatically;"
                 " parked were rejected: fix the cause, then  till --outbox-retry KEY)\n", n);
    return 0;
}

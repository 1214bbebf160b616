/* The stock_counts and stock_count_entries tables (migrations 007, 011) and their SQL. */
#include "src/stock_counts.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "src/store.h"

#define COUNT_COLS "id, zone, full_store, blind, state = 'submitted', active, uncounted_as_zero," \
                   " counted_by, started_at, COALESCE(finished_at, 0)," \
                   " (SELECT count(*) FROM stock_count_entries e WHERE e.count_id = c.id AND NOT e.undone)," \
                   " kind = 'receive', state = 'abandoned'"

static const char SQL_OPEN_IN_ZONE[] =
    "SELECT id FROM stock_counts WHERE zone = ?1 AND kind = ?2 AND state = 'open'";
static const char SQL_INSERT[] =
    "INSERT INTO stock_counts (id, zone, full_store, blind, counted_by, started_at, kind)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_GET[] = "SELECT " COUNT_COLS " FROM stock_counts c WHERE id = ?1";
static const char SQL_LIST_OPEN[] =
    "SELECT " COUNT_COLS " FROM stock_counts c WHERE state = 'open' ORDER BY started_at DESC, id";
static const char SQL_ACTIVE[] =
    "SELECT " COUNT_COLS " FROM stock_counts c WHERE state = 'open' AND active ORDER BY started_at DESC LIMIT 1";
static const char SQL_SET_ACTIVE[] = "UPDATE stock_counts SET active = ?2 WHERE id = ?1";
static const char SQL_SET_ZERO[] = "UPDATE stock_counts SET uncounted_as_zero = ?2 WHERE id = ?1";
static const char SQL_SUBMITTED[] =
    "UPDATE stock_counts SET state = 'submitted', active = 0, finished_at = ?2 WHERE id = ?1 AND state = 'open'";
static const char SQL_ABANDON[] =
    "UPDATE stock_counts SET state = 'abandoned', active = 0, finished_at = ?2, abandoned_by = ?3"
    " WHERE id = ?1 AND state = 'open'";
static const char SQL_ADD_ENTRY[] =
    "INSERT INTO stock_count_entries (count_id, seq, op, sku, barcode, name, unit, price, qty, at)"
    " VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM stock_count_entries WHERE count_id = ?1),"
    " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING seq";
static const char SQL_LAST_ENTRY[] =
    "SELECT seq, op, sku, barcode, name, unit, price, qty, at FROM stock_count_entries"
    " WHERE count_id = ?1 AND NOT undone ORDER BY seq DESC LIMIT 1";
static const char SQL_UNDO[] = "UPDATE stock_count_entries SET undone = 1 WHERE count_id = ?1 AND seq = ?2";
static const char SQL_ENTRIES[] =
    "SELECT seq, op, sku, barcode, name, unit, price, qty, at FROM stock_count_entries"
    " WHERE count_id = ?1 AND NOT undone ORDER BY seq";

static void read_info(sqlite3_stmt *s, struct stock_count_info *c)
{
    memset(c, 0, sizeof *c);
    store_col_text(s, 0, c->id, sizeof c->id);
    store_col_text(s, 1, c->zone, sizeof c->zone);
    c->full_store = sqlite3_column_int(s, 2);
    c->blind = sqlite3_column_int(s, 3);
    c->submitted = sqlite3_column_int(s, 4);
    c->active = sqlite3_column_int(s, 5);
    c->uncounted_as_zero = sqlite3_column_int(s, 6);
    store_col_text(s, 7, c->counted_by, sizeof c->counted_by);
    c->started_at = sqlite3_column_int64(s, 8);
    c->finished_at = sqlite3_column_int64(s, 9);
    c->entries = sqlite3_column_int64(s, 10);
    c->receiving = sqlite3_column_int(s, 11);
    c->abandoned = sqlite3_column_int(s, 12);
}

static void read_entry(sqlite3_stmt *s, struct count_entry *e)
{
    char unit[8];
    memset(e, 0, sizeof *e);
    e->seq = sqlite3_column_int64(s, 0);
    e->op = strcmp((const char *)sqlite3_column_text(s, 1), "set") == 0 ? COUNT_SET : COUNT_ADD;
    store_col_text(s, 2, e->sku, sizeof e->sku);
    store_col_text(s, 3, e->barcode, sizeof e->barcode);
    store_col_text(s, 4, e->name, sizeof e->name);
    store_col_text(s, 5, unit, sizeof unit);
    if (unit_parse(unit, &e->unit))
        e->unit = UNIT_EACH;
    e->price = sqlite3_column_int64(s, 6);
    e->qty = sqlite3_column_int64(s, 7);
    e->at = sqlite3_column_int64(s, 8);
}

int stock_count_create(struct store *st, const struct stock_count_info *c, char existing[STOCK_COUNT_ID_LEN])
{
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (rc)
        return rc;
    sqlite3_stmt *s = store_stmt(st, SQL_OPEN_IN_ZONE);
    if (!s)
        goto fail;
    sqlite3_bind_text(s, 1, c->zone, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->receiving ? "receive" : "count", -1, SQLITE_STATIC);
    rc = store_step(st, s);
    if (rc == STORE_ROW) {
        store_col_text(s, 0, existing, STOCK_COUNT_ID_LEN);
        sqlite3_reset(s);
        store_rollback(st);
        return STORE_EBUSY;
    }
    if (rc != STORE_OK || !(s = store_stmt(st, SQL_INSERT)))
        goto fail;
    sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->zone, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, c->full_store);
    sqlite3_bind_int(s, 4, c->blind);
    sqlite3_bind_text(s, 5, c->counted_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, c->started_at);
    sqlite3_bind_text(s, 7, c->receiving ? "receive" : "count", -1, SQLITE_STATIC);
    if ((rc = store_step(st, s)) != STORE_OK)
        goto fail;
    return store_commit(st);
fail:
    store_rollback(st);
    return rc < 0 ? rc : STORE_ERROR;
}

static int get_one(struct store *st, const char *sql, const char *id, struct stock_count_info *out)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    if (!s)
        return STORE_ERROR;
    if (id)
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    read_info(s, out);
    sqlite3_reset(s);
    return STORE_OK;
}

int stock_count_get(struct store *st, const char *id, struct stock_count_info *out)
{
    return get_one(st, SQL_GET, id, out);
}

int stock_count_find_active(struct store *st, struct stock_count_info *out)
{
    return get_one(st, SQL_ACTIVE, NULL, out);
}

int stock_count_list_open(struct store *st, struct stock_count_info *out, int max)
{
    sqlite3_stmt *s = store_stmt(st, SQL_LIST_OPEN);
    if (!s)
        return STORE_ERROR;
    int n = 0, rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (n == max) {
            sqlite3_reset(s);
            return n;
        }
        read_info(s, &out[n++]);
    }
    return rc == STORE_OK ? n : rc;
}

static int set_flag(struct store *st, const char *sql, const char *id, int v)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, v);
    return store_step(st, s);
}

int stock_count_set_active(struct store *st, const char *id, int active)
{
    return set_flag(st, SQL_SET_ACTIVE, id, active);
}

int stock_count_set_uncounted_as_zero(struct store *st, const char *id, int as_zero)
{
    return set_flag(st, SQL_SET_ZERO, id, as_zero);
}

int stock_count_add_entry(struct store *st, const char *id, struct count_entry *e)
{
    sqlite3_stmt *s = store_stmt(st, SQL_ADD_ENTRY);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, e->op == COUNT_SET ? "set" : "add", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, e->sku, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, e->barcode, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, e->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, unit_name(e->unit), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, e->price);
    sqlite3_bind_int64(s, 8, e->qty);
    sqlite3_bind_int64(s, 9, e->at);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_ERROR : rc;
    e->seq = sqlite3_column_int64(s, 0);
    /* stepping to the end completes the statement: the insert is committed then */
    rc = store_step(st, s);
    if (rc == STORE_ROW) {
        sqlite3_reset(s);
        rc = STORE_OK;
    }
    return rc;
}

int stock_count_undo_last(struct store *st, const char *id, struct count_entry *undone)
{
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (rc)
        return rc;
    sqlite3_stmt *s = store_stmt(st, SQL_LAST_ENTRY);
    if (!s) {
        rc = STORE_ERROR;
        goto fail;
    }
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    rc = store_step(st, s);
    if (rc != STORE_ROW) {
        rc = rc == STORE_OK ? STORE_NOTFOUND : rc;
        goto fail;
    }
    read_entry(s, undone);
    sqlite3_reset(s);
    if (!(s = store_stmt(st, SQL_UNDO))) {
        rc = STORE_ERROR;
        goto fail;
    }
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, undone->seq);
    if ((rc = store_step(st, s)) != STORE_OK)
        goto fail;
    return store_commit(st);
fail:
    store_rollback(st);
    return rc;
}

int stock_count_each_entry(struct store *st, const char *id, stock_count_entry_fn each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, SQL_ENTRIES);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        struct count_entry e;
        read_entry(s, &e);
        int r = each(ctx, &e);
        if (r) {
            sqlite3_reset(s);
            return r;
        }
    }
    return rc;
}

int stock_count_mark_submitted(struct store *st, const char *id, int64_t at)
{
    sqlite3_stmt *s = store_stmt(st, SQL_SUBMITTED);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, at);
    int rc = store_step(st, s);
    if (rc == STORE_OK && store_changes(st) != 1)
        return STORE_NOTFOUND;   /* already submitted: a count is submitted once */
    return rc;
}

int stock_count_abandon(struct store *st, const char *id, int64_t at, const char *by)
{
    sqlite3_stmt *s = store_stmt(st, SQL_ABANDON);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, at);
    sqlite3_bind_text(s, 3, by, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc == STORE_OK && store_changes(st) != 1)
        return STORE_NOTFOUND;   /* submitted or abandoned already */
    return rc;
}

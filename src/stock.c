/* The stock_levels table (migration 003) and its SQL. */
#include "src/stock.h"

#include <sqlite3.h>

#include "src/store.h"

static const char SQL_SET[] =
    "INSERT INTO stock_levels (sku, location, on_hand, seq) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT(sku, location) DO UPDATE SET on_hand = excluded.on_hand, seq = excluded.seq";
static const char SQL_GET[] = "SELECT on_hand FROM stock_levels WHERE sku = ?1 AND location = ?2";
static const char SQL_EACH_POSITIVE[] =
    "SELECT sku, on_hand FROM stock_levels WHERE location = ?1 AND on_hand > 0 ORDER BY sku";

int stock_level_set(struct store *st, const char *sku, const char *location, int64_t on_hand, int64_t seq)
{
    sqlite3_stmt *s = store_stmt(st, SQL_SET);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, sku, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, location, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, on_hand);
    sqlite3_bind_int64(s, 4, seq);
    return store_step(st, s);
}

int stock_level_get(struct store *st, const char *sku, const char *location, int64_t *on_hand)
{
    sqlite3_stmt *s = store_stmt(st, SQL_GET);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, sku, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, location, -1, SQLITE_STATIC);
    return store_row_int64(st, s, on_hand);
}

int stock_levels_each_positive(struct store *st, const char *location, stock_level_fn each, void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, SQL_EACH_POSITIVE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, location, -1, SQLITE_STATIC);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        int r = each(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1));
        if (r) {
            sqlite3_reset(s);
            return r;
        }
    }
    return rc;
}

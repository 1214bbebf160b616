/* The catalog_refused queue and all its SQL (see the header). */
#include "src/catalog_refused.h"

#include <sqlite3.h>
#include <stddef.h>

#include "src/store.h"

/* AUTOINCREMENT: ids never come back after the rows up to one were deleted (the loop
 * remembers how far it carried them).  Unqualified: the writer's connection has the catalog as main, the loop's attaches it as
 * "catalog" (and has no table of this name of its own). */
static const char SQL_CREATE[] =
    "CREATE TABLE IF NOT EXISTS catalog_refused (id INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, item_key TEXT NOT NULL, reason TEXT, raw TEXT, at INTEGER NOT NULL)";
static const char SQL_ADD[] =
    "INSERT INTO catalog_refused (kind, seq, item_key, reason, raw, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_HAS_PARK[] =
    "SELECT EXISTS (SELECT 1 FROM catalog_refused WHERE kind = 0 AND item_key = ?1)";
static const char SQL_COUNT[] = "SELECT count(*) FROM catalog_refused";
static const char SQL_DELETE_UPTO[] = "DELETE FROM catalog_refused WHERE id <= ?1";
static const char SQL_EACH[] =
    "SELECT id, kind, seq, item_key, reason, raw, at FROM catalog_refused WHERE id > ?1 ORDER BY id LIMIT ?2";

int catalog_refused_open(struct store *st)
{
    return store_step(st, store_stmt(st, SQL_CREATE));
}

int catalog_refused_add(struct store *st, enum catalog_refused_kind kind, int64_t seq, const char *key,
                        const char *reason, const char *raw, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_ADD);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int(s, 1, (int)kind);
    sqlite3_bind_int64(s, 2, seq);
    sqlite3_bind_text(s, 3, key ? key : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, raw, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, now);
    return store_step(st, s);
}

static int query_int(struct store *st, const char *sql, const char *arg, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    if (!s)
        return STORE_ERROR;
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_ERROR : rc;
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

int catalog_refused_has_park(struct store *st, const char *key, int *out)
{
    int64_t v = 0;
    int rc = query_int(st, SQL_HAS_PARK, key, &v);
    *out = v != 0;
    return rc;
}

int catalog_refused_count(struct store *st, int64_t *out)
{
    return query_int(st, SQL_COUNT, NULL, out);
}

int catalog_refused_delete_upto(struct store *st, int64_t id)
{
    sqlite3_stmt *s = store_stmt(st, SQL_DELETE_UPTO);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    return store_step(st, s);
}

int catalog_refused_each(struct store *st, int64_t after_id, int max, catalog_refused_fn fn, void *ctx)
{
    /* it cannot be prepared only when no writer ever made the table: nothing queued */
    sqlite3_stmt *s = store_stmt(st, SQL_EACH);
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, after_id);
    sqlite3_bind_int(s, 2, max);
    int n = 0, rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        struct catalog_refused_row r = {
            .id = sqlite3_column_int64(s, 0),
            .kind = sqlite3_column_int(s, 1) ? CATALOG_REFUSED_APPLIED : CATALOG_REFUSED_PARK,
            .seq = sqlite3_column_int64(s, 2),
            .key = (const char *)sqlite3_column_text(s, 3),
            .reason = (const char *)sqlite3_column_text(s, 4),
            .raw = (const char *)sqlite3_column_text(s, 5),
            .at = sqlite3_column_int64(s, 6),
        };
        n++;
        if (fn(ctx, &r)) {
            sqlite3_reset(s);
            return n;
        }
    }
    return rc == STORE_OK ? n : rc;
}

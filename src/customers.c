/* The customers table and all its SQL (see customers.h). */
#include "src/customers.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "src/store.h"

static const char SQL_PUT[] =
    "INSERT INTO customers (id, name, segment, card) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT(id) DO UPDATE SET name = excluded.name, segment = excluded.segment,"
    " card = excluded.card";
/* A card moved to another customer leaves the one who had it. */
static const char SQL_FREE_CARD[] = "UPDATE customers SET card = NULL WHERE card = ?1 AND id <> ?2";
static const char SQL_DEL[] = "DELETE FROM customers WHERE id = ?1";
static const char SQL_BY_CARD[] = "SELECT id, name, segment, card FROM customers WHERE card = ?1";
static const char SQL_BY_ID[] = "SELECT id, name, segment, card FROM customers WHERE id = ?1";
static const char SQL_SEARCH[] =
    "SELECT id, name, segment, card FROM customers WHERE id = ?1 OR card = ?1"
    " OR name LIKE '%' || ?1 || '%' ORDER BY name COLLATE NOCASE LIMIT ?2";

static void read_customer(sqlite3_stmt *s, struct customer *c)
{
    memset(c, 0, sizeof *c);
    store_col_text(s, 0, c->id, sizeof c->id);
    store_col_text(s, 1, c->name, sizeof c->name);
    store_col_text(s, 2, c->segment, sizeof c->segment);
    store_col_text(s, 3, c->card, sizeof c->card);
}

int customers_put(struct store *st, const struct customer *c)
{
    sqlite3_stmt *s;
    if (c->card[0]) {
        if (!(s = store_stmt(st, SQL_FREE_CARD)))
            return STORE_ERROR;
        sqlite3_bind_text(s, 1, c->card, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, c->id, -1, SQLITE_STATIC);
        if (store_step(st, s))
            return STORE_ERROR;
    }
    if (!(s = store_stmt(st, SQL_PUT)))
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, c->segment, -1, SQLITE_STATIC);
    if (c->card[0])
        sqlite3_bind_text(s, 4, c->card, -1, SQLITE_STATIC);
    return store_step(st, s) == STORE_OK ? STORE_OK : STORE_ERROR;
}

int customers_delete(struct store *st, const char *id)
{
    sqlite3_stmt *s = store_stmt(st, SQL_DEL);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    return store_step(st, s) == STORE_OK ? STORE_OK : STORE_ERROR;
}

static int find_one(struct store *st, const char *sql, const char *key, struct customer *out)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc == STORE_ROW) {
        read_customer(s, out);
        sqlite3_reset(s);
        return STORE_OK;
    }
    return rc == STORE_OK ? STORE_NOTFOUND : rc;
}

int customers_find_by_card(struct store *st, const char *card, struct customer *out)
{
    return find_one(st, SQL_BY_CARD, card, out);
}

int customers_find_by_id(struct store *st, const char *id, struct customer *out)
{
    return find_one(st, SQL_BY_ID, id, out);
}

int customers_search(struct store *st, const char *text, struct customer *out, int max)
{
    sqlite3_stmt *s = store_stmt(st, SQL_SEARCH);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, max);
    int n = 0, rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (n < max)
            read_customer(s, &out[n++]);
    }
    return rc == STORE_OK ? n : rc;
}

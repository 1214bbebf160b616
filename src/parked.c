/* The parked_sales and parked_lines tables and all their SQL. */
#include "src/parked.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/cart.h"
#include "src/cart_rows.h"
#include "src/store.h"

static const char SQL_INS_SALE[] =
    "INSERT INTO parked_sales (uuid, label, parked_at, started_at, " CART_SALE_COLUMNS ", items, total,"
    " age_proven, age_proven_how) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char SQL_INS_LINE[] =
    "INSERT INTO parked_lines (parked_id, line_no, " CART_ROW_COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
    " ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)";
static const char SQL_LIST[] =
    "SELECT id, label, parked_at, items, total FROM parked_sales ORDER BY id LIMIT ?1";
static const char SQL_GET_SALE[] =
    "SELECT uuid, started_at, " CART_SALE_COLUMNS ", age_proven, age_proven_how FROM parked_sales WHERE id = ?1";
static const char SQL_GET_LINES[] =
    "SELECT " CART_ROW_COLUMNS " FROM parked_lines WHERE parked_id = ?1 ORDER BY line_no";
static const char SQL_DEL_LINES[] = "DELETE FROM parked_lines WHERE parked_id = ?1";
static const char SQL_DEL_SALE[] = "DELETE FROM parked_sales WHERE id = ?1";
static const char SQL_COUNT_BEFORE[] = "SELECT count(*) FROM parked_sales WHERE parked_at < ?1";

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int write_line(struct store *st, int64_t id, int no, const struct cart_line *l)
{
    sqlite3_stmt *s = store_stmt(st, SQL_INS_LINE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, no);
    cart_row_bind(s, 3, l);
    return store_step(st, s);
}

static int write_all(struct store *st, const struct cart *cart, const struct parked_extra *x,
                     const char *label, int64_t now, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(st, SQL_INS_SALE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, x->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int64(s, 4, x->started_at);
    cart_sale_bind(s, 5, cart);
    sqlite3_bind_int64(s, 11, cart_item_count(cart));
    sqlite3_bind_int64(s, 12, cart->totals.total);
    sqlite3_bind_int(s, 13, x->age_proven);
    bind_text(s, 14, x->age_proven_how);
    int rc = store_step(st, s);
    if (rc)
        return rc;
    *id = store_last_insert_id(st);
    for (int i = 0; i < cart->nlines; i++)
        if ((rc = write_line(st, *id, i + 1, &cart->lines[i])))
            return rc;
    return STORE_OK;
}

int parked_save(struct store *st, const struct cart *cart, const struct parked_extra *x, const char *label,
                int64_t now, int64_t *id)
{
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (rc)
        return rc;
    if ((rc = write_all(st, cart, x, label, now, id))) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st);
}

int parked_list(struct store *st, struct parked_info *out, int max)
{
    sqlite3_stmt *s = store_stmt(st, SQL_LIST);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int(s, 1, max);
    int n = 0, rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        struct parked_info *p = &out[n++];
        p->id = sqlite3_column_int64(s, 0);
        store_col_text(s, 1, p->label, sizeof p->label);
        p->parked_at = sqlite3_column_int64(s, 2);
        p->items = sqlite3_column_int64(s, 3);
        p->total = sqlite3_column_int64(s, 4);
    }
    return rc == STORE_OK ? n : rc;
}

/* Reads the sale into cart; the caller deletes it in the same transaction. */
static int read_all(struct store *st, int64_t id, struct cart *cart, struct parked_extra *x)
{
    sqlite3_stmt *s = store_stmt(st, SQL_GET_SALE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    memset(x, 0, sizeof *x);
    store_col_text(s, 0, x->uuid, sizeof x->uuid);
    x->started_at = sqlite3_column_int64(s, 1);
    x->age_proven = sqlite3_column_int(s, 8);
    store_col_text(s, 9, x->age_proven_how, sizeof x->age_proven_how);
    rc = cart_sale_read(s, 2, cart);
    sqlite3_reset(s);
    if (rc)
        return STORE_ERROR;
    s = store_stmt(st, SQL_GET_LINES);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    while ((rc = store_step(st, s)) == STORE_ROW) {
        struct cart_line l;
        if (cart_row_read(s, 0, &l) || cart_restore_line(cart, &l)) {
            sqlite3_reset(s);
            return STORE_ERROR;
        }
    }
    return rc;
}

int parked_take(struct store *st, int64_t id, struct cart *cart, struct parked_extra *x)
{
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    if ((rc = read_all(st, id, cart, x)) ||
        !(s = store_stmt(st, SQL_DEL_LINES)) ||
        (sqlite3_bind_int64(s, 1, id), rc = store_step(st, s)) ||
        !(s = store_stmt(st, SQL_DEL_SALE)) ||
        (sqlite3_bind_int64(s, 1, id), rc = store_step(st, s))) {
        store_rollback(st);
        cart_clear(cart);
        return rc ? rc : STORE_ERROR;
    }
    return store_commit(st);
}

int parked_count_before(struct store *st, int64_t before, int64_t *n)
{
    sqlite3_stmt *s = store_stmt(st, SQL_COUNT_BEFORE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, before);
    return store_row_int64(st, s, n);
}

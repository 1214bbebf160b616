/* The shifts and cash_movements tables (migration 010) and all their SQL. */
#include "src/shifts.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/store.h"

#define SHIFT_COLS "id, uuid, terminal_id, state, opened_at, opened_by, opening_float, cancels," \
                   " cancels_value, COALESCE(z_number, 0), COALESCE(closed_at, 0), COALESCE(closed_by, '')," \
                   " COALESCE(counted_cash, 0)"
static const char SQL_CURRENT[] = "SELECT " SHIFT_COLS " FROM shifts WHERE terminal_id = ?1 AND state = 'open'";
static const char SQL_BY_Z[] = "SELECT " SHIFT_COLS ", report FROM shifts WHERE z_number = ?1";
static const char SQL_OPEN[] =
    "INSERT INTO shifts (uuid, terminal_id, opened_at, opened_by, opening_float) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_CANCEL[] =
    "UPDATE shifts SET cancels = cancels + 1, cancels_value = cancels_value + ?2 WHERE id = ?1 AND state = 'open'";
static const char SQL_MOVE[] =
    "INSERT INTO cash_movements (uuid, shift_id, kind, amount, reason, staff_id, approved_by, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_MOVE_SUMS[] =
    "SELECT kind, count(*), COALESCE(SUM(amount), 0) FROM cash_movements WHERE shift_id = ?1 GROUP BY kind";
static const char SQL_CLOSE[] =
    "UPDATE shifts SET state = 'closed', z_number = ?2, closed_at = ?3, closed_by = ?4, counted_cash = ?5,"
    " report = ?6 WHERE id = ?1 AND state = 'open'";
static const char SQL_MAX_Z[] = "SELECT COALESCE(MAX(z_number), 0) FROM shifts";

static void col_text(sqlite3_stmt *s, int col, char *buf, size_t len)
{
    const char *v = (const char *)sqlite3_column_text(s, col);
    snprintf(buf, len, "%s", v ? v : "");
}

static void read_shift(sqlite3_stmt *s, struct shift *out)
{
    char state[16];
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(s, 0);
    col_text(s, 1, out->uuid, sizeof out->uuid);
    col_text(s, 2, out->terminal_id, sizeof out->terminal_id);
    col_text(s, 3, state, sizeof state);
    out->open = strcmp(state, "open") == 0;
    out->opened_at = sqlite3_column_int64(s, 4);
    col_text(s, 5, out->opened_by, sizeof out->opened_by);
    out->opening_float = sqlite3_column_int64(s, 6);
    out->cancels = sqlite3_column_int64(s, 7);
    out->cancels_value = sqlite3_column_int64(s, 8);
    out->z_number = sqlite3_column_int64(s, 9);
    out->closed_at = sqlite3_column_int64(s, 10);
    col_text(s, 11, out->closed_by, sizeof out->closed_by);
    out->counted_cash = sqlite3_column_int64(s, 12);
}

int shifts_current(struct store *st, const char *terminal_id, struct shift *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_CURRENT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, terminal_id, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    read_shift(s, out);
    sqlite3_reset(s);
    return STORE_OK;
}

int shifts_by_z(struct store *st, int64_t z_number, struct shift *out, char **report)
{
    sqlite3_stmt *s = store_stmt(st, SQL_BY_Z);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, z_number);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    read_shift(s, out);
    if (report) {
        const char *r = (const char *)sqlite3_column_text(s, 13);
        *report = r ? strdup(r) : NULL;
    }
    sqlite3_reset(s);
    return STORE_OK;
}

int shifts_open(struct store *st, const char *terminal_id, const char *uuid, int64_t at,
                const char *staff_id, int64_t opening_float, struct shift *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_OPEN);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, terminal_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, at);
    sqlite3_bind_text(s, 4, staff_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, opening_float);
    int rc = store_step(st, s);
    if (rc)
        return rc;
    return shifts_current(st, terminal_id, out);
}

int shifts_count_cancel(struct store *st, int64_t shift_id, int64_t value)
{
    sqlite3_stmt *s = store_stmt(st, SQL_CANCEL);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, shift_id);
    sqlite3_bind_int64(s, 2, value);
    return store_step(st, s);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

int shifts_add_movement(struct store *st, const struct cash_movement *m)
{
    sqlite3_stmt *s = store_stmt(st, SQL_MOVE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, m->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, m->shift_id);
    sqlite3_bind_text(s, 3, cash_kind_name(m->kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, m->amount);
    bind_opt(s, 5, m->reason);
    sqlite3_bind_text(s, 6, m->staff_id, -1, SQLITE_STATIC);
    bind_opt(s, 7, m->approved_by);
    sqlite3_bind_int64(s, 8, m->at);
    return store_step(st, s);
}

int shifts_figures(struct store *st, const struct shift *sh, struct shift_figures *f)
{
    f->opening_float = sh->opening_float;
    f->cancels_count = sh->cancels;
    f->cancels_value = sh->cancels_value;
    f->paid_in = f->paid_out = f->drops = f->no_sales = 0;
    sqlite3_stmt *s = store_stmt(st, SQL_MOVE_SUMS);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, sh->id);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        char kind[16];
        enum cash_kind k;
        col_text(s, 0, kind, sizeof kind);
        if (cash_kind_parse(kind, &k))
            continue;
        int64_t n = sqlite3_column_int64(s, 1), sum = sqlite3_column_int64(s, 2);
        switch (k) {
        case CASH_PAID_IN: f->paid_in = sum; break;
        case CASH_PAID_OUT: f->paid_out = sum; break;
        case CASH_DROP: f->drops = sum; break;
        case CASH_NO_SALE: f->no_sales = n; break;
        default: break;
        }
    }
    return rc;
}

int shifts_take_z_number(struct store *st, int64_t *out)
{
    char buf[32];
    int64_t counter = 0, max_z = 0;
    if (store_meta_get(st, "z_counter", buf, sizeof buf) == STORE_OK)
        counter = strtoll(buf, NULL, 10);
    /* the counter and the highest Z stored agree; should the meta row ever be lost, the
     * stored Z numbers still keep the next one above them */
    sqlite3_stmt *s = store_stmt(st, SQL_MAX_Z);
    if (!s)
        return STORE_ERROR;
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_ERROR : rc;
    max_z = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    *out = (counter > max_z ? counter : max_z) + 1;
    snprintf(buf, sizeof buf, "%lld", (long long)*out);
    return store_meta_set(st, "z_counter", buf);
}

int shifts_close(struct store *st, int64_t shift_id, int64_t z_number, int64_t at, const char *staff_id,
                 int64_t counted_cash, const char *report)
{
    sqlite3_stmt *s = store_stmt(st, SQL_CLOSE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, shift_id);
    sqlite3_bind_int64(s, 2, z_number);
    sqlite3_bind_int64(s, 3, at);
    sqlite3_bind_text(s, 4, staff_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, counted_cash);
    sqlite3_bind_text(s, 6, report, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc == STORE_OK && store_changes(st) != 1)
        return STORE_NOTFOUND;
    return rc;
}

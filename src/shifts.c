/* The shifts and cash_movements tables (migration 010) and all their SQL. */
#include "src/shifts.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/store.h"

#define SHIFT_COLS "id, uuid, terminal_id, state, opened_at, opened_by, opening_float, cancels," \
                   " cancels_value, COALESCE(z_number, 0), COALESCE(closed_at, 0), COALESCE(closed_by, '')," \
                   " COALESCE(counted_cash, 0), COALESCE(z_started_at, 0), COALESCE(z_by, '')," \
                   " COALESCE(z_approved_by, ''), COALESCE(z_counted, 0), COALESCE(eod_state, 'none')," \
                   " COALESCE(eod_total, 0), COALESCE(eod_count, -1), COALESCE(eod_lines, '')," \
                   " COALESCE(eod_message, '')"
#define SHIFT_NCOLS 22
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
static const char SQL_Z_BEGIN[] =
    "UPDATE shifts SET z_started_at = ?2, z_by = ?3, z_approved_by = ?4, z_counted = ?5, eod_state = NULL"
    " WHERE id = ?1 AND state = 'open'";
static const char SQL_Z_EOD[] =
    "UPDATE shifts SET eod_state = ?2, eod_total = ?3, eod_count = ?4, eod_lines = ?5, eod_message = ?6"
    " WHERE id = ?1 AND state = 'open'";
static const char SQL_MAX_Z[] = "SELECT COALESCE(MAX(z_number), 0) FROM shifts";

static void read_shift(sqlite3_stmt *s, struct shift *out)
{
    char state[16];
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, out->uuid, sizeof out->uuid);
    store_col_text(s, 2, out->terminal_id, sizeof out->terminal_id);
    store_col_text(s, 3, state, sizeof state);
    out->open = strcmp(state, "open") == 0;
    out->opened_at = sqlite3_column_int64(s, 4);
    store_col_text(s, 5, out->opened_by, sizeof out->opened_by);
    out->opening_float = sqlite3_column_int64(s, 6);
    out->cancels = sqlite3_column_int64(s, 7);
    out->cancels_value = sqlite3_column_int64(s, 8);
    out->z_number = sqlite3_column_int64(s, 9);
    out->closed_at = sqlite3_column_int64(s, 10);
    store_col_text(s, 11, out->closed_by, sizeof out->closed_by);
    out->counted_cash = sqlite3_column_int64(s, 12);
    out->z_started_at = sqlite3_column_int64(s, 13);
    store_col_text(s, 14, out->z_by, sizeof out->z_by);
    store_col_text(s, 15, out->z_approved_by, sizeof out->z_approved_by);
    out->z_counted = sqlite3_column_int64(s, 16);
    char eod[16];
    store_col_text(s, 17, eod, sizeof eod);
    if (shift_eod_parse(eod, &out->eod.state))
        out->eod.state = SHIFT_EOD_NONE;
    struct pt_eod_totals *t = &out->eod.terminal;
    t->result = out->eod.state == SHIFT_EOD_OK ? PT_APPROVED : PT_ERROR;
    t->total = sqlite3_column_int64(s, 18);
    t->has_total = out->eod.state == SHIFT_EOD_OK;
    t->count = sqlite3_column_int64(s, 19);
    /* card TAB count TAB amount, one line each */
    const char *p = (const char *)sqlite3_column_text(s, 20);
    while (p && *p && t->nlines < PT_EOD_MAX_LINES) {
        struct pt_eod_line *l = &t->lines[t->nlines];
        long long c, a;
        char card[sizeof l->card];
        if (sscanf(p, "%23[^\t]\t%lld\t%lld", card, &c, &a) == 3) {
            snprintf(l->card, sizeof l->card, "%s", card);
            l->count = c;
            l->amount = a;
            t->nlines++;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    store_col_text(s, 21, t->message, sizeof t->message);
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
        const char *r = (const char *)sqlite3_column_text(s, SHIFT_NCOLS);
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
        store_col_text(s, 0, kind, sizeof kind);
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

int shifts_z_begin(struct store *st, int64_t shift_id, int64_t at, const char *staff_id,
                   const char *approved_by, int64_t counted_cash)
{
    sqlite3_stmt *s = store_stmt(st, SQL_Z_BEGIN);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, shift_id);
    sqlite3_bind_int64(s, 2, at);
    sqlite3_bind_text(s, 3, staff_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, approved_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, counted_cash);
    int rc = store_step(st, s);
    if (rc == STORE_OK && store_changes(st) != 1)
        return STORE_NOTFOUND;
    return rc;
}

int shifts_z_eod(struct store *st, int64_t shift_id, const struct shift_eod_result *eod)
{
    char lines[PT_EOD_MAX_LINES * 64] = "";
    size_t used = 0;
    const struct pt_eod_totals *t = &eod->terminal;
    for (int i = 0; i < t->nlines && i < PT_EOD_MAX_LINES; i++) {
        int n = snprintf(lines + used, sizeof lines - used, "%s\t%lld\t%lld\n", t->lines[i].card,
                         (long long)t->lines[i].count, (long long)t->lines[i].amount);
        if (n < 0 || (size_t)n >= sizeof lines - used)
            break;
        used += (size_t)n;
    }
    sqlite3_stmt *s = store_stmt(st, SQL_Z_EOD);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, shift_id);
    sqlite3_bind_text(s, 2, shift_eod_name(eod->state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, t->total);
    sqlite3_bind_int64(s, 4, t->count);
    sqlite3_bind_text(s, 5, lines, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, t->message, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc == STORE_OK && store_changes(st) != 1)
        return STORE_NOTFOUND;
    return rc;
}

int shifts_last_z(struct store *st, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_MAX_Z);
    if (!s)
        return STORE_ERROR;
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_ERROR : rc;
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
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

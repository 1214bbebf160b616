#include "src/fiscal_records.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static const char SQL_NEW[] =
    "INSERT OR IGNORE INTO fiscal_tx (tx_id, sale_uuid, kind, state, client_id, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, 'new', ?4, ?5, ?5)";
static const char SQL_STARTED[] =
    "UPDATE fiscal_tx SET state = 'started', tx_number = ?2, start_counter = ?3, start_ms = ?4,"
    " updated_at = ?5 WHERE tx_id = ?1 AND state = 'new'";
/* finished, aborted or failed: the amounts and whatever the TSE said */
static const char SQL_END[] =
    "UPDATE fiscal_tx SET state = ?2, process_type = ?3, process_data = ?4, tx_number = ?5,"
    " sig_counter = ?6, start_ms = COALESCE(?7, start_ms), log_ms = ?8, signature = ?9, sig_alg = ?10,"
    " time_format = ?11, tse_serial = ?12, public_key = ?13, error = ?14,"
    " receipt_no = COALESCE(NULLIF(?15, 0), receipt_no),"
    " shift_id = ?16, vat0 = ?17, vat1 = ?18, vat2 = ?19, vat3 = ?20, vat4 = ?21, net0 = ?22,"
    " net1 = ?23, net2 = ?24, net3 = ?25, net4 = ?26, cash = ?27, noncash = ?28, kind = ?29,"
    " updated_at = ?30, voucher = ?31 WHERE tx_id = ?1";
#define REC_COLS "id, tx_id, sale_uuid, kind, state, client_id, process_type, process_data, tx_number," \
    " start_counter, sig_counter, start_ms, log_ms, signature, sig_alg, time_format, tse_serial," \
    " public_key, error, receipt_no, shift_id, vat0, vat1, vat2, vat3, vat4, net0, net1, net2, net3," \
    " net4, cash, noncash, created_at, voucher"
static const char SQL_RECEIPT[] = "UPDATE fiscal_tx SET receipt_no = ?2 WHERE tx_id = ?1";
static const char SQL_GET[] = "SELECT " REC_COLS " FROM fiscal_tx WHERE tx_id = ?1";
static const char SQL_OPEN[] =
    "SELECT " REC_COLS " FROM fiscal_tx WHERE state IN ('new', 'started') ORDER BY id LIMIT ?1";
static const char SQL_EACH[] =
    "SELECT " REC_COLS " FROM fiscal_tx WHERE created_at >= ?1 AND created_at < ?2 ORDER BY id";
static const char SQL_SHIFT[] = "SELECT " REC_COLS " FROM fiscal_tx WHERE shift_id = ?1 ORDER BY id";
static const char SQL_OUTAGE_OPEN[] = "SELECT id FROM fiscal_outages WHERE ended_at IS NULL LIMIT 1";
static const char SQL_OUTAGE_BEGIN[] =
    "INSERT INTO fiscal_outages (started_at, reason) SELECT ?1, ?2"
    " WHERE NOT EXISTS (SELECT 1 FROM fiscal_outages WHERE ended_at IS NULL)";
static const char SQL_OUTAGE_END[] = "UPDATE fiscal_outages SET ended_at = ?1 WHERE ended_at IS NULL";
static const char SQL_OUTAGE_COUNT[] =
    "SELECT COUNT(*) FROM fiscal_outages WHERE started_at >= ?1 AND started_at < ?2";

static void text_or_null(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static void col(sqlite3_stmt *s, int i, char *out, size_t len)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(out, len, "%s", t ? (const char *)t : "");
}

static void read_row(sqlite3_stmt *s, struct fiscal_record *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    col(s, 1, r->tx_id, sizeof r->tx_id);
    col(s, 2, r->sale_uuid, sizeof r->sale_uuid);
    col(s, 3, r->kind, sizeof r->kind);
    col(s, 4, r->state, sizeof r->state);
    col(s, 5, r->client_id, sizeof r->client_id);
    col(s, 6, r->process_type, sizeof r->process_type);
    col(s, 7, r->process_data, sizeof r->process_data);
    r->tx_number = (uint64_t)sqlite3_column_int64(s, 8);
    r->start_counter = (uint64_t)sqlite3_column_int64(s, 9);
    r->sig_counter = (uint64_t)sqlite3_column_int64(s, 10);
    r->start_ms = sqlite3_column_int64(s, 11);
    r->log_ms = sqlite3_column_int64(s, 12);
    col(s, 13, r->signature, sizeof r->signature);
    col(s, 14, r->sig_alg, sizeof r->sig_alg);
    col(s, 15, r->time_format, sizeof r->time_format);
    col(s, 16, r->tse_serial, sizeof r->tse_serial);
    col(s, 17, r->public_key, sizeof r->public_key);
    col(s, 18, r->error, sizeof r->error);
    r->receipt_no = sqlite3_column_int64(s, 19);
    r->shift_id = sqlite3_column_int64(s, 20);
    for (int i = 0; i < FISCAL_VAT_SLOTS; i++) {
        r->vat[i] = sqlite3_column_int64(s, 21 + i);
        r->net[i] = sqlite3_column_int64(s, 26 + i);
    }
    r->cash = sqlite3_column_int64(s, 31);
    r->noncash = sqlite3_column_int64(s, 32);
    r->created_at = sqlite3_column_int64(s, 33);
    r->voucher = sqlite3_column_int64(s, 34);
}

int fiscal_rec_new(struct store *st, const char *tx_id, const char *sale_uuid, const char *kind,
                   const char *client_id, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_NEW);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, tx_id, -1, SQLITE_STATIC);
    text_or_null(s, 2, sale_uuid);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, client_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now);
    return store_step(st, s);
}

int fiscal_rec_started(struct store *st, const char *tx_id, uint64_t tx_number, uint64_t start_counter,
                       int64_t start_ms, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_STARTED);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, tx_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (int64_t)tx_number);
    sqlite3_bind_int64(s, 3, (int64_t)start_counter);
    sqlite3_bind_int64(s, 4, start_ms);
    sqlite3_bind_int64(s, 5, now);
    return store_step(st, s);
}

static int end(struct store *st, const struct fiscal_record *r, const char *state, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_END);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, r->tx_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    text_or_null(s, 3, r->process_type);
    text_or_null(s, 4, r->process_data);
    if (r->tx_number)
        sqlite3_bind_int64(s, 5, (int64_t)r->tx_number);
    else
        sqlite3_bind_null(s, 5);
    if (r->sig_counter)
        sqlite3_bind_int64(s, 6, (int64_t)r->sig_counter);
    else
        sqlite3_bind_null(s, 6);
    if (r->start_ms)
        sqlite3_bind_int64(s, 7, r->start_ms);
    else
        sqlite3_bind_null(s, 7);
    if (r->log_ms)
        sqlite3_bind_int64(s, 8, r->log_ms);
    else
        sqlite3_bind_null(s, 8);
    text_or_null(s, 9, r->signature);
    text_or_null(s, 10, r->sig_alg);
    text_or_null(s, 11, r->time_format);
    text_or_null(s, 12, r->tse_serial);
    text_or_null(s, 13, r->public_key);
    text_or_null(s, 14, r->error);
    sqlite3_bind_int64(s, 15, r->receipt_no);
    sqlite3_bind_int64(s, 16, r->shift_id);
    for (int i = 0; i < FISCAL_VAT_SLOTS; i++) {
        sqlite3_bind_int64(s, 17 + i, r->vat[i]);
        sqlite3_bind_int64(s, 22 + i, r->net[i]);
    }
    sqlite3_bind_int64(s, 27, r->cash);
    sqlite3_bind_int64(s, 28, r->noncash);
    sqlite3_bind_text(s, 29, r->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 30, now);
    sqlite3_bind_int64(s, 31, r->voucher);
    return store_step(st, s);
}

int fiscal_rec_finished(struct store *st, const struct fiscal_record *r, int64_t now)
{
    return end(st, r, strcmp(r->state, "aborted") == 0 ? "aborted" : "finished", now);
}

int fiscal_rec_failed(struct store *st, const struct fiscal_record *r, int64_t now)
{
    return end(st, r, "failed", now);
}

int fiscal_rec_set_receipt(struct store *st, const char *tx_id, int64_t receipt_no)
{
    sqlite3_stmt *s = store_stmt(st, SQL_RECEIPT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, tx_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, receipt_no);
    return store_step(st, s);
}

int fiscal_rec_get(struct store *st, const char *tx_id, struct fiscal_record *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_GET);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, tx_id, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    read_row(s, out);
    sqlite3_reset(s);
    return STORE_OK;
}

int fiscal_rec_open(struct store *st, struct fiscal_record *out, int max)
{
    sqlite3_stmt *s = store_stmt(st, SQL_OPEN);
    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, max);
    int n = 0, rc;
    while ((rc = store_step(st, s)) == STORE_ROW && n < max)
        read_row(s, &out[n++]);
    if (rc == STORE_ROW)
        sqlite3_reset(s);
    else if (rc != STORE_OK)
        return -1;
    return n;
}

int fiscal_rec_each(struct store *st, int64_t from, int64_t to,
                    int (*cb)(void *ctx, const struct fiscal_record *r), void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, SQL_EACH);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, from);
    sqlite3_bind_int64(s, 2, to);
    int rc;
    struct fiscal_record r;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        read_row(s, &r);
        if (cb(ctx, &r)) {
            sqlite3_reset(s);
            return STORE_OK;
        }
    }
    return rc;
}

int fiscal_rec_each_of_shift(struct store *st, int64_t shift_id,
                             int (*cb)(void *ctx, const struct fiscal_record *r), void *ctx)
{
    sqlite3_stmt *s = store_stmt(st, SQL_SHIFT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, shift_id);
    int rc;
    struct fiscal_record r;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        read_row(s, &r);
        if (cb(ctx, &r)) {
            sqlite3_reset(s);
            return STORE_OK;
        }
    }
    return rc;
}

int fiscal_outage_begin(struct store *st, int64_t now, const char *reason)
{
    sqlite3_stmt *s = store_stmt(st, SQL_OUTAGE_BEGIN);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
    return store_step(st, s);
}

int fiscal_outage_end(struct store *st, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_OUTAGE_END);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, now);
    return store_step(st, s);
}

int fiscal_outage_open(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, SQL_OUTAGE_OPEN);
    if (!s)
        return -1;
    int rc = store_step(st, s);
    if (rc == STORE_ROW) {
        sqlite3_reset(s);
        return 1;
    }
    return rc == STORE_OK ? 0 : -1;
}

int fiscal_outage_count(struct store *st, int64_t from, int64_t to, int64_t *n)
{
    sqlite3_stmt *s = store_stmt(st, SQL_OUTAGE_COUNT);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, from);
    sqlite3_bind_int64(s, 2, to);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc;
    *n = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

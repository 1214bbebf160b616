#include "src/payment_journal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static const char SQL_BEGIN[] =
    "INSERT INTO payment_intents (reference, sale_uuid, op, terminal, amount, state, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, 'sending', ?6, ?6)";
static const char SQL_UPDATE[] =
    "UPDATE payment_intents SET state = ?2, updated_at = ?3,"
    " approved_amount = COALESCE(?4, approved_amount),"
    " masked_pan = COALESCE(?5, masked_pan), card_scheme = COALESCE(?6, card_scheme),"
    " auth_code = COALESCE(?7, auth_code), trace = COALESCE(?8, trace),"
    " receipt_no = COALESCE(?9, receipt_no), terminal_id = COALESCE(?10, terminal_id),"
    " receipt = COALESCE(?11, receipt), message = COALESCE(?12, message),"
    " merchant_receipt = COALESCE(?13, merchant_receipt)"
    " WHERE reference = ?1";
/* a sale's approved card payments are completed in the sale's own transaction */
static const char SQL_COMPLETE_SALE[] =
    "UPDATE payment_intents SET state = 'completed', updated_at = ?2"
    " WHERE sale_uuid = ?1 AND state = 'approved'";
#define INTENT_COLS "id, reference, sale_uuid, op, terminal, amount, state, approved_amount," \
    " masked_pan, card_scheme, auth_code, trace, receipt_no, terminal_id"
static const char SQL_OPEN[] =
    "SELECT " INTENT_COLS " FROM payment_intents"
    " WHERE state IN ('sending', 'unknown', 'approved') ORDER BY id LIMIT ?1";
static const char SQL_GET[] = "SELECT " INTENT_COLS " FROM payment_intents WHERE reference = ?1";

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

int journal_begin(struct store *st, const char *reference, const char *sale_uuid,
                  const char *op, const char *terminal, int64_t amount, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_BEGIN);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, reference, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sale_uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, op, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, amount);
    sqlite3_bind_int64(s, 6, now);
    return store_step(st, s) == STORE_OK ? 0 : -1;
}

int journal_update(struct store *st, const char *reference, const char *state,
                   const struct pt_outcome *o, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_UPDATE);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, reference, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    if (o) {
        if (o->result == PT_APPROVED && o->op == PT_PURCHASE)
            sqlite3_bind_int64(s, 4, o->amount);
        bind_text_or_null(s, 5, o->masked_pan);
        bind_text_or_null(s, 6, o->card_scheme);
        bind_text_or_null(s, 7, o->auth_code);
        bind_text_or_null(s, 8, o->trace);
        bind_text_or_null(s, 9, o->receipt_no);
        bind_text_or_null(s, 10, o->terminal_id);
        bind_text_or_null(s, 11, o->receipt);
        bind_text_or_null(s, 12, o->message);
        bind_text_or_null(s, 13, o->merchant_receipt);
    }
    return store_step(st, s) == STORE_OK && store_changes(st) == 1 ? 0 : -1;
}

int journal_complete_sale(struct store *st, const char *sale_uuid, int64_t now)
{
    sqlite3_stmt *s = store_stmt(st, SQL_COMPLETE_SALE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, sale_uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    return store_step(st, s);
}

static void col(sqlite3_stmt *s, int i, char *dst, size_t len)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    snprintf(dst, len, "%s", t ? t : "");
}

static void read_intent(sqlite3_stmt *s, struct payment_intent *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    col(s, 1, p->reference, sizeof p->reference);
    col(s, 2, p->sale_uuid, sizeof p->sale_uuid);
    col(s, 3, p->op, sizeof p->op);
    col(s, 4, p->terminal, sizeof p->terminal);
    p->amount = sqlite3_column_int64(s, 5);
    col(s, 6, p->state, sizeof p->state);
    struct pt_outcome *o = &p->outcome;
    o->op = PT_PURCHASE;
    o->amount = sqlite3_column_int64(s, 7) ? sqlite3_column_int64(s, 7) : p->amount;
    snprintf(o->reference, sizeof o->reference, "%s", p->reference);
    col(s, 8, o->masked_pan, sizeof o->masked_pan);
    col(s, 9, o->card_scheme, sizeof o->card_scheme);
    col(s, 10, o->auth_code, sizeof o->auth_code);
    col(s, 11, o->trace, sizeof o->trace);
    col(s, 12, o->receipt_no, sizeof o->receipt_no);
    col(s, 13, o->terminal_id, sizeof o->terminal_id);
}

int journal_open_intents(struct store *st, struct payment_intent *out, int max)
{
    sqlite3_stmt *s = store_stmt(st, SQL_OPEN);
    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, max);
    int n = 0, rc = STORE_OK;
    while (n < max && (rc = store_step(st, s)) == STORE_ROW)
        read_intent(s, &out[n++]);
    sqlite3_reset(s);
    return rc < 0 ? -1 : n;
}

int journal_get(struct store *st, const char *reference, struct payment_intent *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_GET);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, reference, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? 1 : -1;
    read_intent(s, out);
    sqlite3_reset(s);
    return 0;
}

const char *journal_state_for(enum pt_result r)
{
    switch (r) {
    case PT_APPROVED: return "approved";
    case PT_DECLINED: return "declined";
    case PT_ABORTED: return "declined";
    case PT_ERROR: return "failed";
    case PT_UNKNOWN: return "unknown";
    case PT_NOT_FOUND: return "not_charged";
    }
    return "unknown";
}

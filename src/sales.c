/* The sales tables (sales, sale_lines, sale_taxes, payments) and all their SQL. */
#include "src/sales.h"

#include <sqlite3.h>
#include <stdio.h>

#include "core/sale.h"
#include "src/payment_journal.h"
#include "src/store.h"

static const char SQL_NEXT_RECEIPT[] = "SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM sales";
static const char SQL_INS_SALE[] =
    "INSERT INTO sales (uuid, terminal_id, cashier, receipt_no, started_at, completed_at, currency,"
    " tax_mode, subtotal, tax_total, total, change_given)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_INS_LINE[] =
    "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, barcode, name, qty, unit, unit_price,"
    " line_total, tax_class, tax_rate_ppm, voided)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char SQL_INS_TAX[] =
    "INSERT INTO sale_taxes (sale_id, tax_class, rate_ppm, net, tax, gross) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_INS_PAYMENT[] =
    "INSERT INTO payments (sale_id, seq, tender, amount, tendered, change, reference, card_scheme,"
    " masked_pan, auth_code, terminal_receipt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_COUNT[] = "SELECT count(*) FROM sales";

static void bind_opt_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int next_receipt_no(struct store *st, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_NEXT_RECEIPT);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_ERROR : rc;
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

static int write_sale(struct store *st, const struct sale *sale, int64_t *sale_id)
{
    const struct cart *cart = sale->cart;
    sqlite3_stmt *s = store_stmt(st, SQL_INS_SALE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, sale->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sale->terminal_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, sale->cashier, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, sale->receipt_no);
    sqlite3_bind_int64(s, 5, sale->started_at);
    sqlite3_bind_int64(s, 6, sale->completed_at);
    sqlite3_bind_text(s, 7, sale->fmt.cur.code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, sale->tax.mode == TAX_INCLUSIVE ? "inclusive" : "exclusive", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, cart->totals.subtotal);
    sqlite3_bind_int64(s, 10, cart->totals.tax);
    sqlite3_bind_int64(s, 11, cart->totals.total);
    sqlite3_bind_int64(s, 12, sale->change_given);
    int rc = store_step(st, s);
    *sale_id = store_last_insert_id(st);
    return rc;
}

static int write_lines(struct store *st, const struct cart *cart, int64_t sale_id)
{
    for (int i = 0; i < cart->nlines; i++) {
        const struct cart_line *l = &cart->lines[i];
        sqlite3_stmt *s = store_stmt(st, SQL_INS_LINE);
        if (!s)
            return STORE_ERROR;
        sqlite3_bind_int64(s, 1, sale_id);
        sqlite3_bind_int(s, 2, i + 1);
        if (l->product.id)
            sqlite3_bind_int64(s, 3, l->product.id);
        sqlite3_bind_text(s, 4, l->product.sku, -1, SQLITE_STATIC);
        bind_opt_text(s, 5, l->barcode);
        sqlite3_bind_text(s, 6, l->product.name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 7, l->qty);
        sqlite3_bind_text(s, 8, unit_name(l->product.unit), -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 9, l->unit_price);
        sqlite3_bind_int64(s, 10, l->line_total);
        sqlite3_bind_text(s, 11, l->product.tax_class, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 12, l->product.tax_rate_ppm);
        sqlite3_bind_int(s, 13, l->voided);
        int rc = store_step(st, s);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

static int write_taxes(struct store *st, const struct cart *cart, int64_t sale_id)
{
    for (int i = 0; i < cart->totals.nclasses; i++) {
        const struct tax_line *t = &cart->totals.classes[i];
        sqlite3_stmt *s = store_stmt(st, SQL_INS_TAX);
        if (!s)
            return STORE_ERROR;
        sqlite3_bind_int64(s, 1, sale_id);
        sqlite3_bind_text(s, 2, t->code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, t->rate_ppm);
        sqlite3_bind_int64(s, 4, t->net);
        sqlite3_bind_int64(s, 5, t->tax);
        sqlite3_bind_int64(s, 6, t->gross);
        int rc = store_step(st, s);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

static int write_payments(struct store *st, const struct sale *sale, int64_t sale_id)
{
    for (int i = 0; i < sale->npayments; i++) {
        const struct payment *p = &sale->payments[i];
        sqlite3_stmt *s = store_stmt(st, SQL_INS_PAYMENT);
        if (!s)
            return STORE_ERROR;
        sqlite3_bind_int64(s, 1, sale_id);
        sqlite3_bind_int(s, 2, i + 1);
        sqlite3_bind_text(s, 3, tender_name(p->tender), -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, p->amount);
        sqlite3_bind_int64(s, 5, p->tendered);
        sqlite3_bind_int64(s, 6, p->change);
        bind_opt_text(s, 7, p->reference);
        bind_opt_text(s, 8, p->card_scheme);
        bind_opt_text(s, 9, p->masked_pan);
        bind_opt_text(s, 10, p->auth_code);
        bind_opt_text(s, 11, p->terminal_receipt);
        int rc = store_step(st, s);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

static int write_all(struct store *st, struct sale *sale, sales_in_tx_fn in_tx, void *ctx)
{
    int64_t sale_id = 0;
    int rc;
    if ((rc = next_receipt_no(st, &sale->receipt_no)) ||
        (rc = write_sale(st, sale, &sale_id)) ||
        (rc = write_lines(st, sale->cart, sale_id)) ||
        (rc = write_taxes(st, sale->cart, sale_id)) ||
        (rc = write_payments(st, sale, sale_id)) ||
        (in_tx && (rc = in_tx(st, sale, ctx))))
        return rc;
    /* the card payments of a sale are settled in the same transaction as the sale */
    return journal_complete_sale(st, sale->uuid, sale->completed_at);
}

int sales_commit(struct store *st, struct sale *sale, sales_in_tx_fn in_tx, void *ctx,
                 char *err, size_t errlen)
{
    int rc = store_begin(st, STORE_TX_SALE);
    if (rc == STORE_OK && (rc = write_all(st, sale, in_tx, ctx)) != STORE_OK)
        store_rollback(st);
    else if (rc == STORE_OK)
        rc = store_commit(st);
    if (rc == STORE_OK)
        return STORE_OK;
    sale->receipt_no = 0;
    if (rc == STORE_EFULL)
        snprintf(err, errlen, "disk full: the sale was NOT saved. Free space, then pay again");
    else if (rc == STORE_EBUSY)
        snprintf(err, errlen, "database busy: the sale was NOT saved. Try again");
    else
        snprintf(err, errlen, "could not save the sale (%s); nothing was written", store_errmsg(st));
    return rc < 0 ? rc : STORE_ERROR;
}

int sales_count(struct store *st, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_COUNT);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_ERROR : rc;
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

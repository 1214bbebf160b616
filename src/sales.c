/* The sales tables (sales, sale_lines, sale_taxes, payments) and all their SQL. */
#include "src/sales.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/returns.h"
#include "core/sale.h"
#include "core/shift_report.h"
#include "src/payment_journal.h"
#include "src/store.h"

static const char SQL_RECEIPT_OF[] = "SELECT receipt_no FROM sales WHERE uuid = ?1";
static const char SQL_NEXT_RECEIPT[] = "SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM sales";
static const char SQL_INS_SALE[] =
    "INSERT INTO sales (uuid, terminal_id, cashier, receipt_no, started_at, completed_at, currency,"
    " tax_mode, subtotal, tax_total, total, change_given, receipt_spooled, customer_id, shift_id, staff_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13, ?14, ?15)";
static const char SQL_INS_LINE[] =
    "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, barcode, name, qty, unit, unit_price,"
    " line_total, tax_class, tax_rate_ppm, voided, discount, discount_label, return_of, return_line,"
    " restock, reason, age_check)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";
static const char SQL_INS_TAX[] =
    "INSERT INTO sale_taxes (sale_id, tax_class, rate_ppm, net, tax, gross) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_INS_PAYMENT[] =
    "INSERT INTO payments (sale_id, seq, tender, amount, tendered, change, reference, card_scheme,"
    " masked_pan, auth_code, terminal_receipt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_COUNT[] = "SELECT count(*) FROM sales";
/* A return is a sale with a negative total and its refund a negative payment: the
 * report's sales and tenders are what was taken, the refunds apart (the cash ones come
 * out of the drawer's expected cash, core/shift_report.c). */
static const char SQL_SHIFT_SALES[] =
    "SELECT count(*), COALESCE(SUM(total), 0) FROM sales WHERE shift_id = ?1 AND total >= 0";
static const char SQL_SHIFT_TENDERS[] =
    "SELECT p.tender, SUM(p.amount) FROM payments p JOIN sales s ON s.id = p.sale_id"
    " WHERE s.shift_id = ?1 AND p.amount > 0 GROUP BY p.tender";
static const char SQL_SHIFT_REFUNDS[] =
    "SELECT p.tender, count(*), -SUM(p.amount) FROM payments p JOIN sales s ON s.id = p.sale_id"
    " WHERE s.shift_id = ?1 AND p.amount < 0 GROUP BY p.tender";
/* given on sales less those handed back with returned lines (negative there) */
static const char SQL_SHIFT_DISCOUNTS[] =
    "SELECT COALESCE(SUM(l.discount), 0) FROM sale_lines l JOIN sales s ON s.id = l.sale_id"
    " WHERE s.shift_id = ?1 AND l.voided = 0";
static const char SQL_SHIFT_TAXES[] =
    "SELECT t.tax_class, t.rate_ppm, SUM(t.net), SUM(t.tax), SUM(t.gross) FROM sale_taxes t"
    " JOIN sales s ON s.id = t.sale_id WHERE s.shift_id = ?1"
    " GROUP BY t.tax_class, t.rate_ppm ORDER BY t.tax_class, t.rate_ppm";
static const char SQL_SHIFT_VOIDS[] =
    "SELECT count(*), COALESCE(SUM(l.line_total), 0) FROM sale_lines l JOIN sales s ON s.id = l.sale_id"
    " WHERE s.shift_id = ?1 AND l.voided = 1";
static const char SQL_MARK_SPOOLED[] = "UPDATE sales SET receipt_spooled = 1 WHERE uuid = ?1";
#define SALE_COLUMNS                                                                                  \
    "SELECT id, uuid, terminal_id, cashier, receipt_no, started_at, completed_at, subtotal, tax_total," \
    " total, change_given, currency, tax_mode, coalesce(customer_id, '') FROM sales "
static const char SQL_NEXT_UNSPOOLED[] = SALE_COLUMNS "WHERE receipt_spooled = 0 AND id > ?1 ORDER BY id LIMIT 1";
static const char SQL_NEXT_SALE[] = SALE_COLUMNS "WHERE id > ?1 ORDER BY id LIMIT 1";
static const char SQL_PREV_UNSPOOLED[] = SALE_COLUMNS "WHERE receipt_spooled = 0 AND id < ?1 ORDER BY id DESC LIMIT 1";
static const char SQL_COUNT_UNSPOOLED[] = "SELECT count(*) FROM sales WHERE receipt_spooled = 0";
static const char SQL_LOAD_LINES[] =
    "SELECT coalesce(product_id, 0), sku, coalesce(barcode, ''), name, qty, unit, unit_price, line_total,"
    " tax_class, tax_rate_ppm, voided, discount, coalesce(discount_label, ''), coalesce(return_of, ''),"
    " coalesce(return_line, 0), restock, coalesce(reason, '')"
    " FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no";
static const char SQL_LOAD_TAXES[] =
    "SELECT tax_class, rate_ppm, net, tax, gross FROM sale_taxes WHERE sale_id = ?1 ORDER BY rowid";
static const char SQL_LOAD_PAYMENTS[] =
    "SELECT tender, amount, tendered, change, coalesce(reference, ''), coalesce(card_scheme, ''),"
    " coalesce(masked_pan, ''), coalesce(auth_code, ''), coalesce(terminal_receipt, '')"
    " FROM payments WHERE sale_id = ?1 ORDER BY seq";
/* A sale to return against: by receipt number on this till, or by its uuid. */
static const char SQL_FIND_SALE[] =
    "SELECT id, uuid, terminal_id, receipt_no, completed_at, total FROM sales"
    " WHERE (?1 IS NOT NULL AND receipt_no = ?1) OR uuid = ?2 ORDER BY id DESC LIMIT 1";
static const char SQL_SALE_LINES[] =
    "SELECT line_no, product_id, sku, barcode, name, qty, unit, unit_price, line_total, tax_class,"
    " tax_rate_ppm, voided FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no";
static const char SQL_SALE_PAID[] =
    "SELECT tender, sum(amount) FROM payments WHERE sale_id = ?1 GROUP BY tender";
/* What of a line came back already on this till (voided returns do not count). */
static const char SQL_RETURNED[] =
    "SELECT return_line, -sum(qty) FROM sale_lines WHERE return_of = ?1 AND voided = 0"
    " GROUP BY return_line";

static void bind_opt_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* STORE_ROW with *out when the sale is already stored, STORE_OK when not. */
static int stored_receipt_no(struct store *st, const char *uuid, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_RECEIPT_OF);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc == STORE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
    }
    return rc;
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
    bind_opt_text(s, 13, cart->customer_id);
    if (sale->shift_id)
        sqlite3_bind_int64(s, 14, sale->shift_id);
    bind_opt_text(s, 15, sale->staff_id);
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
        sqlite3_bind_int64(s, 14, l->discount);
        bind_opt_text(s, 15, l->discount_label);
        if (l->qty < 0) {
            bind_opt_text(s, 16, l->return_of);
            if (l->return_line)
                sqlite3_bind_int(s, 17, l->return_line);
            sqlite3_bind_int(s, 18, l->restock);
            bind_opt_text(s, 19, l->reason);
        } else {
            sqlite3_bind_int(s, 18, 0);
        }
        bind_opt_text(s, 20, l->age_check);
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
    int rc = stored_receipt_no(st, sale->uuid, &sale->receipt_no);
    if (rc == STORE_ROW)
        return STORE_OK; /* saved by an earlier attempt: never twice */
    if (rc ||
        (rc = next_receipt_no(st, &sale->receipt_no)) ||
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
        snprintf(err, errlen, "no room to save the sale: %s", store_errmsg(st));
    else if (rc == STORE_EBUSY)
        snprintf(err, errlen, "database busy (another program is writing to it): %s", store_errmsg(st));
    else
        snprintf(err, errlen, "could not save the sale: %s", store_errmsg(st));
    return rc < 0 ? rc : STORE_ERROR;
}

static int read_lines(struct store *st, int64_t sale_id, struct original_sale *o)
{
    sqlite3_stmt *s = store_stmt(st, SQL_SALE_LINES);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, sale_id);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (o->nlines == RETURNS_MAX_LINES) {
            sqlite3_reset(s);
            break;
        }
        struct original_line *l = &o->lines[o->nlines++];
        memset(l, 0, sizeof *l);
        l->line_no = sqlite3_column_int(s, 0);
        l->product.id = sqlite3_column_int64(s, 1);
        store_col_text(s, 2, l->product.sku, sizeof l->product.sku);
        store_col_text(s, 3, l->barcode, sizeof l->barcode);
        store_col_text(s, 4, l->product.name, sizeof l->product.name);
        l->qty = sqlite3_column_int64(s, 5);
        char unit[8];
        store_col_text(s, 6, unit, sizeof unit);
        unit_parse(unit, &l->product.unit);
        l->unit_price = sqlite3_column_int64(s, 7);
        l->product.price = l->unit_price;
        l->paid = sqlite3_column_int64(s, 8);
        store_col_text(s, 9, l->product.tax_class, sizeof l->product.tax_class);
        l->product.tax_rate_ppm = sqlite3_column_int64(s, 10);
        l->voided = sqlite3_column_int(s, 11);
        l->product.active = 1;
    }
    return rc == STORE_ROW || rc == STORE_OK ? STORE_OK : rc;
}

static int read_paid(struct store *st, int64_t sale_id, struct original_sale *o)
{
    sqlite3_stmt *s = store_stmt(st, SQL_SALE_PAID);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, sale_id);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        int64_t v = sqlite3_column_int64(s, 1);
        for (int k = TENDER_CASH; k <= TENDER_VOUCHER; k++)
            if (t && strcmp(t, tender_name((enum tender_kind)k)) == 0)
                o->paid_by[k] = v;
    }
    return rc == STORE_OK ? STORE_OK : rc;
}

int sales_returned(struct store *st, struct original_sale *o)
{
    sqlite3_stmt *s = store_stmt(st, SQL_RETURNED);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, o->key, -1, SQLITE_STATIC);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        int i = returns_find_line(o, sqlite3_column_int(s, 0));
        int64_t q = sqlite3_column_int64(s, 1);
        /* the server may know of more (other tills): the larger count stands */
        if (i >= 0 && q > o->lines[i].returned)
            o->lines[i].returned = q;
    }
    return rc == STORE_OK ? STORE_OK : rc;
}

int sales_find_original(struct store *st, const char *ref, struct original_sale *o)
{
    memset(o, 0, sizeof *o);
    int64_t receipt_no = 0;
    char *end = NULL;
    long long n = strtoll(ref, &end, 10);
    int numeric = *ref && end && !*end && n > 0;
    /* "TERMINAL:UUID" (an order key, as on the receipt's code) or a bare uuid */
    const char *colon = strrchr(ref, ':');
    const char *uuid = colon ? colon + 1 : ref;
    sqlite3_stmt *s = store_stmt(st, SQL_FIND_SALE);
    if (!s)
        return STORE_ERROR;
    if (numeric) {
        receipt_no = n;
        sqlite3_bind_int64(s, 1, receipt_no);
    }
    sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    int64_t id = sqlite3_column_int64(s, 0);
    store_col_text(s, 1, o->uuid, sizeof o->uuid);
    store_col_text(s, 2, o->terminal_id, sizeof o->terminal_id);
    o->receipt_no = sqlite3_column_int64(s, 3);
    o->completed_at = sqlite3_column_int64(s, 4);
    o->total = sqlite3_column_int64(s, 5);
    sqlite3_reset(s);
    snprintf(o->key, sizeof o->key, "%.31s:%.39s", o->terminal_id, o->uuid);
    if ((rc = read_lines(st, id, o)) || (rc = read_paid(st, id, o)))
        return rc;
    return sales_returned(st, o);
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

int sales_mark_spooled(struct store *st, const char *uuid)
{
    sqlite3_stmt *s = store_stmt(st, SQL_MARK_SPOOLED);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    return store_step(st, s);
}

static void col_copy(sqlite3_stmt *s, int col, char *dst, size_t len)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    snprintf(dst, len, "%s", t ? t : "");
}

static int load_lines(struct store *st, int64_t sale_id, struct cart *cart)
{
    sqlite3_stmt *s = store_stmt(st, SQL_LOAD_LINES);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, sale_id);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (cart->nlines == cart->cap) {
            int cap = cart->cap ? cart->cap * 2 : 16;
            struct cart_line *n = realloc(cart->lines, (size_t)cap * sizeof *n);
            if (!n) {
                sqlite3_reset(s);
                return STORE_ERROR;
            }
            cart->lines = n;
            cart->cap = cap;
        }
        struct cart_line *l = &cart->lines[cart->nlines++];
        memset(l, 0, sizeof *l);
        l->product.id = sqlite3_column_int64(s, 0);
        col_copy(s, 1, l->product.sku, sizeof l->product.sku);
        col_copy(s, 2, l->barcode, sizeof l->barcode);
        col_copy(s, 3, l->product.name, sizeof l->product.name);
        l->qty = sqlite3_column_int64(s, 4);
        const char *unit = (const char *)sqlite3_column_text(s, 5);
        if (!unit || unit_parse(unit, &l->product.unit))
            l->product.unit = UNIT_EACH;
        l->unit_price = l->product.price = sqlite3_column_int64(s, 6);
        l->line_total = sqlite3_column_int64(s, 7);
        col_copy(s, 8, l->product.tax_class, sizeof l->product.tax_class);
        l->product.tax_rate_ppm = sqlite3_column_int64(s, 9);
        l->voided = sqlite3_column_int(s, 10);
        /* the receipt prints a line at its price with its discount under it */
        l->discount = sqlite3_column_int64(s, 11);
        l->gross = l->line_total + l->discount;
        col_copy(s, 12, l->discount_label, sizeof l->discount_label);
        col_copy(s, 13, l->return_of, sizeof l->return_of);
        l->return_line = sqlite3_column_int(s, 14);
        l->restock = sqlite3_column_int(s, 15);
        col_copy(s, 16, l->reason, sizeof l->reason);
        l->product.active = 1;
    }
    return rc == STORE_OK ? STORE_OK : rc;
}

static int load_taxes(struct store *st, int64_t sale_id, struct tax_totals *t)
{
    sqlite3_stmt *s = store_stmt(st, SQL_LOAD_TAXES);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, sale_id);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (t->nclasses >= TAX_MAX_CLASSES)
            continue;
        struct tax_line *l = &t->classes[t->nclasses++];
        col_copy(s, 0, l->code, sizeof l->code);
        l->rate_ppm = sqlite3_column_int64(s, 1);
        l->net = sqlite3_column_int64(s, 2);
        l->tax = sqlite3_column_int64(s, 3);
        l->gross = sqlite3_column_int64(s, 4);
    }
    return rc;
}

static int load_payments(struct store *st, int64_t sale_id, struct sale *sale)
{
    sqlite3_stmt *s = store_stmt(st, SQL_LOAD_PAYMENTS);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, sale_id);
    int rc;
    sale->npayments = 0;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (sale->npayments >= SALE_MAX_PAYMENTS)
            continue;
        struct payment *p = &sale->payments[sale->npayments++];
        memset(p, 0, sizeof *p);
        const char *tender = (const char *)sqlite3_column_text(s, 0);
        p->tender = tender && strcmp(tender, "card") == 0      ? TENDER_CARD
                    : tender && strcmp(tender, "voucher") == 0 ? TENDER_VOUCHER
                                                               : TENDER_CASH;
        p->amount = sqlite3_column_int64(s, 1);
        p->tendered = sqlite3_column_int64(s, 2);
        p->change = sqlite3_column_int64(s, 3);
        col_copy(s, 4, p->reference, sizeof p->reference);
        col_copy(s, 5, p->card_scheme, sizeof p->card_scheme);
        col_copy(s, 6, p->masked_pan, sizeof p->masked_pan);
        col_copy(s, 7, p->auth_code, sizeof p->auth_code);
        col_copy(s, 8, p->terminal_receipt, sizeof p->terminal_receipt);
    }
    return rc;
}

static int load_next(struct store *st, const char *sql, int64_t from_id, struct sale *out, struct cart *cart,
                          int64_t *id)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, from_id);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    *id = sqlite3_column_int64(s, 0);
    col_copy(s, 1, out->uuid, sizeof out->uuid);
    col_copy(s, 2, out->terminal_id, sizeof out->terminal_id);
    col_copy(s, 3, out->cashier, sizeof out->cashier);
    out->receipt_no = sqlite3_column_int64(s, 4);
    out->started_at = sqlite3_column_int64(s, 5);
    out->completed_at = sqlite3_column_int64(s, 6);
    cart->totals.subtotal = sqlite3_column_int64(s, 7);
    cart->totals.tax = sqlite3_column_int64(s, 8);
    cart->totals.total = sqlite3_column_int64(s, 9);
    out->change_given = sqlite3_column_int64(s, 10);
    /* as it was sold, whatever the settings say now (the order's JSON carries both) */
    const char *cur = (const char *)sqlite3_column_text(s, 11);
    if (cur && strlen(cur) < sizeof out->fmt.cur.code)
        snprintf(out->fmt.cur.code, sizeof out->fmt.cur.code, "%s", cur);
    const char *mode = (const char *)sqlite3_column_text(s, 12);
    if (mode)
        out->tax.mode = strcmp(mode, "exclusive") == 0 ? TAX_EXCLUSIVE : TAX_INCLUSIVE;
    col_copy(s, 13, cart->customer_id, sizeof cart->customer_id);
    sqlite3_reset(s);
    cart->totals.nclasses = 0;
    out->cart = cart;
    if ((rc = load_lines(st, *id, cart)) || (rc = load_taxes(st, *id, &cart->totals)) ||
        (rc = load_payments(st, *id, out)))
        return rc;
    return STORE_OK;
}

int sales_next_unspooled(struct store *st, int64_t after_id, struct sale *out, struct cart *cart, int64_t *id)
{
    return load_next(st, SQL_NEXT_UNSPOOLED, after_id, out, cart, id);
}

int sales_next(struct store *st, int64_t after_id, struct sale *out, struct cart *cart, int64_t *id)
{
    return load_next(st, SQL_NEXT_SALE, after_id, out, cart, id);
}

int sales_prev_unspooled(struct store *st, int64_t before_id, struct sale *out, struct cart *cart, int64_t *id)
{
    return load_next(st, SQL_PREV_UNSPOOLED, before_id, out, cart, id);
}

int sales_count_unspooled(struct store *st, int64_t *out)
{
    sqlite3_stmt *s = store_stmt(st, SQL_COUNT_UNSPOOLED);
    *out = 0;
    if (!s)
        return STORE_ERROR;
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc < 0 ? rc : STORE_ERROR;
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

/* Runs a statement bound to the shift id, calling row for each row. */
static int each_row(struct store *st, const char *sql, int64_t shift_id,
                    int (*row)(sqlite3_stmt *s, struct shift_figures *f), struct shift_figures *f)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, shift_id);
    int rc;
    while ((rc = store_step(st, s)) == STORE_ROW) {
        if (row(s, f)) {
            sqlite3_reset(s);
            return STORE_ERROR;
        }
    }
    return rc;
}

static int row_sales(sqlite3_stmt *s, struct shift_figures *f)
{
    f->sales_count = sqlite3_column_int64(s, 0);
    f->sales_total = sqlite3_column_int64(s, 1);
    return 0;
}

static int row_tender(sqlite3_stmt *s, struct shift_figures *f)
{
    const char *t = (const char *)sqlite3_column_text(s, 0);
    int64_t v = sqlite3_column_int64(s, 1);
    if (!t)
        return 0;
    if (strcmp(t, "cash") == 0)
        f->cash = v;
    else if (strcmp(t, "card") == 0)
        f->card = v;
    else if (strcmp(t, "voucher") == 0)
        f->voucher = v;
    return 0;
}

static int row_refund(sqlite3_stmt *s, struct shift_figures *f)
{
    const char *t = (const char *)sqlite3_column_text(s, 0);
    if (!t)
        return 0;
    if (strcmp(t, "cash") == 0) {
        f->refunds_count = sqlite3_column_int64(s, 1);
        f->refunds_value = sqlite3_column_int64(s, 2);
    } else {
        f->other_refunds_count += sqlite3_column_int64(s, 1);
        f->other_refunds_value += sqlite3_column_int64(s, 2);
        if (strcmp(t, "card") == 0)
            f->card_refunds_value = sqlite3_column_int64(s, 2);
    }
    return 0;
}

static int row_discounts(sqlite3_stmt *s, struct shift_figures *f)
{
    f->discounts = sqlite3_column_int64(s, 0);
    return 0;
}

static int row_tax(sqlite3_stmt *s, struct shift_figures *f)
{
    if (f->ntaxes >= TAX_MAX_CLASSES)
        return -1;
    struct shift_tax *t = &f->taxes[f->ntaxes++];
    const char *code = (const char *)sqlite3_column_text(s, 0);
    snprintf(t->code, sizeof t->code, "%s", code ? code : "");
    t->rate_ppm = sqlite3_column_int64(s, 1);
    t->net = sqlite3_column_int64(s, 2);
    t->tax = sqlite3_column_int64(s, 3);
    t->gross = sqlite3_column_int64(s, 4);
    return 0;
}

static int row_voids(sqlite3_stmt *s, struct shift_figures *f)
{
    f->voids_count = sqlite3_column_int64(s, 0);
    f->voids_value = sqlite3_column_int64(s, 1);
    return 0;
}

int sales_shift_figures(struct store *st, int64_t shift_id, struct shift_figures *f)
{
    int rc;
    f->ntaxes = 0;
    f->other_refunds_count = f->other_refunds_value = f->card_refunds_value = 0;
    if ((rc = each_row(st, SQL_SHIFT_SALES, shift_id, row_sales, f)) ||
        (rc = each_row(st, SQL_SHIFT_TENDERS, shift_id, row_tender, f)) ||
        (rc = each_row(st, SQL_SHIFT_REFUNDS, shift_id, row_refund, f)) ||
        (rc = each_row(st, SQL_SHIFT_DISCOUNTS, shift_id, row_discounts, f)) ||
        (rc = each_row(st, SQL_SHIFT_TAXES, shift_id, row_tax, f)) ||
        (rc = each_row(st, SQL_SHIFT_VOIDS, shift_id, row_voids, f)))
        return rc;
    return STORE_OK;
}

/* The parked_sales and parked_lines tables and all their SQL. */
#include "src/parked.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/cart.h"
#include "src/store.h"

static const char SQL_INS_SALE[] =
    "INSERT INTO parked_sales (uuid, label, parked_at, started_at, customer_id, customer_segment,"
    " sale_discount_kind, sale_discount_value, sale_discount_reason, coupons, items, total)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_INS_LINE[] =
    "INSERT INTO parked_lines (parked_id, line_no, product_id, sku, name, barcode, unit, tax_class,"
    " tax_rate_ppm, age_restricted, product_group, qty, unit_price, gross, discount,"
    " price_from_barcode, voided, manual_kind, manual_value, manual_reason, return_of, return_line,"
    " restock, reason)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
    " ?20, ?21, ?22, ?23, ?24)";
static const char SQL_LIST[] =
    "SELECT id, label, parked_at, items, total FROM parked_sales ORDER BY id LIMIT ?1";
static const char SQL_GET_SALE[] =
    "SELECT uuid, started_at, customer_id, customer_segment, sale_discount_kind,"
    " sale_discount_value, sale_discount_reason, coupons FROM parked_sales WHERE id = ?1";
static const char SQL_GET_LINES[] =
    "SELECT product_id, sku, name, barcode, unit, tax_class, tax_rate_ppm, age_restricted,"
    " product_group, qty, unit_price, gross, discount, price_from_barcode, voided, manual_kind,"
    " manual_value, manual_reason, return_of, return_line, restock, reason"
    " FROM parked_lines WHERE parked_id = ?1 ORDER BY line_no";
static const char SQL_DEL_LINES[] = "DELETE FROM parked_lines WHERE parked_id = ?1";
static const char SQL_DEL_SALE[] = "DELETE FROM parked_sales WHERE id = ?1";
static const char SQL_COUNT_BEFORE[] = "SELECT count(*) FROM parked_sales WHERE parked_at < ?1";

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static void col_text(sqlite3_stmt *s, int i, char *dst, size_t len)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(dst, len, "%s", t ? (const char *)t : "");
}

static int write_line(struct store *st, int64_t id, int no, const struct cart_line *l)
{
    sqlite3_stmt *s = store_stmt(st, SQL_INS_LINE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, no);
    if (l->product.id)
        sqlite3_bind_int64(s, 3, l->product.id);
    sqlite3_bind_text(s, 4, l->product.sku, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, l->product.name, -1, SQLITE_STATIC);
    bind_text(s, 6, l->barcode);
    sqlite3_bind_text(s, 7, unit_name(l->product.unit), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, l->product.tax_class, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, l->product.tax_rate_ppm);
    sqlite3_bind_int(s, 10, l->product.age_restricted);
    bind_text(s, 11, l->product.group);
    sqlite3_bind_int64(s, 12, l->qty);
    sqlite3_bind_int64(s, 13, l->unit_price);
    sqlite3_bind_int64(s, 14, l->gross);
    sqlite3_bind_int64(s, 15, l->qty < 0 ? l->discount : 0);
    sqlite3_bind_int(s, 16, l->price_from_barcode);
    sqlite3_bind_int(s, 17, l->voided);
    sqlite3_bind_int(s, 18, (int)l->manual.kind);
    sqlite3_bind_int64(s, 19, l->manual.value);
    bind_text(s, 20, l->manual.reason);
    bind_text(s, 21, l->return_of);
    sqlite3_bind_int(s, 22, l->return_line);
    sqlite3_bind_int(s, 23, l->restock);
    bind_text(s, 24, l->reason);
    return store_step(st, s);
}

static int write_all(struct store *st, const struct cart *cart, const char *uuid, int64_t started_at,
                     const char *label, int64_t now, int64_t *id)
{
    const struct pricing_context *ctx = &cart->pricing.ctx;
    char coupons[PRICING_MAX_COUPONS * (PRICING_CODE_MAX + 1) + 1] = "";
    size_t n = 0;
    for (int i = 0; i < ctx->ncoupons && n < sizeof coupons; i++)
        n += (size_t)snprintf(coupons + n, sizeof coupons - n, "%s%s", i ? "\n" : "", ctx->coupons[i]);
    sqlite3_stmt *s = store_stmt(st, SQL_INS_SALE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int64(s, 4, started_at);
    bind_text(s, 5, cart->customer_id);
    bind_text(s, 6, cart->customer_segment);
    sqlite3_bind_int(s, 7, (int)ctx->sale_discount.kind);
    sqlite3_bind_int64(s, 8, ctx->sale_discount.value);
    bind_text(s, 9, ctx->sale_discount.reason);
    bind_text(s, 10, coupons);
    sqlite3_bind_int64(s, 11, cart_item_count(cart));
    sqlite3_bind_int64(s, 12, cart->totals.total);
    int rc = store_step(st, s);
    if (rc)
        return rc;
    *id = store_last_insert_id(st);
    for (int i = 0; i < cart->nlines; i++)
        if ((rc = write_line(st, *id, i + 1, &cart->lines[i])))
            return rc;
    return STORE_OK;
}

int parked_save(struct store *st, const struct cart *cart, const char *uuid, int64_t started_at,
                const char *label, int64_t now, int64_t *id)
{
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (rc)
        return rc;
    if ((rc = write_all(st, cart, uuid, started_at, label, now, id))) {
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
        col_text(s, 1, p->label, sizeof p->label);
        p->parked_at = sqlite3_column_int64(s, 2);
        p->items = sqlite3_column_int64(s, 3);
        p->total = sqlite3_column_int64(s, 4);
    }
    return rc == STORE_OK ? n : rc;
}

static int read_line(sqlite3_stmt *s, struct cart_line *l)
{
    char unit[8];
    memset(l, 0, sizeof *l);
    l->product.id = sqlite3_column_int64(s, 0);
    col_text(s, 1, l->product.sku, sizeof l->product.sku);
    col_text(s, 2, l->product.name, sizeof l->product.name);
    col_text(s, 3, l->barcode, sizeof l->barcode);
    col_text(s, 4, unit, sizeof unit);
    if (unit_parse(unit, &l->product.unit))
        return -1;
    col_text(s, 5, l->product.tax_class, sizeof l->product.tax_class);
    l->product.tax_rate_ppm = sqlite3_column_int64(s, 6);
    l->product.age_restricted = sqlite3_column_int(s, 7);
    col_text(s, 8, l->product.group, sizeof l->product.group);
    l->product.active = 1;
    l->qty = sqlite3_column_int64(s, 9);
    l->unit_price = l->product.price = sqlite3_column_int64(s, 10);
    l->gross = sqlite3_column_int64(s, 11);
    l->discount = sqlite3_column_int64(s, 12);
    l->price_from_barcode = sqlite3_column_int(s, 13);
    l->voided = sqlite3_column_int(s, 14);
    l->manual.kind = (enum discount_kind)sqlite3_column_int(s, 15);
    l->manual.value = sqlite3_column_int64(s, 16);
    col_text(s, 17, l->manual.reason, sizeof l->manual.reason);
    col_text(s, 18, l->return_of, sizeof l->return_of);
    l->return_line = sqlite3_column_int(s, 19);
    l->restock = sqlite3_column_int(s, 20);
    col_text(s, 21, l->reason, sizeof l->reason);
    return 0;
}

/* Reads the sale into cart; the caller deletes it in the same transaction. */
static int read_all(struct store *st, int64_t id, struct cart *cart, char *uuid, size_t uuid_len,
                    int64_t *started_at)
{
    sqlite3_stmt *s = store_stmt(st, SQL_GET_SALE);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_NOTFOUND : rc;
    char cid[40], seg[16], coupons[PRICING_MAX_COUPONS * (PRICING_CODE_MAX + 1) + 1];
    struct discount_spec sd = { 0 };
    col_text(s, 0, uuid, uuid_len);
    *started_at = sqlite3_column_int64(s, 1);
    col_text(s, 2, cid, sizeof cid);
    col_text(s, 3, seg, sizeof seg);
    sd.kind = (enum discount_kind)sqlite3_column_int(s, 4);
    sd.value = sqlite3_column_int64(s, 5);
    col_text(s, 6, sd.reason, sizeof sd.reason);
    col_text(s, 7, coupons, sizeof coupons);
    sqlite3_reset(s);
    if (cart_set_customer(cart, cid, seg) || cart_set_sale_discount(cart, &sd))
        return STORE_ERROR;
    for (char *c = coupons, *next; *c; c = next) {
        next = c + strcspn(c, "\n");
        if (*next)
            *next++ = 0;
        if (cart_add_coupon(cart, c))
            return STORE_ERROR;
    }
    s = store_stmt(st, SQL_GET_LINES);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, id);
    while ((rc = store_step(st, s)) == STORE_ROW) {
        struct cart_line l;
        if (read_line(s, &l) || cart_restore_line(cart, &l)) {
            sqlite3_reset(s);
            return STORE_ERROR;
        }
    }
    return rc;
}

int parked_take(struct store *st, int64_t id, struct cart *cart, char *uuid, size_t uuid_len,
                int64_t *started_at)
{
    int rc = store_begin(st, STORE_TX_PLAIN);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    if ((rc = read_all(st, id, cart, uuid, uuid_len, started_at)) ||
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
    int rc = store_step(st, s);
    if (rc != STORE_ROW)
        return rc == STORE_OK ? STORE_ERROR : rc;
    *n = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return STORE_OK;
}

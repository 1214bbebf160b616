/* A cart line as a row of open_lines or parked_lines (see cart_rows.h). */
#include "src/cart_rows.h"

#include <stdio.h>
#include <string.h>

#include "core/cart.h"
#include "src/store.h"

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

void cart_row_bind(sqlite3_stmt *s, int first, const struct cart_line *l)
{
    const struct product *p = &l->product;
    int i = first;
    if (p->id)
        sqlite3_bind_int64(s, i, p->id);
    else
        sqlite3_bind_null(s, i);
    sqlite3_bind_text(s, ++i, p->sku, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, ++i, p->name, -1, SQLITE_STATIC);
    bind_text(s, ++i, l->barcode);
    sqlite3_bind_text(s, ++i, unit_name(p->unit), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, ++i, p->tax_class, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, ++i, p->tax_rate_ppm);
    sqlite3_bind_int(s, ++i, p->age_restricted);
    bind_text(s, ++i, p->group);
    bind_text(s, ++i, p->deposit_sku);
    sqlite3_bind_int64(s, ++i, l->qty);
    sqlite3_bind_int64(s, ++i, l->unit_price);
    sqlite3_bind_int64(s, ++i, l->gross);
    /* a returned line keeps what the original sale took off; pricing redoes the rest */
    sqlite3_bind_int64(s, ++i, l->qty < 0 ? l->discount : 0);
    sqlite3_bind_int(s, ++i, l->price_from_barcode);
    sqlite3_bind_int(s, ++i, l->qty_from_label);
    sqlite3_bind_int(s, ++i, l->voided);
    sqlite3_bind_int(s, ++i, (int)l->manual.kind);
    sqlite3_bind_int64(s, ++i, l->manual.value);
    bind_text(s, ++i, l->manual.reason);
    bind_text(s, ++i, l->return_of);
    if (l->return_line)
        sqlite3_bind_int(s, ++i, l->return_line);
    else
        sqlite3_bind_null(s, ++i);
    sqlite3_bind_int(s, ++i, l->restock);
    bind_text(s, ++i, l->reason);
    bind_text(s, ++i, l->age_check);
    sqlite3_bind_int(s, ++i, l->expiry);
    sqlite3_bind_int(s, ++i, l->expired);
}

int cart_row_read(sqlite3_stmt *s, int first, struct cart_line *l)
{
    char unit[8];
    memset(l, 0, sizeof *l);
    struct product *p = &l->product;
    int i = first;
    p->id = sqlite3_column_int64(s, i);
    store_col_text(s, ++i, p->sku, sizeof p->sku);
    store_col_text(s, ++i, p->name, sizeof p->name);
    store_col_text(s, ++i, l->barcode, sizeof l->barcode);
    store_col_text(s, ++i, unit, sizeof unit);
    if (unit_parse(unit, &p->unit))
        return -1;
    store_col_text(s, ++i, p->tax_class, sizeof p->tax_class);
    p->tax_rate_ppm = sqlite3_column_int64(s, ++i);
    p->age_restricted = sqlite3_column_int(s, ++i);
    store_col_text(s, ++i, p->group, sizeof p->group);
    store_col_text(s, ++i, p->deposit_sku, sizeof p->deposit_sku);
    p->active = 1;
    l->qty = sqlite3_column_int64(s, ++i);
    l->unit_price = p->price = sqlite3_column_int64(s, ++i);
    l->gross = sqlite3_column_int64(s, ++i);
    l->discount = sqlite3_column_int64(s, ++i);
    l->price_from_barcode = sqlite3_column_int(s, ++i);
    l->qty_from_label = sqlite3_column_int(s, ++i);
    l->voided = sqlite3_column_int(s, ++i);
    int kind = sqlite3_column_int(s, ++i);
    if (kind < DISCOUNT_NONE || kind > DISCOUNT_AMOUNT)
        return -1;
    l->manual.kind = (enum discount_kind)kind;
    l->manual.value = sqlite3_column_int64(s, ++i);
    store_col_text(s, ++i, l->manual.reason, sizeof l->manual.reason);
    store_col_text(s, ++i, l->return_of, sizeof l->return_of);
    l->return_line = sqlite3_column_int(s, ++i);
    l->restock = sqlite3_column_int(s, ++i);
    store_col_text(s, ++i, l->reason, sizeof l->reason);
    store_col_text(s, ++i, l->age_check, sizeof l->age_check);
    l->expiry = sqlite3_column_int(s, ++i);
    l->expired = sqlite3_column_int(s, ++i);
    return 0;
}

void cart_sale_bind(sqlite3_stmt *s, int first, const struct cart *cart)
{
    const struct pricing_context *c = &cart->pricing.ctx;
    char coupons[PRICING_MAX_COUPONS * (PRICING_CODE_MAX + 1) + 1] = "";
    size_t n = 0;
    for (int i = 0; i < c->ncoupons && n < sizeof coupons; i++)
        n += (size_t)snprintf(coupons + n, sizeof coupons - n, "%s%s", i ? "\n" : "", c->coupons[i]);
    int i = first;
    bind_text(s, i, cart->customer_id);
    bind_text(s, ++i, cart->customer_segment);
    sqlite3_bind_int(s, ++i, (int)c->sale_discount.kind);
    sqlite3_bind_int64(s, ++i, c->sale_discount.value);
    bind_text(s, ++i, c->sale_discount.reason);
    /* the joined list lives on this stack: copied */
    if (coupons[0])
        sqlite3_bind_text(s, ++i, coupons, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, ++i);
}

int cart_sale_read(sqlite3_stmt *s, int first, struct cart *cart)
{
    char cid[40], seg[16], coupons[PRICING_MAX_COUPONS * (PRICING_CODE_MAX + 1) + 1];
    struct discount_spec sd = { 0 };
    int i = first;
    store_col_text(s, i, cid, sizeof cid);
    store_col_text(s, ++i, seg, sizeof seg);
    sd.kind = (enum discount_kind)sqlite3_column_int(s, ++i);
    sd.value = sqlite3_column_int64(s, ++i);
    store_col_text(s, ++i, sd.reason, sizeof sd.reason);
    store_col_text(s, ++i, coupons, sizeof coupons);
    if (cart_set_customer(cart, cid, seg) || cart_set_sale_discount(cart, &sd))
        return -1;
    for (char *c = coupons, *next; *c; c = next) {
        next = c + strcspn(c, "\n");
        if (*next)
            *next++ = 0;
        if (cart_add_coupon(cart, c))
            return -1;
    }
    return 0;
}

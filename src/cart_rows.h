/* One cart line as a table row, and the sale's own columns: binding and reading shared by the tables that
 * keep an unfinished sale (open_lines in src/open_cart.c, parked_lines in src/parked.c), so
 * a line comes back from either exactly as it went in (deposit link, label quantity, age
 * check, expiry and all).  The statements themselves stay in their tables' modules. */
#ifndef TILL_CART_ROWS_H
#define TILL_CART_ROWS_H

#include <sqlite3.h>

struct cart;
struct cart_line;

/* The sale's own columns that both tables keep: the customer, the sale discount and the
 * coupons, in the order cart_sale_bind binds and cart_sale_read reads them. */
#define CART_SALE_COLUMNS                                                                    \
    "customer_id, customer_segment, sale_discount_kind, sale_discount_value,"               \
    " sale_discount_reason, coupons"
#define CART_SALE_NCOLUMNS 6

/* Binds the cart's CART_SALE_NCOLUMNS values from parameter first on; the cart must
 * outlive the statement's step. */
void cart_sale_bind(sqlite3_stmt *s, int first, const struct cart *cart);
/* Sets the cart's customer, sale discount and coupons from column first on: 0, or -1 when
 * the cart refuses them. */
int cart_sale_read(sqlite3_stmt *s, int first, struct cart *cart);

/* The columns, in the order cart_row_bind binds and cart_row_read reads them. */
#define CART_ROW_COLUMNS                                                                          \
    "product_id, sku, name, barcode, unit, tax_class, tax_rate_ppm, age_restricted,"             \
    " product_group, deposit_sku, qty, unit_price, gross, discount, price_from_barcode,"         \
    " qty_from_label, voided, manual_kind, manual_value, manual_reason, return_of, return_line," \
    " restock, reason, age_check, expiry, expired"
#define CART_ROW_NCOLUMNS 27

/* Binds the line's CART_ROW_NCOLUMNS values from parameter first on; the line must outlive
 * the statement's step (texts are bound without a copy). */
void cart_row_bind(sqlite3_stmt *s, int first, const struct cart_line *l);
/* Reads a line from column first on: 0, or -1 for a row no cart line can hold. */
int cart_row_read(sqlite3_stmt *s, int first, struct cart_line *l);

#endif

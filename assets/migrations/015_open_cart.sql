-- 015: the open sale as it changes (src/open_cart.c), so a crash or power cut brings it back
-- on restart: its lines, the customer and discounts, and the payments already taken.  At
-- most one open sale per till: open_sale has one row or none.
CREATE TABLE open_sale (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    uuid           TEXT NOT NULL,
    started_at     INTEGER NOT NULL,
    customer_id    TEXT,
    customer_segment TEXT,
    sale_discount_kind  INTEGER NOT NULL DEFAULT 0,
    sale_discount_value INTEGER NOT NULL DEFAULT 0,
    sale_discount_reason TEXT,
    coupons        TEXT,                     -- newline-separated
    age_proven     INTEGER NOT NULL DEFAULT 0,
    age_proven_how TEXT
);
CREATE TABLE open_lines (
    line_no        INTEGER PRIMARY KEY,
    product_id     INTEGER,
    sku            TEXT NOT NULL,
    name           TEXT NOT NULL,
    barcode        TEXT,
    unit           TEXT NOT NULL,
    tax_class      TEXT NOT NULL,
    tax_rate_ppm   INTEGER NOT NULL,
    age_restricted INTEGER NOT NULL DEFAULT 0,
    product_group  TEXT,
    deposit_sku    TEXT,
    qty            INTEGER NOT NULL,
    unit_price     INTEGER NOT NULL,
    gross          INTEGER NOT NULL,
    discount       INTEGER NOT NULL,         -- kept for returned lines only
    price_from_barcode INTEGER NOT NULL DEFAULT 0,
    qty_from_label INTEGER NOT NULL DEFAULT 0,
    voided         INTEGER NOT NULL DEFAULT 0,
    manual_kind    INTEGER NOT NULL DEFAULT 0,
    manual_value   INTEGER NOT NULL DEFAULT 0,
    manual_reason  TEXT,
    return_of      TEXT,
    return_line    INTEGER,
    restock        INTEGER NOT NULL DEFAULT 1,
    reason         TEXT,
    age_check      TEXT,
    expiry         INTEGER NOT NULL DEFAULT 0,
    expired        INTEGER NOT NULL DEFAULT 0
);
-- Payments taken (cash, vouchers, approved card payments and refunds), in order.
CREATE TABLE open_payments (
    seq         INTEGER PRIMARY KEY,
    tender      TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    tendered    INTEGER NOT NULL,
    change      INTEGER NOT NULL DEFAULT 0,
    reference   TEXT,
    card_scheme TEXT,
    masked_pan  TEXT,
    auth_code   TEXT,
    terminal_id TEXT,
    terminal_receipt TEXT
);

-- 009: returns, discounts and promotions on sale lines; the customer of a sale; parked
-- (suspended) sales.
-- A line's line_total is what it cost after discount (line_total = unit_price x qty - discount);
-- a returned line has negative qty and totals and names the original order and line.
ALTER TABLE sale_lines ADD COLUMN discount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sale_lines ADD COLUMN discount_label TEXT;
ALTER TABLE sale_lines ADD COLUMN return_of TEXT;         -- the original's idempotency key
ALTER TABLE sale_lines ADD COLUMN return_line INTEGER;    -- its line number
ALTER TABLE sale_lines ADD COLUMN restock INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sale_lines ADD COLUMN reason TEXT;
CREATE INDEX sale_lines_return_of ON sale_lines(return_of, return_line) WHERE return_of IS NOT NULL;
ALTER TABLE sales ADD COLUMN customer_id TEXT;

-- Sales the cashier set aside (suspended) to serve someone else, resumed later on this till.
CREATE TABLE parked_sales (
    id             INTEGER PRIMARY KEY,      -- the number the cashier sees
    uuid           TEXT NOT NULL,
    label          TEXT NOT NULL,
    parked_at      INTEGER NOT NULL,
    started_at     INTEGER NOT NULL,
    customer_id    TEXT,
    customer_segment TEXT,
    sale_discount_kind  INTEGER NOT NULL DEFAULT 0,
    sale_discount_value INTEGER NOT NULL DEFAULT 0,
    sale_discount_reason TEXT,
    coupons        TEXT,                     -- newline-separated
    items          INTEGER NOT NULL DEFAULT 0,
    total          INTEGER NOT NULL DEFAULT 0    -- as it stood when parked, for the list
);
CREATE TABLE parked_lines (
    parked_id      INTEGER NOT NULL REFERENCES parked_sales(id) ON DELETE CASCADE,
    line_no        INTEGER NOT NULL,
    product_id     INTEGER,
    sku            TEXT NOT NULL,
    name           TEXT NOT NULL,
    barcode        TEXT,
    unit           TEXT NOT NULL,
    tax_class      TEXT NOT NULL,
    tax_rate_ppm   INTEGER NOT NULL,
    age_restricted INTEGER NOT NULL DEFAULT 0,
    product_group  TEXT,
    qty            INTEGER NOT NULL,
    unit_price     INTEGER NOT NULL,
    gross          INTEGER NOT NULL,
    discount       INTEGER NOT NULL,         -- kept for returned lines only (from the original)
    price_from_barcode INTEGER NOT NULL DEFAULT 0,
    voided         INTEGER NOT NULL DEFAULT 0,
    manual_kind    INTEGER NOT NULL DEFAULT 0,
    manual_value   INTEGER NOT NULL DEFAULT 0,
    manual_reason  TEXT,
    return_of      TEXT,
    return_line    INTEGER,
    restock        INTEGER NOT NULL DEFAULT 1,
    reason         TEXT,
    PRIMARY KEY (parked_id, line_no)
);

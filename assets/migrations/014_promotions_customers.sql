-- 014: promotions and customers synced down from the store server; the age check recorded
-- on a sale line.  (A product's promotion group, deposit item and minimum age are in the
-- catalog file: assets/catalog-schema.sql, version 2.)
ALTER TABLE sale_lines ADD COLUMN age_check TEXT;    -- how the customer's age was checked

-- Promotions and customer-segment prices (src/promotions.c), as the server's promotions feed
-- sends them; kind 'segment_price' rows are price-list entries, the rest the pricing
-- engine's promotions (core/pricing.h).
CREATE TABLE promotions (
    id          INTEGER PRIMARY KEY,       -- the server's id
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    sku         TEXT,
    product_group TEXT,
    bundle      TEXT,                      -- bundle skus, '|'-separated
    n           INTEGER NOT NULL DEFAULT 0,
    m           INTEGER NOT NULL DEFAULT 0,
    price       INTEGER NOT NULL DEFAULT 0,
    percent_bp  INTEGER NOT NULL DEFAULT 0,
    threshold   INTEGER NOT NULL DEFAULT 0,
    amount_off  INTEGER NOT NULL DEFAULT 0,
    valid_from  INTEGER NOT NULL DEFAULT 0,
    valid_to    INTEGER NOT NULL DEFAULT 0,
    day_from    INTEGER NOT NULL DEFAULT 0,
    day_to      INTEGER NOT NULL DEFAULT 0,
    coupon      TEXT,
    segment     TEXT,
    combinable  INTEGER NOT NULL DEFAULT 0
);
-- What a scanned item finds its promotions by: 'sku:X', 'group:G', or '*' for every item.
CREATE TABLE promotion_targets (
    target   TEXT NOT NULL,
    promo_id INTEGER NOT NULL REFERENCES promotions(id) ON DELETE CASCADE,
    PRIMARY KEY (target, promo_id)
) WITHOUT ROWID;
CREATE INDEX promotion_targets_promo ON promotion_targets(promo_id);
CREATE INDEX promotions_coupon ON promotions(coupon) WHERE coupon IS NOT NULL;

-- Customers (src/customers.c): minimal fields, synced down; a loyalty card finds one.
CREATE TABLE customers (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    segment  TEXT NOT NULL DEFAULT '',
    card     TEXT UNIQUE
);
CREATE INDEX customers_name ON customers(name COLLATE NOCASE);

-- 001: catalog, sales, payments, outbox, audit log.
-- Money columns are INTEGER minor units; quantities are thousandths (1 piece = 1000, 1 kg = 1000 g).

CREATE TABLE tax_classes (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    rate_ppm  INTEGER NOT NULL CHECK (rate_ppm >= 0)      -- 19% = 190000
);

CREATE TABLE products (
    id             INTEGER PRIMARY KEY,
    sku            TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    price          INTEGER NOT NULL,                      -- per piece or per kg
    unit           TEXT NOT NULL DEFAULT 'each' CHECK (unit IN ('each', 'kg')),
    tax_class      TEXT NOT NULL,
    age_restricted INTEGER NOT NULL DEFAULT 0,
    active         INTEGER NOT NULL DEFAULT 1,
    updated_at     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE barcodes (
    code       TEXT PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX barcodes_product ON barcodes(product_id);

-- Name search as the cashier types; prefix indexes keep one to four letters fast.
CREATE VIRTUAL TABLE products_fts USING fts5(
    name, content='products', content_rowid='id', prefix='2 3 4'
);
CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
    INSERT INTO products_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER products_fts_au AFTER UPDATE OF name ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO products_fts(rowid, name) VALUES (new.id, new.name);
END;

CREATE TABLE sales (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    terminal_id  TEXT NOT NULL,
    cashier      TEXT NOT NULL,
    receipt_no   INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    completed_at INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    tax_mode     TEXT NOT NULL CHECK (tax_mode IN ('inclusive', 'exclusive')),
    subtotal     INTEGER NOT NULL,
    tax_total    INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    change_given INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sale_lines (
    id           INTEGER PRIMARY KEY,
    sale_id      INTEGER NOT NULL REFERENCES sales(id),
    line_no      INTEGER NOT NULL,
    product_id   INTEGER,
    sku          TEXT NOT NULL,
    barcode      TEXT,
    name         TEXT NOT NULL,
    qty          INTEGER NOT NULL,
    unit         TEXT NOT NULL,
    unit_price   INTEGER NOT NULL,
    line_total   INTEGER NOT NULL,
    tax_class    TEXT NOT NULL,
    tax_rate_ppm INTEGER NOT NULL,
    voided       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (sale_id, line_no)
);

CREATE TABLE sale_taxes (
    sale_id      INTEGER NOT NULL REFERENCES sales(id),
    tax_class    TEXT NOT NULL,
    rate_ppm     INTEGER NOT NULL,
    net          INTEGER NOT NULL,
    tax          INTEGER NOT NULL,
    gross        INTEGER NOT NULL,
    PRIMARY KEY (sale_id, tax_class)
);

CREATE TABLE payments (
    id          INTEGER PRIMARY KEY,
    sale_id     INTEGER NOT NULL REFERENCES sales(id),
    seq         INTEGER NOT NULL,
    tender      TEXT NOT NULL CHECK (tender IN ('cash', 'card', 'voucher')),
    amount      INTEGER NOT NULL,          -- applied to the sale
    tendered    INTEGER NOT NULL,          -- handed over (cash), >= amount
    change      INTEGER NOT NULL DEFAULT 0,
    reference   TEXT,                      -- card: terminal reference / trace
    card_scheme TEXT,
    masked_pan  TEXT,                      -- last four digits only, never the PAN
    auth_code   TEXT,
    terminal_receipt TEXT,
    UNIQUE (sale_id, seq)
);

-- One row per business event that must reach the central store API, exactly once.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('order', 'stock_adjustment')),
    idempotency_key TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,          -- JSON as sent to the server
    created_at      INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'parked')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX outbox_pending ON outbox(state, id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    terminal_id TEXT NOT NULL,
    cashier     TEXT NOT NULL,
    event       TEXT NOT NULL,
    detail      TEXT
);

-- Small settings that belong to this database: receipt counter, sync cursors.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The catalog database: a file of its own beside the till's database, attached as
-- "catalog" (every name here says catalog.), so that a snapshot from the store server (assets/store-api.yaml) replaces it
-- whole by a rename.  PRAGMA user_version is this schema's version (2); a till refuses a
-- snapshot of another version.  The reference server builds its snapshots from this file.
-- Tax classes stay in the till's own database: their rates come from till.conf.
-- Version 2: products.product_group and deposit_sku; age_restricted holds the minimum age
-- (0 none, 1 the till's default, else the age).  A version 1 file gets the two columns
-- (src/store.c).
CREATE TABLE IF NOT EXISTS catalog.products (
    id             INTEGER PRIMARY KEY,
    sku            TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    price          INTEGER NOT NULL,                      -- per piece or per kg
    unit           TEXT NOT NULL DEFAULT 'each' CHECK (unit IN ('each', 'kg')),
    tax_class      TEXT NOT NULL,
    age_restricted INTEGER NOT NULL DEFAULT 0,
    active         INTEGER NOT NULL DEFAULT 1,
    updated_at     INTEGER NOT NULL DEFAULT 0,
    product_group  TEXT,                                  -- promotion group (mix-and-match)
    deposit_sku    TEXT                                   -- a deposit item sold with it
);

CREATE TABLE IF NOT EXISTS catalog.barcodes (
    code       TEXT PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS catalog.barcodes_product ON barcodes(product_id);

-- Name search as the cashier types; prefix indexes keep one to four letters fast.
CREATE VIRTUAL TABLE IF NOT EXISTS catalog.products_fts USING fts5(
    name, content='products', content_rowid='id', prefix='2 3 4'
);
-- fewer merges while pages arrive one transaction each (see migration 004)
INSERT INTO catalog.products_fts(products_fts, rank) VALUES ('automerge', 16);
CREATE TRIGGER IF NOT EXISTS catalog.products_fts_ai AFTER INSERT ON products BEGIN
    INSERT INTO products_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER IF NOT EXISTS catalog.products_fts_ad AFTER DELETE ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER IF NOT EXISTS catalog.products_fts_au AFTER UPDATE OF name ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO products_fts(rowid, name) VALUES (new.id, new.name);
END;

-- cursor: the server's catalog sequence this file is complete up to (deltas go on from
-- it); products: how many rows a snapshot carries; name_index: 'ready' once products_fts
-- holds every name (a till searches by name only then).
CREATE TABLE IF NOT EXISTS catalog.catalog_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT OR IGNORE INTO catalog.catalog_meta (key, value) VALUES ('cursor', '0'), ('name_index', 'ready');

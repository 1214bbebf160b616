-- 013: the catalog moves to its own database file, attached as "catalog" (created from
-- assets/catalog-schema.sql before migrations run), so that a catalog snapshot from the
-- server can replace it whole by an atomic rename.  Rows, ids and the sync cursor move
-- with it; tax classes stay here (their rates come from till.conf).
INSERT OR IGNORE INTO catalog.products (id, sku, name, price, unit, tax_class, age_restricted,
                                        active, updated_at)
    SELECT id, sku, name, price, unit, tax_class, age_restricted, active, updated_at FROM main.products;
INSERT OR IGNORE INTO catalog.barcodes SELECT * FROM main.barcodes;
INSERT OR REPLACE INTO catalog.catalog_meta (key, value)
    SELECT 'cursor', value FROM main.meta WHERE key = 'sync.catalog_cursor';
DELETE FROM main.meta WHERE key = 'sync.catalog_cursor';
DROP TRIGGER main.products_fts_ai;
DROP TRIGGER main.products_fts_ad;
DROP TRIGGER main.products_fts_au;
DROP TABLE main.products_fts;
DROP TABLE main.barcodes;
DROP TABLE main.products;

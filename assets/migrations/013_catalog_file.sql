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
-- Both files are in WAL mode, where a transaction over two files is atomic in each but not
-- across them: the copy commits first (it changes the catalog file only, and copying again
-- after a crash right here changes nothing: same ids, OR IGNORE), then the originals go in
-- a transaction of the main file with the new schema version.
COMMIT;
BEGIN IMMEDIATE;
DELETE FROM main.meta WHERE key = 'sync.catalog_cursor';
DROP TRIGGER main.products_fts_ai;
DROP TRIGGER main.products_fts_ad;
DROP TRIGGER main.products_fts_au;
DROP TABLE main.products_fts;
DROP TABLE main.barcodes;
DROP TABLE main.products;

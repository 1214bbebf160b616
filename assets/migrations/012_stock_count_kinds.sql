-- 011: goods received are scanned on the counting screen too (kind 'receive': each item's
-- quantity is added to stock, not counted), and a count can be given up ('abandoned': its
-- entries stay, nothing is sent).  SQLite cannot change a CHECK in place: stock_counts is
-- rebuilt with the same rows (migrations run with foreign keys off, checked before COMMIT).
CREATE TABLE stock_counts_new (
    id                TEXT PRIMARY KEY,          -- random hex: part of each adjustment's key
    kind              TEXT NOT NULL DEFAULT 'count' CHECK (kind IN ('count', 'receive')),
    zone              TEXT NOT NULL,             -- the stock location counted (or received into)
    full_store        INTEGER NOT NULL DEFAULT 0,
    blind             INTEGER NOT NULL DEFAULT 1, -- expected quantities hidden while counting
    state             TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted', 'abandoned')),
    active            INTEGER NOT NULL DEFAULT 0, -- on screen: a restart goes straight back to it
    uncounted_as_zero INTEGER NOT NULL DEFAULT 0, -- items expected but not counted: zero or left out
    counted_by        TEXT NOT NULL,
    started_at        INTEGER NOT NULL,
    finished_at       INTEGER,                    -- submitted or abandoned at
    abandoned_by      TEXT
);
INSERT INTO stock_counts_new (id, zone, full_store, blind, state, active, uncounted_as_zero, counted_by,
                              started_at, finished_at)
    SELECT id, zone, full_store, blind, state, active, uncounted_as_zero, counted_by, started_at, finished_at
    FROM stock_counts;
DROP TABLE stock_counts;
ALTER TABLE stock_counts_new RENAME TO stock_counts;
-- One open count per zone on this till, and one open delivery per zone beside it.
CREATE UNIQUE INDEX stock_counts_open_zone ON stock_counts(kind, zone) WHERE state = 'open';

-- 007: stock counts taken on this till (src/stock_counts.c).  A count is the entries a
-- manager makes, each saved as it is made, so a crash or restart resumes it exactly.
CREATE TABLE stock_counts (
    id                TEXT PRIMARY KEY,          -- random hex: part of each adjustment's key
    zone              TEXT NOT NULL,             -- the stock location counted
    full_store        INTEGER NOT NULL DEFAULT 0,
    blind             INTEGER NOT NULL DEFAULT 1, -- expected quantities hidden while counting
    state             TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted')),
    active            INTEGER NOT NULL DEFAULT 0, -- on screen: a restart goes straight back to it
    uncounted_as_zero INTEGER NOT NULL DEFAULT 0, -- items expected but not counted: zero or left out
    counted_by        TEXT NOT NULL,
    started_at        INTEGER NOT NULL,
    finished_at       INTEGER
);
-- One open count per zone on this till.
CREATE UNIQUE INDEX stock_counts_open_zone ON stock_counts(zone) WHERE state = 'open';

CREATE TABLE stock_count_entries (
    count_id TEXT NOT NULL REFERENCES stock_counts(id),
    seq      INTEGER NOT NULL,
    op       TEXT NOT NULL CHECK (op IN ('add', 'set')),
    sku      TEXT NOT NULL,                      -- '' for an unknown barcode (kept for review)
    barcode  TEXT NOT NULL,
    name     TEXT NOT NULL,
    unit     TEXT NOT NULL CHECK (unit IN ('each', 'kg')),
    price    INTEGER NOT NULL,
    qty      INTEGER NOT NULL,                   -- thousandths
    at       INTEGER NOT NULL,
    undone   INTEGER NOT NULL DEFAULT 0,         -- F3 undo keeps the row, marked
    PRIMARY KEY (count_id, seq)
) WITHOUT ROWID;

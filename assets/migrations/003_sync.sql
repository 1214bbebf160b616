-- 003: sync with the central store API (offline/sync.c).
-- Stock levels as the server last reported them, per location.
CREATE TABLE stock_levels (
    sku      TEXT NOT NULL,
    location TEXT NOT NULL,
    on_hand  INTEGER NOT NULL,          -- thousandths, may be negative
    seq      INTEGER NOT NULL,          -- the server's stock sequence
    PRIMARY KEY (sku, location)
) WITHOUT ROWID;

-- What the server answered for each outbox row: accepted/duplicate with its order id, or
-- the rejection reason (state 'parked', for a manager; never retried automatically).
ALTER TABLE outbox ADD COLUMN sent_at INTEGER;
ALTER TABLE outbox ADD COLUMN server_ref TEXT;

-- 017: rows of the store server's pages that this till refused (src/sync_rejects.c).  A
-- catalog, staff, stock, promotions or customers page with one row the till cannot take is
-- applied without it and its cursor moves on; the row waits here, with its reason, for a
-- manager (till --sync-rejects, the status bar).  A later valid version of the same record
-- (a higher seq) applies as usual and marks the refused one superseded.
CREATE TABLE sync_rejects (
    id            INTEGER PRIMARY KEY,
    feed          TEXT NOT NULL,             -- catalog, staff, stock, promotions, customers
    seq           INTEGER NOT NULL,          -- the server's seq of the row (0: it had none)
    item_key      TEXT NOT NULL,             -- sku, staff or customer id, promotion id
    reason        TEXT NOT NULL,
    raw           TEXT NOT NULL,             -- the row as the server sent it, cut at 2,048 bytes
    refused_at    INTEGER NOT NULL,          -- Unix seconds
    superseded_at INTEGER,                   -- when a later valid version applied; NULL: open
    UNIQUE (feed, item_key, seq)
);
CREATE INDEX sync_rejects_open ON sync_rejects(feed, item_key) WHERE superseded_at IS NULL;

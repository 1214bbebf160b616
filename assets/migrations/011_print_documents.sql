-- 010: the print queue takes plain documents besides receipts (a stock count's variance
-- report): kind 'document', with a title for the messages about it.  SQLite cannot change
-- a CHECK constraint in place, so print_jobs is rebuilt with the same rows and ids.
CREATE TABLE print_jobs_new (
    id          INTEGER PRIMARY KEY,
    receipt_id  INTEGER REFERENCES receipts(id),
    kind        TEXT NOT NULL CHECK (kind IN ('receipt', 'copy', 'gift', 'document')),
    title       TEXT,                       -- a document's: "Count report c1a2..."
    bytes       BLOB NOT NULL,
    state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'printed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    done_at     INTEGER
);
INSERT INTO print_jobs_new (id, receipt_id, kind, bytes, state, attempts, last_error, created_at, done_at)
    SELECT id, receipt_id, kind, bytes, state, attempts, last_error, created_at, done_at FROM print_jobs;
DROP TABLE print_jobs;
ALTER TABLE print_jobs_new RENAME TO print_jobs;
CREATE INDEX print_jobs_queued ON print_jobs(id) WHERE state = 'queued';

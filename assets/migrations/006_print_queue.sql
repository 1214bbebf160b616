-- 006: receipts as printed, and the print queue.  A receipt is laid out once, when its
-- sale completes: the text, the printer's bytes and the same marked COPY for reprints.
-- A print job stays 'queued' until the printer confirms it ('printed') or the cashier
-- skips it; the queue survives a restart.
CREATE TABLE receipts (
    id          INTEGER PRIMARY KEY,
    sale_uuid   TEXT NOT NULL UNIQUE,
    receipt_no  INTEGER NOT NULL,
    terminal_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    text        TEXT NOT NULL,
    escpos      BLOB NOT NULL,
    copy_escpos BLOB NOT NULL
);
CREATE INDEX receipts_no ON receipts(receipt_no);

CREATE TABLE print_jobs (
    id          INTEGER PRIMARY KEY,
    receipt_id  INTEGER REFERENCES receipts(id),
    kind        TEXT NOT NULL CHECK (kind IN ('receipt', 'copy', 'gift')),
    bytes       BLOB NOT NULL,
    state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'printed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    done_at     INTEGER
);
CREATE INDEX print_jobs_queued ON print_jobs(id) WHERE state = 'queued';

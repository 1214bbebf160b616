-- 010: staff, shifts and cash movements (src/staff.c, src/shifts.c).
-- Staff come down from the store server (by cursor, like the catalog) or are added on the
-- till itself (till --add-staff).  The PIN is kept only as an argon2id hash in its PHC
-- string form, which carries its own parameters, so they can be raised later.
CREATE TABLE staff (
    id           TEXT PRIMARY KEY,            -- what a person types to sign on
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
    pin_hash     TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    origin       TEXT NOT NULL DEFAULT 'server' CHECK (origin IN ('server', 'local')),
    failed_pins  INTEGER NOT NULL DEFAULT 0,  -- wrong PINs in a row, on this till
    locked_until INTEGER NOT NULL DEFAULT 0   -- Unix seconds
);

-- One open shift per terminal at most.  The Z number is given in the transaction that
-- closes the shift, from a counter in meta: it never repeats, even after a crash.
CREATE TABLE shifts (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    terminal_id   TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    opened_at     INTEGER NOT NULL,
    opened_by     TEXT NOT NULL,              -- staff id
    opening_float INTEGER NOT NULL CHECK (opening_float >= 0),
    cancels       INTEGER NOT NULL DEFAULT 0,
    cancels_value INTEGER NOT NULL DEFAULT 0,
    z_number      INTEGER UNIQUE,
    closed_at     INTEGER,
    closed_by     TEXT,
    counted_cash  INTEGER,
    report        TEXT                        -- the Z as shown and printed
);
CREATE UNIQUE INDEX shifts_one_open ON shifts(terminal_id) WHERE state = 'open';

-- Cash in and out of the drawer that is not a sale.  approved_by: the staff member whose
-- PIN approved it (a manager override), when the one doing it lacked the permission.
CREATE TABLE cash_movements (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    shift_id    INTEGER NOT NULL REFERENCES shifts(id),
    kind        TEXT NOT NULL CHECK (kind IN ('paid_in', 'paid_out', 'drop', 'no_sale')),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    reason      TEXT,
    staff_id    TEXT NOT NULL,
    approved_by TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX cash_movements_shift ON cash_movements(shift_id);

-- Who sold it, in which shift (NULL on a till without staff).
ALTER TABLE sales ADD COLUMN shift_id INTEGER;
ALTER TABLE sales ADD COLUMN staff_id TEXT;
CREATE INDEX sales_shift ON sales(shift_id);

-- The outbox's kinds are offline/outbox.c's business: without a CHECK on them, a new
-- kind of document is no table rebuild.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'parked')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         INTEGER,
    server_ref      TEXT
);
INSERT INTO outbox_new (id, kind, idempotency_key, payload, created_at, state, attempts,
                        next_attempt_at, last_error, sent_at, server_ref)
    SELECT id, kind, idempotency_key, payload, created_at, state, attempts, next_attempt_at,
           last_error, sent_at, server_ref FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox(state, id);

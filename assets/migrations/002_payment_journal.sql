-- 002: the payment journal. An intent is committed before a request goes to a payment
-- terminal; every result updates it. After a crash, open intents are resolved against
-- the terminal (or by the cashier) before the till sells again.
CREATE TABLE payment_intents (
    id              INTEGER PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,     -- sale uuid + sequence: what the terminal is told
    sale_uuid       TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('purchase', 'reversal', 'refund')),
    terminal        TEXT NOT NULL,
    amount          INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('sending', 'approved', 'declined', 'failed',
                        'unknown', 'reversed', 'completed', 'not_charged')),
    approved_amount INTEGER NOT NULL DEFAULT 0,
    masked_pan      TEXT,                     -- last four digits only
    card_scheme     TEXT,
    auth_code       TEXT,
    trace           TEXT,
    receipt_no      TEXT,
    terminal_id     TEXT,
    receipt         TEXT,
    message         TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX payment_intents_state ON payment_intents(state);

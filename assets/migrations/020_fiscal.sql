-- 020: German fiscal records (KassenSichV), owned by src/fiscal_records.c.  One row per TSE
-- transaction: written before the TSE is asked to start ('new'), then 'started' with the
-- TSE's transaction number, then 'finished' (a receipt, a paid in/out, a no-sale, a Z) or
-- 'aborted' (a cancelled sale, or one a crash left open), or 'failed' when the TSE could
-- not be reached: the sale went on and its receipt says "TSE ausgefallen".  The amounts
-- are what the process data certified (cents per DSFinV-K VAT slot 19, 7, 10.7, 5.5, 0 %),
-- kept here so the DSFinV-K export reads one table.  Outages: when the TSE failed, from
-- the first failure to the first success after it.
CREATE TABLE fiscal_tx (
    id INTEGER PRIMARY KEY,
    tx_id TEXT NOT NULL UNIQUE,          -- our id with the TSE (the sale's uuid)
    sale_uuid TEXT,                      -- NULL for a no-sale, paid in/out, Z
    kind TEXT NOT NULL,                  -- sale, return, cancel, paid_in, paid_out, drop, no_sale, z
    state TEXT NOT NULL,                 -- new, started, finished, aborted, failed
    client_id TEXT NOT NULL,             -- the till's serial number
    process_type TEXT,
    process_data TEXT,
    tx_number INTEGER,
    start_counter INTEGER,
    sig_counter INTEGER,
    start_ms INTEGER,
    log_ms INTEGER,
    signature TEXT,
    sig_alg TEXT,
    time_format TEXT,
    tse_serial TEXT,
    public_key TEXT,
    error TEXT,
    receipt_no INTEGER,                  -- a sale's receipt number; a Z's number for kind z
    shift_id INTEGER,
    vat0 INTEGER NOT NULL DEFAULT 0, vat1 INTEGER NOT NULL DEFAULT 0, vat2 INTEGER NOT NULL DEFAULT 0,
    vat3 INTEGER NOT NULL DEFAULT 0, vat4 INTEGER NOT NULL DEFAULT 0,
    net0 INTEGER NOT NULL DEFAULT 0, net1 INTEGER NOT NULL DEFAULT 0, net2 INTEGER NOT NULL DEFAULT 0,
    net3 INTEGER NOT NULL DEFAULT 0, net4 INTEGER NOT NULL DEFAULT 0,
    cash INTEGER NOT NULL DEFAULT 0,
    noncash INTEGER NOT NULL DEFAULT 0,  -- card and voucher
    voucher INTEGER NOT NULL DEFAULT 0,  -- of noncash: vouchers
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX fiscal_tx_state ON fiscal_tx (state);
CREATE INDEX fiscal_tx_created ON fiscal_tx (created_at);
CREATE TABLE fiscal_outages (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    reason TEXT NOT NULL
);

-- 007: a completed sale whose receipt file is not in the spool yet (Till stopped between
-- the commit and the file).  Start-up writes those receipts; sales from before count as done.
ALTER TABLE sales ADD COLUMN receipt_spooled INTEGER NOT NULL DEFAULT 1;
CREATE INDEX sales_receipt_unspooled ON sales(id) WHERE receipt_spooled = 0;

-- 019: a Z that a power cut interrupts finishes on restart (src/shifts.c).  The Z is begun
-- durably (who, the cash counted) before the payment terminal's end-of-day is asked for;
-- the terminal's answer is kept as soon as it comes, since a second end-of-day would find
-- the batch already closed.  The Z number is still taken only in the closing transaction.
ALTER TABLE shifts ADD COLUMN z_started_at INTEGER;
ALTER TABLE shifts ADD COLUMN z_by TEXT;
ALTER TABLE shifts ADD COLUMN z_approved_by TEXT;
ALTER TABLE shifts ADD COLUMN z_counted INTEGER;
ALTER TABLE shifts ADD COLUMN eod_state TEXT;      -- core/shift_report.h shift_eod_name
ALTER TABLE shifts ADD COLUMN eod_total INTEGER;
ALTER TABLE shifts ADD COLUMN eod_count INTEGER;
ALTER TABLE shifts ADD COLUMN eod_lines TEXT;      -- card TAB count TAB amount, a line each
ALTER TABLE shifts ADD COLUMN eod_message TEXT;
